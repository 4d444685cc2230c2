"""Shared fixtures: the Dongguan registry, one user per role, service checks and the browser.

The Dongguan registry is loaded once per test process (per xdist worker), not once per test.
Loading `dongguan_2023` costs ~50 ms and nearly every test needs it, so loading it for each test
was the largest part of the suite's time. How it works:

* Levels. The registry comes in two levels, each one fixture file: `dongguan` (`dongguan_2023`:
  the programme, areas, schools, pairings) and `indicators` (`dongguan_2023_indicators`, which
  needs the first). A test gets a level by requesting the fixture of that name (directly or
  through another fixture: `users` requests `dongguan`, `reporting_users` requests `indicators`).

* Loaded once, committed. The first test that requests a level makes the session fixture
  `registry_database` load both levels outside any test transaction, so the rows are committed.
  Ordinary tests (`django_db`) run inside a transaction that is rolled back, so whatever they
  change or delete comes back for the next test.

* Reloaded only after a flush. Transactional tests (`django_db(transaction=True)`: live_server,
  the real Celery worker) leave the database empty behind them (Django flushes it). Before each
  test the `dongguan` and `indicators` fixtures look for their first row and load their file
  again only when it is missing. pytest-django runs the transactional tests after all the others,
  so in a normal run the reload happens at most once per transactional test; were an ordinary test
  to follow a flush, it would load the file inside its own transaction: correct, only slower.

* Hidden from tests that did not ask. A test that uses the database without requesting a level
  must not see its rows (factory-only tests count rows, `seed_demo` loads the fixture when the
  programme is missing). The autouse fixture `only_requested_registry` deletes, inside the test's
  transaction, the rows of every level the test did not request: the rollback at the end of the
  test brings them back. It deletes exactly the tables the level's load filled (found by counting
  rows before and after loading, so the historical tables that django-simple-history fills from
  the many-to-many fields are included), all in one atomic block so foreign keys stay consistent.
  The result is the same database each test saw when it loaded the fixtures itself.
"""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.db import connection, transaction

from pairing.models import Area, Programme, School
from portal.apps import grant_bureau_permissions
from portal.models import Profile
from portal.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON
from reporting.models import Indicator

# live_server runs in a thread while sync Playwright holds an event loop in the test's thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"
PROGRAMME_CODE = "dongguan-bqw-2023"

# The registry's levels in load order: fixture name -> (fixture file, "are its rows there?").
REGISTRY_LEVELS = {
    "dongguan": ("dongguan_2023", lambda: Programme.objects.filter(code=PROGRAMME_CODE).exists()),
    "indicators": (
        "dongguan_2023_indicators",
        lambda: Indicator.objects.filter(programme__code=PROGRAMME_CODE).exists(),
    ),
}
# The tables each level's load filled in this process (recorded when it was loaded).
FILLED_TABLES: dict[str, list[str]] = {}


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def load_level(level: str) -> None:
    before = row_counts()
    call_command("loaddata", REGISTRY_LEVELS[level][0], verbosity=0)
    after = row_counts()
    FILLED_TABLES[level] = sorted(table for table, rows in after.items() if rows != before.get(table))


def ensure_level(level: str) -> None:
    """Load the level unless its rows are there (they are not after a transactional test's flush)."""
    if not REGISTRY_LEVELS[level][1]():
        load_level(level)


def hide_levels(levels: list[str]) -> None:
    """Delete the rows of these levels; inside a test's transaction, its rollback restores them."""
    present = [level for level in levels if level in FILLED_TABLES and REGISTRY_LEVELS[level][1]()]
    if not present:
        return
    with transaction.atomic(), connection.cursor() as cursor:
        for level in reversed(present):
            for table in FILLED_TABLES[level]:
                cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")


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
    """Opens pages, each in its own browser context, and closes them after the test: the live
    server's request threads, kept alive by the browser, then end and give back their database
    connections (otherwise PostgreSQL refuses to drop the test database at the end)."""
    pages = []

    def open_page(**options):
        page = browser.new_page(**options)
        pages.append(page)
        return page

    yield open_page
    for page in pages:
        page.context.close()


@pytest.fixture(scope="session")
def registry_database(django_db_setup, django_db_blocker) -> None:
    """Loads every level once for this process, outside any test's transaction (see the docstring)."""
    with django_db_blocker.unblock():
        assert not connection.in_atomic_block, "the registry must be committed, not rolled back with a test"
        for level in REGISTRY_LEVELS:
            ensure_level(level)


@pytest.fixture(autouse=True)
def only_requested_registry(request) -> None:
    """A test that uses the database sees only the registry levels it requested."""
    uses_db = request.node.get_closest_marker("django_db") or {"db", "transactional_db", "live_server"} & set(
        request.fixturenames
    )
    if not uses_db or not FILLED_TABLES:
        return
    request.getfixturevalue("db")  # the test's transaction (already open for django_db tests)
    requested = [level for level in REGISTRY_LEVELS if level in request.fixturenames]
    hide_levels(list(REGISTRY_LEVELS)[len(requested) :])


@pytest.fixture
def dongguan(registry_database, db) -> None:
    ensure_level("dongguan")


@pytest.fixture
def indicators(dongguan) -> None:
    ensure_level("indicators")


def make_user(username: str, role: str, *, school: str | None = None, town: str | None = None) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, first_name=username)
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Profile.objects.create(
        user=user,
        school=School.objects.get(name=school) if school else None,
        town=Area.objects.get(name=town, kind__in=Area.TOWN_KINDS) if town else None,
    )
    return user


@pytest.fixture
def users(dongguan) -> dict[str, User]:
    """One user per role and scope, named as the permission matrices name them."""
    # A transactional test before this one may have flushed the groups' permissions: grant them again.
    Group.objects.get_or_create(name=BUREAU)
    grant_bureau_permissions(sender=None)
    return {
        "bureau": make_user("bureau", BUREAU),
        "commander": make_user("commander", COMMANDER),
        "liaison": make_user("liaison-dgut", LIAISON, school="东莞理工学院"),
        "assisting_liaison": make_user("liaison-jdgc", LIAISON, school="东莞市机电工程学校"),
        "other_liaison": make_user("liaison-gdmu", LIAISON, school="广东医科大学"),
        "town_liaison": make_user("town-changan", TOWN_LIAISON, town="长安"),
        "other_town_liaison": make_user("town-tangxia", TOWN_LIAISON, town="塘厦"),
        "no_role": User.objects.create_user(username="nobody", password=PASSWORD),
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 costs ~0.3 s a user; tests create many."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    """Files the portal stores (agreements, attachments, workbooks, exports) go to the test's own
    temporary directory: never into the work tree's media/, never shared between tests or between
    pytest-xdist workers."""
    settings.MEDIA_ROOT = tmp_path
