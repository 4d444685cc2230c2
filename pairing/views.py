"""Pages of the registry: the pairing list (bureau, commanders, town liaisons) and a pairing's detail."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.roles import BUREAU, COMMANDER, TOWN_LIAISON, role_of

from .compliance import RULES, evaluate_pairing, evaluate_pairings, residency_days_in_year
from .filters import PairingFilter
from .forms import MembershipForm, ResidencyForm
from .models import ServiceTeam
from .selectors import (
    can_edit_pairing,
    pairing_get_for_editor,
    pairing_get_for_user,
    pairing_list,
    pairings_visible_to,
)
from .services import membership_add, residency_record

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
        request,
        "pairing/pairing_detail.html",
        {
            "pairing": pairing,
            "compliance": compliance,
            "year": year,
            "can_edit": can_edit_pairing(request.user, pairing),
        },
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


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)


@login_required
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get_for_editor(user=request.user, pk=pk)
    form = MembershipForm(request.POST or None, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(pairing=pairing, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(
                request, _("%(name)s joined the service team.") % {"name": membership.person.name}
            )
            return redirect("pairing:detail", pk=pairing.pk)
    return render(request, "pairing/membership_form.html", {"pairing": pairing, "form": form})


@login_required
def residency_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get_for_editor(user=request.user, pk=pk)
    form = ResidencyForm(request.POST or None, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            residency = residency_record(pairing=pairing, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("Residency of %(days)s days recorded.") % {"days": residency.days})
            return redirect("pairing:detail", pk=pairing.pk)
    year = timezone.localdate().year
    team = ServiceTeam.objects.filter(pairing=pairing).first()
    days_this_year = residency_days_in_year(team.residencies.all(), year) if team else 0
    return render(
        request,
        "pairing/residency_form.html",
        {"pairing": pairing, "form": form, "year": year, "days_this_year": days_this_year,
         "minimum": pairing.programme.min_residency_days_per_year},
    )  # fmt: skip
