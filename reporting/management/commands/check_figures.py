"""Compare every figure of a programme (its targets and headline figures) with what its data gives.

    python manage.py check_figures [CODE]

Prints one line per figure ("ok" or "MISMATCH", the value and what was expected) and exits 1 when
any figure does not hold, naming it. Without CODE every programme is checked.
"""

from django.core.management.base import BaseCommand, CommandError

from pairing.models import Programme
from reporting.figures import figure_results


class Command(BaseCommand):
    help = "Compare a programme's figures with what its data gives; exit 1 on any mismatch."

    def add_arguments(self, parser):
        parser.add_argument("code", nargs="?", help="The programme's code (default: every programme).")

    def handle(self, *args, code: str | None = None, **options):
        programmes = Programme.objects.order_by("code")
        if code:
            programmes = programmes.filter(code=code)
            if not programmes.exists():
                raise CommandError(f"unknown programme {code!r}")
        mismatches = []
        for programme in programmes:
            results = figure_results(programme)
            self.stdout.write(f"{programme.code}: {len(results)} figures")
            for result in results:
                self.stdout.write(f"  {result.verdict}")
                if not result.met:
                    mismatches.append(f"{programme.code}/{result.figure.code}")
        if mismatches:
            raise CommandError(
                f"{len(mismatches)} figure(s) do not hold: {', '.join(mismatches)}", returncode=1
            )
        self.stdout.write(self.style.SUCCESS("every figure holds"))
