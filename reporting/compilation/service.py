"""The monthly compilation (汇总): one programme's month, streamed from flat queries into the
summary's counts and totals and its workbook, a chunk of pairings at a time (memory stays flat).

`compile_month` claims the summary with a conditional UPDATE (two runs of the same month never
both write), writes the workbook to a temporary file, then swaps the result in one transaction:
until then, readers see the previous summary whole, and a failure leaves it in place.
"""

import datetime
import os
import tempfile
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.core.files import File
from django.db import transaction
from django.db.models import Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone

from pairing.models import CooperationKind, Pairing, Programme
from portal.roles import LIAISON

from ..models import Indicator, IndicatorValue, MonthlyReport, MonthlySummary
from .workbook import Column, WorkbookWriter

COUNTED = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.RESUBMITTED, MonthlyReport.Status.ACCEPTED)
STALE_RUN = datetime.timedelta(hours=2)

STATE_LABELS = {
    "not_started": "未开始",
    "draft": "草稿",
    "missing": "缺报",
    "submitted": "已报送",
    "resubmitted": "已重新报送",
    "returned": "已退回",
    "accepted": "已通过",
}


class AlreadyRunning(Exception):
    """Another run is compiling the same month."""


CHUNK = 2000  # pairings read at a time: memory stays flat however large the programme
COUNT_KEYS = ["expected", "on_time", "late", "missing", "returned", "accepted"]
NO_CONTACT = ("", "", "")
EMPTY: dict = {}


class Expected(NamedTuple):
    """One report the month expects: a school of a pairing, with its report (a row or None)."""

    pairing_id: int
    number: int
    town: str
    school_id: int
    school: str
    report: tuple | None  # (pk, pairing_id, school_id, status, first_submitted_at, narratives, difficulties)
    values: dict[int, Decimal]  # indicator id -> value
    contact: tuple[str, str, str]  # the school's liaison: name, phone, e-mail


def month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def active_pairings(programme: Programme, month: datetime.date):
    return (
        Pairing.objects.filter(programme=programme, start_date__lte=month_end(month))
        .exclude(status=Pairing.Status.PLANNED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
    )


def expected_count(programme: Programme, month: datetime.date) -> int:
    pairings = active_pairings(programme, month)
    assisting = Pairing.assisting_schools.through.objects.filter(pairing__in=pairings)
    return pairings.count() + assisting.count()


def expected_reports(programme: Programme, month: datetime.date, *, chunk: int = CHUNK) -> Iterator[Expected]:
    """Every report the month expects, in pairing order (lead university first, then the assisting
    schools by name), read `chunk` pairings at a time in five flat queries each."""
    pairings = active_pairings(programme, month).order_by("number")
    last_number = None
    while True:
        page = pairings if last_number is None else pairings.filter(number__gt=last_number)
        batch = list(
            page.values_list("pk", "number", "town__name", "lead_university_id", "lead_university__name")[
                :chunk
            ]
        )
        if not batch:
            return
        last_number = batch[-1][1]
        # The chunk's rows are found by its range of pairing numbers, not by lists of ids: a
        # long IN list costs more to build than the rows cost to read.
        numbers = {"programme": programme, "number__range": (batch[0][1], last_number)}
        within = {f"pairing__{key}": value for key, value in numbers.items()}
        assisting = defaultdict(list)
        through = Pairing.assisting_schools.through.objects.filter(**within).order_by("school__name")
        for pairing_id, school_id, name in through.values_list("pairing_id", "school_id", "school__name"):
            assisting[pairing_id].append((school_id, name))
        reports = {
            (row[1], row[2]): row
            for row in MonthlyReport.objects.filter(**within, month=month)
            .order_by()
            .values_list(
                "pk", "pairing_id", "school_id", "status", "first_submitted_at", "narratives", "difficulties"
            )
        }
        values: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for report_id, indicator_id, value in (
            IndicatorValue.objects.filter(
                **{f"report__{key}": value for key, value in within.items()}, report__month=month
            )
            .order_by()
            .values_list("report_id", "indicator_id", "value")
        ):
            values[report_id][indicator_id] = value
        contacts = liaison_contacts(numbers)
        for pairing_id, number, town, lead_id, lead_name in batch:
            for school_id, school in [(lead_id, lead_name), *assisting[pairing_id]]:
                report = reports.get((pairing_id, school_id))
                yield Expected(
                    pairing_id,
                    number,
                    town,
                    school_id,
                    school,
                    report,
                    values.get(report[0], EMPTY) if report else EMPTY,
                    contacts.get(school_id, NO_CONTACT),
                )


def liaison_contacts(numbers: dict) -> dict[int, tuple[str, str, str]]:
    """The first active liaison (by account) of each school of the chunk's pairings."""
    from django.contrib.auth.models import User

    liaisons = User.objects.filter(is_active=True, groups__name=LIAISON)
    found: dict[int, tuple] = {}
    for relation in ("led_pairings", "assisted_pairings"):
        scope = {f"profile__school__{relation}__{key}": value for key, value in numbers.items()}
        for pk, school_id, first_name, username, phone, email in liaisons.filter(**scope).values_list(
            "pk", "profile__school_id", "first_name", "username", "profile__phone", "email"
        ):
            if school_id not in found or pk < found[school_id][0]:
                found[school_id] = (pk, (first_name or username, phone, email))
    return {school_id: contact for school_id, (_pk, contact) in found.items()}


def state_of(report, due_at: datetime.datetime, now: datetime.datetime) -> str:
    if report is None or report[4] is None:
        return "missing" if now > due_at else (report[3] if report else "not_started")
    return report[3]


def year_to_date(
    programme: Programme, month: datetime.date, indicators: list[Indicator]
) -> dict[int, Decimal]:
    """Each indicator from January to `month`, by its own way of adding up: the sum of the months;
    for `max` and `latest`, each school's largest or latest value, added over the schools."""
    year_values = IndicatorValue.objects.filter(
        report__pairing__programme=programme,
        report__status__in=COUNTED,
        report__month__gte=month.replace(month=1),
        report__month__lte=month,
    ).order_by()
    kinds = {i.pk: i.aggregation for i in indicators}
    ytd: dict[int, Decimal] = defaultdict(Decimal)
    for indicator_id, total in year_values.values_list("indicator_id").annotate(total=Sum("value")):
        if kinds.get(indicator_id) == Indicator.Aggregation.SUM:
            ytd[indicator_id] = total
    per_source = (
        year_values.filter(indicator__aggregation=Indicator.Aggregation.MAX)
        .values_list("indicator_id", "report__pairing_id", "report__school_id")
        .annotate(top=Max("value"))
    )
    for indicator_id, _pairing, _school, top in per_source.iterator(chunk_size=5000):
        ytd[indicator_id] += top
    latest_month = (
        year_values.filter(
            indicator=OuterRef("indicator"),
            report__pairing=OuterRef("report__pairing"),
            report__school=OuterRef("report__school"),
        )
        .order_by("-report__month")
        .values("report__month")[:1]
    )
    latest = year_values.filter(
        indicator__aggregation=Indicator.Aggregation.LATEST, report__month=Subquery(latest_month)
    )
    for indicator_id, total in latest.values_list("indicator_id").annotate(total=Sum("value")):
        ytd[indicator_id] += total
    return ytd


def number_kind(indicator: Indicator) -> str:
    return {"whole": "whole", "decimal": "decimal", "money": "money"}[indicator.kind]


SUMMARY_COLUMNS = [
    Column("类别", 8),
    Column("项目", 28),
    Column("单位", 8),
    Column("本月", 16, "decimal"),
    Column("本年累计", 16, "decimal"),
]
STATUS_COLUMNS = [
    Column("序号", 6, "whole"),
    Column("镇(街道)", 10),
    Column("学校", 26),
    Column("状态", 10),
    Column("报送时间", 17, "datetime"),
    Column("逾期(小时)", 10, "decimal"),
    Column("联络员", 12),
    Column("电话", 14),
    Column("邮箱", 24),
]
NARRATIVE_COLUMNS = [
    Column("序号", 6, "whole"),
    Column("镇(街道)", 10),
    Column("学校", 26),
    Column("合作内容", 22),
    Column("进展", 80),
]
DIFFICULTY_COLUMNS = [
    Column("序号", 6, "whole"),
    Column("镇(街道)", 10),
    Column("学校", 26),
    Column("困难问题", 70),
    Column("跟进情况", 30),
]
COUNT_LABELS = [
    ("expected", "应报"),
    ("on_time", "按时报送"),
    ("late", "逾期报送"),
    ("missing", "缺报"),
    ("returned", "已退回"),
    ("accepted", "已通过"),
]


def detail_columns(indicators: list[Indicator]) -> list[Column]:
    return [
        Column("报告ID", 10, "whole"),
        Column("结对ID", 8, "whole"),
        Column("序号", 6, "whole"),
        Column("镇(街道)", 10),
        Column("学校ID", 8, "whole"),
        Column("学校", 26),
        Column("状态", 10),
    ] + [Column(f"{i.name_zh}（{i.unit}）" if i.unit else i.name_zh, 14, number_kind(i)) for i in indicators]


@dataclass
class Compiled:
    counts: dict[str, int]
    totals: dict[str, dict[str, str]]


def write_workbook(programme: Programme, month: datetime.date, path: str, *, progress=None) -> Compiled:
    """The month's workbook in one pass over the expected reports: the four long sheets are written
    row by row as the reports stream in, and 汇总 (first in the book) last, once the counts are known."""
    indicators = list(programme.indicators.all())
    due_at, now, zone = programme.due_at(month), timezone.now(), timezone.get_current_timezone()
    labels = {kind: str(label) for kind, label in CooperationKind.choices}  # once, not per row
    kinds = CooperationKind.values
    book = WorkbookWriter(path, title=f"{programme.name} {month:%Y年%m月}")
    summary = book.sheet("汇总", SUMMARY_COLUMNS)
    status = book.sheet("报送情况", STATUS_COLUMNS)
    detail = book.sheet("明细", detail_columns(indicators))
    narrative = book.sheet("进展摘要", NARRATIVE_COLUMNS)
    difficulty = book.sheet("困难问题", DIFFICULTY_COLUMNS)
    indicator_ids = [i.pk for i in indicators]
    counts = dict.fromkeys(COUNT_KEYS, 0)
    month_totals: dict[int, Decimal] = defaultdict(Decimal)
    for n, row in enumerate(expected_reports(programme, month), start=1):
        report, state = row.report, state_of(row.report, due_at, now)
        submitted = report[4] if report else None
        counts["expected"] += 1
        if submitted is not None:
            counts["late" if submitted > due_at else "on_time"] += 1
        if state in ("missing", "returned", "accepted"):
            counts[state] += 1
        if report and report[3] in COUNTED:
            for indicator_id, value in row.values.items():
                month_totals[indicator_id] += value
        late_hours = (
            round((submitted - due_at).total_seconds() / 3600, 1)
            if submitted and submitted > due_at
            else None
        )
        local = submitted.astimezone(zone).replace(tzinfo=None) if submitted else None
        status.write((row.number, row.town, row.school, STATE_LABELS[state], local, late_hours, *row.contact))
        detail.write(
            (
                report[0] if report else None,
                row.pairing_id,
                row.number,
                row.town,
                row.school_id,
                row.school,
                STATE_LABELS[state],
                *[row.values.get(i) for i in indicator_ids],
            )
        )
        if report:
            narratives = report[5] or EMPTY
            for kind in kinds:
                if narratives.get(kind):
                    narrative.write((row.number, row.town, row.school, labels[kind], narratives[kind]))
            if report[6]:
                difficulty.write((row.number, row.town, row.school, report[6], ""))
        if progress and n % 5000 == 0:
            progress(n)
    ytd = year_to_date(programme, month, indicators)
    totals = {
        i.code: {
            "month": str(month_totals.get(i.pk, Decimal(0))),
            "year_to_date": str(ytd.get(i.pk, Decimal(0))),
        }
        for i in indicators
    }
    for i in indicators:
        summary.write(
            (
                "指标",
                i.name_zh,
                i.unit,
                Decimal(totals[i.code]["month"]),
                Decimal(totals[i.code]["year_to_date"]),
            )
        )
    for key, name in COUNT_LABELS:
        summary.write(("报送", name, "份", counts[key], None))
    book.close()
    return Compiled(counts, totals)


def claim(programme: Programme, month: datetime.date) -> tuple[MonthlySummary, str]:
    """Mark the summary running, unless another run holds it (a run older than STALE_RUN is taken over)."""
    summary, _created = MonthlySummary.objects.get_or_create(programme=programme, month=month)
    token = uuid.uuid4().hex
    now = timezone.now()
    claimed = (
        MonthlySummary.objects.filter(pk=summary.pk)
        .filter(~Q(state=MonthlySummary.State.RUNNING) | Q(started_at__lt=now - STALE_RUN))
        .update(
            state=MonthlySummary.State.RUNNING, run_token=token, started_at=now, progress=0, failure_reason=""
        )
    )
    if not claimed:
        raise AlreadyRunning(f"{programme.code} {month:%Y-%m} is being compiled by another run")
    return summary, token


def compile_month(programme: Programme, month: datetime.date, *, output: str | None = None) -> MonthlySummary:
    summary, token = claim(programme, month)
    handle, temporary = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        total = max(expected_count(programme, month), 1)

        def progress(rows: int) -> None:
            MonthlySummary.objects.filter(pk=summary.pk, run_token=token).update(
                progress=min(99, rows * 100 // total)
            )

        compiled = write_workbook(programme, month, temporary, progress=progress)
        if output:
            with open(temporary, "rb") as source, open(output, "wb") as target:
                target.write(source.read())
        with transaction.atomic():
            current = MonthlySummary.objects.select_for_update().get(pk=summary.pk)
            if current.run_token != token:
                raise AlreadyRunning("another run took over this month")
            old_file = current.workbook.name if current.workbook else None
            with open(temporary, "rb") as source:
                current.workbook.save(
                    f"{programme.code}-{month:%Y-%m}-{token[:8]}.xlsx", File(source), save=False
                )
            current.counts, current.totals = compiled.counts, compiled.totals
            current.state, current.progress, current.finished_at = (
                MonthlySummary.State.DONE,
                100,
                timezone.now(),
            )
            current.run_token = ""
            current.save()
            if old_file:
                storage = current.workbook.storage
                transaction.on_commit(lambda: storage.delete(old_file))
        return current
    except AlreadyRunning:
        raise
    except Exception as error:
        MonthlySummary.objects.filter(pk=summary.pk, run_token=token).update(
            state=MonthlySummary.State.FAILED,
            failure_reason=f"{error.__class__.__name__}: {error}"[:500],
            finished_at=timezone.now(),
            run_token="",
        )
        raise
    finally:
        os.unlink(temporary)
