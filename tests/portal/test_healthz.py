"""/healthz answers JSON with the database and broker status."""

import pytest
from django.test import Client

from portal import views


@pytest.mark.django_db
def test_healthz_reports_database_and_broker(settings):
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == ("ok" if settings.REDIS_URL else "eager")
    assert body["status"] == "ok"


@pytest.mark.django_db
def test_healthz_answers_503_when_the_broker_is_down(monkeypatch):
    monkeypatch.setattr(views, "broker_status", lambda: "error: OperationalError")
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "error",
        "database": "ok",
        "broker": "error: OperationalError",
        "outbox_backlog": 0,
    }


@pytest.mark.django_db
def test_healthz_needs_no_login_and_is_not_cached():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


@pytest.mark.django_db
def test_database_is_postgresql_when_ci_requires_services(settings):
    from django.db import connection

    if not settings.REQUIRE_SERVICES:
        pytest.skip("REQUIRE_SERVICES is not set: the embedded SQLite is allowed")
    assert connection.vendor == "postgresql", "CI must run the tests on PostgreSQL (set DATABASE_URL)"
