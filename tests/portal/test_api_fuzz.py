"""Property-based run against the OpenAPI schema (schemathesis): for each role, every operation
with generated inputs answers without a server error.

The portal is called in-process, as a WSGI application inside the test's transaction (no live
server, no flush of the shared registry afterwards); each request runs in a savepoint that is
rolled back, so no request sees another's writes and a database error in one (which on PostgreSQL
aborts the transaction) does not fail the next.
"""

import sys
import traceback

import hypothesis
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import Client
from rest_framework.authtoken.models import Token

EXAMPLES = 6
ROLES = ["bureau", "commander", "liaison", "town_liaison", "no_role"]
SCHEMA = {}


def in_test_transaction(errors: list[BaseException]):
    """The portal's WSGI handler, each request in a rolled-back savepoint of the test's transaction.

    As Django's test client does, `close_old_connections` is kept off request_started and
    request_finished while a request runs: it would close the connection that holds the test's
    transaction (its autocommit is off). Exceptions the handler turns into a 500 are kept in `errors`
    to name them in the failure; one that escapes the handler answers 500 too, so the test reports
    the operation instead of crashing in the middle of the run.
    """
    handler = WSGIHandler()

    def record(sender, **kwargs) -> None:
        if sys.exc_info()[1] not in errors:  # sent again by each middleware it passes, if propagated
            errors.append(sys.exc_info()[1])

    def application(environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        got_request_exception.connect(record)
        try:
            with transaction.atomic():
                response = handler(environ, start_response)
                try:
                    body = b"".join(response)
                finally:
                    response.close()  # sends request_finished, as a WSGI server does
                transaction.set_rollback(True)
            return [body]
        except Exception as error:
            if error not in errors:
                errors.append(error)
            start_response("500 Internal Server Error", [("Content-Type", "text/plain")])
            return [traceback.format_exc().encode()]
        finally:
            got_request_exception.disconnect(record)
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)

    return application


def api_schema(user):
    """The API's schema as it serves it, read and loaded once for all roles (~1 s each time): it
    describes the code, the same for every test."""
    if "schema" not in SCHEMA:
        client = Client()
        client.force_login(user)
        raw = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
        SCHEMA["schema"] = schemathesis.openapi.from_dict(raw)
    return SCHEMA["schema"]


def api_cases(schema) -> list:
    """EXAMPLES generated requests for each operation, derandomized: drawn once and sent by every
    role (drawing them costs as much as sending them). The function that keeps them never fails,
    so nothing depends on an answer and every role sends exactly the requests it drew itself."""
    if "cases" not in SCHEMA:
        cases = []

        def keep(case) -> None:
            cases.append(case)

        for result in schema.get_all_operations():
            hypothesis.settings(
                max_examples=EXAMPLES,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(hypothesis.HealthCheck),
            )(hypothesis.given(case=result.ok().as_strategy())(keep))()
        SCHEMA["cases"] = cases
    return SCHEMA["cases"]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ROLES)
def test_no_operation_answers_with_a_server_error(settings, users, indicators, role):
    # An exception in a view becomes the 500 page, as in production, rather than leaving the handler.
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    schema = api_schema(users["bureau"])
    token = Token.objects.create(user=users[role]).key
    errors: list[BaseException] = []
    application = in_test_transaction(errors)
    failures = []
    cases = api_cases(schema)
    for case in cases:
        errors.clear()
        response = case.call(app=application, headers={"Authorization": f"Token {token}"})
        if response.status_code >= 500:
            failures.append(
                f"{case.operation.method.upper()} {case.operation.path}: {response.status_code} {errors!r}"
            )
    operations = len({(case.operation.method, case.operation.path) for case in cases})
    assert operations >= 15
    assert failures == [], "\n".join(failures)
