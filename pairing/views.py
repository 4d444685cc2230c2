"""Pages of the registry: the pairing list (bureau, commanders, town liaisons) and a pairing's detail."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from portal.roles import BUREAU, COMMANDER, TOWN_LIAISON, role_of

from .compliance import RULES, evaluate_pairing, evaluate_pairings
from .filters import PairingFilter
from .selectors import pairing_get_for_user, pairing_list, pairings_visible_to

LIST_ROLES = {BUREAU, COMMANDER, TOWN_LIAISON}
PAGE_SIZE = 50


@login_required
def pairing_list_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in LIST_ROLES:
        raise Http404("The pairing list is not available to this role")
    filterset = PairingFilter(request.GET or None, queryset=pairings_visible_to(request.user))
    page = Paginator(pairing_list(user=request.user, filters=request.GET), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pairing/pairing_list.html",
        {"filter": filterset, "page": page, "pairings": page.object_list, "query": query.urlencode()},
    )


@login_required
def pairing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get_for_user(user=request.user, pk=pk)
    year = requested_year(request)
    compliance = evaluate_pairing(pairing, year=year)
    return render(
        request, "pairing/pairing_detail.html", {"pairing": pairing, "compliance": compliance, "year": year}
    )


MATRIX_ROLES = {BUREAU, COMMANDER, TOWN_LIAISON}


def requested_year(request: HttpRequest) -> int:
    """The year asked for in ?year=, or this year; a value that is not a plausible year falls back."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year", this_year))
    except ValueError:
        return this_year
    return year if 2000 <= year <= this_year + 1 else this_year


@login_required
def compliance_matrix_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in MATRIX_ROLES:
        raise Http404("The compliance matrix is not available to this role")
    year = requested_year(request)
    filters = request.GET.copy()
    filters.pop("year", None)
    filterset = PairingFilter(filters or None, queryset=pairings_visible_to(request.user))
    results = evaluate_pairings(pairing_list(user=request.user, filters=filters), year=year)
    this_year = timezone.localdate().year
    first_year = min((r.pairing.programme.start_date.year for r in results), default=this_year - 2)
    return render(
        request,
        "pairing/compliance_matrix.html",
        {
            "filter": filterset,
            "results": sorted(results, key=lambda r: (r.pairing.programme_id, r.pairing.number)),
            "rules": RULES,
            "year": year,
            "years": list(range(min(first_year, this_year - 2), this_year + 1)),
            "compliant_count": sum(1 for r in results if r.is_compliant),
        },
    )
