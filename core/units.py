"""Units as the programmes write them (Chinese measure words: 元, 亩, 人次, 个, ...), shown in the
reader's language. In English a unit with an English word gets it (元 → yuan); a bare counter (个, 项)
is left out, as English writes "12 projects" with the noun already in the indicator's name. The
workbooks and exports are the bureau's Chinese documents and keep the units as written."""

from django.utils.translation import get_language

ENGLISH = {
    "元": "yuan",
    "万元": "10,000 yuan",
    "亩": "mu",
    "天": "days",
    "人": "people",
    "人次": "person-times",
    "位": "people",
    "次": "times",
    "场": "events",
    "期": "sessions",
    "届": "editions",
    "所": "schools",
    "家": "organisations",
    "对": "pairs",
    "份": "",  # a count of documents (reports, agreements): the number alone reads right in English
    "个": "",
    "项": "",
    "类": "",
    "座": "",
}


# The English words for one ("1 day", "1 organisation"); the others have no plural of their own.
SINGULAR = {
    "days": "day",
    "people": "person",
    "person-times": "person-time",
    "times": "time",
    "events": "event",
    "sessions": "session",
    "editions": "edition",
    "schools": "school",
    "organisations": "organisation",
    "pairs": "pair",
}


def unit_shown(unit: str, number=None) -> str:
    """`unit` in the active language: as written in Chinese, its English word (or nothing) in English,
    in the singular when `number` is one."""
    if not unit or not (get_language() or "").startswith("en"):
        return unit
    word = ENGLISH.get(unit, unit)
    if number is not None and number == 1:
        return SINGULAR.get(word, word)
    return word
