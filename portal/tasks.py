"""Tasks of the portal shell: a round trip used by /healthz-style checks and the worker test."""

from celery import shared_task
from django.db import connection


@shared_task(name="portal.ping")
def ping(token: str) -> dict:
    """Answer with the token and whether the worker reached the database: proves broker, worker and DB."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        database_ok = cursor.fetchone()[0] == 1
    return {"token": token, "database": database_ok}
