"""A workbook's problem is written as the reader's language writes a label and its text."""

from django.utils import translation

from core.excel import Problem


def test_a_problem_joins_its_cell_and_message_as_the_language_writes_them():
    problem = Problem("月报", 5, 4, "Enter a number.")
    with translation.override("en"):
        assert str(problem) == "月报!D5: Enter a number."
    with translation.override("zh-hans"):
        assert str(problem) == "月报!D5：Enter a number."
