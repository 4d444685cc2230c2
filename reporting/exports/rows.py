"""The long-format rows of a range of months: one row per expected report and indicator.

Only counted reports (submitted, resubmitted, accepted) carry their numbers in `value`, so a
pivot or a sum of that column gives the pages' totals; a returned report or a draft shows its
numbers in `value_not_counted`, and a missing report shows neither. `first_submission` says whether
the report was first submitted on time or late ("on_time", "late", empty when never submitted),
whatever happened to it since: the pages' "on time" and "late" counts are its counts. `state` is
the month engine's, except "reopened" for a report returned by a reopening (counted as returned).
"""

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

from django.db.models import QuerySet

from core.months import Month
from pairing.models import Pairing, Programme

from ..expectations import State, as_rows, expected_count, expected_rows
from ..models import IndicatorValue

# The state of a returned report whose return was a reopening of the accepted report: the month's
# tally counts it as returned, as the pages do, which call it reopened too.
REOPENED = "reopened"

HEADER = [
    "programme",
    "month",
    "pairing_id",
    "pairing_number",
    "town",
    "school_id",
    "school",
    "report_id",
    "state",
    "first_submission",
    "counted",
    "indicator_code",
    "indicator",
    "unit",
    "value",
    "value_not_counted",
]


# A programme whose pairings each have a county lead unit (Ruicheng's 牵头单位, the units the county
# evaluates) has its column after the school's, so a clerk can pivot by lead unit.
LEAD_UNIT_AFTER = "school"


def header_for(programme: Programme) -> list[str]:
    """The long rows' columns for this programme: HEADER, with "lead_unit" when it has lead units."""
    if not programme.lead_units.exists():
        return list(HEADER)
    at = HEADER.index(LEAD_UNIT_AFTER) + 1
    return [*HEADER[:at], "lead_unit", *HEADER[at:]]


@dataclass(frozen=True)
class ExportScope:
    """What a user asked to export, already checked: the programme, the months and the pairings."""

    programme: Programme
    months: list[Month]
    pairings: QuerySet[Pairing]  # the user's visible pairings of the programme, narrowed by town
    school_id: int | None = None
    narrowed_to: str = ""  # the town and school it is narrowed to, for the file's title ("长安")

    @cached_property
    def expected_count(self) -> int:
        """The expected reports of every month in scope, counted once per export (the page deciding
        whether a worker builds it, the job's progress and the workbook's sheets all ask), without the
        names' joins, which a count does not need: 130 months took 5.7 s when each asker counted them
        with names, a query per month."""
        return sum(
            expected_count(month, pairings=self.pairings, school_id=self.school_id) for month in self.months
        )


def first_submission(row) -> str:
    """ "on_time" or "late" for a report ever submitted (as the tally counts it), else ""."""
    if row.first_submitted_at is None:
        return ""
    return "late" if row.is_late else "on_time"


def long_rows(scope: ExportScope) -> Iterator[list]:
    """The header, then the rows, month by month (one query for the month's reports, one for their values)."""
    header = header_for(scope.programme)
    yield header
    units = (
        dict(scope.pairings.filter(lead_unit__isnull=False).values_list("pk", "lead_unit__name"))
        if "lead_unit" in header
        else None
    )
    indicators = list(scope.programme.indicators.all())
    code = scope.programme.code
    for month in scope.months:
        rows = list(as_rows(expected_rows(month, pairings=scope.pairings, school_id=scope.school_id), month))
        values: dict[int, dict[int, object]] = {}
        report_ids = [row.report_id for row in rows if row.report_id]
        for report_id, indicator_id, value in IndicatorValue.objects.filter(
            report_id__in=report_ids
        ).values_list("report_id", "indicator_id", "value"):
            values.setdefault(report_id, {})[indicator_id] = value
        for row in rows:
            found = values.get(row.report_id, {})
            for indicator in indicators:
                value = found.get(indicator.pk)
                yield [
                    code,
                    str(month),
                    row.pairing_id,
                    row.number,
                    row.town,
                    row.school_id,
                    row.school,
                    *([] if units is None else [units.get(row.pairing_id, "")]),
                    row.report_id or "",
                    REOPENED if row.reopened and row.state == State.RETURNED else row.state,
                    first_submission(row),
                    "yes" if row.is_counted else "no",
                    indicator.code,
                    indicator.name_zh,
                    indicator.unit,
                    value if row.is_counted else None,
                    value if not row.is_counted else None,
                ]
