"""Pages of the monthly reports: the liaison's month and form, the bureau's queue and status table.

Every page asks the policy (core/policy.py) and reaches reports through their door; which reports
a month expects, and their states and counts, come from the month engine (expectations.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.ids import id_or_none
from core.models import Notice
from core.months import InvalidMonth, Month
from core.paging import requested_page
from core.policy import can, require, school_id_of
from pairing.filters import PairingFilter
from pairing.models import Programme, School
from pairing.selectors import pairings_reported_by, pairings_visible_to, programme_chosen_for

from .expectations import ExpectedPaginator, State, as_rows
from .forms import AttachmentForm, QueueFilterForm, ReopenForm, ReportForm, ReviewDecisionForm
from .models import MonthlyReport, ReportAttachment
from .notifications import notices_read
from .selectors import (
    WAITING_MONTHS_SHOWN,
    cached_page_rows,
    cached_tallies,
    cached_tally,
    earlier_unsubmitted,
    liaisons_by_school,
    report_get_for_user,
    reports_visible_to,
    school_month_rows,
    waiting_review_by_month,
)
from .services import (
    StaleReportError,
    attachment_add,
    attachment_remove,
    indicators_for,
    report_accept,
    report_reopen,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
    version_changes,
)

HISTORY_PAGE = 24
QUEUE_PAGE = 100
# The session key of a bulk decision that decided nothing: its comment and ticks, shown once again.
QUEUE_DRAFT = "queue_draft"


def month_from_query(
    request: HttpRequest,
    errors: list[str],
    key: str = "month",
    default: Month | None = None,
    programme: Programme | None = None,
) -> Month:
    """The month a page was asked for (`default`, else this month, when none); a malformed one, or
    one without reports (of the programme: before its first report month or after its end; in the
    future) is reported in `errors` (the page answers 400) and the default is shown instead."""
    default = default or Month.current()
    text = request.GET.get(key, "").strip()
    if not text:
        return default
    try:
        month = Month.parse(text)
    except InvalidMonth as error:
        errors.append(str(error))
        return default
    if programme is not None:
        problem = programme.month_problem(month, writing=False)
    elif month > Month.current():
        problem = _("%(month)s has not begun: it has no reports yet.") % {"month": month}
    else:
        problem = None
    if problem:
        errors.append(problem)
        return default
    return month


def programme_of_page(request: HttpRequest):
    """The programme a month page shows (the picker's choice, else the current one) and those to pick
    from; 404 for a programme that is not the user's. A month's numbers are always one programme's,
    as on the dashboard, the summaries and the API."""
    programme, programmes = programme_chosen_for(request)
    if programme is None and request.GET.get("programme"):
        raise Http404("No such programme")
    return programme, programmes


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if can(user, "report.queue"):
        return redirect("reporting:queue")
    if not can(user, "report.own"):
        # A liaison whose account names no school, or a user without a role: say so, do not fail.
        return render(request, "portal/no_role.html", status=403)
    school = get_object_or_404(School, pk=school_id_of(user))
    month, now = Month.current(), timezone.now()
    this_month = school_month_rows(user, month)
    reports = MonthlyReport.objects.in_bulk([row.report_id for row in this_month if row.report_id])
    cards = [
        {
            "row": row,
            "report": reports.get(row.report_id),
            "days_left": (row.due_date - timezone.localdate()).days,
            "overdue": now >= row.late_from,
        }
        for row in this_month
    ]
    earlier = earlier_unsubmitted(user, month)
    history, page_problem = requested_page(
        request,
        Paginator(
            reports_visible_to(user)
            .select_related("pairing__town", "pairing__programme", "school")
            .order_by("-month", "pairing__number"),
            HISTORY_PAGE,
        ),
    )
    if page_problem:
        messages.error(request, page_problem)
    notices = list(Notice.objects.filter(user=user, read_at__isnull=True)[:5])
    return render(
        request,
        "reporting/report_home.html",
        {"cards": cards, "history": history, "earlier": earlier, "notices": notices, "school": school},
        status=400 if page_problem else 200,
    )


@login_required
@require_POST
def start_view(request: HttpRequest, pairing_pk: int, month: str) -> HttpResponse:
    pairing = get_object_or_404(pairings_reported_by(request.user).select_related("programme"), pk=pairing_pk)
    require(request.user, "report.start", pairing)
    try:
        report = report_start(pairing=pairing, month=Month.parse(month), user=request.user)
    except (InvalidMonth, ValidationError) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("reporting:home")
    return redirect("reporting:detail", pk=report.pk)


@login_required
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    notices_read(user=request.user, url=reverse("reporting:detail", args=[report.pk]))
    indicators = indicators_for(report)
    writer = can(request.user, "report.write", report)
    form, saved = None, False
    if writer and report.is_editable:
        submitting = "submit" in request.POST
        form = ReportForm(request.POST or None, report=report, indicators=indicators, submitting=submitting)
        if request.method == "POST" and form.is_valid():
            try:
                report = report_save_draft(report=report, user=request.user, **form.service_arguments())
                # The page now stands at the version this save wrote: if the submit below is refused,
                # the form is shown again with it, so the corrected form is not taken for a conflict.
                form.carry_version(report.version)
                saved = True
                if submitting:
                    report = report_submit(report=report, user=request.user)
            except StaleReportError as error:
                form.add_error(None, error.messages)
            except ValidationError as error:
                form.add_service_errors(error)
                if saved:
                    messages.warning(
                        request, _("Your changes are saved as a draft, but the report is not submitted yet.")
                    )
            except PermissionDenied:
                # The school stopped being a party to the pairing between this check and the lock.
                messages.error(request, refused_post_message(request, report))
                return redirect("reporting:detail", pk=report.pk)
            else:
                if submitting:
                    messages.success(request, _("The report is submitted."))
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("reporting:detail", pk=report.pk)
    elif request.method == "POST":
        if school_id_of(request.user) != report.school_id:
            require(request.user, "report.write", report)  # 403 to whom never could write it
        messages.error(request, refused_post_message(request, report))
        return redirect("reporting:detail", pk=report.pk)
    values = {v.indicator_id: v.value for v in report.values.all()}
    versions = list(report.versions.select_related("actor")[:20])
    changes = []
    submitted = [v for v in versions if v.action in {"report.submitted", "report.resubmitted"}]
    if len(submitted) >= 2:
        changes = readable_changes(
            report, indicators, version_changes(submitted[1].snapshot, submitted[0].snapshot)
        )
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "form": form,
            "writer": writer,
            "rows": [(i, values.get(i.pk)) for i in indicators],
            "narratives": [
                (name, report.narratives.get(code, ""))
                for code, name in report.pairing.programme.category_choices()
            ],
            "versions": versions,
            "changes": changes,
            # Whether the report went back to its liaison by a reopening of the accepted report (not a
            # return): its header says so after it is submitted again, too.
            "was_reopened": next(
                (
                    v.action == "report.reopened"
                    for v in versions
                    if v.action in {"report.returned", "report.reopened"}
                ),
                False,
            ),
            "draft_saved": saved,  # a refused submit after the save: the summary says what was kept
            "submitting": request.method == "POST" and "submit" in request.POST,
            "can_review": can(request.user, "report.review", report),
            "decision_form": ReviewDecisionForm(),
            "reopen_form": ReopenForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def readable_changes(report: MonthlyReport, indicators, changes) -> list[tuple[str, str, str]]:
    """What changed since the last submission in the reviewer's words: each indicator by its name,
    with its number written plainly and its unit; each text by its heading."""
    from decimal import Decimal, InvalidOperation

    from core.numbers import plain_number
    from core.units import unit_shown

    by_code = {indicator.code: indicator for indicator in indicators}
    headings = {
        **dict(report.pairing.programme.category_choices()),
        "difficulties": MonthlyReport._meta.get_field("difficulties").verbose_name,
        "next_month_plan": MonthlyReport._meta.get_field("next_month_plan").verbose_name,
        "attachments": _("Attachments"),
    }

    def number(value: str, unit: str) -> str:
        try:
            amount = Decimal(value)
        except (InvalidOperation, TypeError):
            return value
        whole, point, fraction = plain_number(amount).partition(".")
        return f"{int(whole):,}{point}{fraction} {unit_shown(unit, amount)}".strip()

    readable = []
    for field, before, after in changes:
        indicator = by_code.get(field)
        if indicator is not None:
            readable.append(
                (
                    indicator.name,
                    number(before, indicator.unit) if before != "" else "",
                    number(after, indicator.unit) if after != "" else "",
                )
            )
        else:
            readable.append((str(headings.get(field, field)), before, after))
    return readable


def refused_post_message(request: HttpRequest, report: MonthlyReport) -> str:
    """Why a liaison's save or submit of their school's report was not done, in words: the answer
    to a race with another tab, another person or the bureau, instead of a bare 403 page."""
    if not can(request.user, "report.write", report):
        return _(
            "Your school is no longer a party to this pairing, so its report cannot be changed any more."
        )
    if id_or_none(request.POST.get("version")) not in {None, report.version}:
        return _(
            "This report was changed elsewhere (another tab or person) after you opened the page: it is now "
            "%(status)s and cannot be changed. Nothing from that page was saved."
        ) % {"status": report.get_status_display()}
    return _("This report cannot be changed now.")


def _reviewable(request: HttpRequest, pk: int) -> MonthlyReport:
    report = report_get_for_user(user=request.user, pk=pk)
    require(request.user, "report.review", report)
    return report


@login_required
@require_POST
def decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("decision") == "accept":
            report_accept(report=report, reviewer=request.user, comment=form.cleaned_data.get("comment", ""))
            messages.success(request, _("The report is accepted and locked."))
        elif request.POST.get("decision") == "return":
            report_return(report=report, reviewer=request.user, comment=form.cleaned_data.get("comment", ""))
            messages.success(request, _("The report is returned to the liaison."))
        else:
            messages.error(request, _("Choose to accept or to return the report."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:detail", pk=report.pk)


@login_required
@require_POST
def reopen_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    form = ReopenForm(request.POST)
    try:
        report_reopen(
            report=report,
            reviewer=request.user,
            reason=request.POST.get("reason", "") if form.is_valid() else "",
        )
        messages.success(request, _("The report is reopened; the liaison can change it for a limited time."))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("reporting:detail", pk=report.pk)


@login_required
@require_POST
def attachment_upload_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    require(request.user, "report.write", report)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to attach."))
        return redirect("reporting:detail", pk=report.pk)
    try:
        attachment = attachment_add(report=report, user=request.user, upload=form.cleaned_data["file"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is attached.") % {"name": attachment.original_name})
    return redirect("reporting:detail", pk=report.pk)


@login_required
@require_POST
def attachment_remove_view(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    require(request.user, "report.write", report)
    try:
        name = attachment_remove(report=report, user=request.user, attachment_pk=attachment_pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s is removed from the report.") % {"name": name})
    return redirect("reporting:detail", pk=report.pk)


@login_required
def attachment_view(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, report=report)
    response = FileResponse(attachment.file.open("rb"), filename=attachment.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    """A month's expected reports, filtered and paged in SQL, with the liaisons to call."""
    require(request.user, "report.queue", hide=True)
    programme, programmes = programme_of_page(request)
    errors: list[str] = []
    month = month_from_query(
        request, errors, default=programme.last_month() if programme else None, programme=programme
    )
    filters = QueueFilterForm(request.GET or None)
    if filters.is_bound and not filters.is_valid() and "state" in filters.errors:
        errors.append(_("Choose a status from the list."))
    visible = pairings_visible_to(request.user).filter(programme=programme)
    pairing_filter = PairingFilter(request.GET or None, queryset=visible)
    if pairing_filter.is_bound and pairing_filter.problems:
        # A name not found says which; only a filter that is otherwise not understood gets the generic line.
        errors.extend(pairing_filter.name_errors or [_("Choose a town and a school from the lists.")])
    school = pairing_filter.form.cleaned_data.get("school") if pairing_filter.is_bound else None
    narrowed = pairing_filter.is_bound and any(pairing_filter.form.cleaned_data.values())
    tally = None if narrowed else cached_tally(request.user, programme, month, visible)
    engine = filters.engine_filters()
    page = ExpectedPaginator(
        month,
        QUEUE_PAGE,
        pairings=pairing_filter.qs,
        school_id=school.pk if school else None,
        # Counted from the month's cached tally unless a town, school or search narrows the rows.
        tally=tally,
        **engine,
    )
    page, page_problem = requested_page(request, page)
    errors.extend([page_problem] if page_problem else [])
    # Among all of the month's rows, the few waiting for review are pointed to, not left to be found.
    waiting_here = tally.waiting_review if tally is not None and not engine else 0
    page.object_list = list(as_rows(page.object_list, month))
    contacts = liaisons_by_school({row.school_id for row in page.object_list})
    waiting_elsewhere = [
        (other, count)
        for other, count in waiting_review_by_month(user=request.user, programme=programme)
        if other != month.first_day
    ][:WAITING_MONTHS_SHOWN]
    query = request.GET.copy()
    query.pop("page", None)
    for error in errors:
        messages.error(request, error)
    return render(
        request,
        "reporting/report_queue.html",
        {
            "rows": page.object_list,
            "page": page,
            "month": month,
            "programme": programme,
            "programmes": programmes,
            "keep": [("month", str(month))],
            "filters": filters,
            "filter": pairing_filter,
            "contacts": contacts,
            "can_review": can(request.user, "report.review"),
            "query": query.urlencode(),
            "waiting_elsewhere": waiting_elsewhere,
            "waiting_here": waiting_here,
            "draft": request.session.pop(QUEUE_DRAFT, None) or {"comment": "", "reports": []},
        },
        status=400 if errors else 200,
    )


def safe_next(request: HttpRequest, default: str) -> str:
    """Where to go after a form: the `next` field if it is a path of this site, else `default`."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=False
    ):
        return target
    return default


@login_required
@require_POST
def bulk_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "report.review")
    decision = request.POST.get("decision")
    if decision not in {"accept", "return"}:
        messages.error(request, _("Choose to accept or to return the ticked reports."))
        return redirect(safe_next(request, "/reports/queue/"))
    comment = request.POST.get("comment", "")
    ids = [pk for pk in map(id_or_none, request.POST.getlist("report")) if pk is not None]
    done, refused = 0, []
    for report in reports_visible_to(request.user).filter(pk__in=ids).select_related("school"):
        try:
            if decision == "accept":
                report_accept(report=report, reviewer=request.user, comment=comment)
            else:
                report_return(report=report, reviewer=request.user, comment=comment)
            done += 1
        except ValidationError as error:
            refused.append(f"{report.school.name}: {' '.join(error.messages)}")
    if not ids:
        messages.warning(request, _("Tick the reports to accept or return first."))
    if done:
        text = (
            _("%(count)s reports accepted and locked.")
            if decision == "accept"
            else _("%(count)s reports returned to their liaisons.")
        )
        messages.success(request, text % {"count": done})
    if refused and decision == "return" and not comment.strip():
        refused = [_("Write a comment for the liaisons to return reports; nothing was returned.")]
    for text in refused:
        messages.error(request, text)
    if not done and (comment.strip() or ids):
        # Nothing was decided: the queue shows again what was typed and ticked, to correct and send.
        request.session[QUEUE_DRAFT] = {"comment": comment[:2000], "reports": ids[:QUEUE_PAGE]}
    return redirect(safe_next(request, "/reports/queue/"))


@login_required
def status_view(request: HttpRequest) -> HttpResponse:
    """A year at a glance (each month's counts and rates, from the engine's tally), and one month's
    missing reports with the liaisons to call, paged."""
    require(request.user, "report.queue", hide=True)
    programme, programmes = programme_of_page(request)
    last = programme.last_month() if programme else Month.current()
    # It opens on the last month that is due: its missing reports are the ones to chase (this month's
    # are not missing yet).
    opening = last
    if programme and not programme.is_due(last) and last.previous().first_day >= programme.first_report_month:
        opening = last.previous()
    errors: list[str] = []
    month = month_from_query(request, errors, default=opening, programme=programme)
    pairings = pairings_visible_to(request.user).filter(programme=programme)
    # The year's months that have reports: none before the programme's first report month.
    first = (
        max(Month(month.year, 1), Month.of(programme.first_report_month))
        if programme
        else Month(month.year, 1)
    )
    months = list(reversed(Month.between(first, min(Month(month.year, 12), last))))
    table = [
        {
            "month": each,
            "tally": tally,
            "on_time_rate": tally.rate(
                tally.on_time, month_is_due=bool(programme) and programme.is_due(each)
            ),
        }
        for each, tally in zip(months, cached_tallies(request.user, programme, months, pairings), strict=True)
    ]
    missing = ExpectedPaginator(
        month,
        QUEUE_PAGE,
        pairings=pairings,
        states=[State.MISSING],
        tally=cached_tally(request.user, programme, month, pairings),
    )
    missing, page_problem = requested_page(request, missing)
    errors.extend([page_problem] if page_problem else [])
    missing.object_list = cached_page_rows(request.user, programme, month, missing, "missing")
    contacts = liaisons_by_school({row.school_id for row in missing.object_list})
    for error in errors:
        messages.error(request, error)
    return render(
        request,
        "reporting/report_status.html",
        {
            "table": table,
            "month": month,
            "year": month.year,
            "programme": programme,
            "programmes": programmes,
            "keep": [],
            "previous_year": Month(month.year - 1, 12)
            if programme is None or month.year > programme.first_report_month.year
            else None,
            "next_year": Month(month.year + 1, 1) if month.year < last.year else None,
            "missing": missing,
            "page_query": f"month={month}&programme={programme.pk if programme else ''}",
            "contacts": contacts,
        },
        status=400 if errors else 200,
    )


@login_required
def workbook_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the report as a pre-filled workbook. POST: the filled workbook back, saved as the draft."""
    from django.http import HttpResponse as PlainResponse

    from core.excel import WorkbookRejected

    from .roundtrip import build_report_workbook, report_upload_workbook

    report = report_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        response = PlainResponse(
            build_report_workbook(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="report-{report.pk}-{report.month:%Y-%m}-pairing-{report.pairing.number}.xlsx"'
        )
        return response
    require(request.user, "report.write", report)
    upload = request.FILES.get("workbook")
    if upload is None:
        messages.error(request, _("Choose the filled workbook to upload."))
        return redirect("reporting:detail", pk=report.pk)
    try:
        report_upload_workbook(report=report, user=request.user, upload=upload)
    except WorkbookRejected as rejected:
        if any(problem.row is not None for problem in rejected.problems):
            messages.error(request, _("The workbook was not saved; correct these cells and upload it again:"))
        for problem in rejected.problems[:50]:
            messages.error(request, str(problem))
    except StaleReportError:
        messages.error(
            request,
            _(
                "The report has changed since this workbook was downloaded, so it was not saved. Download the "
                "workbook again, fill in the new copy and upload that."
            ),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The workbook is saved as your draft. Check it, then submit."))
    return redirect("reporting:detail", pk=report.pk)
