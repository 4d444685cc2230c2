"""Pages of the registry: the pairing list (bureau, commanders, town liaisons) and a pairing's detail."""

import datetime
import uuid
from collections.abc import Callable
from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.excel import WorkbookRejected
from core.ids import plain_digits
from core.paging import requested_page
from core.policy import can, require

from .compliance import (
    ANY_RULE,
    SCHOOL_PAIRED,
    PairingCompliance,
    RuleContext,
    breaches_of,
    residency_days_in_year,
    rules_of,
    yearly_minimum,
)
from .filters import PairingFilter
from .forms import (
    AdjustmentForm,
    AgreementForm,
    AnnualPlanForm,
    MeetingForm,
    MembershipEditForm,
    MembershipForm,
    PracticeBaseForm,
    ResidencyForm,
    ReviewForm,
)
from .imports import (
    apply_rows,
    assess,
    columns_for,
    read_rows,
    rows_as_data,
    rows_from_data,
    template_workbook,
)
from .models import Agreement, JointMeeting, Membership, Pairing, Programme, Residency, ServiceTeam
from .selectors import (
    ROLE_ORDER,
    bases_visible_to,
    compliance_overview,
    pairing_get_for,
    pairing_get_for_user,
    pairing_list,
    pairings_visible_to,
    programme_chosen_for,
    programme_from,
    review_subject_changed_since,
    school_suggestions,
    teams_visible_to,
    town_suggestions,
    unpaired_schools,
    village_suggestions,
)
from .services import (
    agreement_save,
    annual_plan_save,
    meeting_record,
    membership_add,
    membership_remove,
    membership_update,
    pairing_change_village,
    pairing_end,
    pairing_replace_school,
    pairing_review,
    practice_base_save,
    record_delete,
    residency_record,
)

PAGE_SIZE = 50


def pairing_get_for_editor(*, user, pk) -> Pairing:
    return pairing_get_for(user=user, pk=pk, permission="pairing.change")


def pairing_get_for_reviewer(*, user, pk) -> Pairing:
    return pairing_get_for(user=user, pk=pk, permission="pairing.review")


def pairing_get_for_adjuster(*, user, pk) -> Pairing:
    return pairing_get_for(user=user, pk=pk, permission="pairing.adjust")


@login_required
def pairing_list_view(request: HttpRequest) -> HttpResponse:
    """One programme's pairings (the picker chooses; the current one by default), filtered and paged;
    the columns follow the programme's shape: its name for the counterpart, and villages or
    assisting schools only where its pairings have them."""
    require(request.user, "pairing.list", hide=True)
    programme, programmes = chosen_programme(request)
    if programme is None and request.GET.get("programme"):
        raise Http404("No such programme")
    filters = request.GET.copy()
    for name in ("page", "programme"):
        filters.pop(name, None)
    visible = pairings_visible_to(request.user).filter(programme=programme)
    filterset = PairingFilter(filters or None, queryset=visible)
    pairings = pairing_list(user=request.user, filters=filters).filter(programme=programme)
    page, page_problem = requested_page(request, Paginator(pairings, PAGE_SIZE))
    if page_problem:
        messages.error(request, page_problem)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "pairing/pairing_list.html",
        {
            "programme": programme,
            "programmes": programmes,
            "keep": [],
            "filter": filterset,
            "page": page,
            "pairings": page.object_list,
            "query": query.urlencode(),
            "has_villages": any(p.village_list for p in page.object_list),
            "has_assisting": programme is not None and bool(programme.assisting_school_kinds),
            "has_own_teams": programme is not None and has_own_teams_or_bases(request.user, programme),
        },
        status=400 if filterset.problems or page_problem else 200,
    )


def has_own_teams_or_bases(user, programme: Programme) -> bool:
    """Whether the programme has teams or bases of its own that the user may read (the pairing list
    then links to them)."""
    if not can(user, "programme.teams"):
        return False
    return (
        teams_visible_to(user).filter(programme=programme, pairing__isnull=True).exists()
        or bases_visible_to(user).filter(programme=programme, pairing__isnull=True).exists()
    )


@login_required
def programme_teams_view(request: HttpRequest) -> HttpResponse:
    """The programme's own teams and bases, of no one pairing (Yibin's 306 doctoral experts, Ruicheng's
    internship and innovation bases): each team's members paged, leader first, then the bases."""
    require(request.user, "programme.teams", hide=True)
    programme, programmes = chosen_programme(request)
    if programme is None and request.GET.get("programme"):
        raise Http404("No such programme")
    teams = list(
        teams_visible_to(request.user).filter(programme=programme, pairing__isnull=True).order_by("pk")
    )
    members = (
        Membership.objects.filter(team__in=teams)
        .select_related("person__school", "team")
        .order_by("team_id", ROLE_ORDER, "person__name", "pk")
    )
    page, page_problem = requested_page(request, Paginator(members, PAGE_SIZE))
    page_problem = page_problem if teams else None  # only the members are paged: no team, no pages
    if page_problem:
        messages.error(request, page_problem)
    bases = bases_visible_to(request.user).filter(programme=programme, pairing__isnull=True)
    return render(
        request,
        "pairing/programme_teams.html",
        {
            "programme": programme,
            "programmes": programmes,
            "keep": [],
            "teams": teams,
            "page": page,
            "query": f"programme={programme.pk}" if programme else "",
            "bases": list(bases.select_related("place").order_by("kind", "name")),
        },
        status=400 if page_problem else 200,
    )


@login_required
def choices_view(request: HttpRequest, kind: str) -> JsonResponse:
    """Search-as-you-type for the filters: towns or schools of the pairings the user may see."""
    require(request.user, "pairing.list", hide=True)
    text = request.GET.get("q", "")[:50]
    programme = None
    if request.GET.get("programme"):
        programme = programme_from(request.user, request.GET["programme"])
        if programme is None:
            return JsonResponse({"results": []})  # not a programme of theirs: nothing to suggest
    suggest = {"towns": town_suggestions, "schools": school_suggestions, "villages": village_suggestions}[
        kind
    ]
    return JsonResponse({"results": suggest(user=request.user, text=text, programme=programme)})


def status_changes(pairing: Pairing, shown: int = 10) -> list:
    """The pairing's status over time, newest first: a record where its status changed or a reason
    was given (a save that changed other fields repeated the same status and said nothing here; the
    full history lists every record of the pairing and its workspace). One action writes a record
    per part it changes (the pairing, its schools, its villages), each with the action's reason:
    said once."""
    records = list(
        pairing.history.select_related("history_user").order_by("-history_date", "-history_id")[:50]
    )

    def same_action(record, older) -> bool:
        return (record.status, record.history_change_reason, record.history_user_id) == (
            older.status,
            older.history_change_reason,
            older.history_user_id,
        ) and abs(record.history_date - older.history_date) < datetime.timedelta(seconds=2)

    changes = [
        record
        for record, older in zip(records, [*records[1:], None], strict=True)
        if older is None
        or record.status != older.status
        or (record.history_change_reason and not same_action(record, older))
    ]
    return changes[:shown]


@login_required
def pairing_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get_for_user(user=request.user, pk=pk)
    year, year_understood = requested_year(request, pairing.programme)
    compliance = PairingCompliance(
        pairing=pairing, breaches=breaches_of([pairing], year=year).get(pairing.pk, {})
    )
    residencies = list(
        Residency.objects.filter(
            team__pairing=pairing, start_date__lte=date(year, 12, 31), end_date__gte=date(year, 1, 1)
        )
        .select_related("place")
        .prefetch_related("people")
        .order_by("start_date")
    )
    rules_applied = {rule.code for rule in rules_of(pairing.programme)}
    # A section about a rule shows where the programme applies the rule, or where the pairing has
    # records of its kind anyway (a programme's practice bases, say, without a rule about them).
    sections = {
        "agreement": "agreement" in rules_applied or hasattr(pairing, "agreement"),
        "bases": "practice_base" in rules_applied or bool(pairing.practice_bases.all()),
        "residency": "residency" in rules_applied or bool(residencies),
        "meetings": "meetings" in rules_applied or bool(pairing.meetings.all() or pairing.annual_plans.all()),
    }
    return render(
        request,
        "pairing/pairing_detail.html",
        {
            "pairing": pairing,
            "compliance": compliance,
            "rules_applied": rules_applied,
            "sections": sections,
            # When members took turns (UESTC's cadres, one after another), the roster says when.
            "member_dates": any(
                m.joined_on or m.left_on
                for m in (pairing.team.memberships.all() if hasattr(pairing, "team") else [])
            ),
            # A member still on the team when the pairing ended served until its end.
            "pairing_ended_on": (pairing.end_date or pairing.programme.end_date)
            if pairing.has_ended
            else None,
            "year": year,
            "can_edit": can(request.user, "pairing.change", pairing),
            "can_review": can(request.user, "pairing.review", pairing),
            "can_adjust": can(request.user, "pairing.adjust", pairing),
            "latest_reviews": latest_reviews(pairing),
            "residencies": residencies,
            "residency_days": residency_days_in_year(residencies, year),
            # The year's minimum as the compliance rule reckons it (in proportion for a part year).
            "residency_minimum": yearly_minimum(
                pairing,
                RuleContext(year=year, as_of=timezone.localdate()),
                pairing.programme.min_residency_days_per_year,
            )[0],
            "history": status_changes(pairing),
        },
        status=200 if year_understood else 400,
    )


def latest_reviews(pairing) -> list:
    """The newest decision on each subject (team, agreement), from the prefetched reviews; a returned
    one says whether its subject changed since (`changed_since`): corrected, waiting to be reviewed
    again, rather than still as it was returned."""
    latest = {}
    for review in pairing.reviews.all():  # newest first
        latest.setdefault(review.subject, review)
    for review in latest.values():
        review.changed_since = review.decision == review.Decision.RETURNED and review_subject_changed_since(
            pairing, review.subject, review.decided_at
        )
    return list(latest.values())


def requested_year(request: HttpRequest, programme: Programme) -> tuple[int, bool]:
    """The year asked for in ?year=, if it is one of the programme's years (from its first report month
    to its last month); otherwise, and by default, the year of its last month. The flag is False when
    a year was asked for that is not one of them: the page then says so (a message) and answers 400."""
    text = request.GET.get("year", "").strip()
    years = programme.report_years()
    year = int(text) if plain_digits(text) and len(text) <= 4 else None
    if year in years:
        return year, True
    if text:
        messages.error(
            request,
            _("%(year)s is not a year of this programme: it runs %(first)s–%(last)s.")
            % {"year": text[:20], "first": years[0], "last": years[-1]},
        )
    return programme.last_month().year, not text


def chosen_programme(request: HttpRequest):
    """The programme a page shows and those it may pick from (`programme_chosen`); None when the id is not one of
    theirs (the page says so) or they have none."""
    return programme_chosen_for(request)


def breaking_count(summary, code: str) -> int:
    """How many pairings break the rule (or any rule) in a compliance summary."""
    if code == ANY_RULE:
        return summary.pairings - summary.compliant
    return summary.breaching.get(code, 0)


@login_required
def compliance_matrix_view(request: HttpRequest) -> HttpResponse:
    """One programme's pairings, a page at a time, with each of its rules' verdict; the counts over all
    the filtered pairings come from a cached summary (recomputed when the registry changes), and the
    schools that break the per-school rule are listed beside them."""
    require(request.user, "pairing.list", hide=True)
    programme, programmes = chosen_programme(request)
    if programme is None:
        raise Http404("No such programme")
    year, year_understood = requested_year(request, programme)
    filters = request.GET.copy()
    for name in ("year", "page", "programme", "breaking"):
        filters.pop(name, None)
    visible = pairings_visible_to(request.user).filter(programme=programme)
    filterset = PairingFilter(filters or None, queryset=visible)
    rules = rules_of(programme)
    context = {
        "programme": programme,
        "programmes": programmes,
        "keep": [(name, value) for name, value in request.GET.items() if name in ("year",)],
        "filter": filterset,
        "rules": rules,
        "year": year,
        "years": programme.report_years(),
    }
    if not rules and SCHOOL_PAIRED not in programme.rules:
        # Nothing to check: say so rather than show a matrix of pairings with no columns.
        context["applies_no_rules"] = True
        return render(
            request,
            "pairing/compliance_matrix.html",
            context,
            status=400 if filterset.problems or not year_understood else 200,
        )
    pairings = pairing_list(user=request.user, filters=filters).filter(programme=programme)
    summary = compliance_overview(user=request.user, programme=programme, year=year, filters=filters)
    # Only the pairings breaking a rule (or any): their ids come with the counts, which the database
    # cannot filter by (each verdict is worked out in Python from the pairing's records).
    breaking = request.GET.get("breaking", "")
    breaking_choices = [(ANY_RULE, _("Any rule")), *((rule.code, rule.label) for rule in rules)]
    breaking_problem, breaking_unknown = "", bool(breaking) and breaking not in dict(breaking_choices)
    if breaking_unknown:
        breaking_problem, breaking = _("There is no such rule to filter by."), ""
    breaking_ids = getattr(summary.value, "breaking_ids", None) if summary else None
    if breaking and breaking_ids is None:
        breaking_problem = _("The pairings are being counted: every pairing is listed until they are.")
    elif breaking:
        pairings = pairings.filter(pk__in=breaking_ids.get(breaking, []))
    if breaking_problem:
        messages.warning(request, breaking_problem)
    page, page_problem = requested_page(request, Paginator(pairings, PAGE_SIZE))
    if page_problem:
        messages.error(request, page_problem)
    breaches = breaches_of(list(page.object_list), year=year)
    results = [
        PairingCompliance(pairing=pairing, breaches=breaches[pairing.pk])
        for pairing in page.object_list
        if pairing.pk in breaches  # not a pairing that ran in the year
    ]
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "results": sorted(results, key=lambda r: r.pairing.number),
            "summary": summary,
            "breaking": breaking,
            "breaking_choices": [
                (code, label, breaking_count(summary.value, code) if summary else None)
                for code, label in breaking_choices
            ],
            "unpaired": unpaired_schools(user=request.user, programme=programme, year=year),
            "page": page,
            "query": query.urlencode(),
        }
    )
    return render(
        request,
        "pairing/compliance_matrix.html",
        context,
        status=400 if filterset.problems or not year_understood or page_problem or breaking_unknown else 200,
    )


def apply_service_errors(form, error: ValidationError) -> None:
    """Put a service's ValidationError next to the fields it names (or at the top)."""
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


def workspace_form(
    request: HttpRequest,
    pk: int,
    *,
    form_class,
    service,
    title: str,
    submit: str,
    success,
    intro: str | Callable[[Pairing], str] = "",
    get_pairing=pairing_get_for_editor,
    pass_user_as: str | None = None,
) -> HttpResponse:
    """One page that changes a pairing: the form types the input, the service decides, errors stay on the form."""
    pairing = get_pairing(user=request.user, pk=pk)
    form = form_class(request.POST or None, request.FILES or None, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        arguments = dict(form.cleaned_data)
        if pass_user_as:
            arguments[pass_user_as] = request.user
        try:
            saved = service(pairing=pairing, **arguments)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, success(saved))
            return redirect("pairing:detail", pk=pairing.pk)
    intro = intro(pairing) if callable(intro) else intro
    context = {"pairing": pairing, "form": form, "title": title, "submit": submit, "intro": intro}
    return render(request, "pairing/workspace_form.html", context)


@login_required
def member_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=MembershipForm,
        service=membership_add,
        title=_("Add a team member"),
        submit=_("Add member"),
        success=lambda m: _("%(name)s joined the service team.") % {"name": m.person.name},
    )


def membership_get_for_editor(*, user, pk: int, membership_pk: int):
    pairing = pairing_get_for_editor(user=user, pk=pk)
    membership = get_object_or_404(
        Membership.objects.select_related("person", "team"), pk=membership_pk, team__pairing=pairing
    )
    return pairing, membership


@login_required
def member_edit_view(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    pairing, membership = membership_get_for_editor(user=request.user, pk=pk, membership_pk=membership_pk)
    form = MembershipEditForm(request.POST or None, pairing=pairing, membership=membership)
    if request.method == "POST" and "remove" in request.POST:
        membership_remove(pairing=pairing, membership=membership)
        messages.success(request, _("%(name)s left the service team.") % {"name": membership.person.name})
        return redirect("pairing:detail", pk=pairing.pk)
    if request.method == "POST" and form.is_valid():
        try:
            membership_update(pairing=pairing, membership=membership, **form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, _("%(name)s is updated.") % {"name": membership.person.name})
            return redirect("pairing:detail", pk=pairing.pk)
    title = _("Edit team member %(name)s") % {"name": membership.person.name}
    context = {"pairing": pairing, "form": form, "title": title, "submit": _("Save"), "removable": True}
    return render(request, "pairing/workspace_form.html", context)


@login_required
def residency_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=ResidencyForm,
        service=residency_record,
        intro=residency_so_far,
        title=_("Record a residency"),
        submit=_("Record residency"),
        success=lambda r: _("Residency of %(days)s days recorded.") % {"days": r.days},
    )


def residency_so_far(pairing: Pairing) -> str:
    """This year's residency days against the programme's minimum, for the liaison recording one."""
    team = ServiceTeam.objects.filter(pairing=pairing).first()
    if team is None:
        return ""
    year = timezone.localdate().year
    return _("%(year)s so far: %(days_this_year)s of %(minimum)s days of residency.") % {
        "year": year,
        "days_this_year": residency_days_in_year(team.residencies.all(), year),
        "minimum": yearly_minimum(
            pairing,
            RuleContext(year=year, as_of=timezone.localdate()),
            pairing.programme.min_residency_days_per_year,
        )[0],
    }


@login_required
def meeting_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=MeetingForm,
        service=meeting_record,
        title=_("Record a joint meeting"),
        submit=_("Record meeting"),
        success=lambda m: _("Joint meeting of %(date)s recorded.") % {"date": m.held_on},
    )


def correct_record(
    request: HttpRequest,
    pairing,
    record,
    *,
    form_class,
    service,
    argument: str,
    initial: dict,
    title: str,
    saved: str,
    removed: str,
) -> HttpResponse:
    """Correct a residency or a meeting recorded by the liaison, with the checks of recording it,
    or delete it (after the browser asks to confirm); the history keeps both."""
    if request.method == "POST" and "remove" in request.POST:
        record_delete(pairing=pairing, record=record)
        messages.success(request, removed)
        return redirect("pairing:detail", pk=pairing.pk)
    form = form_class(request.POST or None, initial=initial, pairing=pairing)
    if request.method == "POST" and form.is_valid():
        try:
            service(pairing=pairing, **form.cleaned_data, **{argument: record})
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            messages.success(request, saved)
            return redirect("pairing:detail", pk=pairing.pk)
    context = {
        "pairing": pairing,
        "form": form,
        "title": title,
        "submit": _("Save"),
        "removable": True,
        "remove_label": _("Delete this record"),
        "remove_question": _("Delete this record? The change log keeps what it was."),
    }
    return render(request, "pairing/workspace_form.html", context)


# The records a liaison may correct or delete: the model, how it belongs to a pairing, its form and
# service, and what the page says.
CORRECTABLE = {
    "residency": (
        Residency,
        "team__pairing",
        ResidencyForm,
        residency_record,
        gettext_lazy("Correct a residency"),
        gettext_lazy("The residency is corrected."),
        gettext_lazy("The residency is deleted."),
    ),
    "meeting": (
        JointMeeting,
        "pairing",
        MeetingForm,
        meeting_record,
        gettext_lazy("Correct a joint meeting"),
        gettext_lazy("The joint meeting is corrected."),
        gettext_lazy("The joint meeting is deleted."),
    ),
}


@login_required
def record_edit_view(request: HttpRequest, pk: int, record_pk: int, kind: str) -> HttpResponse:
    model, owner, form_class, service, title, saved, removed = CORRECTABLE[kind]
    pairing = pairing_get_for_editor(user=request.user, pk=pk)
    record = get_object_or_404(model, pk=record_pk, **{owner: pairing})
    return correct_record(
        request,
        pairing,
        record,
        form_class=form_class,
        service=service,
        argument=kind,
        initial=model_to_dict(record, fields=list(form_class.base_fields)),
        title=str(title),
        saved=str(saved),
        removed=str(removed),
    )


@login_required
def annual_plan_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=AnnualPlanForm,
        service=annual_plan_save,
        title=_("Annual cooperation plan"),
        submit=_("Save plan"),
        success=lambda p: _("The %(year)s plan is saved.") % {"year": p.year},
    )


@login_required
def agreement_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=AgreementForm,
        service=agreement_save,
        title=_("Tripartite agreement"),
        submit=_("Save agreement"),
        success=lambda a: _("The agreement is saved."),
    )


@login_required
def practice_base_add_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=PracticeBaseForm,
        service=practice_base_save,
        title=_("Record a base"),
        submit=_("Save the base"),
        success=lambda b: _("%(kind)s %(name)s is saved.") % {"kind": b.get_kind_display(), "name": b.name},
    )


@login_required
def review_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=ReviewForm,
        service=pairing_review,
        get_pairing=pairing_get_for_reviewer,
        pass_user_as="reviewer",
        title=_("Review the team or the agreement"),
        submit=_("Record decision"),
        intro=under_review,
        success=lambda r: _("Decision recorded: %(decision)s.") % {"decision": r.get_decision_display()},
    )


def under_review(pairing) -> str:
    """What the reviewer decides on, in one line: the team's size and leader, the agreement's date and scan."""
    members = list(Membership.objects.filter(team__pairing=pairing).select_related("person"))
    leader = next((m.person.name for m in members if m.role == Membership.Role.LEADER), _("none"))
    agreement = Agreement.objects.filter(pairing=pairing).first()
    if agreement is None or agreement.signed_on is None:
        signed = _("not signed yet")
    else:
        signed = _("signed on %(date)s, %(scan)s") % {
            "date": agreement.signed_on.strftime("%Y-%m-%d"),
            "scan": _("scan uploaded") if agreement.scanned_file else _("no scan uploaded"),
        }
    return _("Service team: %(count)s members, leader %(leader)s. Tripartite agreement: %(signed)s.") % {
        "count": len(members),
        "leader": leader,
        "signed": signed,
    }


def adjust_pairing(*, pairing, action, end_date=None, old=None, new=None, village=None, reason=""):
    if action == "end":
        return pairing_end(pairing=pairing, end_date=end_date, reason=reason)
    if action == "replace_school":
        return pairing_replace_school(pairing=pairing, old=old, new=new, reason=reason)
    return pairing_change_village(
        pairing=pairing, village=village, add=action == "add_village", reason=reason
    )


@login_required
def adjust_view(request: HttpRequest, pk: int) -> HttpResponse:
    return workspace_form(
        request,
        pk,
        form_class=AdjustmentForm,
        service=adjust_pairing,
        get_pairing=pairing_get_for_adjuster,
        title=_("Adjust the pairing"),
        submit=_("Apply adjustment"),
        success=lambda p: _("The pairing is adjusted; the history keeps the reason."),
    )


@login_required
def agreement_file_view(request: HttpRequest, pk: int) -> FileResponse:
    """The scanned agreement, only to those who may see the pairing (404 to everyone else)."""
    pairing = pairing_get_for_user(user=request.user, pk=pk, whole=False)
    agreement = Agreement.objects.filter(pairing=pairing).first()
    if agreement is None or not agreement.scanned_file:
        raise Http404("No scanned agreement")
    return private_file_response(agreement.scanned_file.name)


@login_required
def agreement_scan_view(request: HttpRequest, pk: int, record: int) -> FileResponse:
    """A scan as the agreement held it at one point of its history (an earlier scan is kept when a new
    one is uploaded), to those who may see the pairing; the pairing's history page links here."""
    pairing = pairing_get_for_user(user=request.user, pk=pk, whole=False)
    kept = Agreement.history.filter(pairing_id=pairing.pk, history_id=record).first()
    if kept is None or not kept.scanned_file:
        raise Http404("No such scan")
    return private_file_response(kept.scanned_file)


def private_file_response(name: str) -> FileResponse:
    storage = Agreement._meta.get_field("scanned_file").storage
    if not storage.exists(name):
        raise Http404("The scan is missing from the storage")
    response = FileResponse(storage.open(name, "rb"), filename=name.rsplit("/", 1)[-1])
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


IMPORT_SESSION_KEY = "registry_import"


def require_bureau(request: HttpRequest) -> None:
    require(request.user, "registry.import", hide=True)


@login_required
def import_template_view(request: HttpRequest) -> HttpResponse:
    """The table of the programme named (?programme=), by default the one the pages open on."""
    require_bureau(request)
    programme, _programmes = programme_chosen_for(request)
    if programme is None:
        raise Http404("No such programme")
    filled = request.GET.get("filled") == "1"  # the registry as it is, to edit and upload back
    response = HttpResponse(
        template_workbook(programme, filled=filled),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"registry-{programme.code}" if filled else f"registry-template-{programme.code}"
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def column_keys(programme: Programme) -> list[str]:
    return [column.key for column in columns_for(programme)]


@login_required
def import_view(request: HttpRequest) -> HttpResponse:
    """Upload: preview each row's outcome. Confirm: apply the previewed rows, all or nothing.

    The previewed rows wait in the session, not the file: nothing is left on disk by a preview
    that is never confirmed, and the file is read once."""
    require_bureau(request)
    chosen, programmes = programme_chosen_for(request)
    shapes = [(item, columns_for(item)) for item in programmes.order_by("code")]
    context = {"shapes": shapes, "chosen": chosen, "rows": None, "problems": []}
    if request.method == "POST" and "confirm" in request.POST:
        pending = request.session.get(IMPORT_SESSION_KEY)
        if not pending or pending.get("token") != request.POST.get("token"):
            messages.error(request, _("This preview has expired; upload the file again."))
            return redirect("pairing:import")
        request.session.pop(IMPORT_SESSION_KEY)
        programme = get_object_or_404(Programme, pk=pending["programme"])
        if pending.get("columns") != column_keys(programme):  # the programme's shape changed meanwhile
            messages.error(request, _("This preview has expired; upload the file again."))
            return redirect("pairing:import")
        try:
            counts = apply_rows(programme, assess(programme, rows_from_data(pending["rows"])))
        except WorkbookRejected as rejected:
            context["problems"] = rejected.problems
            return render(request, "pairing/import.html", context, status=400)
        messages.success(
            request, _("Imported: %(new)s new, %(changed)s changed, %(unchanged)s unchanged.") % counts
        )
        return redirect("pairing:list")
    if request.method == "POST":
        request.session.pop(IMPORT_SESSION_KEY, None)  # a new upload replaces any earlier preview
        programme = programme_from(request.user, request.POST.get("programme"))
        upload = request.FILES.get("file")
        if programme is None or upload is None:
            context["problems"] = [_("Choose the programme and the filled workbook.")]
            return render(request, "pairing/import.html", context, status=400)
        context["chosen"] = programme
        try:
            rows = assess(programme, read_rows(upload, programme))
        except WorkbookRejected as rejected:
            context["problems"] = rejected.problems
            return render(request, "pairing/import.html", context, status=400)
        context.update(
            {
                "rows": rows,
                "programme": programme,
                "chosen": programme,
                "titles": {column.key: column.title for column in columns_for(programme)},
                "has_errors": any(r.outcome == "error" for r in rows),
                # A table just as the registry has it (the file downloaded, uploaded back): said, and
                # no import offered that would change nothing.
                "nothing_to_import": all(r.outcome == "unchanged" for r in rows),
            }
        )
        if not context["has_errors"] and not context["nothing_to_import"]:
            token = uuid.uuid4().hex
            request.session[IMPORT_SESSION_KEY] = {
                "token": token,
                "programme": programme.pk,
                "columns": column_keys(programme),
                "rows": rows_as_data(rows),
            }
            context["token"] = token
    return render(request, "pairing/import.html", context)
