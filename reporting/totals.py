"""Totals over any period: each indicator from one month to another, by its own way of adding up,
over the counted reports (the month engine's `counted_reports`, the same set as the month's totals):
the sum of the months; for `max` and `latest`, each reporting school's largest or latest value in the
period, added over the schools. Used by the compilation's year to date, `programme_totals`, the
dashboard, the API and the programme's figures."""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Max, OuterRef, QuerySet, Subquery, Sum
from django.utils.translation import gettext as _

from core.cache import cached_figures, cached_figures_batch
from core.months import InvalidMonth, Month
from core.policy import scope_of
from pairing.models import Pairing, Programme
from pairing.selectors import pairings_visible_to

from .expectations import counted_reports, indicator_totals_by_month
from .models import Indicator, IndicatorValue


def period_totals(
    programme: Programme,
    first: Month,
    last: Month,
    indicators: list[Indicator] | None = None,
    *,
    pairings: QuerySet[Pairing] | None = None,
    aggregation: str | None = None,
    school_id: int | None = None,
) -> dict[int, Decimal]:
    """indicator id -> total over first..last (each indicator by its own aggregation, or by
    `aggregation` for all of them); within `pairings` when given (a user's scope), and of one
    school's reports when `school_id` is (an export narrowed to a school)."""
    indicators = list(programme.indicators.all()) if indicators is None else indicators
    scope = (pairings if pairings is not None else Pairing.objects.all()).filter(programme=programme)
    counted = counted_reports(scope, first, last)
    if school_id is not None:
        counted = counted.filter(school_id=school_id)
    values = IndicatorValue.objects.filter(
        report__in=counted.values("pk"), indicator__in=[i.pk for i in indicators]
    ).order_by()
    kinds = {i.pk: aggregation or i.aggregation for i in indicators}
    found: dict[int, Decimal] = defaultdict(Decimal)
    by_kind = {kind: [pk for pk, each in kinds.items() if each == kind] for kind in set(kinds.values())}
    summed = values.filter(indicator__in=by_kind.get(Indicator.Aggregation.SUM, []))
    for indicator_id, total in summed.values_list("indicator_id").annotate(total=Sum("value")):
        found[indicator_id] = total
    per_source = (
        values.filter(indicator__in=by_kind.get(Indicator.Aggregation.MAX, []))
        .values_list("indicator_id", "report__pairing_id", "report__school_id")
        .annotate(top=Max("value"))
    )
    for indicator_id, _pairing, _school, top in per_source.iterator(chunk_size=5000):
        found[indicator_id] += top
    latest_month = (
        values.filter(
            indicator=OuterRef("indicator"),
            report__pairing=OuterRef("report__pairing"),
            report__school=OuterRef("report__school"),
        )
        .order_by("-report__month")
        .values("report__month")[:1]
    )
    latest = values.filter(
        indicator__in=by_kind.get(Indicator.Aggregation.LATEST, []), report__month=Subquery(latest_month)
    )
    for indicator_id, total in latest.values_list("indicator_id").annotate(total=Sum("value")):
        found[indicator_id] += total
    return {i.pk: found.get(i.pk, Decimal(0)) for i in indicators}


def totals_seen_by(user, programme: Programme, first: Month, last: Month) -> dict[int, Decimal]:
    """`period_totals` of every indicator within what the user may see, as the dashboard and the API
    show them: cached per programme, scope and period until the registry or a report of one of its
    months changes.

    The indicators that add up by `sum` are read month by month, each month's sums cached on its
    own: a decision on an October report recomputes October's sums and adds the other months' kept
    ones (at 10,000 pairings the dashboard's period of seven months after a decision: 2.5 s before,
    when the whole period was read again). The counted reports of a period are those of its months
    (`counted_reports` decides month by month), so the sum of the months is the period's sum. The
    indicators that add up by `max` or `latest` are each school's value over the whole period, so
    they are read over the period as before."""
    scope = scope_of(user).key
    return cached_figures(
        f"totals:{programme.pk}:{scope}:{first}:{last}",
        versions=["expectations", *(f"month:{month}" for month in Month.between(first, last))],
        compute=lambda: _totals_from_months(user, programme, first, last, scope),
    )


def _totals_from_months(user, programme: Programme, first: Month, last: Month, scope: str) -> dict:
    indicators = list(programme.indicators.all())
    summed = {i.pk for i in indicators if i.aggregation == Indicator.Aggregation.SUM}
    others = [i for i in indicators if i.aggregation != Indicator.Aggregation.SUM]
    pairings = pairings_visible_to(user)
    totals: dict[int, Decimal] = {pk: Decimal(0) for pk in summed}
    if summed:
        for month in month_totals(programme, Month.between(first, last), pairings=pairings, scope_key=scope):
            for pk in summed:
                totals[pk] += month.get(pk, Decimal(0))
    if others:
        totals.update(period_totals(programme, first, last, others, pairings=pairings))
    return {i.pk: totals[i.pk] for i in indicators}


def month_totals(
    programme: Programme, months: list[Month], *, pairings: QuerySet[Pairing], scope_key: str
) -> list[dict[int, Decimal]]:
    """Each month's total of each of the programme's indicators within `pairings` (the month engine's
    `indicator_totals`, read together for the months not cached), cached per programme, scope and month until the registry or a report of that
    month changes. Within one month a school has one report, so its largest and its latest value are
    its value: every indicator's month total is the sum of the schools' values, whatever its way of
    adding up over a period. The dashboard's trends and the sums of `totals_seen_by` read these."""
    scoped = pairings.filter(programme=programme)

    def compute(missing: list[int]) -> list[dict[int, Decimal]]:
        found = indicator_totals_by_month([months[index] for index in missing], pairings=scoped)
        return [found[months[index]] for index in missing]

    return cached_figures_batch(
        [
            (f"month-totals:{programme.pk}:{scope_key}:{month}", ["expectations", f"month:{month}"])
            for month in months
        ],
        compute,
    )


def programme_period(programme: Programme) -> tuple[Month, Month]:
    """The programme's whole period of reports: its first report month to its last month (its end, or
    this month while it runs)."""
    return Month.of(programme.first_report_month), programme.last_month()


class InvalidPeriod(InvalidMonth):
    """A period that cannot be used; `field` is the end it is about ("from" or "to")."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def requested_period(programme: Programme, first: str | None, last: str | None) -> tuple[Month, Month]:
    """The months from `first` to `last` (YYYY-MM; empty: the programme's first or last month), both
    months of the programme's reports: the dashboard's period, the API's totals and the exports read
    a period the same way. An InvalidPeriod says what is wrong with which end, in words."""
    default_first, default_last = programme_period(programme)
    if default_last < default_first:  # its first report month is still to come: no month to total
        raise InvalidPeriod(_("Reports start from %(first)s.") % {"first": default_first}, "from")
    months = []
    for text, default, field in ((first, default_first, "from"), (last, default_last, "to")):
        if not (text or "").strip():
            months.append(default)
            continue
        try:
            month = Month.parse(text)
        except InvalidMonth as error:
            raise InvalidPeriod(str(error), field) from None
        problem = programme.month_problem(month, writing=False)
        if problem:
            raise InvalidPeriod(problem, field)
        months.append(month)
    if months[1] < months[0]:
        raise InvalidPeriod(_("The last month is before the first."), "to")
    return months[0], months[1]
