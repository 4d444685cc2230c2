"""Writes to the registry. Each service validates (full_clean plus the programme's own checks),
saves atomically, and leaves the change in the history (simple-history records the user)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Area, Membership, Pairing, Person, Residency, School, ServiceTeam


def pairing_schools(pairing: Pairing) -> list[School]:
    return [pairing.lead_university, *pairing.assisting_schools.all()]


def team_get_or_create(*, pairing: Pairing) -> ServiceTeam:
    team, _created = ServiceTeam.objects.get_or_create(
        pairing=pairing, defaults={"name": _("%(town)s service team") % {"town": pairing.town.name}}
    )
    return team


@transaction.atomic
def membership_add(
    *,
    pairing: Pairing,
    name: str,
    school: School,
    role: str,
    position: str = "",
    is_school_leader: bool = False,
    title_grade: str = Person.TitleGrade.NONE,
    phone: str = "",
    email: str = "",
) -> Membership:
    if school.pk not in {s.pk for s in pairing_schools(pairing)}:
        raise ValidationError(
            {"school": _("%(school)s is not a party to this pairing.") % {"school": school.name}}
        )
    team = team_get_or_create(pairing=pairing)
    name = name.strip()
    if Membership.objects.filter(team=team, person__name=name, person__school=school).exists():
        raise ValidationError(
            {
                "name": _("%(name)s of %(school)s is already on the team.")
                % {"name": name, "school": school.name}
            }
        )
    person = Person(
        name=name, school=school, position=position, is_school_leader=is_school_leader,
        title_grade=title_grade, phone=phone, email=email,
    )  # fmt: skip
    person.full_clean()
    person.save()
    membership = Membership(team=team, person=person, role=role, joined_on=timezone.localdate())
    membership.full_clean()
    membership.save()
    return membership


def residency_places(pairing: Pairing) -> list[Area]:
    return [pairing.town, *pairing.villages.all()]


@transaction.atomic
def residency_record(
    *,
    pairing: Pairing,
    start_date: datetime.date,
    end_date: datetime.date,
    people: list[Person],
    place: Area,
    note: str = "",
    today: datetime.date | None = None,
) -> Residency:
    today = today or timezone.localdate()
    team = team_get_or_create(pairing=pairing)
    errors: dict[str, list[str]] = {}
    if end_date < start_date:
        errors.setdefault("end_date", []).append(_("The residency ends before it starts."))
    if end_date > today:
        errors.setdefault("end_date", []).append(
            _("The residency cannot end in the future; record it once it is over.")
        )
    if start_date < pairing.start_date:
        errors.setdefault("start_date", []).append(_("The residency starts before the pairing began."))
    if place.pk not in {area.pk for area in residency_places(pairing)}:
        errors.setdefault("place", []).append(_("Choose the pairing's town or one of its villages."))
    team_people = set(team.memberships.values_list("person_id", flat=True))
    if not people:
        errors.setdefault("people", []).append(_("Choose at least one team member."))
    elif any(person.pk not in team_people for person in people):
        errors.setdefault("people", []).append(_("Only members of this pairing's team can be recorded."))
    if not errors:
        overlapping = Residency.people.through.objects.filter(
            person__in=people, residency__start_date__lte=end_date, residency__end_date__gte=start_date
        ).values_list("person__name", "residency__start_date", "residency__end_date")
        for name, other_start, other_end in overlapping:
            errors.setdefault("people", []).append(
                _("%(name)s already has a residency from %(start)s to %(end)s that overlaps these dates.")
                % {"name": name, "start": other_start, "end": other_end}
            )
    if errors:
        raise ValidationError(errors)
    residency = Residency(team=team, start_date=start_date, end_date=end_date, place=place, note=note)
    residency.full_clean()
    residency.save()
    residency.people.set(people)
    return residency
