"""Fill the translation catalogs after `make messages`.

Usage: python tools/fill_catalogs.py tools/zh_hans.tsv

The .po files are the source of truth. This fills the empty Simplified Chinese entries from a
tab-separated file of `English<TAB>中文` lines (the translator's working list), marks the English
catalog complete (its text is the msgid), writes the .mo files and exits non-zero naming every
entry still untranslated.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def read_table(path: Path) -> dict[str, str]:
    table = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        english, sep, chinese = line.partition("\t")
        if not sep or not chinese.strip():
            raise SystemExit(f"{path}:{number}: expected 'English<TAB>中文'")
        table[english] = chinese.strip()
    return table


def fill(language: str, table: dict[str, str] | None) -> list[str]:
    path = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
    catalog = polib.pofile(str(path))
    missing = []
    for entry in catalog:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:  # makemessages guesses; a guess is not a translation
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
            entry.msgstr_plural = dict.fromkeys(entry.msgstr_plural, "")
        if table is None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
            else:
                entry.msgstr = entry.msgid
            continue
        text = table.get(entry.msgid)
        if text is not None:
            if entry.msgid_plural:
                entry.msgstr_plural = {0: text}
            else:
                entry.msgstr = text
        elif not (entry.msgstr or any(entry.msgstr_plural.values())):
            missing.append(entry.msgid)
    catalog.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    catalog.metadata["Language"] = "en" if table is None else "zh_Hans"
    catalog.metadata["Plural-Forms"] = (
        "nplurals=2; plural=(n != 1);" if table is None else "nplurals=1; plural=0;"
    )
    for entry in [e for e in catalog if e.obsolete]:
        catalog.remove(entry)
    catalog.save(str(path))
    catalog.save_as_mofile(str(path.with_suffix(".mo")))
    return missing


if __name__ == "__main__":
    fill("en", None)
    missing = fill("zh_Hans", read_table(Path(sys.argv[1])))
    if missing:
        raise SystemExit("untranslated:\n" + "\n".join(missing))
