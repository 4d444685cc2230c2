"""Reads of the registry. The only doors through which pages (and later the API) reach pairings:
every lookup asks who is asking, and an object outside the user's scope answers 404."""

from django.db.models import Case, Prefetch, Q, QuerySet, Value, When
from django.http import Http404

from portal.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON, role_of

from .models import Membership, Pairing, PairingReview, School

# Leader first, then deputy, then members.
ROLE_ORDER = Case(
    When(role=Membership.Role.LEADER, then=Value(0)),
    When(role=Membership.Role.DEPUTY, then=Value(1)),
    default=Value(2),
)


def school_of(user) -> School | None:
    profile = getattr(user, "profile", None)
    return profile.school if profile else None


def pairings_visible_to(user) -> QuerySet[Pairing]:
    """Pairings the user may read: all for bureau and commanders, their school's for a liaison,
    their town's for a town liaison, none for anyone else."""
    pairings = Pairing.objects.all()
    role = role_of(user)
    if role in {BUREAU, COMMANDER}:
        return pairings
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if role == LIAISON and profile and profile.school_id:
        return pairings.filter(
            Q(lead_university_id=profile.school_id) | Q(assisting_schools__id=profile.school_id)
        ).distinct()
    if role == TOWN_LIAISON and profile and profile.town_id:
        return pairings.filter(town_id=profile.town_id)
    return pairings.none()


def pairing_list(*, user, filters: dict | None = None) -> QuerySet[Pairing]:
    """The list rows, with everything the list shows fetched in a fixed number of queries."""
    from .filters import PairingFilter

    queryset = (
        pairings_visible_to(user)
        .select_related("programme", "lead_university", "town")
        .prefetch_related("assisting_schools", "villages")
        .order_by("programme__start_date", "number")
    )
    return PairingFilter(filters or {}, queryset=queryset).qs


def pairing_get_for_user(*, user, pk: int) -> Pairing:
    """One pairing with its parties, villages, team, agreement, bases and meetings, or 404."""
    try:
        return (
            pairings_visible_to(user)
            .select_related("programme", "lead_university", "town", "agreement", "team")
            .prefetch_related(
                "assisting_schools",
                "villages__parent",
                "practice_bases__place",
                "meetings",
                "annual_plans",
                Prefetch("reviews", queryset=PairingReview.objects.select_related("reviewer")),
                Prefetch(
                    "team__memberships",
                    queryset=Membership.objects.select_related("person__school").order_by(
                        "role", "person__name"
                    ),
                ),
            )
            .get(pk=pk)
        )
    except Pairing.DoesNotExist:
        raise Http404("No such pairing") from None


def can_edit_pairing(user, pairing: Pairing) -> bool:
    """Bureau staff, and liaisons of a school that is a party to the pairing, keep its records."""
    role = role_of(user)
    if role == BUREAU:
        return True
    if role != LIAISON:
        return False
    school = school_of(user)
    return school is not None and (
        pairing.lead_university_id == school.pk
        or any(s.pk == school.pk for s in pairing.assisting_schools.all())
    )


def pairing_get_for_editor(*, user, pk: int) -> Pairing:
    """The pairing for a page that changes it: 404 to outsiders, 403 to those who may only read it."""
    from django.core.exceptions import PermissionDenied

    pairing = pairing_get_for_user(user=user, pk=pk)
    if not can_edit_pairing(user, pairing):
        raise PermissionDenied("This role reads the pairing but does not change it")
    return pairing


def pairing_get_for_bureau(*, user, pk: int) -> Pairing:
    """For the bureau's own pages (review, adjustment): 404 to outsiders, 403 to other readers."""
    from django.core.exceptions import PermissionDenied

    pairing = pairing_get_for_user(user=user, pk=pk)
    if role_of(user) != BUREAU:
        raise PermissionDenied("Only bureau staff review and adjust pairings")
    return pairing
