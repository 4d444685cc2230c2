"""Load the Dongguan programme (if missing) and create one demo user per role.

Running it twice changes nothing but the passwords, which are set to --password (or a new random
one) and printed, so the person who ran it can log in. A --password the portal's password
validators refuse (AUTH_PASSWORD_VALIDATORS, the same as for every account) stops the command
before it changes anything, with their messages and exit status 1.
"""

import secrets

from django.contrib.auth.models import Group, User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.models import Profile
from core.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON
from pairing.demo import seed_pairing_activity
from pairing.models import Area, Programme, School
from reporting.demo import seed_reports

PROGRAMME_CODE = "dongguan-bqw-2023"

# username, role, full name, school name, town name
DEMO_USERS = [
    ("bureau", BUREAU, "市教育局 王科长", None, None),
    ("commander", COMMANDER, "市指挥部办公室 李主任", None, None),
    ("liaison-dgut", LIAISON, "东莞理工学院 陈老师", "东莞理工学院", None),
    ("liaison-jdgc", LIAISON, "东莞市机电工程学校 刘老师", "东莞市机电工程学校", None),
    ("town-changan", TOWN_LIAISON, "长安镇 黄干事", None, "长安"),
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
        "Load the Dongguan 2023 programme if missing and create the demo users (bureau, commander, liaisons)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--password", help="Password for every demo user (default: a new random one).")

    def handle(self, *args, password: str | None = None, **options):
        if password is not None:
            refuse_weak(password)
        password = password or secrets.token_urlsafe(9)
        if not Programme.objects.filter(code=PROGRAMME_CODE).exists():
            call_command("loaddata", "dongguan_2023", verbosity=0)
            call_command("populate_history", "--auto", verbosity=0)
            self.stdout.write("Loaded the dongguan_2023 fixture.")
        programme = Programme.objects.get(code=PROGRAMME_CODE)
        seeded = seed_pairing_activity(programme=programme, until=timezone.localdate())
        if seeded:
            self.stdout.write(f"Added teams, residencies, meetings and agreements to {seeded} pairings.")
        if not programme.indicators.exists():
            call_command("loaddata", "dongguan_2023_indicators", verbosity=0)
        with transaction.atomic():
            for username, role, full_name, school_name, town_name in DEMO_USERS:
                self.ensure_user(username, role, full_name, password, school_name, town_name)
        reports = seed_reports(programme=programme, reviewer=User.objects.get(username="bureau"))
        if reports:
            self.stdout.write(f"Added {reports} monthly reports of the last months.")
        self.stdout.write(self.style.SUCCESS("Demo users: " + ", ".join(u[0] for u in DEMO_USERS)))
        self.stdout.write(f"Password for every demo user: {password}")

    def ensure_user(self, username, role, full_name, password, school_name, town_name) -> None:
        user, _created = User.objects.get_or_create(username=username)
        user.first_name = full_name
        user.email = f"{username}@example.org"  # as refuse_weak compares
        user.is_staff = role == BUREAU  # bureau staff keep the registry in the admin too
        user.is_superuser = False
        user.set_password(password)
        user.save()
        user.groups.set([Group.objects.get_or_create(name=role)[0]])
        profile, _ = Profile.objects.get_or_create(user=user)
        profile.school = School.objects.get(name=school_name) if school_name else None
        profile.town = Area.objects.get(name=town_name, kind__in=Area.TOWN_KINDS) if town_name else None
        profile.save()
