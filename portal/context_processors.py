"""Template context shared by every page: the user's role label and what they may do, for the header."""

from django.conf import settings

from core.policy import permissions_for
from core.roles import role_label


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "portal_role_label": role_label(user),
        "can": permissions_for(user),
        # A worker and its scheduler run (production, REDIS_URL set); without them (the embedded
        # default of `make run`) tasks run inside the request and nothing runs on a schedule, so the
        # pages do not promise what happens "automatically".
        "tasks_scheduled": not settings.CELERY_TASK_ALWAYS_EAGER,
    }
