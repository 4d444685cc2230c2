"""Reads of the registry. The only doors through which pages, the API and exports reach pairings:
every lookup asks who is asking (the policy's scope), and an object outside it answers 404."""

import datetime

from django.db.models import Case, Max, Prefetch, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone

from core.ids import id_or_none
from core.months import Month
from core.policy import can, require, scope_of

from .models import (
    Agreement,
    Area,
    Membership,
    Pairing,
    PairingReview,
    PracticeBase,
    Programme,
    School,
    SchoolReplacement,
    ServiceTeam,
)

# Leader first, then deputy, then members.
ROLE_ORDER = Case(
    When(role=Membership.Role.LEADER, then=Value(0)),
    When(role=Membership.Role.DEPUTY, then=Value(1)),
    default=Value(2),
)


def pairings_visible_to(user) -> QuerySet[Pairing]:
    """Pairings the user may read, by the policy's scope: all for bureau and commanders, their school's
    for a liaison, their town's for a town liaison, none for anyone else."""
    scope = scope_of(user)
    pairings = Pairing.objects.all()
    if scope.everything:
        return pairings
    if scope.school_id:
        assisted = Pairing.assisting_schools.through.objects.filter(school_id=scope.school_id)
        return pairings.filter(
            Q(lead_university_id=scope.school_id) | Q(pk__in=assisted.values("pairing_id"))
        )
    if scope.town_id:
        return pairings.filter(counterpart_within(scope.town_id, user=user))
    return pairings.none()


def pairings_reported_by(user) -> QuerySet[Pairing]:
    """The pairings whose monthly reports the user may be asked for and send: those they see, and for
    a liaison also those their school was replaced in, which still owe the months before the
    replacement (reporting.expectations counts them). Those stay out of `pairings_visible_to`: the
    pairing's workspace (its team, its people's phone numbers) is the new school's, not theirs."""
    scope = scope_of(user)
    if not scope.school_id:
        return pairings_visible_to(user)
    left = SchoolReplacement.objects.filter(old_school_id=scope.school_id)
    return Pairing.objects.filter(
        Q(pk__in=pairings_visible_to(user).values("pk")) | Q(pk__in=left.values("pairing_id"))
    )


def _pairings_or_programme_wide(user) -> Q:
    """Rows of the pairings the user sees, and rows of no pairing (the programme's own) for those who
    may read them (`programme.teams`): one rule for teams and bases."""
    visible = Q(pairing__in=pairings_visible_to(user))
    return visible | Q(pairing__isnull=True) if can(user, "programme.teams") else visible


def teams_visible_to(user) -> QuerySet[ServiceTeam]:
    """Service teams the user may read: those of the pairings they see, and the programme's own teams
    (Yibin's doctoral experts) for those who read everything."""
    return ServiceTeam.objects.filter(_pairings_or_programme_wide(user))


def bases_visible_to(user) -> QuerySet[PracticeBase]:
    """Practice bases the user may read: a pairing's with the pairing, the programme's own (Ruicheng's
    internship bases) for those who read everything."""
    return PracticeBase.objects.filter(_pairings_or_programme_wide(user))


def area_ids_within(area_id: int) -> QuerySet:
    """The ids of the area and of every area below it, level by level: each level is the areas whose
    parent is in the level above, read through the parent index, and the levels are united (a UNION
    ALL, each part an index lookup; an OR of the levels made the database scan every area). Areas
    stand at most four levels below a province (Area.LEVEL), so four steps reach every one."""
    level = Area.objects.filter(pk=area_id).order_by().values("pk")
    parts = [level.values_list("pk", flat=True)]
    for _step in range(max(Area.LEVEL.values())):
        level = Area.objects.filter(parent_id__in=level).order_by().values("pk")
        parts.append(level.values_list("pk", flat=True))
    return parts[0].union(*parts[1:], all=True)


def areas_within(area_id: int) -> QuerySet[Area]:
    """The area and every area below it (area_ids_within)."""
    return Area.objects.filter(pk__in=area_ids_within(area_id))


def counterpart_within(area_id: int, prefix: str = "", *, user=None) -> Q:
    """Pairings whose counterpart is the area or lies below it, as a filter (`prefix` reaches the
    pairing from another model, e.g. "pairing__"): a county's liaison reads its towns' pairings.
    The areas' ids are read first (a few index lookups) and passed as values: the database then
    knows it is after a town's handful of pairings and reads them by index, where a subquery or
    a join through the parents left it expecting most of the province's. Given the user asking,
    the ids are read once and kept on the user object, which lives for one request."""
    memo = getattr(user, "_areas_within", None)
    if memo is None or memo[0] != area_id:
        memo = (area_id, list(area_ids_within(area_id)))
        if user is not None:
            user._areas_within = memo
    return Q(**{f"{prefix}town_id__in": memo[1]})


def pairing_party_of(pairings: QuerySet[Pairing], school) -> QuerySet[Pairing]:
    """The pairings among `pairings` that `school` is a party of, as lead or assisting school."""
    assisted = Pairing.assisting_schools.through.objects.filter(school=school).values("pairing_id")
    return pairings.filter(Q(lead_university=school) | Q(pk__in=assisted))


def pairing_list(*, user, filters: dict | None = None) -> QuerySet[Pairing]:
    """The list rows, with everything the list shows fetched in a fixed number of queries."""
    from .filters import PairingFilter

    queryset = (
        pairings_visible_to(user)
        .select_related("programme", "lead_university", "town", "lead_unit")
        # Plain lists (to_attr): Django builds no related manager and queryset for each row of a
        # prefetched relation, which cost about 4 ms of a page of 50 pairings.
        .prefetch_related(
            Prefetch("assisting_schools", to_attr="assisting_list"),
            Prefetch("villages", to_attr="village_list"),
        )
        # By the programme's id, not a column of the joined programme: one programme's page is then
        # read along the (programme, number) index instead of sorting every pairing.
        .order_by("programme_id", "number")
    )
    return PairingFilter(filters or {}, queryset=queryset).qs


def pairing_get_for_user(*, user, pk: int, whole: bool = True) -> Pairing:
    """One pairing with its parties, villages, team, agreement, bases and meetings, or 404. Without
    `whole`, only the pairing with its programme, parties and town (one query): the pages that change
    it or serve one of its files read the rest, if at all, themselves (on a form's page the eleven
    prefetches cost more than the page)."""
    pairings = pairings_visible_to(user).select_related("programme", "lead_university", "town", "lead_unit")
    try:
        if not whole:
            return pairings.get(pk=pk)
        return (
            pairings.select_related("agreement", "team")
            .prefetch_related(
                "assisting_schools",
                "villages__parent",
                "practice_bases__place",
                "meetings",
                "annual_plans",
                Prefetch(
                    "replacements",
                    queryset=SchoolReplacement.objects.select_related("old_school", "new_school").order_by(
                        "from_month", "pk"
                    ),
                ),
                Prefetch("reviews", queryset=PairingReview.objects.select_related("reviewer")),
                Prefetch(
                    "team__memberships",
                    # Leader, deputy, then the others in the order they joined (UESTC's residents
                    # took turns), then by name.
                    queryset=Membership.objects.select_related("person__school").order_by(
                        ROLE_ORDER, "joined_on", "person__name"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except (Pairing.DoesNotExist, ValueError, TypeError):
        raise Http404("No such pairing") from None


def pairing_get_for(*, user, pk, permission: str) -> Pairing:
    """The pairing for a page that acts on it: 404 to those who cannot see it, 403 to those who may
    only read it."""
    pairing = pairing_get_for_user(user=user, pk=pk, whole=False)
    require(user, permission, pairing)
    return pairing


def reports_of(programme: Programme) -> QuerySet:
    """The programme's monthly reports (reporting.models.MonthlyReport, reached through the pairings'
    relation: the registry does not import the reporting app)."""
    return Pairing.reports.field.model.objects.filter(pairing__programme=programme)


def latest_month_on_record(
    programme: Programme, *, pairing: Pairing | None = None, until: datetime.date | None = None
) -> Month | None:
    """The latest month of the programme (or of one of its pairings) that is due already (up to
    `until`, its end) or has a report on record; None before its first report month. An end moved
    before it, or a change of the rules that decide it, would rewrite months already reported."""
    due = programme.last_due_month()
    if until is not None:
        due = min(due, Month.of(until))
    reports = pairing.reports.all() if pairing is not None else reports_of(programme)
    last_report = reports.aggregate(last=Max("month"))["last"]
    months = [due] if due.first_day >= programme.first_report_month else []
    if last_report is not None:
        months.append(Month.of(last_report))
    return max(months, default=None)


def programmes_visible_to(user) -> QuerySet[Programme]:
    """Programmes a user may pick: those of the pairings they may see (all for the bureau and commanders)."""
    if scope_of(user).everything:
        return Programme.objects.order_by("code")
    return Programme.objects.filter(pk__in=pairings_visible_to(user).values("programme_id")).order_by("code")


def programme_from(user, value) -> Programme | None:
    """The programme a request names by id (?programme=3), if the user may pick it; None for an
    empty, malformed or unknown value, so a typed URL gives a message rather than an error."""
    pk = id_or_none(value)
    return None if pk is None else programmes_visible_to(user).filter(pk=pk).first()


def programme_chosen(user, value) -> tuple[Programme | None, QuerySet[Programme]]:
    """The programme a page shows and the ones it may pick from: the one named (?programme=), or by
    default the programme running today that started last (else the one that started last), so
    a bureau with finished programmes on file opens on its current one. None when the named one
    is not the user's (the page says so) or they have none."""
    programmes = programmes_visible_to(user)
    if value:
        return programme_from(user, value), programmes
    today = timezone.localdate()
    current = programmes.annotate(
        running=Case(When(Q(end_date__isnull=True) | Q(end_date__gte=today), then=Value(1)), default=Value(0))
    ).order_by("-running", "-start_date", "code")
    return current.first(), programmes


# The session's note of the programme last picked (programme_chosen_for).
CHOSEN_PROGRAMME = "chosen_programme"


def programme_chosen_for(request) -> tuple[Programme | None, QuerySet[Programme]]:
    """`programme_chosen` for a page, remembering the pick: a page named with ?programme= notes it in
    the session, and a page opened without it (the menu's links) shows that programme while it is
    still the user's, so someone working on Yibin stays on Yibin from page to page."""
    value = request.GET.get("programme")
    if value:
        programme, programmes = programme_chosen(request.user, value)
        if programme is not None and request.session.get(CHOSEN_PROGRAMME) != programme.pk:
            request.session[CHOSEN_PROGRAMME] = programme.pk
        return programme, programmes
    remembered = programme_from(request.user, request.session.get(CHOSEN_PROGRAMME))
    if remembered is not None:
        return remembered, programmes_visible_to(request.user)
    return programme_chosen(request.user, None)


SUGGESTIONS = 20


def town_suggestions(*, user, text: str, programme: Programme | None = None) -> list[dict]:
    """Towns of the pairings the user may see (of the programme, if given) whose name contains `text`
    (at most SUGGESTIONS)."""
    visible = pairings_visible_to(user)
    if programme is not None:
        visible = visible.filter(programme=programme)
    towns = Area.objects.filter(pk__in=visible.values("town_id"), name__icontains=text.strip())
    return [
        {"id": pk, "text": name, "detail": parent or ""}
        for pk, name, parent in towns.order_by("name", "pk").values_list("pk", "name", "parent__name")[
            :SUGGESTIONS
        ]
    ]


def school_suggestions(*, user, text: str, programme: Programme | None = None) -> list[dict]:
    """Schools of the pairings the user may see (of the programme, if given) whose name or short name
    contains `text`."""
    visible = pairings_visible_to(user)
    if programme is not None:
        visible = visible.filter(programme=programme)
    schools = schools_of(visible).filter(
        Q(name__icontains=text.strip()) | Q(short_name__icontains=text.strip())
    )
    return [
        {"id": pk, "text": name, "detail": str(School.Kind(kind).label)}
        for pk, name, kind in schools.order_by("name").values_list("pk", "name", "kind")[:SUGGESTIONS]
    ]


def village_suggestions(*, user, text: str, programme: Programme | None = None) -> list[dict]:
    """Villages and communities whose name contains `text`, named with their town; none without a
    programme. Those of the programme's area (programme_villages) for whoever keeps the registry
    (the bureau adds a village to a pairing from there); for everyone else, those of the pairings
    they may see."""
    if programme is None:
        return []
    villages = programme_villages(programme).filter(name__icontains=text.strip())
    if not can(user, "registry.import"):
        villages = villages.filter(
            village_pairings__in=pairings_visible_to(user).filter(programme=programme).values("pk")
        ).distinct()
    return [
        {"id": pk, "text": name, "detail": town or ""}
        for pk, name, town in villages.order_by("name", "pk").values_list("pk", "name", "parent__name")[
            :SUGGESTIONS
        ]
    ]


def schools_of(pairings: QuerySet[Pairing]) -> QuerySet[School]:
    """The schools that lead or assist any of the pairings."""
    assisting = Pairing.assisting_schools.through.objects.filter(pairing__in=pairings.values("pk"))
    return School.objects.filter(
        Q(pk__in=pairings.values("lead_university_id")) | Q(pk__in=assisting.values("school_id"))
    )


def programme_schools(programme: Programme) -> QuerySet[School]:
    """The schools that take part in a programme (lead or assist one of its pairings): those a school
    of its pairings may be replaced by. A school joins a programme through the registry import."""
    return schools_of(Pairing.objects.filter(programme=programme))


def programme_villages(programme: Programme) -> QuerySet[Area]:
    """The villages and communities a programme's pairings may take: those within its area (all, for
    a programme with no area)."""
    villages = Area.objects.filter(kind__in=Area.VILLAGE_KINDS)
    if programme.root_area_id:
        villages = villages.filter(pk__in=areas_within(programme.root_area_id).values("pk"))
    return villages


# Up to this many pairings the compliance counts are computed inside the request; above it a worker
# computes them and the page shows the latest counts meanwhile (core/cache.py latest_figures).
INLINE_COMPLIANCE_PAIRINGS = 2000


def unpaired_schools(*, user, programme: Programme, year: int) -> list:
    """The schools that break the per-school rule (compliance.schools_without_pairing), for a user who
    sees the whole registry (others get none): cached at the registry's version, in the active language."""
    from django.utils.translation import get_language

    from core.cache import cached_figures

    from .compliance import SCHOOL_PAIRED, schools_without_pairing

    if SCHOOL_PAIRED not in programme.rules or not scope_of(user).everything:
        return []
    return cached_figures(
        f"unpaired:{programme.pk}:{year}:{get_language()}",
        versions=["registry"],
        compute=lambda: schools_without_pairing(programme, year=year),
    )


def compliance_overview(*, user, programme: Programme, year: int, filters=None):
    """How many of the user's (filtered) pairings of a programme keep every rule, and break each: a
    core.cache.Latest whose `value` is a pairing.compliance.ComplianceSummary, or None while a worker
    counts them for the first time."""
    from urllib.parse import urlencode

    from django.utils import timezone

    from core.cache import latest_figures

    from .compliance import compliance_summary

    wanted = sorted((name, value) for name, value in (filters or {}).items() if value)
    pairings = pairing_list(user=user, filters=dict(wanted)).filter(programme=programme)
    filters_text = urlencode(wanted)
    key = f"compliance:{programme.pk}:{year}:{scope_of(user).key}:{filters_text}:{timezone.localdate()}"
    return latest_figures(
        key,
        versions=["registry"],
        compute=lambda: compliance_summary(pairings, year=year),
        inline=pairings.count() <= INLINE_COMPLIANCE_PAIRINGS,
        refresh=("pairing.refresh_compliance", key, user.pk, programme.pk, year, filters_text),
    )


def review_subject_changed_since(pairing: Pairing, subject: str, moment) -> bool:
    """Whether the pairing's team (the team or its members) or agreement, as `subject` names them
    (PairingReview.Subject), was changed after `moment`, read from their history: one or two queries."""
    if subject == PairingReview.Subject.AGREEMENT:
        return Agreement.history.filter(pairing_id=pairing.pk, history_date__gt=moment).exists()
    try:
        team = pairing.team.pk  # selected with the pairing on its page
    except ServiceTeam.DoesNotExist:
        return False
    return (
        ServiceTeam.history.filter(id=team, history_date__gt=moment).exists()
        or Membership.history.filter(team_id=team, history_date__gt=moment).exists()
    )
