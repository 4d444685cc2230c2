"""Tasks of the registry: thin interfaces that take primary keys and call one service."""

from urllib.parse import parse_qsl

from celery import shared_task
from django.contrib.auth.models import User

from core.cache import store_latest, versions_stamp

from .compliance import compliance_summary
from .selectors import pairing_list


@shared_task(name="pairing.refresh_compliance")
def refresh_compliance(key: str, user_pk: int, programme_pk: int, year: int, filters: str) -> int:
    """Count a programme's compliance for a user's scope and filters, and keep it under `key`."""
    user = User.objects.get(pk=user_pk)
    stamp = versions_stamp(["registry"])  # read first: a change while counting makes it stale at once
    pairings = pairing_list(user=user, filters=dict(parse_qsl(filters))).filter(programme_id=programme_pk)
    summary = compliance_summary(pairings, year=year)
    store_latest(key, stamp, summary)
    return summary.pairings
