"""A new scan of the tripartite agreement keeps the earlier ones as versions: each is named and linked
in the pairing's history and served from there; no file under MEDIA_ROOT is left that no row names,
whether a scan is replaced, refused, or its row cannot be saved."""

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.utils import timezone

from pairing.models import Agreement, Pairing
from pairing.services import agreement_save
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

CHANGAN = 6
FIRST = b"%PDF-1.4\n% first scan\n"
SECOND = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
THIRD = b"%PDF-1.4\n% third scan, same name as the first\n"


def files_on_disk() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root).as_posix() for path in root.rglob("*") if path.is_file()}


def files_rows_name() -> set[str]:
    """Every scan the agreements and their history name."""
    current = Agreement.objects.exclude(scanned_file="").values_list("scanned_file", flat=True)
    kept = Agreement.history.exclude(scanned_file="").values_list("scanned_file", flat=True)
    return set(current) | set(kept)


def upload(client, name: str, content: bytes, signed_on: str = "2024-01-20"):
    return client.post(
        f"/pairings/{CHANGAN}/agreement/",
        {"signed_on": signed_on, "scanned_file": SimpleUploadedFile(name, content)},
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_a_replaced_scan_is_kept_and_reachable_from_the_pairings_history(users):
    liaison = client_for(users["liaison"])
    for name, content in [("协议.pdf", FIRST), ("协议扫描.png", SECOND), ("协议.pdf", THIRD)]:
        assert upload(liaison, name, content).status_code == 302

    assert len(files_on_disk()) == 3
    assert files_on_disk() == files_rows_name(), "every file on disk is named by a row, and the other way"
    assert body(liaison.get(f"/pairings/{CHANGAN}/agreement/file/")) == THIRD

    # A commander reads the history: the first scan, then two replacements, each linking to the scan
    # before and after it.
    history = client_for(users["commander"]).get(f"/pairings/{CHANGAN}/history/").content.decode()
    links = re.findall(rf'href="(/pairings/{CHANGAN}/agreement/scans/\d+/)">([^<]+)</a>', history)
    assert len(links) == 5 and len(set(links)) == 3
    served = {name: body(client_for(users["commander"]).get(url)) for url, name in links}
    assert served[[n for n in served if n.endswith(".png")][0]] == SECOND
    assert {FIRST, SECOND, THIRD} == set(served.values())
    assert "private/" not in history, "the history shows a scan's name, not where it is stored"


def test_a_refused_scan_leaves_no_file(users):
    liaison = client_for(users["liaison"])
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert upload(liaison, "协议.pdf", FIRST, signed_on=future).status_code == 200
    assert upload(liaison, "协议.exe", b"MZ\x90\x00").status_code == 200
    assert files_on_disk() == set()


def test_a_scan_whose_row_cannot_be_saved_is_removed_again(users, monkeypatch):
    pairing = Pairing.objects.get(number=CHANGAN)
    agreement_save(
        pairing=pairing, signed_on=datetime.date(2024, 1, 20), scanned_file=SimpleUploadedFile("a.pdf", FIRST)
    )

    def database_fails(*args, **kwargs):
        raise DatabaseError("the database went away")

    monkeypatch.setattr(Agreement, "save", database_fails)
    with pytest.raises(DatabaseError):
        agreement_save(
            pairing=pairing,
            signed_on=datetime.date(2024, 1, 20),
            scanned_file=SimpleUploadedFile("b.png", SECOND),
        )
    assert files_on_disk() == files_rows_name() == {Agreement.objects.get().scanned_file.name}


def test_a_kept_scan_is_found_only_through_its_own_pairing(users):
    upload(client_for(users["liaison"]), "协议.pdf", FIRST)
    record = Agreement.history.exclude(scanned_file="").get().history_id
    bureau = client_for(users["bureau"])
    assert bureau.get(f"/pairings/{CHANGAN}/agreement/scans/{record}/").status_code == 200
    assert bureau.get(f"/pairings/4/agreement/scans/{record}/").status_code == 404
    assert bureau.get(f"/pairings/{CHANGAN}/agreement/scans/{record + 1000}/").status_code == 404
