"""The columns of a programme's registry table, taken from its shape, and the template workbook.

Titles are the table's own words, in Chinese whatever the page's language, so a file downloaded
from an English page imports from a Chinese one:

- 序号, always;
- the counterpart, titled with the programme's counterpart_label (镇(街道), 县(区), 帮扶县, 合作县);
- 村(社区), where a pairing of the programme has villages: the programme checks that every school
  pairs with a village (the rule school_paired), or one of its pairings already has one;
- the lead school: 在莞高校 for the programme of 东莞市 (its appendix table's word, 在莞 meaning "in
  Dongguan"), 牵头高校 elsewhere when only universities lead, 牵头学校 when other kinds may;
- the assisting schools, where the programme takes any: 中职学校 when they are vocational schools
  (Dongguan's word), 协助学校 otherwise;
- 牵头单位, where the programme has county lead units (Ruicheng).
"""

import io
from dataclasses import dataclass

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.cells import excel_text

from ..models import Area, Pairing, Programme, School

SHEET = "签约结对关系安排表"
NUMBER, COUNTERPART, VILLAGES, LEAD, ASSISTING, LEAD_UNIT = (
    "number",
    "counterpart",
    "villages",
    "lead",
    "assisting",
    "lead_unit",
)
# The lead column of a programme whose own table names it otherwise than the general word, by city.
LEAD_TITLE_BY_CITY = {"东莞市": "在莞高校"}
ASSISTING_TITLES = ("中职学校", "协助学校")
EXAMPLE = "示例："  # a template's example line begins so, and is skipped when read


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int


def takes_villages(programme: Programme) -> bool:
    return (
        "school_paired" in programme.rules
        or Pairing.villages.through.objects.filter(pairing__programme=programme).exists()
    )


def lead_title(programme: Programme) -> str:
    if programme.city in LEAD_TITLE_BY_CITY:
        return LEAD_TITLE_BY_CITY[programme.city]
    return "牵头高校" if list(programme.lead_school_kinds) == [School.Kind.UNIVERSITY] else "牵头学校"


def assisting_title(programme: Programme) -> str:
    return "中职学校" if list(programme.assisting_school_kinds) == [School.Kind.VOCATIONAL] else "协助学校"


def columns_for(programme: Programme) -> list[Column]:
    """The programme's table, left to right."""
    columns = [Column(NUMBER, "序号", 6), Column(COUNTERPART, programme.counterpart_label, 14)]
    if takes_villages(programme):
        columns.append(Column(VILLAGES, "村(社区)", 36))
    columns.append(Column(LEAD, lead_title(programme), 28))
    if programme.takes_assisting_schools:
        columns.append(Column(ASSISTING, assisting_title(programme), 36))
    if programme.lead_units.exists():
        columns.append(Column(LEAD_UNIT, "牵头单位", 28))
    return columns


def example_line(columns: list[Column], programme: Programme | None = None) -> tuple[str, str]:
    """(key of the column it is written in, text) of the template's example line: for villages, two
    of the programme's own (with their towns), so the example never names another programme's."""
    keys = [column.key for column in columns]
    if VILLAGES in keys:
        villages = (
            list(
                Area.objects.filter(village_pairings__programme=programme, parent__isnull=False)
                .select_related("parent")
                .order_by("name")
                .distinct()[:2]
            )
            if programme is not None
            else []
        )
        named = "、".join(f"{v.name}({v.parent.name})" for v in villages) or "某村(某镇)、某社区(某街道)"
        return VILLAGES, f"{EXAMPLE}{named}；多个名称用顿号或换行分隔。请删除本行后填写。"
    return COUNTERPART, f"{EXAMPLE}每行填写一对结对，名称与名录一致。请删除本行后填写。"


def template_workbook(programme: Programme, *, filled: bool = False) -> bytes:
    """The programme's table: empty but for an example line, or `filled` with its pairings as the
    registry holds them, to edit and upload back (uploaded unchanged, it imports nothing). Written
    row by row (openpyxl's write-only mode): a province's 10,000 pairings in a few seconds."""
    columns = columns_for(programme)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(SHEET)
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A2"
    header = []
    for column in columns:
        cell = excel_text(WriteOnlyCell(sheet), column.title)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
        header.append(cell)
    sheet.append(header)
    if filled:
        for values in registry_lines(programme, columns):
            sheet.append(
                [
                    values[column.key]
                    if column.key == NUMBER
                    else excel_text(WriteOnlyCell(sheet), values[column.key])
                    if values[column.key]
                    else None
                    for column in columns
                ]
            )  # names are text, never formulas
    else:
        key, text = example_line(columns, programme)
        example = WriteOnlyCell(sheet, value=text)
        example.font = Font(italic=True, color="888888")
        sheet.append([example if column.key == key else None for column in columns])
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def registry_lines(programme: Programme, columns: list[Column]):
    """Each pairing of the programme as a line of its table, in its words: villages with their towns
    in brackets, several names separated by 、. Three flat reads (the pairings with their names, their
    villages, their assisting schools) rather than a model per name: 10,000 pairings in a second."""
    from collections import defaultdict

    pairings = Pairing.objects.filter(programme=programme)
    villages, assisting = defaultdict(list), defaultdict(list)
    for pairing_id, name, town in (
        Pairing.villages.through.objects.filter(pairing__in=pairings)
        .values_list("pairing_id", "area__name", "area__parent__name")
        .order_by("pairing_id", "area__name")
    ):
        villages[pairing_id].append(f"{name}({town})" if town else name)
    for pairing_id, name in (
        Pairing.assisting_schools.through.objects.filter(pairing__in=pairings)
        .values_list("pairing_id", "school__name")
        .order_by("pairing_id", "school__name")
    ):
        assisting[pairing_id].append(name)
    for pk, number, town, lead, unit in pairings.order_by("number").values_list(
        "pk", "number", "town__name", "lead_university__name", "lead_unit__name"
    ):
        yield {
            NUMBER: number,
            COUNTERPART: town,
            VILLAGES: "、".join(villages[pk]),
            LEAD: lead,
            ASSISTING: "、".join(assisting[pk]),
            LEAD_UNIT: unit or "",
        }
