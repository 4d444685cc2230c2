"""Compliance rules that read the monthly reports, registered into the registry's compliance engine
(pairing/compliance.py knows nothing of reports: the import graph goes one way)."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.months import Month
from core.numbers import plain_number
from pairing.compliance import Rule, RuleContext, register_rule, yearly_minimum
from pairing.models import Pairing

from .expectations import counted_reports
from .models import IndicatorMinimum, IndicatorValue


def prepare_minimums(pairings: list[Pairing], context: RuleContext) -> dict:
    """Each pairing's yearly total of every indicator with a minimum, in one query for the batch."""
    programmes = {pairing.programme_id for pairing in pairings}
    minimums = list(IndicatorMinimum.objects.filter(programme_id__in=programmes).select_related("indicator"))
    totals: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    if minimums:
        reports = counted_reports(
            Pairing.objects.filter(pk__in=[p.pk for p in pairings]),
            Month(context.year, 1),
            Month(context.year, 12),
        )
        values = (
            IndicatorValue.objects.filter(
                report__in=reports.values("pk"), indicator__in=[m.indicator_id for m in minimums]
            )
            .values_list("report__pairing_id", "indicator_id")
            .annotate(total=Sum("value"))
            .order_by()
        )
        for pairing_id, indicator_id, total in values:
            totals[(pairing_id, indicator_id)] = total
    by_programme = defaultdict(list)
    for minimum in minimums:
        by_programme[minimum.programme_id].append(minimum)
    return {"minimums": by_programme, "totals": totals}


def indicator_minimums(pairing: Pairing, context: RuleContext) -> list[str]:
    """Each indicator with a yearly minimum reaches it in the pairing's counted reports of the year (in
    proportion for a year the pairing ran only in part, where the minimum says so)."""
    prepared = context.prepared.get("indicator_minimum") or prepare_minimums([pairing], context)
    breaches = []
    for minimum in prepared["minimums"].get(pairing.programme_id, []):
        required, prorated = yearly_minimum(pairing, context, int(minimum.per_year), prorate=minimum.prorated)
        found = prepared["totals"].get((pairing.pk, minimum.indicator_id), Decimal(0))
        if found < required:
            text = (
                _(
                    "%(year)s: %(indicator)s %(found)s, fewer than %(minimum)s (for the part of the year paired)"
                )
                if prorated
                else _("%(year)s: %(indicator)s %(found)s, fewer than %(minimum)s")
            )
            breaches.append(
                text
                % {
                    "year": context.year,
                    "indicator": minimum.indicator.name,
                    "found": plain_number(found),
                    "minimum": required,
                }
            )
    return breaches


def register() -> None:
    register_rule(
        Rule(
            "indicator_minimum",
            gettext_lazy("Yearly minimums"),
            indicator_minimums,
            prepare=prepare_minimums,
            versions=("registry", "reports"),
        )
    )
