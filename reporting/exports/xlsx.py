"""The month-range workbook: 汇总, each indicator's total over the range by its own way of adding up
(as the dashboard and the API give it), then the long rows of rows.py in the 明细 sheet, typed, with
Chinese column titles and state labels (the CSV keeps machine names for pivoting)."""

from django.utils import translation

from ..compilation.workbook import Column, WorkbookWriter, sheet_rows_limit
from ..expectations import State
from ..models import REOPENED_LABEL, Indicator
from ..totals import period_totals
from .rows import REOPENED, ExportScope, header_for, long_rows

TITLES = {
    "programme": "项目",
    "month": "月份",
    "pairing_id": "结对ID",
    "pairing_number": "序号",
    "town": "镇(街道)",  # the programme's own counterpart label replaces it
    "school_id": "学校ID",
    "school": "学校",
    "lead_unit": "牵头单位",
    "report_id": "报告ID",
    "state": "状态",
    "first_submission": "首次报送",
    "counted": "计入合计",
    "indicator_code": "指标代码",
    "indicator": "指标",
    "unit": "单位",
    "value": "数值（计入合计）",
    "value_not_counted": "未计入合计的数值（已退回或草稿）",
}
NUMBER_COLUMNS = {"pairing_id", "pairing_number", "school_id", "report_id"}
VALUE_COLUMNS = {"value", "value_not_counted"}


def write_range_workbook(path: str, scope: ExportScope, *, progress=None) -> int:
    """Write the workbook to `path`; returns the number of rows."""
    with translation.override("zh-hans"):
        state_labels = {state: str(label) for state, label in State.LABELS.items()}
        state_labels[REOPENED] = str(REOPENED_LABEL)
    header = header_for(scope.programme)
    columns = [
        Column(
            scope.programme.counterpart_label if name == "town" else TITLES[name],
            14,
            "whole" if name in NUMBER_COLUMNS else "decimal" if name in VALUE_COLUMNS else "text",
        )
        for name in header
    ]
    state, counted = header.index("state"), header.index("counted")
    first_submission = header.index("first_submission")
    timing = {"on_time": "按时", "late": "逾期", "": ""}
    rows = long_rows(scope)
    next(rows)  # the machine header; the sheet has the Chinese titles

    def typed():
        for row in rows:
            row[state] = state_labels[row[state]]
            row[first_submission] = timing[row[first_submission]]
            row[counted] = "是" if row[counted] == "yes" else "否"
            yield row

    first, last = scope.months[0], scope.months[-1]
    narrowed = (
        f" · {scope.narrowed_to}" if scope.narrowed_to else ""
    )  # a town's totals are not the programme's
    workbook = WorkbookWriter(path, title=f"{scope.programme.name} {first}–{last}{narrowed}")
    workbook.add_sheet("汇总", *summary_sheet(scope))
    written = workbook.add_sheet("明细", columns, typed(), progress=progress)
    workbook.close()
    return written


# How each kind of indicator adds up over months, in words (a stock such as schools covered is not
# the sum of its months: summing 明细 would count it once a month).
ADDED_UP = {
    Indicator.Aggregation.SUM: "各月相加",
    Indicator.Aggregation.MAX: "各校期间最大值相加",
    Indicator.Aggregation.LATEST: "各校最近一月的数值相加",
}


def summary_sheet(scope: ExportScope) -> tuple[list[Column], list[list]]:
    """The 汇总 sheet's columns and rows: one row per indicator with its total over the range."""
    first, last = scope.months[0], scope.months[-1]
    indicators = list(scope.programme.indicators.all())
    totals = period_totals(
        scope.programme, first, last, indicators, pairings=scope.pairings, school_id=scope.school_id
    )
    columns = [
        Column("指标", 28),
        Column("单位", 10),
        Column("合计方式", 22),
        Column(f"{first}至{last}合计（只计已报送、已重新报送和已通过的月报）", 30, "decimal"),
    ]
    rows = [[i.name_zh, i.unit, ADDED_UP[i.aggregation], totals[i.pk]] for i in indicators]
    detail_rows = scope.expected_count * max(len(indicators), 1)
    if detail_rows > sheet_rows_limit() - 2:
        # Said where the clerk sums 明细: an Excel sheet holds 1,048,574 such rows.
        rows.append(
            [
                f"明细约{detail_rows:,}行，超过Excel单表的{sheet_rows_limit() - 2:,}行，"
                "依次续写在“明细2”“明细3”等表中；各指标列在这些表中的合计之和即上表合计。"
            ]
        )
    return columns, rows
