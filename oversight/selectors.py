"""The dashboard's figures, read from the month engine (the same counts and totals as the status
page, the summaries, the API and the workbook) in a fixed number of queries whatever the size."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone

from core.cache import cached_figures
from core.months import Month
from pairing.models import Milestone, Pairing, Programme
from pairing.selectors import compliance_overview
from reporting.expectations import Tally, tallies_by
from reporting.models import MonthlySummary
from reporting.selectors import as_of
from reporting.totals import month_totals

MONTHS_SHOWN = 12
TREND_INDICATORS = 3


def recent_months(
    programme: Programme, *, last: Month | None = None, first: Month | None = None
) -> list[Month]:
    """The months the charts show: up to MONTHS_SHOWN, ending at `last` (by default the programme's
    last month: this month while it runs, so an ended programme's charts have no empty months after
    its end) and beginning no earlier than `first` or the programme's first report month."""
    last = last or programme.last_month()
    earliest = (
        max(Month.of(programme.first_report_month), first)
        if first
        else Month.of(programme.first_report_month)
    )
    return Month.between(max(earliest, last.shift(-(MONTHS_SHOWN - 1))), last)


SCHOOLS_SHOWN = 30  # the on-time chart names the schools that need attention most, not every school


def dashboard_figures(
    *, user, programme: Programme, pairings: QuerySet[Pairing], scope_key: str, period: tuple | None = None
) -> dict:
    """Everything the dashboard shows for one programme, within the pairings the user may see. Each
    month's figures are cached per programme, scope and `as_of` (whether the month is due) and
    recomputed when a report of that month or the pairings change (core/cache.py), so a transition
    costs one month, not twelve; the compliance counts come from compliance_overview (a worker
    counts them at province scale)."""
    pairings = pairings.filter(programme=programme)
    # The charts follow the period chosen (its last MONTHS_SHOWN months), the programme's latest by default.
    months = recent_months(programme, first=period[0], last=period[1]) if period else recent_months(programme)
    now, today = timezone.now(), timezone.localdate()
    # The months' figures together, cached at the versions of all of them: a hit reads one small
    # entry rather than every school of every month; a miss recomputes only the months that changed.
    series = cached_figures(
        f"dashboard-series:{programme.pk}:{scope_key}:{months[0]}:{months[-1]}"
        f":{','.join(as_of(programme, month, now) for month in months)}",
        versions=["expectations", *(f"month:{month}" for month in months)],
        compute=lambda: _series(programme, pairings, months, scope_key, now),
    )
    # Names in the reader's language, so they are not part of the cached series.
    names = {i.pk: i for i in programme.indicators.filter(pk__in=list(series["trend_values"]))}
    trends = [
        {
            "name": names[pk].name,
            "unit": names[pk].unit,
            "label": trend_label(names[pk].name, names[pk].unit),
            "unit_label": unit_label(names[pk].unit),
            "values": values,
            # (the month's total, or what it has counted so far when it is not due yet) for the table
            "cells": list(
                zip(values, series.get("trend_so_far", {}).get(pk) or [None] * len(values), strict=True)
            ),
        }
        for pk, values in series["trend_values"].items()
        if pk in names
    ]
    year = programme.last_month().year  # an ended programme's compliance is that of its last year
    applies_rules = bool(programme.rules)
    overview = compliance_overview(user=user, programme=programme, year=year) if applies_rules else None
    summary = overview.value if overview else None
    summaries = MonthlySummary.objects.filter(programme=programme, month__in=[m.first_day for m in months])
    return {
        "months": [str(m) for m in months],
        "submission": series["submission"],
        "on_time_by_school": series["on_time_by_school"],
        "schools_rated": series["schools_rated"],
        "trends": trends,
        "trends_so_far": any(so_far is not None for trend in trends for _value, so_far in trend["cells"]),
        "compliance": {
            "year": year,
            "applies_rules": applies_rules,
            "pairings": summary.pairings if summary else None,
            "compliant": summary.compliant if summary else None,
            "by_rule": summary.by_rule() if summary else [],
            "fresh": bool(overview and overview.fresh),
            "computed_at": overview.computed_at if overview else None,
        },
        "this_year": today.year,
        "summaries": list(summaries.order_by("-month")[:3]),
        "milestones": list(Milestone.objects.filter(programme=programme).order_by("year")),
    }


def unit_label(unit: str) -> str:
    """A unit in the reader's language, for the axis of a chart that shows several units."""
    from core.units import unit_shown

    return str(unit_shown(unit) or unit)


def trend_label(name: str, unit: str) -> str:
    """An indicator named with its unit in the reader's language, for a chart's legend."""
    from django.utils.translation import gettext as _

    from core.units import unit_shown

    shown = unit_shown(unit)
    return _("%(name)s (%(unit)s)") % {"name": name, "unit": shown} if shown else name


def _series(programme: Programme, pairings: QuerySet[Pairing], months: list[Month], scope_key: str, now):
    """The dashboard's month series: each month's counts (cached per month, so a transition costs
    one month), the schools' on-time rates over the months, and the indicators' trends."""
    indicators = list(programme.indicators.all()[:TREND_INDICATORS])
    pieces = [
        cached_figures(
            f"dashboard-month:{programme.pk}:{scope_key}:{month}:{as_of(programme, month, now)}",
            versions=["expectations", f"month:{month}"],
            compute=lambda month=month: _month_piece(programme, pairings, month, now),
        )
        for month in months
    ]
    # Each month's totals as the period's totals add them up (reporting.totals.month_totals).
    for piece, totals in zip(
        pieces, month_totals(programme, months, pairings=pairings, scope_key=scope_key), strict=True
    ):
        piece["totals"] = {indicator.pk: float(totals.get(indicator.pk, 0)) for indicator in indicators}
    submission, per_school = [], defaultdict(lambda: [0, 0])
    for month, piece in zip(months, pieces, strict=True):
        submission.append({"month": str(month), **piece["counts"]})
        for school, (on_time, due) in piece["schools"].items():
            per_school[school][0] += on_time
            per_school[school][1] += due
    rated = sorted(
        (
            {"school": name, "rate": round(100 * on_time / due), "on_time": on_time, "due": due}
            for name, (on_time, due) in per_school.items()
            if due
        ),
        key=lambda item: (item["rate"], item["school"]),
    )
    # A month not due yet has no total: a gap in the line, "—" in the table, not 0.
    trends = {
        indicator.pk: [piece["totals"].get(indicator.pk, 0.0) if piece["due"] else None for piece in pieces]
        for indicator in indicators
    }
    # What a month not due yet has counted so far: not on the line, but in the table, marked as such
    # (the period's totals on the same page include it).
    so_far = {
        indicator.pk: [None if piece["due"] else piece["totals"].get(indicator.pk, 0.0) for piece in pieces]
        for indicator in indicators
    }
    return {
        "submission": submission,
        "on_time_by_school": rated[:SCHOOLS_SHOWN],
        "schools_rated": len(rated),
        "trend_values": trends,
        "trend_so_far": so_far,
    }


def _month_piece(programme: Programme, pairings: QuerySet[Pairing], month: Month, now) -> dict:
    """One month of the dashboard: its counts and each school's on-time and due reports."""
    by_school = tallies_by(month, ("school_",), pairings=pairings, now=now)
    # The month's counts are the schools' tallies added up in place (not a dict of every count for
    # each school: at province scale 15,000 schools).
    due = programme.is_due(month, now=now)
    month_tally, schools = Tally(), {}
    for (school,), tally in by_school.items():
        month_tally += tally
        # A month not due yet counts in no school's rate, not even a school whose report is in early
        # (its own tally has nothing pending): every school is rated over the same months.
        schools[school] = (tally.on_time, tally.rated(due)) if due else (0, 0)
    found = month_tally.as_dict()
    counts = {key: found[key] for key in ("expected", "on_time", "late", "missing", "returned", "accepted")}
    return {"counts": counts, "schools": schools, "due": due}
