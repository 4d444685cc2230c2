"""The monthly compilation (汇总): one programme's month, from flat queries into the summary's
counts and totals and its workbook.

`compile_month` claims the summary with a conditional UPDATE (two runs of the same month never
both write), writes the workbook to a temporary file, then swaps the result in one transaction:
until then, readers see the previous summary whole, and a failure leaves it in place.
"""

import datetime
import os
import tempfile
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.files import File
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from pairing.models import CooperationKind, Pairing, Programme
from portal.roles import LIAISON

from ..models import Indicator, IndicatorValue, MonthlyReport, MonthlySummary
from .workbook import Column, Sheet, WorkbookWriter

COUNTED = (MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.RESUBMITTED, MonthlyReport.Status.ACCEPTED)
STALE_RUN = datetime.timedelta(hours=2)

STATE_LABELS = {
    "not_started": "未开始", "draft": "草稿", "missing": "缺报", "submitted": "已报送",
    "resubmitted": "已重新报送", "returned": "已退回", "accepted": "已通过",
}  # fmt: skip


class AlreadyRunning(Exception):
    """Another run is compiling the same month."""


@dataclass
class MonthData:
    programme: Programme
    month: datetime.date
    indicators: list[Indicator]
    expected: list[tuple]  # (pairing_id, number, town, school_id, school, report row or None)
    values: dict[int, dict[int, Decimal]]  # report id -> indicator id -> value
    contacts: dict[int, tuple[str, str, str]]
    counts: dict[str, int] = field(default_factory=dict)
    totals: dict[str, dict[str, str]] = field(default_factory=dict)


def month_end(month: datetime.date) -> datetime.date:
    return (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1) - datetime.timedelta(days=1)


def collect(programme: Programme, month: datetime.date) -> MonthData:
    """Everything the workbook shows, in a fixed number of flat queries."""
    end = month_end(month)
    pairings = list(
        Pairing.objects.filter(programme=programme, start_date__lte=end)
        .exclude(status=Pairing.Status.PLANNED)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=month))
        .order_by("number")
        .values_list("pk", "number", "town__name", "lead_university_id", "lead_university__name")
    )
    assisting = defaultdict(list)
    through = Pairing.assisting_schools.through.objects.filter(pairing__programme=programme)
    for pairing_id, school_id, name in through.order_by("school__name").values_list(
        "pairing_id", "school_id", "school__name"
    ):
        assisting[pairing_id].append((school_id, name))
    reports = {
        (row[1], row[2]): row
        for row in MonthlyReport.objects.filter(pairing__programme=programme, month=month).values_list(
            "pk", "pairing_id", "school_id", "status", "first_submitted_at", "narratives", "difficulties"
        )
    }
    expected = []
    for pairing_id, number, town, lead_id, lead_name in pairings:
        for school_id, school in [(lead_id, lead_name), *assisting[pairing_id]]:
            expected.append(
                (pairing_id, number, town, school_id, school, reports.get((pairing_id, school_id)))
            )
    values: dict[int, dict[int, Decimal]] = defaultdict(dict)
    for report_id, indicator_id, value in IndicatorValue.objects.filter(
        report__pairing__programme=programme, report__month=month
    ).values_list("report_id", "indicator_id", "value"):
        values[report_id][indicator_id] = value
    contacts = {}
    from django.contrib.auth.models import User

    for school_id, first_name, username, phone, email in (
        User.objects.filter(is_active=True, groups__name=LIAISON, profile__school__isnull=False)
        .order_by("pk")
        .values_list("profile__school_id", "first_name", "username", "profile__phone", "email")
    ):
        contacts.setdefault(school_id, (first_name or username, phone, email))
    data = MonthData(programme, month, list(programme.indicators.all()), expected, values, contacts)
    data.counts = count_states(data)
    data.totals = indicator_totals(data)
    return data


def state_of(report, due_at: datetime.datetime, now: datetime.datetime) -> str:
    if report is None or report[4] is None:
        return "missing" if now > due_at else (report[3] if report else "not_started")
    return report[3]


def count_states(data: MonthData) -> dict[str, int]:
    due_at, now = data.programme.due_at(data.month), timezone.now()
    counts = dict.fromkeys(["expected", "on_time", "late", "missing", "returned", "accepted"], 0)
    for *_, report in data.expected:
        counts["expected"] += 1
        state = state_of(report, due_at, now)
        if report is not None and report[4] is not None:
            counts["late" if report[4] > due_at else "on_time"] += 1
        counts["missing"] += state == "missing"
        counts["returned"] += state == "returned"
        counts["accepted"] += state == "accepted"
    return counts


def indicator_totals(data: MonthData) -> dict[str, dict[str, str]]:
    """Month and year-to-date totals per indicator, by the indicator's own way of adding up."""
    month_totals: dict[int, Decimal] = defaultdict(Decimal)
    counted = {r[0] for *_, r in data.expected if r is not None and r[3] in COUNTED}
    for report_id in counted:
        for indicator_id, value in data.values.get(report_id, {}).items():
            month_totals[indicator_id] += value
    year_reports = IndicatorValue.objects.filter(
        report__pairing__programme=data.programme, report__status__in=COUNTED,
        report__month__gte=data.month.replace(month=1), report__month__lte=data.month,
    )  # fmt: skip
    ytd: dict[int, Decimal] = defaultdict(Decimal)
    kinds = {i.pk: i.aggregation for i in data.indicators}
    for indicator_id, total in year_reports.values_list("indicator_id").annotate(total=Sum("value")):
        if kinds.get(indicator_id) == Indicator.Aggregation.SUM:
            ytd[indicator_id] = total
    per_source = (
        year_reports.filter(indicator__aggregation=Indicator.Aggregation.MAX)
        .values_list("indicator_id", "report__pairing_id", "report__school_id")
        .annotate(top=Max("value"))
    )
    for indicator_id, _pairing, _school, top in per_source:
        ytd[indicator_id] += top
    seen = set()
    for indicator_id, pairing_id, school_id, value in (
        year_reports.filter(indicator__aggregation=Indicator.Aggregation.LATEST)
        .order_by("-report__month")
        .values_list("indicator_id", "report__pairing_id", "report__school_id", "value")
    ):
        if (indicator_id, pairing_id, school_id) not in seen:
            seen.add((indicator_id, pairing_id, school_id))
            ytd[indicator_id] += value
    return {
        i.code: {
            "month": str(month_totals.get(i.pk, Decimal(0))),
            "year_to_date": str(ytd.get(i.pk, Decimal(0))),
        }
        for i in data.indicators
    }


def number_kind(indicator: Indicator) -> str:
    return {"whole": "whole", "decimal": "decimal", "money": "money"}[indicator.kind]


def sheets(data: MonthData) -> list[Sheet]:
    due_at, now = data.programme.due_at(data.month), timezone.now()
    labels = {kind: str(label) for kind, label in CooperationKind.choices}  # once, not per row
    summary_rows = [
        ("指标", i.name_zh, i.unit, Decimal(data.totals[i.code]["month"]), Decimal(data.totals[i.code]["year_to_date"]))
        for i in data.indicators
    ] + [
        ("报送", name, "份", data.counts[key], None)
        for key, name in [("expected", "应报"), ("on_time", "按时报送"), ("late", "逾期报送"), ("missing", "缺报"),
                          ("returned", "已退回"), ("accepted", "已通过")]
    ]  # fmt: skip

    def status_rows():
        for _pairing_id, number, town, school_id, school, report in data.expected:
            state = state_of(report, due_at, now)
            submitted = report[4] if report else None
            late_hours = (
                round((submitted - due_at).total_seconds() / 3600, 1)
                if submitted and submitted > due_at
                else None
            )
            name, phone, email = data.contacts.get(school_id, ("", "", ""))
            local = timezone.localtime(submitted).replace(tzinfo=None) if submitted else None
            yield (number, town, school, STATE_LABELS[state], local, late_hours, name, phone, email)

    def detail_rows():
        for pairing_id, number, town, school_id, school, report in data.expected:
            values = data.values.get(report[0], {}) if report else {}
            yield (report[0] if report else None, pairing_id, number, town, school_id, school,
                   STATE_LABELS[state_of(report, due_at, now)], *[values.get(i.pk) for i in data.indicators])  # fmt: skip

    def narrative_rows():
        for _pairing_id, number, town, _school_id, school, report in data.expected:
            narratives = (report[5] or {}) if report else {}
            for kind in CooperationKind.values:
                if narratives.get(kind):
                    yield (number, town, school, labels[kind], narratives[kind])

    def difficulty_rows():
        for _pairing_id, number, town, _school_id, school, report in data.expected:
            if report and report[6]:
                yield (number, town, school, report[6], "")

    detail_columns = [Column("报告ID", 10, "whole"), Column("结对ID", 8, "whole"), Column("序号", 6, "whole"),
                      Column("镇(街道)", 10), Column("学校ID", 8, "whole"), Column("学校", 26), Column("状态", 10)]  # fmt: skip
    detail_columns += [
        Column(f"{i.name_zh}（{i.unit}）" if i.unit else i.name_zh, 14, number_kind(i))
        for i in data.indicators
    ]
    return [
        Sheet(
            "汇总",
            [
                Column("类别", 8),
                Column("项目", 28),
                Column("单位", 8),
                Column("本月", 16, "decimal"),
                Column("本年累计", 16, "decimal"),
            ],
            summary_rows,
        ),  # fmt: skip
        Sheet(
            "报送情况",
            [
                Column("序号", 6, "whole"),
                Column("镇(街道)", 10),
                Column("学校", 26),
                Column("状态", 10),
                Column("报送时间", 17, "datetime"),
                Column("逾期(小时)", 10, "decimal"),
                Column("联络员", 12),
                Column("电话", 14),
                Column("邮箱", 24),
            ],
            status_rows(),
        ),  # fmt: skip
        Sheet("明细", detail_columns, detail_rows()),
        Sheet(
            "进展摘要",
            [
                Column("序号", 6, "whole"),
                Column("镇(街道)", 10),
                Column("学校", 26),
                Column("合作内容", 22),
                Column("进展", 80),
            ],
            narrative_rows(),
        ),  # fmt: skip
        Sheet(
            "困难问题",
            [
                Column("序号", 6, "whole"),
                Column("镇(街道)", 10),
                Column("学校", 26),
                Column("困难问题", 70),
                Column("跟进情况", 30),
            ],
            difficulty_rows(),
        ),  # fmt: skip
    ]


def write_workbook(data: MonthData, path: str, *, progress=None) -> None:
    writer = WorkbookWriter(path, title=f"{data.programme.name} {data.month:%Y年%m月}")
    for sheet in sheets(data):
        writer.add(sheet, progress=progress)
    writer.close()


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
        data = collect(programme, month)
        total = max(len(data.expected), 1)

        def progress(rows: int) -> None:
            MonthlySummary.objects.filter(pk=summary.pk, run_token=token).update(
                progress=min(99, rows * 100 // (total * 3))
            )

        write_workbook(data, temporary, progress=progress)
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
            current.counts, current.totals = data.counts, data.totals
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
            state=MonthlySummary.State.FAILED, failure_reason=f"{error.__class__.__name__}: {error}"[:500],
            finished_at=timezone.now(), run_token="",
        )  # fmt: skip
        raise
    finally:
        os.unlink(temporary)
