"""Province-scale data for the benchmarks (pages.py, rush.py, compile.py), built once per database.

    from bench import data
    dataset = data.prepare(pairings=10000)  # environment, database, django.setup(), build if missing

One programme ("bench-province") of N pairings (10,000 by default; 40,000 works) laid out like a
province: 21 cities, a town for every five pairings, a village for every pairing, a lead university
for every two pairings and an assisting vocational school for every pairing. Each pairing has its
service team (people with phones and e-mail), tripartite agreement, practice base, residencies,
joint meetings and annual plans for last year and this one, with a few pairings breaking each rule.
15 indicators (the Dongguan programme's 12 and three more). The reports of the last MONTHS months
and of this month, every version of each: most accepted, some submitted late, some returned (and
some of those resubmitted), some in review, some drafts never submitted, some missing; this month
(its due day is the 28th) has a quarter submitted and some drafts.

Users, all with PASSWORD: `bureau`, `commander`, a town liaison per town (`town-00001`), and a
school liaison per school (`liaison-u00001` for the universities, `liaison-v00001` for the
vocational schools) with the group "liaison", a profile naming the school, a phone and an e-mail.

Everything is written with bulk_create (COPY for the two largest tables, the reports' values and
versions), 1,000 pairings at a time, in one transaction: an interrupted build leaves nothing behind. The database is then vacuumed and analysed, as a production database
that autovacuum keeps would be. A second call finds the programme and returns at once; the data is
anchored to the month it was built in (`Dataset.month`), so compare figures taken in that month.

The databases are the benchmarks' own: postgres://postgres@127.0.0.1:5432/portal_bench_<N> unless
--database-url or BENCH_DATABASE_URL names another, and Redis DB 9. DATABASE_URL is not read, so a
developer's own database is never filled with benchmark data by accident.
"""

from __future__ import annotations

import datetime
import json
import os
import random
import sys
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CODE = "bench-province"
PASSWORD = "bench-portal-2026"
MONTHS = 6  # full months of reports before this one
BLOCK = 1000  # pairings written per step; a multiple of PAIRINGS_PER_TOWN and PAIRINGS_PER_UNIVERSITY
PAIRINGS_PER_TOWN = 5
PAIRINGS_PER_UNIVERSITY = 2
DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"

CITIES = [
    "广州", "深圳", "珠海", "汕头", "佛山", "韶关", "河源", "梅州", "惠州", "汕尾", "东莞",
    "中山", "江门", "阳江", "湛江", "茂名", "肇庆", "清远", "潮州", "揭阳", "云浮",
]  # fmt: skip
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = list("伟芳敏静丽强磊洋艳勇军杰娟涛明超霞平")
INDICATORS = [
    # code, Chinese, English, unit, kind, maximum, required
    ("activities_held", "开展活动场次", "Activities held", "场", "whole", None, True),
    ("residency_days", "驻点服务天数", "Days of residency", "天", "whole", 31, True),
    ("people_trained", "培训人数", "People trained", "人次", "whole", None, False),
    ("training_courses", "举办培训班", "Training courses", "期", "whole", None, False),
    ("experts_sent", "派出专家", "Experts sent", "人次", "whole", None, False),
    ("students_in_practice", "参与实践学生", "Students in practice", "人次", "whole", None, False),
    ("projects_started", "新启动合作项目", "Projects started", "个", "whole", None, False),
    ("funds_invested", "投入资金", "Funds invested", "元", "money", 100000000, False),
    ("produce_bought", "采购农副产品金额", "Local produce bought", "元", "money", 100000000, False),
    ("enterprises_served", "服务企业", "Enterprises served", "家", "whole", None, False),
    ("problems_solved", "解决技术难题", "Technical problems solved", "项", "whole", None, False),
    ("reports_delivered", "提交规划或咨询报告", "Planning or consulting reports delivered", "份", "whole", None, False),
    ("volunteers", "志愿服务人次", "Volunteer services", "人次", "whole", None, False),
    ("villagers_served", "服务村民人次", "Villagers served", "人次", "whole", None, False),
    ("media_reports", "媒体报道篇数", "Media reports", "篇", "whole", None, False),
]  # fmt: skip
NARRATIVES = {
    "practice_base": "师生团队在实践基地开展驻村调研和文创设计实践。",
    "technology": "为镇内企业提供技术咨询，协助解决生产工艺问题。",
    "talent": "举办技能培训班，培训村民和企业员工。",
    "collective_economy": "协助村集体梳理闲置资产，策划农文旅项目。",
    "public_services": "组织志愿者开展普法宣传和社区服务。",
    "consulting": "完成村庄发展规划初稿，提交镇街审阅。",
}


@dataclass(frozen=True)
class Dataset:
    database_url: str
    pairings: int
    programme_id: int
    month: object  # core.months.Month the data was built in ("this month" of the data)

    @property
    def last_month(self):
        return self.month.previous()


def database_url_for(pairings: int, given: str | None = None) -> str:
    return given or os.environ.get("BENCH_DATABASE_URL") or f"{DEFAULT_SERVER}portal_bench_{pairings}"


def sibling_url(url: str, name: str) -> str:
    """The URL of another database on the same server."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def admin_connection(url: str):
    import psycopg

    parts = urlsplit(url)
    return psycopg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        dbname="postgres",
        autocommit=True,
    )


def ensure_database(url: str) -> None:
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"the benchmarks need PostgreSQL, not {url}")
    name = database_name(url)
    with admin_connection(url) as connection:
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def environment_for(url: str) -> dict[str, str]:
    """The environment of a benchmark process (gunicorn, a fresh subprocess) on that database."""
    return {
        "DATABASE_URL": url,
        "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
    }


def setup_django(url: str) -> None:
    os.environ.update(environment_for(url))
    import django

    django.setup()


def prepare(*, pairings: int, database_url: str | None = None, months: int = MONTHS) -> Dataset:
    url = database_url_for(pairings, database_url)
    ensure_database(url)
    setup_django(url)
    return build(pairings, months=months, database_url=url)


def existing(url: str) -> Dataset | None:
    from django.db.models import Max

    from core.months import Month
    from pairing.models import Programme
    from reporting.models import MonthlyReport

    programme = Programme.objects.filter(code=CODE).first()
    if programme is None:
        return None
    newest = MonthlyReport.objects.filter(pairing__programme=programme).aggregate(Max("month"))["month__max"]
    return Dataset(url, programme.pairings.count(), programme.pk, Month.of(newest))


def build(pairings: int, *, months: int = MONTHS, database_url: str) -> Dataset:
    from django.core.management import call_command
    from django.db import connection, transaction

    from core.months import Month
    from pairing.models import Programme

    if pairings % 10:
        raise SystemExit("--pairings must be a multiple of 10")
    call_command("migrate", verbosity=0)
    found = existing(database_url)
    if found:
        if found.pairings != pairings:
            raise SystemExit(
                f"{database_name(database_url)} holds {found.pairings} pairings, not {pairings}: "
                "choose another database or drop this one"
            )
        if found.month != Month.current():
            print(
                f"note: the data was built in {found.month} and today is in {Month.current()}; its "
                "'this month' is no longer this month (drop the database to rebuild it)",
                flush=True,
            )
        return found
    if Programme.objects.exists():
        raise SystemExit(f"{database_name(database_url)} holds other programmes: use a database of its own")
    started = time.perf_counter()
    print(
        f"building {pairings} pairings in {database_name(database_url)} (once; reused later) ...", flush=True
    )
    with transaction.atomic():
        builder = Builder(pairings=pairings, months=months)
        builder.run()
    connection.close()
    with connection.cursor() as cursor:  # outside the transaction: VACUUM cannot run inside one
        cursor.execute("VACUUM ANALYZE")
    print(
        f"built {pairings} pairings, {builder.report_count} reports, {builder.user_count} users "
        f"in {time.perf_counter() - started:.0f} s",
        flush=True,
    )
    return existing(database_url)


class Builder:
    def __init__(self, *, pairings: int, months: int):
        from django.contrib.auth.hashers import make_password
        from django.utils import timezone

        from core.months import Month

        self.pairings = pairings
        self.month = Month.current()
        self.months = [self.month.shift(-back) for back in range(months, -1, -1)]
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.password = make_password(PASSWORD)  # hashed once: the same hash for every user
        self.report_count = 0
        self.user_count = 0

    def run(self) -> None:
        from django.contrib.auth.models import Group

        from core.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON

        self.groups = {
            name: Group.objects.get_or_create(name=name)[0]
            for name in (BUREAU, COMMANDER, LIAISON, TOWN_LIAISON)
        }
        self.programme = self.make_programme()
        self.bureau = self.make_users([("bureau", "王科长", BUREAU, None, None)])[0]
        self.make_users([("commander", "李主任", COMMANDER, None, None)])
        self.cities = self.make_cities()
        for start in range(0, self.pairings, min(BLOCK, self.pairings)):
            self.make_block(start, min(start + BLOCK, self.pairings))
            print(f"  {min(start + BLOCK, self.pairings)} pairings", flush=True)

    def make_programme(self):
        from pairing.models import Milestone, Programme
        from reporting.models import Indicator

        programme = Programme.objects.create(
            code=CODE,
            name="省级百千万工程基准项目",
            city="广东省",
            start_date=datetime.date(2025, 1, 1),
            first_report_month=self.months[0].first_day,
        )
        Indicator.objects.bulk_create(
            Indicator(
                programme=programme,
                code=code,
                name_zh=zh,
                name_en=en,
                unit=unit,
                kind=kind,
                maximum=maximum,
                required=required,
                order=order,
            )
            for order, (code, zh, en, unit, kind, maximum, required) in enumerate(INDICATORS, start=1)
        )
        self.indicators = list(programme.indicators.order_by("order"))
        Milestone.objects.bulk_create(
            Milestone(programme=programme, year=year, title=title)
            for year, title in [(2025, "全面铺开结对"), (2026, "结对帮扶见成效"), (2027, "总结评估")]
        )
        return programme

    def make_cities(self):
        from pairing.models import Area

        return Area.objects.bulk_create(Area(name=f"{name}市", kind=Area.Kind.CITY) for name in CITIES)

    def make_users(self, rows) -> list:
        """rows: (username, full name, role, school id, town id); returns the users."""
        from django.contrib.auth.models import User

        from core.models import Profile

        users = User.objects.bulk_create(
            User(
                username=username,
                first_name=full_name,
                email=f"{username}@bench.example.org",
                password=self.password,
                is_staff=role == "bureau",
            )
            for username, full_name, role, _school, _town in rows
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=user.pk, group_id=self.groups[row[2]].pk)
            for user, row in zip(users, rows, strict=True)
        )
        Profile.objects.bulk_create(
            Profile(user=user, school_id=row[3], town_id=row[4], phone=f"020-8{user.pk:07d}")
            for user, row in zip(users, rows, strict=True)
        )
        self.user_count += len(users)
        return users

    def make_block(self, first: int, last: int) -> None:
        from pairing.models import Area, Pairing, School

        rng = random.Random(first)
        count = last - first
        town_first = first // PAIRINGS_PER_TOWN
        towns = Area.objects.bulk_create(
            Area(
                name=f"{CITIES[n % len(CITIES)]}第{n + 1:05d}{'街道' if n % 5 == 4 else '镇'}",
                kind=Area.Kind.SUBDISTRICT if n % 5 == 4 else Area.Kind.TOWN,
                parent=self.cities[n % len(self.cities)],
            )
            for n in range(town_first, town_first + count // PAIRINGS_PER_TOWN)
        )
        villages = Area.objects.bulk_create(
            Area(
                name=f"第{n + 1:05d}{'社区' if n % 7 == 6 else '村'}",
                kind=Area.Kind.COMMUNITY if n % 7 == 6 else Area.Kind.VILLAGE,
                parent=towns[(n - first) // PAIRINGS_PER_TOWN],
            )
            for n in range(first, last)
        )
        university_first = first // PAIRINGS_PER_UNIVERSITY
        universities = School.objects.bulk_create(
            School(name=f"基准大学{n + 1:05d}", short_name=f"基大{n + 1:05d}", kind=School.Kind.UNIVERSITY)
            for n in range(university_first, university_first + count // PAIRINGS_PER_UNIVERSITY)
        )
        vocational = School.objects.bulk_create(
            School(
                name=f"基准职业技术学校{n + 1:05d}",
                short_name=f"基职{n + 1:05d}",
                kind=School.Kind.VOCATIONAL,
            )
            for n in range(first, last)
        )
        pairings = []
        for n in range(first, last):
            fate = rng.random()
            late_joiner = fate > 0.95
            pairing = Pairing(
                programme=self.programme,
                number=n + 1,
                lead_university=universities[(n - first) // PAIRINGS_PER_UNIVERSITY],
                town=towns[(n - first) // PAIRINGS_PER_TOWN],
                start_date=datetime.date(2025, 9, 1) if late_joiner else datetime.date(2025, 1, 1),
            )
            if fate < 0.01:
                pairing.status = Pairing.Status.ENDED
                pairing.end_date = self.months[0].first_day - datetime.timedelta(days=1)
                pairing.end_reason = "镇街区划调整，结对关系终止。"
            elif fate < 0.03:
                pairing.status = Pairing.Status.ADJUSTED
            pairings.append(pairing)
        pairings = Pairing.objects.bulk_create(pairings)
        Pairing.history.bulk_history_create(pairings, default_date=self.now, default_change_reason="基准数据")
        Pairing.assisting_schools.through.objects.bulk_create(
            Pairing.assisting_schools.through(pairing_id=p.pk, school_id=vocational[i].pk)
            for i, p in enumerate(pairings)
        )
        Pairing.villages.through.objects.bulk_create(
            Pairing.villages.through(pairing_id=p.pk, area_id=villages[i].pk) for i, p in enumerate(pairings)
        )
        liaisons = {}
        for prefix, schools, offset in (("u", universities, university_first), ("v", vocational, first)):
            rows = [
                (
                    f"liaison-{prefix}{offset + i + 1:05d}",
                    f"{school.short_name} {self.person_name(rng)}老师",
                    "liaison",
                    school.pk,
                    None,
                )
                for i, school in enumerate(schools)
            ]
            for school, user in zip(schools, self.make_users(rows), strict=True):
                liaisons[school.pk] = user
        self.make_users(
            [
                (
                    f"town-{town_first + i + 1:05d}",
                    f"{town.name} {self.person_name(rng)}干事",
                    "town_liaison",
                    None,
                    town.pk,
                )
                for i, town in enumerate(towns)
            ]
        )
        self.make_workspace(rng, pairings, villages, vocational)
        self.make_reports(rng, pairings, vocational, liaisons)

    def person_name(self, rng: random.Random) -> str:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(["", rng.choice(GIVEN)])

    def make_workspace(self, rng, pairings, villages, vocational) -> None:
        """Teams with their people, agreements, practice bases, residencies, meetings and plans."""
        from pairing.models import (
            Agreement,
            AnnualPlan,
            JointMeeting,
            Membership,
            Person,
            PracticeBase,
            Residency,
            ServiceTeam,
        )

        flaws = {p.pk: rng.random() for p in pairings}  # below 0.3: breaks some rule
        teams = ServiceTeam.objects.bulk_create(
            ServiceTeam(pairing=p, programme=self.programme, name=f"{p.town.name}第{p.number}结对服务工作队")
            for p in pairings
            if flaws[p.pk] > 0.01
        )
        position = {p.pk: i for i, p in enumerate(pairings)}
        people, roles = [], []
        for team in teams:
            pairing = team.pairing
            university_id, vocational_id = pairing.lead_university_id, vocational[position[pairing.pk]].pk
            size = 5 if flaws[pairing.pk] < 0.05 else 7
            for k in range(size):
                school_id = university_id if k == 0 or (k > 1 and k % 2 == 0) else vocational_id
                role = (
                    Membership.Role.LEADER
                    if k == 0
                    else Membership.Role.DEPUTY
                    if k == 1
                    else Membership.Role.MEMBER
                )
                name = self.person_name(rng)
                people.append(
                    Person(
                        name=name,
                        school_id=school_id,
                        position="副校长"
                        if k < 2
                        else rng.choice(["讲师", "副教授", "教授", "高级讲师", "工程师"]),
                        is_school_leader=k == 1 or (k == 0 and not 0.05 <= flaws[pairing.pk] < 0.08),
                        title_grade=(
                            Person.TitleGrade.JUNIOR
                            if k == 2 and 0.08 <= flaws[pairing.pk] < 0.10
                            else rng.choice(Person.MID_LEVEL_OR_ABOVE)
                        ),
                        phone=f"13{rng.randrange(100000000, 999999999)}",
                        email=f"p{pairing.number}-{k}@school.bench.example.org" if k < 2 else "",
                    )
                )
                roles.append((team, role))
        people = Person.objects.bulk_create(people, batch_size=5000)
        memberships = [
            Membership(team=team, person=person, role=role, joined_on=team.pairing.start_date)
            for person, (team, role) in zip(people, roles, strict=True)
        ]
        Membership.objects.bulk_create(memberships, batch_size=5000)
        team_people, leaders = {}, {}
        for person, (team, _role) in zip(people, roles, strict=True):
            team_people.setdefault(team.pk, []).append(person)
            leaders.setdefault(team.pairing_id, team_people[team.pk])

        Agreement.objects.bulk_create(
            Agreement(
                pairing=p,
                signed_on=p.start_date
                + datetime.timedelta(days=45 if flaws[p.pk] < 0.13 else rng.randrange(10, 28)),
                university_signatory=leaders[p.pk][0].name if p.pk in leaders else "",
                vocational_signatory=leaders[p.pk][1].name if p.pk in leaders else "",
                town_signatory=f"{p.town.name}人民政府",
            )
            for p in pairings
            if not 0.10 <= flaws[p.pk] < 0.11
        )
        village_of = {p.pk: villages[i] for i, p in enumerate(pairings)}
        PracticeBase.objects.bulk_create(
            PracticeBase(
                pairing=p,
                programme=self.programme,
                name=f"{village_of[p.pk].name}乡村振兴实践基地",
                place=village_of[p.pk],
                established_on=p.start_date + datetime.timedelta(days=60),
                description="师生驻点开展规划设计、技能培训和社会实践。",
            )
            for p in pairings
            if not 0.13 <= flaws[p.pk] < 0.16
        )
        residencies, residency_people, meetings, plans = [], [], [], []
        for team in teams:
            pairing = team.pairing
            for year in range(max(pairing.start_date.year, 2025), self.today.year + 1):
                days = 60 if 0.16 <= flaws[pairing.pk] < 0.22 else 96
                start = datetime.date(year, 3, 1)
                while days > 0:
                    length = min(days, 32)
                    end = start + datetime.timedelta(days=length - 1)
                    if end > self.today:
                        break
                    residencies.append(
                        Residency(
                            team=team,
                            start_date=start,
                            end_date=end,
                            place=village_of[pairing.pk],
                            note="驻村开展服务",
                        )
                    )
                    residency_people.append(rng.sample(team_people[team.pk], k=2))
                    days -= length
                    start = end + datetime.timedelta(days=rng.randrange(20, 40))
                for month in [3, 9][: 1 if 0.22 <= flaws[pairing.pk] < 0.29 else 2]:
                    held_on = datetime.date(year, month, 15)
                    if held_on <= self.today:
                        meetings.append(
                            JointMeeting(
                                pairing=pairing,
                                held_on=held_on,
                                attendees=f"{pairing.lead_university.name}、{pairing.town.name}",
                                minutes="听取上阶段工作汇报，研究下阶段合作事项。",
                                decisions="通过年度合作计划。",
                            )
                        )
                plans.append(
                    AnnualPlan(
                        pairing=pairing,
                        year=year,
                        content=f"{year}年度结对合作计划：驻村服务、技能培训、规划咨询。",
                    )
                )
        residencies = Residency.objects.bulk_create(residencies, batch_size=5000)
        Residency.people.through.objects.bulk_create(
            (
                Residency.people.through(residency_id=residency.pk, person_id=person.pk)
                for residency, chosen in zip(residencies, residency_people, strict=True)
                for person in chosen
            ),
            batch_size=10000,
        )
        JointMeeting.objects.bulk_create(meetings, batch_size=5000)
        AnnualPlan.objects.bulk_create(plans, batch_size=5000)

    def make_reports(self, rng, pairings, vocational, liaisons) -> None:
        from reporting.models import IndicatorValue, MonthlyReport, ReportVersion

        reports, steps, values = [], [], []
        for month in self.months:
            back = (self.month.year - month.year) * 12 + self.month.month - month.month
            late_from = self.programme.late_from(month)
            for i, pairing in enumerate(pairings):
                if not runs_in(pairing, month):
                    continue
                for school_id in (pairing.lead_university_id, vocational[i].pk):
                    fate = report_fate(rng, back)
                    if fate is None:
                        continue
                    author = liaisons[school_id]
                    report, history, cells = self.report(
                        rng, pairing, school_id, month, late_from, fate, author
                    )
                    reports.append(report)
                    steps.append(history)
                    values.append(cells)
        reports = MonthlyReport.objects.bulk_create(reports, batch_size=5000)
        self.report_count += len(reports)
        codes = {i.code: i.pk for i in self.indicators}
        copy_rows(
            IndicatorValue,
            ["report_id", "indicator_id", "value"],
            (
                (report.pk, codes[code], value)
                for report, cells in zip(reports, values, strict=True)
                for code, value in cells.items()
            ),
        )
        copy_rows(
            ReportVersion,
            ["report_id", "number", "action", "status", "snapshot", "comment", "actor_id", "created_at"],
            (
                (
                    report.pk,
                    number,
                    action,
                    status,
                    json.dumps(snapshot(report, cells)),
                    comment,
                    actor.pk,
                    at,
                )
                for report, history, cells in zip(reports, steps, values, strict=True)
                for number, action, status, comment, actor, at in history
            ),
        )

    def report(self, rng, pairing, school_id, month, late_from, fate, author):
        """One report in the state `fate`, its versions (number, action, status, comment, actor, at) and values."""
        from reporting.models import MonthlyReport

        Status = MonthlyReport.Status
        opened = datetime.datetime.combine(month.first_day, datetime.time(9), tzinfo=late_from.tzinfo)
        if fate != "draft" and late_from < self.now and rng.random() < 0.09:
            submitted = late_from + datetime.timedelta(hours=rng.randrange(2, 120))  # late
        else:
            submitted = opened + (min(self.now, late_from) - opened) * (0.5 + rng.random() / 2)
        submitted = min(submitted, self.now - datetime.timedelta(minutes=5))
        saved = submitted - datetime.timedelta(hours=rng.randrange(1, 24))
        comment = "请补充本月驻点服务的具体人员和天数。"

        def later(moment, days):
            return min(moment + datetime.timedelta(days=days, hours=rng.randrange(1, 12)), self.now)

        history = [("report.saved", Status.DRAFT, "", author, saved)]
        if fate != "draft":
            history.append(("report.submitted", Status.SUBMITTED, "", author, submitted))
        if fate in {"returned", "resubmitted", "accepted_after_return"}:
            returned = later(submitted, rng.randrange(1, 4))
            history.append(("report.returned", Status.RETURNED, comment, self.bureau, returned))
        if fate in {"resubmitted", "accepted_after_return"}:
            history.append(("report.saved", Status.RETURNED, "", author, later(returned, 1)))
            history.append(("report.resubmitted", Status.RESUBMITTED, "", author, later(returned, 2)))
        if fate in {"accepted", "accepted_after_return"}:
            history.append(
                (
                    "report.accepted",
                    Status.ACCEPTED,
                    "",
                    self.bureau,
                    later(history[-1][4], rng.randrange(1, 6)),
                )
            )
        history = [(number, *step) for number, step in enumerate(history, start=2)]
        final = history[-1]
        submissions = [step for step in history if step[1] in {"report.submitted", "report.resubmitted"}]
        reviews = [step for step in history if step[1] in {"report.returned", "report.accepted"}]
        report = MonthlyReport(
            pairing=pairing,
            school_id=school_id,
            month=month.first_day,
            status=final[2],
            narratives={kind: text for kind, text in NARRATIVES.items() if rng.random() < 0.7},
            difficulties="村内道路改造资金缺口较大，需省级协调。" if rng.random() < 0.15 else "",
            next_month_plan="继续开展驻村服务，筹备联席会议。",
            version=final[0],
            first_submitted_at=submissions[0][5] if submissions else None,
            submitted_at=submissions[-1][5] if submissions else None,
            submitted_by=author if submissions else None,
            reviewed_at=reviews[-1][5] if reviews else None,
            reviewed_by=self.bureau if reviews else None,
            review_comment=comment if final[2] in {Status.RETURNED, Status.RESUBMITTED} else "",
            created_by=author,
        )
        cells = {}
        for code, _zh, _en, _unit, kind, maximum, required in INDICATORS:
            if required or rng.random() < 0.6:
                high = maximum or (50000 if kind == "money" else 40)
                cells[code] = Decimal(rng.randrange(0, min(high, 50000)))
        return report, history, cells


def copy_rows(model, columns: list[str], rows) -> None:
    """COPY rows into a model's table. For the two largest tables (values and versions) instead of
    bulk_create: Django 5.2 sends bulk_create's rows as arrays, which psycopg quotes element by
    element in Python, and the versions' JSON snapshots made that most of the build's time."""
    from django.db import connection

    names = ", ".join(connection.ops.quote_name(column) for column in columns)
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def runs_in(pairing, month) -> bool:
    from pairing.models import Pairing

    return (
        pairing.start_date <= month.last_day
        and pairing.status != Pairing.Status.PLANNED
        and (pairing.end_date is None or pairing.end_date >= month.first_day)
    )


def report_fate(rng: random.Random, back: int) -> str | None:
    """What became of one expected report, `back` months before this one (None: never started)."""
    r = rng.random()
    if back == 0:  # this month, its due day ahead or just past
        return None if r < 0.60 else "draft" if r < 0.75 else "submitted"
    table = (
        [(0.05, None), (0.08, "draft"), (0.13, "returned"), (0.16, "resubmitted"), (0.70, "submitted")]
        if back == 1  # last month: most still in review
        else [
            (0.04, None),
            (0.06, "draft"),
            (0.08, "returned"),
            (0.10, "resubmitted"),
            (0.12, "submitted"),
            (0.14, "accepted_after_return"),
        ]
    )
    for bound, fate in table:
        if r < bound:
            return fate
    return "accepted"


def snapshot(report, cells) -> dict:
    return {
        "values": {code: str(value) for code, value in cells.items()},
        "narratives": {kind: report.narratives.get(kind, "") for kind in NARRATIVES},
        "difficulties": report.difficulties,
        "next_month_plan": report.next_month_plan,
        "attachments": [],
    }


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description="Build (or find) the benchmarks' province-scale data.")
    parser.add_argument("--pairings", type=int, default=10000)
    parser.add_argument("--database-url", help="default: BENCH_DATABASE_URL or portal_bench_<pairings>")
    parser.add_argument("--months", type=int, default=MONTHS, help="full months of reports before this one")
    args = parser.parse_args()
    dataset = prepare(pairings=args.pairings, database_url=args.database_url, months=args.months)
    print(f"{database_name(dataset.database_url)}: {dataset.pairings} pairings, this month {dataset.month}")


if __name__ == "__main__":
    main()
