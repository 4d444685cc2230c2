"""Celery: a task's round trip through the real Redis broker to a real worker and back."""

import uuid

import pytest

from portal.celery import BEAT_SCHEDULE
from portal.celery import app as celery_app
from portal.tasks import ping
from tests.helpers import celery_worker


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_task_round_trip_through_redis_with_a_real_worker(redis_url):
    assert celery_app.conf.broker_url == redis_url
    assert not celery_app.conf.task_always_eager
    token = uuid.uuid4().hex
    with celery_worker():
        result = ping.delay(token)
        assert result.get(timeout=30) == {"token": token, "database": True}


@pytest.mark.django_db
def test_tasks_run_eagerly_exactly_when_there_is_no_redis(settings):
    assert celery_app.conf.task_always_eager is (settings.REDIS_URL is None)
    assert ping.apply(args=["local"]).get() == {"token": "local", "database": True}


@pytest.mark.django_db
def test_ping_task_reads_the_database():
    assert ping.run("direct") == {"token": "direct", "database": True}


def test_every_scheduled_job_names_a_task_the_worker_knows():
    """beat sends a job by its task's name; a name no task has is refused by the worker every day."""
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscover the tasks
    assert BEAT_SCHEDULE
    unknown = {
        job: entry["task"] for job, entry in BEAT_SCHEDULE.items() if entry["task"] not in celery_app.tasks
    }
    assert unknown == {}
