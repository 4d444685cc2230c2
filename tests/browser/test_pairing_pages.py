"""In Chromium: the bureau finds a town by typing (the portal suggests it), filters the pairing list by
it and opens a pairing, on desktop and phone."""

import pytest
from playwright.sync_api import expect

from tests.browser.login import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


@pytest.mark.parametrize("width", [1280, 390])
def test_bureau_filters_by_town_and_opens_the_pairing(new_page, server, users, screenshots, width):
    page = new_page(viewport={"width": width, "height": 900})
    log_in(page, server.url, "bureau")
    page.goto(f"{server.url}/")  # the bureau's home is the pairing list
    page.wait_for_url(f"{server.url}/pairings/")
    assert page.locator("tbody tr").count() == 8

    town = page.get_by_label("镇(街道)")
    with page.expect_response("**/pairings/choices/towns/?*q=*") as suggested:
        town.press_sequentially("长")
    assert "programme=" in suggested.value.url, "the suggestions keep to the programme shown"
    assert [t["text"] for t in suggested.value.json()["results"]] == ["长安"]
    town.fill("长安")
    town.dispatch_event("change")
    assert page.locator("#id_town").input_value() == str(
        users["liaison"].profile.school.led_pairings.get().town_id
    )
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**/pairings/?*town=*")
    rows = page.locator("tbody tr")
    assert rows.count() == 1
    page.screenshot(path=screenshots / f"pairing-list-changan-{width}.png", full_page=True)

    rows.first.get_by_role("link", name="长安").click()
    page.wait_for_url("**/pairings/6/")
    parties = page.locator("section[aria-labelledby=parties-heading]")
    expect(parties.get_by_text("东莞理工学院")).to_be_visible()
    expect(parties.get_by_text("东莞市机电工程学校")).to_be_visible()
    expect(parties.get_by_text("新民社区")).to_be_visible()
    page.screenshot(path=screenshots / f"pairing-detail-changan-{width}.png", full_page=True)
    # On a phone nothing may stick out sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
