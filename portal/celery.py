"""The Celery app: configured from Django settings (CELERY_*), tasks autodiscovered from the apps.

The beat schedule is declared here in code so that every deployment runs the same jobs; later
issues add their entries (the monthly compilation, reminders).
"""

import os

from celery import Celery
from celery.schedules import crontab  # noqa: F401 - used by entries added to BEAT_SCHEDULE

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Times are Asia/Shanghai (CELERY_TIMEZONE).
BEAT_SCHEDULE: dict = {}
app.conf.beat_schedule = BEAT_SCHEDULE
