"""In Chromium at 390 px: a liaison adds a member and records a residency; the bureau's matrix
turns from red to green for those rules."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pairing.demo import seed_pairing_activity
from pairing.models import Membership, Pairing, Programme, Residency
from tests.browser.login import log_in

LAST_YEAR = timezone.localdate().year - 1
RULES = ("team_size", "residency")

pytestmark = [pytest.mark.browser, pytest.mark.django_db]


def cell_states(page, base_url: str) -> dict[str, str]:
    """The 长安 pairing's cells in last year's compliance matrix, rule -> state (one page load)."""
    page.goto(f"{base_url}/pairings/compliance/?year={LAST_YEAR}")
    row = page.locator("tbody tr", has=page.get_by_role("link", name="6. 长安"))
    return {rule: row.locator(f"td[data-rule={rule}]").get_attribute("data-state") for rule in RULES}


def test_liaison_fixes_team_and_residency_and_the_matrix_turns_green(new_page, server, users, screenshots):
    seed_pairing_activity(programme=Programme.objects.get(), until=datetime.date(LAST_YEAR, 12, 31))
    pairing = Pairing.objects.get(number=6)
    # Make the 长安 pairing breach two rules: a member short, and 62 days of residency last year.
    for membership in Membership.objects.filter(team__pairing=pairing, role="member").order_by("-pk")[:2]:
        membership.delete()
    assert Membership.objects.filter(team__pairing=pairing).count() == 5
    Residency.objects.filter(team__pairing=pairing, start_date__year=LAST_YEAR).delete()
    Residency.objects.create(
        team=pairing.team,
        start_date=datetime.date(LAST_YEAR, 1, 5),
        end_date=datetime.date(LAST_YEAR, 3, 7),
        place=pairing.town,
    ).people.add(pairing.team.members.first())

    bureau = new_page(viewport={"width": 1280, "height": 900})
    log_in(bureau, server.url, "bureau")
    before = cell_states(bureau, server.url)
    assert before["team_size"] == "breach"
    assert before["residency"] == "breach"
    bureau.screenshot(path=screenshots / "compliance-before.png", full_page=True)

    phone = new_page(viewport={"width": 390, "height": 844})
    log_in(phone, server.url, "liaison-dgut")
    phone.goto(f"{server.url}/")  # the liaison's home is the pairing
    phone.wait_for_url("**/pairings/6/")
    phone.get_by_role("link", name="添加队员").click()
    phone.get_by_label("姓名").fill("黄小明")
    phone.get_by_label("学校").select_option(label="东莞理工学院")
    phone.get_by_label("职务").fill("讲师")
    phone.get_by_label("职称").select_option(label="中级")
    phone.screenshot(path=screenshots / "member-add-390.png", full_page=True)
    phone.get_by_role("button", name="添加队员").click()
    phone.wait_for_url("**/pairings/6/")
    expect(phone.get_by_text("黄小明已加入服务工作队。")).to_be_visible()

    phone.get_by_role("link", name="登记驻点").click()
    # First a mistake: the end before the start is named and nothing is saved.
    phone.get_by_label("驻点开始日期").fill(f"{LAST_YEAR}-06-30")
    phone.get_by_label("驻点结束日期").fill(f"{LAST_YEAR}-06-01")
    phone.get_by_label("黄小明").check()
    phone.get_by_label("驻点镇村").select_option(label="新民社区")
    phone.get_by_role("button", name="登记驻点").click()
    expect(phone.locator("#error-summary").get_by_text("驻点结束日期早于开始日期。")).to_be_visible()
    phone.screenshot(path=screenshots / "residency-error-390.png", full_page=True)
    phone.get_by_label("驻点开始日期").fill(f"{LAST_YEAR}-06-01")
    phone.get_by_label("驻点结束日期").fill(f"{LAST_YEAR}-06-30")
    phone.get_by_role("button", name="登记驻点").click()
    phone.wait_for_url("**/pairings/6/")
    expect(phone.get_by_text("已登记驻点30天。")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    after = cell_states(bureau, server.url)
    assert after["team_size"] == "ok"
    assert after["residency"] == "ok"
    bureau.screenshot(path=screenshots / "compliance-after.png", full_page=True)


def test_the_adjustment_form_shows_only_the_chosen_adjustments_fields(new_page, server, users, screenshots):
    bureau = new_page(viewport={"width": 1280, "height": 900})
    log_in(bureau, server.url, "bureau")
    bureau.goto(f"{server.url}/pairings/6/adjust/")
    adjustment = bureau.get_by_label("调整事项")
    # Nothing chosen at first (ending the pairing cannot be undone): no action's fields shown.
    assert adjustment.input_value() == ""
    expect(bureau.locator("#id_end_date")).to_be_hidden()
    expect(bureau.locator("#id_village")).to_be_hidden()
    adjustment.select_option("end")
    expect(bureau.locator("#id_end_date")).to_be_visible()
    expect(bureau.locator("#id_village")).to_be_hidden()
    adjustment.select_option("add_village")
    expect(bureau.locator("#id_village")).to_be_visible()
    expect(bureau.locator("#id_end_date")).to_be_hidden()
    expect(bureau.locator("#id_new")).to_be_hidden()
    adjustment.select_option("replace_school")
    expect(bureau.locator("#id_old")).to_be_visible()
    expect(bureau.locator("#id_new")).to_be_visible()
    # The school is typed: the suggestions (of this programme) fill the list and the chosen one's id.
    bureau.locator("#id_old").select_option(label="东莞市机电工程学校")
    with bureau.expect_response(lambda response: "/pairings/choices/schools/" in response.url) as answer:
        bureau.locator("#id_new").fill("东莞市商业学校")
    assert "programme=" in answer.value.url and answer.value.json()["results"][0]["text"] == "东莞市商业学校"
    assert bureau.locator("#id_new-id").input_value() == str(answer.value.json()["results"][0]["id"])
    bureau.locator("#id_reason").fill("学校调整")
    bureau.screenshot(path=screenshots / "adjust-replace-school.png", full_page=True)
    bureau.get_by_role("button", name="确认调整").click()
    bureau.wait_for_url(f"{server.url}/pairings/6/")
    assert list(Pairing.objects.get(number=6).assisting_schools.values_list("name", flat=True)) == [
        "东莞市商业学校"
    ]
