"""Two tabs or two people saving and submitting the same report at once: whoever comes second is
told what happened, in their language, on the portal's page; never a bare 403 page, never a 500.

Sequentially (any database): a tab opened before the report was submitted, or accepted, or before
the school left the pairing. Concurrently (PostgreSQL, where the row lock is real): requests that
all passed the page's check before any of them took the lock."""

import threading

import pytest
from django.db import connection
from django.test import Client

from core.roles import LIAISON
from pairing.models import Pairing, School
from reporting.models import MonthlyReport, ReportVersion
from reporting.services import report_accept
from tests.conftest import PASSWORD, make_user, need_service
from tests.reporting.conftest import form_data, make_report

pytestmark = pytest.mark.django_db

CHANGED_ELSEWHERE = "此月报在您打开页面后已在别处（其他标签页或其他人）被修改"


def signed_in(user, language: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if language:
        client.cookies["django_language"] = language
    return client


def page_after(response) -> tuple[int, str]:
    """The status of the answer and the text of the page the browser ends on."""
    return response.redirect_chain[0][1] if response.redirect_chain else response.status_code, (
        response.content.decode()
    )


def test_a_second_tab_submitting_after_the_first_is_told_it_is_already_submitted(reporting_users):
    liaison = signed_in(reporting_users["liaison"])
    report = make_report(reporting_users["liaison"])
    first_tab, second_tab = form_data(report), form_data(report, activities_held="9")
    assert liaison.post(f"/reports/{report.pk}/", {**first_tab, "submit": "1"}).status_code == 302

    response = liaison.post(f"/reports/{report.pk}/", {**second_tab, "submit": "1"}, follow=True)
    status, page = page_after(response)
    assert status == 302 and response.status_code == 200
    assert CHANGED_ELSEWHERE in page and "已报送" in page
    report.refresh_from_db()
    assert report.status == "submitted"
    assert ReportVersion.objects.filter(report=report, action="report.submitted").count() == 1
    assert report.values.get(indicator__code="activities_held").value == 3, "the second tab changed nothing"


def test_a_colleague_saving_after_the_report_was_submitted_and_accepted_is_told_so(reporting_users):
    liaison = reporting_users["liaison"]
    colleague = make_user("liaison-dgut-2", LIAISON, school="东莞理工学院")
    report = make_report(liaison)
    opened = form_data(report, activities_held="7")  # the colleague's page, opened now
    signed_in(liaison).post(f"/reports/{report.pk}/", {**form_data(report), "submit": "1"})
    report_accept(report=MonthlyReport.objects.get(pk=report.pk), reviewer=reporting_users["bureau"])

    response = signed_in(colleague).post(f"/reports/{report.pk}/", {**opened, "save": "1"}, follow=True)
    status, page = page_after(response)
    assert status == 302
    assert CHANGED_ELSEWHERE in page and "已通过" in page
    assert MonthlyReport.objects.get(pk=report.pk).status == "accepted"


def test_the_message_is_in_the_language_the_user_chose(reporting_users):
    liaison = signed_in(reporting_users["liaison"], language="en")
    report = make_report(reporting_users["liaison"])
    opened = form_data(report)
    liaison.post(f"/reports/{report.pk}/", {**opened, "submit": "1"})
    page = liaison.post(f"/reports/{report.pk}/", {**opened, "submit": "1"}, follow=True).content.decode()
    assert "This report was changed elsewhere (another tab or person) after you opened the page" in page


def test_a_school_that_left_the_pairing_while_the_form_was_open_is_told_so(reporting_users):
    assisting = reporting_users["assisting_liaison"]
    report = make_report(assisting, school="东莞市机电工程学校")
    opened = form_data(report)
    Pairing.objects.get(number=6).assisting_schools.remove(School.objects.get(name="东莞市机电工程学校"))

    response = signed_in(assisting).post(f"/reports/{report.pk}/", {**opened, "submit": "1"}, follow=True)
    status, page = page_after(response)
    assert status == 302
    assert "贵校已不再是该结对的一方" in page
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"


def test_whom_never_could_write_the_report_is_still_refused(reporting_users):
    report = make_report(reporting_users["liaison"])
    response = signed_in(reporting_users["bureau"]).post(
        f"/reports/{report.pk}/", {**form_data(report), "submit": "1"}
    )
    assert response.status_code == 403


def test_a_tab_opened_before_signing_in_again_is_told_its_form_was_not_sent(reporting_users):
    report = make_report(reporting_users["liaison"])
    browser = Client(enforce_csrf_checks=True, HTTP_REFERER=f"http://testserver/reports/{report.pk}/")

    def sign_in() -> None:
        token = browser.get("/accounts/login/").context["csrf_token"]
        fields = {"username": "liaison-dgut", "password": PASSWORD, "csrfmiddlewaretoken": token}
        assert browser.post("/accounts/login/", fields).status_code == 302

    sign_in()
    first_tab = browser.get(f"/reports/{report.pk}/").context["csrf_token"]
    # Another tab: signed out and in again, which gives the browser a new CSRF secret.
    browser.post("/accounts/logout/", {"csrfmiddlewaretoken": first_tab})
    sign_in()

    response = browser.post(
        f"/reports/{report.pk}/", {**form_data(report), "submit": "1", "csrfmiddlewaretoken": first_tab}
    )
    page = response.content.decode()
    assert response.status_code == 403
    assert "表单未发送" in page and "没有保存任何内容" in page
    assert f'href="http://testserver/reports/{report.pk}/"' in page, (
        "the way back to a fresh copy of the page"
    )
    assert "校地结对管理平台" in page, "the portal's own page"
    assert MonthlyReport.objects.get(pk=report.pk).status == "draft"


@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_take_turns_and_the_others_get_a_message(reporting_users):
    if connection.vendor != "postgresql":
        need_service("SQLite has no row lock to race for; run with DATABASE_URL=postgres://… to test it")
    liaison = reporting_users["liaison"]
    colleague = make_user("liaison-dgut-2", LIAISON, school="东莞理工学院")
    report = make_report(liaison)
    opened = form_data(report)  # every tab was opened at the same version
    start = threading.Barrier(4)
    answers = []

    def submit(user, action: str) -> None:
        client = signed_in(user)
        start.wait()
        try:
            response = client.post(f"/reports/{report.pk}/", {**opened, action: "1"}, follow=True)
            answers.append(page_after(response))
        finally:
            connection.close()

    tabs = [(liaison, "submit"), (liaison, "submit"), (colleague, "submit"), (colleague, "save")]
    threads = [threading.Thread(target=submit, args=tab) for tab in tabs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = sorted(status for status, _page in answers)
    assert all(status in {200, 302} for status in statuses), statuses
    succeeded = [page for _status, page in answers if "月报已报送。" in page or "草稿已保存。" in page]
    told = [page for _status, page in answers if "已在别处（其他标签页或其他人）被修改" in page]
    assert len(succeeded) == 1 and len(told) == 3
    submitted = ReportVersion.objects.filter(report=report, action="report.submitted").count()
    assert submitted == (1 if "月报已报送。" in succeeded[0] else 0)
