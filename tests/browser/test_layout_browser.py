"""In Chromium: nothing sticks out sideways where it used to, the bureau's navigation at 1280 px (every
link, the programme picker, a long name in English) and the compliance matrix on a phone."""

import pytest

from tests.browser.login import log_in
from tests.factories import ProgrammeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db]

STICKING_OUT = """() => {
  const width = document.documentElement.clientWidth;
  return [...document.querySelectorAll("nav.navbar *")]
    .filter((element) => element.getBoundingClientRect().right > width + 1)
    .map((element) => element.tagName + "." + element.className);
}"""


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_navigation_fits_at_1280_pixels(new_page, server, users, screenshots, language):
    ProgrammeFactory(name="第二个项目")  # two programmes: the pages show the programme picker
    bureau = users["bureau"]  # as in the demo: staff (the admin link too), with a full name
    bureau.first_name, bureau.last_name, bureau.is_staff = "王科长", "市教育局", True
    bureau.save()
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, server.url, "bureau")
    page.context.add_cookies([{"name": "django_language", "value": language, "url": server.url}])
    for path in ["/pairings/compliance/", "/dashboard/"]:
        page.goto(server.url + path)
        assert page.locator("select[name=programme]").first.is_visible()
        assert page.evaluate(STICKING_OUT) == [], path
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280, path
        assert page.locator("nav.navbar button[type=submit]").last.is_visible()  # log out, in view
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
