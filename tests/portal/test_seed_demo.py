"""seed_demo loads the programmes when missing, makes one user per role and can run twice (the five
programmes and their figures: tests/test_programmes.py).

A run costs seconds, so `make run`'s runs once for the module (the `demo` fixture, tests/seeded.py):
the tests read what it made and printed, and those about a run after it (again, without a password,
with the README's password) make only that run. The refused passwords see an empty database."""

import io
import re
from pathlib import Path

import pytest
from django.contrib.auth import authenticate as django_authenticate
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from pairing.models import (
    Area,
    JointMeeting,
    LeadUnit,
    Membership,
    Pairing,
    Person,
    PracticeBase,
    Programme,
    School,
    ServiceTeam,
    WorkCategory,
)
from pairing.selectors import pairings_visible_to
from reporting.models import (
    Figure,
    Indicator,
    IndicatorMinimum,
    IndicatorValue,
    MonthlyReport,
    MonthlySummary,
    ReportVersion,
)
from tests.seeded import SharedRows
from tests.test_programmes import HEADLINES

# One worker runs the whole module, so its module-scoped seeding is done once (`make test` uses
# pytest-xdist's --dist loadgroup), not once in each worker that draws one of its tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("seed-demo")]

ROOT = Path(__file__).resolve().parents[2]


def authenticate(**credentials):
    """As a login does: django-axes, which guards every login, needs the request."""
    return django_authenticate(RequestFactory().post("/accounts/login/"), **credentials)


SHARED = SharedRows()


def seed(*args: str) -> str:
    """seed_demo as `make run` runs it (the dashboard's twelve months of Dongguan's reports)."""
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture(scope="module", autouse=True)
def module_transaction(django_db_setup, django_db_blocker):
    """The module's tests share one transaction, rolled back at its end (tests/seeded.py)."""
    yield from SHARED.module_transaction(django_db_blocker)


@pytest.fixture(scope="module")
def demo(module_transaction, django_db_blocker, tmp_path_factory) -> str:
    """`make run`'s seed_demo on an empty database, run once for the module; what it printed."""
    media = tmp_path_factory.mktemp("demo-media")
    return SHARED.make("demo", django_db_blocker, media, lambda: seed("--password", "demo-pass-1"))


@pytest.fixture(autouse=True)
def only_requested_registry(request) -> None:
    """Overrides the conftest's: a test that did not request `demo` sees none of it."""
    SHARED.hide_unrequested(request)


def test_make_run_seeds_the_dashboards_twelve_months_of_reports(demo):
    from django.db.models import Min

    from core.months import Month
    from reporting.models import MonthlyReport

    first = MonthlyReport.objects.filter(pairing__programme__code="dongguan-bqw-2023").aggregate(Min("month"))
    assert Month.of(first["month__min"]) == Month.current().shift(-12)


def test_seed_demo_loads_the_fixture_and_creates_the_roles(demo):
    output = demo
    assert Pairing.objects.filter(programme__code="dongguan-bqw-2023").count() == 8
    assert "demo-pass-1" in output
    expected = {
        "bureau": ("bureau", None, None),
        "commander": ("commander", None, None),
        "liaison-dgut": ("liaison", "东莞理工学院", None),
        "liaison-jdgc": ("liaison", "东莞市机电工程学校", None),
        "town-changan": ("town_liaison", None, "长安"),
        "liaison-yibin": ("liaison", "宜宾学院", None),
        "liaison-whut": ("liaison", "武汉理工大学", None),
        "liaison-uestc": ("liaison", "电子科技大学", None),
        "liaison-ruicheng": ("liaison", "清华大学", None),
    }
    for username, (group, school, town) in expected.items():
        user = authenticate(username=username, password="demo-pass-1")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert (user.profile.school.name if user.profile.school else None) == school
        assert (user.profile.town.name if user.profile.town else None) == town


def test_running_twice_duplicates_nothing_and_sets_the_new_password(demo):
    # The first run is `demo`'s (with demo-pass-1).
    pairings = Pairing.objects.count()
    summaries = list(MonthlySummary.objects.values_list("programme__code", "month", "state"))
    seed("--password", "second-pass-2")
    assert Pairing.objects.count() == pairings
    assert list(MonthlySummary.objects.values_list("programme__code", "month", "state")) == summaries
    assert (
        User.objects.filter(
            username__in=["bureau", "commander", "liaison-dgut", "liaison-jdgc", "town-changan"]
        ).count()
        == 5
    )
    assert authenticate(username="bureau", password="second-pass-2") is not None
    users_after_second = User.objects.count()
    seed("--password", "third-pass-3")
    assert User.objects.count() == users_after_second


def test_the_demo_has_each_programmes_last_due_month_compiled(demo):
    """As beat would have by now: the summaries page and the dashboard have something to show."""
    from core.months import Month
    from pairing.models import Programme

    output = demo
    assert "Compiled the last due month of each programme" in output
    for programme in Programme.objects.all():
        month = (
            programme.last_month()
            if programme.is_due(programme.last_month())
            else programme.last_month().previous()
        )
        summary = MonthlySummary.objects.get(programme=programme, month=month.first_day)
        assert summary.state == MonthlySummary.State.DONE and summary.workbook, programme.code
        assert Month.of(summary.month) <= Month.of(programme.end_date or summary.month)


def test_without_a_password_a_random_one_is_printed(demo):
    output = seed()  # after `demo`'s run with demo-pass-1
    password = output.strip().splitlines()[-1].split(": ", 1)[1]
    assert len(password) >= 10
    assert authenticate(username="commander", password=password) is not None


def objections_to(password: str) -> list[str]:
    """What the validators say of the password for the bureau's demo account."""
    try:
        validate_password(password, user=User(username="bureau", email="bureau@example.org"))
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    ("password", "reasons"),
    [
        ("12345678", 2),  # common, and only digits
        ("short1", 2),  # too short, and common
        ("bureau2024", 1),  # like the bureau's username
    ],
)
def test_a_weak_password_is_refused_with_the_validators_messages_and_changes_nothing(password, reasons):
    with pytest.raises(CommandError) as refused:
        seed("--password", password)
    assert refused.value.returncode == 1  # what manage.py exits with
    assert str(refused.value).startswith("密码未通过校验：")
    objections = objections_to(password)
    assert len(objections) == reasons
    for objection in objections:
        assert objection in str(refused.value)
    assert not User.objects.exists() and not Pairing.objects.exists()


def test_the_demo_password_of_make_run_and_the_readme_passes_the_validators(demo):
    password = re.search(r"^DEMO_PASSWORD \?= (\S+)$", (ROOT / "Makefile").read_text(), re.M).group(1)
    assert f"password `{password}`" in (ROOT / "README.md").read_text()
    seed("--password", password)
    assert authenticate(username="liaison-dgut", password=password) is not None


COUNTED_MODELS = [
    Programme,
    Area,
    JointMeeting,
    School,
    Pairing,
    LeadUnit,
    ServiceTeam,
    Person,
    Membership,
    PracticeBase,
    WorkCategory,
    Indicator,
    IndicatorMinimum,
    Figure,
    MonthlyReport,
    IndicatorValue,
    ReportVersion,
    User,
]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED_MODELS} | {
        "history": sum(model.history.count() for model in COUNTED_MODELS if hasattr(model, "history"))
    }


def test_seed_demo_loads_the_five_programmes_twice_without_duplicating(demo):
    """The shared run (`demo`) is the first."""
    first = counts()
    assert first["Programme"] == 5 and first["Pairing"] == 8 + 10 + 1 + 1 + 22
    call_command("check_figures", stdout=io.StringIO())  # every figure of every programme holds
    seed("--password", "demo-pass-2")
    assert counts() == first
    call_command("check_figures", stdout=io.StringIO())
    users = ["bureau", "commander", "liaison-yibin", "liaison-whut", "liaison-uestc", "liaison-ruicheng"]
    sees = {
        user.username: set(pairings_visible_to(user).values_list("programme__code", flat=True))
        for user in User.objects.filter(username__in=users)
    }
    everything = set(HEADLINES)
    assert sees == {
        "bureau": everything,
        "commander": everything,
        "liaison-yibin": {"yibin-2024"},
        "liaison-whut": {"whut-shiquan-2021"},
        "liaison-uestc": {"uestc-cengong-2013"},
        "liaison-ruicheng": {"ruicheng-2021"},
    }
    # The liaisons are the authors of their school's reports.
    yibin = MonthlyReport.objects.filter(pairing__programme__code="yibin-2024")
    assert set(yibin.values_list("created_by__username", flat=True)) == {"liaison-yibin"}
