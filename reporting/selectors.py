"""Reads of the monthly reports, shared by pages, the API, exports and tasks.

The only doors: `reports_visible_to(user)` / `report_get_for_user(user=..., pk=...)`,
`summaries_visible_to` / `summary_get_for_user` and `export_jobs_visible_to` /
`export_job_get_for_user`. Who sees what is decided by the policy (core/policy.py); an object
outside the user's scope answers 404. Which reports a month expects is reporting/expectations.py.
"""

from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.http import Http404

from core.policy import can, scope_of
from core.roles import BUREAU, LIAISON
from pairing.selectors import counterpart_within

from .models import ExportJob, MonthlyReport, MonthlySummary


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    scope = scope_of(user)
    reports = MonthlyReport.objects.all()
    if scope.everything:
        return reports
    if scope.school_id:
        return reports.filter(school_id=scope.school_id)
    if scope.town_id:
        return reports.filter(counterpart_within(scope.town_id, prefix="pairing__", user=user))
    return reports.none()


def school_month_rows(user, month) -> list:
    """The month's expected reports of the liaison's school (reporting.expectations rows, every state),
    for the pages a liaison opens all day: cached for the school and the day (a report not started
    becomes missing at midnight, Beijing time, after its due day) at the versions of the registry and
    the month, so any report of the month saved, or any pairing changed, reads them afresh."""
    from django.utils import timezone

    from core.cache import cached_figures
    from core.policy import school_id_of
    from pairing.selectors import pairings_reported_by

    from .expectations import expected_reports

    return cached_figures(
        f"school-month:{scope_of(user).key}:{month}:{timezone.localdate()}",
        versions=["expectations", f"month:{month}"],
        compute=lambda: expected_reports(
            month, pairings=pairings_reported_by(user), school_id=school_id_of(user)
        ),
    )


def as_of(programme, month, now=None) -> str:
    """What a cached month's rows and counts depend on besides its reports and the pairings (which
    their versions cover): whether the month's deadline has passed. A row's state turns from not
    started or draft to missing at that moment and at no other, so the key changes exactly then
    (rather than at every midnight, when the day was in the key: the dashboard's twelve months were
    counted again at 00:00 although nothing could have changed, 4.9 s at province scale). Without a
    programme, the day."""
    from django.utils import timezone

    if programme is None:
        return str(timezone.localdate())
    return "due" if programme.is_due(month, now=now) else "open"


def cached_page_rows(user, programme, month, page, name: str) -> list:
    """The rows of one page of the month's expected reports (an `ExpectedPaginator`'s page whose
    filters `name` says), cached like the tally that counts them: per programme, scope and `as_of`
    (whether the month is due), until a report of the month or the pairings change. The status
    table's page of missing reports reads every expected row of the month to find them (at 10,000
    pairings 90 ms a request)."""

    from core.cache import cached_figures

    from .expectations import as_rows

    programme_id, scope = programme.pk if programme else 0, scope_of(user).key
    return cached_figures(
        f"rows:{name}:{programme_id}:{month}:{scope}:{as_of(programme, month)}:{page.number}:{page.paginator.per_page}",
        versions=["expectations", f"month:{month}"],
        compute=lambda: list(as_rows(page.object_list, month)),
    )


def cached_tally(user, programme, month, pairings):
    """The month's tally (reporting.expectations.Tally) of the pairings the user sees in the
    programme, cached per scope and `as_of` (whether the month is due) until a report of that month
    or the pairings change: the queue, the status table and the API's month count from it."""
    return cached_tallies(user, programme, [month], pairings)[0]


def cached_tallies(user, programme, months, pairings) -> list:
    """`cached_tally` of each of `months`, read from the cache together (the status table's year)."""

    from core.cache import cached_figures_many

    from .expectations import month_tally

    programme_id, scope = programme.pk if programme else 0, scope_of(user).key
    return cached_figures_many(
        [
            (
                f"tally:{programme_id}:{month}:{scope}:{as_of(programme, month)}",
                ["expectations", f"month:{month}"],
                lambda month=month: month_tally(month, pairings=pairings),
            )
            for month in months
        ]
    )


# The months before this one whose reports a liaison is reminded of when never submitted.
# A year: a month missed in July is still the liaison's to send in November (it had dropped off after three).
EARLIER_MONTHS = 12


def earlier_unsubmitted(user, month) -> list:
    """The school's reports of the EARLIER_MONTHS months before `month` that were never submitted (not
    started or missing), from the cached month rows: the liaison's home lists them, and the banner of
    every other page points to them."""
    from django.utils import timezone

    from core.cache import cached_figures

    from .expectations import State

    months = [month.shift(-back) for back in range(1, EARLIER_MONTHS + 1)]
    # One cache entry for the months together (the banner reads it on every page a liaison opens):
    # two round trips to the cache rather than two a month.
    return cached_figures(
        f"earlier-unsubmitted:{scope_of(user).key}:{month}:{timezone.localdate()}",
        versions=["expectations", *(f"month:{each}" for each in months)],
        compute=lambda: [
            row
            for each in months_maybe_unsubmitted(user, months)
            for row in school_month_rows(user, each)
            if row.state in (State.NOT_STARTED, State.MISSING)
        ],
    )


def months_maybe_unsubmitted(user, months) -> list:
    """Of `months`, those whose rows for the liaison's school may hold a report never submitted, so
    that `earlier_unsubmitted` asks the engine (reporting.expectations) only about them: a month is
    left out when every pairing the school is a party of (lead, assisting, or replaced in it), and
    that runs in the month (`pairing_runs_in`), has the school's report first submitted. Such a month
    has no row not started or missing, whatever else the engine reckons (which schools of a pairing
    report, replacements): its rows are among those pairings, and a row whose report was submitted
    is never either. Two queries for the twelve months, where asking the engine costs three a month
    (a liaison's first page of the day, and every test that opens one: about 0.4 s)."""
    from django.db.models import Q

    from core.policy import school_id_of
    from pairing.selectors import pairings_reported_by

    from .expectations import pairing_runs_in

    school_id = school_id_of(user)
    if school_id is None or not months:
        return list(months)
    parties = (
        pairings_reported_by(user)
        .filter(
            Q(lead_university_id=school_id)
            | Q(assisting_schools=school_id)
            | Q(replacements__old_school_id=school_id)
        )
        .select_related("programme")
        .distinct()
    )
    firsts = [each.first_day for each in months]
    submitted = set(
        MonthlyReport.objects.filter(
            school_id=school_id, month__in=firsts, first_submitted_at__isnull=False
        ).values_list("pairing_id", "month")
    )
    return [
        each
        for each in months
        if any(
            pairing_runs_in(pairing, each) and (pairing.pk, each.first_day) not in submitted
            for pairing in parties
        )
    ]


WAITING_MONTHS_SHOWN = 12


def waiting_review_by_month(*, user, programme) -> list[tuple]:
    """The months (newest first, WAITING_MONTHS_SHOWN besides any one month a page leaves out) with the
    user's reports of the programme waiting for review, and how many: [(date, count)]. Counting them
    reads every report in review (tens of milliseconds with a province's backlog), so the result is
    cached per scope and programme until a report or the registry changes."""
    from django.db.models import Count

    from core.cache import cached_figures

    def count() -> list[tuple]:
        return list(
            reports_visible_to(user)
            .filter(status__in=MonthlyReport.IN_REVIEW, pairing__programme=programme)
            .order_by("-month")
            .values_list("month")
            .annotate(count=Count("pk"))[: WAITING_MONTHS_SHOWN + 1]
        )

    return cached_figures(
        f"waiting-review:{programme.pk if programme else 0}:{scope_of(user).key}",
        versions=["expectations", "reports"],
        compute=count,
    )


def report_get_for_user(*, user, pk) -> MonthlyReport:
    try:
        return (
            reports_visible_to(user)
            .select_related(
                "pairing__programme",
                "pairing__town",
                "pairing__lead_university",
                "school",
                "reviewed_by",
                "submitted_by",
                "created_by",
            )
            .prefetch_related("values__indicator", "attachments", "pairing__assisting_schools")
            .get(pk=pk)
        )
    except (MonthlyReport.DoesNotExist, ValueError, TypeError):
        raise Http404("No such report") from None


def summaries_visible_to(user) -> QuerySet[MonthlySummary]:
    if not can(user, "summary.view"):
        return MonthlySummary.objects.none()
    return MonthlySummary.objects.all()


def summary_get_for_user(*, user, pk) -> MonthlySummary:
    try:
        return summaries_visible_to(user).select_related("programme").get(pk=pk)
    except (MonthlySummary.DoesNotExist, ValueError, TypeError):
        raise Http404("No such summary") from None


def export_jobs_visible_to(user) -> QuerySet[ExportJob]:
    """A user's own export jobs (the file is theirs alone)."""
    if not can(user, "export.run"):
        return ExportJob.objects.none()
    return ExportJob.objects.filter(user_id=user.pk)


def export_job_get_for_user(*, user, pk) -> ExportJob:
    try:
        return export_jobs_visible_to(user).select_related("programme").get(pk=pk)
    except (ExportJob.DoesNotExist, ValueError, TypeError):
        raise Http404("No such export") from None


def liaisons_by_school(school_ids) -> dict[int, list[User]]:
    """Active liaisons of each school, for reminders and the contact column."""
    users = User.objects.filter(
        is_active=True, groups__name=LIAISON, profile__school_id__in=list(school_ids)
    ).select_related("profile")
    found: dict[int, list[User]] = {}
    for user in users.order_by("pk"):
        found.setdefault(user.profile.school_id, []).append(user)
    return found


def bureau_users() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=BUREAU).select_related("profile").distinct()
