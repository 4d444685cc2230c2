"""A programme's figures (its targets and headline figures, as data: reporting.models.Figure) against
what its data gives: the one place `check_figures`, the dashboard and the API read them from."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _

from core.cache import cached_figures
from core.months import Month
from core.numbers import plain_number
from core.units import unit_shown
from pairing.models import Membership, Pairing, PracticeBase, Programme, School

from .expectations import month_tally
from .models import Figure, Indicator
from .totals import period_totals, programme_period


@dataclass(frozen=True)
class FigureResult:
    figure: Figure
    value: Decimal

    @property
    def met(self) -> bool:
        if self.figure.comparison == Figure.Comparison.AT_LEAST:
            return self.value >= self.figure.expected
        return self.value == self.figure.expected

    @property
    def progress(self) -> int:
        """Percent of the expected value reached, at most 100 (for the dashboard's bars)."""
        if not self.figure.expected:
            return 100
        return max(0, min(100, int(self.value * 100 / self.figure.expected)))

    @property
    def exceeded(self) -> bool:
        """An exact figure above its value: not met, though its bar is full."""
        return self.figure.comparison == Figure.Comparison.EXACTLY and self.value > self.figure.expected

    @property
    def shortfall(self) -> str:
        """What an exact figure that is not met has against what it expects, in words (else "")."""
        if self.met or self.figure.comparison != Figure.Comparison.EXACTLY:
            return ""
        unit = self.figure.unit
        expected, value = self.figure.expected, self.value
        return _("Expected exactly %(expected)s, has %(value)s.") % {
            "expected": f"{plain_number(expected)} {unit_shown(unit, expected)}".strip(),
            "value": f"{plain_number(value)} {unit_shown(unit, value)}".strip(),
        }

    @property
    def verdict(self) -> str:
        sign = "≥" if self.figure.comparison == Figure.Comparison.AT_LEAST else "="
        return f"{'ok' if self.met else 'MISMATCH'} {self.figure.code}: {plain_number(self.value)} (expected {sign} {plain_number(self.figure.expected)})"


def registry_count(figure: Figure) -> Decimal:
    """What a registry figure counts, within the programme (and its filter)."""
    programme, where = figure.programme, figure.count_filter or {}
    pairings = Pairing.objects.filter(programme=programme).exclude(status=Pairing.Status.PLANNED)
    through = Pairing.assisting_schools.through.objects.filter(pairing__in=pairings.values("pk"))
    Count = Figure.Count
    if figure.count == Count.PAIRINGS:
        found = pairings.filter(**where).count()
    elif figure.count == Count.LEAD_SCHOOLS:
        found = School.objects.filter(pk__in=pairings.values("lead_university_id"), **where).count()
    elif figure.count == Count.ASSISTING_SCHOOLS:
        found = School.objects.filter(pk__in=through.values("school_id"), **where).count()
    elif figure.count == Count.COUNTERPARTS:
        found = pairings.values("town_id").distinct().count()
    elif figure.count == Count.VILLAGES:
        found = (
            Pairing.villages.through.objects.filter(pairing__in=pairings.values("pk"))
            .values("area_id")
            .distinct()
            .count()
        )
    elif figure.count == Count.LEAD_UNITS:
        found = programme.lead_units.filter(**where).count()
    elif figure.count == Count.MEMBERS:
        members = Membership.objects.filter(team__programme=programme, **where)
        found = members.values("person_id").distinct().count()
    elif figure.count == Count.REPORTS_A_MONTH:
        found = month_tally(
            programme.last_month(), pairings=Pairing.objects.filter(programme=programme)
        ).expected
    elif figure.count == Count.BASES:
        found = PracticeBase.objects.filter(Q(programme=programme), **where).count()
    else:
        raise ValueError(f"unknown count {figure.count!r}")
    return Decimal(found)


def figure_value(figure: Figure) -> Decimal:
    if figure.source == Figure.Source.MANUAL:
        return figure.manual_value or Decimal(0)
    if figure.source == Figure.Source.REGISTRY:
        return registry_count(figure)
    first, last = programme_period(figure.programme)
    if figure.period_from:
        first = Month.of(figure.period_from)
    if figure.period_to:
        last = Month.of(figure.period_to)
    aggregation = (
        Indicator.Aggregation.SUM
        if figure.source == Figure.Source.INDICATOR_SUM
        else Indicator.Aggregation.LATEST
    )
    return period_totals(figure.programme, first, last, [figure.indicator], aggregation=aggregation)[
        figure.indicator_id
    ]


def figure_results(programme: Programme) -> list[FigureResult]:
    figures = programme.figures.select_related("programme", "indicator")
    return [FigureResult(figure, figure_value(figure)) for figure in figures]


def cached_figure_results(programme: Programme) -> list[FigureResult]:
    """`figure_results`, cached until the registry or a report changes (the dashboard and the API),
    and the month: a running programme's figures reach to this month."""
    return cached_figures(
        f"targets:{programme.pk}:{Month.current()}",
        versions=["registry", "reports"],
        compute=lambda: figure_results(programme),
    )
