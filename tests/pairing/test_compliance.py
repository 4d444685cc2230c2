"""Each rule of the programme: passing, breaching, the boundary, and other numbers for another programme."""

import datetime

import pytest
from django.utils import translation

from pairing.compliance import (
    evaluate_pairing,
    evaluate_pairings,
    residency_days_in_year,
    schools_without_pairing,
)
from pairing.models import Agreement, JointMeeting, Membership, Pairing, Person, PracticeBase, Residency
from tests.factories import (
    MembershipFactory,
    PairingFactory,
    PersonFactory,
    ProgrammeFactory,
    SchoolFactory,
    ServiceTeamFactory,
)
from tests.helpers import QUERY_BUDGET

pytestmark = pytest.mark.django_db

D = datetime.date
YEAR = 2024
YEAR_END = D(2024, 12, 31)


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def build_compliant_pairing(programme=None, *, members: int = 4, residency_days: int = 90, meetings: int = 2):
    """A pairing that keeps every rule of the Dongguan numbers in 2024."""
    pairing = PairingFactory(programme=programme or ProgrammeFactory(), start_date=D(2024, 1, 1))
    vocational = pairing.assisting_schools.get()
    team = ServiceTeamFactory(pairing=pairing)
    leader = PersonFactory(school=pairing.lead_university, is_school_leader=True, title_grade="senior")
    deputy = PersonFactory(school=vocational, is_school_leader=True, title_grade="associate")
    Membership.objects.create(team=team, person=leader, role=Membership.Role.LEADER)
    Membership.objects.create(team=team, person=deputy, role=Membership.Role.DEPUTY)
    for index in range(members):
        school = pairing.lead_university if index % 2 else vocational
        MembershipFactory(team=team, person=PersonFactory(school=school, title_grade="intermediate"))
    if residency_days:
        residency = Residency.objects.create(
            team=team,
            start_date=D(2024, 3, 1),
            end_date=D(2024, 3, 1) + datetime.timedelta(days=residency_days - 1),
            place=pairing.town,
        )
        residency.people.add(leader)
    for month in range(1, meetings + 1):
        JointMeeting.objects.create(pairing=pairing, held_on=D(2024, month * 3, 10), attendees="三方代表")
    Agreement.objects.create(pairing=pairing, signed_on=D(2024, 1, 31))
    PracticeBase.objects.create(pairing=pairing, name="乡村建设实践基地")
    return pairing


def breaches(pairing, code: str, as_of=YEAR_END) -> list[str]:
    return evaluate_pairing(pairing, year=YEAR, as_of=as_of).breaches[code]


def test_a_pairing_that_keeps_every_rule_has_no_breach():
    result = evaluate_pairing(build_compliant_pairing(), year=YEAR, as_of=D(2024, 12, 31))
    assert result.is_compliant, result.breaches


# Team size: at least 6.
def test_exactly_six_members_is_enough():
    assert breaches(build_compliant_pairing(members=4), "team_size") == []


def test_five_members_breach_with_the_numbers():
    assert breaches(build_compliant_pairing(members=3), "team_size") == ["服务工作队5人，少于6人"]


def test_no_team_at_all_is_zero_members():
    pairing = PairingFactory(start_date=D(2024, 1, 1))
    assert breaches(pairing, "team_size") == ["服务工作队0人，少于6人"]


# Leader and deputy.
def test_leader_must_be_a_school_level_leader_of_the_university():
    pairing = build_compliant_pairing()
    Person.objects.filter(memberships__role="leader").update(is_school_leader=False)
    assert breaches(pairing, "leader") == ["队长须为高校校级领导"]


def test_a_leader_from_the_vocational_school_does_not_count():
    pairing = build_compliant_pairing()
    Person.objects.filter(memberships__role="leader").update(school=pairing.assisting_schools.get())
    assert breaches(pairing, "leader") == ["队长是校级领导，但不是本结对高校的校级领导"]


def test_a_deputy_of_the_vocational_school_replaced_is_told_as_such_not_as_lacking_rank():
    """After the vocational school is replaced, its 副校长 still on the team is a school-level leader,
    of a school no longer a party: said so, rather than "must be a school-level leader"."""
    pairing = build_compliant_pairing()
    pairing.assisting_schools.set([SchoolFactory()])
    assert breaches(pairing, "deputy") == ["副队长是校级领导，但不是本结对中职学校的校级领导"]


def test_deputy_must_be_a_school_level_leader_of_the_vocational_school():
    pairing = build_compliant_pairing()
    Person.objects.filter(memberships__role="deputy").update(is_school_leader=False)
    assert breaches(pairing, "deputy") == ["副队长须为中职学校校级领导"]


def test_a_team_without_a_leader_or_deputy_is_told_so():
    pairing = build_compliant_pairing()
    Membership.objects.filter(role__in=["leader", "deputy"]).update(role="member")
    assert breaches(pairing, "leader") == ["服务工作队没有队长"]
    assert breaches(pairing, "deputy") == ["服务工作队没有副队长"]


# Titles: intermediate or above.
def test_a_junior_member_is_named():
    pairing = build_compliant_pairing()
    member = Membership.objects.filter(team__pairing=pairing, role="member").first().person
    Person.objects.filter(pk=member.pk).update(name="张三", title_grade="junior")
    assert breaches(pairing, "titles") == ["队员张三职称为初级，低于中级"]
    from django.utils import translation

    with translation.override("en"):
        assert [str(b) for b in breaches(pairing, "titles")] == [
            "Member 张三 holds a junior title, below intermediate"
        ]


def test_intermediate_is_the_boundary_and_passes():
    pairing = build_compliant_pairing()
    assert set(Person.objects.filter(memberships__role="member").values_list("title_grade", flat=True)) == {
        "intermediate"
    }
    assert breaches(pairing, "titles") == []


# Residency: 90 days a year.
def test_exactly_90_days_is_enough():
    assert breaches(build_compliant_pairing(residency_days=90), "residency") == []


def test_89_days_breach():
    assert breaches(build_compliant_pairing(residency_days=89), "residency") == [
        "2024年累计驻点89天，少于90天"
    ]


def test_62_days_reads_as_in_the_plan():
    assert breaches(build_compliant_pairing(residency_days=62), "residency") == [
        "2024年累计驻点62天，少于90天"
    ]


def test_overlapping_periods_count_each_day_once_and_other_years_do_not_count():
    periods = [
        Residency(start_date=D(2024, 1, 1), end_date=D(2024, 1, 10)),
        Residency(start_date=D(2024, 1, 5), end_date=D(2024, 1, 20)),  # overlaps: 20 days in all
        Residency(start_date=D(2023, 12, 25), end_date=D(2023, 12, 31)),  # other year
        Residency(start_date=D(2024, 12, 30), end_date=D(2025, 1, 5)),  # 2 days in 2024
        Residency(start_date=D(2024, 1, 21), end_date=D(2024, 1, 21)),  # adjacent: 1 more
    ]
    assert residency_days_in_year(periods, 2024) == 23


# Joint meetings: 2 a year.
def test_exactly_two_meetings_is_enough():
    assert breaches(build_compliant_pairing(meetings=2), "meetings") == []


def test_one_meeting_breach():
    assert breaches(build_compliant_pairing(meetings=1), "meetings") == ["2024年仅召开1次联席会议，少于2次"]


def test_meetings_of_another_year_do_not_count():
    pairing = build_compliant_pairing(meetings=2)
    JointMeeting.objects.filter(pairing=pairing).update(held_on=D(2023, 12, 30))
    assert breaches(pairing, "meetings") == ["2024年仅召开0次联席会议，少于2次"]


# A year the pairing ran only in part owes its share of the yearly minimums, rounded down.
def test_a_pairing_begun_on_29_december_owes_nothing_for_those_days():
    pairing = build_compliant_pairing(residency_days=0, meetings=0)
    Pairing.objects.filter(pk=pairing.pk).update(start_date=D(2024, 12, 29))
    pairing.refresh_from_db()
    assert breaches(pairing, "residency") == [] and breaches(pairing, "meetings") == []


def test_a_pairing_begun_on_1_july_owes_its_half_year():
    pairing = build_compliant_pairing(residency_days=0, meetings=0)
    Pairing.objects.filter(pk=pairing.pk).update(start_date=D(2024, 7, 1))  # 184 of 366 days
    pairing.refresh_from_db()
    team = pairing.team
    residency = Residency.objects.create(
        team=team, start_date=D(2024, 8, 1), end_date=D(2024, 9, 13), place=pairing.town
    )
    residency.people.add(team.memberships.first().person)  # 44 days: one short of 90 x 184 // 366 = 45
    assert breaches(pairing, "residency") == ["2024年累计驻点44天，少于45天（按当年结对天数折算）"]
    assert breaches(pairing, "meetings") == ["2024年仅召开0次联席会议，少于1次（按当年结对天数折算）"]
    Residency.objects.filter(pk=residency.pk).update(end_date=D(2024, 9, 14))
    assert breaches(pairing, "residency") == []


# Agreement: within 30 days of pairing.
@pytest.mark.parametrize(
    ("signed_on", "expected"), [(D(2024, 1, 31), []), (D(2024, 2, 1), ["结对后31天才签署三方协议，超过30天"])]
)
def test_signed_on_day_30_passes_and_day_31_breaches(signed_on, expected):
    pairing = build_compliant_pairing()
    Agreement.objects.filter(pairing=pairing).update(signed_on=signed_on)
    assert breaches(pairing, "agreement") == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2024, 1, 31), []),
        (D(2024, 2, 1), ["结对后31天仍未签署三方协议"]),
        (D(2024, 2, 15), ["结对后45天仍未签署三方协议"]),
    ],
)
def test_an_unsigned_agreement_breaches_from_day_31(as_of, expected):
    pairing = build_compliant_pairing()
    Agreement.objects.filter(pairing=pairing).update(signed_on=None)
    assert breaches(pairing, "agreement", as_of=as_of) == expected


# Practice base.
def test_no_practice_base():
    pairing = build_compliant_pairing()
    PracticeBase.objects.filter(pairing=pairing).delete()
    assert breaches(pairing, "practice_base") == ["未建实践基地"]


# Another programme with other numbers.
def test_another_programmes_numbers_give_other_results():
    strict = ProgrammeFactory(
        min_team_size=8,
        min_residency_days_per_year=120,
        min_joint_meetings_per_year=4,
        agreement_deadline_days=20,
        practice_bases_per_pairing=2,
    )
    lenient = ProgrammeFactory(
        min_team_size=3,
        min_residency_days_per_year=30,
        min_joint_meetings_per_year=1,
        agreement_deadline_days=60,
        practice_bases_per_pairing=1,
    )
    under_strict = evaluate_pairing(
        build_compliant_pairing(strict), year=YEAR, as_of=D(2024, 12, 31)
    ).breaches
    assert under_strict["team_size"] == ["服务工作队6人，少于8人"]
    assert under_strict["residency"] == ["2024年累计驻点90天，少于120天"]
    assert under_strict["meetings"] == ["2024年仅召开2次联席会议，少于4次"]
    assert under_strict["agreement"] == ["结对后30天才签署三方协议，超过20天"]
    assert under_strict["practice_base"] == ["实践基地1个，少于2个"]
    weak = build_compliant_pairing(lenient, members=1, residency_days=30, meetings=1)
    assert evaluate_pairing(weak, year=YEAR, as_of=D(2024, 12, 31)).is_compliant


def test_breaches_read_in_english_too():
    pairing = build_compliant_pairing(members=3)
    with translation.override("en"):
        assert breaches(pairing, "team_size") == ["Service team has 5 members, fewer than 6"]


def test_an_ended_or_later_pairing_is_not_evaluated_for_the_year():
    ended = build_compliant_pairing()
    Pairing.objects.filter(pk=ended.pk).update(status="ended", end_date=D(2023, 12, 31), end_reason="调整")
    later = PairingFactory(start_date=D(2025, 3, 1))
    evaluated = {r.pairing.pk for r in evaluate_pairings(Pairing.objects.all(), year=YEAR)}
    assert ended.pk not in evaluated and later.pk not in evaluated


def test_the_school_rule_names_a_school_without_town_and_village():
    pairing = build_compliant_pairing()
    pairing.villages.clear()
    found = {school.pk: text for school, text in schools_without_pairing(pairing.programme, year=YEAR)}
    vocational = pairing.assisting_schools.get()
    assert found == {
        pairing.lead_university.pk: f"{pairing.lead_university.name}尚未结对签约镇(街道)和典型村(社区)",
        vocational.pk: f"{vocational.name}尚未结对签约镇(街道)和典型村(社区)",
    }
    PairingFactory(
        programme=pairing.programme, lead_university=pairing.lead_university, start_date=D(2024, 1, 1)
    )
    assert set(dict(schools_without_pairing(pairing.programme, year=YEAR))) == {vocational}


def test_the_engine_runs_a_fixed_number_of_queries_for_8_and_200_pairings(
    without_history, django_assert_max_num_queries, django_assert_num_queries
):
    programme = ProgrammeFactory()
    for _ in range(8):
        build_compliant_pairing(programme)
    with django_assert_max_num_queries(QUERY_BUDGET) as at_8:
        assert len(evaluate_pairings(Pairing.objects.all(), year=YEAR)) == 8
    for _ in range(192):
        build_compliant_pairing(programme, members=1, meetings=1)
    assert Pairing.objects.count() == 200
    with django_assert_num_queries(len(at_8)):
        assert len(evaluate_pairings(Pairing.objects.all(), year=YEAR)) == 200


def test_a_programme_applies_only_its_own_rules():
    programme = ProgrammeFactory(rules=["team_size", "resident"], min_team_size=3)
    pairing = build_compliant_pairing(programme, members=1)
    result = evaluate_pairing(pairing, year=YEAR, as_of=YEAR_END)
    assert set(result.breaches) == {"team_size", "resident"}
    assert result.breaches["team_size"] == []  # 3 members (leader, deputy, one more) is enough here
    assert [rule.code for rule, _breaches in result.cells()] == ["team_size", "resident"]


def test_a_resident_must_serve_each_pairing_during_the_year():
    programme = ProgrammeFactory(rules=["resident"], min_residents_per_pairing=1)
    pairing = build_compliant_pairing(programme)
    assert evaluate_pairing(pairing, year=YEAR, as_of=YEAR_END).breaches["resident"] == [
        "2024年：在岗常驻人员0人，少于1人"
    ]
    resident = PersonFactory(school=pairing.lead_university)
    dates = {"joined_on": D(2023, 3, 1), "left_on": D(2023, 12, 31)}
    membership = Membership.objects.create(
        team=pairing.team, person=resident, role=Membership.Role.RESIDENT, post="挂职副县长", **dates
    )
    assert evaluate_pairing(pairing, year=YEAR, as_of=YEAR_END).breaches["resident"], "left before the year"
    membership.left_on = D(2024, 6, 30)
    membership.save()
    assert evaluate_pairing(pairing, year=YEAR, as_of=YEAR_END).breaches["resident"] == []
