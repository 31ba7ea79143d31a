"""Which of a model's CheckConstraints the database named when it refused a row."""

import re

from django.core.exceptions import NON_FIELD_ERRORS
from django.db import IntegrityError, models

# SQLite names the constraint in its message; PostgreSQL in the error's diagnostics.
_SQLITE_CHECK = re.compile(r"CHECK constraint failed: (\w+)")


def violated_check(model, error: IntegrityError) -> models.CheckConstraint | None:
    """The model's CheckConstraint this IntegrityError reports, or None (another error)."""
    diag = getattr(error.__cause__, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name is None:
        match = _SQLITE_CHECK.search(str(error))
        name = match.group(1) if match else None
    return next(
        (
            constraint
            for constraint in model._meta.constraints
            if isinstance(constraint, models.CheckConstraint)
            and constraint.name == name
        ),
        None,
    )


def constraint_field(constraint: models.CheckConstraint) -> str:
    """The one field a constraint's condition filters on, where its message belongs;
    form-wide (NON_FIELD_ERRORS) when it filters on several."""
    names = set(_filtered_fields(constraint.condition))
    return names.pop() if len(names) == 1 else NON_FIELD_ERRORS


def _filtered_fields(condition: models.Q):
    for child in condition.children:
        if isinstance(child, models.Q):
            yield from _filtered_fields(child)
        else:
            yield child[0].split("__")[0]
