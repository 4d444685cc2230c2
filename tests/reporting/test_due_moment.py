"""The due moment: the programme's day and time in Asia/Shanghai, and timeliness decided by it."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from pairing.models import Programme
from reporting.services import report_save_draft, report_submit
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC


def submit_at(users, moment: datetime.datetime):
    report = make_report(users["liaison"])
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1", "residency_days": "2"}
    )
    return report_submit(report=report, user=users["liaison"], now=moment)


def test_due_at_is_the_28th_at_23_59_59_in_shanghai(indicators):
    due = Programme.objects.get().due_at(datetime.date(2024, 2, 1))
    assert due == datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)
    assert due.astimezone(UTC) == datetime.datetime(2024, 2, 28, 15, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "late"),
    [
        (datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI), False),
        (datetime.datetime(2024, 2, 29, 0, 0, 0, tzinfo=SHANGHAI), True),
        (datetime.datetime(2024, 2, 28, 16, 30, tzinfo=UTC), True),  # 00:30 on the 29th in Shanghai
        (datetime.datetime(2024, 2, 28, 15, 59, 59, tzinfo=UTC), False),
        (datetime.datetime(2024, 2, 1, 9, 0, tzinfo=SHANGHAI), False),
    ],
)
def test_submission_is_on_time_up_to_the_due_moment(reporting_users, moment, late):
    report = submit_at(reporting_users, moment)
    assert report.is_late is late
    if late:
        assert report.lateness == moment - datetime.datetime(2024, 2, 28, 23, 59, 59, tzinfo=SHANGHAI)


def test_the_28th_is_no_exception_when_it_is_the_last_working_day(reporting_users):
    # 2024-09-28 was a Saturday (a make-up working day in China); the programme says nothing, so the 28th holds.
    report = make_report(reporting_users["liaison"], month=datetime.date(2024, 9, 1))
    report_save_draft(
        report=report, user=reporting_users["liaison"], values={"activities_held": "1", "residency_days": "1"}
    )
    report = report_submit(
        report=report,
        user=reporting_users["liaison"],
        now=datetime.datetime(2024, 9, 29, 8, 0, tzinfo=SHANGHAI),
    )
    assert report.is_late


def test_another_programme_has_another_due_moment(reporting_users):
    programme = Programme.objects.get()
    programme.report_due_day, programme.report_due_time = 10, datetime.time(17, 0)
    programme.save()
    report = submit_at(reporting_users, datetime.datetime(2024, 2, 10, 17, 0, 1, tzinfo=SHANGHAI))
    assert report.is_late


def test_a_resubmission_keeps_the_timeliness_of_the_first_submission(reporting_users):
    from reporting.services import report_return

    report = submit_at(reporting_users, datetime.datetime(2024, 2, 27, 10, 0, tzinfo=SHANGHAI))
    report = report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    report = report_submit(
        report=report,
        user=reporting_users["liaison"],
        now=datetime.datetime(2024, 3, 5, 10, 0, tzinfo=SHANGHAI),
    )
    assert report.status == "resubmitted"
    assert not report.is_late
