"""Text as the app keeps it: no control characters, on the way in and on the way out.

One rule, `text_clean`: C0 controls (U+0000–U+001F), DEL (U+007F) and C1 controls
(U+0080–U+009F) are never kept, nor what XML 1.0 cannot hold at all (lone surrogates,
U+FFFE, U+FFFF), so whatever is stored can go into a spreadsheet, a PostgreSQL text column
(no NUL) and a page. Decided for the app:

- single-line text (a name, an address, a title: CharField, `<input>`): the whitespace
  controls (tab, line feed, carriage return, vertical tab, form feed, NEL) become one space,
  so "Jl.⇥Mawar" stays two words; every other control is dropped;
- multi-line text (TextField, `<textarea>`: a note, a reason, a description) keeps line
  feed, carriage return and tab, and drops the rest the same way.

Text enters through forms (`CleanTextFormMixin`: every app and admin form) and through the
write services' `full_clean()` (`CleanTextModelMixin` on the models, so an import or a shell
that calls a service gets it too). Passwords are never changed: they are not stored as text.
"""

import re

from django import forms
from django.db import models
from django.forms.renderers import Jinja2

# Dropped everywhere: what is neither printable nor whitespace, and what XML cannot hold.
_NEVER = "\x00-\x08\x0e-\x1f\x7f\x80-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff"
# The whitespace controls: kept on multi-line text (\t \n \r), else a space.
_SINGLE_LINE_DROP = re.compile(f"[{_NEVER}]")
_SINGLE_LINE_SPACE = re.compile("[\t\n\r\x0b\x0c\x85]")
_MULTI_LINE_DROP = re.compile(f"[{_NEVER}\x0b\x0c\x85]")


def text_clean(value: str, *, multiline: bool = False) -> str:
    """`value` without control characters (see the module docstring for what is kept)."""
    if multiline:
        return _MULTI_LINE_DROP.sub("", value)
    return _SINGLE_LINE_SPACE.sub(" ", _SINGLE_LINE_DROP.sub("", value))


def _is_multiline_field(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.Textarea)


def _kept_as_typed(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.PasswordInput)


class CleanTextFormMixin:
    """Every value a bound form receives is cleaned before any field sees it, so the
    fields, their clean_<name>() and the page shown again all have the clean text.

    Put it first in the bases of every form (the app's forms inherit it through
    `jakpreneur.text.Form`/`ModelForm`; admin forms get it from `FastModelAdmin.get_form`).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._clean_data(self.data)

    def _clean_data(self, data):
        multiline, as_typed = set(), set()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if _kept_as_typed(field):
                as_typed.add(key)
            elif _is_multiline_field(field):
                multiline.add(key)
        cleaned = data.copy()  # QueryDicts are immutable; their copy is not
        if hasattr(cleaned, "setlist"):
            for key, values in data.lists():
                if key not in as_typed:
                    cleaned.setlist(
                        key, [_clean_value(v, key in multiline) for v in values]
                    )
        else:
            for key, value in data.items():
                if key not in as_typed:
                    cleaned[key] = _clean_value(value, key in multiline)
        return cleaned


def _clean_value(value, multiline: bool):
    if isinstance(value, str):
        return text_clean(value, multiline=multiline)
    if isinstance(value, list | tuple):
        return type(value)(_clean_value(v, multiline) for v in value)
    return value


# The app's forms render their widgets with Django's Jinja2 widget templates (the same
# markup as the template language's): a form page makes about a fifth fewer Python calls,
# the registration form 89,000 -> 71,000 and the resident list (its filter form)
# 71,000 -> 59,000 (benchmarks/request_cpu.py). One renderer, so its engine is built once.
# The admin keeps Django's renderer: its widgets have template-language templates only.
WIDGET_RENDERER = Jinja2()


class Form(CleanTextFormMixin, forms.Form):
    """The base of the app's plain forms."""

    default_renderer = WIDGET_RENDERER


class ModelForm(CleanTextFormMixin, forms.ModelForm):
    """The base of the app's model forms."""

    default_renderer = WIDGET_RENDERER


class CleanTextModelMixin:
    """`full_clean()` (every write service calls it) cleans the model's text fields first,
    so text that arrives without a form (an import, a command) is kept clean too."""

    def clean_fields(self, exclude=None):
        for field in self._meta.concrete_fields:
            if exclude and field.name in exclude:
                continue
            if isinstance(field, models.CharField | models.TextField):
                value = getattr(self, field.attname)
                if isinstance(value, str):
                    setattr(
                        self,
                        field.attname,
                        text_clean(
                            value, multiline=isinstance(field, models.TextField)
                        ),
                    )
        super().clean_fields(exclude=exclude)
