"""The compliance engine: each rule of a programme is a small function that, for a pairing and a
year, returns the breaches in words (empty when the pairing complies).

Every number comes from the pairing's programme, never from here. `evaluate_pairings` fetches
what all rules need for any number of pairings in a fixed number of queries, then runs the rules
in memory.
"""

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import (
    JointMeeting,
    Membership,
    Pairing,
    Person,
    PracticeBase,
    Residency,
    School,
    ServiceTeam,
)


@dataclass(frozen=True)
class RuleContext:
    year: int
    as_of: datetime.date  # "today" for rules about deadlines (the agreement)
    # What a rule prepared for the whole batch of pairings at once (rule code -> its data), so a rule
    # that needs other records (reports, say) reads them in one query, not one per pairing.
    prepared: dict = field(default_factory=dict)

    @property
    def year_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def year_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


def _team(pairing: Pairing) -> ServiceTeam | None:
    try:
        return pairing.team
    except ServiceTeam.DoesNotExist:
        return None


def _members(pairing: Pairing) -> list[Membership]:
    team = _team(pairing)
    return team.compliance_members if team else []


def team_size(pairing: Pairing, context: RuleContext) -> list[str]:
    minimum = pairing.programme.min_team_size
    count = len(_members(pairing))
    if count >= minimum:
        return []
    return [
        _("Service team has %(count)s members, fewer than %(minimum)s") % {"count": count, "minimum": minimum}
    ]


def team_leader(pairing: Pairing, context: RuleContext) -> list[str]:
    members = _members(pairing)
    leaders = [m for m in members if m.role == Membership.Role.LEADER]
    if any(m.person.is_school_leader and m.person.school_id == pairing.lead_university_id for m in leaders):
        return []
    if not leaders:
        return [_("The service team has no leader")]
    if any(m.person.is_school_leader for m in leaders):  # e.g. of the university replaced
        return [_("The team leader is a school-level leader, but not of this pairing's university")]
    return [_("The team leader must be a school-level leader of the university")]


def team_deputy(pairing: Pairing, context: RuleContext) -> list[str]:
    members = _members(pairing)
    vocational = {school.pk for school in pairing.compliance_assisting}
    deputies = [m for m in members if m.role == Membership.Role.DEPUTY]
    if any(m.person.is_school_leader and m.person.school_id in vocational for m in deputies):
        return []
    if not deputies:
        return [_("The service team has no deputy leader")]
    if any(m.person.is_school_leader for m in deputies):  # e.g. of the vocational school replaced
        return [_("The deputy leader is a school-level leader, but not of this pairing's vocational school")]
    return [_("The deputy leader must be a school-level leader of the vocational school")]


def member_titles(pairing: Pairing, context: RuleContext) -> list[str]:
    members = _members(pairing)
    breaches = []
    for membership in members:
        person = membership.person
        if membership.role == Membership.Role.MEMBER and person.title_grade not in Person.MID_LEVEL_OR_ABOVE:
            breaches.append(
                _("Member %(name)s holds a %(grade)s title, below intermediate")
                % {
                    "name": person.name,
                    "grade": str(person.get_title_grade_display()).lower(),
                }  # "a junior title"
            )
    return breaches


def residency_days_in_year(residencies: Iterable[Residency], year: int) -> int:
    """Days of the year on which at least one residency ran (overlapping periods count once)."""
    return residency_days_between(residencies, datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def residency_days_between(
    residencies: Iterable[Residency], start_of_year: datetime.date, end_of_year: datetime.date
) -> int:
    """Days from one date to another on which at least one residency ran (overlaps count once)."""
    periods = sorted(
        (max(r.start_date, start_of_year), min(r.end_date, end_of_year))
        for r in residencies
        if r.start_date <= end_of_year and r.end_date >= start_of_year
    )
    total, current_start, current_end = 0, None, None
    for start, end in periods:
        if current_end is None or start > current_end + datetime.timedelta(days=1):
            if current_end is not None:
                total += (current_end - current_start).days + 1
            current_start, current_end = start, end
        else:
            current_end = max(current_end, end)
    if current_end is not None:
        total += (current_end - current_start).days + 1
    return total


def yearly_minimum(
    pairing: Pairing, context: RuleContext, minimum: int, *, prorate: bool = True
) -> tuple[int, bool]:
    """A yearly minimum, in proportion (rounded down) for a year the pairing ran only in part: a
    pairing begun on 29 December owes nothing for those three days; one begun on 1 July owes half.
    Without `prorate`, the whole minimum. Returns the minimum and whether it was prorated."""
    if not prorate:
        return minimum, False
    first = max(pairing.start_date, context.year_start)
    last = min(pairing.end_date or context.year_end, context.year_end)
    year_days = (context.year_end - context.year_start).days + 1
    active = max((last - first).days + 1, 0)
    if active >= year_days:
        return minimum, False
    return minimum * active // year_days, True


def residency_days(pairing: Pairing, context: RuleContext) -> list[str]:
    minimum, prorated = yearly_minimum(pairing, context, pairing.programme.min_residency_days_per_year)
    team = _team(pairing)
    days = residency_days_in_year(team.compliance_residencies, context.year) if team else 0
    if days >= minimum:
        return []
    text = (
        _(
            "%(year)s: %(days)s days of residency in all, fewer than %(minimum)s (for the part of the year paired)"
        )
        if prorated
        else _("%(year)s: %(days)s days of residency in all, fewer than %(minimum)s")
    )
    return [text % {"year": context.year, "days": days, "minimum": minimum}]


def joint_meetings(pairing: Pairing, context: RuleContext) -> list[str]:
    minimum, prorated = yearly_minimum(pairing, context, pairing.programme.min_joint_meetings_per_year)
    count = sum(1 for meeting in pairing.compliance_meetings if meeting.held_on.year == context.year)
    if count >= minimum:
        return []
    text = (
        _("%(year)s: joint meetings held %(count)s, fewer than %(minimum)s (for the part of the year paired)")
        if prorated
        else _("%(year)s: joint meetings held %(count)s, fewer than %(minimum)s")
    )
    return [text % {"year": context.year, "count": count, "minimum": minimum}]


def agreement_signed(pairing: Pairing, context: RuleContext) -> list[str]:
    allowed = pairing.programme.agreement_deadline_days
    try:
        signed_on = pairing.agreement.signed_on
    except Pairing.agreement.RelatedObjectDoesNotExist:
        signed_on = None
    if signed_on is not None:
        days = (signed_on - pairing.start_date).days
        if days <= allowed:
            return []
        return [
            _("Agreement signed %(days)s days after pairing, later than %(allowed)s")
            % {"days": days, "allowed": allowed}
        ]
    days = (context.as_of - pairing.start_date).days
    if days <= allowed:
        return []
    return [_("Tripartite agreement still unsigned %(days)s days after pairing") % {"days": days}]


def practice_base(pairing: Pairing, context: RuleContext) -> list[str]:
    minimum = pairing.programme.practice_bases_per_pairing
    count = len(pairing.compliance_bases)
    if count >= minimum:
        return []
    if count == 0:
        return [_("No practice base built")]
    return [_("%(count)s practice bases, fewer than %(minimum)s") % {"count": count, "minimum": minimum}]


def residents(pairing: Pairing, context: RuleContext) -> list[str]:
    """A resident (常驻, 挂职 or 驻村第一书记) serves each pairing during the year (Yibin, Shiquan, Cengong)."""
    minimum = pairing.programme.min_residents_per_pairing
    present = [
        m
        for m in _members(pairing)
        if m.role == Membership.Role.RESIDENT
        and (m.joined_on is None or m.joined_on <= context.year_end)
        and (m.left_on is None or m.left_on >= context.year_start)
    ]
    if len(present) >= minimum:
        return []
    return [
        _("%(year)s: %(count)s residents served, fewer than %(minimum)s")
        % {"year": context.year, "count": len(present), "minimum": minimum}
    ]


@dataclass(frozen=True)
class Rule:
    code: str
    label: str
    check: Callable[[Pairing, RuleContext], list[str]]
    # Reads what the check needs for all the pairings at once (into context.prepared[code]).
    prepare: Callable[[list[Pairing], RuleContext], object] | None = None
    # The cache versions (core/cache.py) of what the rule reads: a verdict kept in the cache is
    # computed afresh once one of them moves on.
    versions: tuple[str, ...] = ("registry",)


# Every rule the portal knows, by code; a programme applies those named in Programme.rules. Rules
# that read other apps' records (the monthly reports) are registered by those apps (register_rule).
RULES_BY_CODE: dict[str, Rule] = {}


def register_rule(rule: Rule) -> None:
    RULES_BY_CODE[rule.code] = rule


for _rule in (
    Rule("agreement", gettext_lazy("Agreement signed in time"), agreement_signed),
    Rule("team_size", gettext_lazy("Team size"), team_size),
    Rule("leader", gettext_lazy("Team leader"), team_leader),
    Rule("deputy", gettext_lazy("Deputy leader"), team_deputy),
    Rule("titles", gettext_lazy("Members' titles"), member_titles),
    Rule("residency", gettext_lazy("Residency days"), residency_days),
    Rule("meetings", gettext_lazy("Joint meetings"), joint_meetings),
    Rule("practice_base", gettext_lazy("Practice base"), practice_base),
    Rule("resident", gettext_lazy("Resident in post"), residents),
):
    register_rule(_rule)


# A rule about the programme's schools rather than each pairing (listed beside the matrix).
SCHOOL_PAIRED = "school_paired"


def rules_of(programme) -> list[Rule]:
    """The rules a programme applies, in the order it names them (unknown codes are skipped)."""
    return [RULES_BY_CODE[code] for code in programme.rules if code in RULES_BY_CODE]


@dataclass
class PairingCompliance:
    pairing: Pairing
    breaches: dict[str, list[str]] = field(default_factory=dict)  # rule code -> breach texts

    @property
    def is_compliant(self) -> bool:
        return not any(self.breaches.values())

    def cells(self) -> list[tuple[Rule, list[str]]]:
        return [(rule, self.breaches.get(rule.code, [])) for rule in rules_of(self.pairing.programme)]


def pairings_for_compliance(pairings: QuerySet[Pairing], year: int) -> QuerySet[Pairing]:
    """Attach what the rules read, for the given year, with one query per relation. Each relation comes
    as a plain list (`to_attr`, named compliance_*): Django builds no related queryset per pairing for
    a list, which was half the cost of evaluating a page of pairings."""
    year_start, year_end = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    # prefetch_related(None): the list's own relations (its villages, for one) are not what the rules read.
    return (
        pairings.prefetch_related(None)
        .select_related("programme", "lead_university", "town", "agreement", "team")
        .prefetch_related(
            Prefetch("assisting_schools", queryset=School.objects.all(), to_attr="compliance_assisting"),
            Prefetch(
                "team__memberships",
                queryset=Membership.objects.select_related("person"),
                to_attr="compliance_members",
            ),
            Prefetch(
                "team__residencies",
                queryset=Residency.objects.filter(start_date__lte=year_end, end_date__gte=year_start),
                to_attr="compliance_residencies",
            ),
            Prefetch(
                "meetings",
                queryset=JointMeeting.objects.filter(held_on__year=year),
                to_attr="compliance_meetings",
            ),
            Prefetch("practice_bases", queryset=PracticeBase.objects.all(), to_attr="compliance_bases"),
        )
    )


def active_in_year(pairings: QuerySet[Pairing], year: int) -> QuerySet[Pairing]:
    """Pairings that ran during some part of the year (planned pairings are not yet bound by rules)."""
    return (
        pairings.filter(start_date__lte=datetime.date(year, 12, 31))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=datetime.date(year, 1, 1)))
        .exclude(status=Pairing.Status.PLANNED)
    )


def evaluate_pairings(
    pairings: QuerySet[Pairing], *, year: int, as_of: datetime.date | None = None
) -> list[PairingCompliance]:
    if as_of is None:
        as_of = min(timezone.localdate(), datetime.date(year, 12, 31))
    context = RuleContext(year=year, as_of=as_of)
    loaded = list(pairings_for_compliance(active_in_year(pairings, year), year))
    applied = {code for pairing in loaded for code in pairing.programme.rules}
    for code in applied:
        rule = RULES_BY_CODE.get(code)
        if rule is not None and rule.prepare is not None:
            context.prepared[code] = rule.prepare(loaded, context)
    return [
        PairingCompliance(
            pairing=pairing,
            breaches={rule.code: rule.check(pairing, context) for rule in rules_of(pairing.programme)},
        )
        for pairing in loaded
    ]


def breaches_of(pairings: list[Pairing], *, year: int) -> dict[int, dict[str, list[str]]]:
    """The breaches of each of these pairings that ran in the year (pairing id -> rule code -> texts),
    as evaluate_pairings finds them today, for a page of pairings read again and again (the matrix,
    the API): cached for the page, the year, the day and the reader's language, at the versions of
    what the programmes' rules read (the registry; the reports too for a rule about them)."""
    import hashlib

    from django.utils.translation import get_language

    from core.cache import cached_figures

    if not pairings:
        return {}
    ids = sorted(pairing.pk for pairing in pairings)
    codes = {code for pairing in pairings for code in pairing.programme.rules}
    versions = sorted(
        {name for code in codes if code in RULES_BY_CODE for name in RULES_BY_CODE[code].versions}
    )
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()
    return cached_figures(
        f"breaches:{year}:{timezone.localdate()}:{get_language()}:{digest}",
        versions=versions or ["registry"],
        compute=lambda: {
            result.pairing.pk: result.breaches
            for result in evaluate_pairings(Pairing.objects.filter(pk__in=ids), year=year)
        },
    )


def evaluate_pairing(pairing: Pairing, *, year: int, as_of: datetime.date | None = None) -> PairingCompliance:
    found = evaluate_pairings(Pairing.objects.filter(pk=pairing.pk), year=year, as_of=as_of)
    return found[0] if found else PairingCompliance(pairing=pairing)


def schools_without_pairing(programme, *, year: int, limit: int = 200) -> list[tuple[School, str]]:
    """The per-school rule of programmes with villages (原则上每所学校应至少结对签约1个镇(街道)、1个典型村):
    every school of the programme pairs with at least one counterpart and one village that year. Found
    by the database (the schools of the programme less those of an active pairing with a village)."""
    if SCHOOL_PAIRED not in programme.rules:
        return []
    pairings = Pairing.objects.filter(programme=programme)
    through = Pairing.assisting_schools.through.objects
    schools = School.objects.filter(
        Q(pk__in=pairings.values("lead_university_id"))
        | Q(pk__in=through.filter(pairing__programme=programme).values("school_id"))
    )
    paired = active_in_year(pairings, year).filter(villages__isnull=False).order_by().values("pk")
    unpaired = schools.exclude(
        pk__in=Pairing.objects.filter(pk__in=paired).values("lead_university_id")
    ).exclude(pk__in=through.filter(pairing__in=paired).values("school_id"))
    return [
        (school, _("%(school)s is not paired with a town and a village") % {"school": school.name})
        for school in unpaired.order_by("kind", "name")[:limit]
    ]


@dataclass
class ComplianceSummary:
    year: int
    pairings: int
    compliant: int
    breaching: dict[str, int]  # rule code -> pairings breaking it

    rules: list[str] = field(default_factory=list)  # the codes applied, in order
    # The pairings breaking each rule, and some rule ("any"), by id: the matrix lists them alone.
    breaking_ids: dict[str, list[int]] = field(default_factory=dict)

    def by_rule(self) -> list[dict]:
        return [
            {"code": code, "rule": str(RULES_BY_CODE[code].label), "breaching": self.breaching.get(code, 0)}
            for code in self.rules
            if code in RULES_BY_CODE
        ]


ANY_RULE = "any"  # ComplianceSummary.breaking_ids: the pairings breaking some rule
SUMMARY_CHUNK = 1000  # pairings evaluated at a time: memory stays flat at province scale


def compliance_summary(pairings: QuerySet[Pairing], *, year: int) -> ComplianceSummary:
    """How many pairings keep every rule, and how many break each, over all of `pairings` (evaluated a
    chunk at a time; callers cache it, see core/cache.py)."""
    ids = list(active_in_year(pairings, year).order_by("pk").values_list("pk", flat=True))
    codes = list(
        dict.fromkeys(
            code for rules in pairings.values_list("programme__rules", flat=True).distinct() for code in rules
        )
    )
    summary = ComplianceSummary(year=year, pairings=len(ids), compliant=0, breaching={}, rules=codes)
    for start in range(0, len(ids), SUMMARY_CHUNK):
        chunk = Pairing.objects.filter(pk__in=ids[start : start + SUMMARY_CHUNK])
        for result in evaluate_pairings(chunk, year=year):
            summary.compliant += result.is_compliant
            if not result.is_compliant:
                summary.breaking_ids.setdefault(ANY_RULE, []).append(result.pairing.pk)
            for code, breaches in result.breaches.items():
                if breaches:
                    summary.breaching[code] = summary.breaching.get(code, 0) + 1
                    summary.breaking_ids.setdefault(code, []).append(result.pairing.pk)
    return summary
