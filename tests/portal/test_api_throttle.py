"""The API's limits: past the rate a caller gets 429 with Retry-After and a message in their language;
each account has its own count, and anonymous callers are counted by their real address."""

import uuid

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

HOME = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


@pytest.fixture
def api_rates(settings):
    """Low rates, counted under a cache key prefix of this test alone (the counts live in Redis in CI)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"throttle-test-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }

    def set_rates(**rates):
        settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}

    return set_rates


def test_the_api_answers_429_past_the_rate_in_chinese(users, api_rates):
    api_rates(user="3/minute", anon=None)
    client = APIClient()
    client.force_authenticate(users["liaison"])
    statuses = [client.get("/api/v1/programmes/").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/programmes/")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("请求过于频繁")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert f"{response['Retry-After']} 秒" in response.json()["detail"]


def test_the_429_is_english_for_an_english_caller(users, api_rates):
    api_rates(user="1/minute", anon=None)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_authenticate(users["liaison"])
    client.get("/api/v1/programmes/")
    response = client.get("/api/v1/programmes/")
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many requests: try again in ")


def test_each_user_has_a_count_of_their_own(users, api_rates):
    api_rates(user="2/minute", anon=None)
    first, second = APIClient(), APIClient()
    first.force_authenticate(users["liaison"])
    second.force_authenticate(users["commander"])
    assert [first.get("/api/v1/programmes/").status_code for _ in range(3)] == [200, 200, 429]
    assert second.get("/api/v1/programmes/").status_code == 200


def test_anonymous_callers_are_counted_by_address_whatever_they_forward(api_rates, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    api_rates(user=None, anon="2/minute")
    client = APIClient(REMOTE_ADDR=HOME)
    statuses = [client.get("/api/docs/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)]
    assert statuses == [200, 200, 429]
    assert APIClient(REMOTE_ADDR=ELSEWHERE).get("/api/docs/").status_code == 200


def test_the_limits_are_on_outside_the_tests():
    """conftest turns the counts off for the other tests; the configuration itself keeps them."""
    import portal.settings as configured

    rest = configured.REST_FRAMEWORK
    assert rest["DEFAULT_THROTTLE_CLASSES"] == [
        "core.throttles.AnonymousRateThrottle",
        "core.throttles.UserRateThrottle",
    ]
    assert rest["DEFAULT_THROTTLE_RATES"] == {"anon": "60/minute", "user": "600/minute"}
