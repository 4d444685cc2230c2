"""Reading workbooks that people upload: checks shared by the registry import and the liaison's
report round trip. Every problem names its sheet, row and column in plain words; nothing is
written until a workbook has none."""

import io
import zipfile
from dataclasses import dataclass

import openpyxl
from django.utils.translation import gettext as _
from openpyxl.utils import get_column_letter


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: int | None
    message: str

    @property
    def where(self) -> str:
        if self.row is None:
            return self.sheet
        if self.column is None:
            return _("%(sheet)s, row %(row)s") % {"sheet": self.sheet, "row": self.row}
        return f"{self.sheet}!{get_column_letter(self.column)}{self.row}"

    def __str__(self) -> str:
        return f"{self.where}：{self.message}"


class WorkbookRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems


def open_workbook(upload, *, max_bytes: int) -> openpyxl.Workbook:
    """The uploaded .xlsx, opened with formulas kept as formulas so they can be refused."""
    name = getattr(upload, "name", "") or ""
    if upload.size > max_bytes:
        raise WorkbookRejected(
            [
                Problem(
                    name,
                    None,
                    None,
                    _("The file is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": round(upload.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576)},
                )
            ]
        )
    content = upload.read()
    upload.seek(0)
    if not name.lower().endswith(".xlsx") or not zipfile.is_zipfile(io.BytesIO(content)):
        raise WorkbookRejected([Problem(name, None, None, _("Upload an Excel workbook (.xlsx)."))])
    try:
        return openpyxl.load_workbook(io.BytesIO(content), data_only=False)
    except Exception:  # a damaged or disguised file: the reader's own error means nothing to a user
        raise WorkbookRejected(
            [Problem(name, None, None, _("The file could not be read as an Excel workbook."))]
        ) from None


def check_sheet(
    book: openpyxl.Workbook, sheet_name: str, headers: list[str], header_row: int
) -> list[Problem]:
    """The sheet exists, its header row is exactly `headers`, and no cell is merged or a formula."""
    if sheet_name not in book.sheetnames:
        return [Problem(sheet_name, None, None, _("The sheet %(sheet)s is missing.") % {"sheet": sheet_name})]
    sheet = book[sheet_name]
    problems = []
    found = [cell.value for cell in sheet[header_row]]
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
    for merged in sheet.merged_cells.ranges:
        problems.append(
            Problem(
                sheet_name,
                merged.min_row,
                merged.min_col,
                _("Merged cells (%(range)s) are not allowed; unmerge them.") % {"range": merged.coord},
            )
        )
    for row in sheet.iter_rows(min_row=header_row + 1):
        for cell in row:
            if cell.data_type == "f":
                problems.append(
                    Problem(sheet_name, cell.row, cell.column, _("Formulas are not allowed; type the value."))
                )
    return problems
