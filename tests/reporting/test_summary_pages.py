"""The summary and export pages: who may see them, starting a run, downloads, and bad input."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import openpyxl
import pytest

from core.months import Month
from pairing.models import Programme
from reporting.compilation import compile_month
from reporting.models import MonthlySummary
from tests.reporting.conftest import client_for
from tests.reporting.test_compilation import submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled(reporting_users):
    submit(reporting_users, "liaison", "东莞理工学院")
    return compile_month(Programme.objects.get(), Month(2024, 2))


def test_anonymous_users_are_sent_to_log_in(compiled):
    from django.test import Client

    for url in ["/reports/summaries/", "/reports/export/", f"/reports/summaries/{compiled.pk}/workbook/"]:
        response = Client().get(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_the_workbook_downloads_and_opens(compiled, reporting_users):
    response = client_for(reporting_users["commander"]).get(f"/reports/summaries/{compiled.pk}/workbook/")
    assert response["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert book.sheetnames == ["汇总", "报送情况", "明细", "进展摘要", "困难问题", "未计入合计"]


@pytest.mark.parametrize("scheduled", [True, False])
def test_an_out_of_date_summary_promises_a_recompilation_only_where_a_scheduler_runs(
    compiled, reporting_users, settings, scheduled
):
    """With a worker and its scheduler (production) the page says the month is compiled again
    automatically; without them (`make run`'s embedded default) it says to compile it again. Either
    way the workbook compiled before the change is named as such."""
    from reporting.models import MonthlyReport
    from reporting.services import report_return

    settings.CELERY_TASK_ALWAYS_EAGER = not scheduled
    report = MonthlyReport.objects.get(month=datetime.date(2024, 2, 1), status="submitted")
    report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    for client in (client_for(reporting_users["bureau"]), client_for(reporting_users["commander"])):
        page = client.get("/reports/summaries/").content.decode()
        assert ("自动" in page.split("已过时", 1)[1][:200]) is scheduled
        assert "下载（变动前的汇总）" in page
    summaries = client_for(reporting_users["bureau"]).get("/reports/summaries/").content.decode()
    assert ("本系统未运行定时任务" in summaries) is not scheduled


def test_the_summaries_keep_to_the_programme_asked_for(compiled, reporting_users):
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(name="宜宾测试")
    commander = client_for(reporting_users["commander"])
    assert list(commander.get("/reports/summaries/").context["summaries"]) == [compiled]
    mine = commander.get("/reports/summaries/", {"programme": compiled.programme_id})
    assert list(mine.context["summaries"]) == [compiled] and mine.context["chosen"] == compiled.programme
    assert list(commander.get("/reports/summaries/", {"programme": other.pk}).context["summaries"]) == []
    assert commander.get("/reports/summaries/", {"programme": "abc"}).status_code == 404


def test_the_bureau_starts_a_run_and_the_commander_cannot(
    reporting_users, django_capture_on_commit_callbacks, eager_tasks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(reporting_users["bureau"]).post(
            "/reports/summaries/compile/", {"programme": Programme.objects.get().pk, "month": "2024-02"}
        )
    programme = Programme.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/summaries/?programme={programme.pk}"
    summary = MonthlySummary.objects.get()
    assert summary.state == "done" and summary.requested_by == reporting_users["bureau"]
    response = client_for(reporting_users["commander"]).post(
        "/reports/summaries/compile/", {"programme": Programme.objects.get().pk, "month": "2024-02"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("month", "message"),
    [
        ("2024/02", "请按YYYY-MM格式填写月份"),
        ("2023-12", "月报从2024-01开始报送。"),
        ("2099-01", "2099-01尚未开始，还没有月报。"),
    ],
)
def test_a_bad_month_is_said_in_the_users_language(reporting_users, month, message):
    response = client_for(reporting_users["bureau"]).post(
        "/reports/summaries/compile/", {"programme": Programme.objects.get().pk, "month": month}, follow=True
    )
    assert message in response.content.decode()
    assert not MonthlySummary.objects.exists()


def test_a_month_not_yet_due_is_not_compiled(reporting_users):
    import time_machine

    with time_machine.travel(
        datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        response = client_for(reporting_users["bureau"]).post(
            "/reports/summaries/compile/",
            {"programme": Programme.objects.get().pk, "month": "2024-02"},
            follow=True,
        )
    assert (
        "2024-02月报的截止日为2024-02-28（北京时间，当天结束前均为按时），截止后才能汇总。"
        in response.content.decode()
    )
    assert not MonthlySummary.objects.exists()


def test_the_csv_is_long_format_with_stable_ids(reporting_users):
    report = submit(reporting_users, "liaison", "东莞理工学院", activities_held="7")
    response = client_for(reporting_users["commander"]).get(
        "/reports/export/",
        {"programme": Programme.objects.get().pk, "from": "2024-02", "to": "2024-02", "format": "csv"},
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 18 * 12  # expected reports x indicators
    mine = [r for r in rows if r["report_id"] == str(report.pk)]
    assert {r["indicator_code"]: r["value"] for r in mine}["activities_held"] == "7", (
        "written as the API writes it"
    )
    assert {(r["state"], r["first_submission"], r["counted"]) for r in mine} == {
        ("submitted_on_time", "on_time", "yes")
    }
    assert {r["value_not_counted"] for r in mine} == {""}
    assert {r["first_submission"] for r in rows if not r["report_id"]} == {""}, "never submitted: empty"


def test_the_excel_export_opens_with_openpyxl(reporting_users):
    submit(reporting_users, "liaison", "东莞理工学院")
    response = client_for(reporting_users["commander"]).get(
        "/reports/export/",
        {
            "programme": Programme.objects.get().pk,
            "from": "2024-01",
            "to": "2024-02",
            "format": "xlsx",
            "town_q": "长安",
        },
    )
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book["明细"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 2 * 2 * 12  # two months, the two schools of 长安, 12 indicators
    assert {row[4] for row in rows} == {"长安"}
    header = next(book["明细"].iter_rows(min_row=2, max_row=2, values_only=True))
    assert header[:11] == (
        "项目",
        "月份",
        "结对ID",
        "序号",
        "镇(街道)",
        "学校ID",
        "学校",
        "报告ID",
        "状态",
        "首次报送",
        "计入合计",
    )
    assert {row[8] for row in rows} == {"按时报送", "缺报"}
    assert {(row[8], row[9]) for row in rows} == {("按时报送", "按时"), ("缺报", None)}  # an empty cell


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"from": "2024-13", "to": "2024-02"}, "请按YYYY-MM格式填写月份"),
        ({"from": "2024-03", "to": "2024-02"}, "结束月份早于开始月份。"),
        ({"from": "2024-01", "to": "2024-02", "town_q": "不存在镇"}, "没有位于不存在镇的结对。"),
        ({"from": "2024-01", "to": "2024-02", "school_q": "不存在学校"}, "没有名为不存在学校的学校。"),
        ({"from": "2024-01", "to": "2024-02", "school": "abc"}, "选择一个有效的选项"),
    ],
)
def test_export_bad_input_is_named(reporting_users, params, message):
    response = client_for(reporting_users["commander"]).get(
        "/reports/export/", {"programme": Programme.objects.get().pk, "format": "csv", **params}
    )
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_town_or_school_export_says_so_and_one_of_another_programme_is_refused(reporting_users):
    from urllib.parse import unquote

    from pairing.models import Area

    submit(reporting_users, "liaison", "东莞理工学院")
    commander = client_for(reporting_users["commander"])
    programme = Programme.objects.get()
    export = {"programme": programme.pk, "from": "2024-02", "to": "2024-02"}
    town = Area.objects.get(name="长安", kind__in=Area.TOWN_KINDS)
    response = commander.get("/reports/export/", {**export, "format": "csv", "town": town.pk})
    assert "长安" in unquote(response["Content-Disposition"]), "a town's file is named after it"
    xlsx = commander.get("/reports/export/", {**export, "format": "xlsx", "town": town.pk})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    assert "长安" in str(book["汇总"]["A1"].value)
    from tests.factories import PairingFactory

    # A town and a school of another programme's pairing, which the commander also sees.
    other = PairingFactory(town__name="石泉县", lead_university__name="武汉理工大学")
    assert other.programme != programme
    for filters, name in (
        ({"town": other.town_id}, "石泉县"),
        ({"school": other.lead_university_id}, "武汉理工大学"),
    ):
        refused = commander.get("/reports/export/", {**export, "format": "csv", **filters})
        assert refused.status_code == 400
        assert f"{name}在本项目中没有结对。" in refused.content.decode()


def test_the_export_form_searches_towns_and_schools_and_keeps_what_was_typed(reporting_users):
    client = client_for(reporting_users["commander"])
    html = client.get("/reports/export/").content.decode()
    assert (
        'data-suggest="/pairings/choices/towns/"' in html
        and "<option" not in html.split("id_town_q")[1][:400]
    )
    response = client.get(
        "/reports/export/",
        {"programme": Programme.objects.get().pk, "from": "2024-13", "to": "2024-02", "format": "csv"},
    )
    html = response.content.decode()
    assert 'value="2024-13"' in html and 'value="2024-02"' in html, "a wrong month stays in its field"


def test_a_large_export_runs_as_a_task_with_progress_and_only_its_owner_sees_it(
    reporting_users, settings, django_capture_on_commit_callbacks, eager_tasks
):
    from reporting.models import ExportJob

    settings.EXPORT_INLINE_MAX_ROWS = 10
    submit(reporting_users, "liaison", "东莞理工学院", activities_held="9")
    commander = client_for(reporting_users["commander"])
    with django_capture_on_commit_callbacks(execute=True):
        response = commander.get(
            "/reports/export/",
            {"programme": Programme.objects.get().pk, "from": "2024-01", "to": "2024-02", "format": "xlsx"},
        )
    job = ExportJob.objects.get()
    assert response.status_code == 302 and response.url == f"/reports/export/jobs/{job.pk}/"
    assert (job.state, job.progress) == ("done", 100)
    page = commander.get(response.url)
    assert "导出文件已生成" in page.content.decode()
    download = commander.get(response.url, {"download": "1"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert len(list(book["明细"].iter_rows(min_row=3))) == 2 * 18 * 12
    assert client_for(reporting_users["bureau"]).get(response.url).status_code == 404


def test_a_large_csv_export_runs_as_a_task_too_with_the_same_lines(
    reporting_users, settings, django_capture_on_commit_callbacks, eager_tasks
):
    """A province's month of CSV took 38 s inside the request, its half-year six minutes: past the
    inline size a CSV is built by a worker like a workbook, line for line what the request streams."""
    from reporting.models import ExportJob

    submit(reporting_users, "liaison", "东莞理工学院", activities_held="9")
    commander = client_for(reporting_users["commander"])
    export = {"programme": Programme.objects.get().pk, "from": "2024-01", "to": "2024-02", "format": "csv"}
    streamed = b"".join(commander.get("/reports/export/", export).streaming_content)
    settings.EXPORT_INLINE_MAX_ROWS = 10
    with django_capture_on_commit_callbacks(execute=True):
        response = commander.get("/reports/export/", export)
    job = ExportJob.objects.get()
    assert response.status_code == 302 and (job.state, job.parameters["format"]) == ("done", "csv")
    assert "下载CSV" in commander.get(response.url).content.decode()
    download = commander.get(response.url, {"download": "1"})
    assert download["Content-Disposition"].endswith('.csv"')
    built = b"".join(download.streaming_content)
    assert built == streamed and len(built.decode("utf-8-sig").splitlines()) == 1 + 2 * 18 * 12


def test_a_running_export_shows_its_progress(reporting_users):
    from reporting.models import ExportJob

    job = ExportJob.objects.create(
        user=reporting_users["commander"],
        programme=Programme.objects.get(),
        state="running",
        progress=40,
        parameters={"from": "2024-01", "to": "2024-02"},
    )
    html = client_for(reporting_users["commander"]).get(f"/reports/export/jobs/{job.pk}/").content.decode()
    assert 'aria-valuenow="40"' in html and 'http-equiv="refresh"' in html


def test_the_forms_offer_a_programmes_first_report_month_before_any_is_due(reporting_users):
    """A programme whose reports begin next month was offered last month, which its export refused."""
    from tests.factories import ProgrammeFactory

    first = Month.current().next()
    programme = ProgrammeFactory(first_report_month=first.first_day)
    bureau = client_for(reporting_users["bureau"])
    assert bureau.get("/reports/export/", {"programme": programme.pk}).context["default_month"] == str(first)
    assert bureau.get("/reports/summaries/", {"programme": programme.pk}).context["default_month"] == first
