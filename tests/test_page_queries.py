"""Every main page of every role runs the same number of queries at 8 pairings and at 208, with a
month of reports in both: no list, count or state is computed row by row."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pairing.models import Pairing, Programme
from reporting.models import MonthlyReport
from tests.factories import bulk_pairings
from tests.helpers import cache_as_committed, client_for

pytestmark = pytest.mark.django_db

PAGES = {
    "bureau": [
        "/pairings/",
        "/pairings/compliance/",
        "/reports/queue/?month=2024-02",
        "/reports/status/?month=2024-02",
        "/reports/summaries/",
        "/dashboard/",
        "/pairings/6/",
        "/api/v1/pairings/",
        "/api/v1/reports/",
        "/api/v1/months/2024-02/",
        "/api/v1/months/2024-02/reports/",
    ],
    "town_liaison": ["/pairings/", "/reports/queue/?month=2024-02", "/reports/status/?month=2024-02"],
    "liaison": ["/reports/", "/pairings/6/", "/api/v1/reports/"],
}


def reports_for(pairings, author, month=datetime.date(2024, 2, 1)) -> None:
    """A month of reports, one per school: every third submitted, every seventh returned."""
    reports = []
    for index, pairing in enumerate(pairings):
        for school in [pairing.lead_university, *pairing.assisting_schools.all()]:
            status = "returned" if index % 7 == 0 else "submitted" if index % 3 == 0 else "draft"
            submitted = datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC) if status != "draft" else None
            fields = {"status": status, "first_submitted_at": submitted, "submitted_at": submitted}
            reports.append(
                MonthlyReport(pairing=pairing, school=school, month=month, created_by=author, **fields)
            )
    MonthlyReport.objects.bulk_create(reports)


def count(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


@pytest.mark.parametrize("role", list(PAGES))
def test_each_page_runs_the_same_queries_at_8_and_at_208_pairings(users, indicators, role):
    from core.cache import bump

    client = client_for(users[role])
    with cache_as_committed():  # the reports as if committed before the pages are asked for
        reports_for(Pairing.objects.prefetch_related("assisting_schools"), users["liaison"])
    small = {url: count(client, url) for url in PAGES[role]}
    with cache_as_committed():
        added = bulk_pairings(Programme.objects.get(), range(100, 300))
        reports_for(
            Pairing.objects.filter(pk__in=[p.pk for p in added]).prefetch_related("assisting_schools"),
            users["bureau"],
        )
        bump("month:2024-02")  # bulk_create sends no signals: the cached figures must be computed again
    large = {url: count(client, url) for url in PAGES[role]}
    assert large == small
