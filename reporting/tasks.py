"""Celery tasks of the reports: thin interfaces that take primary keys and call one service.

Each reminder is claimed in ReminderSent (unique per report and kind) before it is sent, so a job
that runs twice, or twice at once, sends nothing more.
"""

import datetime
import logging

from celery import shared_task
from django.db import IntegrityError, OperationalError, transaction
from django.urls import reverse
from django.utils import timezone

from pairing.models import Programme

from .models import MonthlyReport, ReminderSent
from .notifications import notify
from .selectors import bureau_users, expected_reports, liaisons_by_school
from .services import current_month

logger = logging.getLogger(__name__)


def claim(*, pairing, school, month, kind: str, key: str = "", recipients: list[str]) -> bool:
    """True if this call is the first to send this reminder."""
    try:
        with transaction.atomic():
            ReminderSent.objects.create(
                pairing=pairing, school=school, month=month, kind=kind, key=key, recipients=recipients
            )
    except IntegrityError:
        return False
    return True


def previous_month(month: datetime.date) -> datetime.date:
    return (month - datetime.timedelta(days=1)).replace(day=1)


def _remind_liaisons(rows, *, kind: str, template: str) -> int:
    contacts = liaisons_by_school({row.school.pk for row in rows})
    sent = 0
    for row in rows:
        users = contacts.get(row.school.pk, [])
        if not users:
            logger.warning("No liaison to remind for %s %s", row.school, row.month)
            continue
        with transaction.atomic():
            if not claim(
                pairing=row.pairing,
                school=row.school,
                month=row.month,
                kind=kind,
                recipients=[u.username for u in users],
            ):
                continue
            for user in users:
                notify(
                    user,
                    template=template,
                    url=reverse("reporting:home"),
                    context={"row": row, "month": row.month, "due_at": row.due_at, "school": row.school},
                )
            sent += 1
    return sent


@shared_task(name="reporting.remind_before_due")
def remind_before_due() -> int:
    """Liaisons whose report for this month is not submitted, in the programme's days before the due date."""
    today, month = timezone.localdate(), current_month()
    sent = 0
    for programme in Programme.objects.all():
        due = programme.due_at(month)
        window_start = due.date() - datetime.timedelta(days=programme.reminder_days_before_due)
        if month < programme.first_report_month or not (window_start <= today <= due.date()):
            continue
        rows = [
            r for r in expected_reports(month=month, pairings=programme.pairings.all()) if not r.is_submitted
        ]
        sent += _remind_liaisons(rows, kind=ReminderSent.Kind.BEFORE_DUE, template="reminder_before_due")
    return sent


@shared_task(name="reporting.remind_missing")
def remind_missing() -> int:
    """The day after the due date (or later, if the job missed a day): liaisons whose report is still missing."""
    now, sent = timezone.now(), 0
    for programme in Programme.objects.all():
        for month in [previous_month(current_month()), current_month()]:
            if month < programme.first_report_month or now <= programme.due_at(month):
                continue
            rows = [
                r for r in expected_reports(month=month, pairings=programme.pairings.all()) if r.is_missing
            ]
            sent += _remind_liaisons(rows, kind=ReminderSent.Kind.MISSING, template="reminder_missing")
    return sent


@shared_task(name="reporting.remind_reviews_waiting")
def remind_reviews_waiting() -> int:
    """Bureau staff: reports waiting in review longer than the programme allows, each reminded once."""
    now, sent = timezone.now(), 0
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
                pairing=report.pairing,
                school=report.school,
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


@shared_task(name="reporting.notify_report_returned")
def notify_report_returned(report_pk: int, version: int) -> int:
    """Tell the school's liaisons that their report came back, with the reviewer's comment (once per return)."""
    report = MonthlyReport.objects.select_related("pairing__town", "school", "reviewed_by").get(pk=report_pk)
    users = liaisons_by_school([report.school_id]).get(report.school_id, [])
    with transaction.atomic():
        if not claim(
            pairing=report.pairing,
            school=report.school,
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


@shared_task(
    bind=True,
    name="reporting.compile_monthly_summary",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def compile_monthly_summary(self, programme_pk: int, month: str) -> str:
    """Compile one programme's month; transient database errors retry, a second run at once is a no-op."""
    from .compilation import AlreadyRunning, compile_month

    programme = Programme.objects.get(pk=programme_pk)
    try:
        summary = compile_month(programme, datetime.date.fromisoformat(month))
    except AlreadyRunning:
        return "already running"
    return summary.state


@shared_task(name="reporting.compile_due_months")
def compile_due_months() -> list[str]:
    """Run by beat after midnight: compile each month whose due moment has passed and has no summary since."""
    from .models import MonthlySummary

    now, queued = timezone.now(), []
    for programme in Programme.objects.all():
        for month in [previous_month(current_month()), current_month()]:
            due = programme.due_at(month)
            if month < programme.first_report_month or now <= due:
                continue
            done = MonthlySummary.objects.filter(
                programme=programme, month=month, state=MonthlySummary.State.DONE, finished_at__gt=due
            ).exists()
            if not done:
                compile_monthly_summary.delay(programme.pk, month.isoformat())
                queued.append(f"{programme.code} {month:%Y-%m}")
    return queued


@shared_task(
    name="reporting.build_export", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def build_export(job_pk: int) -> str:
    """Build a large export in the background, reporting progress on the job."""
    import os
    import tempfile

    from django.core.files import File

    from .models import ExportJob
    from .summary_views import months_between, write_export_workbook

    job = ExportJob.objects.select_related("programme").get(pk=job_pk)
    ExportJob.objects.filter(pk=job.pk).update(state=ExportJob.State.RUNNING, progress=1)
    parameters = job.parameters
    months = months_between(
        datetime.date.fromisoformat(parameters["from"] + "-01"),
        datetime.date.fromisoformat(parameters["to"] + "-01"),
    )
    expected = max(
        len(months) * job.programme.pairings.count() * 2 * max(job.programme.indicators.count(), 1), 1
    )
    handle, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(handle)
    try:
        write_export_workbook(
            path,
            job.programme,
            months,
            parameters.get("town", ""),
            parameters.get("school", ""),
            progress=lambda rows: ExportJob.objects.filter(pk=job.pk).update(
                progress=min(99, rows * 100 // expected)
            ),
        )
        with open(path, "rb") as source:
            job.file.save(f"export-{job.pk}.xlsx", File(source), save=False)
        job.state, job.progress, job.finished_at = ExportJob.State.DONE, 100, timezone.now()
        job.save()
    except Exception as error:
        ExportJob.objects.filter(pk=job.pk).update(
            state=ExportJob.State.FAILED, failure_reason=f"{error.__class__.__name__}: {error}"[:500]
        )
        raise
    finally:
        os.unlink(path)
    return job.state
