"""The portal's roles. A role is a Django group; a profile ties a liaison to a school and a town
liaison to a town. Only the policy (core/policy.py) turns a role into what a user may do."""

from django.utils.translation import gettext_lazy as _

BUREAU = "bureau"
LIAISON = "liaison"
COMMANDER = "commander"
TOWN_LIAISON = "town_liaison"

ROLE_LABELS = {
    BUREAU: _("Bureau staff"),
    LIAISON: _("School liaison"),
    COMMANDER: _("Commander"),
    TOWN_LIAISON: _("Town liaison"),
}
ALL_ROLES = tuple(ROLE_LABELS)


def role_of(user) -> str | None:
    """The user's role; superusers act as bureau staff. Cached on the user object for the request."""
    if not user.is_authenticated:
        return None
    cached = getattr(user, "_portal_role", "unset")
    if cached != "unset":
        return cached
    if user.is_superuser:
        role = BUREAU
    else:
        names = set(user.groups.values_list("name", flat=True))
        role = next((name for name in ALL_ROLES if name in names), None)
    user._portal_role = role
    return role


def role_label(user) -> str:
    """The user's role as the header shows it ("" when they have none)."""
    return str(ROLE_LABELS.get(role_of(user), ""))
