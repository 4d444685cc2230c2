"""The bureau's monthly workbook, written with xlsxwriter in constant-memory mode.

Why xlsxwriter and not openpyxl for writing: measured here (../shared/TOOLCHAIN.md) it writes
100,000 rows x 20 columns in 10.3 s at 102 MB, against 19.8 s for openpyxl's write-only mode; the
明细 sheet of a province is that size. openpyxl stays the reader (tests, imports).

Every text cell is written as a string (`strings_to_formulas` off and `write_string`), so a value
that starts with =, +, -, @ or a control character is stored as text and can never become a formula
(tests/reporting/test_exports.py opens such cells back).
"""

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import xlsxwriter

# The rows of a sheet in Excel (and in XlsxWriter, which drops a cell below them without a word).
EXCEL_ROWS = 1_048_576


@dataclass
class Column:
    title: str
    width: int = 14
    kind: str = "text"  # text, whole, decimal, money, datetime


class WorkbookWriter:
    def __init__(self, path: str, *, title: str):
        self.book = xlsxwriter.Workbook(
            path,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "default_date_format": "yyyy-mm-dd hh:mm",
                "remove_timezone": True,
            },
        )
        self.title = title
        self.sheets: list[SheetWriter] = []
        font = {"font_name": "Noto Sans CJK SC", "font_size": 10}
        self.formats = {
            "title": self.book.add_format({**font, "bold": True, "font_size": 14}),
            "header": self.book.add_format(
                {
                    **font,
                    "bold": True,
                    "bg_color": "#DDEBF7",
                    "border": 1,
                    "text_wrap": True,
                    "valign": "vcenter",
                }
            ),
            "whole": self.book.add_format({**font, "num_format": "#,##0"}),
            "decimal": self.book.add_format({**font, "num_format": "#,##0.00"}),
            "money": self.book.add_format({**font, "num_format": "¥#,##0.00"}),
            "datetime": self.book.add_format({**font, "num_format": "yyyy-mm-dd hh:mm"}),
        }

    def sheet(self, name: str, columns: Sequence[Column]) -> "SheetWriter":
        """A sheet with its title row, styled header and print setup, ready for rows. Sheets keep
        the order they were opened in; in constant-memory mode each is written in row order, but
        rows of several sheets may interleave."""
        ws = self.book.add_worksheet(name)
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.fit_to_pages(1, 0)
        ws.repeat_rows(1)
        for index, column in enumerate(columns):
            ws.set_column(index, index, column.width)
        ws.write_string(0, 0, f"{self.title} · {name}", self.formats["title"])
        for index, column in enumerate(columns):
            ws.write_string(1, index, column.title, self.formats["header"])
        ws.freeze_panes(2, 0)
        sheet = SheetWriter(ws, [self._writer_for(ws, column) for column in columns])
        self.sheets.append(sheet)
        return sheet

    def add_sheet(
        self, name: str, columns: Sequence[Column], rows: Iterable[Sequence], *, progress=None
    ) -> int:
        """A whole sheet from its rows; returns how many were written. Rows past what an Excel sheet
        holds go on in sheets of the same columns named on from it (明细2, 明细3, ...), never dropped."""
        writer, part, written = self.sheet(name, columns), 1, 0
        for row in rows:
            if writer.rows >= sheet_rows_limit() - 2:  # below the title and header rows
                part += 1
                writer = self.sheet(f"{name}{part}", columns)
            writer.write(row)
            written += 1
            if progress and written % 5000 == 0:
                progress(written)
        return written

    def _writer_for(self, ws, column: Column):
        """One bound writer per column, chosen once: the cell loop is the hot path of a large workbook.

        It binds the worksheet's typed writers (`_write_string`, `_write_number`, `_write_datetime`),
        which the public `write_*` methods and `write_row` call after parsing "A1"-style arguments;
        our cells are always (row, column), and that parsing was a tenth of the compilation's time.
        tests/reporting/test_compilation.py reads every kind of cell back, so a change in XlsxWriter
        (pinned below 4 in pyproject.toml) shows there."""
        write_string = ws._write_string
        if column.kind in {"whole", "decimal", "money"}:
            write_number, number_format = ws._write_number, self.formats[column.kind]

            def write(row, col, value):
                if isinstance(value, str):
                    write_string(row, col, value)
                else:
                    write_number(row, col, float(value), number_format)

            return write
        if column.kind == "datetime":
            write_datetime, date_format = ws._write_datetime, self.formats["datetime"]

            def write(row, col, value):
                if isinstance(value, datetime.datetime):
                    write_datetime(row, col, value, date_format)
                else:
                    write_string(row, col, str(value))

            return write

        def write(row, col, value):
            write_string(row, col, value if isinstance(value, str) else str(value))

        return write

    def close(self) -> None:
        for sheet in self.sheets:
            sheet.finish()
        self.book.close()


def sheet_rows_limit() -> int:
    """The rows of a sheet (a function, so a test can lower it)."""
    return EXCEL_ROWS


class SheetWriter:
    """Rows into one sheet; empty cells are left out, as Excel does."""

    def __init__(self, ws, writers):
        self.ws, self.writers, self.rows = ws, writers, 0

    def write(self, row: Sequence) -> None:
        row_number = self.rows + 2  # below the title and header rows
        if row_number >= sheet_rows_limit():
            # XlsxWriter would drop the row without a word; add_sheet goes on in the next sheet first.
            raise OverflowError(f"{self.ws.name} is full: an Excel sheet holds {sheet_rows_limit():,} rows")
        writers = self.writers
        for index, value in enumerate(row):
            if value is not None and value != "":
                writers[index](row_number, index, value)
        self.rows += 1

    def finish(self) -> None:
        self.ws.autofilter(1, 0, self.rows + 1, len(self.writers) - 1)
