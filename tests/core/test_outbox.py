"""The outbox: work recorded with the change that needs it, sent after the commit, kept when the
broker cannot be reached and sent by the sweep once it can."""

import pytest
from django.db import transaction

from core import outbox
from core.models import OutboxMessage

pytestmark = pytest.mark.django_db


class Broker:
    """Stands for the broker: a send either reaches it or raises as an unreachable Redis does."""

    def __init__(self):
        self.up, self.received = True, []

    def send_task(self, name, args=None, retry=False):
        if not self.up:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")
        self.received.append((name, tuple(args)))


@pytest.fixture
def broker(monkeypatch):
    from celery import current_app

    fake = Broker()
    eager, current_app.conf.task_always_eager = current_app.conf.task_always_eager, False
    monkeypatch.setattr(current_app, "send_task", fake.send_task)
    yield fake
    current_app.conf.task_always_eager = eager


def test_a_message_is_sent_only_after_the_commit(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        outbox.enqueue("reporting.notify_report_returned", 7, 3)
        assert broker.received == []
    assert broker.received == [("reporting.notify_report_returned", (7, 3))]
    assert OutboxMessage.objects.get().sent_at is not None


def test_a_rolled_back_change_sends_nothing(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                outbox.enqueue("reporting.notify_report_returned", 7, 3)
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert broker.received == [] and not OutboxMessage.objects.exists()


def test_with_the_broker_down_the_message_waits_and_the_sweep_sends_it_once(
    broker, django_capture_on_commit_callbacks
):
    broker.up = False
    with django_capture_on_commit_callbacks(execute=True):
        outbox.enqueue("reporting.build_export", 12)
    waiting = OutboxMessage.objects.get()
    assert waiting.sent_at is None and waiting.attempts == 1 and "Connection refused" in waiting.last_error
    assert outbox.backlog() == 1
    assert outbox.flush() == 0, "still down: nothing goes, nothing is lost"
    broker.up = True
    assert outbox.flush() == 1
    assert outbox.flush() == 0
    assert broker.received == [("reporting.build_export", (12,))]
    assert outbox.backlog() == 0
