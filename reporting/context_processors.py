"""Template context for liaisons on every page outside the reports: this month's report, while it
still needs them (not submitted yet, or returned), so the landing page says what is due."""

from django.utils.functional import SimpleLazyObject

from core.months import Month
from core.policy import can

from .expectations import State
from .selectors import earlier_unsubmitted, school_month_rows

NEEDING = {State.NOT_STARTED, State.DRAFT, State.MISSING, State.RETURNED}


def report_due(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith(("/reports/", "/api/")):
        return {}
    # Lazy: the queries run only when a page's template shows the banner.
    return {
        "report_due": SimpleLazyObject(lambda: reports_needing(user)),
        "reports_earlier": SimpleLazyObject(lambda: earlier_needing(user)),
    }


def earlier_needing(user) -> list:
    """The earlier months' reports never submitted (reporting.selectors.earlier_unsubmitted)."""
    if not can(user, "report.own"):
        return []
    return earlier_unsubmitted(user, Month.current())


def reports_needing(user) -> list:
    """The rows of this month's reports still needing the liaison's school. Built on every page the
    liaison opens, from the school's month rows (cached: reporting.selectors.school_month_rows)."""
    if not can(user, "report.own"):
        return []
    return [row for row in school_month_rows(user, Month.current()) if row.state in NEEDING]
