"""In Chromium under the portal's Content-Security-Policy: the main pages of each role report no
violation and no console error, the behaviours moved out of the templates (static/portal/portal.js)
still work, and Swagger UI renders at /api/docs/."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from pairing.models import Pairing
from reporting.models import MonthlyReport
from reporting.services import report_save_draft, report_submit
from tests.browser.login import log_in
from tests.reporting.conftest import make_report

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Runs before any page script (Playwright injects it past the policy): keeps every violation.
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
});
"""


def watched_page(new_page, **options):
    page = new_page(**options)
    page.add_init_script(RECORD_VIOLATIONS)
    page.errors = []
    page.on("console", lambda message: message.type == "error" and page.errors.append(message.text))
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def problems(page) -> list[str]:
    return page.evaluate("window.__violations") + page.errors


def visit(page, url: str) -> dict[str, list[str]]:
    page.errors.clear()
    page.goto(url)
    page.wait_for_load_state("load")  # every page script has run; the pages fetch nothing later
    found = problems(page)
    return {url: found} if found else {}


def submitted(user, number: int, school: str) -> MonthlyReport:
    report = make_report(user, number=number, school=school)
    report_save_draft(report=report, user=user, values={"activities_held": "1", "residency_days": "2"})
    report_submit(report=report, user=user, now=datetime.datetime(2024, 2, 20, tzinfo=SHANGHAI))
    return report


def test_main_pages_break_no_rule_of_the_policy(new_page, server, users, indicators):
    report = submitted(users["liaison"], 6, "东莞理工学院")
    pairing = Pairing.objects.get(number=6).pk
    base = server.url
    found = {}

    bureau = watched_page(new_page, viewport={"width": 1280, "height": 900})
    log_in(bureau, base, "bureau")
    for path in [
        "/pairings/",
        f"/pairings/{pairing}/",
        "/pairings/compliance/",
        "/pairings/import/",
        f"/pairings/{pairing}/adjust/",
        "/reports/queue/?month=2024-02",
        "/reports/status/",
        "/reports/summaries/",
        "/reports/export/",
        f"/reports/{report.pk}/",
        "/audit/",
        f"/pairings/{pairing}/history/",
        "/admin/",
    ]:
        found |= visit(bureau, base + path)

    # The dashboard draws its charts, the schools' chart as tall as its rows (set from data-height-rem).
    found |= visit(bureau, f"{base}/dashboard/")
    assert bureau.locator("#chart-submission").bounding_box()["height"] > 100
    assert bureau.locator("#chart-schools").bounding_box()["height"] > 100

    # Swagger UI renders its operations from the schema.
    found |= visit(bureau, f"{base}/api/docs/")
    bureau.locator(".opblock").first.wait_for()
    assert bureau.locator(".opblock").count() > 20
    found |= {"/api/docs/ once rendered": problems(bureau)} if problems(bureau) else {}

    liaison = watched_page(new_page, viewport={"width": 390, "height": 844})
    log_in(liaison, base, "liaison-dgut")
    for path in ["/reports/", f"/pairings/{pairing}/", f"/pairings/{pairing}/team/members/add/"]:
        found |= visit(liaison, base + path)
    # Bootstrap opens the phone's menu; the language switch in it submits itself on change (it had an
    # inline onchange).
    liaison.get_by_role("button", name="菜单").click()
    liaison.errors.clear()
    with liaison.expect_navigation():
        liaison.get_by_label("语言").select_option("en")
    assert liaison.locator("html").get_attribute("lang") == "en"
    found |= {"after switching language": problems(liaison)} if problems(liaison) else {}

    assert found == {}, "violations or console errors by page"


def test_select_all_and_the_confirm_dialog_work_on_the_review_queue(new_page, server, users, indicators):
    reports = [
        submitted(users["liaison"], 6, "东莞理工学院"),
        submitted(users["other_liaison"], 4, "广东医科大学"),
    ]
    page = watched_page(new_page, viewport={"width": 1280, "height": 900})
    decisions = []  # every request to decide on reports, dismissed or not
    page.on("request", lambda request: "/reports/queue/decide/" in request.url and decisions.append(request))
    log_in(page, server.url, "bureau")
    page.goto(f"{server.url}/reports/queue/?month=2024-02")
    boxes = page.locator("input[name=report]")
    assert boxes.count() == 2

    select_all = page.locator("#select-all")
    select_all.check()
    assert [boxes.nth(i).is_checked() for i in range(2)] == [True, True]
    select_all.uncheck()
    assert [boxes.nth(i).is_checked() for i in range(2)] == [False, False]
    asked = []

    def dismiss(dialog) -> None:
        asked.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", dismiss)
    with page.expect_navigation():  # nothing ticked: no question; the server says to tick first
        page.get_by_role("button", name="通过所选").click()
    assert asked == []
    expect(page.get_by_text("请先勾选要通过或退回的月报。")).to_be_visible()
    page.remove_listener("dialog", dismiss)
    decisions.clear()
    boxes = page.locator("input[name=report]")
    select_all = page.locator("#select-all")
    select_all.check()

    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="通过所选").click()
    assert asked and asked[0].startswith("确定通过所选月报吗？")
    # A dismissed dialog sends nothing: no request now, and (below) only the confirmed one's in all.
    assert decisions == []
    assert {r.status for r in MonthlyReport.objects.filter(pk__in=[r.pk for r in reports])} == {"submitted"}

    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    with page.expect_navigation():  # the decision's redirect back to the queue, loaded
        page.get_by_role("button", name="通过所选").click()
    assert len(asked) == 2
    assert [request.method for request in decisions] == ["POST"]
    assert {r.status for r in MonthlyReport.objects.filter(pk__in=[r.pk for r in reports])} == {"accepted"}
    assert problems(page) == []
