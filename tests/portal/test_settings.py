"""Start-up fails fast, in one line, on bad configuration; the defaults need no services."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    # The test run's own switches (services, pytest-playwright's DJANGO_ALLOW_ASYNC_UNSAFE) stay behind.
    left_behind = {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in left_behind}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def run_check(**environment: str) -> subprocess.CompletedProcess:
    return run_manage("check", **environment)


def production(**environment: str) -> dict[str, str]:
    """The environment of the documented production set-up: a real secret, a host name."""
    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example",
        **environment,
    }


@pytest.mark.parametrize(
    ("environment", "reason"),
    [
        ({"DATABASE_URL": "mysqlx://nowhere"}, "DATABASE_URL scheme 'mysqlx'"),
        ({"DATABASE_URL": "postgres://"}, "DATABASE_URL must name a host and a database"),
        ({"DATABASE_URL": "postgres://host:notaport/db"}, "DATABASE_URL"),
        ({"REDIS_URL": "http://localhost:6379"}, "REDIS_URL must look like redis://host:6379/0"),
        ({"REDIS_URL": "redis://localhost:port/0"}, "REDIS_URL has a port that is not a number"),
        ({"LANGUAGE_CODE": "fr"}, "LANGUAGE_CODE='fr' is not one of the portal's languages"),
        ({"PORTAL_ENV": "production", "ALLOWED_HOSTS": "portal.example"}, "SECRET_KEY must be set"),
        ({"PORTAL_ENV": "staging"}, "PORTAL_ENV='staging'"),
        ({"DEBUG": "maybe"}, "DEBUG='maybe' is not a boolean"),
        (production(SECURE_HSTS_SECONDS="a year"), "SECURE_HSTS_SECONDS='a year' is not a whole number"),
        (production(SECURE_SSL_REDIRECT="sometimes"), "SECURE_SSL_REDIRECT='sometimes' is not a boolean"),
        (
            production(SECURE_HSTS_INCLUDE_SUBDOMAINS="2"),
            "SECURE_HSTS_INCLUDE_SUBDOMAINS='2' is not a boolean",
        ),
        ({"API_THROTTLE_USER": "lots"}, "API_THROTTLE_USER='lots' is not a rate like 60/minute"),
        ({"API_THROTTLE_ANON": "10/fortnight"}, "API_THROTTLE_ANON='10/fortnight' is not a rate"),
        ({"LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT=0 is below 1"),
        ({"TRUSTED_PROXY_COUNT": "one"}, "TRUSTED_PROXY_COUNT='one' is not a whole number"),
    ],
)
def test_bad_configuration_stops_start_up_with_one_line(environment, reason):
    result = run_check(**environment)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ")
    assert reason in lines[0]


def test_defaults_need_no_services():
    result = run_check()
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_starts_with_its_secrets():
    result = run_check(PORTAL_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", **production())
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout + result.stderr
    assert result.stderr == ""


def test_turning_https_off_is_what_the_deploy_check_then_warns_about():
    result = run_manage("check", "--deploy", **production(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0"))
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


# Requests in production settings, in a separate process (the settings are read once, at start-up):
# plain HTTP is sent to HTTPS except the container's own health check, HTTPS pages carry HSTS, and
# the API's schema and docs ask for a login.
PROBE = """
import json
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import Client, RequestFactory
client = Client(HTTP_HOST="portal.example")
def probe(path, **headers):
    response = client.get(path, **headers)
    return [response.status_code, response.get("Location"), response.get("Strict-Transport-Security")]
# The health check's view reads the database; asking the middleware alone keeps this process table-less.
healthz = SecurityMiddleware(HttpResponse).process_request(RequestFactory().get("/healthz"))
print(json.dumps({
    "http": probe("/"),
    "https": probe("/", HTTP_X_FORWARDED_PROTO="https"),
    "healthz_redirected": healthz is not None,
    "schema": probe("/api/schema/", HTTP_X_FORWARDED_PROTO="https")[:2],
    "docs": probe("/api/docs/", HTTP_X_FORWARDED_PROTO="https")[:2],
}))
"""


def test_production_sends_plain_http_to_https_and_keeps_the_api_docs_behind_a_login():
    result = run_manage("shell", "-c", PROBE, **production(DATABASE_URL="sqlite://:memory:"))
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["http"][:2] == [301, "https://portal.example/"]
    assert answers["https"] == [302, "/accounts/login/?next=/", "max-age=31536000; includeSubDomains"]
    assert answers["healthz_redirected"] is False
    # The schema and the docs need a login there (tests/test_permission_matrix.py has every role).
    assert answers["schema"] == [403, None]
    assert answers["docs"] == [302, "/accounts/login/?next=/api/docs/"]
