"""Where each role lands, and what a 404 hides (the status of every URL for every role is in
tests/test_permission_matrix.py)."""

import pytest
from django.test import Client

from tests.helpers import ROLES as SIGNED_IN_ROLES
from tests.helpers import sign_in

pytestmark = pytest.mark.django_db

CHANGAN = 6  # pairing 6: 长安, 东莞理工学院 with 东莞市机电工程学校
TANGXIA = 4  # pairing 4: 塘厦, 广东医科大学 with 东莞市电子科技学校

ROLES = ["anonymous", *SIGNED_IN_ROLES]

HOME_TARGETS = {
    "bureau": "/pairings/",
    "commander": "/pairings/",
    "liaison": f"/pairings/{CHANGAN}/",
    "assisting_liaison": f"/pairings/{CHANGAN}/",
    "other_liaison": f"/pairings/{TANGXIA}/",
    "town_liaison": "/pairings/",
    "other_town_liaison": "/pairings/",
}


def client_for(role: str, users) -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, users[role])
    return client


@pytest.mark.parametrize("role", list(HOME_TARGETS))
def test_home_sends_each_role_to_its_place(role, users):
    response = client_for(role, users).get("/")
    assert response.url == HOME_TARGETS[role]


def test_liaison_cannot_open_another_schools_pairing(users):
    response = client_for("liaison", users).get(f"/pairings/{TANGXIA}/")
    assert response.status_code == 404
    assert "广东医科大学" not in response.content.decode()


def test_town_liaison_lists_only_their_town(users):
    response = client_for("town_liaison", users).get("/pairings/")
    assert [p.town.name for p in response.context["pairings"]] == ["长安"]


def test_admin_is_for_staff_only(users):
    assert client_for("commander", users).get("/admin/").status_code == 302
    users["bureau"].is_staff = True
    users["bureau"].save()
    assert client_for("bureau", users).get("/admin/pairing/pairing/").status_code == 200
