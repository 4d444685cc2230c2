from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict, key):
    """`{{ contacts|get_item:school.pk }}`: a dict lookup by a variable key."""
    return mapping.get(key, []) if mapping else []


# The badge colour of each state of an expected report (the queue's status column).
STATE_BADGES = {
    "accepted": "success",
    "returned": "warning",
    "missing": "danger",
    "submitted_late": "danger",
    "draft": "secondary",
    "not_started": "light",
}


@register.filter
def state_badge(state: str) -> str:
    """`text-bg-{{ row.state|state_badge }}`: the colour of a state's badge (info for the rest)."""
    return STATE_BADGES.get(state, "info")


@register.filter
def duration(value) -> str:
    """A timedelta as days and hours, for how late a report is."""
    if value is None:
        return ""
    from django.utils.translation import gettext as _

    hours = int(value.total_seconds() // 3600)
    days, hours = divmod(hours, 24)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    minutes = int(value.total_seconds() // 60) % 60
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
