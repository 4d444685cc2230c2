"""The report pages: the liaison's month, the form's validation, two tabs, attachments, the queue."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from core.months import Month
from pairing.models import Pairing, Programme
from reporting.models import IndicatorValue, MonthlyReport, ReportAttachment
from reporting.services import report_save_draft, report_submit
from tests.helpers import QUERY_BUDGET
from tests.reporting.conftest import CHANGAN, DGUT, client_for, form_data, make_report

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def liaison(reporting_users) -> Client:
    return client_for(reporting_users["liaison"])


def test_home_shows_this_months_card_with_the_due_date(liaison):
    response = liaison.get("/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert len(response.context["cards"]) == 1
    card = response.context["cards"][0]
    assert card["row"].due_date.day == 28
    assert "截止日：北京时间" in html


def test_home_lists_earlier_months_never_submitted_and_follows_a_start(liaison):
    from core.months import Month

    last = Month.current().previous()
    earlier = liaison.get("/reports/").context["earlier"]
    assert [(row.month, row.number, row.state, row.report_id) for row in earlier[:1]] == [
        (last, 6, "missing", None)
    ]
    # The twelve months before this one, one pairing each: July's missed report is still listed in
    # November (it dropped off after three months, while the town's status table listed it).
    assert [row.month for row in earlier] == [Month.current().shift(-back) for back in range(1, 13)]
    liaison.post(f"/reports/start/6/{last}/")
    draft = MonthlyReport.objects.get(month=last.first_day)
    # Still missing (a draft is not a submission), now with its draft: the rows are read afresh, and
    # the row leads to the draft.
    response = liaison.get("/reports/")
    assert [(row.month, row.report_id) for row in response.context["earlier"][:1]] == [(last, draft.pk)]
    assert "往月未报送的月报" in response.content.decode()
    assert f'href="/reports/{draft.pk}/">继续填写</a>' in response.content.decode()


def test_liaison_starts_saves_and_submits(liaison, reporting_users):
    month = timezone.localdate().replace(day=1).strftime("%Y-%m")
    response = liaison.post(f"/reports/start/6/{month}/")
    report = MonthlyReport.objects.get()
    assert response.url == f"/reports/{report.pk}/"
    response = liaison.post(
        f"/reports/{report.pk}/", {**form_data(report), "narrative_talent": "举办培训班", "save": "1"}
    )
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "draft" and report.narratives["talent"] == "举办培训班"
    response = liaison.post(f"/reports/{report.pk}/", {**form_data(report), "submit": "1"})
    report.refresh_from_db()
    assert report.status == "submitted" and report.first_submitted_at is not None


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("activities_held", "三", "请输入数字。"),
        ("activities_held", "-1", "数值不能为负数。"),
        ("activities_held", "2.5", "请输入整数。"),
        ("residency_days", "45", "数值不能大于29：2024-02共29天。"),
        ("funds_invested", "12.345", "最多保留两位小数。"),
        ("people_trained", "999999999999999", "数值过大，不能超过999,999,999,999。"),
        ("activities_held", "1e3", "请输入数字。"),
        ("activities_held", "1,0,0", "请输入数字。"),
        ("activities_held", "1 000", "请输入数字。"),
    ],
)
def test_bad_values_are_named_and_everything_typed_is_kept(liaison, reporting_users, field, value, message):
    report = make_report(reporting_users["liaison"])
    data = {**form_data(report, **{field: value}), "narrative_consulting": "完成规划初稿", "save": "1"}
    response = liaison.post(f"/reports/{report.pk}/", data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors[f"indicator_{field}"] == [message]
    html = response.content.decode()
    assert "error-summary" in html and message in html and "尚未保存：请更正下列问题后再次保存。" in html
    assert f'value="{value}"' in html and "完成规划初稿" in html
    assert not IndicatorValue.objects.exists()


@pytest.mark.parametrize(
    ("typed", "saved"), [("1,000", "1000"), ("１２", "12"), (" 7 ", "7"), ("1，000", "1000"), ("5.", "5")]
)
def test_numbers_are_read_as_people_type_them(liaison, reporting_users, typed, saved):
    report = make_report(reporting_users["liaison"])
    response = liaison.post(
        f"/reports/{report.pk}/", {**form_data(report, activities_held=typed), "save": "1"}
    )
    assert response.status_code == 302
    value = IndicatorValue.objects.get(report=report, indicator__code="activities_held").value
    assert value == Decimal(saved)


def test_a_submit_names_format_and_required_errors_together(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    data = {**form_data(report, activities_held="三", residency_days=""), "submit": "1"}
    response = liaison.post(f"/reports/{report.pk}/", data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["indicator_activities_held"] == ["请输入数字。"]
    assert errors["indicator_residency_days"] == ["此指标为必填项。"]
    report.refresh_from_db()
    assert report.status == "draft" and report.version == 1 and not IndicatorValue.objects.exists()
    # The summary says the submit did not happen, in the words of the button pressed.
    html = response.content.decode()
    assert "尚未保存，也未提交：请更正下列问题后再次提交。" in html and "再次保存" not in html


def test_on_its_due_day_the_card_says_due_today_not_0_days_left(reporting_users):
    """The liaison signs in on the day itself: a session begun before the 14th would have expired
    (two weeks) by this month's due day."""
    import time_machine

    programme = Programme.objects.get(pairings__number=CHANGAN)
    due_day = timezone.make_aware(
        datetime.datetime.combine(programme.due_date(Month.current()), datetime.time(9))
    )
    with time_machine.travel(due_day, tick=False):
        response = client_for(reporting_users["liaison"]).get("/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "今天截止：请在今天结束前（北京时间）提交。" in html and "还剩0天" not in html
    with time_machine.travel(due_day - datetime.timedelta(days=1), tick=False):
        assert "还剩1天" in client_for(reporting_users["liaison"]).get("/reports/").content.decode()


def test_a_draft_is_saved_without_its_required_indicators(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    data = {**form_data(report, activities_held="", residency_days="", funds_invested="5"), "save": "1"}
    assert liaison.post(f"/reports/{report.pk}/", data).status_code == 302
    assert IndicatorValue.objects.get().indicator.code == "funds_invested"


def test_required_indicators_are_marked_before_any_error(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    html = liaison.get(f"/reports/{report.pk}/").content.decode()
    field = html[html.index('id="id_indicator_activities_held"') :][:300]
    assert 'aria-required="true"' in field
    optional = html[html.index('id="id_indicator_funds_invested"') :][:300]
    assert "aria-required" not in optional
    assert html.count("（必填）") == sum(1 for i in report.pairing.programme.indicators.all() if i.required)


def test_money_accepts_two_decimals_and_thousand_separators(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    liaison.post(f"/reports/{report.pk}/", {**form_data(report, funds_invested="12,000.50"), "save": "1"})
    assert IndicatorValue.objects.get(indicator__code="funds_invested").value == 12000.50


def test_a_second_tab_saving_the_same_draft_is_refused(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    first_tab = form_data(report, activities_held="5")
    second_tab = form_data(report, activities_held="9")  # opened at the same version
    assert liaison.post(f"/reports/{report.pk}/", {**first_tab, "save": "1"}).status_code == 302
    response = liaison.post(f"/reports/{report.pk}/", {**second_tab, "save": "1"})
    assert response.status_code == 200
    assert "已在别处（其他标签页或其他人）被修改" in response.content.decode()
    assert 'value="9"' in response.content.decode(), "the second tab's text is kept on the page"
    assert IndicatorValue.objects.get(indicator__code="activities_held").value == 5


def test_a_form_shown_again_after_a_refused_submit_carries_the_version_its_save_wrote(
    liaison, reporting_users, monkeypatch
):
    report = make_report(reporting_users["liaison"])
    refusals = iter([ValidationError({"activities_held": ["审核前请再核对。"]})])

    def submit_refused_once(**kwargs):
        error = next(refusals, None)
        if error:
            raise error
        return report_submit(**kwargs)

    # The service refuses the submit after the draft is saved (a rule the form does not know).
    monkeypatch.setattr("reporting.views.report_submit", submit_refused_once)
    response = liaison.post(
        f"/reports/{report.pk}/", {**form_data(report, activities_held="4"), "submit": "1"}
    )
    assert response.status_code == 200 and "审核前请再核对。" in response.content.decode()
    assert "您的修改已保存为草稿，但月报尚未提交。" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "draft" and report.version == 2, "the draft was saved"
    carried = response.context["form"]["version"].value()
    assert f'name="version" value="{carried}"' in response.content.decode()
    assert int(carried) == report.version
    again = liaison.post(f"/reports/{report.pk}/", {**form_data(report), "version": carried, "submit": "1"})
    assert again.status_code == 302
    report.refresh_from_db()
    assert report.status == "submitted"


def test_a_change_made_elsewhere_is_still_a_conflict_after_the_form_is_shown_with_an_error(
    liaison, reporting_users
):
    report = make_report(reporting_users["liaison"])
    opened = form_data(report)  # this tab opened the report at version 1
    report_save_draft(report=report, user=reporting_users["liaison"], values={"activities_held": "7"})
    response = liaison.post(
        f"/reports/{report.pk}/", {**opened, "indicator_activities_held": "三", "save": "1"}
    )
    assert response.status_code == 200
    assert response.context["form"]["version"].value() == str(opened["version"])
    response = liaison.post(
        f"/reports/{report.pk}/", {**opened, "indicator_activities_held": "3", "save": "1"}
    )
    assert response.status_code == 200
    assert "已在别处（其他标签页或其他人）被修改" in response.content.decode()
    assert IndicatorValue.objects.get(indicator__code="activities_held").value == 7


def test_a_locked_report_refuses_a_post(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    MonthlyReport.objects.filter(pk=report.pk).update(status="accepted")
    response = liaison.post(f"/reports/{report.pk}/", {**form_data(report), "submit": "1"}, follow=True)
    assert "此月报现在不能修改。" in response.content.decode()
    assert MonthlyReport.objects.get(pk=report.pk).status == "accepted"
    assert not IndicatorValue.objects.filter(report=report).exists()


def test_attachments_are_checked_and_private(liaison, reporting_users):
    report = make_report(reporting_users["liaison"])
    url = f"/reports/{report.pk}/attachments/"
    response = liaison.post(url, {"file": SimpleUploadedFile("run.exe", b"MZ")}, follow=True)
    assert "请上传照片（JPG、PNG）或文件（PDF、DOCX、XLSX）。" in response.content.decode()
    response = liaison.post(url, {"file": SimpleUploadedFile("photo.png", b"not really")}, follow=True)
    assert "文件内容不是有效的PNG文件。" in response.content.decode()
    liaison.post(url, {"file": SimpleUploadedFile("驻村照片.png", PNG)})
    attachment = ReportAttachment.objects.get()
    assert attachment.original_name == "驻村照片.png"
    file_url = f"/reports/{report.pk}/attachments/{attachment.pk}/"
    assert b"".join(liaison.get(file_url).streaming_content) == PNG
    for role, status in [
        ("other_liaison", 404),
        ("other_town_liaison", 404),
        ("bureau", 200),
        ("commander", 200),
        ("town_liaison", 200),
        ("assisting_liaison", 404),
    ]:
        assert client_for(reporting_users[role]).get(file_url).status_code == status, role
    assert Client().get(file_url).status_code == 302


def test_an_attachment_that_is_too_large_is_refused(liaison, reporting_users, settings):
    settings.ATTACHMENT_MAX_BYTES = 1024
    report = make_report(reporting_users["liaison"])
    response = liaison.post(
        f"/reports/{report.pk}/attachments/",
        {"file": SimpleUploadedFile("a.png", PNG + b"0" * 2048)},
        follow=True,
    )
    assert "文件大小为0.0MB，超过0MB的上限。" in response.content.decode()
    assert not ReportAttachment.objects.exists()


def test_a_file_attached_since_the_last_submission_can_be_removed_and_a_submitted_one_stays(
    liaison, reporting_users, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    report = make_report(reporting_users["liaison"])
    url = f"/reports/{report.pk}/attachments/"
    liaison.post(url, {"file": SimpleUploadedFile("提交的照片.png", PNG)})
    report_save_draft(
        report=MonthlyReport.objects.get(pk=report.pk),
        user=reporting_users["liaison"],
        values={"activities_held": "1", "residency_days": "2"},
    )
    report = report_submit(report=MonthlyReport.objects.get(pk=report.pk), user=reporting_users["liaison"])
    kept = ReportAttachment.objects.get()
    from reporting.services import report_return

    report_return(report=report, reviewer=reporting_users["bureau"], comment="请换一张照片")
    liaison.post(url, {"file": SimpleUploadedFile("错的照片.png", PNG)})
    wrong = ReportAttachment.objects.exclude(pk=kept.pk).get()
    page = liaison.get(f"/reports/{report.pk}/").content.decode()
    assert f"/attachments/{wrong.pk}/remove/" in page and f"/attachments/{kept.pk}/remove/" not in page
    refused = liaison.post(f"{url}{kept.pk}/remove/", follow=True).content.decode()
    assert "提交的照片.png是已报送月报的一部分，须随该记录保留" in refused
    for role in ("bureau", "town_liaison", "other_liaison"):
        assert client_for(reporting_users[role]).post(f"{url}{wrong.pk}/remove/").status_code in (403, 404)
    with django_capture_on_commit_callbacks(execute=True):
        done = liaison.post(f"{url}{wrong.pk}/remove/", follow=True).content.decode()
    assert "已从月报中删除错的照片.png。" in done
    assert list(ReportAttachment.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not default_storage.exists(wrong.file.name) and default_storage.exists(kept.file.name)
    assert report.versions.filter(action="report.attachment_removed").count() == 1


def submitted(users, **kwargs) -> MonthlyReport:
    report = make_report(users["liaison"], **kwargs)
    report_save_draft(
        report=report, user=users["liaison"], values={"activities_held": "1", "residency_days": "2"}
    )
    return report_submit(report=report, user=users["liaison"])


def test_a_resubmitted_report_says_it_waits_for_review_not_that_it_was_reviewed(reporting_users, liaison):
    from reporting.services import report_return

    report = submitted(reporting_users)
    report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    report_submit(report=MonthlyReport.objects.get(pk=report.pk), user=reporting_users["liaison"])
    html = liaison.get(f"/reports/{report.pk}/").content.decode()
    assert "重新报送，待审核" in html
    assert not re.search(r"于\d{4}-\d{2}-\d{2} \d{2}:\d{2}审核", html), (
        "the return is not a review of this version"
    )


def test_a_comment_typed_with_an_acceptance_is_kept_and_shown(reporting_users, liaison):
    bureau = client_for(reporting_users["bureau"])
    report = submitted(reporting_users)
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "accept", "comment": "数据已核实，感谢。"})
    report.refresh_from_db()
    assert (report.status, report.review_comment) == ("accepted", "数据已核实，感谢。")
    assert report.versions.get(action="report.accepted").comment == "数据已核实，感谢。"
    assert (
        "审核通过，意见：</strong> 数据已核实，感谢。"
        in liaison.get(f"/reports/{report.pk}/").content.decode()
    )
    other = submitted(reporting_users, month=datetime.date(2024, 3, 1))
    bureau.post(
        "/reports/queue/decide/", {"decision": "accept", "comment": "本月材料齐全。", "report": [other.pk]}
    )
    other.refresh_from_db()
    assert (other.status, other.review_comment) == ("accepted", "本月材料齐全。")


def test_bureau_returns_then_sees_what_changed_and_accepts(reporting_users, liaison):
    bureau = client_for(reporting_users["bureau"])
    report = submitted(reporting_users)
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "return", "comment": "请补充驻点天数"})
    response = liaison.get(f"/reports/{report.pk}/")
    assert "请补充驻点天数" in response.content.decode()
    report.refresh_from_db()
    liaison.post(f"/reports/{report.pk}/", {**form_data(report, residency_days="20"), "submit": "1"})
    response = bureau.get(f"/reports/{report.pk}/")
    # Named and written as the reviewer reads them, not "residency_days 2.00 20.00".
    assert ("驻点服务天数", "2 天", "20 天") in response.context["changes"]
    from reporting.views import readable_changes

    indicators = list(report.pairing.programme.indicators.all())
    assert readable_changes(report, indicators, [("activities_held", "9228284.00", "1000.00")]) == [
        ("开展活动场次", "9,228,284 场", "1,000 场")
    ]
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "accept"})
    report.refresh_from_db()
    assert report.status == "accepted" and report.reviewed_by == reporting_users["bureau"]


def test_a_returned_report_is_shown_as_waiting_for_the_liaison(reporting_users, liaison):
    report = submitted(reporting_users, month=Month.current().first_day)
    bureau = client_for(reporting_users["bureau"])
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "return", "comment": "请补充驻点天数"})
    html = liaison.get("/reports/").content.decode()
    card = html[html.index("border-warning") : html.index("</section>", html.index("border-warning"))]
    assert "已被退回：请修改后重新提交。" in card and "请补充驻点天数" in card
    assert "✓" not in card
    detail = liaison.get(f"/reports/{report.pk}/").content.decode()
    assert "退回意见：" in detail and ">提交</button>" in detail
    assert "市教育局" not in html + detail, "not every programme's organiser is a city bureau"


def test_a_reopened_report_reads_as_reopened_not_as_returned(reporting_users, liaison):
    """An accepted report the bureau reopens for a correction says so, with the time it is open
    until, on the liaison's card and on the report: it was not sent back as wrong."""
    report = submitted(reporting_users, month=Month.current().first_day)
    bureau = client_for(reporting_users["bureau"])
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "accept", "comment": ""})
    bureau.post(f"/reports/{report.pk}/reopen/", {"reason": "驻点天数需核对"})
    report.refresh_from_db()
    assert report.status == MonthlyReport.Status.RETURNED and report.reopened_until
    html = liaison.get("/reports/").content.decode()
    card = html[html.index("border-warning") : html.index("</section>", html.index("border-warning"))]
    assert "已重新开放修改，期限至" in card and ">已重新开放修改</span>" in card, card
    assert "已被退回" not in card and ">已退回</span>" not in card
    detail = liaison.get(f"/reports/{report.pk}/").content.decode()
    assert "重新开放修改的原因：" in detail and "驻点天数需核对" in detail and "退回意见：" not in detail
    # The banner on the liaison's other pages, the notice and the e-mail say so too, with the time.
    banner = liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "的月报已重新开放修改，请修改后重新报送。" in banner and "已被退回" not in banner
    from django.core import mail

    from core.models import Notice
    from reporting.reminders import notify_report_returned

    reporting_users["liaison"].email = "liaison@dgut.example"
    reporting_users["liaison"].save(update_fields=["email"])
    assert notify_report_returned(report.pk, report.version) == 1
    until = timezone.localtime(report.reopened_until).strftime("%Y-%m-%d %H:%M")
    [email] = mail.outbox
    assert "已重新开放修改" in email.subject and "被退回" not in email.subject
    assert f"可修改至{until}（北京时间），原因如下：" in email.body and "驻点天数需核对" in email.body
    assert "请在此期限前修改并重新报送：" in email.body and "被退回" not in email.body
    assert Notice.objects.get(user=reporting_users["liaison"]).text == email.subject
    # Submitted again, it still says it was reopened, not returned.
    liaison.post(f"/reports/{report.pk}/", {**form_data(report), "submit": "1"})
    again = bureau.get(f"/reports/{report.pk}/").content.decode()
    assert "重新开放修改，" in again and "再次报送：待审核" in again and "退回，" not in again


def test_every_page_of_the_liaison_points_to_earlier_months_never_submitted(reporting_users, liaison):
    """The months before this one whose report was never submitted are named on the liaison's other
    pages (the landing page first), not only on the reports page's list."""
    last = Month.current().previous()
    html = liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert "往月未报送的月报：" in html and f"{last} · 长安" in html
    report = submitted(reporting_users, month=last.first_day)
    assert report.month == last.first_day
    assert f"{last} · 长安" not in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert (
        "往月未报送的月报："
        not in client_for(reporting_users["bureau"]).get(f"/pairings/{CHANGAN}/").content.decode()
    )


def test_the_liaisons_pages_say_when_this_months_report_is_still_due(reporting_users, liaison):
    banner = "月报尚未报送，截止日为北京时间"
    assert banner in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    assert banner not in liaison.get("/reports/").content.decode(), "the reports page has its own card"
    assert banner not in client_for(reporting_users["bureau"]).get(f"/pairings/{CHANGAN}/").content.decode()
    report = submitted(reporting_users, month=Month.current().first_day)
    assert "report-due" not in liaison.get(f"/pairings/{CHANGAN}/").content.decode()
    client_for(reporting_users["bureau"]).post(
        f"/reports/{report.pk}/decide/", {"decision": "return", "comment": "补充"}
    )
    assert "月报已被退回，请修改后重新报送" in liaison.get(f"/pairings/{CHANGAN}/").content.decode()


def test_a_school_in_two_pairings_is_told_of_each_pairings_report_by_its_name(reporting_users, liaison):
    """Two reports due the same month read as two different lines, each naming its pairing (the banner
    said the same sentence twice, a third of a phone's screen, with nothing to tell them apart)."""
    from pairing.models import Area, School
    from tests.factories import PairingFactory

    pairing = Pairing.objects.get(number=CHANGAN)
    second = PairingFactory(
        programme=pairing.programme,
        number=99,
        lead_university=School.objects.get(name=DGUT),
        town=Area.objects.get(name="谢岗", kind__in=Area.TOWN_KINDS),
        start_date=pairing.start_date,
    )
    month = Month.current()
    banners = re.findall(r"您[^<]*的月报尚未报送", liaison.get(f"/pairings/{CHANGAN}/").content.decode())
    assert sorted(banners) == sorted(
        [
            f"您{month}（第{CHANGAN}对结对：长安）的月报尚未报送",
            f"您{month}（第99对结对：{second.town}）的月报尚未报送",
        ]
    )


def test_the_queue_points_to_reports_waiting_in_other_months(reporting_users):
    report = submitted(reporting_users)  # February 2024
    bureau = client_for(reporting_users["bureau"])
    html = bureau.get("/reports/queue/?month=2024-03").content.decode()
    assert "其他月份待审核：" in html and "2024-02：1份" in html
    assert "?month=2024-02&amp;state=waiting" in html
    # Each month's link stays on one line (a phone split "2026-" from "10：11份").
    assert 'class="alert-link ms-2 text-nowrap"' in html
    # The page's own month is not pointed to, and the counts (cached) follow a decision at once.
    assert "其他月份待审核：" not in bureau.get("/reports/queue/?month=2024-02").content.decode()
    bureau.post(f"/reports/{report.pk}/decide/", {"decision": "accept"})
    assert "其他月份待审核：" not in bureau.get("/reports/queue/?month=2024-03").content.decode()


def test_values_are_shown_as_people_write_them(reporting_users):
    report = submitted(reporting_users)
    html = client_for(reporting_users["bureau"]).get(f"/reports/{report.pk}/").content.decode()
    assert "2 天" in html and "2.00 天" not in html


def test_bureau_accepts_several_at_once(reporting_users):
    first = submitted(reporting_users)
    second = submitted(reporting_users, month=datetime.date(2024, 3, 1))
    bureau = client_for(reporting_users["bureau"])
    response = bureau.post(
        "/reports/queue/decide/", {"decision": "accept", "report": [first.pk, second.pk]}, follow=True
    )
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"accepted"}
    assert "已通过并锁定2份月报。" in response.content.decode()
    response = bureau.post("/reports/queue/decide/", {"decision": "accept"}, follow=True)
    assert "请先勾选要通过或退回的月报。" in response.content.decode()


def test_returning_several_without_a_comment_is_refused_once(reporting_users):
    first = submitted(reporting_users)
    second = submitted(reporting_users, month=datetime.date(2024, 3, 1))
    response = client_for(reporting_users["bureau"]).post(
        "/reports/queue/decide/", {"decision": "return", "report": [first.pk, second.pk]}, follow=True
    )
    html = response.content.decode()
    assert html.count("退回月报须填写给联络员的意见；本次未退回任何月报。") == 1
    assert set(MonthlyReport.objects.values_list("status", flat=True)) == {"submitted"}


def test_a_bulk_decision_that_decides_nothing_keeps_what_was_typed_and_ticked(reporting_users):
    """Returning without a comment, or commenting without ticking a report, decides nothing: the
    queue shows the ticks and the comment again, to correct and send, and only once."""
    first = submitted(reporting_users)
    bureau = client_for(reporting_users["bureau"])
    queue = "/reports/queue/?month=2024-02"
    html = bureau.post(
        "/reports/queue/decide/", {"decision": "return", "report": [first.pk], "next": queue}, follow=True
    ).content.decode()
    assert f'value="{first.pk}" aria-label="选择 {first.school.name}" checked' in html
    html = bureau.post(
        "/reports/queue/decide/",
        {"decision": "return", "comment": "请补充驻点天数", "next": queue},
        follow=True,
    ).content.decode()
    assert "请先勾选要通过或退回的月报。" in html
    assert ">请补充驻点天数</textarea>" in html
    assert not re.search(r'name="report"[^>]* checked', html), "no box ticked"
    again = bureau.get(queue).content.decode()
    assert ">请补充驻点天数</textarea>" not in again, "shown once"


def test_queue_filters_by_state(reporting_users):
    submitted(reporting_users)
    bureau = client_for(reporting_users["bureau"])
    response = bureau.get("/reports/queue/", {"month": "2024-02", "state": "submitted_late"})
    assert [(r.school, r.state) for r in response.context["rows"]] == [("东莞理工学院", "submitted_late")]
    response = bureau.get("/reports/queue/", {"month": "2024-02", "state": "waiting"})
    assert [r.school for r in response.context["rows"]] == ["东莞理工学院"]
    response = bureau.get("/reports/queue/", {"month": "2024-02", "state": "missing"})
    assert len(response.context["rows"]) == 17  # 18 expected (8 universities, 10 vocational), one submitted
    assert all(r.state == "missing" for r in response.context["rows"])


def test_status_table_counts_on_time_late_and_missing(reporting_users):
    submitted(reporting_users)
    response = client_for(reporting_users["bureau"]).get("/reports/status/", {"month": "2024-02"})
    february = next(e for e in response.context["table"] if e["month"] == Month(2024, 2))
    assert [e["month"] for e in response.context["table"]] == Month.between(Month(2024, 1), Month(2024, 12))[
        ::-1
    ]
    assert (february["tally"].expected, february["tally"].late, february["tally"].missing) == (18, 1, 17)
    assert february["on_time_rate"] == 0  # 0 of 18 due reports on time
    assert response.context["missing"].paginator.count == 17
    assert "东莞市机电工程学校" in response.content.decode(), "a missing school is listed with its pairing"


def test_the_missing_list_is_kept_until_a_report_of_its_month_changes(reporting_users):
    """The page of missing reports is read once and kept, like the counts above it; a report of the
    month submitted takes its school off the list at once."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    bureau = client_for(reporting_users["bureau"])

    def missing_schools() -> tuple[list[str], list[str]]:
        with CaptureQueriesContext(connection) as queries:
            response = bureau.get("/reports/status/", {"month": "2024-02"})
        rows = [row.school for row in response.context["missing"].object_list]
        return rows, [q["sql"] for q in queries.captured_queries if '"report_status"' in q["sql"]]

    rows, _read = missing_schools()
    assert len(rows) == 18 and "东莞理工学院" in rows
    again, read = missing_schools()
    assert again == rows and read == [], "the month's rows are not read again"
    submitted(reporting_users)
    rows, read = missing_schools()
    assert len(rows) == 17 and "东莞理工学院" not in rows and read


def test_a_month_whose_reports_are_all_in_early_has_no_rate_until_it_is_due(reporting_users):
    """A town's two schools both submit on the 10th: the town liaison's status table gives the month
    no on-time rate before the 28th, as the dashboard rates no school over it (one rule: a month
    counts in a rate once it is due)."""
    import time_machine

    tenth = timezone.make_aware(datetime.datetime(2024, 2, 10, 12))
    with time_machine.travel(tenth, tick=False):
        for key, school in [("liaison", DGUT), ("assisting_liaison", "东莞市机电工程学校")]:
            report = make_report(reporting_users[key], school=school)
            report_save_draft(
                report=report,
                user=reporting_users[key],
                values={"activities_held": "1", "residency_days": "2"},
            )
            report_submit(report=report, user=reporting_users[key], now=tenth)
        table = client_for(reporting_users["town_liaison"]).get("/reports/status/", {"month": "2024-02"})
    february = next(e for e in table.context["table"] if e["month"] == Month(2024, 2))
    assert (february["tally"].expected, february["tally"].on_time, february["tally"].pending) == (2, 2, 0)
    assert february["on_time_rate"] is None
    with time_machine.travel(tenth + datetime.timedelta(days=20), tick=False):
        table = client_for(reporting_users["town_liaison"]).get("/reports/status/", {"month": "2024-02"})
    february = next(e for e in table.context["table"] if e["month"] == Month(2024, 2))
    assert february["on_time_rate"] == 100


def test_status_table_offers_no_month_or_year_before_the_first_report_month(reporting_users):
    """The year's months before the programme's first report month are neither rows nor links: each
    would answer 400 ("reports start from ...")."""
    Programme.objects.filter(code="dongguan-bqw-2023").update(first_report_month=datetime.date(2024, 3, 1))
    bureau = client_for(reporting_users["bureau"])
    response = bureau.get("/reports/status/", {"month": "2024-06"})
    assert response.status_code == 200
    assert [e["month"] for e in response.context["table"]][-1] == Month(2024, 3)
    page = response.content.decode()
    assert "month=2024-02" not in page and "month=2023-12" not in page
    for link in {m for m in re.findall(r'href="\?month=(\d{4}-\d{2})', page)}:
        assert bureau.get("/reports/status/", {"month": link}).status_code == 200, link


def test_status_table_opens_on_the_last_month_that_is_due(reporting_users):
    from django.utils import timezone

    programme = Programme.objects.get()
    current = Month.current()
    expected = current if programme.is_due(current) else current.previous()
    response = client_for(reporting_users["bureau"]).get("/reports/status/")
    assert response.context["month"] == expected
    assert programme.is_due(response.context["month"], now=timezone.now())


def test_a_school_name_not_found_in_the_queue_is_said_once(reporting_users):
    response = client_for(reporting_users["bureau"]).get("/reports/queue/", {"school_q": "东莞理工"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "没有名为东莞理工的学校。" in page and "请从列表中选择镇（街道）和学校。" not in page


def test_status_table_refuses_a_malformed_month_with_a_message(reporting_users):
    response = client_for(reporting_users["bureau"]).get("/reports/status/", {"month": "2024-13"})
    assert response.status_code == 400
    assert "请按YYYY-MM格式填写月份，例如2024-03。" in response.content.decode()


def test_queue_runs_the_same_number_of_queries_for_10_and_1000_reports(
    reporting_users, django_assert_max_num_queries, django_assert_num_queries
):
    from tests.factories import PairingFactory, bulk_pairings

    bureau = client_for(reporting_users["bureau"])
    author = reporting_users["liaison"]
    month = datetime.date(2024, 2, 1)
    pairings = list(Pairing.objects.all())
    for pairing in pairings:
        for school in [pairing.lead_university, *pairing.assisting_schools.all()][:1]:
            MonthlyReport.objects.create(pairing=pairing, school=school, month=month, created_by=author)
    programme = pairings[0].programme
    for number in range(100, 102):
        pairing = PairingFactory(programme=programme, number=number, start_date=datetime.date(2024, 1, 1))
        MonthlyReport.objects.create(
            pairing=pairing, school=pairing.lead_university, month=month, created_by=author
        )
    assert MonthlyReport.objects.count() == 10
    with django_assert_max_num_queries(QUERY_BUDGET) as at_10:
        assert bureau.get("/reports/queue/", {"month": "2024-02"}).status_code == 200
    MonthlyReport.objects.bulk_create(
        MonthlyReport(pairing=pairing, school=pairing.lead_university, month=month, created_by=author)
        for pairing in bulk_pairings(programme, range(102, 1092))
    )
    assert MonthlyReport.objects.count() == 1000
    with django_assert_num_queries(len(at_10)):
        assert bureau.get("/reports/queue/", {"month": "2024-02"}).status_code == 200


def test_start_refuses_another_schools_pairing(reporting_users):
    month = timezone.localdate().replace(day=1).strftime("%Y-%m")
    response = client_for(reporting_users["other_liaison"]).post(f"/reports/start/6/{month}/")
    assert response.status_code == 404
    assert not MonthlyReport.objects.exists()


def test_start_refuses_a_month_before_the_programme(reporting_users):
    response = client_for(reporting_users["liaison"]).post("/reports/start/6/2023-12/", follow=True)
    assert "月报从2024-01开始报送。" in response.content.decode()
    assert not MonthlyReport.objects.exists()


def test_the_history_names_what_each_person_did(liaison, reporting_users):
    """A liaison's save of a returned report is a saved draft, not a second "returned" by the liaison."""
    from reporting.services import report_return

    user = reporting_users["liaison"]
    report = make_report(user)
    report_save_draft(report=report, user=user, values={"activities_held": "1", "residency_days": "2"})
    report_submit(report=report, user=user, now=datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC))
    report_return(report=report, reviewer=reporting_users["bureau"], comment="请补充")
    report.refresh_from_db()
    report_save_draft(report=report, user=user, values={"activities_held": "2", "residency_days": "2"})
    html = liaison.get(f"/reports/{report.pk}/").content.decode()
    entries = [line.split(" · ", 2)[-1] for line in html.split('<li class="border-bottom py-1">')[1:]]
    assert [entry.split("<")[0].strip() for entry in entries] == [
        "保存草稿",
        "已退回 · 请补充",
        "已报送",
        "保存草稿",
    ]


def test_the_queue_points_to_this_months_reports_waiting_for_review(liaison, reporting_users):
    user = reporting_users["liaison"]
    report = make_report(user)
    report_save_draft(report=report, user=user, values={"activities_held": "1", "residency_days": "2"})
    report_submit(report=report, user=user, now=datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC))
    bureau = client_for(reporting_users["bureau"])
    html = bureau.get("/reports/queue/", {"month": "2024-02"}).content.decode()
    assert "本月有1份月报待审核。" in html and "state=waiting" in html
    waiting_only = bureau.get("/reports/queue/", {"month": "2024-02", "state": "waiting"})
    assert [row.report_id for row in waiting_only.context["rows"]] == [report.pk]
    assert "本月有1份月报待审核。" not in waiting_only.content.decode()  # already showing only those
    assert "份月报待审核。" not in bureau.get("/reports/queue/", {"month": "2024-01"}).content.decode()


@pytest.mark.parametrize("states", [None, ["missing"], ["submitted_on_time", "missing"]])
def test_each_page_of_the_queue_is_that_slice_of_the_months_rows(reporting_users, states):
    """Pages are read with each half of the rows cut at the page's end (on PostgreSQL): every page
    must be exactly that slice of the month's ordered rows."""
    from reporting.expectations import ExpectedPaginator, expected_rows

    user = reporting_users["liaison"]
    report = make_report(user)
    report_save_draft(report=report, user=user, values={"activities_held": "1", "residency_days": "2"})
    report_submit(report=report, user=user, now=datetime.datetime(2024, 2, 20, tzinfo=datetime.UTC))
    month = Month(2024, 2)
    everything = list(expected_rows(month, states=states))
    assert len(everything) >= 2
    paginator = ExpectedPaginator(month, 5, states=states)
    pages = [list(paginator.page(number).object_list) for number in paginator.page_range]
    assert [row for page in pages for row in page] == everything


def test_a_count_of_days_is_bounded_by_the_months_days(reporting_users):
    """Residency days (a count of 天) cannot exceed the month's days: 30 in November, 31 in March,
    29 in February 2024; on the form, through the API's service and in the workbook alike."""
    from reporting.models import Indicator
    from reporting.services import parse_indicator_value

    days = Indicator.objects.get(code="residency_days")
    assert days.maximum == 31
    for month, largest in [
        (datetime.date(2026, 11, 1), 30),
        (datetime.date(2026, 3, 1), 31),
        (datetime.date(2024, 2, 1), 29),
    ]:
        assert parse_indicator_value(days, str(largest), month=month) == largest
        # Worded alike whatever the month, March's 31 (the indicator's own maximum too) included.
        with pytest.raises(
            ValidationError, match=f"^\\['数值不能大于{largest}：{month:%Y-%m}共{largest}天。'\\]$"
        ):
            parse_indicator_value(days, str(largest + 1), month=month)
    activities = Indicator.objects.get(code="activities_held")  # 场, not days
    activities.maximum = 31
    assert activities.maximum_in(datetime.date(2026, 11, 1)) == 31, "only counts of days"


def test_a_paged_list_says_how_many_rows_it_pages(reporting_users, monkeypatch):
    """The queue said only 'page 1 of 112': a bureau user following a status count here had to open
    the last page to check the number. Every paged list says how many rows it holds."""
    from reporting import views

    monkeypatch.setattr(views, "QUEUE_PAGE", 5)
    html = client_for(reporting_users["bureau"]).get("/reports/queue/", {"month": "2024-02"}).content.decode()
    assert "第 1 页，共 4 页 · 共18条" in html
