"""Both catalogs are complete and compiled; pages speak Chinese by default and English on request."""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.test import Client

from tests.helpers import client_for

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ["zh_Hans", "en"]
SOURCES = ["core", "portal", "pairing", "reporting", "oversight", "templates"]


@pytest.mark.parametrize("language", LOCALES)
def test_catalog_is_complete_and_compiled(language):
    po = polib.pofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.po"))
    assert po.percent_translated() == 100, [e.msgid for e in po.untranslated_entries()]
    assert not po.fuzzy_entries()
    mo = polib.mofile(str(ROOT / "locale" / language / "LC_MESSAGES" / "django.mo"))
    compiled = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in mo}
    source = {(e.msgid, e.msgstr or tuple(sorted(e.msgstr_plural.items()))) for e in po.translated_entries()}
    assert source <= compiled, "the .mo is stale: run `make messages`"


def test_every_marked_string_is_in_the_catalog(tmp_path):
    """Extract the strings afresh (needs GNU gettext) and compare with the Chinese catalog."""
    if not shutil.which("xgettext"):
        pytest.skip("GNU gettext (xgettext) is not installed: apt-get install gettext")
    for name in [*SOURCES, "manage.py"]:
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "-v0"],
        cwd=tmp_path,
        check=True,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "portal.settings", "PYTHONPATH": str(ROOT)},
    )
    fresh = {
        e.msgid for e in polib.pofile(str(tmp_path / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))
    }
    shipped = {e.msgid for e in polib.pofile(str(ROOT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"))}
    assert fresh - shipped == set(), "strings missing from the catalog: run `make messages`"


@pytest.mark.django_db
def test_login_page_is_chinese_by_default():
    html = Client().get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html
    assert "登录" in html and "用户名" in html


@pytest.mark.django_db
def test_language_switch_turns_the_pages_english():
    client = Client()
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert response.status_code == 302
    html = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in html
    assert "Username" in html and "用户名" not in html


@pytest.mark.django_db
def test_an_unknown_language_in_the_switch_keeps_chinese():
    client = Client()
    client.post("/i18n/setlang/", {"language": "xx", "next": "/accounts/login/"})
    assert 'lang="zh-hans"' in client.get("/accounts/login/").content.decode()


@pytest.mark.django_db
def test_an_english_browser_still_gets_chinese_until_the_user_switches():
    html = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/accounts/login/").content.decode()
    assert 'lang="zh-hans"' in html and "用户名" in html


@pytest.mark.django_db
def test_a_signed_in_users_notices_follow_the_language_they_switch_to(users):
    client = client_for(users["liaison"])
    assert users["liaison"].profile.language == "zh-hans"
    client.post("/i18n/setlang/", {"language": "en", "next": "/reports/"})
    users["liaison"].profile.refresh_from_db()
    assert users["liaison"].profile.language == "en"
    client.post("/i18n/setlang/", {"language": "xx", "next": "/reports/"})  # unknown: nothing changes
    users["liaison"].profile.refresh_from_db()
    assert users["liaison"].profile.language == "en"
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/reports/"})
    users["liaison"].profile.refresh_from_db()
    assert users["liaison"].profile.language == "zh-hans"
