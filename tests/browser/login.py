"""Signing a browser in: through the login form where the test is about that, otherwise by handing
the browser a session cookie (the form costs a page load, two fills and a redirect chain each time)."""

from django.conf import settings
from django.contrib.auth.models import User

from tests.conftest import PASSWORD
from tests.helpers import client_for


def log_in(page, base_url: str, username: str) -> None:
    """Gives the page's browser context the session of `username`, made by Django's test client in
    the test's transaction (which the `server` shares). Opens no page."""
    client = client_for(User.objects.get(username=username))
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": base_url, "httpOnly": True, "sameSite": "Lax"}]
    )


def log_in_through_form(page, base_url: str, username: str) -> None:
    """Signs in as a person does, on the login page; the browser then follows the redirect home."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
