"""Template context for liaisons on every page outside the reports: this month's report, while it
still needs them (not submitted yet, or returned), so the landing page says what is due."""

from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from core.cache import cached_figures
from core.months import Month
from core.policy import can, school_id_of, scope_of
from pairing.selectors import pairings_visible_to

from .expectations import State, expected_reports


def report_due(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or request.path.startswith(("/reports/", "/api/")):
        return {}
    # Lazy: the queries run only when a page's template shows the banner.
    return {"report_due": SimpleLazyObject(lambda: reports_needing(user))}


def reports_needing(user) -> list:
    """The rows of this month's reports still needing the liaison's school. Built on every page the
    liaison opens, so cached for the school and the day (whether a report not started is already
    missing changes at midnight, Beijing time) at the versions of the registry and the month: any
    report of the month saved, or any pairing changed, computes it afresh."""
    if not can(user, "report.own"):
        return []
    month, school_id = Month.current(), school_id_of(user)
    return cached_figures(
        f"report-due:{scope_of(user).key}:{month}:{timezone.localdate()}",
        versions=["registry", f"month:{month}"],
        compute=lambda: expected_reports(
            month,
            pairings=pairings_visible_to(user),
            school_id=school_id,
            states=[State.NOT_STARTED, State.DRAFT, State.MISSING, State.RETURNED],
        ),
    )
