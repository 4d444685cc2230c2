"""Template context for liaisons on every page outside the reports: this month's report, while it
still needs them (not submitted yet, or returned), so the landing page says what is due."""

from django.utils.functional import SimpleLazyObject

from core.months import Month
from core.policy import can, school_id_of
from pairing.selectors import pairings_visible_to

from .expectations import State, expected_reports


def report_due(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith(("/reports/", "/api/")):
        return {}
    # Lazy: the queries run only when a page's template shows the banner.
    return {"report_due": SimpleLazyObject(lambda: reports_needing(user))}


def reports_needing(user) -> list:
    if not can(user, "report.own"):
        return []
    return expected_reports(
        Month.current(),
        pairings=pairings_visible_to(user),
        school_id=school_id_of(user),
        states=[State.NOT_STARTED, State.DRAFT, State.MISSING, State.RETURNED],
    )
