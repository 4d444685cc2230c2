"""core/page_cache.py: a page kept whole is served again only while nothing it could show has changed,
only to the one who asked for it, and never past the hour or a write, whatever made the write."""

import contextlib
import datetime
import uuid
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from django.utils.crypto import get_random_string
from rest_framework.test import APIClient

from core.page_cache import _bump_after_commit, _is_write, _pending_bump
from pairing.models import Area, Pairing

pytestmark = pytest.mark.django_db

BEIJING = zoneinfo.ZoneInfo("Asia/Shanghai")


def commit() -> None:
    """What a commit of the test's transaction would do for the page cache (it never commits): the
    writes so far bump the data's version, and are no longer pending."""
    pending = [entry for entry in connection.run_on_commit if entry[1] is _bump_after_commit]
    connection.run_on_commit[:] = [entry for entry in connection.run_on_commit if entry not in pending]
    for _savepoints, callback, _robust in pending:
        callback()


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)  # writes the session and the last login
    client.cookies[settings.CSRF_COOKIE_NAME] = get_random_string(32)  # as the login page leaves it
    commit()
    return client


def hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def committed(write) -> None:
    write()
    commit()


def test_a_page_asked_again_is_served_whole_with_fewer_queries(
    users, pairing_activity, django_assert_max_num_queries
):
    client = signed_in(users["bureau"])
    first = client.get("/pairings/")
    assert first.status_code == 200 and not hit(first)
    with django_assert_max_num_queries(2):  # the session and the user, as for any signed-in request
        second = client.get("/pairings/")
    assert hit(second)
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]


def test_a_write_through_the_orm_shows_at_once(
    users, pairing_activity, indicators, django_capture_on_commit_callbacks
):
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    town = Area.objects.get(name="长安")
    town.name = "长安镇改名"
    committed(lambda: town.save(update_fields=["name"]))
    page = client.get("/pairings/")
    assert not hit(page)
    assert "长安镇改名" in page.content.decode()
    assert hit(client.get("/pairings/"))


def test_a_write_no_model_sees_shows_at_once(
    users, pairing_activity, indicators, django_capture_on_commit_callbacks
):
    """A raw UPDATE sends no signal: the statement itself is noticed."""
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    town = Area.objects.get(name="长安")

    def raw_update():
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {Area._meta.db_table} SET name = %s WHERE id = %s", ["长安原始改名", town.pk]
            )

    committed(raw_update)
    assert "长安原始改名" in client.get("/pairings/").content.decode()


def test_a_bulk_update_shows_at_once(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    committed(
        lambda: Area.objects.filter(name="长安").update(name="长安批量改名"),
    )
    assert "长安批量改名" in client.get("/pairings/").content.decode()


def test_uncommitted_writes_of_the_same_transaction_are_read_afresh(users, pairing_activity, indicators):
    """The test's transaction never commits, so a write inside it must keep the page out of the cache."""
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    assert hit(client.get("/pairings/"))
    Area.objects.filter(name="长安").update(name="长安未提交")
    page = client.get("/pairings/")
    assert not hit(page)
    assert "长安未提交" in page.content.decode()
    assert not hit(client.get("/pairings/"))  # nor kept while the write is uncommitted


def test_each_user_and_session_has_pages_of_their_own(users, pairing_activity, indicators):
    pairing = Pairing.objects.filter(lead_university__name="东莞理工学院").first()
    owner = signed_in(users["liaison"])
    assert owner.get(f"/pairings/{pairing.pk}/").status_code == 200
    assert hit(owner.get(f"/pairings/{pairing.pk}/"))
    # Another school's liaison asks for the same URL: not the kept page, the 404 every outsider gets.
    assert signed_in(users["other_liaison"]).get(f"/pairings/{pairing.pk}/").status_code == 404
    # The same account in a new session (its forms' tokens are its own): rendered afresh.
    assert not hit(signed_in(users["liaison"]).get(f"/pairings/{pairing.pk}/"))


def test_the_language_and_the_query_are_part_of_the_key(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    assert not hit(client.get("/pairings/?page=1"))
    client.cookies["django_language"] = "en"
    english = client.get("/pairings/")
    assert not hit(english)
    assert 'lang="en"' in english.content.decode()


def test_a_page_is_kept_for_the_hour_it_was_rendered_in(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    start = datetime.datetime(2025, 11, 28, 23, 30, tzinfo=BEIJING)
    with time_machine.travel(start, tick=False):
        client.get("/reports/status/")
        assert hit(client.get("/reports/status/"))
    with time_machine.travel(start + datetime.timedelta(minutes=40), tick=False):
        assert not hit(client.get("/reports/status/"))  # past midnight: a month may have fallen due


def test_a_page_with_messages_to_show_is_neither_served_nor_kept(users, pairing_activity, indicators, rf):
    from django.contrib.messages import constants
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpResponse

    client = signed_in(users["bureau"])
    kept = client.get("/pairings/")
    # A message waiting for the next page, as a form's success leaves it (in the messages cookie).
    storage = CookieStorage(rf.get("/"))
    storage.add(constants.SUCCESS, "已保存：消息测试")
    carrier = HttpResponse()
    storage.update(carrier)
    client.cookies[storage.cookie_name] = carrier.cookies[storage.cookie_name].value
    page = client.get("/pairings/")
    assert not hit(page)
    assert "已保存：消息测试" in page.content.decode()
    assert "已保存：消息测试" not in kept.content.decode()
    after = client.get("/pairings/")  # the message was shown once; the page kept before is served
    assert hit(after) and after.content == kept.content


def test_api_answers_are_kept_per_caller_and_still_counted_by_the_throttle(
    users, pairing_activity, indicators, settings
):
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"page-cache-throttle-{uuid.uuid4().hex}"}
        for name, config in settings.CACHES.items()
    }
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "3/minute", "anon": None},
    }
    client = APIClient()
    client.force_authenticate(users["bureau"])
    answers = [client.get("/api/v1/pairings/") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert not hit(answers[0]) and hit(answers[1]) and hit(answers[2])
    assert answers[1].json() == answers[0].json()

    liaison = APIClient()
    liaison.force_authenticate(users["liaison"])
    theirs = liaison.get("/api/v1/pairings/")
    assert not hit(theirs)
    assert theirs.json()["count"] < answers[0].json()["count"]


def test_the_browsable_api_is_not_kept(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    client.get("/api/v1/pairings/", HTTP_ACCEPT="text/html")
    assert not hit(client.get("/api/v1/pairings/", HTTP_ACCEPT="text/html"))


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t VALUES (1)",
        "  update t set a = 1",
        "DELETE FROM t",
        "TRUNCATE t",
        "WITH x AS (SELECT 1) UPDATE t SET a = 1",
        "ALTER TABLE t ADD COLUMN b int",
    ],
)
def test_statements_that_write_are_noticed(sql):
    assert _is_write(sql)


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT 1",
        'SELECT "updated_at" FROM t FOR UPDATE',
        "SAVEPOINT s1",
        "RELEASE SAVEPOINT s1",
        "WITH x AS (SELECT 1) SELECT * FROM x",
    ],
)
def test_statements_that_only_read_are_not(sql):
    assert not _is_write(sql)


def test_a_page_showing_figures_a_worker_still_counts_is_not_kept(
    users, pairing_activity, indicators, monkeypatch
):
    from pairing import selectors, tasks

    monkeypatch.setattr(selectors, "INLINE_COMPLIANCE_PAIRINGS", 0)  # counted by a worker, as at scale
    queued = []
    monkeypatch.setattr("core.outbox.enqueue", lambda *args: queued.append(args))
    client = signed_in(users["bureau"])
    for _ in range(2):
        waiting = client.get("/pairings/compliance/")
        assert "正在统计结对情况，请稍后刷新。" in waiting.content.decode()
        assert not hit(waiting)
    tasks.refresh_compliance(*queued[0][1:])  # the worker stores its counts in the cache, not the database
    counted = client.get("/pairings/compliance/")
    assert not hit(counted) and "正在统计" not in counted.content.decode()
    assert hit(client.get("/pairings/compliance/"))


def test_a_session_without_its_csrf_cookie_is_not_kept(users, pairing_activity, indicators, monkeypatch):
    """Such a page makes a new CSRF secret for its forms and sends it as a cookie, which a kept page
    would not send again."""
    client = signed_in(users["bureau"])
    kept = kept_timeouts(monkeypatch)
    del client.cookies[settings.CSRF_COOKIE_NAME]
    first = client.get("/pairings/")
    assert settings.CSRF_COOKIE_NAME in first.cookies
    del client.cookies[settings.CSRF_COOKIE_NAME]
    assert not hit(client.get("/pairings/"))
    assert kept == [], "nothing stored"


def kept_timeouts(monkeypatch) -> list[int]:
    """The timeout of every page kept from now on."""
    from django.core.cache import caches

    kept = []
    cache = caches["default"]
    real = cache.set

    def spy(key, value, timeout=None, **kwargs):
        if key.startswith("page:"):
            kept.append(timeout)
        return real(key, value, timeout, **kwargs)

    monkeypatch.setattr(cache, "set", spy)
    return kept


def test_a_running_compilation_is_kept_no_longer_than_until_it_would_show_as_stalled(
    users, pairing_activity, indicators, monkeypatch
):
    from reporting.models import STALLED_AFTER, MonthlySummary

    client = signed_in(users["bureau"])
    MonthlySummary.objects.create(
        programme=Pairing.objects.first().programme,
        month=datetime.date(2024, 2, 1),
        state="running",
        progress=40,
        heartbeat_at=timezone.now(),
    )
    commit()
    kept = kept_timeouts(monkeypatch)
    assert "stalled-badge" not in client.get("/reports/summaries/").content.decode()
    assert len(kept) == 1 and 0 < kept[0] <= STALLED_AFTER.total_seconds()


def test_a_reopened_report_is_kept_no_longer_than_its_window(
    users, pairing_activity, indicators, monkeypatch
):
    from reporting.services import report_accept, report_reopen, report_save_draft, report_submit
    from tests.reporting.conftest import make_report

    with time_machine.travel(datetime.datetime(2024, 2, 21, 10, tzinfo=BEIJING), tick=False):
        report = make_report(users["liaison"])  # February 2024's, shown as this month's card
        values = {"activities_held": "1", "residency_days": "2"}
        report_save_draft(report=report, user=users["liaison"], values=values)
        report_submit(
            report=report, user=users["liaison"], now=datetime.datetime(2024, 2, 20, tzinfo=BEIJING)
        )
        report_accept(report=report, reviewer=users["bureau"])
        report_reopen(report=report, reviewer=users["bureau"], reason="更正数据")
    report.refresh_from_db()
    assert report.reopened_until.astimezone(BEIJING).month == 2
    client = signed_in(users["liaison"])
    kept = kept_timeouts(monkeypatch)
    with time_machine.travel(report.reopened_until - datetime.timedelta(minutes=5), tick=False):
        page = client.get("/reports/")
    assert page.status_code == 200 and "继续填写" in page.content.decode()
    assert len(kept) == 1 and 0 < kept[0] <= 5 * 60


def test_a_page_asking_for_its_own_caching_rules_is_not_kept(users, pairing_activity, indicators, rf):
    from django.http import HttpResponse
    from django.utils.cache import add_never_cache_headers

    from core.page_cache import _store

    response = HttpResponse("x")
    add_never_cache_headers(response)
    _store("page:test-never-cache", response)
    from django.core.cache import cache

    assert cache.get("page:test-never-cache") is None
    _store("page:test-plain", HttpResponse("y"))
    assert cache.get("page:test-plain") is not None  # the same call keeps a page without such rules


def test_an_api_answer_is_kept_per_host(users, pairing_activity, indicators):
    client = APIClient()
    client.force_authenticate(users["bureau"])
    client.get("/api/v1/pairings/?page_size=1", HTTP_HOST="localhost")
    assert hit(client.get("/api/v1/pairings/?page_size=1", HTTP_HOST="localhost"))
    other = client.get("/api/v1/pairings/?page_size=1", HTTP_HOST="127.0.0.1")
    assert not hit(other)
    assert "localhost" not in other.content.decode()


def test_a_write_that_changes_no_row_keeps_the_pages(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    Area.objects.filter(pk=-1).update(name="无")  # matches nothing, as reading a report's notices mostly does
    assert hit(client.get("/pairings/"))


def test_the_session_data_is_part_of_the_key_and_its_writes_do_not_count(users, pairing_activity, indicators):
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    session = client.session
    session["portal-test"] = "changed"  # e.g. the programme picked last
    session.save()
    assert not _pending_bump(connection), "a session's write is not a change of the data"
    assert not hit(client.get("/pairings/"))
    assert hit(client.get("/pairings/"))


def test_a_sqlite_database_named_by_a_path_keeps_pages(users, pairing_activity, indicators, monkeypatch):
    from pathlib import Path

    monkeypatch.setitem(connection.settings_dict, "NAME", Path("/tmp/portal.sqlite3"))
    client = signed_in(users["bureau"])
    assert client.get("/pairings/").status_code == 200
    assert hit(client.get("/pairings/"))


def test_a_lost_database_answers_the_503_page_on_a_kept_page_too(
    users, pairing_activity, indicators, monkeypatch
):
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import OperationalError

    client = Client(raise_request_exception=False)
    client.force_login(users["bureau"])

    def lost(self):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(SessionStore, "_get_session_from_db", lost)
    monkeypatch.setattr(connection, "is_usable", lambda: False)
    monkeypatch.setattr(connection, "close", lambda: None)
    response = client.get("/pairings/")
    assert response.status_code == 503


def test_with_the_page_cache_off_nothing_is_kept_or_counted(users, pairing_activity, indicators, settings):
    settings.PAGE_CACHE = False
    client = signed_in(users["bureau"])
    client.get("/pairings/")
    assert not hit(client.get("/pairings/"))
    Area.objects.filter(name="长安").update(name="长安关闭缓存")
    assert not _pending_bump(connection)


def test_a_write_rolled_back_with_its_savepoint_leaves_the_pages_kept(users, pairing_activity, indicators):
    from django.db import transaction

    client = signed_in(users["bureau"])
    client.get("/pairings/")
    with contextlib.suppress(RuntimeError), transaction.atomic():
        Area.objects.filter(name="长安").update(name="长安回滚")
        assert _pending_bump(connection)
        raise RuntimeError("rolled back")
    assert not _pending_bump(connection)
    assert hit(client.get("/pairings/"))
    for _ in range(3):  # many writes in one transaction: noticed once, found again at once
        Area.objects.filter(name="长安").update(name="长安")
    assert [entry[1] for entry in connection.run_on_commit].count(_bump_after_commit) == 1
    assert not hit(client.get("/pairings/"))


def test_rows_added_through_the_orm_show_at_once(users, pairing_activity, indicators):
    """An INSERT ... RETURNING (SQLite counts its row only once fetched) changes the data too."""
    from pairing.models import JointMeeting

    pairing = Pairing.objects.filter(lead_university__name="东莞理工学院").first()
    client = signed_in(users["bureau"])
    client.get(f"/pairings/{pairing.pk}/")
    assert hit(client.get(f"/pairings/{pairing.pk}/"))
    committed(
        lambda: JointMeeting.objects.create(
            pairing=pairing, held_on=datetime.date(2025, 6, 3), attendees="缓存测试会议"
        )
    )
    page = client.get(f"/pairings/{pairing.pk}/")
    assert not hit(page)
    assert "缓存测试会议" in page.content.decode()


def test_a_page_that_notes_the_programme_picked_is_not_kept(users, pairing_activity, indicators):
    """The view notes ?programme= in the session for the menu's pages: a hit would skip that."""
    from pairing.selectors import CHOSEN_PROGRAMME

    programme = Pairing.objects.first().programme
    client = signed_in(users["bureau"])

    def picked_elsewhere():  # as opening another programme's page would note it
        session = client.session
        session[CHOSEN_PROGRAMME] = -1
        session.save()

    for _ in range(2):
        picked_elsewhere()
        page = client.get(f"/dashboard/?programme={programme.pk}")
        assert not hit(page)
        assert client.session[CHOSEN_PROGRAMME] == programme.pk
    client.get(f"/dashboard/?programme={programme.pk}")
    assert hit(client.get(f"/dashboard/?programme={programme.pk}"))  # noted: the same page each time now
