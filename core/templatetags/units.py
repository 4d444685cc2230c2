from django import template

from core.units import unit_shown

register = template.Library()


@register.filter
def unit(value: str) -> str:
    """`{{ indicator.unit|unit }}`: the unit in the reader's language (core/units.py)."""
    return unit_shown(value)
