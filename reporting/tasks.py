"""Celery tasks of the reports: thin interfaces that take primary keys or month text and call one
service (reminders.py, compilation/, exports/jobs.py)."""

import datetime

from celery import shared_task
from django.db import OperationalError
from django.utils import timezone

from core.months import Month
from core.outbox import enqueue
from pairing.models import Programme

from . import reminders
from .compilation import AlreadyRunning, compile_month, stale_summaries
from .exports.jobs import export_job_build
from .models import MonthlySummary

# A changed month is recompiled once it has been quiet this long (reports returned one after another
# in a review session cause one recompilation, not one each).
RECOMPILE_QUIET = datetime.timedelta(minutes=5)


@shared_task(name="reporting.remind_before_due")
def remind_before_due() -> int:
    return reminders.remind_before_due()


@shared_task(name="reporting.remind_missing")
def remind_missing() -> int:
    return reminders.remind_missing()


@shared_task(name="reporting.remind_reviews_waiting")
def remind_reviews_waiting() -> int:
    return reminders.remind_reviews_waiting()


@shared_task(name="reporting.notify_report_returned")
def notify_report_returned(report_pk: int, version: int) -> int:
    return reminders.notify_report_returned(report_pk, version)


# Compilations and exports are acknowledged only once done, and put back on the queue when their
# worker dies, so another worker runs them again (the claim lets the same task take over its run).
DURABLE = {"acks_late": True, "reject_on_worker_lost": True}


@shared_task(
    bind=True,
    name="reporting.compile_monthly_summary",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    **DURABLE,
)
def compile_monthly_summary(self, programme_pk: int, month: str) -> str:
    """Compile one programme's month; transient database errors retry, a second run at once is a no-op."""
    programme = Programme.objects.get(pk=programme_pk)
    try:
        summary = compile_month(programme, Month.parse(month[:7]), task_id=self.request.id or "")
    except AlreadyRunning:
        return "already running"
    return summary.state


@shared_task(name="reporting.compile_due_months")
def compile_due_months() -> list[str]:
    """Run by beat after midnight: compile each month that is due and has no summary since it was due,
    and each compiled month whose reports changed since (quiet for a while)."""
    now, queued = timezone.now(), []
    this_month = Month.of(timezone.localdate(now))
    for programme in Programme.objects.all():
        for month in (this_month.previous(), this_month):
            # Not before the programme's first month nor after its end; only once due.
            if programme.month_problem(month) or not programme.is_due(month, now=now):
                continue
            done = MonthlySummary.objects.filter(
                programme=programme,
                month=month.first_day,
                state=MonthlySummary.State.DONE,
                finished_at__gte=programme.late_from(month),
            ).exists()
            if not done:
                enqueue("reporting.compile_monthly_summary", programme.pk, str(month))
                queued.append(f"{programme.code} {month}")
    return queued + recompile_stale_months()


@shared_task(name="reporting.recompile_stale_months")
def recompile_stale_months() -> list[str]:
    """Run by beat every few minutes: recompile the compiled months that a report transition changed."""
    queued = []
    for summary in stale_summaries(quiet=RECOMPILE_QUIET):
        # Claimed by a conditional UPDATE, so two sweeps at once queue it once.
        if MonthlySummary.objects.filter(pk=summary.pk, state=MonthlySummary.State.DONE).update(
            state=MonthlySummary.State.QUEUED
        ):
            enqueue("reporting.compile_monthly_summary", summary.programme_id, str(summary.period))
            queued.append(f"{summary.programme.code} {summary.period}")
    return queued


@shared_task(
    name="reporting.build_export", autoretry_for=(OperationalError,), retry_backoff=True, max_retries=3
)
def build_export(job_pk: int) -> str:
    return export_job_build(job_pk)
