"""The dongguan_2023 fixture holds the appendix table exactly as the document reads."""

import pytest
from django.core.management import call_command

from pairing.models import Area, Milestone, Pairing, Programme, School

pytestmark = pytest.mark.django_db

TABLE = {
    # number: (town, villages, lead university, assisting vocational schools)
    1: (
        "凤岗",
        {"雁田村", "南面村"},
        "广东酒店管理职业技术学院",
        {"东莞市经济贸易学校", "东莞市电子商贸学校"},
    ),
    2: (
        "东坑",
        {"丁屋彭屋黄屋片区", "江边村", "潢涌村"},
        "广东科技学院",
        {"东莞理工学校", "东莞市纺织服装学校"},
    ),
    3: ("寮步", {"横坑社区", "大岭丫村"}, "东莞城市学院", {"东莞市汽车技术学校"}),
    4: ("塘厦", {"凤凰岗社区"}, "广东医科大学", {"东莞市电子科技学校"}),
    5: ("茶山", {"南社村", "隔坑村"}, "东莞职业技术学院", {"东莞市商业学校"}),
    6: ("长安", {"新民社区"}, "东莞理工学院", {"东莞市机电工程学校"}),
    7: ("厚街", {"涌口社区", "石鼓"}, "广东创新科技职业学院", {"东莞市轻工业学校"}),
    8: ("麻涌", {"麻三村", "滘联社区"}, "广州新华学院", {"东莞市信息技术学校"}),
}

VILLAGE_TOWNS = {
    "雁田村": "凤岗",
    "南面村": "谢岗",
    "丁屋彭屋黄屋片区": "东坑",
    "江边村": "企石",
    "潢涌村": "中堂",
    "横坑社区": "寮步",
    "大岭丫村": "道滘",
    "凤凰岗社区": "塘厦",
    "南社村": "茶山",
    "隔坑村": "横沥",
    "新民社区": "长安",
    "涌口社区": "厚街",
    "石鼓": "南城",
    "麻三村": "麻涌",
    "滘联社区": "万江",
}


def test_counts_are_those_of_the_table(dongguan):
    assert School.objects.filter(kind=School.Kind.UNIVERSITY).count() == 8
    assert School.objects.filter(kind=School.Kind.VOCATIONAL).count() == 10
    assert Pairing.objects.count() == 8
    assert Area.objects.filter(kind__in=Area.VILLAGE_KINDS).count() == 15
    typical_towns = {town for town, *_ in TABLE.values()}
    assert typical_towns <= set(Area.objects.filter(kind__in=Area.TOWN_KINDS).values_list("name", flat=True))
    assert Area.objects.filter(kind__in=Area.TOWN_KINDS).count() == len(
        typical_towns | set(VILLAGE_TOWNS.values())
    )


def test_every_pairing_reads_as_its_row(dongguan):
    for pairing in Pairing.objects.select_related("town", "lead_university").prefetch_related(
        "villages", "assisting_schools"
    ):
        town, villages, university, vocational = TABLE[pairing.number]
        assert pairing.town.name == town
        assert {v.name for v in pairing.villages.all()} == villages
        assert pairing.lead_university.name == university
        assert pairing.lead_university.kind == School.Kind.UNIVERSITY
        assert {s.name for s in pairing.assisting_schools.all()} == vocational
        assert all(s.kind == School.Kind.VOCATIONAL for s in pairing.assisting_schools.all())


def test_each_village_keeps_its_own_town(dongguan):
    for village in Area.objects.filter(kind__in=Area.VILLAGE_KINDS).select_related("parent"):
        assert village.parent.name == VILLAGE_TOWNS[village.name]
        assert village.parent.parent.name == "东莞市"


def test_nanmian_belongs_to_xiegang_and_to_the_fenggang_pairing(dongguan):
    nanmian = Area.objects.get(name="南面村")
    assert nanmian.parent.name == "谢岗"
    assert list(nanmian.village_pairings.values_list("town__name", flat=True)) == ["凤岗"]


def test_gdmu_leads_tangxia_with_the_electronics_school(dongguan):
    pairing = Pairing.objects.get(town__name="塘厦")
    assert pairing.lead_university.name == "广东医科大学"
    assert list(pairing.assisting_schools.values_list("name", flat=True)) == ["东莞市电子科技学校"]


def test_programme_carries_the_plans_rules(dongguan):
    programme = Programme.objects.get(code="dongguan-bqw-2023")
    assert programme.report_due_day == 28
    assert programme.first_report_month.isoformat() == "2024-01-01"
    assert programme.min_team_size == 6
    assert programme.min_residency_days_per_year == 90
    assert programme.min_joint_meetings_per_year == 2
    assert programme.agreement_deadline_days == 30
    assert programme.practice_bases_per_pairing == 1
    assert list(Milestone.objects.values_list("year", flat=True)) == [2025, 2027]


def test_loading_the_fixture_twice_duplicates_nothing(dongguan):
    before = (School.objects.count(), Area.objects.count(), Pairing.objects.count())
    call_command("loaddata", "dongguan_2023", verbosity=0)
    assert (School.objects.count(), Area.objects.count(), Pairing.objects.count()) == before
    assert Pairing.villages.through.objects.count() == sum(len(row[1]) for row in TABLE.values())
