"""Tasks of core: the outbox sweep (beat runs it every minute)."""

from celery import shared_task

from . import outbox


@shared_task(name="core.outbox_flush")
def outbox_flush() -> int:
    return outbox.flush()
