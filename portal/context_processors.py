"""Template context shared by every page: the user's role, for the header's navigation."""

from .roles import BUREAU, COMMANDER, LIAISON, ROLE_LABELS, TOWN_LIAISON, role_of


def roles(request) -> dict:
    role = role_of(request.user) if hasattr(request, "user") else None
    return {
        "portal_role": role,
        "portal_role_label": ROLE_LABELS.get(role, ""),
        "is_bureau": role == BUREAU,
        "is_commander": role == COMMANDER,
        "is_liaison": role == LIAISON,
        "is_town_liaison": role == TOWN_LIAISON,
    }
