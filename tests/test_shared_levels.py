"""The shared rows of tests/conftest.py and the sign-in of tests/helpers.py, which most tests stand on:
a test sees the levels it requested and no other; the level kept aside comes back whole, and no row
a test creates takes one of its ids; `sign_in` signs a client in as `force_login` does."""

import pytest
from django.db import connection
from django.test import Client

from pairing.models import Person, School, ServiceTeam
from tests.conftest import SET_ASIDE, reset_sequences
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def aside_counts() -> dict[str, tuple[int, int]]:
    """Each set-aside table: (rows in the table, rows in its copy)."""
    quote = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in SET_ASIDE["pairing_activity"]:
            cursor.execute(
                f"SELECT (SELECT COUNT(*) FROM {quote(table)}), (SELECT COUNT(*) FROM stash_{table})"
            )
            counts[table] = tuple(cursor.fetchone())
    return counts


def test_a_test_that_did_not_request_the_pairings_activity_sees_none_of_it(users):
    assert not ServiceTeam.objects.exists()
    counts = aside_counts()
    assert len(counts) == 16
    assert all(rows == 0 and kept > 0 for table, (rows, kept) in counts.items() if "historical" not in table)


def test_a_test_that_requested_it_sees_every_row(pairing_activity):
    counts = aside_counts()
    assert {table: rows for table, (rows, _) in counts.items()} == {
        table: kept for table, (_, kept) in counts.items()
    }
    assert ServiceTeam.objects.count() == counts["pairing_serviceteam"][1] > 0


def largest_aside_person_id() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT MAX(id) FROM stash_pairing_person")
        return cursor.fetchone()[0]


def test_ids_reset_while_the_activity_is_aside_stay_past_its_rows(dongguan, indicators, users):
    # As after a test that loaded a fixture file holding a person of its own, with a low id: every
    # id sequence is set from the rows in sight, and the people kept aside are not in sight. (The
    # test requests every other level: a level hidden now would have its sequences set back too,
    # which is why conftest resets them before hiding anything.)
    school = School.objects.first()
    Person.objects.create(pk=1, name="夹具里的队员", school=school)
    reset_sequences()
    person = Person.objects.create(name="新队员", school=school)
    assert person.pk > largest_aside_person_id() > 1


def test_sign_in_gives_the_session_force_login_gives(users):
    liaison = users["liaison"]
    forced = Client()
    forced.force_login(liaison)
    signed = client_for(liaison)
    for client in (forced, signed):
        response = client.get("/reports/")
        assert response.status_code == 200
        assert response.wsgi_request.user == liaison
    # Both sessions carry the password's hash: a new password signs both out.
    liaison.set_password("another-horse-battery")
    liaison.save()
    assert [client.get("/reports/").status_code for client in (forced, signed)] == [302, 302]
