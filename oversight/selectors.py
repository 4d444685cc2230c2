"""The dashboard's figures, read from the month engine (the same counts and totals as the status
page, the summaries, the API and the workbook) in a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from core.cache import cached_figures
from core.months import Month
from pairing.compliance import compliance_summary
from pairing.models import Milestone, Pairing, Programme
from reporting.expectations import indicator_totals, tallies_by
from reporting.models import MonthlySummary

MONTHS_SHOWN = 12
TREND_INDICATORS = 3


def recent_months(programme: Programme, *, last: Month | None = None) -> list[Month]:
    last = last or Month.current()
    first = max(Month.of(programme.first_report_month), last.shift(-(MONTHS_SHOWN - 1)))
    return Month.between(first, last)


def dashboard_figures(*, programme: Programme, pairings: QuerySet[Pairing], scope_key: str) -> dict:
    """Everything the dashboard shows for one programme, within the pairings the user may see. The
    figures are cached per programme, scope and day, and recomputed when a report of one of the months
    or the registry changes (core/cache.py); the compiled months are read live."""
    pairings = pairings.filter(programme=programme)
    months = recent_months(programme)
    figures = cached_figures(
        f"dashboard:{programme.pk}:{scope_key}:{timezone.localdate()}",
        versions=["registry", *(f"month:{month}" for month in months)],
        compute=lambda: _figures(programme, pairings, months),
    )
    summaries = MonthlySummary.objects.filter(programme=programme, month__in=[m.first_day for m in months])
    return {
        **figures,
        "summaries": list(summaries.order_by("-month")[:3]),
        "milestones": list(Milestone.objects.filter(programme=programme).order_by("year")),
    }


def _figures(programme: Programme, pairings: QuerySet[Pairing], months: list[Month]) -> dict:
    now = timezone.now()
    submission, per_school = [], defaultdict(lambda: [0, 0])
    for month in months:
        by_school = tallies_by(month, ("school_",), pairings=pairings, now=now)
        month_total = {"expected": 0, "on_time": 0, "late": 0, "missing": 0, "returned": 0, "accepted": 0}
        for (school,), tally in by_school.items():
            counts = tally.as_dict()
            for key in month_total:
                month_total[key] += counts[key]
            per_school[school][0] += tally.on_time
            per_school[school][1] += tally.submitted + tally.missing
        submission.append({"month": str(month), **month_total})
    on_time_by_school = sorted(
        (
            {"school": name, "rate": round(100 * on_time / due), "on_time": on_time, "due": due}
            for name, (on_time, due) in per_school.items()
            if due
        ),
        key=lambda item: (item["rate"], item["school"]),
    )
    indicators = list(programme.indicators.all()[:TREND_INDICATORS])
    trends = [{"name": i.name, "unit": i.unit, "values": []} for i in indicators]
    for month in months:
        # A month whose reports are not due yet has no total: a gap in the line, "—" in the table, not 0.
        totals = indicator_totals(month, pairings=pairings, indicator_ids=[i.pk for i in indicators])
        for trend, indicator in zip(trends, indicators, strict=True):
            trend["values"].append(
                float(totals.get(indicator.pk, 0)) if programme.is_due(month, now=now) else None
            )
    year = timezone.localdate().year
    summary = compliance_summary(pairings, year=year)
    compliance = {
        "year": year,
        "pairings": summary.pairings,
        "compliant": summary.compliant,
        "by_rule": summary.by_rule(),
    }
    return {
        "months": [str(m) for m in months],
        "submission": submission,
        "on_time_by_school": on_time_by_school,
        "trends": trends,
        "compliance": compliance,
        "this_year": year,
    }
