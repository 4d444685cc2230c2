"""The REST API: every endpoint x method x role, the report lifecycle through the API, errors in the
caller's language, and the schema."""

import datetime
import os

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pairing.models import Pairing
from reporting.models import MonthlyReport
from tests.helpers import QUERY_BUDGET, ROLES, client_for, loaded_urls, off_site
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

READ_ALL = {"bureau", "commander"}


def api_for(user, language="zh-hans") -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.mark.parametrize(
    ("role", "numbers"),
    [
        ("bureau", list(range(1, 9))),
        ("commander", list(range(1, 9))),
        ("liaison", [6]),
        ("assisting_liaison", [6]),
        ("other_liaison", [4]),
        ("town_liaison", [6]),
        ("other_town_liaison", [4]),
    ],
)
def test_pairings_are_scoped_like_the_pages(users, role, numbers):
    response = api_for(users[role]).get("/api/v1/pairings/")
    assert [p["number"] for p in response.json()["results"]] == numbers


@pytest.mark.parametrize("role", ROLES)
def test_another_schools_pairing_and_report_answer_404(users, indicators, role):
    report = make_report(users["liaison"])  # 长安, 东莞理工学院
    pairing_status = api_for(users[role]).get("/api/v1/pairings/4/").status_code  # 塘厦
    report_status = api_for(users[role]).get(f"/api/v1/reports/{report.pk}/").status_code
    sees_tangxia = role in {"bureau", "commander", "other_liaison", "other_town_liaison"}
    sees_report = role in {"bureau", "commander", "liaison", "town_liaison"}
    assert pairing_status == (403 if role == "no_role" else 200 if sees_tangxia else 404)
    assert report_status == (403 if role == "no_role" else 200 if sees_report else 404)


def test_the_report_lists_total_is_cached_per_scope_and_follows_every_new_report(users, indicators):
    bureau, liaison, other = (api_for(users[role]) for role in ("bureau", "liaison", "other_liaison"))
    assert [c.get("/api/v1/reports/").json()["count"] for c in (bureau, liaison, other)] == [0, 0, 0]
    make_report(users["liaison"])  # 长安, 东莞理工学院
    make_report(users["liaison"], month=datetime.date(2024, 3, 1))
    assert [c.get("/api/v1/reports/").json()["count"] for c in (bureau, liaison, other)] == [2, 2, 0]
    assert bureau.get("/api/v1/reports/", {"month": "2024-03"}).json()["count"] == 1


def test_anonymous_calls_are_refused(dongguan):
    assert APIClient().get("/api/v1/pairings/").status_code in {401, 403}


def test_token_authentication(users):
    token = Token.objects.create(user=users["commander"])
    client = APIClient(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert len(client.get("/api/v1/pairings/").json()["results"]) == 8


def test_pairings_carry_their_compliance_for_the_year(users):
    data = api_for(users["bureau"]).get("/api/v1/pairings/6/", {"year": 2024}).json()
    assert data["compliance"]["team_size"] == ["服务工作队0人，少于6人"]
    assert data["compliance_year"] == 2024


def test_by_default_a_pairings_compliance_is_for_its_programmes_last_year_as_on_its_page(users):
    """An ended programme's pairing answered {} for this year (it did not run), which read as 'no
    rules'; the page shows its last year, and so does the API, saying which."""
    from pairing.models import Pairing

    programme = Pairing.objects.get(number=6).programme
    programme.end_date = datetime.date(2024, 12, 31)
    programme.save()
    data = api_for(users["bureau"]).get("/api/v1/pairings/6/").json()
    assert data["compliance_year"] == 2024
    assert data["compliance"]["team_size"] == ["服务工作队0人，少于6人"]
    listed = api_for(users["bureau"]).get("/api/v1/pairings/").json()["results"]
    assert {entry["compliance_year"] for entry in listed} == {2024}


def test_the_report_lifecycle_through_the_api(users, indicators):
    liaison, bureau = api_for(users["liaison"]), api_for(users["bureau"])
    month = timezone.localdate().replace(day=1).strftime("%Y-%m")
    created = liaison.post("/api/v1/reports/", {"pairing": 6, "month": month}, format="json")
    assert created.status_code == 201 and created.json()["status"] == "draft"
    again = liaison.post("/api/v1/reports/", {"pairing": 6, "month": month}, format="json")
    assert again.status_code == 200 and again.json()["id"] == created.json()["id"], "opened, not made twice"
    report = created.json()
    url = f"/api/v1/reports/{report['id']}/"
    saved = liaison.patch(
        url,
        {
            "version": report["version"],
            "values": {"activities_held": "3", "residency_days": "8"},
            "narratives": {"talent": "培训"},
        },
        format="json",
    )
    assert saved.status_code == 200 and saved.json()["values"]["activities_held"] == "3.00"
    stale = liaison.patch(
        url, {"version": report["version"], "values": {"activities_held": "4"}}, format="json"
    )
    assert stale.status_code == 400
    assert bureau.post(f"{url}accept/").status_code == 400  # not submitted yet
    assert liaison.post(f"{url}submit/").json()["status"] == "submitted"
    assert liaison.post(f"{url}accept/").status_code == 403
    returned = bureau.post(f"{url}return/", {"comment": "请补充"}, format="json")
    assert returned.json()["status"] == "returned" and returned.json()["review_comment"] == "请补充"
    version = liaison.get(url).json()["version"]
    liaison.patch(
        url, {"version": version, "values": {"activities_held": "5", "residency_days": "8"}}, format="json"
    )
    assert liaison.post(f"{url}submit/").json()["status"] == "resubmitted"
    accepted = bureau.post(f"{url}accept/")
    assert accepted.json()["status"] == "accepted"
    locked = liaison.patch(
        url, {"version": accepted.json()["version"], "values": {"activities_held": "6"}}, format="json"
    )
    assert locked.status_code == 400
    assert MonthlyReport.objects.get().status == "accepted"


def test_a_list_of_reports_gives_each_its_own_values_as_its_detail_does(users, indicators):
    """The list reads its page's values together; each report still shows its own, as its detail."""
    from reporting.services import report_save_draft

    for month, number in ((datetime.date(2024, 2, 1), "3"), (datetime.date(2024, 3, 1), "5")):
        report = make_report(users["liaison"], month=month)
        report_save_draft(report=report, user=users["liaison"], values={"activities_held": number})
    client = api_for(users["bureau"])
    listed = client.get("/api/v1/reports/").json()["results"]
    assert {r["values"]["activities_held"] for r in listed} == {"3.00", "5.00"}
    for row in listed:
        assert row["values"] == client.get(f"/api/v1/reports/{row['id']}/").json()["values"]


def test_the_due_moment_holds_through_the_api(users, indicators):
    report = make_report(users["liaison"], month=datetime.date(2024, 2, 1))
    liaison = api_for(users["liaison"])
    liaison.patch(
        f"/api/v1/reports/{report.pk}/",
        {"version": 1, "values": {"activities_held": "1", "residency_days": "1"}},
        format="json",
    )
    assert liaison.post(f"/api/v1/reports/{report.pk}/submit/").json()["is_late"] is True


@pytest.mark.parametrize(
    ("language", "message"), [("zh-hans", "数值不能为负数。"), ("en", "The value cannot be negative.")]
)
def test_invalid_values_get_400_with_field_errors_in_the_callers_language(
    users, indicators, language, message
):
    report = make_report(users["liaison"])
    response = api_for(users["liaison"], language).patch(
        f"/api/v1/reports/{report.pk}/", {"version": 1, "values": {"activities_held": "-1"}}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"activities_held": [message]}


def test_a_month_outside_the_programme_is_refused(users, indicators):
    response = api_for(users["liaison"]).post(
        "/api/v1/reports/", {"pairing": 6, "month": "2023-12"}, format="json"
    )
    assert response.status_code == 400 and response.json() == {"month": ["月报从2024-01开始报送。"]}
    response = api_for(users["other_liaison"]).post(
        "/api/v1/reports/", {"pairing": 6, "month": "2024-02"}, format="json"
    )
    assert response.status_code == 404


def test_schema_and_docs_are_served_without_a_cdn(users):
    client = client_for(users["commander"])
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    assert "/api/v1/reports/{id}/submit/" in schema["paths"]
    docs = client.get("/api/docs/").content.decode()
    assert any(url.startswith("/static/drf_spectacular_sidecar/") for url in loaded_urls(docs))
    assert off_site(docs) == []


def test_the_schema_is_generated_without_a_warning():
    # What `manage.py spectacular --validate --fail-on-warn` checks; check --deploy shows the same warnings.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", os.devnull)


def test_the_months_answers_have_the_shape_the_schema_documents(users):
    client = client_for(users["bureau"])
    components = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()[
        "components"
    ]["schemas"]

    def documented(name: str) -> set[str]:
        return set(components[name]["properties"])

    figures = api_for(users["bureau"]).get("/api/v1/months/2024-02/").json()
    assert set(figures) == documented("MonthFigures")
    assert set(figures["counts"]) == documented("MonthCounts")
    page = api_for(users["bureau"]).get("/api/v1/months/2024-02/reports/").json()
    assert set(page) == documented("ExpectedReportPage")
    assert page["results"] and set(page["results"][0]) == documented("ExpectedReport")


def test_the_api_lists_in_a_fixed_number_of_queries(users, django_assert_max_num_queries):
    from tests.factories import bulk_pairings

    client = api_for(users["bureau"])
    with django_assert_max_num_queries(QUERY_BUDGET) as small:
        assert client.get("/api/v1/pairings/").status_code == 200
    programme = Pairing.objects.first().programme
    bulk_pairings(programme, range(100, 160))
    with django_assert_max_num_queries(len(small)):
        assert client.get("/api/v1/pairings/").status_code == 200


@pytest.mark.parametrize(
    ("role", "create", "patch", "submit", "accept"),
    [
        ("bureau", 403, 403, 403, 400),
        ("commander", 403, 403, 403, 403),
        ("liaison", 201, 200, 200, 403),
        ("assisting_liaison", 201, 404, 404, 404),
        ("other_liaison", 404, 404, 404, 404),
        ("town_liaison", 403, 403, 403, 403),
        ("other_town_liaison", 403, 404, 404, 404),
        ("no_role", 403, 403, 403, 403),
    ],
)
def test_report_actions_by_role(users, indicators, role, create, patch, submit, accept):
    report = make_report(users["liaison"], month=datetime.date(2024, 3, 1))
    client = api_for(users[role])
    assert (
        client.post("/api/v1/reports/", {"pairing": 6, "month": "2024-02"}, format="json").status_code
        == create
    )
    url = f"/api/v1/reports/{report.pk}/"
    body = {"version": 1, "values": {"activities_held": "1", "residency_days": "1"}}
    assert client.patch(url, body, format="json").status_code == patch
    assert client.post(f"{url}submit/").status_code == submit
    assert client.post(f"{url}accept/").status_code == accept


def test_a_months_expected_reports_page_through_every_row_once_with_the_tallys_count(users, settings):
    """/api/v1/months/…/reports/ pages as the review queue does: the total is the month's tally and
    the pages, followed by their `next` links, give every expected row once, each state filter too."""
    from core.months import Month
    from reporting.expectations import expected_reports, month_tally

    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "PAGE_SIZE": 5}
    client = api_for(users["bureau"])
    month = Month(2024, 2)
    tally = month_tally(month)
    for state, expected in [(None, tally.expected), ("missing", tally.missing)]:
        url, seen = "/api/v1/months/2024-02/reports/" + (f"?state={state}" if state else ""), []
        count = None
        while url:
            page = client.get(url).json()
            count = page["count"] if count is None else count
            assert page["count"] == count
            seen += [(row["pairing"], row["school"]) for row in page["results"]]
            url = page["next"]
        rows = expected_reports(month, states=[state] if state else None)
        assert count == expected == len(seen) == len(set(seen))
        assert seen == [(row.pairing_id, row.school_id) for row in rows]


def test_a_pairings_members_are_listed_by_pairing_with_their_dates(users, pairing_activity):
    """/api/v1/memberships/?pairing=6 lists that pairing's members only (the filter was ignored), each
    with the dates it joined and left."""
    client = api_for(users["bureau"])
    everyone = client.get("/api/v1/memberships/").json()["count"]
    page = client.get("/api/v1/memberships/", {"pairing": 6}).json()
    assert 0 < page["count"] < everyone
    assert {row["pairing"] for row in page["results"]} == {6}
    assert {"joined_on", "left_on"} <= set(page["results"][0])


def test_a_patch_changes_what_it_sends_and_keeps_the_rest(users, indicators):
    """PATCH is partial: a second PATCH with one value keeps the narratives, the texts and the other
    values the first one saved (it emptied them). An unknown kind of cooperation, or a body that is
    not an object, is refused with a message (the latter was a 500)."""
    liaison = api_for(users["liaison"])
    month = timezone.localdate().replace(day=1).strftime("%Y-%m")
    report = liaison.post("/api/v1/reports/", {"pairing": 6, "month": month}, format="json").json()
    url = f"/api/v1/reports/{report['id']}/"
    first = {
        "version": report["version"],
        "values": {"activities_held": "3", "residency_days": "8"},
        "narratives": {"talent": "培训"},
        "difficulties": "无",
        "next_month_plan": "继续",
    }
    saved = liaison.patch(url, first, format="json").json()
    again = liaison.patch(
        url, {"version": saved["version"], "values": {"activities_held": "7"}}, format="json"
    )
    assert again.status_code == 200
    body = again.json()
    assert body["values"]["activities_held"] == "7.00" and body["values"]["residency_days"] == "8.00"
    assert body["narratives"]["talent"] == "培训"
    assert (body["difficulties"], body["next_month_plan"]) == ("无", "继续")
    unknown = liaison.patch(url, {"version": body["version"], "narratives": {"foo": "x"}}, format="json")
    assert unknown.status_code == 400 and "未知的合作内容类别：foo。" in unknown.content.decode()
    listed = liaison.post("/api/v1/reports/", [1, 2], format="json")
    assert listed.status_code == 400 and "请以JSON对象发送结对和月份。" in listed.content.decode()


def test_a_missing_object_is_said_in_the_callers_language(users):
    """404 bodies say "not found" in the caller's language, not Django's English sentence naming the
    model ("No MonthlyReport matches the given query.")."""
    for url in ["/api/v1/reports/99999/", "/api/v1/pairings/99999/", "/api/v1/reports/99999/submit/"]:
        response = (
            api_for(users["liaison"]).get(url) if "submit" not in url else api_for(users["liaison"]).post(url)
        )
        assert response.status_code == 404
        assert response.json() == {"detail": "未找到。"}, (url, response.content)
    assert api_for(users["liaison"], "en").get("/api/v1/reports/99999/").json() == {"detail": "Not found."}


def test_teams_and_members_keep_to_the_programme_asked_for(users, pairing_activity):
    """?programme= was ignored: Yibin's request listed Dongguan's 41 teams and 157 members."""
    from pairing.models import Programme
    from tests.factories import ProgrammeFactory

    api = api_for(users["bureau"])
    dongguan, other = Programme.objects.get(), ProgrammeFactory()
    teams = api.get("/api/v1/teams/", {"programme": dongguan.pk}).json()
    assert teams["count"] > 0
    assert api.get("/api/v1/teams/", {"programme": other.pk}).json()["count"] == 0
    assert api.get("/api/v1/memberships/", {"programme": dongguan.pk}).json()["count"] > 0
    assert api.get("/api/v1/memberships/", {"programme": other.pk}).json()["count"] == 0


@pytest.mark.parametrize("state", ["waiting", "on_time", "late"])
def test_a_months_rows_filter_by_the_groupings_the_queue_and_the_counts_name(users, indicators, state):
    """?state=waiting (on_time, late) answered 400 from the month's rows, though its own counts and the
    queue use those names: the rows are the queue's, as many as the count says."""

    from tests.reporting.conftest import make_report

    report = make_report(users["liaison"])
    MonthlyReport = type(report)
    MonthlyReport.objects.filter(pk=report.pk).update(
        status="submitted", submitted_at=timezone.now(), first_submitted_at=timezone.now()
    )
    api = api_for(users["bureau"])
    rows = api.get("/api/v1/months/2024-02/reports/", {"state": state})
    assert rows.status_code == 200
    queue = client_for(users["bureau"])
    listed = queue.get("/reports/queue/", {"month": "2024-02", "state": state}).context["rows"]
    assert [(row["pairing"], row["school"]) for row in rows.json()["results"]] == [
        (row.pairing_id, row.school_id) for row in listed
    ]
    counts = api.get("/api/v1/months/2024-02/").json()["counts"]
    assert rows.json()["count"] == counts["waiting_review" if state == "waiting" else state]


def test_the_api_says_each_programmes_shape_and_each_pairings_lead_unit(users):
    """The API described every programme in Dongguan's terms (residency days for a programme that
    checks none) and left out Ruicheng's county lead units."""
    from django.core.management import call_command

    call_command("loaddata", "ruicheng_2021", verbosity=0)
    api = api_for(users["bureau"])
    programmes = {p["code"]: p for p in api.get("/api/v1/programmes/").json()["results"]}
    ruicheng = programmes["ruicheng-2021"]
    assert {"kind", "counterpart_label", "reporters", "rules"} <= set(ruicheng)
    assert ruicheng["counterpart_label"] == "合作县" and "residency" not in ruicheng["rules"]
    pairings = api.get("/api/v1/pairings/", {"programme": ruicheng["id"]}).json()["results"]
    assert pairings and all(p["lead_unit"] for p in pairings)


def test_a_call_without_credentials_is_told_to_authenticate(db):
    """401 with the scheme to use (a token, or the session of a signed-in browser), not a bare 403."""

    response = Client().get("/api/v1/pairings/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "身份认证信息未提供。"}
