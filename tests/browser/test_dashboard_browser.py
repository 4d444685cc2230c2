"""In Chromium: a commander opens the dashboard and downloads an export that opens with openpyxl."""

import openpyxl
import pytest
from playwright.sync_api import expect

from pairing.models import Programme
from reporting.demo import seed_reports
from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def test_commander_sees_the_dashboard_and_downloads_an_export(
    new_page, server, users, indicators, screenshots, tmp_path
):
    seed_reports(programme=Programme.objects.get(), reviewer=users["bureau"], months=4)
    page = new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    log_in(page, server.url, "commander")
    page.goto(f"{server.url}/dashboard/")
    page.wait_for_function("Chart.instances && Object.keys(Chart.instances).length === 4")
    page.screenshot(path=screenshots / "dashboard-1280.png", full_page=True)
    expect(page.get_by_role("heading", name="阶段目标")).to_be_visible()
    # The trends of indicators in different units each have an axis titled with the unit.
    axes = page.evaluate(
        """() => {
          const chart = Chart.getChart("chart-trends");
          return chart.data.datasets.map((d) => [d.label, chart.options.scales[d.yAxisID].title.text]);
        }"""
    )
    assert len(axes) == 3 and len({unit for _label, unit in axes}) == 3, axes
    assert all(f"（{unit}）" in label for label, unit in axes), axes

    page.goto(f"{server.url}/reports/export/")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载Excel").click()
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["汇总", "明细"]
    assert book["明细"].max_row >= 3


def test_picking_a_programme_on_the_export_page_offers_its_own_months(new_page, server, users):
    """The export's months follow the programme picked: the page opens afresh for it, rather than
    keeping the months of the one shown before (an ended programme then answered 400)."""
    import datetime

    ended = Programme.objects.create(
        code="done-2021",
        name="已结束的项目",
        start_date=datetime.date(2021, 1, 1),
        end_date=datetime.date(2021, 8, 31),
        first_report_month=datetime.date(2021, 1, 1),
    )
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "commander")
    page.goto(f"{server.url}/reports/export/")
    assert page.locator("#id_to").input_value() != "2021-08"
    with page.expect_navigation():
        page.locator("#id_programme").select_option(str(ended.pk))
    assert page.url.endswith(f"/reports/export/?programme={ended.pk}")
    assert page.locator("#id_from").input_value() == page.locator("#id_to").input_value() == "2021-08"
    assert page.locator("#id_programme").input_value() == str(ended.pk)
