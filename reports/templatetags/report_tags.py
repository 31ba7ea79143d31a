from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

register = template.Library()

STATUS = {
    "on_track": ("success", gettext_noop("Sesuai target")),
    "behind": ("warning", gettext_noop("Tertinggal")),
    "far_behind": ("danger", gettext_noop("Jauh tertinggal")),
}


@register.filter
def pct(value) -> str:
    """12,3% in Indonesian, 12.3% in English; a dash where there is no target."""
    return "–" if value is None else f"{number_format(value, 1)}%"


@register.filter
def status_class(status: str) -> str:
    return STATUS[status][0]


@register.filter
def status_label(status: str) -> str:
    return _(STATUS[status][1])


@register.filter
def bar_width(value) -> str:
    """A progress bar's value in percent, capped at 100."""
    return "0" if value is None else f"{min(value, 100):.1f}"


@register.filter
def get_item(mapping: dict, key):
    return mapping.get(key)
