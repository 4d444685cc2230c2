"""Demo activity for the Dongguan pairings: teams, residencies, meetings, agreements and bases
that give the compliance matrix a realistic mix of compliant and breaching pairings.

Deterministic (same data every run) and idempotent: a pairing that already has a team is left alone.
"""

import datetime
import random

from django.db import transaction

from .models import Agreement, JointMeeting, Membership, Pairing, Person, PracticeBase, Residency, ServiceTeam

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "伟",
    "芳",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "洋",
    "艳",
    "勇",
    "军",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀兰",
    "霞",
    "平",
    "刚",
]

# What each pairing (by its number in the table) gets wrong, so the matrix shows every rule at work.
FLAWS = {
    1: {"members": 5},  # 服务工作队5人，少于6人
    2: {"residency_days": 62},
    3: {"meetings": 1},
    4: {"agreement_days": 45},
    5: {"practice_base": False, "junior_member": True},
    6: {},  # 长安 · 东莞理工学院: keeps every rule
    7: {"leader_not_school_leader": True},
    8: {"no_team": True},
}


# Titles a member of each grade holds (职称), for the demo's people.
TITLES_OF_GRADE = {
    Person.TitleGrade.SENIOR: ["教授", "正高级讲师"],
    Person.TitleGrade.ASSOCIATE: ["副教授", "高级讲师", "高级工程师"],
    Person.TitleGrade.INTERMEDIATE: ["讲师", "工程师"],
    Person.TitleGrade.JUNIOR: ["助教", "助理讲师"],
}


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])


@transaction.atomic
def seed_pairing_activity(*, programme, until: datetime.date) -> int:
    """Create the demo activity of every pairing of the programme up to `until`; returns how many got some."""
    rng = random.Random(2023)
    seeded = 0
    for pairing in (
        Pairing.objects.filter(programme=programme).select_related("lead_university").order_by("number")
    ):
        flaws = FLAWS.get(pairing.number, {})
        if flaws.get("no_team") or ServiceTeam.objects.filter(pairing=pairing).exists():
            continue
        _seed_one(pairing, flaws, rng, until)
        seeded += 1
    return seeded


def _seed_one(pairing: Pairing, flaws: dict, rng: random.Random, until: datetime.date) -> None:
    university = pairing.lead_university
    vocational = pairing.assisting_schools.order_by("pk").first()
    team = ServiceTeam.objects.create(pairing=pairing, name=f"{pairing.town.name}“百千万工程”服务工作队")
    leader = Person.objects.create(
        name=_name(rng),
        school=university,
        position="副校长",
        title_grade=Person.TitleGrade.SENIOR,
        is_school_leader=not flaws.get("leader_not_school_leader"),
        phone=f"1380769{rng.randrange(1000, 9999)}",
    )
    deputy = Person.objects.create(
        name=_name(rng),
        school=vocational,
        position="副校长",
        title_grade=Person.TitleGrade.ASSOCIATE,
        is_school_leader=True,
        phone=f"1392688{rng.randrange(1000, 9999)}",
    )
    Membership.objects.create(
        team=team, person=leader, role=Membership.Role.LEADER, joined_on=pairing.start_date
    )
    Membership.objects.create(
        team=team, person=deputy, role=Membership.Role.DEPUTY, joined_on=pairing.start_date
    )
    members = [leader, deputy]
    for index in range(flaws.get("members", 7) - 2):
        junior = flaws.get("junior_member") and index == 0
        name, pick = _name(rng), rng.randrange(5)  # the draws as before: the demo's people stay the same
        grade = Person.TitleGrade.JUNIOR if junior else rng.choice(Person.MID_LEVEL_OR_ABOVE)
        titles = TITLES_OF_GRADE[grade]
        person = Person.objects.create(
            name=name,
            school=university if index % 2 == 0 else vocational,
            position=titles[pick % len(titles)],  # a title that fits the grade (no 高级讲师 graded 中级)
            title_grade=grade,
        )
        Membership.objects.create(team=team, person=person, joined_on=pairing.start_date)
        members.append(person)

    signed = pairing.start_date + datetime.timedelta(days=flaws.get("agreement_days", rng.randrange(10, 28)))
    Agreement.objects.create(
        pairing=pairing,
        signed_on=signed,
        university_signatory=leader.name,
        vocational_signatory=deputy.name,
        town_signatory=f"{pairing.town.name}镇人民政府",
    )
    if flaws.get("practice_base", True):
        place = pairing.villages.order_by("pk").first() or pairing.town
        PracticeBase.objects.create(
            pairing=pairing,
            name=f"{place.name}乡村建设实践基地",
            place=place,
            established_on=signed,
            description="师生驻点开展规划设计、技能培训和社会实践。",
        )

    places = list(pairing.villages.all()) or [pairing.town]
    for year in range(pairing.start_date.year + 1, until.year + 1):
        days_left = flaws.get("residency_days", 96)
        start = datetime.date(year, 3, 1)
        while days_left > 0:  # a few periods a year, as teams actually go
            length = min(days_left, rng.randrange(14, 33))
            end = start + datetime.timedelta(days=length - 1)
            if end > until:
                break
            residency = Residency.objects.create(
                team=team, start_date=start, end_date=end, place=rng.choice(places), note="驻村开展服务"
            )
            residency.people.set(rng.sample(members, k=min(3, len(members))))
            days_left -= length
            start = end + datetime.timedelta(days=rng.randrange(10, 30))
        for month in [3, 9][: flaws.get("meetings", 2)]:
            held_on = datetime.date(year, month, 15)
            if held_on <= until:
                JointMeeting.objects.create(
                    pairing=pairing,
                    held_on=held_on,
                    attendees=f"{university.name}、{vocational.name}、{pairing.town.name}",
                    minutes="听取上阶段工作汇报，研究下阶段合作事项。",
                    decisions="通过年度合作计划。",
                )
