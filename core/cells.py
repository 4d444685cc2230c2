"""Text that the portal writes into CSV and Excel cells, made safe to open in a spreadsheet, and
the rule that keeps names from looking like formulas in the first place.

A cell that begins with = + - @ (or a tab or carriage return, which some spreadsheets strip
before reading a formula) is prefixed with an apostrophe, the OWASP advice for CSV injection, so
a school called "=HYPERLINK(...)" is shown as text and never runs. Numbers are written as numbers
and are not touched. In a workbook the cell is typed as text instead (`excel_text`).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_cell(value):
    """A CSV cell: text neutralised, everything else (numbers, None) as it is."""
    return safe_text(value) if isinstance(value, str) else value


def excel_text(cell, value: str | None):
    """Put text into an openpyxl cell as text, whatever it starts with.

    openpyxl makes a string that starts with "=" a formula and "#N/A" an error; typed "s" it is
    written as a string. One that starts with a formula character also gets the quote prefix, as
    Excel gives '=..., so that editing the cell in Excel does not turn it into a formula either.
    The text itself is kept as it is (no apostrophe), so it reads back unchanged.
    """
    cell.value = value
    if isinstance(value, str):
        cell.data_type = "s"
        if value.startswith(FORMULA_STARTS):
            cell.quotePrefix = True
    return cell


def validate_not_formula(value) -> None:
    """For names (schools, areas, programmes, people, indicators): one that begins like a formula
    is refused where it is entered, the admin or the import, rather than neutralised everywhere it
    is later written out."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        raise ValidationError(
            _(
                "A name cannot begin with = + - @, a tab or a line break, which spreadsheets read as a "
                "formula."
            ),
            code="formula",
        )
