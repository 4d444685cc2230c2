"""The pairing list and detail: filters, search, content and a query count that does not grow."""

import datetime

import pytest
from django.test import Client

from pairing.models import Area, Pairing, Programme
from tests.factories import PairingFactory
from tests.helpers import QUERY_BUDGET, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def bureau_client(users) -> Client:
    client = client_for(users["bureau"])
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


def test_a_pairing_found_through_several_of_its_villages_and_schools_is_listed_once(bureau_client):
    from pairing.models import Area

    pairing = Pairing.objects.get(number=1)
    village = pairing.villages.first()
    # Two more villages of its own (a village is in at most one live pairing); all three match.
    pairing.villages.add(
        *[Area.objects.create(name=f"同名村{n}", kind=village.kind, parent=village.parent) for n in (1, 2)]
    )
    Area.objects.filter(pk=village.pk).update(name="同名村0")
    response = bureau_client.get("/pairings/", {"q": "同名村"})
    numbers = [p.number for p in response.context["pairings"]]
    assert numbers == sorted(set(numbers)) and 1 in numbers
    assert response.context["page"].paginator.count == len(numbers)


def test_a_filter_value_that_is_not_understood_is_named_and_ignored(bureau_client):
    response = bureau_client.get("/pairings/", {"town": "abc", "status": "bogus"})
    assert response.status_code == 400  # bad input: said, and the list shown without it
    assert len(response.context["pairings"]) == 8
    html = response.content.decode()
    assert "部分筛选条件无法识别，已忽略" in html
    # Each problem after the filter it is about (it was Django's sentence alone, twice).
    problems = response.context["filter"].problems
    assert [problem.split("：")[0] for problem in problems] == ["结对地区", "状态"], problems
    assert all(problem in html for problem in problems)


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


def test_towns_and_schools_are_suggested_as_one_types_within_the_users_scope(users):
    bureau = client_for(users["bureau"]).get("/pairings/choices/towns/", {"q": "长"}).json()["results"]
    assert [t["text"] for t in bureau] == ["长安"]
    schools = (
        client_for(users["town_liaison"]).get("/pairings/choices/schools/", {"q": "学"}).json()["results"]
    )
    assert sorted(s["text"] for s in schools) == ["东莞市机电工程学校", "东莞理工学院"], "only 长安's pairing"
    assert (
        client_for(users["town_liaison"]).get("/pairings/choices/towns/", {"q": "塘"}).json()["results"] == []
    )


def test_a_town_typed_without_the_script_is_found_by_its_name(users):
    response = client_for(users["bureau"]).get("/pairings/", {"town_q": "长安"})
    assert [p.town.name for p in response.context["pairings"]] == ["长安"]
    assert 'value="长安"' in response.content.decode(), "the chosen town stays in its field"
    response = client_for(users["bureau"]).get("/pairings/", {"town_q": "没有这个镇"})
    assert response.status_code == 400
    assert "没有位于没有这个镇的结对。" in response.content.decode()


def test_the_filters_list_no_town_or_school(users):
    html = client_for(users["bureau"]).get("/pairings/").content.decode()
    filters = html.split('role="search"')[1].split("</form>")[0]
    assert filters.count("<option") == 5, (
        "only the status choices (all and four): no town or school is listed"
    )


def test_detail_shows_the_sections_of_the_rules_its_programme_applies_by_its_counterpart_name(
    bureau_client, pairing_activity
):
    html = bureau_client.get("/pairings/6/").content.decode()  # Dongguan applies every rule
    for section in ["compliance-heading", "agreement-heading", "bases-heading", "residency-heading"]:
        assert f'id="{section}"' in html
    assert 'id="meetings-heading"' in html and "本镇(街道)月报" in html

    from tests.factories import ProgrammeFactory

    county = ProgrammeFactory(
        rules=["leader", "resident"], counterpart_label="帮扶县", counterpart_label_en="Assisted county"
    )
    pairing = PairingFactory(programme=county)
    html = bureau_client.get(f"/pairings/{pairing.pk}/").content.decode()
    assert 'id="compliance-heading"' in html and "本帮扶县月报" in html and "镇(街道)" not in html
    for section in ["agreement-heading", "bases-heading", "residency-heading", "meetings-heading"]:
        assert f'id="{section}"' not in html, section
    assert f"/pairings/{pairing.pk}/agreement/" not in html  # no button to a section not shown
    # Records kept anyway are shown, without the target of a rule the programme does not apply.
    from pairing.models import PracticeBase, Residency, ServiceTeam

    team = ServiceTeam.objects.create(pairing=pairing, programme=county, name="工作队")
    Residency.objects.create(
        team=team,
        start_date=datetime.date(2025, 5, 1),
        end_date=datetime.date(2025, 5, 3),
        place=pairing.town,
    )
    PracticeBase.objects.create(pairing=pairing, programme=county, name="示范基地")
    html = bureau_client.get(f"/pairings/{pairing.pk}/", {"year": 2025}).content.decode()
    assert 'id="residency-heading"' in html and "2025-05-01" in html and "天</span>" not in html
    assert 'id="bases-heading"' in html and "示范基地" in html

    county.rules = []
    county.save()
    html = bureau_client.get(f"/pairings/{pairing.pk}/").content.decode()
    assert 'id="compliance-heading"' not in html and "该结对符合项目全部要求" not in html


def test_the_programme_picked_stays_picked_from_page_to_page(users):
    """Picking a programme on one page (?programme=) keeps it on the pages the menu opens without
    it: the lists, the months, the dashboard, and the forms of the export and the compilation."""
    from tests.factories import ProgrammeFactory

    dongguan = Programme.objects.get()
    other = ProgrammeFactory(name="县校合作测试")
    PairingFactory(programme=other)
    bureau = client_for(users["bureau"])
    assert bureau.get("/pairings/").context["programme"] == dongguan, "by default the current one"
    assert bureau.get("/pairings/", {"programme": other.pk}).context["programme"] == other
    for url in ["/pairings/", "/pairings/compliance/", "/reports/status/", "/reports/queue/", "/dashboard/"]:
        assert bureau.get(url).context["programme"] == other, url
    assert bureau.get("/reports/export/").context["programme"] == other
    assert bureau.get("/reports/summaries/").context["offered"] == other
    assert f'<option value="{other.pk}" selected>' in bureau.get("/reports/export/").content.decode()
    bureau.get("/dashboard/", {"programme": dongguan.pk})
    assert bureau.get("/pairings/").context["programme"] == dongguan, "picked again elsewhere"
    # A programme remembered that the user may no longer see is not shown to them.
    session = bureau.session
    session["chosen_programme"] = 999999
    session.save()
    assert bureau.get("/pairings/").context["programme"] == dongguan


def test_the_search_box_names_the_programmes_own_counterpart(users):
    """Yibin pairs a university with counties, with no towns or villages: its search box said
    '镇街、村或学校'."""
    from django.core.management import call_command

    call_command("loaddata", "yibin_2024", verbosity=0)
    yibin = Programme.objects.get(code="yibin-2024")
    bureau = client_for(users["bureau"])
    assert 'placeholder="县(区)或学校"' in bureau.get("/pairings/", {"programme": yibin.pk}).content.decode()
    dongguan = bureau.get("/pairings/", {"programme": Programme.objects.get(code="dongguan-bqw-2023").pk})
    assert 'placeholder="镇街、村或学校"' in dongguan.content.decode()
