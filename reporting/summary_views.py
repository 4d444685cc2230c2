"""Pages of the monthly compilation and the exports: the summaries (bureau starts a run, commanders
download), and the export page with the long-format CSV and the workbook of a month range."""

import csv
import datetime
import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pairing.models import Programme
from pairing.selectors import pairings_visible_to
from portal.roles import BUREAU, COMMANDER, role_of

from .compilation.service import STATE_LABELS, expected_reports, state_of
from .compilation.workbook import Column, Sheet, WorkbookWriter
from .models import ExportJob, MonthlySummary
from .services import current_month

SUMMARY_ROLES = {BUREAU, COMMANDER}


def require_summary_reader(request: HttpRequest) -> None:
    if role_of(request.user) not in SUMMARY_ROLES:
        raise Http404("Summaries are for the bureau and the commanders")


def parse_month_for(programme: Programme, text: str) -> datetime.date:
    """The month from YYYY-MM, within the programme's report months; a ValueError says why, in words."""
    try:
        month = datetime.datetime.strptime(text or "", "%Y-%m").date()
    except ValueError:
        raise ValueError(_("Enter the month as YYYY-MM, for example 2024-03.")) from None
    if month < programme.first_report_month:
        raise ValueError(
            _("Reports start from %(first)s.") % {"first": programme.first_report_month.strftime("%Y-%m")}
        )
    if month > current_month():
        raise ValueError(_("A report cannot be written for a future month."))
    return month


@login_required
def summary_list_view(request: HttpRequest) -> HttpResponse:
    require_summary_reader(request)
    summaries = MonthlySummary.objects.select_related("programme", "requested_by").order_by(
        "-month", "programme__code"
    )
    busy = any(s.state in {"queued", "running"} for s in summaries)
    return render(
        request,
        "reporting/summary_list.html",
        {
            "summaries": summaries,
            "programmes": Programme.objects.order_by("code"),
            "busy": busy,
            "is_bureau": role_of(request.user) == BUREAU,
            "default_month": current_month(),
        },
    )


@login_required
@require_POST
def summary_compile_view(request: HttpRequest) -> HttpResponse:
    if role_of(request.user) != BUREAU:
        raise Http404
    programme = get_object_or_404(Programme, pk=request.POST.get("programme") or 0)
    try:
        month = parse_month_for(programme, request.POST.get("month", ""))
    except ValueError as error:
        messages.error(request, str(error))
        return redirect("reporting:summaries")
    due_at = programme.due_at(month)
    if timezone.now() <= due_at:
        messages.error(
            request,
            _("%(month)s is due on %(due)s (Beijing time); it can be compiled once that has passed.")
            % {
                "month": month.strftime("%Y-%m"),
                "due": timezone.localtime(due_at).strftime("%Y-%m-%d %H:%M"),
            },
        )
        return redirect("reporting:summaries")
    summary, _created = MonthlySummary.objects.get_or_create(programme=programme, month=month)
    if summary.state == MonthlySummary.State.RUNNING:
        messages.warning(request, _("This month is being compiled already."))
        return redirect("reporting:summaries")
    MonthlySummary.objects.filter(pk=summary.pk).update(
        state=MonthlySummary.State.QUEUED, requested_by=request.user
    )
    from .tasks import compile_monthly_summary

    transaction.on_commit(lambda: compile_monthly_summary.delay(programme.pk, month.isoformat()))
    messages.success(
        request, _("The compilation of %(month)s has started.") % {"month": month.strftime("%Y-%m")}
    )
    return redirect("reporting:summaries")


@login_required
def summary_workbook_view(request: HttpRequest, pk: int) -> FileResponse:
    require_summary_reader(request)
    summary = get_object_or_404(MonthlySummary, pk=pk)
    if not summary.workbook:
        raise Http404("Not compiled yet")
    name = f"{summary.programme.code}-{summary.month:%Y-%m}.xlsx"
    response = FileResponse(summary.workbook.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


class Echo:
    def write(self, value):
        return value


def export_rows(programme: Programme, months: list[datetime.date], town: str, school: str):
    """Long format: one row per expected report and indicator, with stable ids, for people who pivot."""
    yield [
        "programme",
        "month",
        "pairing_id",
        "pairing_number",
        "town",
        "school_id",
        "school",
        "report_id",
        "status",
        "indicator_code",
        "indicator",
        "unit",
        "value",
    ]
    now = timezone.now()
    indicators = list(programme.indicators.all())
    for month in months:
        due = programme.due_at(month)
        for row in expected_reports(programme, month):
            if (town and town != row.town) or (school and str(row.school_id) != school):
                continue
            report = row.report
            for indicator in indicators:
                value = row.values.get(indicator.pk)
                yield [
                    programme.code,
                    f"{month:%Y-%m}",
                    row.pairing_id,
                    row.number,
                    row.town,
                    row.school_id,
                    row.school,
                    report[0] if report else "",
                    state_of(report, due, now),
                    indicator.code,
                    indicator.name_zh,
                    indicator.unit,
                    "" if value is None else format(value, "f"),
                ]


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], first
    while month <= last and len(months) < 120:
        months.append(month)
        month = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return months


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    require_summary_reader(request)
    programmes = Programme.objects.order_by("code")
    visible = pairings_visible_to(request.user)
    towns = sorted(set(visible.values_list("town__name", flat=True)))
    schools = sorted(
        {
            *visible.values_list("lead_university_id", "lead_university__name"),
            *visible.filter(assisting_schools__isnull=False).values_list(
                "assisting_schools__id", "assisting_schools__name"
            ),
        },
        key=lambda school: school[1],
    )
    context = {
        "programmes": programmes,
        "default_month": current_month().strftime("%Y-%m"),
        "errors": [],
        "towns": towns,
        "schools": schools,
    }
    if "format" not in request.GET:
        return render(request, "reporting/export.html", context)
    programme = programmes.filter(pk=request.GET.get("programme") or 0).first()
    if programme is None:
        context["errors"].append(_("Choose a programme."))
        return render(request, "reporting/export.html", context, status=400)
    try:
        first = parse_month_for(programme, request.GET.get("from", ""))
        last = parse_month_for(programme, request.GET.get("to", ""))
    except ValueError as error:
        context["errors"].append(str(error))
        return render(request, "reporting/export.html", context, status=400)
    if last < first:
        context["errors"].append(_("The last month is before the first."))
        return render(request, "reporting/export.html", context, status=400)
    months = months_between(first, last)
    town, school = request.GET.get("town", "").strip(), request.GET.get("school", "").strip()
    if town and town not in towns:
        context["errors"].append(_("There is no pairing in the town %(town)s.") % {"town": town})
    if school and school not in {str(pk) for pk, _name in schools}:
        context["errors"].append(_("Choose a school from the list."))
    if context["errors"]:
        return render(request, "reporting/export.html", context, status=400)
    name = f"{programme.code}-{first:%Y-%m}-{last:%Y-%m}"
    if request.GET["format"] == "csv":
        writer = csv.writer(Echo())
        rows = (writer.writerow(row) for row in export_rows(programme, months, town, school))
        response = StreamingHttpResponse(_with_bom(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    expected_rows = len(months) * programme.pairings.count() * 2 * max(programme.indicators.count(), 1)
    if expected_rows > settings.EXPORT_INLINE_MAX_ROWS:
        # Too large to build inside the request: a worker builds it and the page shows its progress.
        job = ExportJob.objects.create(
            user=request.user,
            programme=programme,
            parameters={"from": f"{first:%Y-%m}", "to": f"{last:%Y-%m}", "town": town, "school": school},
        )
        from .tasks import build_export

        transaction.on_commit(lambda: build_export.delay(job.pk))
        return redirect("reporting:export_job", pk=job.pk)
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_export_workbook(handle.name, programme, months, town, school)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx")


EXPORT_TITLES = {
    "programme": "项目",
    "month": "月份",
    "pairing_id": "结对ID",
    "pairing_number": "序号",
    "town": "镇(街道)",
    "school_id": "学校ID",
    "school": "学校",
    "report_id": "报告ID",
    "status": "状态",
    "indicator_code": "指标代码",
    "indicator": "指标",
    "unit": "单位",
    "value": "数值",
}


def write_export_workbook(
    path: str, programme: Programme, months, town: str, school: str, progress=None
) -> None:
    """The month-range workbook: the long rows of export_rows, typed, in one 明细 sheet, with the
    Chinese column titles and status labels of the monthly workbook (the CSV keeps machine names)."""
    rows = export_rows(programme, months, town, school)
    header = next(rows)
    columns = [
        Column(
            EXPORT_TITLES[name], 14, "whole" if name.endswith("_id") or name == "pairing_number" else "text"
        )
        for name in header
    ]
    columns[-1] = Column(EXPORT_TITLES["value"], 14, "decimal")
    status = header.index("status")
    body = (
        [
            *row[:status],
            STATE_LABELS.get(row[status], row[status]),
            *row[status + 1 : -1],
            float(row[-1]) if row[-1] != "" else None,
        ]
        for row in rows
    )
    workbook = WorkbookWriter(path, title=f"{programme.name} {months[0]:%Y-%m}–{months[-1]:%Y-%m}")
    workbook.add(Sheet("明细", columns, body), progress=progress)
    workbook.close()


@login_required
def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_summary_reader(request)
    job = get_object_or_404(ExportJob.objects.select_related("programme"), pk=pk, user=request.user)
    if request.GET.get("download") and job.file:
        response = FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=f"{job.programme.code}-{job.parameters['from']}-{job.parameters['to']}.xlsx",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(request, "reporting/export_job.html", {"job": job})


def _with_bom(rows):
    yield "\ufeff"  # Excel opens UTF-8 CSV with Chinese correctly only with a BOM
    yield from rows
