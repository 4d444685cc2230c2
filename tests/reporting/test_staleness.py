"""A compiled month that changes afterwards is out of date until it is compiled again; the sweep
recompiles it once it has been quiet and is due, and only then."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import OutboxMessage
from core.months import Month
from pairing.models import Programme
from reporting import tasks
from reporting.compilation import compile_month
from reporting.models import MonthlySummary
from reporting.services import report_accept, report_return
from tests.reporting.test_compilation import submit

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEB = Month(2024, 2)


@pytest.fixture
def compiled(reporting_users, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    report = submit(reporting_users, "liaison", "东莞理工学院")
    return report, compile_month(Programme.objects.get(), FEB)


def test_a_transition_after_compiling_marks_the_summary_out_of_date(compiled, reporting_users):
    report, summary = compiled
    assert not summary.is_stale
    report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    summary.refresh_from_db()
    assert summary.is_stale and summary.source_changed_at > summary.compiled_from


def test_saving_a_draft_changes_no_figure_and_does_not_mark_it(compiled, reporting_users):
    from reporting.services import report_save_draft
    from tests.reporting.conftest import make_report

    other = make_report(reporting_users["assisting_liaison"], school="东莞市机电工程学校")
    report_save_draft(
        report=other, user=reporting_users["assisting_liaison"], values={"activities_held": "2"}
    )
    assert not MonthlySummary.objects.get().is_stale


def test_the_sweep_waits_for_quiet_then_recompiles_once(reporting_users, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    sent = []
    monkeypatch.setattr(tasks, "enqueue", lambda *args: sent.append(args))
    with time_machine.travel(datetime.datetime(2024, 3, 1, 10, 0, tzinfo=SHANGHAI), tick=False):
        report = submit(reporting_users, "liaison", "东莞理工学院")
        compile_month(Programme.objects.get(), FEB)
    changed = datetime.datetime(2024, 3, 2, 10, 0, tzinfo=SHANGHAI)
    with time_machine.travel(changed, tick=False):
        report_accept(report=report, reviewer=reporting_users["bureau"])
    with time_machine.travel(changed + datetime.timedelta(minutes=2), tick=False):
        assert tasks.recompile_stale_months() == [], "not quiet for five minutes yet"
    with time_machine.travel(changed + datetime.timedelta(minutes=6), tick=False):
        assert tasks.recompile_stale_months() == ["dongguan-bqw-2023 2024-02"]
        assert tasks.recompile_stale_months() == [], "a second sweep does not queue it again"
    assert sent == [("reporting.compile_monthly_summary", Programme.objects.get().pk, "2024-02")]
    assert MonthlySummary.objects.get().state == "queued"


def test_a_month_not_yet_due_is_not_recompiled(reporting_users, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks, "enqueue", lambda *args: pytest.fail("queued a month that is not due"))
    with time_machine.travel(datetime.datetime(2024, 2, 20, 10, 0, tzinfo=SHANGHAI), tick=False):
        report = submit(reporting_users, "liaison", "东莞理工学院")
        compile_month(Programme.objects.get(), FEB)  # compiled early, from the command's service
        report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    with time_machine.travel(datetime.datetime(2024, 2, 28, 23, 0, tzinfo=SHANGHAI), tick=False):
        assert tasks.recompile_stale_months() == []


def test_recompiling_through_the_outbox_brings_it_up_to_date(
    compiled, reporting_users, django_capture_on_commit_callbacks, eager_tasks
):
    report, _summary = compiled
    report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(minutes=10)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert tasks.recompile_stale_months() == ["dongguan-bqw-2023 2024-02"]
    summary = MonthlySummary.objects.get()
    assert (summary.state, summary.is_stale) == ("done", False)
    assert summary.counts["returned"] == 1
    assert OutboxMessage.objects.filter(
        task="reporting.compile_monthly_summary", sent_at__isnull=False
    ).exists()
