"""In Chromium: nothing sticks out sideways where it used to, the bureau's navigation at 1280 px (every
link, the programme picker, a long name in English) and the compliance matrix on a phone; the bureau's
header (the most links of any role) holds on one line at 1366 px in both languages, and on a phone
folds into the menu, which opens with every link."""

import pytest
from playwright.sync_api import expect

from tests.browser.login import log_in
from tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("nav.navbar *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .map((element) => element.tagName + "." + element.className);
}"""


def bureau_with_everything(users, first_name="王科长", last_name="市教育局"):
    """The bureau as in the demo, with the most links: staff (the admin link too), a full name; and
    two programmes, so the pages show the programme picker."""
    ProgrammeFactory(name="第二个项目")
    bureau = users["bureau"]
    bureau.first_name, bureau.last_name, bureau.is_staff = first_name, last_name, True
    bureau.save()
    return bureau


def bureau_page(new_page, server, users, language, width, height, *name):
    """A page signed in as `bureau_with_everything`, in the language, at the window's size."""
    bureau_with_everything(users, *name)
    page = new_page(viewport={"width": width, "height": height})
    log_in(page, server.url, "bureau")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    return page


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_navigation_fits_at_1280_pixels(new_page, server, users, screenshots, language):
    page = bureau_page(new_page, server, users, language, 1280, 900)
    for path in ["/pairings/compliance/", "/dashboard/"]:
        page.goto(server.url + path)
        expect(page.locator("select[name=programme]").first).to_be_visible()
        assert page.evaluate(STICKING_OUT) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
        expect(page.locator("nav.navbar button[type=submit]").last).to_be_visible()  # log out, in view
    page.screenshot(path=screenshots / f"navbar-1280-{language}.png")


def test_the_compliance_matrix_scrolls_inside_its_box_on_a_phone(new_page, server, users, screenshots):
    phone = new_page(viewport={"width": 375, "height": 800})
    log_in(phone, server.url, "bureau")
    phone.goto(f"{server.url}/pairings/compliance/")
    box = phone.locator(".table-responsive:has(.compliance-matrix)")
    assert box.evaluate("element => getComputedStyle(element).position") == "relative"
    assert box.evaluate("element => element.scrollWidth > element.clientWidth"), "the matrix scrolls"
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, "the page does not"
    phone.screenshot(path=screenshots / "compliance-matrix-375.png", full_page=True)


# The header's rows: each visible item of the bar (the brand, every link, the language switch, the
# user's name, log out) by its vertical middle; one line is one middle, give or take a few pixels.
HEADER_ROWS = """() => {
  const items = [...document.querySelectorAll(
    "nav.navbar .navbar-brand, nav.navbar .nav-link, nav.navbar select, nav.navbar .navbar-text, nav.navbar button[type=submit]"
  )].filter((element) => element.offsetParent !== null);
  const middles = items.map((element) => {
    const box = element.getBoundingClientRect();
    return Math.round((box.top + box.bottom) / 2);
  });
  const rows = [];
  for (const middle of middles.sort((a, b) => a - b)) {
    if (!rows.length || middle - rows[rows.length - 1] > 8) rows.push(middle);
  }
  return {rows: rows.length, items: items.length, height: document.querySelector("nav.navbar").offsetHeight};
}"""


@pytest.mark.parametrize(
    ("language", "name"),
    [
        pytest.param("zh-hans", ("王科长", "市教育局"), id="zh-hans"),
        pytest.param("en", ("王科长", "市教育局"), id="en"),
        # A long name is cut short (an ellipsis) instead of pushing the bar onto two lines.
        pytest.param("en", ("Alexandra Katherine", "Richardson-Whitfield"), id="en-long-name"),
    ],
)
def test_the_bureau_header_stays_on_one_line_at_1366_pixels(
    new_page, server, users, screenshots, request, language, name
):
    page = bureau_page(new_page, server, users, language, 1366, 768, *name)
    for path in ["/pairings/compliance/", "/dashboard/"]:
        page.goto(server.url + path)
        header = page.evaluate(HEADER_ROWS)
        assert header["rows"] == 1, (path, header)
        assert header["height"] <= 60, (path, header)
        assert page.evaluate(STICKING_OUT) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1366, path
        expect(page.locator("nav.navbar button[type=submit]").last).to_be_visible()  # log out, in view
    page.locator("nav.navbar").screenshot(
        path=screenshots / f"navbar-1366-{request.node.callspec.id.removeprefix('chromium-')}.png"
    )


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_bureau_header_folds_into_the_menu_on_a_phone(new_page, server, users, screenshots, language):
    phone = bureau_page(new_page, server, users, language, 390, 844)
    phone.goto(server.url + "/pairings/compliance/")
    assert phone.evaluate(HEADER_ROWS)["rows"] == 1, "closed: the brand and the menu button"
    phone.locator("nav.navbar").screenshot(path=screenshots / f"navbar-390-{language}-closed.png")
    phone.locator("nav.navbar .navbar-toggler").click()
    phone.locator("#main-nav.collapse.show").wait_for()  # "collapsing" while it slides open
    links = phone.locator("#main-nav .nav-link")
    assert links.count() >= 9
    for index in range(links.count()):
        expect(links.nth(index)).to_be_visible()
    expect(phone.locator("nav.navbar button[type=submit]").last).to_be_visible()  # log out
    assert phone.evaluate(STICKING_OUT) == []
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("nav.navbar").screenshot(path=screenshots / f"navbar-390-{language}-open.png")
