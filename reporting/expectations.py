"""The month engine: which reports a month expects, the state of each, their tally and totals.

The one answer to "which reports does a month expect and where do they stand". The review
queue, the status table, the dashboard, the reminders, the liaison's pages, the compilation,
the exports and the API all read it, so the same month gives the same numbers everywhere.

- `running_in(pairings, month)`: the pairings that run in a month and owe its reports (the SQL
  form); `pairing_runs_in(pairing, month)` is the same rule for one pairing already loaded.
- `expected_rows(month, pairings=...)`: one row per report the month expects — every school of
  every running pairing, the lead university first — with its report (if any) and its state,
  computed by the database. Rows can be filtered by state, paged and counted in SQL.
- `month_tally(...)`: the counts of those rows by state; `Tally.from_rows` counts rows already
  read (the compilation) the same way.
- `counted_reports(...)` and `indicator_totals(...)`: what counts in a total — only reports
  submitted, resubmitted or accepted, among the expected ones.

A report's state: not started, draft, missing (never submitted and the month is due), submitted
on time, submitted late, returned (also after a reopening), resubmitted, accepted. On time or
late is decided by the first submission against `Month.late_from` (the start of the day after
the due day, Beijing time).
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.months import Month, lateness_hours
from core.numbers import plain_number
from pairing.models import Pairing, Programme, SchoolReplacement

from .models import REOPENED_LABEL, IndicatorValue, MonthlyReport

Status = MonthlyReport.Status

# What counts in a total: a report's numbers count once it is submitted, and stop counting while
# it is returned to its school.
COUNTED = (Status.SUBMITTED, Status.RESUBMITTED, Status.ACCEPTED)


class State:
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    MISSING = "missing"
    SUBMITTED_ON_TIME = "submitted_on_time"
    SUBMITTED_LATE = "submitted_late"
    RETURNED = "returned"
    RESUBMITTED = "resubmitted"
    ACCEPTED = "accepted"

    LABELS = {
        NOT_STARTED: _("Not started"),
        DRAFT: _("Draft"),
        MISSING: _("Missing"),
        SUBMITTED_ON_TIME: _("Submitted on time"),
        SUBMITTED_LATE: _("Submitted late"),
        RETURNED: _("Returned"),
        RESUBMITTED: _("Resubmitted"),
        ACCEPTED: _("Accepted"),
    }
    ALL = tuple(LABELS)
    WAITING_REVIEW = (SUBMITTED_ON_TIME, SUBMITTED_LATE, RESUBMITTED)
    COUNTED = (SUBMITTED_ON_TIME, SUBMITTED_LATE, RESUBMITTED, ACCEPTED)
    NOT_SUBMITTED = (NOT_STARTED, DRAFT, MISSING)


def running_in(pairings: QuerySet[Pairing], month: Month) -> QuerySet[Pairing]:
    """The pairings that run in the month and owe its reports: begun by its last day, not ended before
    its first, not merely planned, and in a programme whose reports have started and that has not
    ended before the month."""
    return (
        pairings.filter(programme__first_report_month__lte=month.first_day, start_date__lte=month.last_day)
        .exclude(status=Pairing.Status.PLANNED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month.first_day))
        .filter(Q(programme__end_date__isnull=True) | Q(programme__end_date__gte=month.first_day))
    )


def pairing_runs_in(pairing: Pairing, month: Month) -> bool:
    """`running_in` for one pairing already loaded (with its programme)."""
    return (
        pairing.programme.first_report_month <= month.first_day
        and pairing.start_date <= month.last_day
        and pairing.status != Pairing.Status.PLANNED
        and (pairing.end_date is None or pairing.end_date >= month.first_day)
        and (pairing.programme.end_date is None or pairing.programme.end_date >= month.first_day)
    )


@dataclass(frozen=True)
class ExpectedRow:
    """One report the month expects."""

    month: Month
    programme_id: int
    pairing_id: int
    number: int
    town_id: int
    town: str
    school_id: int
    school: str
    is_lead: bool
    report_id: int | None
    status: str | None
    first_submitted_at: datetime.datetime | None
    submitted_at: datetime.datetime | None
    state: str
    late_from: datetime.datetime
    reopened: bool = False  # returned by a reopening of the accepted report, not by a review

    @property
    def state_label(self) -> str:
        """The state in words; a report reopened for a correction is "Reopened" rather than
        "Returned" (it counts as returned)."""
        if self.reopened and self.state == State.RETURNED:
            return str(REOPENED_LABEL)
        return str(State.LABELS[self.state])

    @property
    def is_submitted(self) -> bool:
        return self.first_submitted_at is not None

    @property
    def is_late(self) -> bool:
        return self.first_submitted_at is not None and self.first_submitted_at >= self.late_from

    @property
    def is_returned(self) -> bool:
        return self.state == State.RETURNED

    @property
    def is_missing(self) -> bool:
        return self.state == State.MISSING

    @property
    def is_counted(self) -> bool:
        return self.state in State.COUNTED

    @property
    def is_waiting_review(self) -> bool:
        return self.state in State.WAITING_REVIEW

    @property
    def due_date(self) -> datetime.date:
        return timezone.localtime(self.late_from).date() - datetime.timedelta(days=1)

    @property
    def hours_late(self) -> float | None:
        return lateness_hours(self.first_submitted_at, self.late_from) if self.is_late else None


ROW_FIELDS = [
    "programme_id_",
    "pairing_id_",
    "number_",
    "town_id_",
    "town_",
    "school_id_",
    "school_",
    "is_lead",
    "report_id",
    "report_status",
    "first_submitted",
    "report_submitted_at",
    "state",
    "late_from",
    "reopened_until",
]


class _Deadlines:
    """The month's deadline per programme, as SQL expressions over a row's programme id."""

    def __init__(self, month: Month, now: datetime.datetime, due_days: dict[int, int] | None = None):
        if due_days is None:
            due_days = dict(Programme.objects.values_list("pk", "report_due_day"))
        self.late_from = {pk: month.late_from(day) for pk, day in due_days.items()}
        self.due = sorted(pk for pk, moment in self.late_from.items() if now >= moment)

    def groups(self) -> tuple[tuple[int, ...], ...]:
        """The programmes that share a moment, each group sorted, the groups by their first id."""
        by_moment: dict[datetime.datetime, list[int]] = {}
        for pk, moment in self.late_from.items():
            by_moment.setdefault(moment, []).append(pk)
        return tuple(sorted(tuple(sorted(pks)) for pks in by_moment.values()))

    def standing_in(self, moments: list[datetime.datetime]) -> _Deadlines:
        """The same deadlines with each group's moment replaced by one of `moments` (in the order of
        `groups`), and the same programmes due: the deadlines of a query template (_Template)."""
        other = object.__new__(_Deadlines)
        other.late_from = {
            pk: moment for pks, moment in zip(self.groups(), moments, strict=True) for pk in pks
        }
        other.due = self.due
        return other

    def late_from_expression(self, programme: str) -> Case:
        # One branch per distinct moment, not per programme (most programmes share their due day):
        # each branch costs Django a filter to build, and the rows' query has four of these.
        programmes_by_moment: dict[datetime.datetime, list[int]] = {}
        for pk, moment in self.late_from.items():
            programmes_by_moment.setdefault(moment, []).append(pk)
        return Case(
            *[
                When(**{f"{programme}__in": pks}, then=Value(moment))
                for moment, pks in programmes_by_moment.items()
            ],
            default=Value(None),
            output_field=DateTimeField(),
        )


def _state_expression(report: str, programme: str, deadlines: _Deadlines) -> Case:
    """The state of a row from its report (a joined relation named `report`, possibly absent)."""
    status, first = F(f"{report}__status"), f"{report}__first_submitted_at"
    due = Q(**{f"{programme}__in": deadlines.due})
    late_from = deadlines.late_from_expression(programme)
    return Case(
        When(Q(**{f"{first}__isnull": True}) & due, then=Value(State.MISSING)),
        When(Q(**{f"{report}__status__isnull": True}), then=Value(State.NOT_STARTED)),
        When(Q(**{f"{first}__isnull": True}), then=Value(State.DRAFT)),
        When(
            Q(**{f"{report}__status": Status.SUBMITTED, f"{first}__lt": late_from}),
            then=Value(State.SUBMITTED_ON_TIME),
        ),
        When(Q(**{f"{report}__status": Status.SUBMITTED}), then=Value(State.SUBMITTED_LATE)),
        default=status,
        output_field=CharField(),
    )


NAME_FIELDS = ("town_", "school_")


def _row_columns(*, pairing: str, school: str, names: bool = True) -> dict:
    """The row's columns, read from a pairing (`pairing` is the path to it: "" or "pairing__") and
    one of its schools; without `names`, none that needs a join (for counting)."""
    columns = {
        "programme_id_": F(f"{pairing}programme_id"),
        "pairing_id_": F(f"{pairing}id"),
        "number_": F(f"{pairing}number"),
        "town_id_": F(f"{pairing}town_id"),
        "school_id_": F(f"{school}_id"),
    }
    if names:
        columns |= {"town_": F(f"{pairing}town__name"), "school_": F(f"{school}__name")}
    return columns


def replacements_after(month: Month) -> bool:
    """Whether a school was replaced in some pairing from a month after this one, so the month's rows
    must reckon with replacements; cached at the registry's version (core/cache.py)."""
    from core.cache import cached_figures

    return cached_figures(
        f"replacements-after:{month}",
        versions=["expectations"],
        compute=lambda: replaced_after(month).exists(),
    )


def replaced_after(month: Month) -> QuerySet[SchoolReplacement]:
    """The replacements from a month after this one (the rule `replacements_after` and the engine's
    templates both ask)."""
    return SchoolReplacement.objects.filter(from_month__gt=month.first_day)


def joined_after(month_first_day, *, pairing: str, school: str) -> Exists:
    """The school (an outer column) replaced another in the pairing (an outer column) from a month
    after this one: it was not yet a party, and owes nothing for this month."""
    return Exists(
        SchoolReplacement.objects.filter(
            pairing_id=OuterRef(pairing), new_school_id=OuterRef(school), from_month__gt=month_first_day
        )
    )


def _parts(
    month: Month,
    pairings: QuerySet[Pairing],
    school_id: int | None,
    now: datetime.datetime,
    names: bool = True,
    deadlines: _Deadlines | None = None,
    with_replacements: bool | None = None,
):
    """The parts of the month's rows: each pairing's lead school, its assisting schools, and the
    schools replaced since the month (pairing.models.SchoolReplacement), which stay the parties of
    the months before the replacement. A school that replaced another from a later month is no
    party yet. Each part is one query with the month's report joined (LEFT OUTER JOIN), the state
    computed in SQL."""
    deadlines = deadlines or _Deadlines(month, now)
    running = running_in(pairings, month).order_by().values("pk")
    every_school = Programme.Reporters.EVERY_SCHOOL
    lead = Pairing.objects.filter(pk__in=running)
    through = Pairing.assisting_schools.through
    # Assisting schools report only in programmes where every school of a pairing reports.
    assisting = through.objects.filter(pairing__in=running, pairing__programme__reporters=every_school)
    replaced = SchoolReplacement.objects.filter(pairing__in=running, from_month__gt=month.first_day).filter(
        Q(lead=True) | Q(pairing__programme__reporters=every_school)
    )
    if with_replacements is None:
        with_replacements = replacements_after(month)
    if with_replacements:
        lead = lead.exclude(joined_after(month.first_day, pairing="pk", school="lead_university_id"))
        assisting = assisting.exclude(joined_after(month.first_day, pairing="pairing_id", school="school_id"))
        replaced = replaced.exclude(
            joined_after(month.first_day, pairing="pairing_id", school="old_school_id")
        )
    if school_id is not None:
        lead = lead.filter(lead_university_id=school_id)
        assisting = assisting.filter(school_id=school_id)
        replaced = replaced.filter(old_school_id=school_id)
    lead = lead.annotate(
        report=FilteredRelation(
            "reports", condition=Q(reports__month=month.first_day, reports__school_id=F("lead_university_id"))
        ),
        **_row_columns(pairing="", school="lead_university", names=names),
        is_lead=Value(True, output_field=BooleanField()),
    )
    assisting = assisting.annotate(
        report=FilteredRelation(
            "pairing__reports",
            condition=Q(pairing__reports__month=month.first_day, pairing__reports__school_id=F("school_id")),
        ),
        **_row_columns(pairing="pairing__", school="school", names=names),
        is_lead=Value(False, output_field=BooleanField()),
    )
    replaced = replaced.annotate(
        report=FilteredRelation(
            "pairing__reports",
            condition=Q(
                pairing__reports__month=month.first_day, pairing__reports__school_id=F("old_school_id")
            ),
        ),
        **_row_columns(pairing="pairing__", school="old_school", names=names),
        is_lead=F("lead"),
    )
    parts = []
    for part, programme in (
        (lead, "programme_id"),
        (assisting, "pairing__programme_id"),
        (replaced, "pairing__programme_id"),
    ):
        if part is replaced and not with_replacements:
            continue  # no school replaced after the month (nearly always): two parts, planned faster
        parts.append(
            part.annotate(
                report_id=F("report__pk"),
                report_status=F("report__status"),
                first_submitted=F("report__first_submitted_at"),
                reopened_until=F("report__reopened_until"),
                report_submitted_at=F("report__submitted_at"),
                state=_state_expression("report", programme, deadlines),
                late_from=deadlines.late_from_expression(programme),
            ).order_by()
        )
    return parts


# Besides the engine's states, a state filter may name a grouping: those waiting for review, and those
# first submitted on time or late (whatever happened since), as the status table counts them.
WAITING, ON_TIME, LATE = "waiting", "on_time", "late"


def state_filter_names() -> list[str]:
    return [*State.ALL, WAITING, ON_TIME, LATE]


def filters_for_state(state: str) -> dict:
    """A state filter (one of `state_filter_names`, or "" for all) as `expected_rows`' arguments; the
    queue and the API's month rows read it alike."""
    if state == WAITING:
        return {"states": State.WAITING_REVIEW}
    if state in (ON_TIME, LATE):
        return {"late": state == LATE}
    return {"states": [state]} if state else {}


def expected_rows(
    month: Month,
    *,
    pairings: QuerySet[Pairing] | None = None,
    school_id: int | None = None,
    states: Iterable[str] | None = None,
    late: bool | None = None,
    now: datetime.datetime | None = None,
    names: bool = True,
    top: int | None = None,
    deadlines: _Deadlines | None = None,
    with_replacements: bool | None = None,
) -> QuerySet:
    """The month's expected reports as one SQL query (a UNION of its parts), ordered by programme,
    pairing number, lead first, then school name. Filter by `states` or lateness; page it with slices
    and count it with `.count()`; turn its dicts into rows with `as_rows`."""
    now = now or timezone.now()
    pairings = pairings if pairings is not None else Pairing.objects.all()
    parts = _parts(month, pairings, school_id, now, names, deadlines, with_replacements)
    if states is not None:
        parts = [part.filter(state__in=list(states)) for part in parts]
    if late is not None:
        parts = [
            part.filter(first_submitted__isnull=False).filter(
                **{"first_submitted__gte" if late else "first_submitted__lt": F("late_from")}
            )
            for part in parts
        ]
    fields = ROW_FIELDS if names else [name for name in ROW_FIELDS if name not in NAME_FIELDS]
    parts = [part.values(*fields) for part in parts]
    if top and names and connection.features.supports_slicing_ordering_in_compound:
        # Only the first `top` rows are wanted: each part in the union's order and cut there, so the
        # database reads them along the pairings' (programme, number) index instead of ordering
        # every row of the month (at 10,000 pairings the first page: 116 ms to 17 ms).
        parts = [part.order_by("programme_id_", "number_", "school_")[:top] for part in parts]
    rows = parts[0].union(*parts[1:], all=True)
    return rows.order_by("programme_id_", "number_", "-is_lead", "school_") if names else rows


class _RowsWindow:
    """The month's expected rows as the paginator slices them: each slice asks `expected_rows` for
    the rows up to its end only."""

    def __init__(self, month: Month, filters: dict):
        self.month, self.filters = month, filters

    def __getitem__(self, window: slice):
        start, stop = window.start or 0, window.stop
        if _Template.usable() and window.step is None and stop is not None:
            # The rows up to the window's end, as dicts, read through the template of their shape.
            limit = f"{{}} LIMIT {int(stop) - int(start)} OFFSET {int(start)}"
            return _LazyRows(lambda: _templated_rows(self.month, {**self.filters, "top": stop}, around=limit))
        return expected_rows(self.month, top=window.stop, **self.filters)[window]


class _LazyRows:
    """A page's rows read when first used, as a sliced queryset is: a page whose rows are cached
    (reporting.selectors.cached_page_rows) reads nothing on a hit."""

    def __init__(self, read):
        self._read = read

    @cached_property
    def _rows(self) -> list[dict]:
        return self._read()

    def __iter__(self):
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index):
        return self._rows[index]


class ExpectedPaginator(Paginator):
    """Pages a month's expected rows (`expected_rows` with the same filters). Their number comes from
    the month's `tally` of the same pairings when the caller has it (its counts are grouped from the
    same rows), else from a count without the names' joins and the ordering."""

    def __init__(self, month: Month, per_page: int, *, tally: Tally | None = None, **filters):
        super().__init__(_RowsWindow(month, filters), per_page)
        self._known = None
        if tally is not None and filters.get("school_id") is None:
            self._known = tally.count_of(states=filters.get("states"), late=filters.get("late"))
        self._month, self._filters = month, filters

    @cached_property
    def count(self) -> int:
        if self._known is not None:
            return self._known
        return expected_rows(self._month, names=False, **self._filters).count()


def as_rows(values: Iterable[dict], month: Month) -> Iterator[ExpectedRow]:
    for v in values:
        yield ExpectedRow(
            month=month,
            programme_id=v["programme_id_"],
            pairing_id=v["pairing_id_"],
            number=v["number_"],
            town_id=v["town_id_"],
            town=v["town_"],
            school_id=v["school_id_"],
            school=v["school_"],
            is_lead=bool(v["is_lead"]),
            report_id=v["report_id"],
            status=v["report_status"],
            first_submitted_at=v["first_submitted"],
            submitted_at=v["report_submitted_at"],
            state=v["state"],
            late_from=v["late_from"],
            reopened=v["reopened_until"] is not None,
        )


class _Template:
    """The month engine's queries kept as SQL templates, one per shape, for PostgreSQL.

    Building a month's rows or tally through the ORM costs about 6 ms of Python before the database
    sees it (two or three parts, each with a filtered relation, a dozen annotations and the state's
    CASE), whatever the data's size; the dashboard's twelve months or the status table's eleven paid
    it each time, and at demo scale it was most of those pages' time. The query differs from one
    month to the next only in its parameters: the month's first and last day, and the moment from
    which each group of programmes (those sharing a due day) is late. So it is built once, for a
    stand-in month (January 1111, which no real row or filter holds) and stand-in moments, and its
    SQL is kept with the positions of those stand-ins among its parameters; a month is then the
    template with its own values put in. Whatever else shapes the query is in the template's key:
    the pairings' own SQL and parameters, the school, the programmes due by now and how they share
    moments, whether a school was replaced after the month, and the caller's shape (the tally's
    fields, the rows' filters). SQLite runs the ORM's query as it is (its dates and times become
    strings as the query is compiled, and are read back through converters)."""

    STAND_IN = Month(1111, 1)
    KEPT = 512
    made: dict[tuple, tuple[str, list]] = {}

    @staticmethod
    def usable() -> bool:
        return connection.vendor == "postgresql"

    @classmethod
    def rows(
        cls, shape: tuple, month: Month, pairings, school_id, now, build, around: str = "{}"
    ) -> list[dict]:
        """The rows of `build(month, pairings, deadlines, with_replacements)` (a values query) as dicts,
        read through the template of its shape; `around` wraps its SQL (e.g. to count its rows)."""
        now = now or timezone.now()
        pairings = pairings if pairings is not None else Pairing.objects.all()
        due_days, with_replacements = cls._programmes(month)
        deadlines = _Deadlines(month, now, due_days)
        groups = deadlines.groups()
        try:
            pairings_sql, pairings_params = pairings.query.sql_with_params()
        except EmptyResultSet:  # no pairings at all (`.none()`): no rows, as the ORM's query gives
            return []
        key = (
            shape,
            around,
            pairings_sql,
            repr(pairings_params),
            school_id,
            with_replacements,
            tuple(deadlines.due),
            groups,
        )
        template = cls.made.get(key)
        if template is None:
            try:
                template = cls._make(month, pairings, deadlines, with_replacements, groups, build)
            except EmptyResultSet:  # a filter no row can meet (`states=[]`): none, as the ORM gives
                return []
            if len(cls.made) >= cls.KEPT:
                cls.made.clear()
            cls.made[key] = template
        sql, slots = template
        values = {"first": month.first_day, "last": month.last_day}
        values |= {index: deadlines.late_from[pks[0]] for index, pks in enumerate(groups)}
        params = [values[slot] if found else slot for found, slot in slots]
        with connection.cursor() as cursor:
            cursor.execute(around.format(sql), params)
            names = [column.name for column in cursor.description]
            return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

    _programmes_made: str | None = None

    @classmethod
    def _programmes_sql(cls) -> str:
        """The SQL of `_programmes`, whose one parameter is the month's first day: built once (the
        ORM took 0.85 ms each time, measured, for each of the dashboard's twelve months)."""
        if cls._programmes_made is None:
            programmes = connection.ops.quote_name(Programme._meta.db_table)
            sql, params = replaced_after(cls.STAND_IN).values("pk").query.sql_with_params()
            assert list(params) == [cls.STAND_IN.first_day], params
            cls._programmes_made = f"SELECT id, report_due_day, EXISTS ({sql}) FROM {programmes}"
        return cls._programmes_made

    @classmethod
    def _programmes(cls, month: Month) -> tuple[dict[int, int], bool]:
        """Each programme's due day, and whether a school was replaced in some pairing from a month
        after this one (`replacements_after`), in one round trip."""
        with connection.cursor() as cursor:
            cursor.execute(cls._programmes_sql(), [month.first_day])
            found = cursor.fetchall()
        if not found:  # no programme, so no rows whatever the replacements
            return {}, False
        return {pk: day for pk, day, _after in found}, found[0][2]

    @classmethod
    def _make(cls, month, pairings, deadlines, with_replacements, groups, build) -> tuple[str, list]:
        zone = ZoneInfo(settings.TIME_ZONE)
        # An hour apart, however many groups (a day of the month would run out past the 28th).
        first = datetime.datetime(1111, 2, 1, tzinfo=zone)
        moments = [first + datetime.timedelta(hours=index) for index in range(len(groups))]
        query = build(cls.STAND_IN, pairings, deadlines.standing_in(moments), with_replacements).query
        sql, params = query.sql_with_params()
        stand_ins = {cls.STAND_IN.first_day: "first", cls.STAND_IN.last_day: "last"}
        slots = []
        for param in params:
            if isinstance(param, datetime.datetime) and param in moments:
                slots.append((True, moments.index(param)))
            elif type(param) is datetime.date and param in stand_ins:
                slots.append((True, stand_ins[param]))
            else:
                slots.append((False, param))
        # The month's first day is in every shape (the pairings running in it): a template without it
        # would repeat the stand-in's rows for every month.
        assert (True, "first") in slots, "the month's stand-in is not among the query's parameters"
        return sql, slots


def _templated_rows(month: Month, filters: dict, around: str = "{}") -> list[dict]:
    """`expected_rows(month, **filters)` read through its template (_Template)."""
    filters = dict(filters)
    pairings = filters.pop("pairings", None)
    school_id, now = filters.pop("school_id", None), filters.pop("now", None)
    if filters.get("states") is not None:
        filters["states"] = tuple(filters["states"])
    return _Template.rows(
        ("rows", tuple(sorted(filters.items()))),
        month,
        pairings,
        school_id,
        now,
        lambda month, pairings, deadlines, with_replacements: expected_rows(
            month,
            pairings=pairings,
            school_id=school_id,
            deadlines=deadlines,
            with_replacements=with_replacements,
            **filters,
        ),
        around=around,
    )


def expected_reports(month: Month, **filters) -> list[ExpectedRow]:
    """Every expected report of the month as rows (for a small scope: one school, one page)."""
    if not _Template.usable():
        return list(as_rows(expected_rows(month, **filters), month))
    return list(as_rows(_templated_rows(month, filters), month))


def expected_count(
    month: Month, *, pairings: QuerySet[Pairing] | None = None, school_id: int | None = None
) -> int:
    """How many reports the month expects (of these pairings, of this school), counted by the database
    without the names' joins and the ordering."""
    filters = {"pairings": pairings, "school_id": school_id, "names": False}
    if not _Template.usable():
        return expected_rows(month, **filters).count()
    found = _templated_rows(month, filters, around="SELECT COUNT(*) AS n FROM ({}) AS expected")
    return found[0]["n"] if found else 0


@dataclass
class Tally:
    """The counts of a month's expected reports by state, and the figures derived from them."""

    by_state: Counter = field(default_factory=Counter)
    on_time: int = 0  # first submitted on time, whatever happened since
    late: int = 0  # first submitted late

    @classmethod
    def from_rows(cls, rows: Iterable[ExpectedRow]) -> Tally:
        tally = cls()
        for row in rows:
            tally.add(row.state, row.is_submitted and not row.is_late, row.is_late)
        return tally

    def add(self, state: str, on_time: bool, late: bool, count: int = 1) -> None:
        self.by_state[state] += count
        self.on_time += count if on_time else 0
        self.late += count if late else 0

    def __add__(self, other: Tally) -> Tally:
        return Tally(self.by_state + other.by_state, self.on_time + other.on_time, self.late + other.late)

    def __iadd__(self, other: Tally) -> Tally:
        """Adds `other` in place (one Counter update): summing thousands of tallies into one."""
        self.by_state.update(other.by_state)
        self.on_time += other.on_time
        self.late += other.late
        return self

    @property
    def expected(self) -> int:
        return sum(self.by_state.values())

    @property
    def submitted(self) -> int:
        return self.on_time + self.late

    @property
    def missing(self) -> int:
        return self.by_state[State.MISSING]

    @property
    def pending(self) -> int:
        """Not submitted yet, and not due yet."""
        return self.by_state[State.NOT_STARTED] + self.by_state[State.DRAFT]

    @property
    def returned(self) -> int:
        return self.by_state[State.RETURNED]

    @property
    def accepted(self) -> int:
        return self.by_state[State.ACCEPTED]

    @property
    def waiting_review(self) -> int:
        return sum(self.by_state[state] for state in State.WAITING_REVIEW)

    @property
    def counted(self) -> int:
        return sum(self.by_state[state] for state in State.COUNTED)

    def count_of(self, *, states: Iterable[str] | None = None, late: bool | None = None) -> int | None:
        """How many rows `expected_rows` gives with the same filters (None for both at once)."""
        if states is not None and late is not None:
            return None
        if late is not None:
            return self.late if late else self.on_time
        if states is not None:
            return sum(self.by_state[state] for state in states)
        return self.expected

    @property
    def due(self) -> int:
        """The reports due so far: all of them once nothing is pending (each submitted or missing)."""
        return 0 if self.pending else self.submitted + self.missing

    def rated(self, month_is_due: bool) -> int:
        """The reports a rate is taken of: all of them once the month is due, none before it, however
        many are in early (a rate of the early few would read 100%, and a school, or a town, whose
        reports are all in early would be rated over a month more than the others)."""
        return self.due if month_is_due else 0

    def rate(self, part: int, *, month_is_due: bool) -> int | None:
        """A percentage of the reports that were due, or None when the month is not due yet."""
        rated = self.rated(month_is_due)
        return round(100 * part / rated) if rated else None

    def as_dict(self) -> dict[str, int]:
        """The counts every place shows (pages, API, workbook), by the same names."""
        return {
            "expected": self.expected,
            "on_time": self.on_time,
            "late": self.late,
            "missing": self.missing,
            "pending": self.pending,
            "returned": self.returned,
            "waiting_review": self.waiting_review,
            "accepted": self.accepted,
            "counted": self.counted,
        }


def month_tally(
    month: Month,
    *,
    pairings: QuerySet[Pairing] | None = None,
    school_id: int | None = None,
    now: datetime.datetime | None = None,
) -> Tally:
    """The month's tally, counted by the database in one query whatever the size."""
    return tallies_by(month, (), pairings=pairings, school_id=school_id, now=now).get((), Tally())


def tallies_by(
    month: Month,
    fields: tuple[str, ...],
    *,
    pairings: QuerySet[Pairing] | None = None,
    school_id: int | None = None,
    now: datetime.datetime | None = None,
) -> dict[tuple, Tally]:
    """The month's tally per value of some row fields (e.g. ("school_id_", "school_") for one tally per
    school), counted by the database in one query (each part of the rows grouped, the groups united)."""

    def build(month, pairings, deadlines=None, with_replacements=None):
        return _tally_query(month, fields, pairings, school_id, now, deadlines, with_replacements)

    if _Template.usable():
        entries = _Template.rows(("tally", fields), month, pairings, school_id, now, build)
    else:
        entries = build(month, pairings if pairings is not None else Pairing.objects.all())
    # A key may come from more than one part of the rows: its counts add up.
    found: dict[tuple, Tally] = {}
    for entry in entries:
        key = tuple(entry[name] for name in fields)
        found.setdefault(key, Tally()).add(entry["state"], entry["on_time"], entry["late"], entry["n"])
    return found


def _tally_query(month, fields, pairings, school_id, now, deadlines=None, with_replacements=None) -> QuerySet:
    """Each part of the month's rows grouped by the database, the groups of all parts in one query."""
    now = now or timezone.now()
    grouped = [
        part.annotate(
            on_time=Case(
                When(first_submitted__lt=F("late_from"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            late=Case(
                When(first_submitted__gte=F("late_from"), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .values(*fields, "state", "on_time", "late")
        .annotate(n=Count("*"))
        for part in _parts(month, pairings, school_id, now, True, deadlines, with_replacements)
    ]
    return grouped[0].union(*grouped[1:], all=True)


def counted_reports(
    pairings: QuerySet[Pairing], first: Month, last: Month | None = None
) -> QuerySet[MonthlyReport]:
    """The reports whose numbers count in the totals of the months first..last: submitted,
    resubmitted or accepted, of a school that is a party to its pairing, in a month the pairing ran."""
    last = last or first
    through = Pairing.assisting_schools.through
    every_school = Programme.Reporters.EVERY_SCHOOL
    # A party in the report's month, by the rule of `_parts`: a party now that had not yet replaced
    # another then, or a school replaced since then (pairing.models.SchoolReplacement).
    is_party = Q(school_id=F("pairing__lead_university_id")) | Q(
        Exists(through.objects.filter(pairing_id=OuterRef("pairing_id"), school_id=OuterRef("school_id"))),
        pairing__programme__reporters=every_school,
    )
    replaced_since = Exists(
        SchoolReplacement.objects.filter(
            pairing_id=OuterRef("pairing_id"),
            old_school_id=OuterRef("school_id"),
            from_month__gt=OuterRef("month"),
        ).filter(Q(lead=True) | Q(pairing__programme__reporters=every_school))
    )
    joined_later = Exists(
        SchoolReplacement.objects.filter(
            pairing_id=OuterRef("pairing_id"),
            new_school_id=OuterRef("school_id"),
            from_month__gt=OuterRef("month"),
        )
    )
    reports = (
        MonthlyReport.objects.filter(
            pairing__in=pairings.order_by().values("pk"),
            status__in=COUNTED,
            month__gte=first.first_day,
            month__lte=last.first_day,
        )
        .filter(is_party | replaced_since)
        .exclude(joined_later)
    )
    # The pairing ran in the report's month (the rule of `running_in`, per report month).
    return (
        reports.annotate(pairing_start_month=TruncMonth("pairing__start_date"))
        .filter(
            pairing__programme__first_report_month__lte=F("month"),
            pairing_start_month__lte=F("month"),
        )
        .exclude(pairing__status=Pairing.Status.PLANNED)
        .filter(Q(pairing__end_date__isnull=True) | Q(pairing__end_date__gte=F("month")))
        .filter(
            Q(pairing__programme__end_date__isnull=True) | Q(pairing__programme__end_date__gte=F("month"))
        )
    )


def indicator_totals(
    month: Month, *, pairings: QuerySet[Pairing], indicator_ids: Iterable[int] | None = None
) -> dict[int, Decimal]:
    """Each indicator's total over the month's counted reports (indicator id -> sum), in one query."""
    return indicator_totals_by_month([month], pairings=pairings, indicator_ids=indicator_ids)[month]


def indicator_totals_by_month(
    months: Iterable[Month], *, pairings: QuerySet[Pairing], indicator_ids: Iterable[int] | None = None
) -> dict[Month, dict[int, Decimal]]:
    """`indicator_totals` of each of `months` (month -> indicator id -> sum), in one query whatever
    their number."""
    months = sorted(set(months))
    found: dict[Month, dict[int, Decimal]] = {month: {} for month in months}
    if not months:
        return found
    counted = counted_reports(pairings, months[0], months[-1]).filter(month__in=[m.first_day for m in months])
    values = IndicatorValue.objects.filter(report__in=counted.values("pk"))
    if indicator_ids is not None:
        values = values.filter(indicator_id__in=list(indicator_ids))
    grouped = values.order_by().values_list("report__month", "indicator_id").annotate(total=Sum("value"))
    for first_day, indicator_id, total in grouped:
        found[Month.of(first_day)][indicator_id] = total
    return found


@dataclass
class MonthFigures:
    """A programme's month as every place shows it: the tally and each indicator's total."""

    month: Month
    programme: Programme
    tally: Tally
    totals: dict[str, Decimal]  # indicator code -> total over the counted reports

    def as_dict(self) -> dict:
        return {
            "month": str(self.month),
            "programme": self.programme.pk,
            "counts": self.tally.as_dict(),
            "totals": {code: plain_number(total) for code, total in self.totals.items()},
        }


def month_figures(
    month: Month, *, programme: Programme, pairings: QuerySet[Pairing], now: datetime.datetime | None = None
) -> MonthFigures:
    """The live figures of a programme's month within the pairings a user may see (a fixed number of queries)."""
    pairings = pairings.filter(programme=programme)
    indicators = list(programme.indicators.all())
    by_id = indicator_totals(month, pairings=pairings, indicator_ids=[i.pk for i in indicators])
    return MonthFigures(
        month=month,
        programme=programme,
        tally=month_tally(month, pairings=pairings, now=now),
        totals={i.code: by_id.get(i.pk, Decimal(0)) for i in indicators},
    )
