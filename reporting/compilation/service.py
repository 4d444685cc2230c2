"""The monthly compilation (汇总): one programme's month, read from the month engine a chunk of
pairings at a time (memory stays flat), into the summary's counts and totals and its workbook.

The rows, their states and the counts come from reporting/expectations.py, the same code as the
pages, so a compiled month shows the numbers the status page and the dashboard show.

`compile_month` claims the summary with a conditional UPDATE (two runs of the same month never
both write), writes the workbook to a temporary file, then swaps the result in one transaction:
until then, readers see the previous summary whole, and a failure leaves it in place.
"""

import datetime
import os
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files import File
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation

from core.months import Month
from core.numbers import plain_number
from core.outbox import enqueue
from core.roles import LIAISON
from pairing.models import Pairing, Programme

from ..expectations import State, Tally, as_rows, expected_rows, running_in
from ..models import REOPENED_LABEL, STALLED_AFTER, Indicator, IndicatorValue, MonthlyReport, MonthlySummary
from ..totals import period_totals
from .workbook import Column, WorkbookWriter

NO_CONTACT = ("", "", "")
EMPTY: dict = {}


class AlreadyRunning(Exception):
    """Another run is compiling the same month."""


def liaison_contacts(programme: Programme, numbers: tuple[int, int]) -> dict[int, tuple[str, str, str]]:
    """The first active liaison (by account) of each school of the chunk's pairings."""
    liaisons = User.objects.filter(is_active=True, groups__name=LIAISON)
    found: dict[int, tuple] = {}
    for relation in ("led_pairings", "assisted_pairings"):
        scope = {
            f"profile__school__{relation}__programme": programme,
            f"profile__school__{relation}__number__range": numbers,
        }
        for pk, school_id, first_name, username, phone, email in liaisons.filter(**scope).values_list(
            "pk", "profile__school_id", "first_name", "username", "profile__phone", "email"
        ):
            if school_id not in found or pk < found[school_id][0]:
                found[school_id] = (pk, (first_name or username, phone, email))
    return {school_id: contact for school_id, (_pk, contact) in found.items()}


@dataclass
class Chunk:
    rows: list  # ExpectedRow, in the engine's order
    values: dict[int, dict[int, Decimal]]  # report id -> indicator id -> value
    texts: dict[int, tuple[dict, str]]  # report id -> (narratives, difficulties)
    contacts: dict[int, tuple[str, str, str]]


def chunks(programme: Programme, month: Month, *, size: int | None = None):
    """The month's expected reports, `size` pairings at a time: the engine's rows for a range of pairing
    numbers, and the values, narratives and liaisons of just those reports."""
    size = size or settings.COMPILE_CHUNK_PAIRINGS
    numbers = list(
        running_in(programme.pairings.all(), month).order_by("number").values_list("number", flat=True)
    )
    for start in range(0, len(numbers), size):
        low, high = numbers[start], numbers[min(start + size, len(numbers)) - 1]
        pairings = programme.pairings.filter(number__range=(low, high))
        rows = list(as_rows(expected_rows(month, pairings=pairings), month))
        within = {
            "pairing__programme": programme,
            "pairing__number__range": (low, high),
            "month": month.first_day,
        }
        values: dict[int, dict[int, Decimal]] = defaultdict(dict)
        for report_id, indicator_id, value in (
            IndicatorValue.objects.filter(**{f"report__{key}": value for key, value in within.items()})
            .order_by()
            .values_list("report_id", "indicator_id", "value")
        ):
            values[report_id][indicator_id] = value
        texts = {
            pk: (narratives or EMPTY, difficulties)
            for pk, narratives, difficulties in MonthlyReport.objects.filter(**within)
            .order_by()
            .values_list("pk", "narratives", "difficulties")
        }
        yield Chunk(rows, values, texts, liaison_contacts(programme, (low, high)))


def number_kind(indicator: Indicator) -> str:
    return {"whole": "whole", "decimal": "decimal", "money": "money"}[indicator.kind]


SUMMARY_COLUMNS = [
    Column("类别", 8),
    Column("项目", 28),
    Column("单位", 8),
    Column("本月", 16, "decimal"),
    Column("本年累计", 16, "decimal"),
]


def status_columns(counterpart: str) -> list[Column]:
    return [
        Column("序号", 6, "whole"),
        Column(counterpart, 10),
        Column("学校", 26),
        Column("状态", 12),
        Column("首次报送时间", 17, "datetime"),
        Column("逾期(小时)", 10, "decimal"),
        Column("联络员", 12),
        Column("电话", 14),
        Column("邮箱", 24),
    ]


def narrative_columns(counterpart: str) -> list[Column]:
    return [
        Column("序号", 6, "whole"),
        Column(counterpart, 10),
        Column("学校", 26),
        Column("合作内容", 22),
        Column("进展", 80),
    ]


def difficulty_columns(counterpart: str) -> list[Column]:
    return [
        Column("序号", 6, "whole"),
        Column(counterpart, 10),
        Column("学校", 26),
        Column("困难问题", 70),
        Column("跟进情况", 30),
    ]


COUNT_LABELS = [
    ("expected", "应报"),
    ("on_time", "首次报送按时"),
    ("late", "首次报送逾期"),
    ("missing", "缺报"),
    ("returned", "已退回"),
    ("waiting_review", "待审核"),
    ("accepted", "已通过"),
    ("counted", "计入合计的月报"),
]
COUNTED_WORDS = (
    "说明：“本月”合计只统计已报送、已重新报送和已通过的月报（本月{counted}份），与“明细”表各指标列之和一致；"
    "已退回、草稿和缺报的月报不计入合计，它们在“明细”中只列出状态，已填的数值见“未计入合计”表。"
    "“本年累计”按同样的口径统计1月至本月。"
    "“首次报送按时”“首次报送逾期”按每份月报第一次报送的时间计，包括此后被退回或已通过的月报"
    "（见“报送情况”表的首次报送时间和逾期(小时)列），因此可能与按当前状态列出的“按时报送”“逾期报送”行数不同。"
)
NOT_COUNTED_SHEET = "未计入合计"


def detail_columns(indicators: list[Indicator], counterpart: str, *, first: str = "报告ID") -> list[Column]:
    return [
        Column(first, 10, "whole"),
        Column("结对ID", 8, "whole"),
        Column("序号", 6, "whole"),
        Column(counterpart, 10),
        Column("学校ID", 8, "whole"),
        Column("学校", 26),
        Column("状态", 12),
    ] + [Column(f"{i.name_zh}（{i.unit}）" if i.unit else i.name_zh, 14, number_kind(i)) for i in indicators]


@dataclass
class Compiled:
    counts: dict[str, int]
    totals: dict[str, dict[str, str]]


def write_workbook(programme: Programme, month: Month, path: str, *, progress=None) -> Compiled:
    """The month's workbook in one pass over the expected reports: the long sheets are written row by
    row as the chunks stream in, and 汇总 (first in the book) last, once the counts are known.

    明细 carries numbers only for counted reports, so the sum of any indicator column is 汇总's figure;
    a returned report or a draft is listed there with its state, and its numbers go to 未计入合计."""
    indicators = list(programme.indicators.all())
    zone = timezone.get_current_timezone()
    with translation.override("zh-hans"):
        labels = dict(programme.category_choices())
        state_labels = {state: str(label) for state, label in State.LABELS.items()}
        state_labels["reopened"] = str(REOPENED_LABEL)
    kinds = list(labels)
    book = WorkbookWriter(path, title=f"{programme.name} {month.year}年{month.month}月")
    summary = book.sheet("汇总", SUMMARY_COLUMNS)
    counterpart = programme.counterpart_label  # the workbook is in Chinese: 镇(街道), 县(区), ...
    status = book.sheet("报送情况", status_columns(counterpart))
    detail = book.sheet("明细", detail_columns(indicators, counterpart))
    narrative = book.sheet("进展摘要", narrative_columns(counterpart))
    difficulty = book.sheet("困难问题", difficulty_columns(counterpart))
    not_counted = book.sheet(NOT_COUNTED_SHEET, detail_columns(indicators, counterpart))
    indicator_ids = [i.pk for i in indicators]
    tally = Tally()
    month_totals: dict[int, Decimal] = defaultdict(Decimal)
    written = 0
    for chunk in chunks(programme, month):
        for row in chunk.rows:
            tally.add(row.state, row.is_submitted and not row.is_late, row.is_late)
            values = chunk.values.get(row.report_id, EMPTY) if row.report_id else EMPTY
            label = state_labels["reopened" if row.reopened and row.state == State.RETURNED else row.state]
            submitted = (
                row.first_submitted_at.astimezone(zone).replace(tzinfo=None) if row.is_submitted else None
            )
            status.write(
                (
                    row.number,
                    row.town,
                    row.school,
                    label,
                    submitted,
                    row.hours_late,
                    *chunk.contacts.get(row.school_id, NO_CONTACT),
                )
            )
            head = (row.report_id, row.pairing_id, row.number, row.town, row.school_id, row.school, label)
            if row.is_counted:
                for indicator_id, value in values.items():
                    month_totals[indicator_id] += value
                detail.write((*head, *[values.get(i) for i in indicator_ids]))
            else:
                detail.write(head)
                if values:
                    not_counted.write((*head, *[values.get(i) for i in indicator_ids]))
            if row.report_id:
                narratives, difficulties = chunk.texts.get(row.report_id, (EMPTY, ""))
                for kind in kinds:
                    if narratives.get(kind):
                        narrative.write((row.number, row.town, row.school, labels[kind], narratives[kind]))
                if difficulties:
                    difficulty.write((row.number, row.town, row.school, difficulties, ""))
            written += 1
        if progress:
            progress(written)  # a heartbeat per chunk: a silent run has stalled
    year_to_date = period_totals(programme, Month(month.year, 1), month, indicators)
    totals = {
        i.code: {
            "month": plain_number(month_totals.get(i.pk, Decimal(0))),
            "year_to_date": plain_number(year_to_date.get(i.pk, Decimal(0))),
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
    counts = tally.as_dict()
    for key, name in COUNT_LABELS:
        summary.write(("报送", name, "份", counts[key], None))
    summary.write(("说明", COUNTED_WORDS.format(counted=counts["counted"]), "", None, None))
    book.close()
    return Compiled(counts, totals)


def summary_request(*, programme: Programme, month: Month, user) -> bool:
    """Queue a compilation of the month (from the page); False if a live run is compiling it right now
    (a stalled one is restarted)."""
    with transaction.atomic():
        summary, _created = MonthlySummary.objects.select_for_update().get_or_create(
            programme=programme, month=month.first_day
        )
        if summary.state == MonthlySummary.State.RUNNING and not summary.is_stalled:
            return False
        MonthlySummary.objects.filter(pk=summary.pk).update(
            state=MonthlySummary.State.QUEUED, requested_by=user
        )
        enqueue("reporting.compile_monthly_summary", programme.pk, str(month))
    return True


def claim(
    programme: Programme, month: Month, *, task_id: str = ""
) -> tuple[MonthlySummary, str, datetime.datetime]:
    """Mark the summary running, unless a live run holds it. A run is taken over when its heartbeat has
    been silent for STALLED_AFTER (its worker died), or when it is this very task delivered again
    (the broker redelivers a task whose worker was lost)."""
    summary, _created = MonthlySummary.objects.get_or_create(programme=programme, month=month.first_day)
    token = uuid.uuid4().hex
    now = timezone.now()
    free = (
        ~Q(state=MonthlySummary.State.RUNNING)
        | Q(heartbeat_at__isnull=True)
        | Q(heartbeat_at__lt=now - STALLED_AFTER)
    )
    if task_id:
        free |= Q(run_task_id=task_id)
    claimed = (
        MonthlySummary.objects.filter(pk=summary.pk)
        .filter(free)
        .update(
            state=MonthlySummary.State.RUNNING,
            run_token=token,
            run_task_id=task_id,
            started_at=now,
            heartbeat_at=now,
            progress=0,
            failure_reason="",
        )
    )
    if not claimed:
        raise AlreadyRunning(f"{programme.code} {month} is being compiled by another run")
    return summary, token, now


def expected_count(programme: Programme, month: Month) -> int:
    pairings = running_in(programme.pairings.all(), month)
    if programme.reporters == Programme.Reporters.LEAD_ONLY:
        return pairings.count()
    return (
        pairings.count()
        + Pairing.assisting_schools.through.objects.filter(pairing__in=pairings.values("pk")).count()
    )


def compile_month(
    programme: Programme, month: Month, *, output: str | None = None, task_id: str = ""
) -> MonthlySummary:
    summary, token, started = claim(programme, month, task_id=task_id)
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
                current.workbook.save(f"{programme.code}-{month}-{token[:8]}.xlsx", File(source), save=False)
            current.counts, current.totals = compiled.counts, compiled.totals
            current.state, current.progress, current.finished_at = (
                MonthlySummary.State.DONE,
                100,
                timezone.now(),
            )
            current.compiled_from = started
            current.run_token, current.run_task_id, current.heartbeat_at = "", "", timezone.now()
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


def stale_summaries(*, quiet: datetime.timedelta, now: datetime.datetime | None = None):
    """Compiled months whose reports changed since, quiet for `quiet` (debounce) and past their due moment."""
    now = now or timezone.now()
    candidates = MonthlySummary.objects.filter(
        state=MonthlySummary.State.DONE,
        compiled_from__isnull=False,
        source_changed_at__gte=F("compiled_from"),
        source_changed_at__lte=now - quiet,
    ).select_related("programme")
    return [s for s in candidates if s.programme.is_due(s.period, now=now)]
