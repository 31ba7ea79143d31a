"""The app's forms render their widgets with Django's Jinja2 templates (jakpreneur.text):
the same markup as the template language gives, and the admin keeps the latter."""

import re

from django.forms.renderers import DjangoTemplates
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import staff_user
from jakpreneur.text import WIDGET_RENDERER
from participants.forms import ResidentForm
from participants.tests.test_registration_form import form_data
from programs.forms import EnrollByNikForm


def _markup(form) -> str:
    html = "".join(str(bound) for bound in form)  # every field's widget, as crispy asks
    return re.sub(r"\s+", " ", html).replace("> <", "><").strip()


def test_app_forms_render_with_the_one_jinja2_renderer(places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    assert ResidentForm(user=clerk).renderer is WIDGET_RENDERER
    assert EnrollByNikForm().renderer is WIDGET_RENDERER


def test_widget_markup_is_the_template_language_s(places):
    clerk = staff_user(Role.KELURAHAN, "31.73.08.1005")
    # Every kind of widget of the registration form, with values and with errors.
    for data in (None, form_data(nik="12", gender="X", birth_date="kemarin")):
        jinja2 = ResidentForm(data, user=clerk)
        template_language = ResidentForm(data, user=clerk, renderer=DjangoTemplates())
        if data:
            assert not jinja2.is_valid() and not template_language.is_valid()
        assert _markup(jinja2) == _markup(template_language)
        assert 'type="radio"' in _markup(jinja2) and "<select" in _markup(jinja2)


def test_the_admin_renders_its_widgets_with_the_template_language(admin_client, places):
    response = admin_client.get(reverse("admin:participants_resident_add"))
    assert response.status_code == 200
    assert response.context["adminform"].form.renderer is not WIDGET_RENDERER
