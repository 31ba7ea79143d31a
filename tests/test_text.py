"""jakpreneur.text: no control character is kept, on any way in; no export chokes on text."""

import io
import re

import pytest
from django import forms
from django.contrib import admin
from django.http import QueryDict
from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from accounts.models import Role
from accounts.services import staff_save
from accounts.tests.factories import staff_user
from jakpreneur.spreadsheets import cell_text, csv_cell
from jakpreneur.text import CleanTextFormMixin, text_clean
from participants.tests.factories import ResidentFactory

PROJECT_APPS = ("accounts", "participants", "programs", "reports", "wilayah", "home")
CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")
NOT_IN_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")


@pytest.mark.parametrize(
    ("value", "single_line", "multi_line"),
    [
        ("Jl. Mawar\x1b[31m No. 5", "Jl. Mawar[31m No. 5", "Jl. Mawar[31m No. 5"),
        ("nul\x00byte", "nulbyte", "nulbyte"),
        ("tab\there", "tab here", "tab\there"),
        ("dua\r\nbaris", "dua  baris", "dua\r\nbaris"),
        ("c1\x85next\x9bcsi\x7fdel", "c1 nextcsidel", "c1nextcsidel"),
        ("vt\x0bff\x0c", "vt ff ", "vtff"),
        ("bom\ufeff ok, ümlaut, ٣, ²", "bom\ufeff ok, ümlaut, ٣, ²", None),
        ("not xml \ufffe\uffff", "not xml ", "not xml "),
    ],
)
def test_text_clean_drops_controls_and_keeps_line_breaks_only_on_multi_line(
    value, single_line, multi_line
):
    assert text_clean(value) == single_line
    assert text_clean(value, multiline=True) == (multi_line or single_line)


@given(st.text())
def test_clean_single_line_text_has_no_control_character_and_cleans_once(value):
    cleaned = text_clean(value)

    assert not CONTROLS.search(cleaned)
    assert not NOT_IN_XML.search(cleaned)
    assert text_clean(cleaned) == cleaned


@given(st.text())
def test_clean_multi_line_text_keeps_only_tab_and_line_breaks(value):
    cleaned = text_clean(value, multiline=True)

    assert {c for c in cleaned if CONTROLS.match(c)} <= {"\t", "\n", "\r"}
    assert not ILLEGAL_CHARACTERS_RE.search(cleaned)
    assert not NOT_IN_XML.search(cleaned)


@given(st.text(st.characters(exclude_categories=("Cc", "Cs"))))
def test_text_without_controls_is_left_as_it_is(value):
    value = value.replace("\ufffe", "").replace("\uffff", "")
    assert text_clean(value) == value
    assert text_clean(value, multiline=True) == value


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(), min_size=1, max_size=5))
def test_any_text_through_cell_text_makes_a_workbook_that_opens(values):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("x")
    sheet.append([cell_text(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)

    read = next(load_workbook(io.BytesIO(buffer.getvalue())).active.values)

    assert [v or "" for v in read] == [cell_text(v) for v in values]


@given(st.text())
def test_cells_never_start_a_formula(value):
    for written in (cell_text(value), csv_cell(value)):
        assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


class _Sample(CleanTextFormMixin, forms.Form):
    name = forms.CharField()
    note = forms.CharField(widget=forms.Textarea)
    password = forms.CharField(widget=forms.PasswordInput)
    tags = forms.MultipleChoiceField(choices=[("a\x1bb", "x"), ("ab", "y")])


def test_form_mixin_cleans_every_value_before_the_fields_see_it():
    data = QueryDict(mutable=True)
    data.update({"name": " Siti\x1b Aminah ", "note": "satu\r\ndua\x07"})
    data.update({"password": "rahasia\x1b"})
    data.setlist("tags", ["a\x1bb"])
    form = _Sample(data)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "Siti Aminah"
    assert form.cleaned_data["note"] == "satu\r\ndua"
    # A password is checked as typed, and never stored as text.
    assert form.cleaned_data["password"] == "rahasia\x1b"
    assert form.cleaned_data["tags"] == ["ab"]


def _project_forms():
    seen, todo = set(), [forms.BaseForm]
    while todo:
        for sub in todo.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    return sorted(
        (
            form
            for form in seen
            if form.__module__.split(".")[0] in PROJECT_APPS
            and ".tests" not in form.__module__
        ),
        key=lambda f: f"{f.__module__}.{f.__qualname__}",
    )


def test_every_form_of_the_app_cleans_its_text():
    import accounts.forms  # noqa: F401 - every form module loaded
    import participants.admin  # noqa: F401
    import participants.forms  # noqa: F401
    import programs.forms  # noqa: F401

    found = _project_forms()

    assert len(found) >= 12
    assert [f for f in found if not issubclass(f, CleanTextFormMixin)] == []


@pytest.mark.django_db
def test_every_admin_form_and_inline_form_cleans_its_text(places):
    request = RequestFactory().get("/admin/")
    request.user = staff_user(Role.ADMIN)
    unclean = []
    for model, model_admin in admin.site._registry.items():
        form = model_admin.get_form(request)
        takes_text = any(
            isinstance(f, forms.CharField) for f in form.base_fields.values()
        )
        if takes_text and not issubclass(form, CleanTextFormMixin):
            unclean.append(f"{model.__name__} form")
        for formset, inline in model_admin.get_formsets_with_inlines(request):
            if not issubclass(formset.form, CleanTextFormMixin):
                unclean.append(f"{model.__name__} inline {type(inline).__name__}")
    assert unclean == []


@pytest.mark.django_db
def test_full_clean_cleans_text_that_arrives_without_a_form(places):
    resident = ResidentFactory.build(
        address="Jl.\x1bMawar\x00 5",
        full_name="Siti\tAminah",
        birth_place="Jakarta\x85",
    )

    resident.full_clean(validate_unique=False)

    assert resident.address == "Jl.Mawar 5"
    assert resident.full_name == "Siti Aminah"
    assert resident.birth_place == "Jakarta "


@pytest.mark.django_db
def test_staff_accounts_made_by_command_have_clean_names(places):
    user, _created = staff_save(
        username="joglo\x1b",
        role=Role.KELURAHAN,
        scope="31.73.08.1005",
        password="Kembang-Sepatu-719",
        full_name="Siti\x1b[1m Aminah",
    )

    assert (user.username, user.first_name, user.last_name) == (
        "joglo",
        "Siti[1m",
        "Aminah",
    )
