"""Celery: a task's round trip through the real Redis broker to a real worker and back."""

import uuid

import pytest
from django.db import connection

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
    assert result.successful()


@pytest.mark.django_db
def test_tasks_run_eagerly_exactly_when_there_is_no_redis(settings):
    assert celery_app.conf.task_always_eager is (settings.REDIS_URL is None)
    assert ping.apply(args=["local"]).get() == {"token": "local", "database": True}


@pytest.mark.django_db
def test_ping_task_reads_the_database():
    assert ping.run("direct") == {"token": "direct", "database": True}
    assert connection.vendor in {"sqlite", "postgresql"}


def test_beat_schedule_is_declared_in_code():
    assert celery_app.conf.beat_schedule is BEAT_SCHEDULE
    assert celery_app.conf.timezone == "Asia/Shanghai"
