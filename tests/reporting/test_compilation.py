"""The monthly compilation: the workbook read back with openpyxl, counts, totals, safety, reruns."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from core.months import Month
from pairing.models import Programme
from reporting.compilation import AlreadyRunning, compile_month
from reporting.compilation.service import chunks
from reporting.models import Indicator, IndicatorValue, MonthlyReport, MonthlySummary
from reporting.services import report_accept, report_return, report_save_draft, report_submit
from tests.helpers import celery_worker
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEB, JAN = Month(2024, 2), Month(2024, 1)


def submit(users, key, school, *, month=FEB, number=6, when=None, **values):
    report = make_report(users[key], month=month.first_day, school=school, number=number)
    report_save_draft(
        report=report, user=users[key], values={"activities_held": "1", "residency_days": "2", **values}
    )
    return report_submit(
        report=report, user=users[key], now=when or datetime.datetime(2024, 2, 20, tzinfo=SHANGHAI)
    )


@pytest.fixture
def month_of_reports(reporting_users):
    users = reporting_users
    on_time = submit(
        users,
        "liaison",
        "东莞理工学院",
        when=datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI),
        activities_held="7",
        funds_invested="1200.50",
        people_trained="30",
    )
    late = submit(
        users,
        "assisting_liaison",
        "东莞市机电工程学校",
        when=datetime.datetime(2024, 2, 29, 0, 0, 0, tzinfo=SHANGHAI),
        activities_held="5",
        funds_invested="99.50",
    )
    returned = submit(users, "other_liaison", "广东医科大学", number=4, activities_held="100")
    report_return(report=returned, reviewer=users["bureau"], comment="请修改")
    report_accept(report=on_time, reviewer=users["bureau"])
    january = submit(users, "liaison", "东莞理工学院", month=JAN, activities_held="3", people_trained="12")
    report_accept(report=january, reviewer=users["bureau"])
    return {"on_time": on_time, "late": late, "returned": returned}


def read(summary) -> openpyxl.Workbook:
    with summary.workbook.open("rb") as handle:
        return openpyxl.load_workbook(io.BytesIO(handle.read()))


def rows(sheet) -> list[tuple]:
    return list(sheet.iter_rows(min_row=3, values_only=True))


def independent_totals(month: Month) -> dict[str, tuple[Decimal, Decimal]]:
    """Recomputed here from the reports, by each indicator's own rule, without the compilation's code."""
    counted = ["submitted", "resubmitted", "accepted"]
    result = {}
    for indicator in Indicator.objects.all():
        values = IndicatorValue.objects.filter(indicator=indicator, report__status__in=counted)
        this_month = sum((v.value for v in values.filter(report__month=month.first_day)), Decimal(0))
        year = values.filter(
            report__month__gte=Month(month.year, 1).first_day, report__month__lte=month.first_day
        )
        by_source: dict = {}
        for value in year.select_related("report").order_by("report__month"):
            by_source.setdefault((value.report.pairing_id, value.report.school_id), []).append(value.value)
        if indicator.aggregation == "sum":
            ytd = sum((sum(v) for v in by_source.values()), Decimal(0))
        elif indicator.aggregation == "max":
            ytd = sum((max(v) for v in by_source.values()), Decimal(0))
        else:
            ytd = sum((v[-1] for v in by_source.values()), Decimal(0))
        result[indicator.name_zh] = (this_month, ytd)
    return result


def test_totals_on_the_summary_sheet_equal_the_reports(month_of_reports):
    Indicator.objects.filter(code="people_trained").update(aggregation="max")
    Indicator.objects.filter(code="funds_invested").update(aggregation="latest")
    summary = compile_month(Programme.objects.get(), FEB)
    sheet = read(summary)["汇总"]
    expected = independent_totals(FEB)
    found = {row[1]: (Decimal(str(row[3])), Decimal(str(row[4]))) for row in rows(sheet) if row[0] == "指标"}
    assert found == expected
    assert found["开展活动场次"] == (
        Decimal(12),
        Decimal(15),
    )  # 7 + 5 this month (returned excluded), + 3 in January
    assert found["培训人数"] == (Decimal(30), Decimal(30))  # max per school over the year: max(30, 12)
    assert found["投入资金"] == (Decimal("1300.00"), Decimal("1300.00"))


def test_counts_equal_the_statuses(month_of_reports):
    summary = compile_month(Programme.objects.get(), FEB)
    assert summary.counts == {
        "expected": 18,
        "on_time": 2,
        "late": 1,
        "missing": 15,
        "pending": 0,
        "returned": 1,
        "waiting_review": 1,
        "accepted": 1,
        "counted": 2,
    }
    counts = {row[1]: row[3] for row in rows(read(summary)["汇总"]) if row[0] == "报送"}
    assert counts == {
        "应报": 18,
        "首次报送按时": 2,
        "首次报送逾期": 1,
        "缺报": 15,
        "已退回": 1,
        "待审核": 1,
        "已通过": 1,
        "计入合计的月报": 2,
    }


def test_every_indicator_column_of_the_detail_sums_to_the_summary(month_of_reports):
    book = read(compile_month(Programme.objects.get(), FEB))
    summary = {row[1]: Decimal(str(row[3])) for row in rows(book["汇总"]) if row[0] == "指标"}
    header = next(book["明细"].iter_rows(min_row=2, max_row=2, values_only=True))
    detail = rows(book["明细"])
    for index, title in enumerate(header[7:], start=7):
        name = title.split("（")[0]
        column_sum = sum((Decimal(str(row[index])) for row in detail if row[index] is not None), Decimal(0))
        assert column_sum == summary[name], name
    assert summary["开展活动场次"] == 12  # the returned report's 100 is not in 明细's column
    returned = next(row for row in detail if row[5] == "广东医科大学")
    assert returned[6] == "已退回" and all(value is None for value in returned[7:])
    not_counted = rows(book["未计入合计"])
    assert [(row[5], row[6]) for row in not_counted] == [("广东医科大学", "已退回")]
    assert 100 in not_counted[0][7:]
    note = next(row[1] for row in rows(book["汇总"]) if row[0] == "说明")
    assert "只统计已报送、已重新报送和已通过的月报（本月2份）" in note


def test_the_due_moment_decides_on_time_and_late(month_of_reports):
    sheet = read(compile_month(Programme.objects.get(), FEB))["报送情况"]
    by_school = {row[2]: row for row in rows(sheet)}
    assert by_school["东莞理工学院"][5] is None  # 23:59:59 on the 28th: on time
    assert by_school["东莞理工学院"][3] == "已通过"
    assert by_school["东莞市机电工程学校"][5] == 0.1  # 00:00:00 on the 29th: late, and never "0 hours"
    assert by_school["东莞市机电工程学校"][3] == "逾期报送"
    assert by_school["东莞市机电工程学校"][4] == datetime.datetime(2024, 2, 29, 0, 0)


def test_detail_has_one_row_per_expected_report_with_stable_ids(month_of_reports):
    sheet = read(compile_month(Programme.objects.get(), FEB))["明细"]
    detail = rows(sheet)
    assert len(detail) == 18
    ids = {row[0] for row in detail if row[0] is not None}
    assert ids == set(MonthlyReport.objects.filter(month=FEB.first_day).values_list("pk", flat=True))
    header = next(sheet.iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[:7] == ("报告ID", "结对ID", "序号", "镇(街道)", "学校ID", "学校", "状态")


def test_every_sheet_is_formatted_for_print_and_filtering(month_of_reports):
    book = read(compile_month(Programme.objects.get(), FEB))
    assert book.sheetnames == ["汇总", "报送情况", "明细", "进展摘要", "困难问题", "未计入合计"]
    for sheet in book:
        assert sheet["A1"].value.endswith(sheet.title) and "2024年2月" in sheet["A1"].value
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")
        assert sheet.auto_filter.ref.endswith(str(sheet.max_row)), "the filter covers every row"
        assert sheet.page_setup.orientation == "landscape" and sheet.page_setup.paperSize == 9
        assert sheet["A2"].font.bold
        assert sheet.column_dimensions["B"].width > 5
    detail = book["明细"]
    money_column = next(c for c in detail[2] if c.value == "投入资金（元）").column_letter
    money_cells = [c for c in detail[money_column][2:] if c.value is not None]
    assert money_cells and all("¥" in c.number_format for c in money_cells)
    assert book["报送情况"]["A3"].number_format == "#,##0"


def test_reading_in_chunks_gives_the_same_rows_in_the_same_order(month_of_reports):
    programme = Programme.objects.get()
    whole = [row for chunk in chunks(programme, FEB) for row in chunk.rows]
    assert len(whole) == 18
    assert [row for chunk in chunks(programme, FEB, size=3) for row in chunk.rows] == whole
    first = programme.pairings.get(number=1)
    assert (whole[0].number, whole[0].school_id) == (1, first.lead_university_id), (
        "the lead school comes first"
    )
    assert [row.number for row in whole] == sorted(row.number for row in whole)


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(A1:A2)", "\tTAB", "=1+1"])
def test_text_that_looks_like_a_formula_stays_text(reporting_users, text):
    report = make_report(reporting_users["liaison"])
    report_save_draft(
        report=report,
        user=reporting_users["liaison"],
        values={"activities_held": "1", "residency_days": "1"},
        difficulties=text,
        narratives={"talent": text},
    )
    MonthlyReport.objects.filter(pk=report.pk).update(difficulties=text, narratives={"talent": text})
    book = read(compile_month(Programme.objects.get(), FEB))
    for sheet, column in [("困难问题", 4), ("进展摘要", 5)]:
        cell = book[sheet].cell(row=3, column=column)
        assert cell.data_type == "s" and cell.value == text


def test_compiling_twice_gives_the_same_content(month_of_reports, django_capture_on_commit_callbacks):
    programme = Programme.objects.get()
    first = compile_month(programme, FEB)
    first_rows = {sheet.title: rows(sheet) for sheet in read(first)}
    first_file = first.workbook.name
    with django_capture_on_commit_callbacks(execute=True):
        second = compile_month(programme, FEB)
    assert {sheet.title: rows(sheet) for sheet in read(second)} == first_rows
    assert MonthlySummary.objects.count() == 1
    assert second.workbook.name != first_file
    assert not second.workbook.storage.exists(first_file), "the replaced workbook is removed"


def test_a_failure_midway_leaves_the_previous_summary_in_place(month_of_reports, monkeypatch):
    programme = Programme.objects.get()
    good = compile_month(programme, FEB)
    good_rows = rows(read(good)["明细"])

    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr("reporting.compilation.service.write_workbook", broken)
    with pytest.raises(OSError):
        compile_month(programme, FEB)
    summary = MonthlySummary.objects.get()
    assert summary.state == "failed" and summary.failure_reason == "OSError: disk full"
    assert summary.workbook.name == good.workbook.name and summary.counts == good.counts
    assert rows(read(summary)["明细"]) == good_rows


def test_two_runs_of_the_same_month_at_once_do_not_both_write(month_of_reports):
    programme = Programme.objects.get()
    MonthlySummary.objects.create(
        programme=programme,
        month=FEB.first_day,
        state="running",
        started_at=datetime.datetime.now(datetime.UTC),
        heartbeat_at=datetime.datetime.now(datetime.UTC),
    )
    with pytest.raises(AlreadyRunning):
        compile_month(programme, FEB)
    assert not MonthlySummary.objects.get().workbook


def test_a_stale_run_is_taken_over(month_of_reports):
    programme = Programme.objects.get()
    MonthlySummary.objects.create(
        programme=programme,
        month=FEB.first_day,
        state="running",
        started_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=3),
    )
    assert compile_month(programme, FEB).state == "done"


def test_the_command_writes_the_workbook(month_of_reports, tmp_path):
    out = io.StringIO()
    path = tmp_path / "2024-02.xlsx"
    call_command("compile_monthly_summary", "2024-02", "--output", str(path), stdout=out)
    assert "expected 18, on time 2, late 1, missing 15" in out.getvalue()
    assert openpyxl.load_workbook(path).sheetnames[0] == "汇总"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2024-2"], "month '2024-2' is not YYYY-MM"),
        (["2024-13"], "month '2024-13' is not YYYY-MM"),
        (["2023-12"], "2023-12 is before the first report month 2024-01"),
        (["2099-01"], "2099-01 is in the future"),
        (["2024-02", "--programme", "nope"], "unknown programme 'nope'"),
    ],
)
def test_the_command_refuses_bad_input_in_one_line(indicators, args, message):
    with pytest.raises(CommandError) as error:
        call_command("compile_monthly_summary", *args)
    assert str(error.value) == message


def test_the_command_refuses_a_month_not_yet_due(indicators):
    import time_machine

    at = datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)
    with time_machine.travel(at, tick=False), pytest.raises(CommandError) as error:
        call_command("compile_monthly_summary", "2024-02")
    assert str(error.value) == "2024-02 is due by the end of 2024-02-28 (Beijing time); compile it after that"
    assert not MonthlySummary.objects.exists()


def test_the_beat_schedule_compiles_half_an_hour_after_the_due_moment():
    import time_machine

    from portal.celery import app
    from reporting.tasks import compile_due_months

    entry = app.conf.beat_schedule["compile-monthly-summaries"]
    assert entry["task"] == compile_due_months.name
    due = datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)  # last run: the due moment
    with time_machine.travel(datetime.datetime(2024, 2, 29, 0, 29, tzinfo=SHANGHAI), tick=False):
        assert not entry["schedule"].is_due(due).is_due
    with time_machine.travel(datetime.datetime(2024, 2, 29, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert entry["schedule"].is_due(due).is_due, "00:30 Beijing time, not 00:30 UTC"


def test_the_daily_job_queues_each_month_past_its_due_moment_once(month_of_reports, monkeypatch):
    import time_machine

    from reporting import tasks

    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda *args: sent.append(args))
    with time_machine.travel(datetime.datetime(2024, 2, 28, 23, 59, tzinfo=SHANGHAI), tick=False):
        assert tasks.compile_due_months() == ["dongguan-bqw-2023 2024-01"]
    with time_machine.travel(datetime.datetime(2024, 2, 29, 0, 30, tzinfo=SHANGHAI), tick=False):
        compile_month(Programme.objects.get(), JAN)
        assert tasks.compile_due_months() == ["dongguan-bqw-2023 2024-02"]


def test_the_daily_job_compiles_no_month_after_a_programmes_end(month_of_reports, monkeypatch):
    import time_machine

    from reporting import tasks

    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda *args: sent.append(args))
    Programme.objects.update(end_date=datetime.date(2024, 1, 31))
    with time_machine.travel(datetime.datetime(2024, 2, 29, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert tasks.compile_due_months() == ["dongguan-bqw-2023 2024-01"]  # not 2024-02
    with time_machine.travel(datetime.datetime(2024, 4, 1, 0, 30, tzinfo=SHANGHAI), tick=False):
        assert tasks.compile_due_months() == []


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_compiles_a_month(redis_url, users, indicators):
    from reporting.tasks import compile_monthly_summary

    submit(users, "liaison", "东莞理工学院")
    with celery_worker():
        assert (
            compile_monthly_summary.delay(Programme.objects.get().pk, "2024-02-01").get(timeout=60) == "done"
        )
    summary = MonthlySummary.objects.get()
    assert summary.counts["expected"] == 18 and summary.counts["on_time"] == 1
    assert read(summary).sheetnames[0] == "汇总"
