"""Pages of the monthly compilation and the exports: the summaries (bureau starts a run, commanders
download), and the export page with the long-format CSV and the workbook of a month range.

Thin: the policy decides who may come, the doors find the objects, the compilation and the
exporters (reporting/exports/) do the work."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.months import InvalidMonth, Month
from core.paging import requested_page
from core.policy import require
from pairing.filters import PairingFilter
from pairing.models import Programme
from pairing.selectors import (
    pairing_party_of,
    pairings_visible_to,
    programme_chosen_for,
    programme_from,
    programmes_visible_to,
)

from .compilation import summary_request
from .exports.csv import csv_lines
from .exports.jobs import export_job_create, export_scope, job_format
from .exports.rows import long_rows
from .exports.xlsx import write_range_workbook
from .models import MonthlySummary
from .selectors import export_job_get_for_user, summaries_visible_to, summary_get_for_user
from .totals import InvalidPeriod, requested_period

SUMMARY_PAGE = 36


def report_month(programme: Programme, text: str) -> Month:
    """A month of the programme's reports from YYYY-MM; an InvalidMonth says what is wrong, in words."""
    month = Month.parse(text)
    problem = programme.month_problem(month, writing=False)
    if problem:
        raise InvalidMonth(problem)
    return month


def offered_month(programme: Programme | None) -> Month:
    """The month a form offers first: the programme's last due month, not before its first report
    month (a programme whose reports are still to begin offers that)."""
    if programme is None:
        return Month.current().previous()
    return max(programme.last_due_month(), Month.of(programme.first_report_month))


@login_required
def summary_list_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "summary.view", hide=True)
    # ?programme= keeps to one programme (as the dashboard and the months do); 404 for one not theirs.
    chosen = None
    if request.GET.get("programme"):
        chosen = programme_from(request.user, request.GET["programme"])
        if chosen is None:
            raise Http404("No such programme")
    visible = summaries_visible_to(request.user)
    if chosen is not None:
        visible = visible.filter(programme=chosen)
    # The compile form offers the programme picked last (or the current one) and its last due month.
    offered = chosen or programme_chosen_for(request)[0]
    summaries, page_problem = requested_page(
        request,
        Paginator(
            visible.select_related("programme", "requested_by").order_by("-month", "programme__code"),
            SUMMARY_PAGE,
        ),
    )
    if page_problem:
        messages.error(request, page_problem)
    busy = any(s.state in {"queued", "running"} for s in summaries)
    return render(
        request,
        "reporting/summary_list.html",
        {
            "summaries": summaries,
            "programmes": programmes_visible_to(request.user),
            "chosen": chosen,
            "offered": offered,
            "busy": busy,
            "default_month": offered_month(offered),
        },
        status=400 if page_problem else 200,
    )


@login_required
@require_POST
def summary_compile_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "summary.compile", hide=True)
    programme = programme_from(request.user, request.POST.get("programme"))
    if programme is None:
        messages.error(request, _("Choose a programme."))
        return redirect("reporting:summaries")
    # Back to the programme's months (the page keeps to one programme when asked to).
    back = f"{reverse('reporting:summaries')}?programme={programme.pk}"
    try:
        month = report_month(programme, request.POST.get("month", ""))
    except InvalidMonth as error:
        messages.error(request, str(error))
        return redirect(back)
    if not programme.is_due(month):
        messages.error(
            request,
            _(
                "%(month)s is due by the end of %(due)s (Beijing time); it can be compiled once that has passed."
            )
            % {"month": month, "due": programme.due_date(month).strftime("%Y-%m-%d")},
        )
        return redirect(back)
    if not summary_request(programme=programme, month=month, user=request.user):
        messages.warning(request, _("This month is being compiled already."))
        return redirect(back)
    done = MonthlySummary.objects.filter(
        programme=programme, month=month.first_day, state=MonthlySummary.State.DONE
    ).exists()
    if done:  # compiled already (inside this request under `make run`, or by a quick worker)
        messages.success(request, _("%(month)s is compiled.") % {"month": month})
    else:
        messages.success(request, _("The compilation of %(month)s has started.") % {"month": month})
    return redirect(back)


@login_required
def summary_workbook_view(request: HttpRequest, pk: int) -> FileResponse:
    summary = summary_get_for_user(user=request.user, pk=pk)
    if not summary.workbook:
        return render(
            request, "404.html", {"message": _("This month has not been compiled yet.")}, status=404
        )
    name = f"{summary.programme.code}-{summary.month:%Y-%m}.xlsx"
    response = FileResponse(summary.workbook.open("rb"), as_attachment=True, filename=name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def export_view(request: HttpRequest) -> HttpResponse:
    require(request.user, "export.run", hide=True)
    programmes = programmes_visible_to(request.user)
    chosen = PairingFilter(request.GET or None, queryset=pairings_visible_to(request.user))
    # The programme picked last (or the current one) and its last due month, unless the form says.
    offered, _programmes = programme_chosen_for(request)
    context = {
        "programmes": programmes,
        "programme": offered,
        "default_month": str(offered_month(offered)),
        "errors": [],
        "filter": chosen,
    }
    if "format" not in request.GET:
        return render(request, "reporting/export.html", context)
    errors = context["errors"]
    programme = programme_from(request.user, request.GET.get("programme"))
    if programme is None:
        errors.append(_("Choose a programme."))
        return render(request, "reporting/export.html", context, status=400)
    try:
        # Any range within the programme (requested_period keeps both ends inside it): a programme
        # that has run for eleven years (UESTC's, from 2013) exports whole; a large one is built by
        # a worker. Both ends are asked for (the form fills them in): an empty one is said.
        for field in ("from", "to"):
            try:
                Month.parse(request.GET.get(field, ""))
            except InvalidMonth as error:
                raise InvalidPeriod(str(error), field) from None
        first, last = requested_period(programme, request.GET["from"], request.GET["to"])
    except InvalidPeriod as error:
        # Said with the field it is about: "To month: the programme ended in 2021-08."
        label = _("From month") if error.field == "from" else _("To month")
        errors.append(_("%(field)s: %(problem)s") % {"field": label, "problem": error})
        return render(request, "reporting/export.html", context, status=400)
    errors.extend(chosen.problems)
    if request.GET["format"] not in {"csv", "xlsx"}:
        errors.append(_("Choose Excel or CSV."))
    if errors:
        return render(request, "reporting/export.html", context, status=400)
    town = chosen.form.cleaned_data.get("town")
    school = chosen.form.cleaned_data.get("school")
    town_id, school_id = (town.pk if town else None), (school.pk if school else None)
    scope = export_scope(
        user=request.user, programme=programme, first=first, last=last, town_id=town_id, school_id=school_id
    )
    # A town or school of another programme would give a file of headers and zeros under this
    # programme's title: said instead.
    if town is not None and not scope.pairings.exists():
        errors.append(_("%(name)s has no pairing in this programme.") % {"name": town.name})
    if school is not None and not pairing_party_of(scope.pairings, school).exists():
        errors.append(_("%(name)s has no pairing in this programme.") % {"name": school.name})
    if errors:
        return render(request, "reporting/export.html", context, status=400)
    # A town's or a school's file says so in its name (its totals are not the programme's).
    name = "-".join(
        [
            programme.code,
            *([town.name] if town else []),
            *([school.name] if school else []),
            str(first),
            str(last),
        ]
    )
    file_format = "csv" if request.GET["format"] == "csv" else "xlsx"
    if scope.expected_count * max(programme.indicators.count(), 1) > settings.EXPORT_INLINE_MAX_ROWS:
        # Too large to build inside the request (a province's month of CSV took 38 s, its half-year
        # six minutes): a worker builds it and the page shows its progress.
        job = export_job_create(
            user=request.user,
            programme=programme,
            first=first,
            last=last,
            town_id=town_id,
            school_id=school_id,
            file_format=file_format,
        )
        return redirect("reporting:export_job", pk=job.pk)
    if file_format == "csv":
        response = StreamingHttpResponse(csv_lines(long_rows(scope)), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(True, f"{name}.csv")
        return response
    handle = tempfile.NamedTemporaryFile(suffix=".xlsx")  # noqa: SIM115 - FileResponse closes it
    write_range_workbook(handle.name, scope)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=f"{name}.xlsx")


@login_required
def export_job_view(request: HttpRequest, pk: int) -> HttpResponse:
    job = export_job_get_for_user(user=request.user, pk=pk)
    if request.GET.get("download") and job.file:
        response = FileResponse(
            job.file.open("rb"),
            as_attachment=True,
            filename=f"{job.programme.code}-{job.parameters['from']}-{job.parameters['to']}.{job_format(job)}",
        )
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "reporting/export_job.html",
        {"job": job, "now": timezone.now(), "file_format": job_format(job)},
    )
