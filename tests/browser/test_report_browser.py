"""In Chromium at 390 px: a liaison fills and submits a report; the bureau returns it with a comment;
the liaison corrects and resubmits; the bureau accepts; the report is read-only."""

import pytest
from playwright.sync_api import expect

from reporting.models import MonthlyReport, ReportAttachment
from tests.browser.login import log_in, log_in_through_form

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_report_cycle_on_a_phone(new_page, server, users, indicators, screenshots):
    phone = new_page(viewport={"width": 390, "height": 844})
    asked = []  # submitting asks first; the liaison confirms
    # (the upload's question about unsaved changes is answered "cancel", as the liaison would)
    phone.on(
        "dialog",
        lambda dialog: (
            asked.append(dialog.message),
            dialog.dismiss() if "尚未保存" in dialog.message else dialog.accept(),
        ),
    )
    # The one browser test that signs in through the login form (the others hand over a session
    # cookie): the liaison, on the phone.
    log_in_through_form(phone, server.url, "liaison-dgut")
    phone.goto(f"{server.url}/reports/")
    phone.screenshot(path=screenshots / "report-home-390.png", full_page=True)
    phone.get_by_role("region", name="本月").get_by_role("button", name="开始填写").click()
    phone.wait_for_url("**/reports/*/")
    phone.get_by_label("驻点服务天数").fill("6")
    phone.get_by_label("深入融入人才兴镇").fill("举办电商直播技能培训班1期。")
    # A required figure left empty: no "submit?" first, the page names it at once.
    phone.get_by_role("button", name="提交", exact=True).click()
    expect(phone.locator("#error-summary").get_by_text("此指标为必填项。")).to_be_visible()
    assert asked == []
    phone.get_by_label("开展活动场次").fill("-2")
    phone.get_by_role("button", name="提交", exact=True).click()
    summary = phone.locator("#error-summary")
    expect(summary.get_by_text("数值不能为负数。")).to_be_visible()
    assert phone.get_by_label("深入融入人才兴镇").input_value() == "举办电商直播技能培训班1期。"
    phone.screenshot(path=screenshots / "report-error-390.png", full_page=True)
    # A photo attached after typing, before saving: the page asks first, and cancelling keeps it all.
    phone.get_by_label("驻点服务天数").fill("7")
    phone.locator("#attachment-form input[type=file]").set_input_files(
        files=[{"name": "照片.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n" + b"\x00" * 32}]
    )
    phone.locator("#attachment-form button[type=submit]").click()
    assert any(message.startswith("月报中填写的内容尚未保存") for message in asked), asked
    assert phone.get_by_label("驻点服务天数").input_value() == "7"
    assert not ReportAttachment.objects.exists()
    phone.get_by_label("开展活动场次").fill("4")
    phone.get_by_role("button", name="提交", exact=True).click()
    expect(phone.get_by_text("月报已报送。")).to_be_visible()
    assert asked and asked[-1].startswith("确定提交此月报吗？")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    report = MonthlyReport.objects.get()
    assert report.status == "submitted"

    bureau = new_page(viewport={"width": 1280, "height": 900})
    log_in(bureau, server.url, "bureau")
    bureau.goto(f"{server.url}/reports/queue/?state=submitted")
    bureau.get_by_role("link", name="东莞理工学院").click()
    bureau.get_by_label("给联络员的意见").fill("请补充驻点人员名单。")
    bureau.get_by_role("button", name="退回并附意见").click()
    expect(bureau.get_by_text("月报已退回联络员。")).to_be_visible()

    phone.goto(f"{server.url}/reports/{report.pk}/")
    expect(phone.locator("#review-comment").get_by_text("请补充驻点人员名单。")).to_be_visible()
    phone.get_by_label("驻点服务天数").fill("8")
    phone.get_by_role("button", name="提交", exact=True).click()
    expect(phone.get_by_text("月报已报送。")).to_be_visible()

    bureau.reload()
    changed = bureau.locator("#changes").get_by_role("row", name="驻点服务天数")
    expect(changed).to_be_visible()
    expect(changed.get_by_text("8 天", exact=True)).to_be_visible()
    bureau.screenshot(path=screenshots / "report-review-1280.png", full_page=True)
    bureau.get_by_role("button", name="审核通过").click()
    expect(bureau.get_by_text("月报已审核通过并锁定。")).to_be_visible()

    phone.goto(f"{server.url}/reports/{report.pk}/")
    assert phone.locator("#report-status").inner_text() == "已通过"
    assert phone.locator("#report-form").count() == 0
    phone.screenshot(path=screenshots / "report-accepted-390.png", full_page=True)
    report.refresh_from_db()
    assert (report.status, report.reviewed_by.username) == ("accepted", "bureau")
