"""Registry import from the bureau's spreadsheet, with the columns of the Dongguan appendix table
(序号, 镇(街道), 村(社区), 在莞高校, 中职学校).

Reading gives each row an outcome (new, unchanged, changed, or errors naming row and column);
applying is all or nothing and idempotent: the same file twice changes nothing the second time.
A village is written as in the table, with its own town in brackets: 南面村(谢岗).
"""

import io
import re
from collections import defaultdict
from dataclasses import dataclass, field

import openpyxl
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill

from core.cells import FORMULA_STARTS
from core.excel import Problem, UploadedWorkbook, WorkbookRejected, check_sheet, open_workbook

from .models import Area, Pairing, Programme, School

SHEET = "签约结对关系安排表"
HEADERS = ["序号", "镇(街道)", "村(社区)", "在莞高校", "中职学校"]
SEPARATORS = re.compile(r"[\s、，,;；]+")
# 雁田村(凤岗) 南面村（谢岗）: a name, then its own town in brackets if it is not the row's town.
VILLAGE = re.compile(r"(?P<name>[^\s、，,;；()（）]+)\s*(?:[(（]\s*(?P<town>[^()（）]+?)\s*[)）])?")


@dataclass
class Row:
    line: int
    number: int | None = None
    town: str = ""
    villages: list[tuple[str, str]] = field(default_factory=list)  # (village, its town)
    university: str = ""
    vocational: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    outcome: str = ""  # new, unchanged, changed, error
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import would add to the registry, to check


def rows_as_data(rows: list[Row]) -> list[dict]:
    """The rows as read from the file, for the session between the preview and the import."""
    return [
        {
            "line": row.line,
            "number": row.number,
            "town": row.town,
            "villages": [list(village) for village in row.villages],
            "university": row.university,
            "vocational": row.vocational,
        }
        for row in rows
    ]


def rows_from_data(data: list[dict]) -> list[Row]:
    return [
        Row(
            line=item["line"],
            number=item["number"],
            town=item["town"],
            villages=[(name, town) for name, town in item["villages"]],
            university=item["university"],
            vocational=list(item["vocational"]),
        )
        for item in data
    ]


def template_workbook() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = SHEET
    for column, title in enumerate(HEADERS, start=1):
        cell = sheet.cell(row=1, column=column, value=title)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for column, width in zip("ABCDE", [6, 12, 36, 28, 36], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    example = sheet.cell(
        row=2,
        column=3,
        value="示例：雁田村(凤岗)、南面村(谢岗)；多个名称用顿号或换行分隔。请删除本行后填写。",
    )
    example.font = Font(italic=True, color="888888")
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def split_names(value) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(value or "") if part.strip()]


def read_rows(upload) -> list[Row]:
    with open_workbook(upload) as book:
        problems = check_sheet(book, SHEET, HEADERS, 1)
        if problems:
            raise WorkbookRejected(problems)
        return rows_of(book)


def rows_of(book: UploadedWorkbook) -> list[Row]:
    rows, numbers = [], {}
    for line, cells in book.rows(SHEET, min_row=2):
        values = list(cells[: len(HEADERS)]) + [None] * (len(HEADERS) - len(cells))
        if all(v in (None, "") for v in values):
            continue
        if isinstance(values[2], str) and values[2].startswith("示例："):
            continue  # the template's example line
        row = Row(line=line)

        def problem(column: int, message: str, row: Row = row) -> None:
            row.problems.append(Problem(SHEET, row.line, column, message))

        number = values[0]
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if isinstance(number, str) and number.strip().isdigit():
            number = int(number.strip())
        if not isinstance(number, int) or isinstance(number, bool) or number < 1:
            problem(1, _("序号 must be a whole number from 1."))
        elif number in numbers:
            problem(
                1, _("序号 %(number)s is also on row %(row)s.") % {"number": number, "row": numbers[number]}
            )
        else:
            row.number, numbers[number] = number, row.line
        for column in (2, 3, 4, 5):
            if values[column - 1] is not None and not isinstance(values[column - 1], str):
                problem(column, _("Type text here, not a number or a date."))
        if row.problems:
            rows.append(row)
            continue
        row.town = (values[1] or "").strip()
        if not row.town:
            problem(2, _("The town or subdistrict is missing."))
        text = values[2] or ""
        leftover = VILLAGE.sub("", text)
        if re.sub(r"[\s、，,;；]", "", leftover):
            problem(3, _("Write each village as 名称(镇), e.g. 南面村(谢岗): %(text)s") % {"text": text})
        else:
            row.villages = [(m["name"], (m["town"] or row.town).strip()) for m in VILLAGE.finditer(text)]
        universities = split_names(values[3])
        if len(universities) != 1:
            problem(4, _("Name exactly one university."))
        else:
            row.university = universities[0]
        row.vocational = split_names(values[4])
        if not row.vocational:
            problem(5, _("Name at least one vocational school."))
        for column, names in names_by_column(row).items():
            for name in names:
                if name.startswith(FORMULA_STARTS):
                    problem(
                        column,
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


def names_by_column(row: Row) -> dict[int, list[str]]:
    """The names the row would add to the registry, by the column they were read from."""
    village_names = [name for name, _town in row.villages]
    village_towns = [town for _name, town in row.villages if town != row.town]
    return {
        2: [row.town],
        3: list(dict.fromkeys(village_names + village_towns)),
        4: [row.university],
        5: row.vocational,
    }


def assess(programme: Programme, rows: list[Row]) -> list[Row]:
    """Compare each row with the registry: new, unchanged, changed (what), or error (school kinds)."""
    kinds = dict(School.objects.values_list("name", "kind"))
    existing = {
        p.number: p
        for p in Pairing.objects.filter(programme=programme)
        .select_related("town", "lead_university")
        .prefetch_related("assisting_schools", "villages__parent")
    }
    known = Known(
        towns=set(Area.objects.filter(kind__in=Area.TOWN_KINDS).values_list("name", flat=True)),
        villages=set(Area.objects.filter(kind__in=Area.VILLAGE_KINDS).values_list("name", "parent__name")),
        partner_of=defaultdict(set),
    )
    for number, pairing in existing.items():
        for name in [pairing.lead_university.name, *(s.name for s in pairing.assisting_schools.all())]:
            known.partner_of[name].add(number)
    for row in rows:
        if kinds.get(row.university) == School.Kind.VOCATIONAL:
            row.problems.append(
                Problem(
                    SHEET,
                    row.line,
                    4,
                    _("%(name)s is a vocational school, not a university.") % {"name": row.university},
                )
            )
        for name in row.vocational:
            if kinds.get(name) == School.Kind.UNIVERSITY:
                row.problems.append(
                    Problem(
                        SHEET,
                        row.line,
                        5,
                        _("%(name)s is a university, not a vocational school.") % {"name": name},
                    )
                )
        if row.problems:
            row.outcome = "error"
            continue
        row.notes = registry_notes(row, kinds, known)
        pairing = existing.get(row.number)
        if pairing is None:
            row.outcome = "new"
            continue
        if pairing.town.name != row.town:
            row.changes.append(f"{HEADERS[1]}：{pairing.town.name} → {row.town}")
        old_villages = sorted((v.name, v.parent.name if v.parent else "") for v in pairing.villages.all())
        if old_villages != sorted(row.villages):
            row.changes.append(
                f"{HEADERS[2]}：{'、'.join(n for n, _t in old_villages)} → {'、'.join(n for n, _t in row.villages)}"
            )
        if pairing.lead_university.name != row.university:
            row.changes.append(f"{HEADERS[3]}：{pairing.lead_university.name} → {row.university}")
        old_vocational = sorted(s.name for s in pairing.assisting_schools.all())
        if old_vocational != sorted(row.vocational):
            row.changes.append(f"{HEADERS[4]}：{'、'.join(old_vocational)} → {'、'.join(row.vocational)}")
        row.outcome = "changed" if row.changes else "unchanged"
    return rows


@dataclass
class Known:
    towns: set[str]
    villages: set[tuple[str, str]]  # (village, its town)
    partner_of: dict[str, set[int]]  # school name -> the numbers of the pairings it is a party to


def registry_notes(row: Row, kinds: dict[str, str], known: Known) -> list[str]:
    """What importing the row adds to the registry besides the pairing, so that a misspelt name,
    which would become a new school, town or village, is seen before it is confirmed."""
    notes = []
    if row.university not in kinds:
        notes.append(_("A new university will be added: %(name)s.") % {"name": row.university})
    for name in row.vocational:
        if name not in kinds:
            notes.append(_("A new vocational school will be added: %(name)s.") % {"name": name})
    for name in [row.university, *row.vocational]:
        for number in sorted(known.partner_of.get(name, set()) - {row.number}):
            notes.append(
                _("%(name)s is already a party to pairing %(number)s.") % {"name": name, "number": number}
            )
    if row.town not in known.towns:
        notes.append(_("A new town will be added: %(name)s.") % {"name": row.town})
    for name, town in row.villages:
        if (name, town) not in known.villages:
            notes.append(
                _("A new village will be added: %(name)s (%(town)s).") % {"name": name, "town": town}
            )
    return notes


@transaction.atomic
def apply_rows(programme: Programme, rows: list[Row]) -> dict[str, int]:
    """Write every row, or nothing: call only when no row has an error."""
    if any(row.outcome == "error" or row.problems for row in rows):
        raise WorkbookRejected([p for row in rows for p in row.problems])
    city, _created = Area.objects.get_or_create(
        name=programme.city, parent=None, defaults={"kind": Area.Kind.CITY}
    )

    def town_named(name: str) -> Area:
        town = Area.objects.filter(name=name, kind__in=Area.TOWN_KINDS).first()
        return town or Area.objects.create(name=name, kind=Area.Kind.TOWN, parent=city)

    def school_named(name: str, kind: str) -> School:
        return School.objects.get_or_create(name=name, defaults={"kind": kind})[0]

    counts = {"new": 0, "changed": 0, "unchanged": 0}
    for row in rows:
        counts[row.outcome] += 1
        if row.outcome == "unchanged":
            continue
        town = town_named(row.town)
        villages = []
        for name, village_town in row.villages:
            parent = town_named(village_town)
            kind = Area.Kind.COMMUNITY if name.endswith("社区") else Area.Kind.VILLAGE
            villages.append(Area.objects.get_or_create(name=name, parent=parent, defaults={"kind": kind})[0])
        pairing = Pairing.objects.filter(programme=programme, number=row.number).first() or Pairing(
            programme=programme, number=row.number, start_date=programme.start_date
        )
        pairing.town = town
        pairing.lead_university = school_named(row.university, School.Kind.UNIVERSITY)
        pairing._change_reason = _("Registry import")
        pairing.full_clean()
        pairing.save()
        pairing.assisting_schools.set([school_named(name, School.Kind.VOCATIONAL) for name in row.vocational])
        pairing.villages.set(villages)
    return counts
