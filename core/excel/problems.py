"""A problem found in an uploaded workbook, named by its sheet, row and column, and the refusal
that carries every problem found."""

from dataclasses import dataclass

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
        from django.utils.translation import get_language

        # The cell, then the message, joined as the reader's language writes it.
        colon = ": " if (get_language() or "").startswith("en") else "："
        return f"{self.where}{colon}{self.message}"


class WorkbookRejected(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(str(p) for p in problems))
        self.problems = problems
