"""Load the five seed programmes (each if missing) with their demo data, and create one demo user
per role: the bureau and the commander see every programme; the liaisons each see their school's.

Dongguan (fixtures/dongguan_2023*.json) gets its pairings' teams, residencies, meetings and
agreements and a few recent months of reports (pairing/demo.py, reporting/demo.py); Yibin, WHUT–
Shiquan, UESTC–Cengong and Ruicheng (fixtures/yibin_2024.json, ...) get their rosters and every
month's reports over their periods, adding up to their headline figures (reporting/demo_programmes.py;
`python manage.py check_figures` checks them).

Running it twice changes nothing but the passwords, which are set to --password (or a new random
one) and printed, so the person who ran it can log in. A --password the portal's password
validators refuse (AUTH_PASSWORD_VALIDATORS, the same as for every account) stops the command
before it changes anything, with their messages and exit status 1.
"""

import secrets

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.cache import bumps_deferred
from core.models import Profile
from core.months import Month
from core.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON
from oversight.selectors import MONTHS_SHOWN
from pairing.demo import seed_pairing_activity
from pairing.models import Area, Programme, School
from reporting.compilation.service import compile_month
from reporting.demo import seed_reports
from reporting.demo_programmes import DEMO_PROGRAMMES, load_fixture, seed_programme
from reporting.models import MonthlySummary

PROGRAMME_CODE = "dongguan-bqw-2023"

# username, role, full name (the header adds the role or the school), school name, town name
DEMO_USERS = [
    ("bureau", BUREAU, "王科长", None, None),
    ("commander", COMMANDER, "李主任", None, None),
    ("liaison-dgut", LIAISON, "陈老师", "东莞理工学院", None),
    ("liaison-jdgc", LIAISON, "刘老师", "东莞市机电工程学校", None),
    ("town-changan", TOWN_LIAISON, "黄干事", None, "长安"),
    ("liaison-yibin", LIAISON, "赵老师", "宜宾学院", None),
    ("liaison-whut", LIAISON, "孙老师", "武汉理工大学", None),
    ("liaison-uestc", LIAISON, "周老师", "电子科技大学", None),
    ("liaison-ruicheng", LIAISON, "吴老师", "清华大学", None),
]


def refuse_weak(password: str) -> None:
    """Every validator's objection, against each demo user (one checks the password is not like the
    username or the name), each message once."""
    problems = []
    for username, _role, full_name, _school, _town in DEMO_USERS:
        user = User(username=username, first_name=full_name, email=f"{username}@example.org")
        try:
            validate_password(password, user=user)
        except ValidationError as error:
            problems += [message for message in error.messages if message not in problems]
    if problems:
        # In the portal's language, as the validators' own messages are.
        raise CommandError(_("The password is refused: %(reasons)s") % {"reasons": " ".join(problems)})


class Command(BaseCommand):
    help = (
        "Load the five seed programmes and their demo data if missing and create the demo users "
        "(bureau, commander, liaisons)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: a new random one).")
        parser.add_argument(
            "--report-months",
            type=int,
            default=MONTHS_SHOWN,
            help="Dongguan's months of reports before this one (default: the dashboard's %(default)s).",
        )

    def handle(self, *args, password: str | None = None, report_months: int = MONTHS_SHOWN, **options):
        if password is not None:
            refuse_weak(password)
        password = password or secrets.token_urlsafe(9)
        if not Programme.objects.filter(code=PROGRAMME_CODE).exists():
            load_fixture("dongguan_2023")
            self.stdout.write("Loaded the dongguan_2023 fixture.")
        programme = Programme.objects.get(code=PROGRAMME_CODE)
        seeded = seed_pairing_activity(programme=programme, until=timezone.localdate())
        if seeded:
            self.stdout.write(f"Added teams, residencies, meetings and agreements to {seeded} pairings.")
        if not programme.indicators.exists():
            load_fixture("dongguan_2023_indicators")
        for demo in DEMO_PROGRAMMES:
            if not Programme.objects.filter(code=demo.code).exists():
                load_fixture(demo.fixture)
                self.stdout.write(f"Loaded the {demo.fixture} fixture.")
        # Hashed once for all the demo users (each hash takes the hasher's full work factor).
        encoded = make_password(password)
        with transaction.atomic():
            for username, role, full_name, school_name, town_name in DEMO_USERS:
                self.ensure_user(username, role, full_name, encoded, school_name, town_name)
        reviewer = User.objects.get(username="bureau")
        # The reports and members below change cached figures' versions once each, at the end, not
        # once a row; what they read (which reports a month expects) was settled by the fixtures above.
        with bumps_deferred():
            reports = seed_reports(programme=programme, reviewer=reviewer, months=report_months)
            if reports:
                self.stdout.write(f"Added {reports} monthly reports of the last months.")
            for demo in DEMO_PROGRAMMES:
                seeded = seed_programme(demo.code, reviewer=reviewer)
                if seeded.members or seeded.reports:
                    self.stdout.write(
                        f"Added {seeded.reports} monthly reports and {seeded.members} team members to {demo.code}."
                    )
        compiled = [f"{programme.code} {month}" for programme, month in compile_last_due_months()]
        if compiled:
            self.stdout.write("Compiled the last due month of each programme: " + ", ".join(compiled) + ".")
        self.stdout.write(self.style.SUCCESS("Demo users: " + ", ".join(u[0] for u in DEMO_USERS)))
        self.stdout.write(f"Password for every demo user: {password}")

    def ensure_user(self, username, role, full_name, encoded_password, school_name, town_name) -> None:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.email = f"{username}@example.org"  # as refuse_weak compares
        user.is_staff = role == BUREAU  # bureau staff keep the registry in the admin too
        user.is_superuser = False
        user.password = encoded_password
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.school = School.objects.get(name=school_name) if school_name else None
        profile.town = Area.objects.get(name=town_name, kind__in=Area.TOWN_KINDS) if town_name else None
        profile.save()


def compile_last_due_months() -> list[tuple[Programme, Month]]:
    """What beat would have compiled by now: each programme's last month that is due (its last month
    once it has ended), unless it has a summary already. The demo's summaries page is not empty."""
    compiled = []
    for programme in Programme.objects.order_by("pk"):
        month = programme.last_month()
        if not programme.is_due(month):
            month = month.previous()
        if programme.month_problem(month):
            continue
        if not MonthlySummary.objects.filter(programme=programme, month=month.first_day).exists():
            compile_month(programme, month)
            compiled.append((programme, month))
    return compiled
