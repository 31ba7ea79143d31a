from django import template

from participants.identity import nik_mask, phone_display

register = template.Library()


@register.filter
def masked_nik(value: str) -> str:
    """317308••••••••••: the only way a NIK or KK number appears in a template."""
    return nik_mask(value or "")


@register.filter
def phone(value: str) -> str:
    return phone_display(value) if value else ""
