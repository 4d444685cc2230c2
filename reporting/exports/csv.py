"""The long-format CSV, streamed: UTF-8 with a BOM (Excel reads Chinese correctly only with one),
every text cell neutralised against formula injection (core/cells.py)."""

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from core.cells import safe_cell
from core.numbers import plain_number


class _Echo:
    def write(self, value):
        return value


def _plain(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return plain_number(value)  # 5, 12.5: as the API, the summaries and the workbooks write them
    return safe_cell(value)


def csv_lines(rows: Iterable[list]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"
    for row in rows:
        yield writer.writerow([_plain(value) for value in row])
