from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """`{{ contacts|get_item:school.pk }}`: a dict lookup by a variable key."""
    return mapping.get(key, []) if mapping else []
