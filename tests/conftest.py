"""Shared fixtures: the Dongguan registry, one user per role, service checks and the browser.

The Dongguan registry and the users are made once per test process (per xdist worker), not once
per test: loading `dongguan_2023` and creating the eight users cost ~90 ms, and nearly every test
needs them. How it works:

* Levels. What the tests share comes in levels, each named after the fixture that requests it:
  `dongguan` (the `dongguan_2023` fixture file: programme, areas, schools, pairings),
  `indicators` (`dongguan_2023_indicators`; needs `dongguan`), `users` (one user per role and
  scope; needs `dongguan`) and `pairing_activity` (the pairings' demo teams, residencies,
  meetings, agreements and bases up to 2025-12-31, from `pairing.demo`; needs `dongguan`). A test
  gets a level by requesting its fixture, directly or through another fixture (`reporting_users`
  requests `users` and `indicators`). No two levels fill the same table (checked when they are
  made), so one can be hidden without touching another.

* Made once, committed. The first test that requests a level makes the session fixture
  `registry_database` make them all outside any test transaction, so the rows are committed.
  Ordinary tests (`django_db`) run inside a transaction that is rolled back, so whatever they
  change or delete comes back for the next test.

* Made again only after a flush. Transactional tests (`django_db(transaction=True)`: live_server,
  the real Celery worker) leave the database empty behind them (Django flushes it). Before each
  test the level fixtures look for their first row and make their
  level again only when it is missing. pytest-django runs the transactional tests after all the
  others, so in a normal run this happens at most once per transactional test; were an ordinary
  test to follow a flush, it would make the level inside its own transaction: correct, slower.

* Hidden from tests that did not ask. A test that uses the database without requesting a level
  must not see its rows (factory-only tests count rows, `seed_demo` loads the fixture when the
  programme is missing and creates users named like ours). The autouse fixture
  `only_requested_registry` deletes, inside the test's transaction, the rows of every level the
  test did not request; the rollback at the end of the test brings them back. It deletes exactly
  the tables the level filled (found by counting rows before and after making it, so the
  historical tables that django-simple-history fills are included), in one atomic block so
  foreign keys stay consistent. Each test therefore sees the database it saw when it loaded the
  files and created the users itself.

* Kept aside when most tests do not ask. Hiding `pairing_activity` (847 rows in 16 tables) cost
  each test that did not request it about 25 ms of wall time and 10-20 ms of its process's CPU
  (the deletes, then the foreign-key checks at its end; 150 tests measured each way, alternating),
  though only 57 of 1,056 tests request it. Once made, its rows are moved into copies of its
  tables (`stash_<table>`, committed, outside Django's models, so a flush leaves them), and the
  `pairing_activity` fixture copies them back inside the test's transaction (16 `INSERT ...
  SELECT`); the rollback takes them out again. The tables' id sequences are kept past the copies'
  ids (`reset_sequences`). tests/test_shared_levels.py checks all three.

* Users are handed out fresh. `users` reads the eight users from the database for each test, so
  a test that changes one (is_staff, its groups) changes neither the next test's objects nor,
  after the rollback, its rows.
"""

import datetime
import gc
import itertools
import os
import socket
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models.signals import post_save
from django.test import override_settings

from core.apps import grant_bureau_permissions
from core.models import Profile
from core.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON
from pairing.demo import seed_pairing_activity
from pairing.models import Area, Programme, School, ServiceTeam
from reporting.models import Indicator


def pytest_addoption(parser) -> None:
    parser.addoption(
        "--clock",
        metavar="MOMENT",
        help=(
            "run the suite as if the clock read MOMENT (ISO 8601 with its offset, e.g. "
            "2026-12-01T00:20+08:00) and ticked on from there; see the README's 'Tests and the date'"
        ),
    )


def start_clock(config) -> None:
    """`--clock MOMENT`: every test runs with the clock started at MOMENT (time-machine, ticking),
    in every worker. CI runs on whatever day it is; this is how a test that only passes on some days
    of the month is found before a CI run on such a day finds it."""
    moment = config.getoption("clock", None)
    if not moment:
        return
    import time_machine

    try:
        when = datetime.datetime.fromisoformat(moment)
    except ValueError:
        raise pytest.UsageError(f"--clock {moment!r} is not an ISO 8601 moment") from None
    if when.tzinfo is None:
        raise pytest.UsageError(f"--clock {moment!r} needs its offset, e.g. {when.isoformat()}+08:00")
    traveller = time_machine.travel(when, tick=True)
    traveller.start()
    config.add_cleanup(traveller.stop)


def pytest_configure(config) -> None:
    start_clock(config)
    _tune_the_garbage_collector()


def _tune_the_garbage_collector() -> None:
    """Python's cyclic garbage collector, tuned for a test process: what is loaded by now (Django,
    the apps, the test modules) is moved out of its reach (`gc.freeze`), and it runs after 50,000
    new container objects rather than 700. A test makes hundreds of thousands of short-lived ORM
    and template objects; with the default threshold the collector walked the young generation
    thousands of times per module. Measured on tests/test_permission_matrix.py and
    tests/pairing/test_workspace.py, three runs each way: 5-6% less CPU (19.0-20.1 s of user time
    against 20.0-21.2 s), for about 40 MB more memory per process. Runs in each xdist worker."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items) -> None:
    """Under `--dist loadgroup`, pytest-xdist hands a group to one worker by adding "@group" to the
    ids of its tests in each worker (its own hook, before this one). Were a pytest it does not know
    to ignore that (pytest 9.2 does), every group would be spread over the workers without a word
    and its module-scoped seeding made in each: stop the run instead."""
    if not getattr(config.option, "loadgroup", False):
        return
    lost = [
        item.nodeid for item in items if item.get_closest_marker("xdist_group") and "@" not in item.nodeid
    ]
    if lost:
        message = (
            f"--dist loadgroup did not group {len(lost)} tests marked xdist_group (e.g. {lost[0]}): "
            "this pytest and pytest-xdist disagree on test ids; see pyproject.toml's pin"
        )
        sys.stderr.write(message + "\n")  # a worker's exception reaches the terminal only as a crash
        raise pytest.UsageError(message)


# live_server runs in a thread while sync Playwright holds an event loop in the test's thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"
PROGRAMME_CODE = "dongguan-bqw-2023"
ACTIVITY_UNTIL = datetime.date(2025, 12, 31)

# key in the `users` dict: (username, role, school, town), as the permission matrices name them.
USERS = {
    "bureau": ("bureau", BUREAU, None, None),
    "commander": ("commander", COMMANDER, None, None),
    "liaison": ("liaison-dgut", LIAISON, "东莞理工学院", None),
    "assisting_liaison": ("liaison-jdgc", LIAISON, "东莞市机电工程学校", None),
    "other_liaison": ("liaison-gdmu", LIAISON, "广东医科大学", None),
    "town_liaison": ("town-changan", TOWN_LIAISON, None, "长安"),
    "other_town_liaison": ("town-tangxia", TOWN_LIAISON, None, "塘厦"),
    "no_role": ("nobody", None, None, None),
}


def make_user(username: str, role: str | None, school: str | None = None, town: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    if role is None:  # signed in, but in no role group and without a profile
        return user
    user.groups.add(Group.objects.get(name=role))
    Profile.objects.create(
        user=user,
        school=School.objects.get(name=school) if school else None,
        town=Area.objects.get(name=town, kind__in=Area.TOWN_KINDS) if town else None,
    )
    return user


def make_users() -> None:
    for username, role, school, town in USERS.values():
        make_user(username, role, school, town)


# The levels in the order they are made: fixture name -> (make it, are its rows there?).
REGISTRY_LEVELS = {
    "dongguan": (
        lambda: call_command("loaddata", "dongguan_2023", verbosity=0),
        lambda: Programme.objects.filter(code=PROGRAMME_CODE).exists(),
    ),
    "indicators": (
        lambda: call_command("loaddata", "dongguan_2023_indicators", verbosity=0),
        lambda: Indicator.objects.filter(programme__code=PROGRAMME_CODE).exists(),
    ),
    "users": (make_users, lambda: User.objects.filter(username=USERS["bureau"][0]).exists()),
    "pairing_activity": (
        lambda: seed_pairing_activity(
            programme=Programme.objects.get(code=PROGRAMME_CODE), until=ACTIVITY_UNTIL
        ),
        lambda: ServiceTeam.objects.filter(pairing__programme__code=PROGRAMME_CODE).exists(),
    ),
}
# The tables each level filled in this process (recorded when it was made).
FILLED_TABLES: dict[str, list[str]] = {}
# The levels kept aside in copies of their tables once made (see the docstring), and the tables copied.
ASIDE_LEVELS = ("pairing_activity",)
SET_ASIDE: dict[str, list[str]] = {}


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def role_groups() -> None:
    """The role groups come from a data migration, so a flush removes them: make them again, and
    grant the bureau its permissions (which post_migrate grants only to an existing group)."""
    for role in (BUREAU, COMMANDER, LIAISON, TOWN_LIAISON):
        Group.objects.get_or_create(name=role)
    grant_bureau_permissions(sender=None)


def ensure_level(level: str) -> None:
    """Make the level unless its rows are there (they are not after a transactional test's flush)."""
    make, present = REGISTRY_LEVELS[level]
    if present():
        return
    role_groups()
    before = row_counts()
    make()
    after = row_counts()
    filled = sorted(table for table, rows in after.items() if rows != before.get(table))
    shared = {table for other, tables in FILLED_TABLES.items() if other != level for table in tables}
    assert not shared & set(filled), f"{level} fills tables of another level: {shared & set(filled)}"
    FILLED_TABLES[level] = filled


def hide_levels(levels: list[str]) -> None:
    """Delete the rows of these levels; inside a test's transaction, its rollback restores them."""
    present = [level for level in levels if level in FILLED_TABLES and REGISTRY_LEVELS[level][1]()]
    if not present:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for level in reversed(present):
            for table in FILLED_TABLES[level]:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


def _aside(table: str) -> str:
    return connection.ops.quote_name(f"stash_{table}")


def set_aside(level: str) -> None:
    """Moves the level's committed rows into copies of its tables (outside any test's transaction)."""
    tables = FILLED_TABLES[level]
    with transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"DROP TABLE IF EXISTS {_aside(table)}")
            cursor.execute(
                f"CREATE TABLE {_aside(table)} AS SELECT * FROM {connection.ops.quote_name(table)}"
            )
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
    SET_ASIDE[level] = tables


def bring_back(level: str) -> None:
    """Copies the level's rows back into its tables, inside the test's transaction. Through the
    driver's own cursor, past the connection's execute wrappers: the rows are the level's, as if
    committed before the test, not a write of the test's (which the page cache would count, and
    then neither keep nor serve pages until the transaction ends)."""
    with transaction.atomic(), connection.cursor() as wrapper:
        cursor = wrapper.cursor
        for table in SET_ASIDE[level]:
            cursor.execute(f"INSERT INTO {connection.ops.quote_name(table)} SELECT * FROM {_aside(table)}")


def sequences_past_set_aside_sql() -> list[str]:
    """Each set-aside table's id sequence moved past the largest id of its copy (PostgreSQL), so a
    row a test creates never takes the id of a row brought back. SQLite needs nothing: its
    AUTOINCREMENT never hands out an id again, and nothing here lowers it."""
    if connection.vendor != "postgresql":
        return []
    quote = connection.ops.quote_name
    models = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}
    statements = []
    for tables in SET_ASIDE.values():
        for table in tables:
            pk = quote(models[table]._meta.pk.column)
            statements.append(
                f"SELECT setval(pg_get_serial_sequence('{quote(table)}', '{models[table]._meta.pk.column}'), "
                f"GREATEST((SELECT MAX({pk}) FROM {_aside(table)}), (SELECT MAX({pk}) FROM {quote(table)})));"
            )
    return statements


# A fixture file loaded (loaddata) while committed rows were hidden sets the tables' id sequences
# below those rows' ids, and a sequence is not rolled back with the transaction: the next test would
# be handed an id a committed row holds. Noted on every raw save, made right before the next test.
SEQUENCES_MOVED = False


def note_fixture_loaded(sender, raw: bool = False, **kwargs) -> None:
    global SEQUENCES_MOVED
    if raw:
        SEQUENCES_MOVED = True


post_save.connect(note_fixture_loaded, dispatch_uid="tests-note-fixture-loaded")


def reset_sequences() -> None:
    """Every table's id sequence to the largest id it holds (PostgreSQL; one round trip)."""
    global SEQUENCES_MOVED
    statements = (
        connection.ops.sequence_reset_sql(no_style(), apps.get_models()) + sequences_past_set_aside_sql()
    )
    if statements:
        with connection.cursor() as cursor:
            cursor.execute("\n".join(statements))
    SEQUENCES_MOVED = False


def need_service(reason: str) -> None:
    """A service a test needs is missing: fail in CI (REQUIRE_SERVICES=1), skip with the reason elsewhere."""
    if settings.REQUIRE_SERVICES:
        pytest.fail(f"REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def tcp_reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture
def redis_url() -> str:
    if not settings.REDIS_URL:
        need_service("REDIS_URL is not set, so there is no Redis broker to test against")
    if not tcp_reachable(settings.REDIS_URL, 6379):
        need_service(f"Redis at {settings.REDIS_URL} is unreachable")
    return settings.REDIS_URL


@pytest.fixture(scope="session", autouse=True)
def celery_queue(request) -> str:
    """Each test process sends its tasks to, and its in-process worker consumes from, its own queue.

    Under pytest-xdist the processes share one Redis broker but not their test databases (each
    worker has its own); with the one default queue, a task sent by gw0 could be taken by the
    worker gw1 started, which would run it against gw1's database. Celery derives the default
    exchange and routing key from the default queue's name, so naming the queue after the xdist
    worker keeps every message within its process.
    """
    from portal.celery import app

    worker = getattr(request.config, "workerinput", {}).get("workerid", "main")
    queue = f"portal-tests-{worker}"
    app.conf.task_default_queue = queue
    assert app.amqp.default_queue.name == queue, "Celery's queues were set up before the tests chose theirs"
    assert app.amqp.default_exchange.name == queue
    return queue


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        need_service(f"{CHROMIUM} is missing (apt-get install -y chromium fonts-noto-cjk)")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def new_page(browser):
    """Opens pages, each in its own browser context, and closes them after the test, so no page of
    one test still fetches from the server while the next test runs."""
    pages = []

    def open_page(**options):
        page = browser.new_page(**options)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    """PBKDF2 costs ~0.3 s a password; the tests create and check many (the session's users too)."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(scope="session", autouse=True)
def pages_kept_whole():
    """The page cache on, as in production, with or without Redis (each test has its own key prefix,
    own_cache_namespace, and each process its own local memory): tests/core/test_page_cache.py."""
    with override_settings(PAGE_CACHE=True):
        yield


@pytest.fixture(scope="session", autouse=True)
def api_unthrottled():
    """The API counts no request in tests (the permission matrix and the schema fuzz alone send
    hundreds as one user, and a count would outlive the test in the cache); the tests of the limits
    (tests/portal/test_login_throttle.py) set low rates to prove them."""
    rates = {"anon": None, "user": None}
    with override_settings(REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}):
        yield


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_createdb):
    """On PostgreSQL the test database is a copy of a migrated template (tests/schema_template.py),
    which Django then keeps (`migrate` finds nothing to apply); it is dropped at the end of the run.
    `--reuse-db` and `--create-db` behave as pytest-django documents."""
    from tests.schema_template import copy_test_database, drop_test_database

    reuse = request.config.getvalue("reuse_db")
    copied = None if reuse or django_db_createdb else copy_test_database()
    yield bool(reuse or copied)
    if copied:
        drop_test_database(copied)


@pytest.fixture(scope="session")
def registry_database(django_db_setup, django_db_blocker, fast_password_hashing) -> None:
    """Makes every level once for this process, outside any test's transaction (see the docstring)."""
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "the registry must be committed, not rolled back with a test"
        for level in REGISTRY_LEVELS:
            ensure_level(level)
        for level in ASIDE_LEVELS:
            set_aside(level)


@pytest.fixture(autouse=True)
def only_requested_registry(request) -> None:
    """A test that uses the database sees only the levels it requested."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db or not FILLED_TABLES:
        return
    request.getfixturevalue("db")  # the test's transaction (already open for django_db tests)
    if SEQUENCES_MOVED:  # before hiding anything: the committed rows are all in sight
        reset_sequences()
    hide_levels([level for level in REGISTRY_LEVELS if level not in request.fixturenames])


@pytest.fixture
def dongguan(registry_database, db) -> None:
    ensure_level("dongguan")


@pytest.fixture
def indicators(dongguan) -> None:
    ensure_level("indicators")


@pytest.fixture
def users(dongguan) -> dict[str, User]:
    """One user per role and scope (see USERS), read afresh for each test."""
    ensure_level("users")
    by_username = User.objects.in_bulk([username for username, *_ in USERS.values()], field_name="username")
    return {key: by_username[username] for key, (username, *_) in USERS.items()}


@pytest.fixture
def pairing_activity(dongguan) -> None:
    if "pairing_activity" in SET_ASIDE:
        bring_back("pairing_activity")
    else:
        ensure_level("pairing_activity")


@pytest.fixture
def without_history(settings) -> None:
    """For tests that build hundreds of rows only to count a page's queries: django-simple-history
    writes no records for them (two thirds of the cost of each factory row). Only for pages that
    do not read the history."""
    settings.SIMPLE_HISTORY_ENABLED = False


_media_dirs = itertools.count()


@pytest.fixture(scope="session")
def media_base(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def private_media(settings, media_base):
    """Files the portal stores (agreements, attachments, workbooks, exports) go to the test's own
    directory, made only when a file is stored: never into the work tree's media/, never shared
    between tests or between pytest-xdist workers (each has its own temporary directory)."""
    settings.MEDIA_ROOT = media_base / str(next(_media_dirs))


@pytest.fixture(autouse=True)
def own_cache_namespace(settings, request):
    """Each test reads and writes cached figures under its own key prefix: nothing cached by another
    test (whose rows were rolled back) or another xdist worker (another database) can be served to it,
    and nothing is flushed from the Redis that the broker shares in CI."""
    import uuid

    settings.CACHES = {
        **settings.CACHES,
        "default": {**settings.CACHES["default"], "KEY_PREFIX": f"test-{uuid.uuid4().hex[:12]}"},
    }


@pytest.fixture(scope="session", autouse=True)
def no_flush_of_the_shared_redis():
    """In CI the cache and the Celery broker share one Redis database (REDIS_URL): a test emptying the
    cache there (FLUSHDB) also emptied the queues, bindings and unacknowledged messages of the other
    xdist worker's tests, and a task put back after its worker was killed was lost. Tests keep to
    their own key prefix instead (own_cache_namespace); emptying the Redis cache fails here."""
    from core.cache import TolerantRedisCache

    def refuse(self):
        raise AssertionError("a test emptied the Redis cache, which is the broker's database in CI")

    original = TolerantRedisCache.clear
    TolerantRedisCache.clear = refuse
    yield
    TolerantRedisCache.clear = original


@pytest.fixture
def eager_tasks():
    """Run tasks in-process here even when REDIS_URL points at a broker (the worker tests cover the
    broker): for tests of what a task does, inside the test's transaction."""
    from portal.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = before


@pytest.fixture(autouse=True)
def language_reset():
    """A request in English (a language cookie) leaves English active in the thread: each test starts
    and ends in the portal's default language, whatever the test before it asked for."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()
