"""The outbox: `enqueue` records a task in the current transaction; after the commit it is sent to
the broker by name (no import of the task's module), and a sweep re-sends whatever is still
waiting. With eager Celery (no REDIS_URL) the task runs in-process after the commit."""

import contextvars
import logging

from celery import current_app
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# The messages of the current request that could not reach the broker (the page says they will follow).
delayed: contextvars.ContextVar[list | None] = contextvars.ContextVar("outbox_delayed", default=None)


def enqueue(task: str, *args) -> OutboxMessage:
    message = OutboxMessage.objects.create(task=task, args=list(args))
    transaction.on_commit(lambda: send(message.pk))
    return message


def send(pk: int) -> bool:
    """Hand one waiting message to the broker; True if it went (or another sweep took it)."""
    if not OutboxMessage.objects.filter(pk=pk, sent_at__isnull=True).update(sent_at=timezone.now()):
        return True  # sent already, or being sent by another process
    message = OutboxMessage.objects.get(pk=pk)
    app = current_app
    if app.conf.task_always_eager:
        if message.task not in app.tasks:
            app.loader.import_default_modules()  # the apps' tasks modules, as a worker imports them at start
        app.tasks[message.task].apply(args=message.args)
        return True
    try:
        app.send_task(message.task, args=message.args, retry=False)
    except Exception as error:  # the broker is unreachable: keep the message for the sweep
        OutboxMessage.objects.filter(pk=pk).update(
            sent_at=None, attempts=F("attempts") + 1, last_error=f"{error.__class__.__name__}: {error}"[:300]
        )
        logger.warning("Outbox: %s could not be sent (%s); the sweep will try again", message, error)
        waiting = delayed.get()
        if waiting is not None:
            waiting.append(message.task)
        return False
    OutboxMessage.objects.filter(pk=pk).update(attempts=F("attempts") + 1)
    return True


def flush(limit: int = 500) -> int:
    """Send what is waiting, oldest first; returns how many went."""
    sent = 0
    for pk in OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)[:limit]:
        if not send(pk):
            break  # the broker is still down: try again at the next sweep
        sent += 1
    return sent


def backlog() -> int:
    return OutboxMessage.objects.filter(sent_at__isnull=True).count()
