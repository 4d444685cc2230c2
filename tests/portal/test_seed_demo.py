"""seed_demo loads the programme when missing, makes one user per role and can run twice."""

import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import call_command

from pairing.models import Pairing

pytestmark = pytest.mark.django_db


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def test_seed_demo_loads_the_fixture_and_creates_the_roles():
    output = seed("--password", "demo-pass-1")
    assert Pairing.objects.count() == 8
    assert "demo-pass-1" in output
    expected = {
        "bureau": ("bureau", None, None),
        "commander": ("commander", None, None),
        "liaison-dgut": ("liaison", "东莞理工学院", None),
        "liaison-jdgc": ("liaison", "东莞市机电工程学校", None),
        "town-changan": ("town_liaison", None, "长安"),
    }
    for username, (group, school, town) in expected.items():
        user = authenticate(username=username, password="demo-pass-1")
        assert user is not None, username
        assert list(user.groups.values_list("name", flat=True)) == [group]
        assert (user.profile.school.name if user.profile.school else None) == school
        assert (user.profile.town.name if user.profile.town else None) == town


def test_running_twice_duplicates_nothing_and_sets_the_new_password():
    seed("--password", "first-pass-1")
    seed("--password", "second-pass-2")
    assert Pairing.objects.count() == 8
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


def test_without_a_password_a_random_one_is_printed():
    output = seed()
    password = output.strip().splitlines()[-1].split(": ", 1)[1]
    assert len(password) >= 10
    assert authenticate(username="commander", password=password) is not None
