"""The reminder engine: who is reminded of what, each reminder once.

Each reminder is claimed in ReminderSent (unique per report and kind) before it is sent, so a job
that runs twice, or twice at once, sends nothing more. Which reports are due, missing or waiting
comes from the month engine (expectations.py)."""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from core.months import Month
from pairing.models import Programme

from .expectations import State, expected_reports
from .models import MonthlyReport, ReminderSent
from .notifications import notify
from .selectors import bureau_users, liaisons_by_school

logger = logging.getLogger(__name__)


def claim(*, pairing_id: int, school_id: int, month, kind: str, key: str = "", recipients: list[str]) -> bool:
    """True if this call is the first to send this reminder."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                pairing_id=pairing_id,
                school_id=school_id,
                month=month,
                kind=kind,
                key=key,
                recipients=recipients,
            )
    except IntegrityError:
        return False
    return True


def _remind_liaisons(rows, *, kind: str, template: str) -> int:
    contacts = liaisons_by_school({row.school_id for row in rows})
    sent = 0
    for row in rows:
        users = contacts.get(row.school_id, [])
        if not users:
            logger.warning("No liaison to remind for %s %s", row.school, row.month)
            continue
        with transaction.atomic():
            recipients = [u.username for u in users]
            claimed = claim(
                pairing_id=row.pairing_id,
                school_id=row.school_id,
                month=row.month.first_day,
                kind=kind,
                recipients=recipients,
            )
            if not claimed:
                continue
            for user in users:
                notify(
                    user,
                    template=template,
                    url=reverse("reporting:home"),
                    context={
                        "row": row,
                        "month": row.month.first_day,
                        "due_date": row.due_date,
                        "school": {"name": row.school},
                    },
                )
            sent += 1
    return sent


def remind_before_due(*, today: datetime.date | None = None) -> int:
    """Liaisons whose report for this month is not submitted, in the programme's days before the due date."""
    today = today or timezone.localdate()
    month, sent = Month.of(today), 0
    for programme in Programme.objects.all():
        due = programme.due_date(month)
        if month.first_day < programme.first_report_month or not (
            due - datetime.timedelta(days=programme.reminder_days_before_due) <= today <= due
        ):
            continue
        rows = expected_reports(
            month, pairings=programme.pairings.all(), states=[State.NOT_STARTED, State.DRAFT]
        )
        sent += _remind_liaisons(rows, kind=ReminderSent.Kind.BEFORE_DUE, template="reminder_before_due")
    return sent


def remind_missing(*, now: datetime.datetime | None = None) -> int:
    """Once a month is due (or later, if the job missed a day): liaisons whose report is still missing."""
    now = now or timezone.now()
    this_month, sent = Month.of(timezone.localdate(now)), 0
    for programme in Programme.objects.all():
        for month in (this_month.previous(), this_month):
            if month.first_day < programme.first_report_month or not programme.is_due(month, now=now):
                continue
            rows = expected_reports(month, pairings=programme.pairings.all(), states=[State.MISSING], now=now)
            sent += _remind_liaisons(rows, kind=ReminderSent.Kind.MISSING, template="reminder_missing")
    return sent


def remind_reviews_waiting(*, now: datetime.datetime | None = None) -> int:
    """Bureau staff: reports waiting in review longer than the programme allows, each reminded once."""
    now, sent = now or timezone.now(), 0
    reviewers = list(bureau_users())
    waiting = MonthlyReport.objects.filter(status__in=MonthlyReport.IN_REVIEW).select_related(
        "pairing__programme", "pairing__town", "school"
    )
    for report in waiting:
        if now - report.submitted_at <= datetime.timedelta(
            days=report.pairing.programme.review_reminder_days
        ):
            continue
        with transaction.atomic():
            if not claim(
                pairing_id=report.pairing_id,
                school_id=report.school_id,
                month=report.month,
                kind=ReminderSent.Kind.REVIEW_WAITING,
                key=str(report.version),
                recipients=[u.username for u in reviewers],
            ):
                continue
            for user in reviewers:
                notify(
                    user,
                    template="review_waiting",
                    url=reverse("reporting:detail", args=[report.pk]),
                    context={"report": report, "days": (now - report.submitted_at).days},
                )
            sent += 1
    return sent


def notify_report_returned(report_pk: int, version: int) -> int:
    """Tell the school's liaisons that their report came back, with the reviewer's comment (once per return)."""
    report = MonthlyReport.objects.select_related("pairing__town", "school", "reviewed_by").get(pk=report_pk)
    users = liaisons_by_school([report.school_id]).get(report.school_id, [])
    with transaction.atomic():
        if not claim(
            pairing_id=report.pairing_id,
            school_id=report.school_id,
            month=report.month,
            kind=ReminderSent.Kind.RETURNED,
            key=str(version),
            recipients=[u.username for u in users],
        ):
            return 0
        for user in users:
            notify(
                user,
                template="report_returned",
                url=reverse("reporting:detail", args=[report.pk]),
                context={"report": report, "comment": report.review_comment},
            )
    return len(users)
