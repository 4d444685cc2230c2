"""The dashboard for bureau staff and commanders: submission rates, on-time rate by school,
indicator trends, the compliance summary and the programme's milestones.

Every chart's numbers are also rendered as a table (for screen readers and for copying), and
the page runs a fixed number of queries whatever the number of pairings or reports.
"""

import datetime
from collections import defaultdict

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from pairing.compliance import RULES, evaluate_pairings
from pairing.models import Milestone, Programme
from pairing.selectors import pairings_visible_to
from reporting.models import IndicatorValue
from reporting.selectors import expected_reports_by_month
from reporting.services import current_month

from .roles import BUREAU, COMMANDER, role_of

MONTHS_SHOWN = 12
TREND_INDICATORS = 3


def recent_months(first: datetime.date) -> list[datetime.date]:
    months, month = [], current_month()
    while month >= first and len(months) < MONTHS_SHOWN:
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    return list(reversed(months))


@login_required
def dashboard_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in {BUREAU, COMMANDER}:
        raise Http404("The dashboard is for the bureau and the commanders")
    programme = (
        Programme.objects.filter(pk=request.GET.get("programme") or 0).first() or Programme.objects.first()
    )
    if programme is None:
        return render(request, "portal/dashboard.html", {"programme": None})
    pairings = pairings_visible_to(request.user).filter(programme=programme)
    months = recent_months(programme.first_report_month)
    by_month = expected_reports_by_month(months=months, pairings=pairings)

    submission = []
    per_school: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for month in months:
        rows = by_month[month]
        submission.append(
            {
                "month": month.strftime("%Y-%m"),
                "on_time": sum(1 for r in rows if r.is_submitted and not r.is_late),
                "late": sum(1 for r in rows if r.is_late),
                "missing": sum(1 for r in rows if r.is_missing),
                "expected": len(rows),
            }
        )
        for row in rows:
            if row.is_submitted or row.is_missing:
                per_school[row.school.name][1] += 1
                per_school[row.school.name][0] += row.is_submitted and not row.is_late
    on_time_by_school = sorted(
        (
            {"school": name, "rate": round(100 * on_time / due), "on_time": on_time, "due": due}
            for name, (on_time, due) in per_school.items()
            if due
        ),
        key=lambda item: (item["rate"], item["school"]),
    )

    indicators = list(programme.indicators.all()[:TREND_INDICATORS])
    totals = defaultdict(dict)
    for month, indicator_id, total in (
        IndicatorValue.objects.filter(
            report__pairing__in=pairings,
            report__month__in=months,
            report__status__in=["submitted", "resubmitted", "accepted"],
            indicator__in=indicators,
        )
        .values_list("report__month", "indicator_id")
        .annotate(total=Sum("value"))
    ):
        totals[indicator_id][month.strftime("%Y-%m")] = float(total)
    # A month whose reports are not due yet has no total: a gap in the line, "—" in the table, not 0.
    due = [m.strftime("%Y-%m") for m in months if timezone.now() > programme.due_at(m)]
    trends = [
        {
            "name": i.name,
            "unit": i.unit,
            "values": [
                totals[i.pk].get(m, 0) if m in due else None for m in (m.strftime("%Y-%m") for m in months)
            ],
        }
        for i in indicators
    ]

    year = timezone.localdate().year
    results = evaluate_pairings(pairings, year=year)
    compliance = {
        "year": year,
        "pairings": len(results),
        "compliant": sum(1 for r in results if r.is_compliant),
        "by_rule": [
            {"rule": str(rule.label), "breaching": sum(1 for r in results if r.breaches.get(rule.code))}
            for rule in RULES
        ],
    }
    milestones = list(Milestone.objects.filter(programme=programme).order_by("year"))
    return render(
        request,
        "portal/dashboard.html",
        {
            "programme": programme,
            "programmes": Programme.objects.order_by("code"),
            "months": [m.strftime("%Y-%m") for m in months],
            "submission": submission,
            "on_time_by_school": on_time_by_school,
            "trends": trends,
            "compliance": compliance,
            "milestones": milestones,
            "this_year": year,
            "chart_data": {
                "months": [m.strftime("%Y-%m") for m in months],
                "submission": submission,
                "schools": on_time_by_school,
                "trends": trends,
                "compliance": compliance,
            },
        },
    )
