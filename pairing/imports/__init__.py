"""Registry import from the bureau's spreadsheet, one table per programme: its columns follow the
programme's shape (columns.py), the rows are read (reading.py), then compared with the registry
within the programme's root area and written (registry.py).

Reading gives each row an outcome (new, unchanged, changed, or errors naming row and column);
applying is all or nothing and idempotent: the same file twice changes nothing the second time.
A village is written as in the table, with its own town in brackets: 南面村(谢岗).
"""

from .columns import SHEET, Column, columns_for, template_workbook
from .reading import Row, read_rows, rows_as_data, rows_from_data
from .registry import apply_rows, assess

__all__ = [
    "SHEET",
    "Column",
    "Row",
    "apply_rows",
    "assess",
    "columns_for",
    "read_rows",
    "rows_as_data",
    "rows_from_data",
    "template_workbook",
]
