"""The compliance matrix and the breaches on a pairing's page."""

import datetime

import pytest
from django.utils import timezone

from pairing.models import Area, Pairing, Programme
from tests.factories import bulk_pairings
from tests.helpers import QUERY_BUDGET, cache_as_committed, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(users, pairing_activity):
    return users


def cells(response, number: int) -> dict[str, str]:
    result = next(r for r in response.context["results"] if r.pairing.number == number)
    return {rule.code: ("breach" if texts else "ok") for rule, texts in result.cells()}


def test_matrix_shows_each_pairings_breaches_for_the_year(demo):
    response = client_for(demo["bureau"]).get("/pairings/compliance/", {"year": 2025})
    html = response.content.decode()
    assert len(response.context["results"]) == 8
    assert set(cells(response, 6).values()) == {"ok"}
    assert cells(response, 1)["team_size"] == "breach"
    assert "服务工作队5人，少于6人" in html
    assert "2025年累计驻点62天，少于90天" in html
    assert "2025年仅召开1次联席会议，少于2次" in html


def test_the_matrix_lists_only_the_pairings_breaking_a_rule_when_asked(demo):
    """'Which pairing breaks which rule': at province scale 2,849 of 10,000 pairings broke some rule,
    spread over 200 pages of the matrix. Filtered by a rule (or any), only those are listed, and
    the choice names how many break each."""
    bureau = client_for(demo["bureau"])
    everything = bureau.get("/pairings/compliance/", {"year": 2025})
    breaking = {r.pairing.number for r in everything.context["results"] if not r.is_compliant}
    team_size = {r.pairing.number for r in everything.context["results"] if r.breaches.get("team_size")}
    assert 0 < len(team_size) < len(breaking) < 8
    anyone = bureau.get("/pairings/compliance/", {"year": 2025, "breaking": "any"})
    assert {r.pairing.number for r in anyone.context["results"]} == breaking
    only = bureau.get("/pairings/compliance/", {"year": 2025, "breaking": "team_size"})
    assert {r.pairing.number for r in only.context["results"]} == team_size
    html = only.content.decode()
    assert f'<option value="team_size" selected>未达标：队伍人数 ({len(team_size)})</option>' in html
    assert f'<option value="any">未达标：任一规则 ({len(breaking)})</option>' in html
    dashboard = bureau.get("/dashboard/").content.decode()
    assert "&amp;breaking=any" in dashboard and "&amp;breaking=team_size" in dashboard, "the counts lead here"
    unknown = bureau.get("/pairings/compliance/", {"year": 2025, "breaking": "nonsense"})
    assert unknown.status_code == 400 and "没有这项规则，无法按它筛选。" in unknown.content.decode()
    assert len(unknown.context["results"]) == 8


def test_year_switch_changes_the_year_evaluated(demo):
    response = client_for(demo["bureau"]).get("/pairings/compliance/", {"year": 2024})
    assert response.context["year"] == 2024
    assert "2024年累计驻点62天，少于90天" in response.content.decode()


@pytest.mark.parametrize("year", ["abc", "99999", "2019"])
def test_a_year_that_is_not_one_of_the_programmes_is_said_and_this_year_shown(demo, year):
    this_year = timezone.localdate().year
    for url in ("/pairings/compliance/", "/pairings/6/"):
        response = client_for(demo["bureau"]).get(url, {"year": year})
        assert response.status_code == 400
        assert response.context["year"] == this_year
        assert f"{year}不在本项目的年份内：本项目为2024–{this_year}年。" in response.content.decode()


def test_filter_by_town(demo):
    town = Area.objects.get(name="塘厦")
    response = client_for(demo["commander"]).get("/pairings/compliance/", {"year": 2025, "town": town.pk})
    assert [r.pairing.number for r in response.context["results"]] == [4]


def test_town_liaison_sees_only_their_towns_compliance(demo):
    response = client_for(demo["town_liaison"]).get("/pairings/compliance/", {"year": 2025})
    assert [r.pairing.town.name for r in response.context["results"]] == ["长安"]


def test_pairing_page_lists_its_breaches(demo):
    response = client_for(demo["liaison"]).get("/pairings/6/", {"year": 2025})
    assert "该结对符合项目全部要求" in response.content.decode()
    Pairing.objects.get(number=6).practice_bases.all().delete()
    response = client_for(demo["liaison"]).get("/pairings/6/", {"year": 2025})
    assert "未建实践基地" in response.content.decode()


def test_matrix_runs_the_same_number_of_queries_for_8_and_200_pairings(
    demo, django_assert_max_num_queries, django_assert_num_queries
):
    client = client_for(demo["bureau"])
    with django_assert_max_num_queries(QUERY_BUDGET) as at_8:
        assert client.get("/pairings/compliance/", {"year": 2025}).status_code == 200
    programme = Programme.objects.get()
    bulk_pairings(programme, range(101, 293))
    assert Pairing.objects.count() == 200
    with django_assert_num_queries(len(at_8)):
        assert client.get("/pairings/compliance/", {"year": 2025}).status_code == 200


def test_the_matrix_shows_the_chosen_programmes_rules_and_its_unpaired_schools(users):

    from pairing.models import Pairing, Programme
    from tests.factories import ProgrammeFactory

    other = ProgrammeFactory(name="县校合作测试", rules=["team_size", "resident"])
    client = client_for(users["bureau"])
    response = client.get("/pairings/compliance/")
    assert [rule.code for rule in response.context["rules"]] == Programme.objects.get(
        code="dongguan-bqw-2023"
    ).rules[:8]
    assert 'id="id_programme_pick"' in response.content.decode(), "the programme picker is shown"
    assert response.context["unpaired"] == []
    Pairing.objects.get(number=6).villages.clear()
    response = client.get("/pairings/compliance/")
    assert {school.name for school, _text in response.context["unpaired"]} == {
        "东莞理工学院",
        "东莞市机电工程学校",
    }
    response = client.get("/pairings/compliance/", {"programme": other.pk})
    assert [rule.code for rule in response.context["rules"]] == ["team_size", "resident"]
    assert client.get("/pairings/compliance/", {"programme": "99999"}).status_code == 404


def test_at_province_scale_a_worker_counts_and_the_page_shows_the_latest_counts_meanwhile(users, monkeypatch):

    from core.cache import bump
    from pairing import selectors, tasks

    monkeypatch.setattr(selectors, "INLINE_COMPLIANCE_PAIRINGS", 0)
    queued = []
    monkeypatch.setattr("core.outbox.enqueue", lambda *args: queued.append(args))
    client = client_for(users["bureau"])
    response = client.get("/pairings/compliance/")
    assert response.context["summary"] is None
    assert "正在统计结对情况，请稍后刷新。" in response.content.decode()
    assert len(queued) == 1 and queued[0][0] == "pairing.refresh_compliance"
    client.get("/pairings/compliance/")
    assert len(queued) == 1, "queued once while it counts"
    tasks.refresh_compliance(*queued[0][1:])
    summary = client.get("/pairings/compliance/").context["summary"]
    assert summary.fresh and summary.value.pairings == 8
    with cache_as_committed():
        bump("registry")  # a workspace record changed
    response = client.get("/pairings/compliance/")
    assert response.context["summary"].value.pairings == 8 and not response.context["summary"].fresh
    assert "正在重新统计" in response.content.decode()
    assert len(queued) == 2


def test_an_ended_programmes_matrix_opens_on_its_last_year_and_offers_only_its_years(demo):
    programme = Programme.objects.get()
    client = client_for(demo["bureau"])
    this_year = timezone.localdate().year
    response = client.get("/pairings/compliance/")
    assert response.context["year"] == this_year
    assert response.context["years"] == list(range(2024, this_year + 1))  # from the first report month

    Programme.objects.filter(pk=programme.pk).update(end_date=datetime.date(2025, 6, 30))
    response = client.get("/pairings/compliance/")
    assert response.context["year"] == 2025
    assert response.context["years"] == [2024, 2025]
    html = response.content.decode()
    assert '<option value="2025" selected>' in html and '<option value="2026"' not in html
    assert "2025年合规情况" in html
    for outside in (2023, 2026, "abc"):
        assert client.get("/pairings/compliance/", {"year": outside}).context["year"] == 2025
    assert client.get("/pairings/compliance/", {"year": 2024}).context["year"] == 2024
    # The pairing's page follows its programme's years too.
    assert client.get("/pairings/6/").context["year"] == 2025


def test_a_programme_with_no_rules_says_so_instead_of_an_empty_matrix(users):

    from tests.factories import PairingFactory, ProgrammeFactory

    programme = ProgrammeFactory(name="县校合作测试", rules=[])
    PairingFactory(programme=programme)
    for language, message in [
        ("en", "This programme applies no compliance rules."),
        ("zh-hans", "本项目未设合规要求。"),  # last, so Chinese stays the active language
    ]:
        client = client_for(users["bureau"])
        client.cookies["django_language"] = language
        response = client.get("/pairings/compliance/", {"programme": programme.pk})
        html = response.content.decode()
        assert response.status_code == 200
        assert message in html and "compliance-matrix" not in html and 'id="compliance-count"' not in html
        dashboard = client.get("/dashboard/", {"programme": programme.pk}).content.decode()
        assert message in dashboard and 'id="chart-compliance"' not in dashboard
    dongguan = Programme.objects.get(code="dongguan-bqw-2023")
    response = client.get("/pairings/compliance/", {"programme": dongguan.pk})  # rules: the matrix as before
    assert "compliance-matrix" in response.content.decode() and "no-rules" not in response.content.decode()


def test_the_dashboard_says_so_when_every_pairing_keeps_every_rule(users):

    from tests.factories import PairingFactory, ProgrammeFactory

    programme = ProgrammeFactory(name="县校合作测试", rules=["team_size"], min_team_size=0)
    PairingFactory(programme=programme)
    client = client_for(users["bureau"])
    html = client.get("/dashboard/", {"programme": programme.pk}).content.decode()
    assert "所有结对均符合全部要求，没有违反任何规则。" in html and 'id="chart-compliance"' not in html
    programme.min_team_size = 6  # the pairing has no team: it now breaks the rule
    programme.save()
    html = client.get("/dashboard/", {"programme": programme.pk}).content.decode()
    assert 'id="chart-compliance"' in html and "所有结对均符合全部要求" not in html


def test_the_pairing_pages_residency_badge_owes_what_the_rule_owes(demo):
    """A pairing begun on 1 July owes half the year's 90 days: the rule said 'fewer than 45', while
    the badge above the residencies said 'x of 90 days'."""
    pairing = Pairing.objects.get(number=6)
    Pairing.objects.filter(pk=pairing.pk).update(start_date=datetime.date(2025, 7, 1))
    response = client_for(demo["bureau"]).get(f"/pairings/{pairing.pk}/", {"year": 2025})
    assert response.context["residency_minimum"] == 90 * 184 // 365
    assert f"2025年：{response.context['residency_days']}/{90 * 184 // 365}天" in response.content.decode()
