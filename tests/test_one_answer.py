"""One answer per question: on the demo data, after a report is returned and another reopened (or a
school replaced), the status page, the dashboard, the summaries page, the API and the workbook give
the same counts and the same indicator totals for the same month; a summary compiled before a change
to the month says it is out of date everywhere until it is compiled again."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from core.months import Month
from pairing.models import Programme
from reporting.compilation import compile_month
from reporting.models import MonthlyReport, MonthlySummary
from reporting.services import report_reopen, report_return
from tests.helpers import client_for
from tests.seeded import SharedRows

# One worker runs the whole module, so its module-scoped seeding is done once (`make test` uses
# pytest-xdist's --dist loadgroup), not once in each worker that draws one of its tests.
pytestmark = [pytest.mark.django_db, pytest.mark.xdist_group("one-answer")]

COUNTS = ["expected", "on_time", "late", "missing", "returned", "accepted"]


SHARED = SharedRows()


@pytest.fixture(scope="module", autouse=True)
def module_transaction(django_db_setup, django_db_blocker):
    """The module's tests share one transaction, rolled back at its end (tests/seeded.py)."""
    yield from SHARED.module_transaction(django_db_blocker)


@pytest.fixture(scope="module")
def demo_seeded(module_transaction, django_db_blocker, tmp_path_factory) -> None:
    """seed_demo with four months of reports, run once for the module (~3 s)."""
    media = tmp_path_factory.mktemp("demo-media")
    SHARED.make(
        "demo_seeded",
        django_db_blocker,
        media,
        lambda: call_command(
            "seed_demo", "--password", "demo-password-for-tests", "--report-months", "4", stdout=io.StringIO()
        ),
    )


@pytest.fixture(autouse=True)
def only_requested_registry(request) -> None:
    """Overrides the conftest's: a test that did not request the seeding sees none of it."""
    SHARED.hide_unrequested(request)


@pytest.fixture
def demo(demo_seeded) -> Programme:
    return Programme.objects.get(code="dongguan-bqw-2023")


def signed_in(username: str) -> Client:
    return client_for(User.objects.get(username=username))


def workbook_figures(summary: MonthlySummary) -> tuple[dict, dict]:
    with summary.workbook.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["汇总"]
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    labels = {
        "应报": "expected",
        "首次报送按时": "on_time",
        "首次报送逾期": "late",
        "缺报": "missing",
        "已退回": "returned",
        "已通过": "accepted",
    }
    counts = {labels[row[1]]: row[3] for row in rows if row[0] == "报送" and row[1] in labels}
    totals = {row[1]: Decimal(str(row[3])) for row in rows if row[0] == "指标"}
    return counts, totals


def every_place(programme: Programme, month: Month, summary: MonthlySummary) -> dict:
    bureau = signed_in("bureau")
    status = bureau.get("/reports/status/", {"month": str(month)}).context["table"]
    status_tally = next(entry["tally"] for entry in status if entry["month"] == month)
    dashboard = bureau.get("/dashboard/", {"programme": programme.pk}).context
    dashboard_counts = next(row for row in dashboard["submission"] if row["month"] == str(month))
    api = APIClient()
    api.force_authenticate(User.objects.get(username="commander"))
    live = api.get(f"/api/v1/months/{month}/", {"programme": programme.pk}).json()
    summaries = signed_in("commander").get("/reports/summaries/").context["summaries"]
    page_summary = next(s for s in summaries if s.pk == summary.pk)
    workbook_counts, workbook_totals = workbook_figures(page_summary)
    names = {i.code: i.name_zh for i in programme.indicators.all()}
    return {
        "counts": {
            "status page": {key: status_tally.as_dict()[key] for key in COUNTS},
            "dashboard": {key: dashboard_counts[key] for key in COUNTS},
            "API": {key: live["counts"][key] for key in COUNTS},
            "summaries page": {key: page_summary.counts[key] for key in COUNTS},
            "workbook": workbook_counts,
        },
        "totals": {
            "API": {names[code]: Decimal(value) for code, value in live["totals"].items()},
            "summaries page": {names[code]: Decimal(t["month"]) for code, t in page_summary.totals.items()},
            "workbook": workbook_totals,
        },
        "dashboard trends": {
            trend["name"]: Decimal(str(trend["values"][dashboard["months"].index(str(month))]))
            for trend in dashboard["trends"]
        },
        # Written the same way too, not "330" in one place and "330.00" in another.
        "totals as written": {
            "API": live["totals"],
            "API summary": {code: t["month"] for code, t in live["summary"]["totals"].items()},
            "summaries page": {code: t["month"] for code, t in page_summary.totals.items()},
        },
        "stale": {
            "summaries page": page_summary.is_stale,
            "API": live["summary"]["is_stale"],
            "dashboard": next(s for s in dashboard["summaries"] if s.pk == summary.pk).is_stale,
        },
    }


def assert_one_answer(found: dict) -> None:
    counts = list(found["counts"].values())
    assert all(c == counts[0] for c in counts), found["counts"]
    written = list(found["totals as written"].values())
    assert all(w == written[0] for w in written), found["totals as written"]
    totals = list(found["totals"].values())
    assert all(t == totals[0] for t in totals), found["totals"]
    for name, value in found["dashboard trends"].items():
        assert value == totals[0][name], name


def test_every_place_gives_the_same_month_after_a_return_and_a_reopen(demo):
    latest = Month.current().previous()  # submitted reports, one returned by the demo
    earlier = latest.previous()  # accepted reports
    bureau = User.objects.get(username="bureau")
    summaries = {month: compile_month(demo, month) for month in (latest, earlier)}
    for month, summary in summaries.items():
        found = every_place(demo, month, summary)
        assert_one_answer(found)
        assert found["stale"] == {"summaries page": False, "API": False, "dashboard": False}

    waiting = MonthlyReport.objects.filter(month=latest.first_day, status="submitted").first()
    report_return(report=waiting, reviewer=bureau, comment="请补充驻点天数")
    accepted = MonthlyReport.objects.filter(month=earlier.first_day, status="accepted").first()
    report_reopen(report=accepted, reviewer=bureau, reason="数字有误，请核对")

    for month, summary in summaries.items():
        found = every_place(demo, month, summary)
        assert found["stale"] == {"summaries page": True, "API": True, "dashboard": True}, month
        assert found["counts"]["API"] != found["counts"]["summaries page"], "the live figures moved on"
        summaries[month] = compile_month(demo, month)
        found = every_place(demo, month, summaries[month])
        assert found["stale"] == {"summaries page": False, "API": False, "dashboard": False}
        assert_one_answer(found)
    latest_counts = every_place(demo, latest, summaries[latest])["counts"]["API"]
    assert latest_counts["returned"] >= 2, "the demo's returned report and the one returned here"


def test_a_school_replaced_changes_no_month_already_reported(demo):
    """动态调整 keeps history: replacing a school leaves every place's figures of the months before as
    they were, and their compiled summaries up to date."""
    from pairing.models import School
    from pairing.services import pairing_replace_school

    latest = Month.current().previous()
    summaries = {month: compile_month(demo, month) for month in (latest, latest.previous())}
    before = {month: every_place(demo, month, summary) for month, summary in summaries.items()}
    pairing = demo.pairings.filter(assisting_schools__isnull=False).order_by("number").first()
    old = pairing.assisting_schools.order_by("name").first()
    assert MonthlyReport.objects.filter(pairing=pairing, school=old, month=latest.first_day).exists()
    new = (
        School.objects.filter(assisted_pairings__programme=demo, kind=old.kind)
        .exclude(assisted_pairings=pairing)
        .order_by("name")
        .first()
    )
    pairing_replace_school(pairing=pairing, old=old, new=new, reason="动态调整")
    for month, summary in summaries.items():
        found = every_place(demo, month, summary)
        assert_one_answer(found)
        assert found["counts"] == before[month]["counts"], month
        assert found["totals"] == before[month]["totals"], month
        assert found["stale"] == {"summaries page": False, "API": False, "dashboard": False}, month


def test_each_count_of_the_status_table_opens_the_rows_it_counts(demo):
    """A count of the status table links to the review queue filtered to what it counts, and the queue
    lists that many rows: after a return and a reopen too, when a report first submitted on time is
    now returned (counted on time, listed by "first submitted on time", shown as returned)."""
    import html
    import re

    latest = Month.current().previous()
    bureau_user = User.objects.get(username="bureau")
    on_time = MonthlyReport.objects.filter(month=latest.first_day, status="submitted").order_by("pk")
    returned = next(r for r in on_time if r.first_submitted_at < demo.late_from(latest))
    report_return(report=returned, reviewer=bureau_user, comment="请补充驻点天数")
    accepted = MonthlyReport.objects.filter(month=latest.previous().first_day, status="accepted").first()
    report_reopen(report=accepted, reviewer=bureau_user, reason="数字有误，请核对")
    bureau = signed_in("bureau")
    for month in (latest, latest.previous()):
        page = bureau.get("/reports/status/", {"month": str(month), "programme": demo.pk}).content.decode()
        links = re.findall(rf'<a href="(/reports/queue/\?month={month}[^"]*)">(\d+)</a>', page)
        states = {re.search(r"state=(\w+)", href).group(1) for href, _number in links}
        assert {"on_time", "returned"} <= states, (month, links)
        for href, number in links:
            response = bureau.get(html.unescape(href))
            assert response.status_code == 200
            assert len(response.context["rows"]) == int(number), href
    listed = bureau.get("/reports/queue/", {"month": str(latest), "programme": demo.pk, "state": "on_time"})
    assert returned.pk in {row.report_id for row in listed.context["rows"]}


def test_the_queue_counts_from_the_tally_what_it_lists(demo):
    """The queue's page count comes from the month's cached tally: it is the number of rows listed,
    for every state filter and for the lateness filters."""
    from reporting.expectations import ExpectedPaginator, expected_rows, month_tally

    bureau = signed_in("bureau")
    states = [
        "",
        "not_started",
        "draft",
        "missing",
        "submitted_on_time",
        "submitted_late",
        "returned",
        "accepted",
    ]
    for each in [demo.last_month(), demo.last_month().previous(), demo.last_month().shift(-2)]:
        for state in states:
            params = {"month": str(each), "programme": demo.pk, **({"state": state} if state else {})}
            response = bureau.get("/reports/queue/", params)
            assert response.status_code == 200
            listed = expected_rows(
                each, pairings=demo.pairings.all(), **({"states": [state]} if state else {})
            )
            assert response.context["page"].paginator.count == listed.count(), (each, state)
    month = demo.last_month().previous()
    for late in (True, False):
        tally = month_tally(month, pairings=demo.pairings.all())
        paged = ExpectedPaginator(month, 10, pairings=demo.pairings.all(), late=late, tally=tally)
        assert paged.count == expected_rows(month, pairings=demo.pairings.all(), late=late).count()


def test_a_reopened_report_is_called_reopened_and_counted_as_returned(demo):
    """A report the bureau reopened is "returned" to the month engine (counted so everywhere), but no
    page or workbook calls it returned: nothing was returned by a review."""
    month = Month.current().previous().previous()
    bureau_user = User.objects.get(username="bureau")
    accepted = MonthlyReport.objects.filter(month=month.first_day, status="accepted").order_by("pk")
    reopened, returned = accepted[0], accepted[1]
    report_reopen(report=reopened, reviewer=bureau_user, reason="数字有误，请核对")
    returned.status = MonthlyReport.Status.SUBMITTED
    returned.save()
    report_return(report=returned, reviewer=bureau_user, comment="请补充")
    bureau = signed_in("bureau")
    rows = bureau.get(
        "/reports/queue/", {"month": str(month), "programme": demo.pk, "state": "returned"}
    ).context["rows"]
    labels = {row.report_id: row.state_label for row in rows}
    assert labels == {reopened.pk: "已重新开放修改", returned.pk: "已退回"}
    page = bureau.get(f"/reports/{reopened.pk}/").content.decode()
    assert 'id="report-status">已重新开放修改</span>' in page
    status = bureau.get("/reports/status/", {"month": str(month), "programme": demo.pk}).context["table"]
    assert next(e["tally"] for e in status if e["month"] == month).returned == 2
    summary = compile_month(demo, month)
    with summary.workbook.open("rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read()))["报送情况"]
    states = {row[2]: row[3] for row in sheet.iter_rows(min_row=3, values_only=True)}
    assert states[reopened.school.name] == "已重新开放修改"
    assert states[returned.school.name] == "已退回"
    commander = signed_in("commander")
    export = {"programme": demo.pk, "from": str(month), "to": str(month)}
    csv_text = b"".join(commander.get("/reports/export/", {**export, "format": "csv"}).streaming_content)
    csv_states = {
        row["report_id"]: row["state"] for row in csv.DictReader(io.StringIO(csv_text.decode("utf-8-sig")))
    }
    assert (csv_states[str(reopened.pk)], csv_states[str(returned.pk)]) == ("reopened", "returned")
    xlsx = commander.get("/reports/export/", {**export, "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)))
    xlsx_states = {row[7]: row[8] for row in book["明细"].iter_rows(min_row=3, values_only=True)}
    assert (xlsx_states[reopened.pk], xlsx_states[returned.pk]) == ("已重新开放修改", "已退回")
    api = APIClient()
    api.force_authenticate(User.objects.get(username="commander"))
    found = api.get(f"/api/v1/months/{month}/reports/", {"programme": demo.pk, "state": "returned"}).json()[
        "results"
    ]
    assert {row["report"]: row["reopened"] for row in found} == {reopened.pk: True, returned.pk: False}


def test_the_banner_names_the_same_months_never_submitted_as_the_engine(demo):
    """The liaison's banner of earlier months never submitted asks the engine only about months where
    a pairing of the school lacks a submitted report (reporting.selectors.months_maybe_unsubmitted):
    it names the same rows as asking the engine about each of the twelve months, for a liaison of
    each demo programme, and again for both schools once one has replaced the other as a pairing's
    lead from three months ago."""
    from core.policy import school_id_of
    from pairing.models import School
    from pairing.services import pairing_replace_school
    from reporting.expectations import State
    from reporting.selectors import (
        EARLIER_MONTHS,
        earlier_unsubmitted,
        months_maybe_unsubmitted,
        school_month_rows,
    )

    month = Month.current()
    months = [month.shift(-back) for back in range(1, EARLIER_MONTHS + 1)]
    named = [
        "liaison-dgut",
        "liaison-jdgc",
        "liaison-yibin",
        "liaison-whut",
        "liaison-uestc",
        "liaison-ruicheng",
    ]

    def check(usernames) -> tuple[int, int]:
        rows = skipped = 0
        for user in User.objects.filter(username__in=usernames):
            never = (State.NOT_STARTED, State.MISSING)
            engine = [row for each in months for row in school_month_rows(user, each) if row.state in never]
            assert earlier_unsubmitted(user, month) == engine, user.username
            rows += len(engine)
            skipped += EARLIER_MONTHS - len(months_maybe_unsubmitted(user, months))
        return rows, skipped

    rows, skipped = check(named)
    assert rows > 0 and skipped > 0, "months of both kinds are tried"

    old_user = User.objects.get(username="liaison-dgut")
    old = School.objects.get(pk=school_id_of(old_user))
    pairing = demo.pairings.filter(lead_university=old).order_by("number").first()
    new_user = (
        User.objects.filter(profile__school__kind=old.kind, profile__school__led_pairings__programme=demo)
        .exclude(profile__school=old)
        .order_by("username")
        .first()
    )
    pairing_replace_school(
        pairing=pairing, old=old, new=new_user.profile.school, reason="动态调整", from_month=month.shift(-3)
    )
    assert check([old_user.username, new_user.username])[0] > 0


def test_the_engines_templates_answer_as_its_orm_queries_do(demo):
    """The month engine reads its rows, tallies and counts on PostgreSQL through SQL templates, one per
    shape (reporting.expectations._Template): for this and the last month, before and after
    a return, a reopen and a replacement, for a programme's pairings and for one school, they give
    what the ORM's queries give."""
    from django.db import connection

    from pairing.models import Pairing, School
    from pairing.services import pairing_replace_school
    from reporting import expectations
    from tests.conftest import need_service

    if connection.vendor != "postgresql":
        need_service("the templates are PostgreSQL's (DATABASE_URL)")

    def answers(month, scope) -> tuple:
        rows = expectations.expected_reports(month, **scope)
        waiting = expectations.expected_reports(month, states=expectations.State.WAITING_REVIEW, **scope)
        by_school = expectations.tallies_by(month, ("school_id_", "school_"), **scope)
        whole = expectations.month_tally(month, **scope)
        counted = expectations.expected_count(month, **scope)
        tallies = {key: tally.as_dict() for key, tally in by_school.items()}
        pages = expectations.ExpectedPaginator(month, 7, **scope)
        paged = list(expectations.as_rows(pages.get_page(2).object_list, month))
        return rows, waiting, tallies, whole.as_dict(), counted, paged

    def compare() -> int:
        compared = 0
        scopes = [
            {"pairings": Pairing.objects.filter(programme=demo).exclude(number=1)},
            {"school_id": demo.pairings.order_by("number").first().lead_university_id},
        ]
        assert expectations.expected_reports(Month.current(), pairings=Pairing.objects.none()) == []
        assert expectations.expected_count(Month.current(), pairings=Pairing.objects.none()) == 0
        assert expectations.month_tally(Month.current(), pairings=Pairing.objects.none()).expected == 0
        assert expectations.expected_reports(Month.current(), states=[]) == []
        for month in [Month.current(), Month.current().previous()]:
            for scope in scopes:
                templated = answers(month, scope)
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(expectations._Template, "usable", staticmethod(lambda: False))
                    assert templated == answers(month, scope), (str(month), scope)
                compared += len(templated[0])
        return compared

    assert compare() > 25  # rows compared, so a template that read nothing would not pass
    bureau_user = User.objects.get(username="bureau")
    latest = Month.current().previous()
    submitted = (
        MonthlyReport.objects.filter(month=latest.first_day, status="submitted").order_by("pk").first()
    )
    report_return(report=submitted, reviewer=bureau_user, comment="请补充驻点天数")
    accepted = MonthlyReport.objects.filter(month=latest.previous().first_day, status="accepted").first()
    report_reopen(report=accepted, reviewer=bureau_user, reason="数字有误，请核对")
    pairing = demo.pairings.filter(assisting_schools__isnull=False).order_by("number").first()
    old = pairing.assisting_schools.order_by("name").first()
    new = School.objects.filter(kind=old.kind).exclude(pk__in=pairing.assisting_schools.all()).first()
    pairing_replace_school(pairing=pairing, old=old, new=new, reason="动态调整")
    assert expectations.replacements_after(latest.previous())
    assert compare() > 25
