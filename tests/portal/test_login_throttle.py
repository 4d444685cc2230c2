"""Hostile input at the door: failed logins lock the account and the address for a while (django-axes),
the locked-out user is told until when and whom to ask, the bureau lifts a lockout, and behind a
configured proxy the client's address is the forwarded one (and only then)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client

from core.client_address import client_address
from core.lockouts import lockouts_now
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
LOGIN = "/accounts/login/"
LOCKOUTS = "/accounts/lockouts/"
HOME = "203.0.113.10"  # the liaison's office
ELSEWHERE = "198.51.100.20"


def limit() -> int:
    return django_settings.AXES_FAILURE_LIMIT


def log_in(client: Client, username: str, password: str):
    return client.post(LOGIN, {"username": username, "password": password})


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def fail(client: Client, username: str, times: int) -> list[int]:
    return [log_in(client, username, f"wrong-{n}").status_code for n in range(times)]


def test_the_configured_limit_is_five_failures_for_fifteen_minutes():
    cool_off = django_settings.AXES_COOLOFF_TIME
    assert django_settings.AXES_FAILURE_LIMIT == 5
    assert cool_off == datetime.timedelta(minutes=15)


def test_after_the_limit_of_wrong_passwords_the_right_one_is_refused(users):
    client = Client(REMOTE_ADDR=HOME)
    statuses = fail(client, "liaison-dgut", limit())
    assert statuses == [200] * (limit() - 1) + [429]  # the last failure already answers the lockout
    response = log_in(client, "liaison-dgut", PASSWORD)
    assert response.status_code == 429
    assert not logged_in(client)


def test_a_locked_account_is_refused_from_another_address_too(users):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    other = Client(REMOTE_ADDR=ELSEWHERE)
    assert log_in(other, "liaison-dgut", PASSWORD).status_code == 429
    assert not logged_in(other)


def test_another_account_from_another_address_still_logs_in(users):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    other = Client(REMOTE_ADDR=ELSEWHERE)
    response = log_in(other, "commander", PASSWORD)
    assert response.status_code == 302
    assert logged_in(other)


def test_failures_spread_over_usernames_lock_the_address_but_not_the_bureau(users):
    """Guesses at many usernames from one address lock the address: every account behind it is kept
    out, but bureau staff, who lift lockouts and often share the office's one address."""
    spraying = Client(REMOTE_ADDR=HOME)
    statuses = [log_in(spraying, f"guess-{n}", "123456").status_code for n in range(limit())]
    assert statuses[-1] == 429
    assert log_in(Client(REMOTE_ADDR=HOME), "liaison-dgut", PASSWORD).status_code == 429
    assert log_in(Client(REMOTE_ADDR=HOME), "bureau", PASSWORD).status_code == 302
    assert log_in(Client(REMOTE_ADDR=ELSEWHERE), "liaison-dgut", PASSWORD).status_code == 302


def test_a_bureau_account_still_locks_after_its_own_failures(users):
    client = Client(REMOTE_ADDR=HOME)
    assert fail(client, "bureau", limit())[-1] == 429
    assert log_in(Client(REMOTE_ADDR=ELSEWHERE), "bureau", PASSWORD).status_code == 429


def test_below_the_limit_the_right_password_logs_in(users):
    client = Client(REMOTE_ADDR=HOME)
    fail(client, "liaison-dgut", limit() - 1)
    assert log_in(client, "liaison-dgut", PASSWORD).status_code == 302
    assert logged_in(client)


@time_machine.travel(datetime.datetime(2024, 5, 10, 10, 0, 30, tzinfo=SHANGHAI), tick=False)
def test_the_lockout_page_is_in_chinese_and_names_the_time_and_whom_to_ask(users):
    client = Client(REMOTE_ADDR=HOME)
    fail(client, "liaison-dgut", limit())
    response = log_in(client, "liaison-dgut", PASSWORD)
    html = response.content.decode()
    assert response.status_code == 429
    assert 'lang="zh-hans"' in html
    assert "登录已暂时锁定" in html
    # The last failure at 10:00:30 plus 15 minutes, shown as the next whole minute.
    assert "2024-05-10 10:16" in html and "北京时间" in html
    assert "市教育局" in html
    assert 'href="/accounts/login/"' in html


@time_machine.travel(datetime.datetime(2024, 5, 10, 10, 0, 30, tzinfo=SHANGHAI), tick=False)
def test_the_lockout_page_is_english_for_who_chose_english(users):
    client = Client(REMOTE_ADDR=HOME)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "en"
    fail(client, "liaison-dgut", limit())
    html = log_in(client, "liaison-dgut", PASSWORD).content.decode()
    assert "Login locked" in html and "Try again from 2024-05-10 10:16 (Beijing time)" in html
    assert "登录" not in html


def test_the_lockout_ends_at_the_time_the_page_names(users):
    start = datetime.datetime(2024, 5, 10, 10, 0, 30, tzinfo=SHANGHAI)
    client = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "liaison-dgut", limit())
        clock.move_to(start + datetime.timedelta(minutes=14, seconds=59))
        assert log_in(client, "liaison-dgut", PASSWORD).status_code == 429
        clock.move_to(datetime.datetime(2024, 5, 10, 10, 16, tzinfo=SHANGHAI))
        assert log_in(client, "liaison-dgut", PASSWORD).status_code == 302
        assert logged_in(client)  # inside: the session expires two weeks after 2024


def test_trying_again_while_locked_does_not_push_the_end_further(users):
    start = datetime.datetime(2024, 5, 10, 10, 0, tzinfo=SHANGHAI)
    client = Client(REMOTE_ADDR=HOME)
    with time_machine.travel(start, tick=False) as clock:
        fail(client, "liaison-dgut", limit())
        clock.move_to(start + datetime.timedelta(minutes=10))
        assert fail(client, "liaison-dgut", 3) == [429] * 3
        clock.move_to(start + datetime.timedelta(minutes=15, seconds=1))
        assert log_in(client, "liaison-dgut", PASSWORD).status_code == 302


# The bureau lifts a lockout.


def bureau_client(users) -> Client:
    client = Client()
    client.force_login(users["bureau"])
    return client


def test_the_bureau_sees_the_locked_account_and_address_and_lifts_the_account(users):
    user = Client(REMOTE_ADDR=HOME)
    fail(user, "liaison-dgut", limit())
    bureau = bureau_client(users)
    page = bureau.get(LOCKOUTS)
    html = page.content.decode()
    assert page.status_code == 200
    assert "liaison-dgut" in html and HOME in html and "解除锁定" in html
    assert {(lockout.kind, lockout.value) for lockout in lockouts_now()} == {
        ("username", "liaison-dgut"),
        ("ip_address", HOME),
    }

    response = bureau.post(LOCKOUTS, {"kind": "username", "value": "liaison-dgut"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username="liaison-dgut").exists()
    assert lockouts_now() == []
    assert "liaison-dgut" in bureau.get(LOCKOUTS).content.decode()  # the message says whose
    assert log_in(user, "liaison-dgut", PASSWORD).status_code == 302
    assert logged_in(user)


def test_the_bureau_lifts_a_locked_address(users):
    spraying = Client(REMOTE_ADDR=HOME)
    for n in range(limit()):
        log_in(spraying, f"guess-{n}", "123456")
    assert [lockout.value for lockout in lockouts_now()] == [HOME]
    assert bureau_client(users).post(LOCKOUTS, {"kind": "ip_address", "value": HOME}).status_code == 302
    assert lockouts_now() == []
    assert log_in(spraying, "liaison-dgut", PASSWORD).status_code == 302


def test_lifting_an_address_keeps_the_account_locked_that_failed_from_it(users):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    assert bureau_client(users).post(LOCKOUTS, {"kind": "ip_address", "value": HOME}).status_code == 302
    assert [(lockout.kind, lockout.value) for lockout in lockouts_now()] == [("username", "liaison-dgut")]
    office = Client(REMOTE_ADDR=HOME)
    assert log_in(office, "liaison-dgut", PASSWORD).status_code != 302, "the account is still locked"
    assert log_in(office, "liaison-jdgc", PASSWORD).status_code == 302, "the address is not"


def test_lifting_needs_a_lockout_named_properly(users):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    bureau = bureau_client(users)
    for body in [{}, {"kind": "ip_address", "value": "not-an-address"}, {"kind": "everything", "value": "x"}]:
        assert bureau.post(LOCKOUTS, body).status_code == 400, body
    assert AccessAttempt.objects.filter(username="liaison-dgut").exists()


@pytest.mark.parametrize(
    "role", ["commander", "liaison", "assisting_liaison", "town_liaison", "other_town_liaison", "no_role"]
)
def test_no_one_but_the_bureau_opens_or_lifts_the_lockouts(users, role):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    client = Client()
    client.force_login(users[role])
    assert client.get(LOCKOUTS).status_code == 404
    assert client.post(LOCKOUTS, {"kind": "username", "value": "liaison-dgut"}).status_code == 404
    assert AccessAttempt.objects.filter(username="liaison-dgut").exists()


def test_the_bureau_reads_and_deletes_the_attempts_in_the_admin(users):
    fail(Client(REMOTE_ADDR=HOME), "liaison-dgut", limit())
    bureau = users["bureau"]
    bureau.is_staff = True
    bureau.save()
    client = Client()
    client.force_login(bureau)
    listing = client.get("/admin/axes/accessattempt/")
    html = listing.content.decode()
    assert listing.status_code == 200 and "liaison-dgut" in html
    assert "登录失败记录" in html and "已锁定" in html  # axes ships no Chinese; the portal's catalog has it
    assert "登录记录" in client.get("/admin/").content.decode()
    attempt = AccessAttempt.objects.get(username="liaison-dgut")
    assert client.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert lockouts_now() == []


# The client's address behind the proxy.


def test_the_forwarded_header_is_ignored_unless_proxies_are_configured(users, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    client = Client(REMOTE_ADDR=HOME)
    for n in range(limit()):  # each failure claims another address and another username
        client.post(LOGIN, {"username": f"guess-{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert [lockout.value for lockout in lockouts_now()] == [HOME]


def test_behind_the_configured_proxy_the_client_is_the_forwarded_address(users, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = Client(REMOTE_ADDR="10.1.1.1")
    for n in range(limit()):
        proxy.post(
            LOGIN, {"username": f"guess-{n}", "password": "x"}, HTTP_X_FORWARDED_FOR=f"6.6.6.6, {HOME}"
        )
    assert [lockout.value for lockout in lockouts_now()] == [HOME]  # not the proxy, not the forged 6.6.6.6
    response = proxy.post(
        LOGIN, {"username": "commander", "password": PASSWORD}, HTTP_X_FORWARDED_FOR=ELSEWHERE
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.2.3.4", "192.0.2.1"),
        (1, "1.2.3.4", "1.2.3.4"),
        (1, "9.9.9.9, 1.2.3.4", "1.2.3.4"),
        (2, "9.9.9.9, 1.2.3.4, 10.0.0.1", "1.2.3.4"),
        (1, "not an address", "192.0.2.1"),
        (1, "", "192.0.2.1"),
        (1, " 2001:db8::1 ", "2001:db8::1"),
    ],
)
def test_client_address(rf, settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected
