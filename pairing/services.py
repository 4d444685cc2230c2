"""Writes to the registry. Each service validates (full_clean plus the programme's own checks),
saves atomically, and leaves the change in the history (simple-history records the user)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.months import Month
from core.uploads import check_upload

from .models import (
    Agreement,
    AnnualPlan,
    Area,
    JointMeeting,
    Membership,
    Pairing,
    PairingReview,
    Person,
    PracticeBase,
    Residency,
    School,
    SchoolReplacement,
    ServiceTeam,
)
from .selectors import latest_month_on_record, programme_schools, programme_villages


def pairing_schools(pairing: Pairing) -> list[School]:
    return [pairing.lead_university, *pairing.assisting_schools.all()]


def in_registry_language(message: str, **values) -> str:
    """Words the portal writes into the record itself (a team's name, a change's reason): in the
    registry's language (settings.LANGUAGE_CODE), whichever language the person who caused them
    reads, since every later reader sees them as written."""
    from django.conf import settings
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values if values else _(message)


def team_get_or_create(*, pairing: Pairing) -> ServiceTeam:
    team, _created = ServiceTeam.objects.get_or_create(
        pairing=pairing,
        defaults={
            "name": in_registry_language(gettext_noop("%(town)s service team"), town=pairing.town.name),
            "programme": pairing.programme,
        },
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
    joined_on: datetime.date | None = None,
) -> Membership:
    joined_on = _joined_on(pairing, joined_on)
    if school.pk not in {s.pk for s in pairing_schools(pairing)}:
        raise ValidationError(
            {"school": _("%(school)s is not a party to this pairing.") % {"school": school.name}}
        )
    team = team_get_or_create(pairing=pairing)
    _one_leader(team, role)
    name = name.strip()
    if Membership.objects.filter(team=team, person__name=name, person__school=school).exists():
        raise ValidationError(
            {
                "name": _("%(name)s of %(school)s is already on the team.")
                % {"name": name, "school": school.name}
            }
        )
    person = Person(
        name=name,
        school=school,
        position=position,
        is_school_leader=is_school_leader,
        title_grade=title_grade,
        phone=phone,
        email=email,
    )
    person.full_clean()
    person.save()
    membership = Membership(team=team, person=person, role=role, joined_on=joined_on)
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
    residency: Residency | None = None,
) -> Residency:
    """Record a residency, or correct `residency` (one of this pairing's) with the same checks."""
    today = today or timezone.localdate()
    team = team_get_or_create(pairing=pairing)
    if residency is not None and residency.team_id != team.pk:
        raise ValidationError(_("This residency is not one of this pairing's."))
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
        overlapping = (
            Residency.people.through.objects.filter(
                person__in=people, residency__start_date__lte=end_date, residency__end_date__gte=start_date
            )
            .exclude(residency=residency)
            .values_list("person__name", "residency__start_date", "residency__end_date")
        )
        for name, other_start, other_end in overlapping:
            errors.setdefault("people", []).append(
                _("%(name)s already has a residency from %(start)s to %(end)s that overlaps these dates.")
                % {"name": name, "start": other_start, "end": other_end}
            )
    if errors:
        raise ValidationError(errors)
    residency = _assign(
        residency or Residency(team=team), start_date=start_date, end_date=end_date, place=place, note=note
    )
    residency.full_clean()
    residency.save()
    residency.people.set(people)
    return residency


def _assign(record, **fields):
    for name, value in fields.items():
        setattr(record, name, value)
    return record


def _within_programme(pairing: Pairing, day: datetime.date) -> bool:
    programme = pairing.programme
    return programme.start_date <= day and (programme.end_date is None or day <= programme.end_date)


@transaction.atomic
def meeting_record(
    *,
    pairing: Pairing,
    held_on: datetime.date,
    attendees: str,
    minutes: str = "",
    decisions: str = "",
    today: datetime.date | None = None,
    meeting: JointMeeting | None = None,
) -> JointMeeting:
    """Record a joint meeting, or correct `meeting` (one of this pairing's) with the same checks."""
    today = today or timezone.localdate()
    if meeting is not None and meeting.pairing_id != pairing.pk:
        raise ValidationError(_("This meeting is not one of this pairing's."))
    if not _within_programme(pairing, held_on):
        raise ValidationError(
            {
                "held_on": _("The meeting date lies outside the programme (%(start)s to %(end)s).")
                % {"start": pairing.programme.start_date, "end": pairing.programme.end_date or "—"}
            }
        )
    if held_on > today:
        raise ValidationError({"held_on": _("Record a meeting once it has been held.")})
    meeting = _assign(
        meeting or JointMeeting(pairing=pairing),
        held_on=held_on,
        attendees=attendees,
        minutes=minutes,
        decisions=decisions,
    )
    meeting.full_clean()
    meeting.save()
    return meeting


@transaction.atomic
def record_delete(*, pairing: Pairing, record: Residency | JointMeeting) -> None:
    """Delete a residency or a meeting recorded by mistake; the history keeps what it was."""
    owner = record.team.pairing_id if isinstance(record, Residency) else record.pairing_id
    if owner != pairing.pk:
        raise ValidationError(_("This record is not one of this pairing's."))
    record.delete()


@transaction.atomic
def annual_plan_save(
    *, pairing: Pairing, year: int, content: str, decided_at: JointMeeting | None = None
) -> AnnualPlan:
    if not (
        pairing.programme.start_date.year <= year <= (pairing.programme.end_date or datetime.date.max).year
    ):
        raise ValidationError({"year": _("The year lies outside the programme.")})
    plan, _created = AnnualPlan.objects.get_or_create(
        pairing=pairing, year=year, defaults={"content": content}
    )
    plan.content = content
    plan.decided_at = decided_at
    plan.full_clean()
    plan.save()
    return plan


def check_agreement_file(upload) -> None:
    """PDF, JPG or PNG, by name and by content, no larger than the setting allows."""
    from django.conf import settings

    check_upload(
        upload,
        allowed=(".pdf", ".jpg", ".jpeg", ".png"),
        limit=settings.AGREEMENT_MAX_BYTES,
        field="scanned_file",
        wrong_type_message=_("Upload a PDF, JPG or PNG file."),
    )


@transaction.atomic
def agreement_save(
    *,
    pairing: Pairing,
    signed_on: datetime.date | None,
    university_signatory: str = "",
    vocational_signatory: str = "",
    town_signatory: str = "",
    note: str = "",
    scanned_file=None,
    today: datetime.date | None = None,
) -> Agreement:
    """Record the agreement and, when given, a new scan of it. An earlier scan is kept, not replaced
    on disk: it is the record of what the three parties signed (and what the bureau reviewed), and
    the pairing's history names it and links to it (pairing:agreement_scan). A scan is written only
    after everything else is known to be valid, and removed again if the row cannot be saved, so no
    file is left behind that no row names."""
    today = today or timezone.localdate()
    if signed_on and signed_on > today:
        raise ValidationError({"signed_on": _("The signing date cannot be in the future.")})
    if signed_on and signed_on < pairing.start_date:
        raise ValidationError({"signed_on": _("The agreement cannot be signed before the pairing began.")})
    if scanned_file is not None:
        check_agreement_file(scanned_file)
    agreement, _created = Agreement.objects.select_for_update().get_or_create(pairing=pairing)
    if agreement.signed_on and not signed_on:
        # A cleared date picker on a phone would "un-sign" the agreement and break the agreement rule.
        raise ValidationError(
            {
                "signed_on": _(
                    "A signed agreement keeps its signing date: correct the date, it cannot be cleared."
                )
            }
        )
    if scanned_file is not None and not signed_on:
        raise ValidationError({"signed_on": _("Give the date the scanned agreement was signed.")})
    agreement.signed_on = signed_on
    agreement.university_signatory = university_signatory
    agreement.vocational_signatory = vocational_signatory
    agreement.town_signatory = town_signatory
    agreement.note = note
    # The storage picks a name that fits the field and is not taken, so the scan needs no check here.
    agreement.full_clean(exclude=["scanned_file"])
    if scanned_file is None:
        agreement.save()
        return agreement
    agreement.scanned_file.save(scanned_file.name, scanned_file, save=False)
    try:
        agreement.save()
    except Exception:
        agreement.scanned_file.storage.delete(agreement.scanned_file.name)
        raise
    return agreement


@transaction.atomic
def practice_base_save(
    *,
    pairing: Pairing,
    name: str,
    place: Area | None = None,
    established_on: datetime.date | None = None,
    description: str = "",
    kind: str = PracticeBase.Kind.PRACTICE,
    base: PracticeBase | None = None,
) -> PracticeBase:
    if place is not None and place.pk not in {area.pk for area in residency_places(pairing)}:
        raise ValidationError({"place": _("Choose the pairing's town or one of its villages.")})
    if established_on is not None and established_on > timezone.localdate():
        raise ValidationError({"established_on": _("Record the base once it is established.")})
    base = base or PracticeBase(pairing=pairing, programme=pairing.programme)
    base.name, base.place, base.established_on, base.description = name, place, established_on, description
    base.kind = kind
    base.full_clean()
    base.save()
    return base


@transaction.atomic
def pairing_review(
    *, pairing: Pairing, reviewer, subject: str, decision: str, comment: str = ""
) -> PairingReview:
    if decision == PairingReview.Decision.ACCEPTED:
        if (
            subject == PairingReview.Subject.AGREEMENT
            and not Agreement.objects.filter(pairing=pairing, signed_on__isnull=False).exists()
        ):
            raise ValidationError({"decision": _("There is no signed agreement to accept yet.")})
        if (
            subject == PairingReview.Subject.TEAM
            and not Membership.objects.filter(team__pairing=pairing).exists()
        ):
            raise ValidationError({"decision": _("The service team has no members to accept yet.")})
    review = PairingReview(
        pairing=pairing, reviewer=reviewer, subject=subject, decision=decision, comment=comment
    )
    review.full_clean()
    review.save()
    return review


def _keep_state_before_adjustment(pairing: Pairing) -> None:
    """A pairing loaded from a fixture has no history yet: record its state before the first change,
    so the history always shows what the pairing was (and old records stay tied to that state).
    An ended pairing is not adjusted any more."""
    if pairing.status == Pairing.Status.ENDED:
        raise ValidationError(_("This pairing has ended; it can no longer be adjusted."))
    if not pairing.history.exists():
        pairing.save()


def _require_reason(reason: str) -> str:
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the adjustment; it is kept in the history.")})
    return reason.strip()


def earliest_end(pairing: Pairing) -> tuple[datetime.date, Month | None]:
    """The earliest day the pairing can end, and the month that sets it: the latest month that is
    due already or has a report on record. A pairing runs in every month it has not ended before
    (reporting.expectations.running_in), so an earlier end would take that month's reports, and the
    months' figures already compiled, out of the record."""
    latest = latest_month_on_record(pairing.programme, pairing=pairing)
    if latest is None or latest.first_day < pairing.start_date:
        return pairing.start_date, None
    return latest.first_day, latest


@transaction.atomic
def pairing_end(*, pairing: Pairing, end_date: datetime.date, reason: str) -> Pairing:
    _keep_state_before_adjustment(pairing)
    earliest, month = earliest_end(pairing)
    errors = {}
    if month is not None and end_date < earliest:
        errors["end_date"] = _(
            "%(month)s is due or reported already, and the months reported stay as they were: the "
            "pairing can end on %(date)s at the earliest."
        ) % {"month": month, "date": earliest}
    try:
        _require_reason(reason)
    except ValidationError as error:
        errors |= error.message_dict
    if errors:
        raise ValidationError(errors)
    pairing.status = Pairing.Status.ENDED
    pairing.end_date = end_date
    pairing.end_reason = reason.strip()
    pairing._change_reason = pairing.end_reason
    pairing.full_clean()
    pairing.save()
    return pairing


@transaction.atomic
def pairing_replace_school(
    *, pairing: Pairing, old: School, new: School, reason: str, from_month: Month | None = None
) -> Pairing:
    """Replace a party: the lead school or an assisting school by another of a kind the programme
    allows there (Programme.school_refusal, the check the pairing form and the import ask). The
    change holds from the next month on (`from_month`): the school replaced still owes, and keeps
    counted, the reports of this month and every month before (a SchoolReplacement records it)."""
    _keep_state_before_adjustment(pairing)
    pairing._change_reason = _require_reason(reason)
    from_month = from_month or Month.current().next()
    if new.pk == old.pk:
        raise ValidationError({"new": _("Choose a school other than the one being replaced.")})
    if new.pk == pairing.lead_university_id or pairing.assisting_schools.filter(pk=new.pk).exists():
        raise ValidationError(
            {"new": _("%(school)s is already a party to this pairing.") % {"school": new.name}}
        )
    programme = pairing.programme
    if not programme_schools(programme).filter(pk=new.pk).exists():
        raise ValidationError(
            {
                "new": _(
                    "%(school)s takes no part in %(programme)s; a school joins a programme through the "
                    "registry import."
                )
                % {"school": new.name, "programme": programme.name}
            }
        )
    if old.pk == pairing.lead_university_id:
        if refusal := programme.school_refusal(new, lead=True):
            raise ValidationError({"new": refusal})
        pairing.lead_university = new
    elif pairing.assisting_schools.filter(pk=old.pk).exists():
        if refusal := programme.school_refusal(new, lead=False):
            raise ValidationError({"new": refusal})
        pairing.assisting_schools.remove(old)
        pairing.assisting_schools.add(new)
    else:
        raise ValidationError({"old": _("%(school)s is not a party to this pairing.") % {"school": old.name}})
    SchoolReplacement.objects.create(
        pairing=pairing,
        lead=pairing.lead_university_id == new.pk,
        old_school=old,
        new_school=new,
        from_month=from_month.first_day,
        reason=pairing._change_reason,
    )
    pairing.status = Pairing.Status.ADJUSTED
    pairing.full_clean()
    pairing.save()
    return pairing


@transaction.atomic
def pairing_change_village(*, pairing: Pairing, village: Area, add: bool, reason: str) -> Pairing:
    _keep_state_before_adjustment(pairing)
    pairing._change_reason = _require_reason(reason)
    if not village.is_village:
        raise ValidationError({"village": _("Choose a village or community.")})
    if add:
        if not programme_villages(pairing.programme).filter(pk=village.pk).exists():
            raise ValidationError(
                {
                    "village": _("%(village)s lies outside %(area)s.")
                    % {"village": village.name, "area": pairing.programme.root_area}
                }
            )
        if pairing.villages.filter(pk=village.pk).exists():
            raise ValidationError(
                {"village": _("%(village)s is already in this pairing.") % {"village": village.name}}
            )
        other = (
            Pairing.objects.filter(programme=pairing.programme, villages=village)
            .exclude(pk=pairing.pk)
            .exclude(status=Pairing.Status.ENDED)
            .first()
        )
        if other is not None:
            raise ValidationError(
                {
                    "village": _("%(village)s is already in pairing %(number)s; remove it there first.")
                    % {"village": village.name, "number": other.number}
                }
            )
        pairing.villages.add(village)
    else:
        if not pairing.villages.filter(pk=village.pk).exists():
            raise ValidationError(
                {"village": _("%(village)s is not in this pairing.") % {"village": village.name}}
            )
        pairing.villages.remove(village)
    pairing.status = Pairing.Status.ADJUSTED
    pairing.save()
    return pairing


def _one_leader(team: ServiceTeam, role: str, *, membership: Membership | None = None) -> None:
    """A team has one leader (队长) and one deputy (副队长); a second is refused, naming the first."""
    if role not in (Membership.Role.LEADER, Membership.Role.DEPUTY):
        return
    holder = (
        team.memberships.filter(role=role)
        .exclude(pk=membership.pk if membership else None)
        .select_related("person")
        .first()
    )
    if holder is not None:
        message = (
            _("The team already has a leader, %(name)s; change their role first.")
            if role == Membership.Role.LEADER
            else _("The team already has a deputy leader, %(name)s; change their role first.")
        )
        raise ValidationError({"role": message % {"name": holder.person.name}})


@transaction.atomic
def membership_update(
    *,
    pairing: Pairing,
    membership: Membership,
    role: str,
    position: str = "",
    is_school_leader: bool = False,
    title_grade: str = Person.TitleGrade.NONE,
    phone: str = "",
    email: str = "",
    joined_on: datetime.date | None = None,
) -> Membership:
    if membership.team.pairing_id != pairing.pk:
        raise ValidationError(_("This member is not on this pairing's team."))
    joined_on = joined_on or membership.joined_on
    if joined_on is not None:  # a member recorded without a date (an old import) keeps none
        joined_on = _joined_on(pairing, joined_on)
    _one_leader(membership.team, role, membership=membership)
    person = membership.person
    person.position, person.is_school_leader, person.title_grade = position, is_school_leader, title_grade
    person.phone, person.email = phone, email
    person.full_clean()
    person.save()
    membership.role, membership.joined_on = role, joined_on
    membership.full_clean()
    membership.save()
    return membership


def _joined_on(pairing: Pairing, day: datetime.date | None) -> datetime.date:
    """The day a member joined the team (today when not given): not in the future, not before the
    pairing began (a team recorded late keeps its real dates; UESTC's cadres took turns)."""
    today = timezone.localdate()
    day = day or today
    if day > today:
        raise ValidationError({"joined_on": _("A member cannot join the team in the future.")})
    if day < pairing.start_date:
        raise ValidationError({"joined_on": _("A member cannot join the team before the pairing began.")})
    return day


@transaction.atomic
def membership_remove(*, pairing: Pairing, membership: Membership) -> None:
    if membership.team.pairing_id != pairing.pk:
        raise ValidationError(_("This member is not on this pairing's team."))
    membership.delete()
