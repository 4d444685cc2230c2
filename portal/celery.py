"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered from the apps.

The beat schedule is declared here in code so that every deployment runs the same jobs; later
issues add their entries (the monthly compilation, reminders).
"""

import os

from celery import Celery
from celery.schedules import crontab

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Asia/Shanghai (CELERY_TIMEZONE).
BEAT_SCHEDULE: dict = {
    "remind-before-due": {"task": "reporting.remind_before_due", "schedule": crontab(hour=9, minute=0)},
    "remind-missing": {"task": "reporting.remind_missing", "schedule": crontab(hour=9, minute=5)},
    "remind-reviews-waiting": {
        "task": "reporting.remind_reviews_waiting",
        "schedule": crontab(hour=9, minute=30),
    },
    # Reports due on the 28th (late from 00:00 of the 29th) are compiled half an hour past midnight.
    "compile-monthly-summaries": {
        "task": "reporting.compile_due_months",
        "schedule": crontab(hour=0, minute=30),
    },
    # Compiled months that a report transition changed since: recompiled once quiet (debounced).
    "recompile-stale-months": {"task": "reporting.recompile_stale_months", "schedule": crontab(minute="*/5")},
    # Tasks recorded while the broker was unreachable are sent once it is back.
    "outbox-flush": {"task": "core.outbox_flush", "schedule": crontab(minute="*")},
}
app.conf.beat_schedule = BEAT_SCHEDULE
