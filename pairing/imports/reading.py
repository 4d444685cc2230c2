"""Reading the filled table: its header row must be the programme's columns, and each row gives
the names it holds, or problems naming its row and column. Nothing here looks at the registry."""

import re
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from core.cells import FORMULA_STARTS
from core.excel import Problem, UploadedWorkbook, WorkbookRejected, check_sheet, open_workbook
from core.ids import plain_digits

from ..models import Programme, School
from .columns import (
    ASSISTING,
    ASSISTING_TITLES,
    COUNTERPART,
    EXAMPLE,
    LEAD,
    LEAD_UNIT,
    NUMBER,
    SHEET,
    VILLAGES,
    Column,
    columns_for,
)

SEPARATORS = re.compile(r"[\s、，,;；]+")
# 雁田村(凤岗) 南面村（谢岗）: a name, then its own town in brackets if it is not the row's town.
VILLAGE = re.compile(r"(?P<name>[^\s、，,;；()（）]+)\s*(?:[(（]\s*(?P<town>[^()（）]+?)\s*[)）])?")


@dataclass
class Row:
    line: int
    number: int | None = None
    counterpart: str = ""
    villages: list[tuple[str, str]] = field(default_factory=list)  # (village, its town or "" if not written)
    lead: str = ""
    assisting: list[str] = field(default_factory=list)
    lead_unit: str = ""
    problems: list[Problem] = field(default_factory=list)
    outcome: str = ""  # new, unchanged, changed, error
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import would add to the registry, to check
    plan: Any = None  # what the row resolves to in the registry (registry.Plan), once assessed


def rows_as_data(rows: list[Row]) -> list[dict]:
    """The rows as read from the file, for the session between the preview and the import."""
    return [
        {
            "line": row.line,
            "number": row.number,
            "counterpart": row.counterpart,
            "villages": [list(village) for village in row.villages],
            "lead": row.lead,
            "assisting": row.assisting,
            "lead_unit": row.lead_unit,
        }
        for row in rows
    ]


def rows_from_data(data: list[dict]) -> list[Row]:
    return [
        Row(
            line=item["line"],
            number=item["number"],
            counterpart=item["counterpart"],
            villages=[(name, town) for name, town in item["villages"]],
            lead=item["lead"],
            assisting=list(item["assisting"]),
            lead_unit=item["lead_unit"],
        )
        for item in data
    ]


def split_names(value) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(value or "") if part.strip()]


def kinds_in_words(kinds) -> str:
    """School kinds as a noun in a sentence: 高校, or 高校/中职学校 (university/vocational school)."""
    return "/".join(str(School.Kind(kind).label).lower() for kind in kinds)


def read_rows(upload, programme: Programme) -> list[Row]:
    columns = columns_for(programme)
    with open_workbook(upload) as book:
        problems = check_sheet(book, SHEET, [column.title for column in columns], 1)
        formulas = set(book.sheet_scan(SHEET).formulas) if SHEET in book.sheetnames else set()
        unreadable = [problem for problem in problems if (problem.row, problem.column) not in formulas]
        if unreadable:  # the sheet is not the table (or cells are merged): its rows cannot be read
            raise WorkbookRejected(problems + header_advice(book, programme, columns, problems))
        rows = rows_of(book, programme, columns)
    # Only formulas: each is named on its own row, beside every other row's problems, so one upload
    # names them all (one formula used to hide the rest until the next upload).
    by_line = {row.line: row for row in rows}
    for problem in problems:
        row = by_line.get(problem.row)
        if row is None:
            row = by_line[problem.row] = Row(line=problem.row)
            rows.append(row)
        row.problems = [known for known in row.problems if known.column != problem.column] + [problem]
    return sorted(rows, key=lambda row: row.line)


def header_advice(
    book: UploadedWorkbook, programme: Programme, columns: list[Column], problems: list[Problem]
) -> list[Problem]:
    """After the header's own problems: the columns this programme expects, and why a column of
    another programme's table has no place here."""
    if not any(problem.row == 1 for problem in problems):
        return []  # the sheet is missing, or the header is right and something else is wrong
    found = list(book.row(SHEET, 1))
    advice = [
        Problem(
            SHEET,
            1,
            None,
            _("The table of %(programme)s has the columns %(columns)s; download its template.")
            % {"programme": programme.name, "columns": "、".join(column.title for column in columns)},
        )
    ]
    if not programme.takes_assisting_schools:
        for index, title in enumerate(found, start=1):
            if title in ASSISTING_TITLES:
                advice.append(
                    Problem(
                        SHEET,
                        1,
                        index,
                        _(
                            "Pairings of %(programme)s have no assisting schools; remove the column %(column)s."
                        )
                        % {"programme": programme.name, "column": title},
                    )
                )
    return advice


def rows_of(book: UploadedWorkbook, programme: Programme, columns: list[Column]) -> list[Row]:
    index = {column.key: position for position, column in enumerate(columns, start=1)}
    rows, numbers = [], {}
    for line, cells in book.rows(SHEET, min_row=2):
        values = list(cells[: len(columns)]) + [None] * (len(columns) - len(cells))
        if all(v in (None, "") for v in values):
            continue
        if any(isinstance(v, str) and v.startswith(EXAMPLE) for v in values):
            continue  # the template's example line
        row = Row(line=line)

        def problem(column: int, message: str, row: Row = row) -> None:
            row.problems.append(Problem(SHEET, row.line, column, message))

        def cell(key: str, values: list = values):
            return values[index[key] - 1] if key in index else None

        number = cell(NUMBER)
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, str) and plain_digits(number.strip()):
            number = int(number.strip())
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problem(1, _("序号 must be a whole number from 1."))
        elif number in numbers:
            problem(
                1, _("序号 %(number)s is also on row %(row)s.") % {"number": number, "row": numbers[number]}
            )
        else:
            row.number, numbers[number] = number, row.line
        for position in range(2, len(columns) + 1):
            if values[position - 1] is not None and not isinstance(values[position - 1], str):
                problem(position, _("Type text here, not a number or a date."))
        if row.problems:
            rows.append(row)
            continue
        row.counterpart = (cell(COUNTERPART) or "").strip()
        if not row.counterpart:
            problem(
                index[COUNTERPART],
                _("The %(counterpart)s is missing.") % {"counterpart": programme.counterpart_name},
            )
        if VILLAGES in index:
            text = cell(VILLAGES) or ""
            if re.sub(r"[\s、，,;；]", "", VILLAGE.sub("", text)):
                problem(
                    index[VILLAGES],
                    _("Write each village as 名称(镇), e.g. 南面村(谢岗): %(text)s") % {"text": text},
                )
            else:
                row.villages = [(m["name"], (m["town"] or "").strip()) for m in VILLAGE.finditer(text)]
        leads = split_names(cell(LEAD))
        if len(leads) != 1:
            problem(
                index[LEAD],
                _("Name exactly one %(kind)s.") % {"kind": kinds_in_words(programme.lead_school_kinds)},
            )
        else:
            row.lead = leads[0]
        if ASSISTING in index:
            row.assisting = split_names(cell(ASSISTING))
            if not row.assisting:
                problem(
                    index[ASSISTING],
                    _("Name at least one %(kind)s.")
                    % {"kind": kinds_in_words(programme.assisting_school_kinds)},
                )
        if LEAD_UNIT in index:
            units = split_names(cell(LEAD_UNIT))
            if len(units) > 1:
                problem(index[LEAD_UNIT], _("Name one lead unit at most."))
            else:
                row.lead_unit = units[0] if units else ""
        for key, names in names_by_column(row).items():
            for name in names:
                if key in index and name.startswith(FORMULA_STARTS):
                    problem(
                        index[key],
                        _(
                            "%(name)s begins with = + - @, a tab or a line break, which spreadsheets "
                            "read as a formula; change the name."
                        )
                        % {"name": name},
                    )
        rows.append(row)
    if not rows:
        raise WorkbookRejected([Problem(SHEET, 2, 1, _("The table has no rows."))])
    return rows


def names_by_column(row: Row) -> dict[str, list[str]]:
    """The names the row would add to the registry, by the column they were read from."""
    village_names = [name for name, _town in row.villages]
    village_towns = [town for _name, town in row.villages if town and town != row.counterpart]
    return {
        COUNTERPART: [row.counterpart],
        VILLAGES: list(dict.fromkeys(village_names + village_towns)),
        LEAD: [row.lead],
        ASSISTING: row.assisting,
        LEAD_UNIT: [row.lead_unit] if row.lead_unit else [],
    }
