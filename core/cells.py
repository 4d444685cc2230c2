"""Text that the portal writes into CSV and Excel cells, made safe to open in a spreadsheet.

A cell that begins with = + - @ (or a tab or carriage return, which some spreadsheets strip
before reading a formula) is prefixed with an apostrophe, the OWASP advice for CSV injection, so
a school called "=HYPERLINK(...)" is shown as text and never runs. Numbers are written as numbers
and are not touched.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_cell(value):
    """A CSV cell: text neutralised, everything else (numbers, None) as it is."""
    return safe_text(value) if isinstance(value, str) else value
