"""Pages of the monthly reports: the liaison's month and form, the bureau's queue and status table."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pairing.models import CooperationKind
from pairing.selectors import pairings_visible_to, school_of
from portal.models import Notice
from portal.roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON, role_of

from .forms import AttachmentForm, QueueFilterForm, ReopenForm, ReportForm, ReviewDecisionForm
from .models import MonthlyReport, ReportAttachment
from .selectors import (
    expected_reports,
    expected_reports_by_month,
    liaisons_by_school,
    report_get_for_user,
    reports_visible_to,
)
from .services import (
    StaleReportError,
    attachment_add,
    current_month,
    report_accept,
    report_reopen,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
    user_writes_for,
    version_changes,
)

READER_ROLES = {BUREAU, COMMANDER, TOWN_LIAISON}


def parse_month(text: str | None) -> datetime.date | None:
    try:
        return datetime.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        return None


@login_required
def home_view(request: HttpRequest) -> HttpResponse:
    role = role_of(request.user)
    if role in READER_ROLES:
        return redirect("reporting:queue")
    if role != LIAISON:
        raise Http404
    school = school_of(request.user)
    month = current_month()
    pairings = pairings_visible_to(request.user)
    this_month = expected_reports(month=month, pairings=pairings, school_id=school.pk) if school else []
    now = timezone.now()
    cards = [
        {
            "row": row,
            "days_left": (row.due_at.date() - timezone.localdate()).days,
            "overdue": now > row.due_at,
        }
        for row in this_month
    ]
    history = (
        reports_visible_to(request.user)
        .select_related("pairing__town", "pairing__programme", "school")
        .order_by("-month", "pairing__number")
    )
    earlier = []
    for back in range(1, 4):  # the three months before, so a missing report is in sight
        previous = (month - datetime.timedelta(days=28 * back)).replace(day=1)
        earlier += [
            r
            for r in expected_reports(month=previous, pairings=pairings, school_id=school.pk)
            if not r.report
        ]
    notices = list(Notice.objects.filter(user=request.user, read_at__isnull=True)[:5])
    return render(
        request,
        "reporting/report_home.html",
        {"cards": cards, "history": history, "earlier": earlier, "notices": notices, "school": school},
    )


@login_required
@require_POST
def start_view(request: HttpRequest, pairing_pk: int, month: str) -> HttpResponse:
    pairing = get_object_or_404(pairings_visible_to(request.user), pk=pairing_pk)
    school = school_of(request.user)
    parsed = parse_month(month)
    if school is None or parsed is None or not user_writes_for(request.user, pairing, school):
        raise Http404
    try:
        report = report_start(pairing=pairing, school=school, month=parsed, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("reporting:home")
    return redirect("reporting:detail", pk=report.pk)


@login_required
def detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    indicators = list(report.pairing.programme.indicators.all())
    writer = user_writes_for(request.user, report.pairing, report.school)
    form = None
    if writer and report.is_editable:
        form = ReportForm(request.POST or None, report=report, indicators=indicators)
        if request.method == "POST" and form.is_valid():
            submitting = "submit" in request.POST
            try:
                report = report_save_draft(report=report, user=request.user, **form.service_arguments())
                if submitting:
                    report = report_submit(report=report, user=request.user)
            except StaleReportError as error:
                form.add_error(None, error.messages)
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if submitting:
                    messages.success(request, _("The report is submitted."))
                else:
                    messages.success(request, _("The draft is saved."))
                return redirect("reporting:detail", pk=report.pk)
    elif request.method == "POST":
        raise PermissionDenied
    values = {v.indicator_id: v.value for v in report.values.all()}
    versions = list(report.versions.select_related("actor")[:20])
    changes = []
    submitted = [v for v in versions if v.action in {"report.submitted", "report.resubmitted"}]
    if len(submitted) >= 2:
        changes = version_changes(submitted[1].snapshot, submitted[0].snapshot)
    return render(
        request,
        "reporting/report_detail.html",
        {
            "report": report,
            "form": form,
            "writer": writer,
            "rows": [(i, values.get(i.pk)) for i in indicators],
            "narratives": [
                (label, report.narratives.get(kind, "")) for kind, label in CooperationKind.choices
            ],
            "versions": versions,
            "changes": changes,
            "is_bureau": role_of(request.user) == BUREAU,
            "decision_form": ReviewDecisionForm(),
            "reopen_form": ReopenForm(),
            "attachment_form": AttachmentForm(),
        },
    )


def _reviewable(request: HttpRequest, pk: int) -> MonthlyReport:
    report = report_get_for_user(user=request.user, pk=pk)
    if role_of(request.user) != BUREAU:
        raise PermissionDenied
    return report


@login_required
@require_POST
def decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = _reviewable(request, pk)
    form = ReviewDecisionForm(request.POST)
    form.is_valid()
    try:
        if request.POST.get("decision") == "accept":
            report_accept(report=report, reviewer=request.user)
            messages.success(request, _("The report is accepted and locked."))
        elif request.POST.get("decision") == "return":
            report_return(report=report, reviewer=request.user, comment=form.cleaned_data.get("comment", ""))
            messages.success(request, _("The report is returned to the liaison."))
        else:
            raise Http404
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
def attachment_view(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    attachment = get_object_or_404(ReportAttachment, pk=attachment_pk, report=report)
    response = FileResponse(attachment.file.open("rb"), filename=attachment.original_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def queue_rows(request: HttpRequest, month: datetime.date, state: str, town: str, school: str):
    pairings = pairings_visible_to(request.user)
    if town.isdigit():
        pairings = pairings.filter(town_id=int(town))
    rows = expected_reports(
        month=month, pairings=pairings, school_id=int(school) if school.isdigit() else None
    )
    if state == "late":
        rows = [r for r in rows if r.is_late]
    elif state == "waiting":
        rows = [r for r in rows if r.report and r.report.status in MonthlyReport.IN_REVIEW]
    elif state:
        rows = [r for r in rows if r.state == state]
    return rows


@login_required
def queue_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) not in READER_ROLES:
        raise Http404
    filters = QueueFilterForm(request.GET or None)
    month = parse_month(request.GET.get("month")) or current_month()
    if month > current_month():
        messages.warning(request, _("A report cannot be written for a future month."))
        month = current_month()
    state = request.GET.get("state", "")
    rows = queue_rows(request, month, state, request.GET.get("town", ""), request.GET.get("school", ""))
    contacts = liaisons_by_school({r.school.pk for r in rows})
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    waiting_elsewhere = list(
        reports_visible_to(request.user)
        .filter(status__in=[MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.RESUBMITTED])
        .exclude(month=month)
        .order_by("-month")
        .values_list("month")
        .annotate(count=Count("pk"))
    )
    from pairing.filters import PairingFilter

    pairing_filter = PairingFilter(request.GET or None, queryset=pairings_visible_to(request.user))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reporting/report_queue.html",
        {
            "rows": page.object_list,
            "page": page,
            "month": month,
            "state": state,
            "filters": filters,
            "filter": pairing_filter,
            "contacts": contacts,
            "is_bureau": role_of(request.user) == BUREAU,
            "query": query.urlencode(),
            "waiting_elsewhere": waiting_elsewhere,
        },
    )


@login_required
@require_POST
def bulk_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != BUREAU:
        raise PermissionDenied
    decision = request.POST.get("decision")
    comment = request.POST.get("comment", "")
    ids = [int(i) for i in request.POST.getlist("report") if i.isdigit()]
    done, refused = 0, []
    for report in reports_visible_to(request.user).filter(pk__in=ids).select_related("school"):
        try:
            if decision == "accept":
                report_accept(report=report, reviewer=request.user)
            elif decision == "return":
                report_return(report=report, reviewer=request.user, comment=comment)
            else:
                raise Http404
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
    return redirect(request.POST.get("next") or "reporting:queue")


OPEN_STATUS_MONTHS = 3  # the latest months list their missing schools open; older ones fold them


@login_required
def status_view(request: HttpRequest) -> HttpResponse:
    """Per month since the first report month: due, on time, late, missing (overdue), with the liaisons to call."""
    if role_of(request.user) not in READER_ROLES:
        raise Http404
    pairings = pairings_visible_to(request.user)
    first = min(
        (p.programme.first_report_month for p in pairings.select_related("programme")),
        default=current_month(),
    )
    months, month = [], current_month()
    while month >= first:
        months.append(month)
        month = (month - datetime.timedelta(days=1)).replace(day=1)
    table = []
    for index, (month, rows) in enumerate(
        expected_reports_by_month(months=months, pairings=pairings).items()
    ):
        table.append(
            {
                "month": month,
                "expected": len(rows),
                "open": index < OPEN_STATUS_MONTHS,
                "on_time": sum(1 for r in rows if r.is_submitted and not r.is_late),
                "late": sum(1 for r in rows if r.is_late),
                "missing": [r for r in rows if r.is_missing],
                "pending": sum(1 for r in rows if not r.is_submitted and not r.is_missing),
            }
        )
    contacts = liaisons_by_school({r.school.pk for entry in table for r in entry["missing"]})
    return render(request, "reporting/report_status.html", {"table": table, "contacts": contacts})


@login_required
def workbook_view(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the report as a pre-filled workbook. POST: the filled workbook back, saved as the draft."""
    from django.http import HttpResponse as PlainResponse

    from portal.excel import WorkbookRejected

    from .roundtrip import build_report_workbook, report_upload_workbook

    report = report_get_for_user(user=request.user, pk=pk)
    if request.method != "POST":
        response = PlainResponse(
            build_report_workbook(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="report-{report.pk}-{report.month:%Y-%m}.xlsx"'
        )
        return response
    if not user_writes_for(request.user, report.pairing, report.school):
        raise PermissionDenied
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
