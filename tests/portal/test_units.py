"""core/units.py: units in the reader's language, in the singular for one."""


def test_an_english_unit_is_singular_for_one():
    from django.template import Context, Template
    from django.utils import translation

    template = Template("{% load units %}{{ n }} {{ u|unit_for:n }}")
    shown = {}
    for language in ("en", "zh-hans"):
        with translation.override(language):
            for unit, n in (("家", 1), ("家", 2), ("天", 1), ("人", 1), ("元", 1), ("人次", 3)):
                shown[language, unit, n] = template.render(Context({"n": n, "u": unit}))
    assert shown["en", "家", 1] == "1 organisation" and shown["en", "家", 2] == "2 organisations"
    assert (shown["en", "天", 1], shown["en", "人", 1], shown["en", "元", 1]) == (
        "1 day",
        "1 person",
        "1 yuan",
    )
    assert shown["en", "人次", 3] == "3 person-times"
    assert shown["zh-hans", "家", 1] == "1 家"


def test_a_limit_is_written_with_thousands_separators():
    from decimal import Decimal

    from reporting.services import grouped

    assert [grouped(Decimal(v)) for v in ("100000000", "100000000.00", "12.50", "29")] == [
        "100,000,000",
        "100,000,000",
        "12.5",
        "29",
    ]
