"""Print the breaches of the programme's rules for a year, for the command office's scripts.

    python manage.py compliance_report --year 2024 [--programme CODE] [--tsv]

Uses the same engine as the compliance matrix. Exits 0 whether or not there are breaches; exits
non-zero with one line on an unknown programme or a year outside the programme.
"""

import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pairing.compliance import RULES_BY_CODE, evaluate_pairings, schools_without_pairing
from pairing.models import Pairing, Programme


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text))


class Command(BaseCommand):
    help = "Print the breaches of the programme's rules for a year (same engine as the compliance matrix)."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=None, help="Year to check (default: this year).")
        parser.add_argument("--programme", help="Programme code (default: every programme).")
        parser.add_argument("--tsv", action="store_true", help="Tab-separated output with a header line.")
        parser.add_argument("--language", default="zh-hans", choices=["zh-hans", "en"])

    def handle(self, *args, year=None, programme=None, tsv=False, language="zh-hans", **options):
        year = year or timezone.localdate().year
        programmes = list(Programme.objects.order_by("code"))
        if programme:
            programmes = [p for p in programmes if p.code == programme]
            if not programmes:
                raise CommandError(f"unknown programme {programme!r}")
        if not 1990 <= year <= 2100:
            raise CommandError(f"year {year} is not a plausible year")
        with translation.override(language):
            rows = self.rows(programmes, year)
            header = [
                _("Programme"),
                _("No."),
                # One programme's own name for its counterparts, or the general word over several.
                programmes[0].counterpart_name if len(programmes) == 1 else _("Counterpart"),
                _("Lead university"),
                _("Rule"),
                _("Breach"),
            ]
        if tsv:
            for row in [header, *rows]:
                self.stdout.write("\t".join(cell.replace("\t", " ") for cell in row))
            return
        widths = [max(display_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
        for index, row in enumerate([header, *rows]):
            self.stdout.write(
                "  ".join(pad(cell, width) for cell, width in zip(row, widths, strict=True)).rstrip()
            )
            if index == 0:
                self.stdout.write("  ".join("-" * width for width in widths))
        with translation.override(language):  # the count in the chosen language too, whatever is active
            self.stdout.write(_("%(count)s breaches in %(year)s") % {"count": len(rows), "year": year})

    def rows(self, programmes, year: int) -> list[list[str]]:
        rows = []
        for programme in programmes:
            results = evaluate_pairings(
                Pairing.objects.filter(programme=programme).order_by("number"), year=year
            )
            for result in sorted(results, key=lambda r: r.pairing.number):
                pairing = result.pairing
                for code, texts in result.breaches.items():
                    for text in texts:
                        rows.append(
                            [
                                programme.code,
                                str(pairing.number),
                                pairing.town.name,
                                pairing.lead_university.name,
                                str(RULES_BY_CODE[code].label),
                                text,
                            ]
                        )
            for school, text in schools_without_pairing(programme, year=year):
                rows.append([programme.code, "", "", school.name, _("School pairing"), text])
        return rows
