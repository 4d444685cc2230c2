"""The pairing list and detail: filters, search, content and a query count that does not grow."""

import pytest
from django.test import Client

from pairing.models import Area, Pairing
from tests.factories import PairingFactory
from tests.helpers import QUERY_BUDGET

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_client(users) -> Client:
    client = Client()
    client.force_login(users["bureau"])
    return client


def test_list_shows_all_eight_pairings_in_chinese(bureau_client):
    response = bureau_client.get("/pairings/")
    html = response.content.decode()
    assert len(response.context["pairings"]) == 8
    assert "结对" in html and "东莞理工学院" in html and 'lang="zh-hans"' in html


def test_filter_by_town(bureau_client):
    changan = Area.objects.get(name="长安")
    response = bureau_client.get("/pairings/", {"town": changan.pk})
    assert [p.lead_university.name for p in response.context["pairings"]] == ["东莞理工学院"]


@pytest.mark.parametrize(
    ("school", "towns"),
    [("东莞市机电工程学校", ["长安"]), ("广东医科大学", ["塘厦"]), ("东莞理工学校", ["东坑"])],
)
def test_filter_by_school_finds_lead_and_assisting(bureau_client, school, towns):
    from pairing.models import School

    response = bureau_client.get("/pairings/", {"school": School.objects.get(name=school).pk})
    assert [p.town.name for p in response.context["pairings"]] == towns


def test_filter_by_status(bureau_client):
    Pairing.objects.filter(number=3).update(status=Pairing.Status.ENDED, end_reason="调整")
    response = bureau_client.get("/pairings/", {"status": "ended"})
    assert [p.number for p in response.context["pairings"]] == [3]


@pytest.mark.parametrize(("term", "numbers"), [("南面", [1]), ("新华", [8]), ("纺织", [2]), ("不存在", [])])
def test_search_by_name(bureau_client, term, numbers):
    response = bureau_client.get("/pairings/", {"q": term})
    assert [p.number for p in response.context["pairings"]] == numbers


def test_a_filter_value_that_is_not_understood_is_named_and_ignored(bureau_client):
    response = bureau_client.get("/pairings/", {"town": "abc", "status": "bogus"})
    assert response.status_code == 200
    assert len(response.context["pairings"]) == 8
    assert "部分筛选条件无法识别，已忽略" in response.content.decode()


def test_detail_shows_parties_and_villages(bureau_client):
    response = bureau_client.get("/pairings/1/")
    html = response.content.decode()
    for name in [
        "凤岗",
        "雁田村",
        "南面村（谢岗）",
        "广东酒店管理职业技术学院",
        "东莞市经济贸易学校",
        "东莞市电子商贸学校",
    ]:
        assert name in html


def test_list_runs_the_same_number_of_queries_for_8_and_200_pairings(
    bureau_client, without_history, django_assert_max_num_queries, django_assert_num_queries
):
    with django_assert_max_num_queries(QUERY_BUDGET) as at_8:
        assert bureau_client.get("/pairings/").status_code == 200
    PairingFactory.create_batch(192)
    assert Pairing.objects.count() == 200
    with django_assert_num_queries(len(at_8)):
        assert bureau_client.get("/pairings/").status_code == 200


def test_detail_runs_the_same_number_of_queries_however_big_the_team(
    bureau_client, pairing_activity, django_assert_max_num_queries, django_assert_num_queries
):
    import datetime

    from pairing.models import Residency
    from tests.factories import MembershipFactory

    with django_assert_max_num_queries(QUERY_BUDGET) as small:
        assert bureau_client.get("/pairings/6/", {"year": 2025}).status_code == 200
    pairing = Pairing.objects.get(number=6)
    for day in range(1, 21):
        member = MembershipFactory(team=pairing.team)
        Residency.objects.create(
            team=pairing.team,
            start_date=datetime.date(2025, 12, day),
            end_date=datetime.date(2025, 12, day),
            place=pairing.town,
        ).people.add(member.person)
    with django_assert_num_queries(len(small)):
        assert bureau_client.get("/pairings/6/", {"year": 2025}).status_code == 200
