"""Reminders: sent to exactly the right people, once, in their language; with a real worker in CI."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import Notice
from reporting.models import MonthlyReport, ReminderSent
from reporting.services import report_return, report_save_draft, report_submit
from reporting.tasks import remind_before_due, remind_missing, remind_reviews_waiting
from tests.helpers import celery_worker
from tests.reporting.conftest import client_for, make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
FEBRUARY = datetime.date(2024, 2, 1)


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def with_emails(reporting_users):
    for key, user in reporting_users.items():
        user.email = f"{key}@example.org"
        user.save()
    return reporting_users


def submit(users, key="liaison", when=None, month=FEBRUARY, school="东莞理工学院", number=6):
    report = make_report(users[key], month=month, school=school, number=number)
    report_save_draft(report=report, user=users[key], values={"activities_held": "1", "residency_days": "2"})
    return report_submit(report=report, user=users[key], now=when)


def recipients(mailoutbox) -> set[str]:
    return {address for message in mailoutbox for address in message.to}


def test_before_due_reminds_exactly_the_liaisons_whose_report_is_not_submitted(with_emails, mailoutbox):
    users = with_emails
    submit(users, when=at(2024, 2, 20, 10))  # 东莞理工学院 has submitted
    with time_machine.travel(at(2024, 2, 26, 9, 0), tick=False):
        assert remind_before_due() == 2
    assert recipients(mailoutbox) == {"assisting_liaison@example.org", "other_liaison@example.org"}
    assert all("即将截止" in m.subject for m in mailoutbox)
    assert "2024-02-28" in mailoutbox[0].body
    assert mailoutbox[0].alternatives[0][1] == "text/html"
    assert Notice.objects.filter(user=users["assisting_liaison"]).count() == 1


def test_a_second_run_sends_nothing(with_emails, mailoutbox):
    with time_machine.travel(at(2024, 2, 26, 9, 0), tick=False):
        first = remind_before_due()
        second = remind_before_due()
    assert (first, second) == (3, 0)
    assert len(mailoutbox) == 3
    assert ReminderSent.objects.filter(kind="before_due").count() == 3


@pytest.mark.parametrize("moment", [at(2024, 2, 20, 9, 0), at(2024, 2, 24, 9, 0)])
def test_no_reminder_before_the_programmes_window(with_emails, mailoutbox, moment):
    with time_machine.travel(moment, tick=False):
        assert remind_before_due() == 0
    assert mailoutbox == []


def test_the_window_is_a_programme_setting(with_emails, mailoutbox):
    from pairing.models import Programme

    Programme.objects.update(reminder_days_before_due=10)
    with time_machine.travel(at(2024, 2, 19, 9, 0), tick=False):
        assert remind_before_due() == 3


def test_the_day_after_the_due_date_those_still_missing_are_reminded_once(with_emails, mailoutbox):
    from pairing.models import Programme

    Programme.objects.update(first_report_month=FEBRUARY)  # so January owes nothing here
    users = with_emails
    submit(users, key="assisting_liaison", school="东莞市机电工程学校", when=at(2024, 2, 28, 23, 59, 59))
    with time_machine.travel(at(2024, 2, 28, 23, 0), tick=False):
        assert remind_missing() == 0  # not due yet
    with time_machine.travel(at(2024, 2, 29, 9, 5), tick=False):
        assert remind_missing() == 2
        assert remind_missing() == 0
    assert recipients(mailoutbox) == {"liaison@example.org", "other_liaison@example.org"}
    assert all("逾期" in m.subject for m in mailoutbox)


def test_the_bureau_is_reminded_of_reports_waiting_too_long(with_emails, mailoutbox):
    users = with_emails
    submit(users, when=at(2024, 2, 20, 10))
    MonthlyReport.objects.update(submitted_at=at(2024, 2, 20, 10))
    with time_machine.travel(at(2024, 2, 24, 9, 30), tick=False):
        assert remind_reviews_waiting() == 0  # 4 days: within the 5 allowed
    with time_machine.travel(at(2024, 2, 26, 9, 30), tick=False):
        assert remind_reviews_waiting() == 1
        assert remind_reviews_waiting() == 0
    assert recipients(mailoutbox) == {"bureau@example.org"}
    assert "待审核" in mailoutbox[0].subject


def test_the_liaison_is_told_when_a_report_is_returned_not_when_accepted(
    with_emails, mailoutbox, django_capture_on_commit_callbacks, eager_tasks
):
    users = with_emails
    report = submit(users)
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, reviewer=users["bureau"], comment="请补充驻点人员")
    assert recipients(mailoutbox) == {"liaison@example.org"}
    assert "被退回" in mailoutbox[0].subject and "请补充驻点人员" in mailoutbox[0].body
    from reporting.services import report_accept

    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "2", "residency_days": "2"}
    )
    report = report_submit(report=report, user=users["liaison"])
    with django_capture_on_commit_callbacks(execute=True):
        report_accept(report=report, reviewer=users["bureau"])
    assert len(mailoutbox) == 1


def test_the_returned_notice_names_the_pairing_and_month_and_is_read_when_the_report_is_opened(
    reporting_users, django_capture_on_commit_callbacks, eager_tasks
):
    users = reporting_users
    report = submit(users)
    with django_capture_on_commit_callbacks(execute=True):
        report_return(report=report, reviewer=users["bureau"], comment="请补充驻点人员")
    notice = Notice.objects.get(user=users["liaison"])
    assert notice.text == f"您的2024-02进展情况月报（第6对结对：{report.pairing.town.name}）被退回"
    other = Notice.objects.create(user=users["liaison"], text="另一份月报", url="/reports/999999/")
    liaison = client_for(users["liaison"])
    assert notice.text in liaison.get("/reports/").content.decode()
    client_for(users["bureau"]).get(notice.url)
    notice.refresh_from_db()
    assert notice.read_at is None, "only the notice's own user reads it"
    liaison.get(notice.url)
    notice.refresh_from_db()
    other.refresh_from_db()
    assert notice.read_at is not None and other.read_at is None
    assert notice.text not in liaison.get("/reports/").content.decode()


def test_mail_is_in_the_recipients_language(with_emails, mailoutbox):
    profile = with_emails["assisting_liaison"].profile
    profile.language = "en"
    profile.save()
    with time_machine.travel(at(2024, 2, 26, 9, 0), tick=False):
        remind_before_due()
    english = next(m for m in mailoutbox if m.to == ["assisting_liaison@example.org"])
    chinese = next(m for m in mailoutbox if m.to == ["liaison@example.org"])
    assert english.subject == "Reminder: the 2024-02 progress report is due soon"
    assert "即将截止" in chinese.subject


def test_the_beat_schedule_sends_the_reminders_in_the_morning_beijing_time():
    from portal.celery import app

    schedule = app.conf.beat_schedule
    for job, task in [
        ("remind-before-due", remind_before_due),
        ("remind-missing", remind_missing),
        ("remind-reviews-waiting", remind_reviews_waiting),
    ]:
        assert schedule[job]["task"] == task.name, job
    before_due = schedule["remind-before-due"]["schedule"]
    yesterday = at(2024, 2, 25, 9, 0)
    with time_machine.travel(at(2024, 2, 26, 8, 59), tick=False):
        assert not before_due.is_due(yesterday).is_due
    with time_machine.travel(at(2024, 2, 26, 9, 0), tick=False):
        assert before_due.is_due(yesterday).is_due, "09:00 Beijing time, not 09:00 UTC"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_the_reminders_once(redis_url, users, indicators, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with (
        time_machine.travel(at(2024, 2, 26, 9, 0), tick=True),
        celery_worker(),
    ):
        assert remind_before_due.delay().get(timeout=30) == 3
        assert remind_before_due.delay().get(timeout=30) == 0
    assert ReminderSent.objects.filter(kind="before_due").count() == 3


def test_a_missed_day_still_reminds_for_the_previous_month(with_emails, mailoutbox):
    with time_machine.travel(at(2024, 3, 2, 9, 5), tick=False):
        assert (
            remind_missing() == 3
        )  # February's reports, due 2024-02-28, from the three schools with liaisons
    assert {m.subject for m in mailoutbox} == {"逾期：2024-02进展情况月报未报送"}
