"""Template context shared by every page: the user's role label and what they may do, for the header."""

from core.policy import permissions_for
from core.roles import role_label


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {"portal_role_label": role_label(user), "can": permissions_for(user)}
