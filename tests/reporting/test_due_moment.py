"""The due moment: a report first submitted at any moment of the due day (Asia/Shanghai) is on time;
from 00:00:00 of the next day it is late, and a late report is never "0 hours late"."""

import datetime
from zoneinfo import ZoneInfo

import pytest

from core.months import Month, lateness_hours
from pairing.models import Programme
from reporting.expectations import State, expected_reports, month_tally
from reporting.services import report_save_draft, report_submit
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
UTC = datetime.UTC
FEBRUARY = Month(2024, 2)


def submit_at(users, moment: datetime.datetime):
    report = make_report(users["liaison"])
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1", "residency_days": "2"}
    )
    return report_submit(report=report, user=users["liaison"], now=moment)


def test_a_report_is_late_from_midnight_after_the_28th_in_shanghai(indicators):
    programme = Programme.objects.get()
    assert programme.due_date(FEBRUARY) == datetime.date(2024, 2, 28)
    late_from = programme.late_from(FEBRUARY)
    assert late_from == datetime.datetime(2024, 2, 29, 0, 0, tzinfo=SHANGHAI)
    assert late_from.astimezone(UTC) == datetime.datetime(2024, 2, 28, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("moment", "late"),
    [
        (
            datetime.datetime(2024, 2, 28, 23, 59, 59, 999999, tzinfo=SHANGHAI),
            False,
        ),  # the due day's last instant
        (datetime.datetime(2024, 2, 28, 23, 59, 59, 500000, tzinfo=SHANGHAI), False),
        (datetime.datetime(2024, 2, 29, 0, 0, 0, tzinfo=SHANGHAI), True),
        (datetime.datetime(2024, 2, 28, 16, 30, tzinfo=UTC), True),  # 00:30 on the 29th in Shanghai
        (datetime.datetime(2024, 2, 28, 15, 59, 59, tzinfo=UTC), False),
        (datetime.datetime(2024, 2, 1, 9, 0, tzinfo=SHANGHAI), False),
    ],
)
def test_submission_is_on_time_through_the_whole_due_day(reporting_users, moment, late):
    report = submit_at(reporting_users, moment)
    assert report.is_late is late
    if late:
        assert report.lateness == moment - datetime.datetime(2024, 2, 29, tzinfo=SHANGHAI)
    [row] = [r for r in expected_reports(FEBRUARY) if r.report_id == report.pk]
    assert row.state == (State.SUBMITTED_LATE if late else State.SUBMITTED_ON_TIME)
    assert row.is_late is late


def test_a_report_late_by_a_moment_is_not_zero_hours_late(reporting_users):
    report = submit_at(reporting_users, datetime.datetime(2024, 2, 29, 0, 0, 0, 300000, tzinfo=SHANGHAI))
    [row] = [r for r in expected_reports(FEBRUARY) if r.report_id == report.pk]
    assert row.hours_late == 0.1
    assert lateness_hours(report.late_from, report.late_from) == 0.1  # exactly at midnight: late, 0.1 h
    assert lateness_hours(report.late_from + datetime.timedelta(minutes=61), report.late_from) == 1.1


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


def test_another_programme_has_another_due_day(reporting_users):
    programme = Programme.objects.get()
    programme.report_due_day = 10
    programme.save()
    on_time = submit_at(reporting_users, datetime.datetime(2024, 2, 10, 23, 30, tzinfo=SHANGHAI))
    assert not on_time.is_late
    assert on_time.late_from == datetime.datetime(2024, 2, 11, tzinfo=SHANGHAI)


def test_a_month_is_missing_only_once_it_is_late(reporting_users):
    eve = datetime.datetime(2024, 2, 28, 23, 0, tzinfo=SHANGHAI)
    after = datetime.datetime(2024, 2, 29, 0, 0, tzinfo=SHANGHAI)
    assert month_tally(FEBRUARY, now=eve).missing == 0
    assert month_tally(FEBRUARY, now=eve).pending == 18
    assert month_tally(FEBRUARY, now=after).missing == 18


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


def test_a_programme_that_has_ended_expects_no_more_reports(reporting_users):
    """The programme's own end stops its months, even for pairings whose status still says active."""
    programme = Programme.objects.get()
    programme.end_date = datetime.date(2024, 1, 31)
    programme.save()
    eve = datetime.datetime(2024, 3, 1, tzinfo=SHANGHAI)
    assert month_tally(Month(2024, 1), now=eve).expected == 18
    assert month_tally(FEBRUARY, now=eve).expected == 0
    assert not expected_reports(FEBRUARY)


def test_pages_open_on_the_programme_running_today(reporting_users):
    from pairing.selectors import programme_chosen

    current = Programme.objects.get()
    Programme.objects.create(
        code="done-2013",
        name="已结束的项目",
        start_date=datetime.date(2013, 1, 1),
        end_date=datetime.date(2015, 12, 31),
        first_report_month=datetime.date(2013, 1, 1),
    )
    chosen, programmes = programme_chosen(reporting_users["bureau"], None)
    assert chosen == current and programmes.count() == 2
    assert programme_chosen(reporting_users["bureau"], "not-an-id")[0] is None


def test_a_rate_is_of_a_due_month_only():
    """Before the due moment the early few would read 100%; once due, every report is submitted or
    missing and the rate is of them all."""
    from collections import Counter

    from reporting.expectations import State, Tally

    early = Tally(Counter({State.NOT_STARTED: 16, State.DRAFT: 1, State.SUBMITTED_ON_TIME: 1}), on_time=1)
    assert early.due == 0 and early.rate(early.on_time, month_is_due=False) is None
    due = Tally(Counter({State.MISSING: 17, State.SUBMITTED_ON_TIME: 1}), on_time=1)
    assert due.due == 18 and due.rate(due.on_time, month_is_due=True) == 6
    returned_late = Tally(Counter({State.RETURNED: 1, State.ACCEPTED: 1}), on_time=1, late=1)
    assert returned_late.due == 2 and returned_late.rate(returned_late.late, month_is_due=True) == 50
    # Every report in early (a town's two schools, say): still no rate before the month is due.
    all_early = Tally(Counter({State.SUBMITTED_ON_TIME: 2}), on_time=2)
    assert all_early.rated(month_is_due=False) == 0 and all_early.rate(2, month_is_due=False) is None
    assert all_early.rate(2, month_is_due=True) == 100


def test_a_months_cached_counts_are_kept_across_midnight_and_counted_again_at_its_deadline(reporting_users):
    """A month's counts change with time only when its deadline passes (not started -> missing), so
    the cached tally is kept across an ordinary midnight and counted again at the deadline itself."""
    import time_machine
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from pairing.selectors import pairings_visible_to
    from reporting.selectors import cached_tally

    programme = Programme.objects.get()
    bureau = reporting_users["bureau"]
    pairings = pairings_visible_to(bureau).filter(programme=programme)
    march = Month(2024, 3)  # due 2024-03-28: late from 2024-03-29 00:00 in Shanghai

    def tally_at(*moment):
        when = datetime.datetime(*moment, tzinfo=SHANGHAI)
        with time_machine.travel(when, tick=False), CaptureQueriesContext(connection) as queries:
            tally = cached_tally(bureau, programme, march, pairings)
        return tally, any("COUNT(" in q["sql"] for q in queries.captured_queries)

    before, counted = tally_at(2024, 3, 27, 23, 55)
    assert counted and before.missing == 0 and before.pending == 18
    next_day, counted = tally_at(2024, 3, 28, 0, 5)
    assert not counted and next_day == before, "kept across midnight: nothing can have changed"
    due, counted = tally_at(2024, 3, 29, 0, 0)
    assert counted and due.missing == 18 and due.pending == 0, "counted again at the deadline"
    later, counted = tally_at(2024, 3, 29, 0, 5)
    assert not counted and later == due
