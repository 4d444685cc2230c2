"""Shared fixtures: the Dongguan registry, one user per role, service checks and the browser."""

import os
import socket
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from core.apps import grant_bureau_permissions
from core.models import Profile
from core.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON
from pairing.models import Area, School

# live_server runs in a thread while sync Playwright holds an event loop in the test's thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "correct-horse-battery"


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


@pytest.fixture
def dongguan(db):
    call_command("loaddata", "dongguan_2023", verbosity=0)


@pytest.fixture
def indicators(dongguan):
    call_command("loaddata", "dongguan_2023_indicators", verbosity=0)


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
