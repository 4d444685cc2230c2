"""Each indicator of a programme over any period of months, as the dashboard and the API give it.

    python manage.py programme_totals CODE --from YYYY-MM --to YYYY-MM [--tsv]

Counts only submitted, resubmitted and accepted reports (the portal's one rule for totals); each
indicator adds up by its own way (sum of the months, or each school's largest or latest value).
"""

from django.core.management.base import BaseCommand, CommandError

from core.months import InvalidMonth, Month
from core.numbers import plain_number
from pairing.models import Programme
from reporting.totals import period_totals, programme_period


class Command(BaseCommand):
    help = "Each indicator of a programme over a period of months."

    def add_arguments(self, parser):
        parser.add_argument("code", help="The programme's code.")
        parser.add_argument(
            "--from", dest="first", help="First month, YYYY-MM (default: the first report month)."
        )
        parser.add_argument(
            "--to", dest="last", help="Last month, YYYY-MM (default: the programme's end or now)."
        )
        parser.add_argument("--tsv", action="store_true", help="Tab-separated: code, name, unit, total.")

    def handle(
        self,
        *args,
        code: str,
        first: str | None = None,
        last: str | None = None,
        tsv: bool = False,
        **options,
    ):
        programme = Programme.objects.filter(code=code).first()
        if programme is None:
            raise CommandError(f"unknown programme {code!r}")
        start, end = programme_period(programme)
        try:
            start = Month.parse(first) if first else start
            end = Month.parse(last) if last else end
        except InvalidMonth:
            raise CommandError("months are written YYYY-MM, e.g. --from 2024-01 --to 2024-12") from None
        if end < start:
            raise CommandError(f"--to {end} is before --from {start}")
        indicators = list(programme.indicators.all())
        totals = period_totals(programme, start, end, indicators)
        self.stdout.write(f"{programme.code} {start}–{end}")
        for indicator in indicators:
            total = plain_number(totals[indicator.pk])
            if tsv:
                self.stdout.write(f"{indicator.code}\t{indicator.name_zh}\t{indicator.unit}\t{total}")
            else:
                self.stdout.write(f"  {indicator.name_zh}: {total} {indicator.unit}".rstrip())
