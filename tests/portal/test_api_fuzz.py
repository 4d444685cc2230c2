"""Property-based run against the OpenAPI schema (schemathesis): for each role, every operation
with generated inputs answers without a server error."""

import hypothesis
import pytest
import requests
import schemathesis
from django.test import Client
from rest_framework.authtoken.models import Token

pytestmark = pytest.mark.django_db(transaction=True)

EXAMPLES = 6


@pytest.mark.parametrize("role", ["bureau", "commander", "liaison", "town_liaison", "no_role"])
def test_no_operation_answers_with_a_server_error(live_server, users, indicators, role):
    client = Client()
    client.force_login(users["bureau"])
    raw = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schema = schemathesis.openapi.from_dict(raw)
    token = Token.objects.create(user=users[role]).key
    session = requests.Session()
    # Without keep-alive: each call's server thread ends, giving back its database connection.
    session.headers["Connection"] = "close"
    failures, operations = [], 0

    def check(case) -> None:
        response = case.call(
            base_url=live_server.url, session=session, headers={"Authorization": f"Token {token}"}
        )
        if response.status_code >= 500:
            failures.append(f"{case.operation.method.upper()} {case.operation.path}: {response.status_code}")

    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(hypothesis.HealthCheck),
        )(hypothesis.given(case=operation.as_strategy())(check))()
    session.close()
    assert operations >= 15
    assert failures == []
