"""Start-up fails fast, in one line, on bad configuration; the defaults need no services."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def run_check(**environment: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV"}}
    env.update(environment)
    return subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


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
