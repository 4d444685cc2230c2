"""Pages of the registry: the pairing list (bureau, commanders, town liaisons) and a pairing's detail."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from portal.roles import BUREAU, COMMANDER, TOWN_LIAISON, role_of

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
    return render(request, "pairing/pairing_detail.html", {"pairing": pairing})
