from django import template

from core.units import unit_shown

register = template.Library()


@register.filter
def unit(value: str) -> str:
    """`{{ indicator.unit|unit }}`: the unit in the reader's language (core/units.py)."""
    return unit_shown(value)


@register.filter
def unit_for(value: str, number) -> str:
    """`{{ indicator.unit|unit_for:total }}`: the unit in the reader's language, for that number
    ("1 organisation", "2 organisations")."""
    return unit_shown(value, number)


@register.filter
def bracketed(value) -> str:
    """`{{ village.parent|bracketed }}`: an aside in the reader's brackets, "（长安）" in Chinese and
    " (长安)" in English, where a full-width bracket after a Latin word reads as a typo."""
    from django.utils.translation import get_language

    if value in (None, ""):
        return ""
    if (get_language() or "").startswith("en"):
        return f" ({value})"
    return f"（{value}）"
