"""Demo data of the four seed programmes beyond their fixtures (fixtures/yibin_2024.json,
whut_shiquan_2021.json, uestc_cengong_2013.json, ruicheng_2021.json).

A fixture holds what the documents say: the programme, its areas, schools, pairings, lead units,
teams with the people each pairing must have, bases, categories, indicators and figures. This module
adds what the documents give only as a number:

* the rosters: Yibin's 300-odd doctors of the 博士专家服务团 and Ruicheng's 65 experts, with
  made-up names;
* every month's report over the programme's period, one per pairing (only the lead school reports
  in these programmes), accepted by the bureau, whose indicator values add up to each figure of the
  programme as the portal counts them (`reporting.figures.figure_value`): exactly where the figure
  is exact, a little above the floor where it is "余" (at least).

Totals are fixed numbers spread over the months by `spread` (largest remainders), so they are exact
whatever the spread; nothing random. Idempotent: a programme that already has reports, or a roster
that already has its experts, is left alone. `python manage.py check_figures CODE` checks the result.
"""

import datetime
import json
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import transaction
from simple_history.utils import NotHistoricalModelError, get_history_manager_for_model

from core.cache import bump
from core.months import Month
from pairing.models import Membership, Person, Programme, ServiceTeam

from .demo import liaison_for
from .models import IndicatorValue, MonthlyReport, ReportVersion

CENT = Decimal("0.01")
Slot = tuple[int, Month]  # (pairing number, month)


def load_fixture(name: str) -> int:
    """Load a fixture of fixtures/ and give each of its objects the history record ("created") that
    loaddata does not make (it saves raw); returns how many objects the file holds."""
    call_command("loaddata", name, verbosity=0)
    entries = json.loads((Path(settings.FIXTURE_DIRS[0]) / f"{name}.json").read_text(encoding="utf-8"))
    by_model: dict[str, list] = defaultdict(list)
    for entry in entries:
        by_model[entry["model"]].append(entry["pk"])
    for label, pks in by_model.items():
        model = apps.get_model(label)
        try:
            history = get_history_manager_for_model(model)
        except NotHistoricalModelError:
            continue
        pk_name = model._meta.pk.attname
        recorded = set(history.filter(**{f"{pk_name}__in": pks}).values_list(pk_name, flat=True))
        missing = list(model._default_manager.filter(pk__in=set(pks) - recorded))
        if missing:
            history.bulk_history_create(missing)
    return len(entries)


def spread(total: int, slots: list, weights: Iterable[int] | None = None) -> dict:
    """`total` split over `slots` in proportion to `weights` (all equal when omitted), in whole
    numbers that add up to exactly `total` (largest remainders; ties to the earlier slot). Slots
    whose share is 0 are left out."""
    weights = list(weights) if weights is not None else [1] * len(slots)
    whole = sum(weights)
    assert len(weights) == len(slots) and whole > 0
    shares = [total * weight // whole for weight in weights]
    by_remainder = sorted(range(len(slots)), key=lambda i: (-(total * weights[i] % whole), i))
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return {slot: share for slot, share in zip(slots, shares, strict=True) if share}


def wave(count: int, *, seed: int = 0, low: int = 0, high: int = 9) -> list[int]:
    """Uneven but fixed weights, from low to high (a month with weight 0 reports nothing)."""
    return [max(0, low + (i * i * 7 + i * 3 + seed) % (high - low + 1)) for i in range(count)]


def months_of(first: str, last: str) -> list[Month]:
    return Month.between(Month.parse(first), Month.parse(last))


def stock(months: list[Month], steps: dict[str, int]) -> dict[Month, int]:
    """A count that grows in steps ({"2019-09": 8, "2021-03": 30}) and is reported every month."""
    found, level = {}, 0
    for month in months:
        level = steps.get(str(month), level)
        found[month] = level
    return found


class Names:
    """Made-up Chinese names, the same every run, none twice."""

    SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
    GIVEN = "伟芳敏静丽强磊洋艳勇军杰娟涛明超霞平刚桂英华建国志红玉兰文辉鹏飞宇浩晨阳思雨欣怡佳琪涵博俊宏宁波斌琳颖倩婷晶莉凯峰亮东海林松柏春秋"

    def __init__(self, seed: int, taken: Iterable[str] = ()):
        self.index, self.seed, self.taken = 0, seed, set(taken)

    def __call__(self) -> str:
        while True:
            i, self.index = self.index, self.index + 1
            a, b = (i * 31 + self.seed) % len(self.GIVEN), (i * 17 + self.seed * 3) % len(self.GIVEN)
            surname = self.SURNAMES[(i * 7 + self.seed) % len(self.SURNAMES)]
            name = surname + self.GIVEN[a] + (self.GIVEN[b] if i % 3 else "")
            if name not in self.taken:
                self.taken.add(name)
                return name


# The rosters the seeds give only as a number.

YIBIN_FIELDS = [
    "白酒酿造",
    "食品科学",
    "农学",
    "园艺",
    "茶学",
    "智慧农业",
    "机械工程",
    "电子信息",
    "计算机科学",
    "材料科学",
    "化学工程",
    "生态环境",
    "经济管理",
    "法学",
    "教育学",
    "心理学",
    "文化旅游",
]
YIBIN_EXPERTS = 306  # 组建 300 余人的博士专家服务团


def add_members(team: ServiceTeam, people: list[Person], memberships: list[Membership]) -> int:
    """Create the people and their memberships of `team` (with their history) in a few queries."""
    Person.objects.bulk_create(people)
    Person.history.bulk_history_create(people)
    for membership, person in zip(memberships, people, strict=True):
        membership.team, membership.person = team, person
    Membership.objects.bulk_create(memberships)
    Membership.history.bulk_history_create(memberships)
    return len(people)


def yibin_roster(programme: Programme) -> int:
    team = ServiceTeam.objects.get(programme=programme, pairing=None, name="宜宾学院博士专家服务团")
    if team.memberships.filter(role=Membership.Role.EXPERT).exists():
        return 0
    school = programme.pairings.order_by("number").first().lead_university
    names = Names(24, taken=Person.objects.filter(school=school).values_list("name", flat=True))
    grades = [Person.TitleGrade.SENIOR, Person.TitleGrade.ASSOCIATE, Person.TitleGrade.ASSOCIATE]
    people, memberships = [], []
    for i in range(YIBIN_EXPERTS):
        field = YIBIN_FIELDS[i % len(YIBIN_FIELDS)]
        people.append(
            Person(
                name=names(), school=school, position=f"博士，{field}", title_grade=grades[i % len(grades)]
            )
        )
        memberships.append(
            Membership(
                role=Membership.Role.EXPERT,
                post=f"博士专家服务团成员（{field}）",
                joined_on=datetime.date(2022, 3, 1),
            )
        )
    return add_members(team, people, memberships)


RUICHENG_EXPERTS = 65  # 专家65位


def ruicheng_roster(programme: Programme) -> int:
    if Membership.objects.filter(team__programme=programme, role=Membership.Role.EXPERT).exists():
        return 0
    pairings = list(programme.pairings.select_related("lead_university", "team").order_by("number"))
    # The six universities the report names bring more experts than the placeholders.
    counts = spread(RUICHENG_EXPERTS, pairings, [5 if p.number <= 6 else 2 for p in pairings])
    names = Names(21)
    added = 0
    for pairing in pairings:
        people, memberships = [], []
        for i in range(counts.get(pairing, 0)):
            wang = pairing.number == 1 and i == 0  # 清华大学王冬计博士抵芮
            people.append(
                Person(
                    name="王冬计" if wang else names(),
                    school=pairing.lead_university,
                    position="博士" if wang else ["教授", "副教授", "研究员", "博士"][i % 4],
                    title_grade=[Person.TitleGrade.SENIOR, Person.TitleGrade.ASSOCIATE][i % 2],
                )
            )
            memberships.append(
                Membership(
                    role=Membership.Role.EXPERT,
                    post="生物质能源商品化工程项目专家" if wang else "县校合作对接专家",
                    joined_on=datetime.date(2021, 1, 1),
                )
            )
        added += add_members(pairing.team, people, memberships)
    return added


# The monthly values: indicator code -> {(pairing number, month): value}, over the counted reports.


def yibin_values() -> dict[str, dict[Slot, int]]:
    months = months_of("2022-03", "2024-02")
    counties = range(1, 11)
    slots = [(n, m) for m in months for n in counties]
    trainings: dict[Slot, int] = {}
    for n in counties:  # 每年不少于2次: two each calendar year, a third in 2023 for every third county
        for month in ["2022-05", "2022-11", "2023-04", "2023-10", "2024-01", "2024-02"]:
            trainings[(n, Month.parse(month))] = 1
        if n % 3 == 0:
            trainings[(n, Month.parse("2023-07"))] = 1
    return {
        "cooperation_items": spread(157, slots, wave(len(slots), seed=1, low=-3, high=6)),  # 157 项
        "economic_benefit": spread(2_016_380_000, slots, wave(len(slots), seed=2, low=1)),  # 逾 20 亿元
        "teacher_trainings": trainings,
        "forum_lectures": spread(96, slots, wave(len(slots), seed=3, low=-4, high=5)),
        "research_topics": {(n, Month.parse(m)): 1 + n % 2 for n in counties for m in ["2022-06", "2023-06"]},
        "volunteer_activities": spread(318, slots, wave(len(slots), seed=4, low=-2, high=6)),
        "student_teachers": {
            (n, Month.parse(m)): 6 + n % 4 for n in counties for m in ["2022-09", "2023-09"]
        },
    }


def whut_values() -> dict[str, dict[Slot, int]]:
    months = months_of("2021-01", "2021-12")
    slots = [(1, m) for m in months]

    def at(values: dict[str, int]) -> dict[Slot, int]:
        return {(1, Month.parse(month)): value for month, value in values.items()}

    return {
        "cadres_trained": spread(1628, slots, [0, 0, 3, 4, 5, 4, 2, 0, 4, 5, 4, 2]),  # 1600余人
        "technicians_trained": spread(436, slots, [0, 1, 2, 2, 3, 2, 1, 0, 2, 3, 2, 1]),  # 400余人
        "students_counselled": at({"2021-05": 4380, "2021-06": 6860}),  # 1.1万余名
        "enterprise_agreements": at(
            {"2021-03": 1, "2021-04": 2, "2021-06": 1, "2021-09": 2, "2021-11": 2}
        ),  # 8家
        "alumni_enterprise_visits": spread(32, slots, [0, 0, 0, 3, 4, 2, 3, 1, 4, 5, 4, 2]),  # 30余家
        "plans_delivered": at({"2021-06": 1, "2021-09": 1, "2021-11": 1}),
        "orchard_area": at({"2021-03": 200, "2021-04": 120, "2021-10": 180}),  # 500亩
        "greenhouse_area": at({"2021-05": 35, "2021-09": 45}),  # 80亩
        "produce_bought": spread(3_268_000, slots, [2, 1, 3, 3, 4, 4, 3, 3, 5, 6, 7, 9]),
    }


UESTC_VISITS = [  # 互访交流18次
    *("2013-03", "2013-11", "2014-06", "2015-04", "2015-10", "2016-05", "2017-04", "2017-11", "2018-05"),
    *("2018-10", "2019-04", "2019-11", "2020-09", "2021-04", "2021-11", "2022-05", "2023-04", "2023-09"),
]


def uestc_values() -> dict[str, dict[Slot, int]]:
    months = months_of("2013-01", "2023-10")
    slots = [(1, m) for m in months]
    since = {year: [(1, m) for m in months if m.year >= year] for year in (2016, 2018)}
    courses = spread(109, slots, wave(len(slots), seed=5, low=-5, high=4))
    dividends = [(1, Month.parse(m)) for m in ["2019-12", "2020-12", "2021-12", "2022-12", "2023-06"]]
    return {
        "leadership_visits": {(1, Month.parse(m)): 1 for m in UESTC_VISITS},
        "training_courses": courses,  # 109期
        "people_trained": spread(20_480, list(courses), list(courses.values())),  # 2万余人次, by course
        "teachers_trained": spread(6_150, since[2018], wave(len(since[2018]), seed=6, low=-2, high=6)),
        "funds_invested": spread(22_360_000, slots, [2 + m.year - 2013 for _n, m in slots]),  # 2200余万元
        "projects": spread(134, slots, wave(len(slots), seed=7, low=-4, high=5)),  # 130余个
        "produce_bought": spread(56_230_000, since[2016], [1 + m.year - 2016 for _n, m in since[2016]]),
        "dividends": spread(11_768_000, dividends),  # 1176万余元
        "night_school_sessions": {(1, m): 1 for m in months_of("2022-03", "2023-03")},  # 13期
        "education_forums": {(1, Month.parse("2022-06")): 1, (1, Month.parse("2023-06")): 1},  # 两届
        "patents": {(1, Month.parse("2022-08")): 1},
        "sky_classroom_schools": {
            (1, m): v
            for m, v in stock(months, {"2019-09": 8, "2020-03": 15, "2020-09": 22, "2021-03": 30}).items()
        },
        "subject_alliance_schools": {
            (1, m): v for m, v in stock(months, {"2020-09": 10, "2021-09": 18, "2022-09": 23}).items()
        },
        "management_alliance_schools": {
            (1, m): v for m, v in stock(months, {"2021-03": 5, "2022-03": 10}).items()
        },
    }


def ruicheng_values() -> dict[str, dict[Slot, int]]:
    months = months_of("2021-01", "2021-08")
    universities = range(1, 23)
    courses = [
        (n, Month.parse(m))
        for n, m in [(1, "2021-03"), (2, "2021-04"), (3, "2021-04"), (4, "2021-05"), (5, "2021-05")]
        + [(6, "2021-06"), (2, "2021-07"), (8, "2021-07"), (3, "2021-08")]
    ]
    ecommerce = [(n, m) for n in (2, 3, 5) for m in months_of("2021-05", "2021-08")]
    summer = [(n, Month.parse(m)) for m in ("2021-07", "2021-08") for n in universities]
    named = [(n, m) for m in months for n in range(1, 7)]
    return {
        "startup_courses": dict.fromkeys(courses, 1),  # 创业培训9期
        "graduates_trained": spread(270, ecommerce, wave(len(ecommerce), seed=8, low=2)),  # 270名
        "interns": spread(216, summer, [3 + n % 5 if m.month == 7 else 1 for n, m in summer]),  # 200余名
        "projects_signed": spread(14, named, wave(len(named), seed=9, low=-6, high=3)),
        "talent_introduced": spread(23, named, wave(len(named), seed=10, low=-5, high=3)),
    }


# What each report says besides its numbers, per work category of the programme.
NARRATIVES = {
    "yibin-2024": {
        "cooperation": "常驻博士对接县(区)产业部门，举办“三江博士创新讲坛”，推进校县共育人才。",
        "science": "博士专家服务团与县域人才团队对接项目，开展白酒、茶业等产业技术服务。",
        "volunteering": "依托同心、关工、青年驿站开展咨询、关怀帮扶和“三下乡”志愿服务。",
        "education": "选派师范专业专家和学生到乡镇学校开展培训指导和顶岗支教。",
    },
    "whut-shiquan-2021": {
        "intellect": "挂职干部和驻村第一书记深入村镇、企业调研，专家参与规划编制。",
        "technology": "依托石泉科技成果交流中心，推动校企科技合作和成果转化。",
        "education": "开设基层干部和专业技术人员培训课程，组织“三下乡”社会实践。",
        "consumption": "通过直营店、校内超市、线上专区和食堂采购石泉县农副产品。",
    },
    "uestc-cengong-2013": {
        "education": "推进“空中课堂”和学科联盟，组织中小学教师培训。",
        "agriculture": "推进智慧养猪、水稻农情监测等项目，开展消费帮扶。",
        "community": "在易地扶贫搬迁社区开展就业技能培训和“同心夜校”。",
        "model_village": "推进塔山村乡村振兴党建示范试点村建设和“数字塔山”系统。",
    },
    "ruicheng-2021": {
        "bases": "与牵头单位对接实习实训、科研转化基地建设。",
        "projects": "专家团队到芮城对接科研成果转化项目。",
        "talent": "对接芮城籍学生和高层次人才引进。",
        "internships": "组织大学生暑期实习实训和毕业生创业、电商培训。",
    },
}
NEXT_MONTH = "按年度计划继续推进结对工作，做好下月活动安排。"


@dataclass(frozen=True)
class DemoProgramme:
    code: str
    fixture: str
    values: Callable[[], dict[str, dict[Slot, int]]]
    roster: Callable[[Programme], int] | None = None


DEMO_PROGRAMMES = [
    DemoProgramme("yibin-2024", "yibin_2024", yibin_values, yibin_roster),
    DemoProgramme("whut-shiquan-2021", "whut_shiquan_2021", whut_values),
    DemoProgramme("uestc-cengong-2013", "uestc_cengong_2013", uestc_values),
    DemoProgramme("ruicheng-2021", "ruicheng_2021", ruicheng_values, ruicheng_roster),
]
BY_CODE = {demo.code: demo for demo in DEMO_PROGRAMMES}


@dataclass
class Seeded:
    members: int = 0
    reports: int = 0


@transaction.atomic
def seed_programme(code: str, *, reviewer: User) -> Seeded:
    """The demo rosters and monthly reports of one of the four programmes (its fixture loaded)."""
    demo = BY_CODE[code]
    programme = Programme.objects.get(code=code)
    seeded = Seeded()
    if demo.roster:
        seeded.members = demo.roster(programme)
        if seeded.members:
            bump("registry")
    if not MonthlyReport.objects.filter(pairing__programme=programme).exists():
        seeded.reports = _reports(programme, demo.values(), reviewer)
    return seeded


def _reports(programme: Programme, plan: dict[str, dict[Slot, int]], reviewer: User) -> int:
    indicators = list(programme.indicators.all())
    unknown = set(plan) - {indicator.code for indicator in indicators}
    assert not unknown, f"no such indicators in {programme.code}: {unknown}"
    categories = list(programme.work_categories.values_list("code", flat=True))
    texts = NARRATIVES[programme.code]
    pairings = list(programme.pairings.select_related("lead_university").order_by("number"))
    first = Month.of(programme.first_report_month)
    months = Month.between(first, Month.of(programme.end_date))
    outside = {slot for slots in plan.values() for slot in slots if slot[1] not in months}
    assert not outside, f"values outside {programme.code}'s period: {sorted(outside)[:3]}"
    authors = {p.lead_university_id: liaison_for(p.lead_university) for p in pairings}
    reports, values, snapshots = [], [], []
    for month in months:
        late_from = programme.late_from(month)
        for pairing in pairings:
            if Month.of(pairing.start_date) > month:
                continue
            i = len(reports)
            if i % 17 == 5:  # a few are late, as they are
                submitted = late_from + datetime.timedelta(hours=10 + i % 40)
            else:
                submitted = late_from - datetime.timedelta(days=1 + i % 5, hours=6 + i % 9)
            author = authors[pairing.lead_university_id]
            report = MonthlyReport(
                pairing=pairing,
                school=pairing.lead_university,
                month=month.first_day,
                status=MonthlyReport.Status.ACCEPTED,
                narratives={code: f"{month.year}年{month.month}月：{texts[code]}" for code in categories},
                next_month_plan=NEXT_MONTH,
                version=3,
                first_submitted_at=submitted,
                submitted_at=submitted,
                submitted_by=author,
                reviewed_at=submitted + datetime.timedelta(days=2 + i % 3),
                reviewed_by=reviewer,
                created_by=author,
            )
            slot = (pairing.number, month)
            reported = {i: Decimal(plan.get(i.code, {}).get(slot, 0)).quantize(CENT) for i in indicators}
            reports.append(report)
            values.append(reported)
            snapshots.append(
                {
                    "values": {indicator.code: str(value) for indicator, value in reported.items()},
                    "narratives": {code: report.narratives.get(code, "") for code in categories},
                    "difficulties": "",
                    "next_month_plan": NEXT_MONTH,
                    "attachments": [],
                }
            )
    MonthlyReport.objects.bulk_create(reports, batch_size=500)
    MonthlyReport.history.bulk_history_create(reports, batch_size=500)
    IndicatorValue.objects.bulk_create(
        [
            IndicatorValue(report=report, indicator=indicator, value=value)
            for report, reported in zip(reports, values, strict=True)
            for indicator, value in reported.items()
        ],
        batch_size=1000,
    )
    versions = []
    for report, snapshot in zip(reports, snapshots, strict=True):
        for number, action, status, actor, at in [
            (2, "report.submitted", MonthlyReport.Status.SUBMITTED, report.created_by, report.submitted_at),
            (3, "report.accepted", MonthlyReport.Status.ACCEPTED, reviewer, report.reviewed_at),
        ]:
            versions.append(
                ReportVersion(
                    report=report,
                    number=number,
                    action=action,
                    status=status,
                    snapshot=snapshot,
                    actor=actor,
                    created_at=at,
                )
            )
    ReportVersion.objects.bulk_create(versions, batch_size=1000)
    for month in months:  # bulk_create sends no signals: the cached figures of these months are out of date
        bump(f"month:{month}")
    return len(reports)


def planned_totals(code: str) -> dict[str, int]:
    """What the seeder's plan adds up to per indicator (for the tests and the curious)."""
    return {indicator: sum(slots.values()) for indicator, slots in BY_CODE[code].values().items()}
