"""The liaison's Excel round trip: the month's report as a workbook pre-filled with what is saved
(indicators with units, bounds and data validation, narrative cells), and the reading of it back.

A workbook with any problem is refused whole, each problem named by its cell; a valid one becomes
the draft through the same service as the form (so the same rules and the same version check).
"""

import io
from decimal import Decimal

import openpyxl
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from core.cells import excel_text
from core.excel import Problem, UploadedWorkbook, WorkbookRejected, check_sheet, open_workbook

from .models import Indicator, MonthlyReport
from .services import indicators_for, parse_indicator_value, report_save_draft

VALUES_SHEET, TEXT_SHEET = "月报", "文字"
VALUE_HEADERS = ["代码", "指标", "单位", "数值", "最小值", "最大值"]
TEXT_HEADERS = ["代码", "内容", "文字"]
HEADER_ROW = 4  # rows 1-3: title and the report's id and version
TEXT_EXTRA = {"difficulties": "困难问题（需协调事项）", "next_month_plan": "下月工作计划"}
MAX_NUMBER = Decimal("999999999999")


def build_report_workbook(report: MonthlyReport) -> bytes:
    indicators = indicators_for(report)
    values = {v.indicator_id: v.value for v in report.values.all()}
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = VALUES_SHEET
    # Names come from the registry: written as text, so a name that starts with "=" is no formula.
    # With the pairing: a school reporting for several (Yibin: ten counties) tells them apart by it.
    pairing = report.pairing
    excel_text(
        sheet["A1"],
        f"{report.school.name} · 第{pairing.number}对结对（{pairing.town.name}） "
        f"{report.month.year}年{report.month.month}月 进展情况月报",
    )
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"], sheet["B2"], sheet["C2"], sheet["D2"] = "报告ID", report.pk, "版本", report.version
    sheet["E2"] = "请勿修改本行；只填写“数值”列和“文字”表。"
    for column, title in enumerate(VALUE_HEADERS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=column, value=title)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    for row, indicator in enumerate(indicators, start=HEADER_ROW + 1):
        excel_text(sheet.cell(row=row, column=1), indicator.code)
        excel_text(sheet.cell(row=row, column=2), indicator.name_zh)
        excel_text(sheet.cell(row=row, column=3), indicator.unit)
        value = values.get(indicator.pk)
        cell = sheet.cell(
            row=row,
            column=4,
            value=(int(value) if indicator.kind == "whole" else float(value)) if value is not None else None,
        )
        cell.number_format = "#,##0" if indicator.kind == "whole" else "#,##0.00"
        maximum = indicator.maximum_in(report.month)  # a count of days: no more than the month has
        sheet.cell(row=row, column=5, value=float(indicator.minimum))
        sheet.cell(row=row, column=6, value=float(maximum) if maximum is not None else None)
        rule = DataValidation(
            type="whole" if indicator.kind == Indicator.Kind.WHOLE else "decimal",
            operator="between",
            formula1=str(indicator.minimum),
            formula2=str(maximum if maximum is not None else MAX_NUMBER),
            allow_blank=True,
            showErrorMessage=True,
            errorTitle="数值有误",
            error=f"请输入{indicator.minimum}到{maximum if maximum is not None else '不限'}之间的"
            + ("整数" if indicator.kind == Indicator.Kind.WHOLE else "数字"),
        )
        sheet.add_data_validation(rule)
        rule.add(cell)
    for column, width in zip("ABCDEF", [20, 24, 8, 14, 10, 14], strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"

    text = book.create_sheet(TEXT_SHEET)
    for column, title in enumerate(TEXT_HEADERS, start=1):
        cell = text.cell(row=1, column=column, value=title)
        cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    rows = [
        (code, name, report.narratives.get(code, ""))
        for code, name in report.pairing.programme.category_choices()
    ]
    rows += [
        ("difficulties", TEXT_EXTRA["difficulties"], report.difficulties),
        ("next_month_plan", TEXT_EXTRA["next_month_plan"], report.next_month_plan),
    ]
    for row, (code, label, value) in enumerate(rows, start=2):
        text.cell(row=row, column=1, value=code)
        text.cell(row=row, column=2, value=label)
        cell = excel_text(text.cell(row=row, column=3), value or None)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    (
        text.column_dimensions["A"].width,
        text.column_dimensions["B"].width,
        text.column_dimensions["C"].width,
    ) = 20, 26, 80
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def read_report_workbook(report: MonthlyReport, upload) -> dict:
    """The draft's arguments from an uploaded workbook, or WorkbookRejected with every problem."""
    with open_workbook(upload) as book:
        problems = check_sheet(book, VALUES_SHEET, VALUE_HEADERS, HEADER_ROW) + check_sheet(
            book, TEXT_SHEET, TEXT_HEADERS, 1
        )
        formulas = {
            (sheet, row, column)
            for sheet in (VALUES_SHEET, TEXT_SHEET)
            if sheet in book.sheetnames
            for row, column in book.sheet_scan(sheet).formulas
        }
        if any((p.sheet, p.row, p.column) not in formulas for p in problems):
            raise WorkbookRejected(problems)  # the sheets are not as downloaded: their cells cannot be read
        if not problems:
            return read_checked_workbook(report, book)
        # Only formulas: the other cells are read too, so every problem is named in one upload.
        try:
            read_checked_workbook(report, book)
        except WorkbookRejected as more:
            problems += [p for p in more.problems if (p.sheet, p.row, p.column) not in formulas]
        raise WorkbookRejected(problems)


def read_checked_workbook(report: MonthlyReport, book: UploadedWorkbook) -> dict:
    problems = []
    identity = (*book.row(VALUES_SHEET, 2), None, None, None, None)  # 报告ID in B2, 版本 in D2
    report_id, version = identity[1], identity[3]
    if report_id != report.pk:
        raise WorkbookRejected([Problem(VALUES_SHEET, 2, 2, _("This workbook belongs to another report."))])
    if not isinstance(version, int):
        problems.append(
            Problem(VALUES_SHEET, 2, 4, _("The version cell was changed; download the workbook again."))
        )
    indicators = {i.code: i for i in indicators_for(report)}
    values, seen = {}, set()
    for line, row in book.rows(VALUES_SHEET, min_row=HEADER_ROW + 1):
        code, raw = row[0], row[3] if len(row) > 3 else None
        if code in (None, "") and raw in (None, ""):
            continue
        if code not in indicators:
            problems.append(
                Problem(VALUES_SHEET, line, 1, _("Unknown indicator code %(code)s.") % {"code": code})
            )
            continue
        if code in seen:
            problems.append(
                Problem(VALUES_SHEET, line, 1, _("The indicator %(code)s appears twice.") % {"code": code})
            )
            continue
        seen.add(code)
        if isinstance(raw, bool) or (raw is not None and not isinstance(raw, int | float | str)):
            problems.append(
                Problem(VALUES_SHEET, line, 4, f"{indicators[code].name}：" + _("Enter a number."))
            )
            continue
        try:
            parse_indicator_value(
                indicators[code], raw if not isinstance(raw, float) else repr(raw), month=report.month
            )
        except ValidationError as error:
            problems.append(
                Problem(VALUES_SHEET, line, 4, f"{indicators[code].name}：" + " ".join(error.messages))
            )
            continue
        values[code] = None if raw in (None, "") else (str(raw) if not isinstance(raw, float) else repr(raw))
    texts = {}
    categories = [code for code, _name in report.pairing.programme.category_choices()]
    known = set(categories) | set(TEXT_EXTRA)
    for line, row in book.rows(TEXT_SHEET, min_row=2):
        code, value = row[0], row[2] if len(row) > 2 else None
        if code in (None, "") and value in (None, ""):
            continue
        if code not in known:
            problems.append(Problem(TEXT_SHEET, line, 1, _("Unknown row %(code)s.") % {"code": code}))
            continue
        if value is not None and not isinstance(value, str):
            value = str(value)
        texts[code] = value or ""
    if problems:
        raise WorkbookRejected(problems)
    return {
        "values": values,
        "narratives": {code: texts.get(code, "") for code in categories},
        "difficulties": texts.get("difficulties", ""),
        "next_month_plan": texts.get("next_month_plan", ""),
        "expected_version": version,
    }


def report_upload_workbook(*, report: MonthlyReport, user, upload) -> MonthlyReport:
    """Check the whole workbook first; only a valid one is saved, as the draft."""
    arguments = read_report_workbook(report, upload)
    return report_save_draft(report=report, user=user, **arguments)
