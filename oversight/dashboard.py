"""The dashboard for bureau staff and commanders: submission rates, on-time rate by school,
indicator trends, the compliance summary, the latest compiled months and the milestones.

Every chart's numbers are also rendered as a table (for screen readers and for copying); the
figures come from oversight/selectors.py."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from core.policy import require, scope_of
from pairing.selectors import pairings_visible_to, programme_from, programmes_visible_to

from .selectors import dashboard_figures


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "dashboard.view", hide=True)
    programmes = programmes_visible_to(request.user)
    chosen = request.GET.get("programme")
    programme = programme_from(request.user, chosen) if chosen else programmes.first()
    if programme is None:
        status = 404 if chosen else 200
        message = _("There is no such programme.") if chosen else _("No programme yet.")
        return render(
            request, "oversight/dashboard.html", {"programme": None, "message": message}, status=status
        )
    figures = dashboard_figures(
        programme=programme, pairings=pairings_visible_to(request.user), scope_key=scope_of(request.user).key
    )
    chart_data = {key: figures[key] for key in ("months", "submission", "trends", "compliance")}
    chart_data["schools"] = figures["on_time_by_school"]
    return render(
        request,
        "oversight/dashboard.html",
        {"programme": programme, "programmes": programmes, **figures, "chart_data": chart_data},
    )
