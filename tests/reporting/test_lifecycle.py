"""Every transition of a report, allowed and forbidden, for each role; self-acceptance refused."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from core.months import Month
from reporting.models import MonthlyReport, ReportVersion
from reporting.services import (
    report_accept,
    report_reopen,
    report_return,
    report_save_draft,
    report_start,
    report_submit,
)
from tests.reporting.conftest import make_report

pytestmark = pytest.mark.django_db

VALUES = {"activities_held": "3", "residency_days": "12"}
ROLES = ["bureau", "commander", "liaison", "assisting_liaison", "other_liaison", "town_liaison", "no_role"]


def submitted(users) -> MonthlyReport:
    report = make_report(users["liaison"])
    report_save_draft(report=report, user=users["liaison"], values=VALUES)
    return report_submit(report=report, user=users["liaison"])


def test_the_whole_cycle(reporting_users):
    users = reporting_users
    report = submitted(users)
    assert report.status == "submitted" and report.submitted_by == users["liaison"]
    report = report_return(report=report, reviewer=users["bureau"], comment="请补充驻点人员")
    assert (report.status, report.review_comment, report.reviewed_by) == (
        "returned",
        "请补充驻点人员",
        users["bureau"],
    )
    report_save_draft(report=report, user=users["liaison"], values={**VALUES, "residency_days": "15"})
    report = report_submit(report=report, user=users["liaison"])
    assert report.status == "resubmitted"
    report = report_accept(report=report, reviewer=users["bureau"])
    assert report.status == "accepted" and not report.is_editable
    actions = list(report.versions.order_by("created_at", "pk").values_list("action", flat=True))
    assert actions == [
        "report.saved",
        "report.submitted",
        "report.returned",
        "report.saved",
        "report.resubmitted",
        "report.accepted",
    ]
    assert ReportVersion.objects.filter(report=report).count() == 6


@pytest.mark.parametrize("role", ROLES)
def test_only_the_schools_liaison_writes_and_submits(reporting_users, role):
    report = make_report(reporting_users["liaison"])
    user = reporting_users[role]
    if role == "liaison":
        report_save_draft(report=report, user=user, values=VALUES)
        assert report_submit(report=report, user=user).status == "submitted"
    else:
        with pytest.raises(PermissionDenied):
            report_save_draft(report=report, user=user, values=VALUES)
        with pytest.raises(PermissionDenied):
            report_submit(report=report, user=user)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("decision", ["accept", "return"])
def test_only_the_bureau_reviews(reporting_users, role, decision):
    report = submitted(reporting_users)
    user = reporting_users[role]

    def decide():
        if decision == "accept":
            return report_accept(report=report, reviewer=user)
        return report_return(report=report, reviewer=user, comment="意见")

    if role == "bureau":
        assert decide().status == {"accept": "accepted", "return": "returned"}[decision]
    else:
        with pytest.raises(PermissionDenied):
            decide()


def test_no_one_accepts_a_report_they_wrote(reporting_users):
    author = reporting_users["liaison"]
    report = submitted(reporting_users)
    author.groups.set([Group.objects.get(name="bureau")])  # the liaison moves to the bureau
    author = type(author).objects.get(pk=author.pk)
    with pytest.raises(ValidationError, match="须由他人审核通过|someone else must accept"):
        report_accept(report=report, reviewer=author)
    assert MonthlyReport.objects.get(pk=report.pk).status == "submitted"


@pytest.mark.parametrize(
    ("status", "allowed"),
    [("draft", False), ("returned", False), ("accepted", False), ("submitted", True), ("resubmitted", True)],
)
def test_review_only_from_submitted_or_resubmitted(reporting_users, status, allowed):
    report = make_report(reporting_users["liaison"])
    MonthlyReport.objects.filter(pk=report.pk).update(status=status)
    if allowed:
        report_accept(report=report, reviewer=reporting_users["bureau"])
    else:
        with pytest.raises(ValidationError):
            report_accept(report=report, reviewer=reporting_users["bureau"])
        with pytest.raises(ValidationError):
            report_return(report=report, reviewer=reporting_users["bureau"], comment="x")


@pytest.mark.parametrize("status", ["submitted", "resubmitted", "accepted"])
def test_a_report_in_review_or_accepted_cannot_be_changed_or_submitted(reporting_users, status):
    report = submitted(reporting_users)
    MonthlyReport.objects.filter(pk=report.pk).update(status=status)
    with pytest.raises(ValidationError):
        report_save_draft(report=report, user=reporting_users["liaison"], values=VALUES)
    with pytest.raises(ValidationError):
        report_submit(report=report, user=reporting_users["liaison"])


def test_returning_needs_a_comment(reporting_users):
    report = submitted(reporting_users)
    with pytest.raises(ValidationError):
        report_return(report=report, reviewer=reporting_users["bureau"], comment="  ")
    assert MonthlyReport.objects.get(pk=report.pk).status == "submitted"


def test_reopen_for_a_limited_time(reporting_users):
    users = reporting_users
    report = report_accept(report=submitted(users), reviewer=users["bureau"])
    with pytest.raises(PermissionDenied):
        report_reopen(report=report, reviewer=users["commander"], reason="x")
    with pytest.raises(ValidationError):
        report_reopen(report=report, reviewer=users["bureau"], reason="")
    report = report_reopen(report=report, reviewer=users["bureau"], reason="数据有误，请更正")
    assert report.status == "returned" and report.is_editable
    report_save_draft(report=report, user=users["liaison"], values=VALUES)
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)
    with time_machine.travel(later, tick=False), pytest.raises(ValidationError, match="已过修改期限"):
        report_save_draft(report=report, user=users["liaison"], values=VALUES)


def test_reopen_only_an_accepted_report(reporting_users):
    with pytest.raises(ValidationError):
        report_reopen(report=submitted(reporting_users), reviewer=reporting_users["bureau"], reason="x")


def test_required_indicators_must_be_filled_to_submit(reporting_users):
    report = make_report(reporting_users["liaison"])
    report_save_draft(report=report, user=reporting_users["liaison"], values={"activities_held": "2"})
    with pytest.raises(ValidationError) as error:
        report_submit(report=report, user=reporting_users["liaison"])
    assert set(error.value.message_dict) == {"residency_days"}


@pytest.mark.parametrize(
    ("month", "message"),
    [
        (Month(2023, 12), "月报从2024-01开始报送。"),
        (Month(2099, 1), "不能填报未来月份的月报。"),
    ],
)
def test_a_month_before_the_first_or_in_the_future_is_refused(reporting_users, month, message):
    from pairing.models import Pairing

    with pytest.raises(ValidationError) as error:
        report_start(
            pairing=Pairing.objects.get(number=6),
            month=month,
            user=reporting_users["liaison"],
        )
    assert error.value.message_dict["month"] == [message]


def test_a_reopened_report_past_its_time_is_not_offered_for_correction(reporting_users):
    from tests.reporting.conftest import client_for

    users = reporting_users
    report = make_report(users["liaison"], month=Month.current().first_day)
    report_save_draft(report=report, user=users["liaison"], values=VALUES)
    report_submit(report=report, user=users["liaison"])
    report_accept(report=report, reviewer=users["bureau"])
    report_reopen(report=report, reviewer=users["bureau"], reason="数据有误，请更正")
    liaison = client_for(users["liaison"])
    assert "已重新开放修改，期限至" in liaison.get("/reports/").content.decode()
    # The window closed a minute ago (travelling past it could leave this month).
    passed = datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1)
    MonthlyReport.objects.filter(pk=report.pk).update(reopened_until=passed)
    html = liaison.get("/reports/").content.decode()
    assert "修改期限已过" in html and "已重新开放修改，期限至" not in html
