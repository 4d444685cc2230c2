"""Checks for uploaded files: the name's type, the content's signature and the size."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SIGNATURES = {
    ".pdf": b"%PDF-",
    ".jpg": b"\xff\xd8\xff",
    ".jpeg": b"\xff\xd8\xff",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".docx": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
}


def check_upload(
    upload, *, allowed: tuple[str, ...], limit: int, field: str, wrong_type_message: str
) -> None:
    """A ValidationError on `field` if the file's type, content or size is not acceptable."""
    suffix = Path(upload.name).suffix.lower()
    if suffix not in allowed:
        raise ValidationError({field: wrong_type_message})
    if upload.size > limit:
        raise ValidationError(
            {
                field: _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576)}
            }
        )
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(SIGNATURES[suffix]):
        raise ValidationError(
            {field: _("The file's content is not a %(kind)s.") % {"kind": suffix[1:].upper()}}
        )


def display_name(name: str, *, limit: int = 60) -> str:
    """A name that came from outside (a file's, a sheet's, a zip member's) as it may be shown back:
    printable characters only, so no NUL and no right-to-left override that would disguise an
    extension, and shortened in the middle when it is long."""
    printable = "".join(char for char in str(name) if char.isprintable())
    if len(printable) > limit:
        printable = f"{printable[: limit - 11]}…{printable[-10:]}"
    return printable
