"""Demo monthly reports for the Dongguan programme: a few months, most on time and accepted, some
late, some missing, one returned with a comment. Deterministic and idempotent."""

import datetime
import random
from decimal import Decimal

from django.contrib.auth.models import Group, User
from django.db import transaction

from core.models import Profile
from core.months import Month
from core.roles import LIAISON
from pairing.models import Programme, School

from .expectations import expected_reports
from .models import IndicatorValue, MonthlyReport, ReportVersion
from .services import report_snapshot

NARRATIVES = {
    "practice_base": "师生团队在实践基地开展驻村调研和文创设计实践。",
    "technology": "为镇内企业提供技术咨询，协助解决生产工艺问题。",
    "talent": "举办技能培训班，培训村民和企业员工。",
    "collective_economy": "协助村集体梳理闲置资产，策划农文旅项目。",
    "public_services": "组织志愿者开展普法宣传和社区服务。",
    "consulting": "完成村庄发展规划初稿，提交镇街审阅。",
}


def liaison_for(school) -> User:
    """The school's liaison: an existing one, or a demo account without a usable password."""
    user = User.objects.filter(groups__name=LIAISON, profile__school=school).order_by("pk").first()
    if user:
        return user
    user = User.objects.create(
        username=f"liaison-school-{school.pk}",
        first_name=f"{school.short_name or school.name}联络员",
        email=f"liaison-school-{school.pk}@example.org",
    )
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=LIAISON)[0])
    # A made-up mobile number (11 digits, like every Chinese mobile number): a landline would need the
    # area code of the school's city (0769 is Dongguan's, wrong for Ruicheng's universities).
    Profile.objects.create(user=user, school=school, phone=f"139{school.pk % 100_000_000:08d}")
    return user


@transaction.atomic
def seed_reports(*, programme: Programme, reviewer: User, months: int = 4) -> int:
    if MonthlyReport.objects.filter(pairing__programme=programme).exists():
        return 0
    rng = random.Random(28)
    indicators = list(programme.indicators.all())
    this_month = Month.current()
    schools = {school.pk: school for school in School.objects.all()}
    created = 0
    returned_done = False
    for month in [this_month.shift(-back) for back in range(months, 0, -1)]:
        for index, row in enumerate(expected_reports(month, pairings=programme.pairings.all())):
            fate = rng.random()
            if fate < 0.08:
                continue  # missing
            school = schools[row.school_id]
            author = liaison_for(school)
            due = row.late_from
            late = fate > 0.88
            submitted_at = (
                due + datetime.timedelta(hours=rng.randrange(5, 90))
                if late
                else due - datetime.timedelta(days=rng.randrange(0, 6), hours=rng.randrange(1, 20))
            )
            report = MonthlyReport.objects.create(
                pairing_id=row.pairing_id,
                school=school,
                month=month.first_day,
                created_by=author,
                status=MonthlyReport.Status.SUBMITTED,
                narratives={k: v for k, v in NARRATIVES.items() if rng.random() < 0.7},
                difficulties="村内道路改造资金缺口较大，需市级协调。" if rng.random() < 0.2 else "",
                next_month_plan="继续开展驻村服务，筹备联席会议。",
                first_submitted_at=submitted_at,
                submitted_at=submitted_at,
                submitted_by=author,
                version=2,
            )
            for indicator in indicators:
                if indicator.required or rng.random() < 0.6:
                    high = (
                        31
                        if indicator.code == "residency_days"
                        else (50000 if indicator.kind == "money" else 40)
                    )
                    IndicatorValue.objects.create(
                        report=report, indicator=indicator, value=Decimal(rng.randrange(0, high))
                    )
            ReportVersion.objects.create(
                report=report,
                number=2,
                action="report.submitted",
                status=report.status,
                snapshot=report_snapshot(report),
                actor=author,
                created_at=submitted_at,
            )
            if month != this_month.previous():
                report.status = MonthlyReport.Status.ACCEPTED
                report.reviewed_by, report.reviewed_at = reviewer, submitted_at + datetime.timedelta(days=2)
                report.version = 3
                report.save()
                ReportVersion.objects.create(
                    report=report,
                    number=3,
                    action="report.accepted",
                    status=report.status,
                    snapshot=report_snapshot(report),
                    actor=reviewer,
                    created_at=report.reviewed_at,
                )
            elif not returned_done and index > 2:
                report.status = MonthlyReport.Status.RETURNED
                report.review_comment = "请补充本月驻点服务的具体人员和天数。"
                report.reviewed_by, report.reviewed_at = reviewer, submitted_at + datetime.timedelta(days=1)
                report.version = 3
                report.save()
                ReportVersion.objects.create(
                    report=report,
                    number=3,
                    action="report.returned",
                    status=report.status,
                    snapshot=report_snapshot(report),
                    comment=report.review_comment,
                    actor=reviewer,
                    created_at=report.reviewed_at,
                )
                returned_done = True
            created += 1
    return created
