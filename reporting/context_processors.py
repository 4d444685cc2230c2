"""Template context for liaisons on every page outside the reports: this month's report, while it
still needs them (not submitted yet, or returned), so the landing page says what is due."""

from django.utils.functional import SimpleLazyObject

from pairing.selectors import pairings_visible_to, school_of
from portal.roles import LIAISON, role_of

from .selectors import expected_reports
from .services import current_month


def report_due(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith(("/reports/", "/api/")):
        return {}
    # Lazy: the queries run only when a page's template shows the banner.
    return {"report_due": SimpleLazyObject(lambda: reports_needing(user))}


def reports_needing(user) -> list:
    if role_of(user) != LIAISON:
        return []
    school = school_of(user)
    if school is None:
        return []
    rows = expected_reports(month=current_month(), pairings=pairings_visible_to(user), school_id=school.pk)
    return [row for row in rows if not row.is_submitted or row.is_returned]
