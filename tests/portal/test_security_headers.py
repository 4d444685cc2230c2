"""Every page carries the Content-Security-Policy and Permissions-Policy, and no template needs an
exception from them: no inline script, no inline event handler, no style attribute, no javascript:
link. (tests/browser/test_content_security_policy.py opens the pages in Chromium.)"""

import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from pairing.models import Pairing
from reporting.services import report_save_draft, report_submit
from tests.helpers import client_for, sign_in
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


class InlineCode(HTMLParser):
    """Collects what a strict policy refuses: <script> elements with code in them, on* attributes,
    style attributes and <style> elements, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self.in_script = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script":
            # Data for scripts (json_script) is not run; any other <script> must come from a file.
            self.in_script = "src" not in attributes and attributes.get("type") != "application/json"
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"<{tag} {name}>")
            if name == "style":
                self.found.append(f'<{tag} style="{value}">')
            if name in {"href", "src", "action", "formaction"} and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.found.append(f"<{tag} {name}={value}>")

    def handle_data(self, data):
        if self.in_script and data.strip():
            self.found.append(f"inline script: {data.strip()[:60]}")

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False


def inline_code(html: str) -> list[str]:
    parser = InlineCode()
    parser.feed(html)
    return parser.found


@pytest.fixture
def submitted_report(users, indicators):
    report = make_report(users["liaison"])
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1", "residency_days": "2"}
    )
    report_submit(report=report, user=users["liaison"], now=datetime.datetime(2024, 2, 20, tzinfo=SHANGHAI))
    return report


def pages(pairing: int, report: int) -> dict[str, list[str]]:
    return {
        "anonymous": ["/accounts/login/"],
        "bureau": [
            "/pairings/",
            f"/pairings/{pairing}/",
            "/pairings/compliance/",
            "/pairings/import/",
            f"/pairings/{pairing}/adjust/",
            f"/pairings/{pairing}/review/",
            f"/pairings/{pairing}/history/",
            "/reports/queue/?month=2024-02",
            "/reports/status/",
            "/reports/summaries/",
            "/reports/export/",
            f"/reports/{report}/",
            f"/reports/{report}/history/",
            "/dashboard/",
            "/audit/",
            "/api/docs/",
            "/admin/",
            "/pairings/999999/",  # the 404 page
        ],
        "liaison": [
            "/reports/",
            f"/pairings/{pairing}/",
            f"/pairings/{pairing}/team/members/add/",
            f"/pairings/{pairing}/residencies/add/",
            f"/pairings/{pairing}/meetings/add/",
            f"/pairings/{pairing}/plan/",
            f"/pairings/{pairing}/agreement/",
            f"/pairings/{pairing}/bases/add/",
            f"/reports/{report}/",
        ],
        "no_role": ["/"],
    }


def test_no_page_needs_inline_code_or_a_style_attribute(users, submitted_report):
    pairing = Pairing.objects.get(number=6).pk
    found = {}
    for role, paths in pages(pairing, submitted_report.pk).items():
        client = Client()
        if role != "anonymous":
            sign_in(client, users[role])
        for path in paths:
            response = client.get(path)
            assert response["Content-Type"].startswith("text/html"), path
            problems = inline_code(response.content.decode())
            if problems:
                found[f"{role} {path}"] = problems
    assert found == {}


def test_the_liaisons_open_report_form_asks_before_submitting(users, indicators):
    report = make_report(users["liaison"])
    client = client_for(users["liaison"])
    html = client.get(f"/reports/{report.pk}/").content.decode()
    assert 'data-confirm="确定提交此月报吗？' in html
    assert inline_code(html) == []


def test_every_response_carries_the_policies(users):
    client = client_for(users["bureau"])
    for path in ["/pairings/", "/api/v1/pairings/", "/accounts/login/"]:
        response = client.get(path)
        policy = dict(
            (directive.split(" ", 1) + [""])[:2]
            for directive in (part.strip() for part in response["Content-Security-Policy"].split(";"))
        )
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["frame-ancestors"] == "'none'"
        assert policy["form-action"] == "'self'"
        assert policy["object-src"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        features = response["Permissions-Policy"]
        for feature in ["camera", "microphone", "geolocation", "payment", "usb"]:
            assert f"{feature}=()" in features
        assert response["X-Frame-Options"] == "DENY"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"


def test_the_docs_start_swagger_ui_from_a_script_file():
    client = Client()
    page = client.get("/api/docs/")
    assert inline_code(page.content.decode()) == []
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200 and script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
