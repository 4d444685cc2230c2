"""The pairing portal's Django project and shared shell: settings, URLs, Celery app, accounts and roles."""

from .celery import app as celery_app

__all__ = ["celery_app"]
