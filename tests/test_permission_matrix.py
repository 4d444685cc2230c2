"""The one permission matrix: every URL pattern of the portal (pages, downloads, history, the API),
every role, GET and POST, with the status each must answer.

`test_every_url_pattern_has_a_row` walks the URL configuration and fails when a pattern has no
row here (or a row names a pattern that no longer exists), so a new page cannot ship without
saying who may open it. The admin is covered by tests/portal/test_admin.py.

Statuses: 200 (or 201) served; 302 sent somewhere (to log in, for anonymous users on pages); 400
bad input; 401 no credentials (anonymous callers of the API: sign in, or send a token); 403 may see
but not do; 404 outside the user's scope (or a page the role does not
know); 405 wrong method.
"""

import datetime
from http.cookies import SimpleCookie
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from core.months import Month
from pairing.models import Agreement, JointMeeting, Membership, Pairing, Person, PracticeBase, Residency
from pairing.services import agreement_save
from reporting.compilation import compile_month
from reporting.models import ExportJob, MonthlyReport
from reporting.services import attachment_add, report_save_draft, report_submit
from tests.helpers import ROLES as SIGNED_IN
from tests.helpers import sign_in
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", *SIGNED_IN]
SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANGAN = 6  # 长安: 东莞理工学院 (liaison) with 东莞市机电工程学校 (assisting_liaison); town-changan
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _walk(patterns, namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern):
            yield f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name


def url_names() -> set[str]:
    """Every named URL pattern outside the admin (DRF's format-suffix twins share their name)."""
    return {name for name in _walk(get_resolver().url_patterns) if name and not name.startswith("admin:")}


@pytest.fixture
def world(users, indicators, settings, tmp_path):
    """The objects the URLs point at: pairing 6's records, a submitted report with an attachment, a
    compiled month and the commander's export."""
    settings.MEDIA_ROOT = tmp_path
    pairing = Pairing.objects.get(number=CHANGAN)
    person = Person.objects.create(name="张三", school=pairing.lead_university, title_grade="intermediate")
    team = pairing.team if hasattr(pairing, "team") else None
    from pairing.services import team_get_or_create

    team = team or team_get_or_create(pairing=pairing)
    membership = Membership.objects.create(team=team, person=person, role="member")
    residency = Residency.objects.create(
        team=team,
        start_date=datetime.date(2024, 3, 1),
        end_date=datetime.date(2024, 3, 5),
        place=pairing.town,
    )
    residency.people.set([person])
    meeting = JointMeeting.objects.create(
        pairing=pairing, held_on=datetime.date(2024, 3, 1), attendees="三方"
    )
    agreement_save(
        pairing=pairing,
        signed_on=datetime.date(2024, 1, 10),
        scanned_file=SimpleUploadedFile("agreement.png", PNG),
    )
    base = PracticeBase.objects.create(pairing=pairing, name="长安实践基地", place=pairing.town)
    liaison = users["liaison"]
    report = MonthlyReport.objects.create(
        pairing=pairing, school=pairing.lead_university, month=datetime.date(2024, 2, 1), created_by=liaison
    )
    report_save_draft(report=report, user=liaison, values={"activities_held": "1", "residency_days": "2"})
    attachment = attachment_add(report=report, user=liaison, upload=SimpleUploadedFile("photo.png", PNG))
    report_submit(report=report, user=liaison, now=datetime.datetime(2024, 2, 20, tzinfo=SHANGHAI))
    summary = compile_month(pairing.programme, Month(2024, 2))
    job = ExportJob.objects.create(
        user=users["commander"], programme=pairing.programme, parameters={"from": "2024-02", "to": "2024-02"}
    )
    return {
        "pairing": pairing.pk,
        "membership": membership.pk,
        "base": base.pk,
        "residency": residency.pk,
        "meeting": meeting.pk,
        "report": report.pk,
        "attachment": attachment.pk,
        "summary": summary.pk,
        "job": job.pk,
        "month": "2024-02",
        "programme": pairing.programme_id,
        "person": person.pk,
        "team": team.pk,
        "agreement_record": Agreement.history.filter(pairing_id=pairing.pk).latest().history_id,
    }


def client_for(role, users) -> Client:
    client = Client()
    if role != "anonymous":
        sign_in(client, users[role])
    return client


def test_every_url_pattern_has_a_row():
    names = url_names()
    assert sorted(names - set(MATRIX)) == [], "URL patterns without a row in the permission matrix"
    assert sorted(set(MATRIX) - names) == [], "rows for URL patterns that no longer exist"


PATHS = {
    "home": "/",
    "healthz": "/healthz",
    "favicon": "/favicon.ico",
    "login": "/accounts/login/",
    "logout": "/accounts/logout/",
    "lockouts": "/accounts/lockouts/",
    "set_language": "/i18n/setlang/",
    "dashboard": "/dashboard/",
    "audit": "/audit/",
    "pairing_history": "/pairings/{pairing}/history/",
    "report_history": "/reports/{report}/history/",
    "pairing:list": "/pairings/",
    "pairing:detail": "/pairings/{pairing}/",
    "pairing:compliance": "/pairings/compliance/",
    "pairing:programme_teams": "/pairings/programme-teams/",
    "pairing:town_choices": "/pairings/choices/towns/?q=长",
    "pairing:school_choices": "/pairings/choices/schools/?q=学",
    "pairing:village_choices": "/pairings/choices/villages/?q=村",
    "pairing:import": "/pairings/import/",
    "pairing:import_template": "/pairings/import/template/",
    "pairing:member_add": "/pairings/{pairing}/team/members/add/",
    "pairing:member_edit": "/pairings/{pairing}/team/members/{membership}/",
    "pairing:residency_add": "/pairings/{pairing}/residencies/add/",
    "pairing:residency_edit": "/pairings/{pairing}/residencies/{residency}/",
    "pairing:meeting_add": "/pairings/{pairing}/meetings/add/",
    "pairing:meeting_edit": "/pairings/{pairing}/meetings/{meeting}/",
    "pairing:annual_plan": "/pairings/{pairing}/plan/",
    "pairing:agreement_edit": "/pairings/{pairing}/agreement/",
    "pairing:agreement_file": "/pairings/{pairing}/agreement/file/",
    "pairing:agreement_scan": "/pairings/{pairing}/agreement/scans/{agreement_record}/",
    "pairing:practice_base_add": "/pairings/{pairing}/bases/add/",
    "pairing:review": "/pairings/{pairing}/review/",
    "pairing:adjust": "/pairings/{pairing}/adjust/",
    "reporting:home": "/reports/",
    "reporting:queue": "/reports/queue/",
    "reporting:bulk": "/reports/queue/decide/",
    "reporting:status": "/reports/status/",
    "reporting:summaries": "/reports/summaries/",
    "reporting:summary_compile": "/reports/summaries/compile/",
    "reporting:summary_workbook": "/reports/summaries/{summary}/workbook/",
    "reporting:export": "/reports/export/",
    "reporting:export_job": "/reports/export/jobs/{job}/",
    "reporting:start": "/reports/start/{pairing}/{month}/",
    "reporting:detail": "/reports/{report}/",
    "reporting:decide": "/reports/{report}/decide/",
    "reporting:reopen": "/reports/{report}/reopen/",
    "reporting:workbook": "/reports/{report}/workbook/",
    "reporting:attachment_upload": "/reports/{report}/attachments/",
    "reporting:attachment": "/reports/{report}/attachments/{attachment}/",
    "reporting:attachment_remove": "/reports/{report}/attachments/{attachment}/remove/",
    "api-root": "/api/v1/",
    "schema": "/api/schema/",
    "api-docs": "/api/docs/",
    "programme-list": "/api/v1/programmes/",
    "programme-detail": "/api/v1/programmes/{programme}/",
    "area-list": "/api/v1/areas/",
    "area-detail": "/api/v1/areas/1/",
    "school-list": "/api/v1/schools/",
    "school-detail": "/api/v1/schools/1/",
    "person-list": "/api/v1/people/",
    "person-detail": "/api/v1/people/{person}/",
    "pairing-list": "/api/v1/pairings/",
    "pairing-detail": "/api/v1/pairings/{pairing}/",
    "team-list": "/api/v1/teams/",
    "team-detail": "/api/v1/teams/{team}/",
    "membership-list": "/api/v1/memberships/",
    "membership-detail": "/api/v1/memberships/{membership}/",
    "base-list": "/api/v1/bases/",
    "base-detail": "/api/v1/bases/{base}/",
    "residency-list": "/api/v1/residencies/",
    "residency-detail": "/api/v1/residencies/{residency}/",
    "meeting-list": "/api/v1/meetings/",
    "meeting-detail": "/api/v1/meetings/{meeting}/",
    "report-list": "/api/v1/reports/",
    "report-detail": "/api/v1/reports/{report}/",
    "report-submit": "/api/v1/reports/{report}/submit/",
    "report-accept": "/api/v1/reports/{report}/accept/",
    "report-return-": "/api/v1/reports/{report}/return/",
    "summary-list": "/api/v1/summaries/",
    "summary-detail": "/api/v1/summaries/{summary}/",
    "month-detail": "/api/v1/months/{month}/",
    "month-reports": "/api/v1/months/{month}/reports/",
    "programme-totals-detail": "/api/v1/totals/{programme}/?from=2024-01&to=2024-12",
    "programme-figures-detail": "/api/v1/figures/{programme}/",
}


# name: {method: the status of each role, in the order of ROLES:
#   anonymous, bureau, commander, liaison, assisting_liaison, other_liaison, town_liaison,
#   other_town_liaison, no_role}
# The report is 东莞理工学院's (liaison); the export job is the commander's.
MATRIX: dict[str, dict[str, list[int]]] = {
    "api-docs": {
        "GET": [200, 200, 200, 200, 200, 200, 200, 200, 200],
        "POST": [405, 405, 405, 405, 405, 405, 405, 405, 405],
    },
    "api-root": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "area-detail": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "area-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "audit": {
        "GET": [302, 200, 404, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 404, 404, 404, 404, 404, 404, 404],
    },
    "dashboard": {
        "GET": [302, 200, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 200, 404, 404, 404, 404, 404, 404],
    },
    "favicon": {
        "GET": [302, 302, 302, 302, 302, 302, 302, 302, 302],
        "POST": [405, 405, 405, 405, 405, 405, 405, 405, 405],
    },
    "healthz": {
        "GET": [200, 200, 200, 200, 200, 200, 200, 200, 200],
        "POST": [405, 405, 405, 405, 405, 405, 405, 405, 405],
    },
    "home": {
        "GET": [302, 302, 302, 302, 302, 302, 302, 302, 403],
        "POST": [302, 302, 302, 302, 302, 302, 302, 302, 403],
    },
    "lockouts": {  # the bureau's list of locked logins; a POST without a lockout to lift is bad input
        "GET": [302, 200, 404, 404, 404, 404, 404, 404, 404],
        "POST": [302, 400, 404, 404, 404, 404, 404, 404, 404],
    },
    "login": {
        "GET": [200, 302, 302, 302, 302, 302, 302, 302, 302],
        "POST": [200, 302, 302, 302, 302, 302, 302, 302, 302],
    },
    "logout": {
        "GET": [405, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 302, 302, 302, 302, 302, 302, 302, 302],
    },
    "meeting-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "meeting-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "membership-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "membership-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "base-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "base-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "month-detail": {
        "GET": [401, 200, 200, 403, 403, 403, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "month-reports": {
        "GET": [401, 200, 200, 403, 403, 403, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "programme-totals-detail": {
        "GET": [401, 200, 200, 403, 403, 403, 403, 403, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "programme-figures-detail": {
        "GET": [401, 200, 200, 403, 403, 403, 403, 403, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "pairing-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "pairing-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "pairing:adjust": {
        "GET": [302, 200, 403, 403, 403, 404, 403, 404, 404],
        "POST": [302, 200, 403, 403, 403, 404, 403, 404, 404],
    },
    "pairing:agreement_edit": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:agreement_file": {
        "GET": [302, 200, 200, 200, 200, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 200, 404, 200, 404, 404],
    },
    "pairing:agreement_scan": {
        "GET": [302, 200, 200, 200, 200, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 200, 404, 200, 404, 404],
    },
    "pairing:annual_plan": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:compliance": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "pairing:programme_teams": {  # the programme's own teams and bases: for those who read everything
        "GET": [302, 200, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 200, 404, 404, 404, 404, 404, 404],
    },
    "pairing:town_choices": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "pairing:school_choices": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "pairing:village_choices": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "pairing:detail": {
        "GET": [302, 200, 200, 200, 200, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 200, 404, 200, 404, 404],
    },
    "pairing:import": {
        "GET": [302, 200, 404, 404, 404, 404, 404, 404, 404],
        "POST": [302, 400, 404, 404, 404, 404, 404, 404, 404],
    },
    "pairing:import_template": {
        "GET": [302, 200, 404, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 404, 404, 404, 404, 404, 404, 404],
    },
    "pairing:list": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "pairing:meeting_add": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:meeting_edit": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:member_add": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:member_edit": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:practice_base_add": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:residency_add": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:residency_edit": {
        "GET": [302, 200, 403, 200, 200, 404, 403, 404, 404],
        "POST": [302, 200, 403, 200, 200, 404, 403, 404, 404],
    },
    "pairing:review": {
        "GET": [302, 200, 403, 403, 403, 404, 403, 404, 404],
        "POST": [302, 200, 403, 403, 403, 404, 403, 404, 404],
    },
    "pairing_history": {
        "GET": [302, 200, 200, 200, 200, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 200, 404, 200, 404, 404],
    },
    "person-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "person-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "programme-detail": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "programme-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "report-accept": {
        "GET": [401, 405, 405, 405, 405, 405, 405, 405, 403],
        "POST": [401, 200, 403, 403, 404, 404, 403, 404, 403],
    },
    "report-detail": {
        "GET": [401, 200, 200, 200, 404, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "report-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 403, 403, 400, 400, 400, 403, 403, 403],
    },
    "report-return-": {
        "GET": [401, 405, 405, 405, 405, 405, 405, 405, 403],
        "POST": [401, 400, 403, 403, 404, 404, 403, 404, 403],
    },
    "report-submit": {
        "GET": [401, 405, 405, 405, 405, 405, 405, 405, 403],
        "POST": [401, 403, 403, 400, 404, 404, 403, 404, 403],
    },
    "report_history": {
        "GET": [302, 200, 200, 200, 404, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 404, 404, 200, 404, 404],
    },
    "reporting:attachment": {
        "GET": [302, 200, 200, 200, 404, 404, 200, 404, 404],
        "POST": [302, 200, 200, 200, 404, 404, 200, 404, 404],
    },
    "reporting:attachment_remove": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 403, 403, 302, 404, 404, 403, 404, 404],
    },
    "reporting:attachment_upload": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 403, 403, 302, 404, 404, 403, 404, 404],
    },
    "reporting:bulk": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 302, 403, 403, 403, 403, 403, 403, 403],
    },
    "reporting:decide": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 302, 403, 403, 404, 404, 403, 404, 404],
    },
    "reporting:detail": {
        "GET": [302, 200, 200, 200, 404, 404, 200, 404, 404],
        "POST": [302, 403, 403, 302, 404, 404, 403, 404, 404],
    },
    "reporting:export": {
        "GET": [302, 200, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 200, 404, 404, 404, 404, 404, 404],
    },
    "reporting:export_job": {
        "GET": [302, 404, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 404, 200, 404, 404, 404, 404, 404, 404],
    },
    "reporting:home": {
        "GET": [302, 302, 302, 200, 200, 200, 302, 302, 403],
        "POST": [302, 302, 302, 200, 200, 200, 302, 302, 403],
    },
    "reporting:queue": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "reporting:reopen": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 302, 403, 403, 404, 404, 403, 404, 404],
    },
    "reporting:start": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 403, 403, 302, 302, 404, 403, 404, 404],
    },
    "reporting:status": {
        "GET": [302, 200, 200, 404, 404, 404, 200, 200, 404],
        "POST": [302, 200, 200, 404, 404, 404, 200, 200, 404],
    },
    "reporting:summaries": {
        "GET": [302, 200, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 200, 404, 404, 404, 404, 404, 404],
    },
    "reporting:summary_compile": {
        "GET": [302, 405, 405, 405, 405, 405, 405, 405, 405],
        "POST": [302, 302, 404, 404, 404, 404, 404, 404, 404],
    },
    "reporting:summary_workbook": {
        "GET": [302, 200, 200, 404, 404, 404, 404, 404, 404],
        "POST": [302, 200, 200, 404, 404, 404, 404, 404, 404],
    },
    "reporting:workbook": {
        "GET": [302, 200, 200, 200, 404, 404, 200, 404, 404],
        "POST": [302, 403, 403, 302, 404, 404, 403, 404, 404],
    },
    "residency-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "residency-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "schema": {
        "GET": [200, 200, 200, 200, 200, 200, 200, 200, 200],
        "POST": [405, 405, 405, 405, 405, 405, 405, 405, 405],
    },
    "school-detail": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "school-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "set_language": {
        "GET": [302, 302, 302, 302, 302, 302, 302, 302, 302],
        "POST": [302, 302, 302, 302, 302, 302, 302, 302, 302],
    },
    "summary-detail": {
        "GET": [401, 200, 200, 404, 404, 404, 404, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "summary-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "team-detail": {
        "GET": [401, 200, 200, 200, 200, 404, 200, 404, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "team-list": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
}


def request_and_roll_back(client: Client, method: str, path: str) -> int:
    """One request inside a savepoint that is rolled back, so an accepted report or a logout in one
    row does not change what the next row finds. The client's cookies are put back too: the session
    a logout deleted comes back with the rollback, and the cookie that names it with them (one login
    per role, not one per request: a login costs as much as a small page)."""
    cookies = SimpleCookie(client.cookies)
    with transaction.atomic():
        status = getattr(client, method.lower())(path, {}).status_code
        transaction.set_rollback(True)
    client.cookies = cookies
    return status


@pytest.mark.parametrize("role", ROLES)
def test_each_url_answers_each_role_as_the_matrix_says(world, users, role):
    column = ROLES.index(role)
    client = client_for(role, users)
    found = {}
    for name, expected in MATRIX.items():
        path = PATHS[name].format(**world)
        for method, statuses in expected.items():
            status = request_and_roll_back(client, method, path)
            if status != statuses[column]:
                found[f"{method} {path} ({name})"] = (status, statuses[column])
    assert found == {}, "(answered, expected) per URL"


# In production (settings.API_DOCS_PUBLIC is False there) the schema and the docs describe the API to
# those who may use it: anonymous visitors are sent to log in (the docs page) or refused (the schema),
# signed-in users without a role are refused, like the API itself. MATRIX holds development's rows.
PRODUCTION_ROWS = {
    "schema": {
        "GET": [401, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [401, 405, 405, 405, 405, 405, 405, 405, 403],
    },
    "api-docs": {
        "GET": [302, 200, 200, 200, 200, 200, 200, 200, 403],
        "POST": [302, 405, 405, 405, 405, 405, 405, 405, 403],
    },
}


@pytest.mark.parametrize("role", ROLES)
def test_schema_and_docs_need_a_login_in_production(settings, users, role):
    settings.API_DOCS_PUBLIC = False
    column = ROLES.index(role)
    client = client_for(role, users)
    found = {}
    for name, expected in PRODUCTION_ROWS.items():
        for method, statuses in expected.items():
            status = request_and_roll_back(client, method, PATHS[name])
            if status != statuses[column]:
                found[f"{method} {PATHS[name]} ({name})"] = (status, statuses[column])
    assert found == {}, "(answered, expected) per URL"


def test_an_anonymous_visitor_is_sent_from_the_docs_to_log_in_and_back(settings):
    settings.API_DOCS_PUBLIC = False
    for path in ["/api/docs/", "/api/docs/?script="]:
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?next={quote(path)}"


BODIES = [
    {},
    {"comment": "改一下", "version": 1, "values": {"activities_held": "5"}},
    {"version": "x", "month": "nope"},
]
API_DETAIL = {
    "report-detail": ["get", "patch"],
    "report-submit": ["post"],
    "report-accept": ["post"],
    "report-return-": ["post"],
    "pairing-detail": ["get"],
    "team-detail": ["get"],
    "membership-detail": ["get"],
    "base-detail": ["get"],
    "residency-detail": ["get"],
    "meeting-detail": ["get"],
    "person-detail": ["get"],
}


@pytest.mark.parametrize("role", ["other_liaison", "other_town_liaison"])
def test_an_outsider_gets_404_from_every_api_detail_url_and_action_whatever_the_body(world, users, role):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(users[role])
    found = {}
    for name, methods in API_DETAIL.items():
        path = PATHS[name].format(**world)
        for method in methods:
            for body in BODIES:
                with transaction.atomic():
                    status = getattr(client, method)(path, body, format="json").status_code
                    transaction.set_rollback(True)
                if status != 404:
                    found[f"{method.upper()} {path} {body}"] = status
    assert found == {}
    assert MonthlyReport.objects.get(pk=world["report"]).status == "submitted"


def api_client(user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


# The registry and the summaries are read-only in the API; reports are never replaced or deleted.
WRITE_METHODS = ["post", "put", "patch", "delete"]
REGISTRY = [
    "programmes",
    "areas",
    "schools",
    "people",
    "pairings",
    "teams",
    "memberships",
    "bases",
    "residencies",
    "meetings",
    "summaries",
]


@pytest.mark.parametrize("role", SIGNED_IN)
def test_write_methods_on_read_only_endpoints_by_role(users, role):
    client = api_client(users[role])
    for endpoint in REGISTRY:
        for method in WRITE_METHODS:
            for url in [f"/api/v1/{endpoint}/", f"/api/v1/{endpoint}/1/"]:
                status = getattr(client, method)(url, {}, format="json").status_code
                assert status == (403 if role == "no_role" else 405), f"{role} {method.upper()} {url}"


@pytest.mark.parametrize("role", SIGNED_IN)
@pytest.mark.parametrize("method", ["put", "delete"])
def test_reports_cannot_be_replaced_or_deleted(users, indicators, role, method):
    report = make_report(users["liaison"])
    response = getattr(api_client(users[role]), method)(f"/api/v1/reports/{report.pk}/", {}, format="json")
    assert response.status_code == (403 if role == "no_role" else 405)
    assert MonthlyReport.objects.filter(pk=report.pk).exists()
