"""Reads of the monthly reports, shared by pages, reminders and (later) the API.

`reports_visible_to(user)` and `report_get_for_user(user=..., pk=...)` are the only doors to reports.
`expected_reports` lists what is due for a month, including reports nobody has started.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from pairing.models import Pairing, School
from pairing.selectors import pairings_visible_to
from portal.roles import BUREAU, COMMANDER, LIAISON, role_of

from .models import MonthlyReport
from .services import pairing_runs_in_month


def reports_visible_to(user) -> QuerySet[MonthlyReport]:
    role = role_of(user)
    reports = MonthlyReport.objects.all()
    if role in {BUREAU, COMMANDER}:
        return reports
    profile = getattr(user, "profile", None) if user.is_authenticated else None
    if role == LIAISON and profile and profile.school_id:
        return reports.filter(school_id=profile.school_id)
    # Town liaisons read their town's reports.
    return (
        reports.filter(pairing__in=pairings_visible_to(user))
        if profile and profile.town_id
        else reports.none()
    )


def report_get_for_user(*, user, pk: int) -> MonthlyReport:
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
            .prefetch_related("values__indicator", "attachments")
            .get(pk=pk)
        )
    except MonthlyReport.DoesNotExist:
        raise Http404("No such report") from None


@dataclass
class ExpectedReport:
    pairing: Pairing
    school: School
    month: datetime.date
    report: MonthlyReport | None

    @property
    def due_at(self) -> datetime.datetime:
        return self.pairing.programme.due_at(self.month)

    @property
    def is_submitted(self) -> bool:
        return self.report is not None and self.report.first_submitted_at is not None

    @property
    def is_returned(self) -> bool:
        return self.report is not None and self.report.status == MonthlyReport.Status.RETURNED

    @property
    def is_missing(self) -> bool:
        return not self.is_submitted and timezone.now() > self.due_at

    @property
    def is_late(self) -> bool:
        return self.report is not None and self.report.is_late

    @property
    def state(self) -> str:
        """not_started / draft / submitted / returned / resubmitted / accepted, or missing after the due moment."""
        if self.is_missing:
            return "missing"
        return self.report.status if self.report else "not_started"


def expected_reports(
    *, month: datetime.date, pairings: QuerySet[Pairing] | None = None, school_id: int | None = None
) -> list[ExpectedReport]:
    """Every (pairing, school) that owes a report for the month, with its report if one exists.
    Three queries whatever the number of pairings."""
    return expected_reports_by_month(months=[month], pairings=pairings, school_id=school_id)[month]


def expected_reports_by_month(
    *, months: list[datetime.date], pairings: QuerySet[Pairing] | None = None, school_id: int | None = None
) -> dict[datetime.date, list[ExpectedReport]]:
    """The same for several months at once, still in three queries."""
    pairings = list(
        (pairings if pairings is not None else Pairing.objects.all())
        .select_related("programme", "town", "lead_university")
        .prefetch_related("assisting_schools")
    )
    reports = {
        (r.pairing_id, r.school_id, r.month): r
        for r in MonthlyReport.objects.filter(
            month__in=months, pairing__in=[p.pk for p in pairings]
        ).select_related("submitted_by", "reviewed_by")
    }
    found: dict[datetime.date, list[ExpectedReport]] = {}
    for month in months:
        rows = found.setdefault(month, [])
        for pairing in sorted(pairings, key=lambda p: (p.programme_id, p.number)):
            if pairing.programme.first_report_month > month or not pairing_runs_in_month(pairing, month):
                continue
            for school in [pairing.lead_university, *pairing.assisting_schools.all()]:
                if school_id is None or school.pk == school_id:
                    rows.append(
                        ExpectedReport(pairing, school, month, reports.get((pairing.pk, school.pk, month)))
                    )
    return found


def liaisons_by_school(school_ids) -> dict[int, list]:
    """Active liaisons of each school, for reminders and the contact column."""
    from django.contrib.auth.models import User

    users = User.objects.filter(
        is_active=True, groups__name=LIAISON, profile__school_id__in=list(school_ids)
    ).select_related("profile")
    found: dict[int, list] = {}
    for user in users:
        found.setdefault(user.profile.school_id, []).append(user)
    return found


def bureau_users():
    from django.contrib.auth.models import User

    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__name=BUREAU))
        .select_related("profile")
        .distinct()
    )
