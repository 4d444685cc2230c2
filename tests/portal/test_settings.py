"""Start-up fails fast, in one line, on bad configuration; the defaults need no services.

Each case is a start of `manage.py` in its own process (the settings are read once, at start-up).
Starting Python and importing Django and the libraries costs ~1.5 s a process, so the module starts
them all at once (`manage`, see DRIVER): one process imports the libraries, then forks a child
per case, which sets the case's environment and runs manage.py as `python manage.py` would.
"""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

# One worker runs the whole module, so `manage` starts its processes once (`make test` uses
# pytest-xdist's --dist loadgroup), not once in each worker that draws one of its tests.
pytestmark = pytest.mark.xdist_group("settings")

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60  # seconds, for each start


def production(**environment: str) -> dict[str, str]:
    """The environment of the documented production set-up: a real secret, a host name."""
    return {
        "PORTAL_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "portal.example",
        **environment,
    }


BAD_CONFIGURATIONS = [
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
]

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

PRODUCTION = production()
PRODUCTION_WITHOUT_HTTPS = production(SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="0")
PRODUCTION_IN_MEMORY = production(DATABASE_URL="sqlite://:memory:")

# Every start of manage.py the tests read: (arguments, environment). The longest first.
RUNS = [
    (("check", "--deploy"), PRODUCTION),
    (("check", "--deploy"), PRODUCTION_WITHOUT_HTTPS),
    (("shell", "-c", PROBE), PRODUCTION_IN_MEMORY),
    (("check",), {}),
    (("check",), {"PORTAL_ENV": "production", "SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "portal.example"}),
    *((("check",), environment) for environment, _ in BAD_CONFIGURATIONS),
]

# Given RUNS as JSON, runs manage.py once for each in a child forked from this process, one per CPU
# at a time, and prints each one's exit code, output and error output as JSON. The parent imports
# only libraries, none of which reads the settings (checked: they are still unconfigured), so each
# child reads them afresh from its environment. A child that outlives TIMEOUT is killed.
DRIVER = """
import json, locale, os, runpy, signal, sys, tempfile, time, traceback

import celery.app.base, celery.worker, csp.middleware, django.contrib.admin, django.contrib.postgres.fields
import django.core.handlers.wsgi, django.core.management, django.db.backends.sqlite3.base
import django.db.migrations.autodetector, django.db.migrations.executor, django.db.migrations.writer
import django.db.models, django.test, openpyxl, psycopg, redis, rest_framework.serializers
import whitenoise.middleware, xlsxwriter
from django.conf import settings

assert not settings.configured, "a preloaded library read the settings before the child could"
runs, timeout = json.loads(sys.argv[1]), float(sys.argv[2])
encoding = locale.getpreferredencoding(False)


def start(arguments, environment, out, err):
    os.dup2(out.fileno(), 1)
    os.dup2(err.fileno(), 2)
    os.environ.update(environment)
    sys.argv = ["manage.py", *arguments]
    sys.path[0] = os.getcwd()
    try:
        runpy.run_path("manage.py", run_name="__main__")
        code = 0
    except SystemExit as exit:  # as the interpreter ends on it
        code = exit.code
        if code is None:
            code = 0
        elif not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    except BaseException:
        traceback.print_exc()
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


results, waiting, running = [None] * len(runs), list(enumerate(runs)), {}
while waiting or running:
    while waiting and len(running) < (os.cpu_count() or 1):
        index, (arguments, environment) = waiting.pop(0)
        out, err = tempfile.TemporaryFile(), tempfile.TemporaryFile()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            start(arguments, environment, out, err)
        running[pid] = [index, out, err, time.monotonic() + timeout, False]
    pid, status = os.waitpid(-1, os.WNOHANG)
    if pid == 0:
        for child, state in running.items():
            if time.monotonic() > state[3] and not state[4]:
                os.kill(child, signal.SIGKILL)
                state[4] = True
        time.sleep(0.01)
        continue
    index, out, err, _, timed_out = running.pop(pid)
    out.seek(0)
    err.seek(0)
    results[index] = {
        "returncode": os.waitstatus_to_exitcode(status),
        "stdout": out.read().decode(encoding),
        "stderr": err.read().decode(encoding),
        "timed_out": timed_out,
    }
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def manage():
    """Runs all of RUNS at once; returns the result of one: manage("check", **environment)."""
    # The test run's own switches (services, pytest-playwright's DJANGO_ALLOW_ASYNC_UNSAFE) stay behind.
    left_behind = {"DATABASE_URL", "REDIS_URL", "PORTAL_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in left_behind}
    driver = subprocess.run(
        [sys.executable, "-c", DRIVER, json.dumps(RUNS), str(TIMEOUT)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=TIMEOUT * len(RUNS),
    )
    assert driver.returncode == 0, driver.stderr
    results = {
        json.dumps([list(arguments), environment], sort_keys=True): result
        for (arguments, environment), result in zip(
            RUNS, json.loads(driver.stdout.splitlines()[-1]), strict=True
        )
    }

    def result_of(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
        result = results[json.dumps([list(arguments), environment], sort_keys=True)]  # not in RUNS?
        command = ["manage.py", *arguments]
        if result["timed_out"]:
            raise subprocess.TimeoutExpired(command, TIMEOUT, result["stdout"], result["stderr"])
        return subprocess.CompletedProcess(command, result["returncode"], result["stdout"], result["stderr"])

    return result_of


@pytest.mark.parametrize(("environment", "reason"), BAD_CONFIGURATIONS)
def test_bad_configuration_stops_start_up_with_one_line(manage, environment, reason):
    result = manage("check", **environment)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("configuration error: ")
    assert reason in lines[0]


def test_defaults_need_no_services(manage):
    result = manage("check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_production_starts_with_its_secrets(manage):
    result = manage("check", PORTAL_ENV="production", SECRET_KEY="x" * 50, ALLOWED_HOSTS="portal.example")
    assert result.returncode == 0, result.stderr


def test_production_settings_pass_the_deploy_check(manage):
    result = manage("check", "--deploy", **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("System check identified no issues"), result.stdout + result.stderr
    assert result.stderr == ""


def test_turning_https_off_is_what_the_deploy_check_then_warns_about(manage):
    result = manage("check", "--deploy", **PRODUCTION_WITHOUT_HTTPS)
    assert "security.W004" in result.stderr and "security.W008" in result.stderr


def test_production_sends_plain_http_to_https_and_keeps_the_api_docs_behind_a_login(manage):
    result = manage("shell", "-c", PROBE, **PRODUCTION_IN_MEMORY)
    assert result.returncode == 0, result.stderr
    answers = json.loads(result.stdout.strip().splitlines()[-1])
    assert answers["http"][:2] == [301, "https://portal.example/"]
    assert answers["https"] == [302, "/accounts/login/?next=/", "max-age=31536000; includeSubDomains"]
    assert answers["healthz_redirected"] is False
    # The schema and the docs need a login there (tests/test_permission_matrix.py has every role).
    assert answers["schema"] == [401, None]
    assert answers["docs"] == [302, "/accounts/login/?next=/api/docs/"]
