"""Reading workbooks that people upload: checks shared by the registry import and the liaison's
report round trip. Every problem names its sheet, row and column in plain words; nothing is
written until a workbook has none.

A workbook is inspected before it is parsed (core/excel/package.py: sizes, compression, parts,
rows, cells, links, macros, merged cells and formulas, at a small fixed cost in memory), then read
with openpyxl in its streaming mode, a row at a time and never past the rows and columns the
inspection counted.
"""

from collections.abc import Iterator
from contextlib import contextmanager

import openpyxl
from django.utils.translation import gettext as _

from core.uploads import display_name

from .package import PackageScan, SheetScan, WorkbookLimits, inspect_workbook
from .problems import Problem, WorkbookRejected

__all__ = [
    "Problem",
    "UploadedWorkbook",
    "WorkbookLimits",
    "WorkbookRejected",
    "check_sheet",
    "open_workbook",
]


class UploadedWorkbook:
    """An inspected workbook, open in openpyxl's read-only mode: rows of values with their numbers."""

    def __init__(self, book, scan: PackageScan, name: str):
        self.book = book
        self.scan = scan
        self.name = name

    @property
    def sheetnames(self) -> list[str]:
        return [name for name in self.book.sheetnames if name in self.scan.sheets]

    def sheet_scan(self, sheet_name: str) -> SheetScan:
        return self.scan.sheets[sheet_name]

    def rows(
        self, sheet_name: str, *, min_row: int = 1, max_row: int | None = None
    ) -> Iterator[tuple[int, tuple]]:
        """(row number, values) for each row from min_row, every row as wide as the sheet's widest."""
        scan = self.scan.sheets[sheet_name]
        last = scan.rows if max_row is None else min(max_row, scan.rows)
        if last < min_row:
            return
        rows = self.book[sheet_name].iter_rows(
            min_row=min_row, max_row=last, max_col=max(scan.columns, 1), values_only=True
        )
        try:
            yield from enumerate(rows, start=min_row)
        except WorkbookRejected:
            raise
        except Exception:  # a value the reader cannot make sense of (a damaged number or date)
            raise WorkbookRejected(
                [Problem(self.name, None, None, _("The file could not be read as an Excel workbook."))]
            ) from None

    def row(self, sheet_name: str, number: int) -> tuple:
        return next((values for _number, values in self.rows(sheet_name, min_row=number, max_row=number)), ())


@contextmanager
def open_workbook(upload, *, limits: WorkbookLimits | None = None) -> Iterator[UploadedWorkbook]:
    """The uploaded .xlsx, inspected against the limits, then opened for reading with formulas kept
    as formulas so they can be refused; closed when the block ends, whatever happens in it."""
    limits = limits or WorkbookLimits.from_settings()
    inspection = inspect_workbook(upload, limits)
    name = display_name(getattr(upload, "name", "") or "")
    upload.seek(0)
    try:
        book = openpyxl.load_workbook(upload, read_only=True, data_only=False, keep_links=False)
    except Exception:  # a damaged or disguised file: the reader's own error means nothing to a user
        raise WorkbookRejected(
            [Problem(name, None, None, _("The file could not be read as an Excel workbook."))]
        ) from None
    try:
        yield UploadedWorkbook(book, inspection, name)
    finally:
        book.close()
        upload.seek(0)


def check_sheet(
    workbook: UploadedWorkbook, sheet_name: str, headers: list[str], header_row: int
) -> list[Problem]:
    """The sheet exists, its header row is exactly `headers`, and no cell is merged or a formula."""
    if sheet_name not in workbook.sheetnames:
        return [Problem(sheet_name, None, None, _("The sheet %(sheet)s is missing.") % {"sheet": sheet_name})]
    problems = []
    found = list(workbook.row(sheet_name, header_row))
    while found and found[-1] in (None, ""):
        found.pop()
    for index, expected in enumerate(headers, start=1):
        actual = found[index - 1] if index <= len(found) else None
        if actual != expected:
            problems.append(
                Problem(
                    sheet_name,
                    header_row,
                    index,
                    _("Expected the column %(expected)s here, found %(found)s.")
                    % {"expected": expected, "found": actual if actual not in (None, "") else _("nothing")},
                )
            )
    for index in range(len(headers) + 1, len(found) + 1):
        problems.append(
            Problem(
                sheet_name,
                header_row,
                index,
                _("Unexpected extra column %(name)s.") % {"name": found[index - 1]},
            )
        )
    scan = workbook.sheet_scan(sheet_name)
    for reference, row, column in scan.merged:
        problems.append(
            Problem(
                sheet_name,
                row,
                column,
                _("Merged cells (%(range)s) are not allowed; unmerge them.") % {"range": reference},
            )
        )
    for row, column in scan.formulas:
        if row > header_row:
            problems.append(Problem(sheet_name, row, column, _("Formulas are not allowed; type the value.")))
    return problems
