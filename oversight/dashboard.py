"""The dashboard for bureau staff and commanders: submission rates, on-time rate by school,
indicator trends, the compliance summary, the latest compiled months and the milestones.

Every chart's numbers are also rendered as a table (for screen readers and for copying); the
figures come from oversight/selectors.py."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.months import Month
from core.policy import require, scope_of
from pairing.selectors import pairings_visible_to, programme_chosen_for
from reporting.figures import cached_figure_results
from reporting.totals import InvalidPeriod, programme_period, requested_period, totals_seen_by

from .selectors import dashboard_figures


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "dashboard.view", hide=True)
    chosen = request.GET.get("programme")
    programme, programmes = programme_chosen_for(request)
    if programme is None:
        status = 404 if chosen else 200
        message = _("There is no such programme.") if chosen else _("No programme yet.")
        return render(
            request, "oversight/dashboard.html", {"programme": None, "message": message}, status=status
        )
    first_month = Month.of(programme.first_report_month)
    if first_month > programme.last_month():  # nothing to show before its first report month
        return render(
            request,
            "oversight/dashboard.html",
            {
                "programme": programme,
                "programmes": programmes,
                "not_started": _(
                    "Reports of this programme start from %(first)s; its dashboard fills in from then."
                )
                % {"first": first_month},
            },
        )
    scope = scope_of(request.user)
    period, period_errors = period_from_query(request, programme)
    figures = dashboard_figures(
        user=request.user,
        programme=programme,
        pairings=pairings_visible_to(request.user),
        scope_key=scope.key,
        period=period,
    )
    totals = totals_seen_by(request.user, programme, *period)
    targets = cached_figure_results(programme)
    for error in period_errors:
        messages.error(request, error)
    chart_data = {key: figures[key] for key in ("months", "submission", "trends", "compliance")}
    chart_data["schools"] = figures["on_time_by_school"]
    return render(
        request,
        "oversight/dashboard.html",
        {
            "programme": programme,
            "programmes": programmes,
            **figures,
            "chart_data": chart_data,
            "targets": targets,
            "period": period,
            "period_totals": [(indicator, totals[indicator.pk]) for indicator in programme.indicators.all()],
        },
        status=400 if period_errors else 200,
    )


def period_from_query(request: HttpRequest, programme) -> tuple[tuple[Month, Month], list[str]]:
    """The months ?from=YYYY-MM&to=YYYY-MM (reporting.totals.requested_period), the programme's whole
    period by default; a bad one is said and the whole period shown."""
    try:
        return requested_period(programme, request.GET.get("from"), request.GET.get("to")), []
    except InvalidPeriod as error:
        return programme_period(programme), [str(error)]
