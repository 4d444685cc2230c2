"""Compile one programme's month into its summary and workbook, as the scheduled job does.

    python manage.py compile_monthly_summary YYYY-MM [--programme CODE] [--output PATH]

Exits non-zero with one clear line on a month that is not YYYY-MM, before the programme's first
report month, in the future or not yet due, an unknown programme, or a month that another run is
compiling.
"""

from django.core.management.base import BaseCommand, CommandError

from core.months import InvalidMonth, Month
from pairing.models import Programme
from reporting.compilation import AlreadyRunning, compile_month


class Command(BaseCommand):
    help = "Compile a month's reports into the bureau's summary and its Excel workbook."

    def add_arguments(self, parser):
        parser.add_argument("month", help="The month, as YYYY-MM.")
        parser.add_argument("--programme", help="Programme code (needed when there is more than one).")
        parser.add_argument("--output", help="Also write the workbook to this path.")

    def handle(self, *args, month: str, programme: str | None = None, output: str | None = None, **options):
        try:
            period = Month.parse(month)
        except InvalidMonth:
            raise CommandError(f"month {month!r} is not YYYY-MM") from None
        programmes = Programme.objects.all()
        if programme:
            programmes = programmes.filter(code=programme)
            if not programmes.exists():
                raise CommandError(f"unknown programme {programme!r}")
        elif programmes.count() != 1:
            raise CommandError("there is more than one programme: name one with --programme CODE")
        target = programmes.get()
        if period.first_day < target.first_report_month:
            raise CommandError(f"{month} is before the first report month {target.first_report_month:%Y-%m}")
        if period > Month.current():
            raise CommandError(f"{month} is in the future")
        if not target.is_due(period):
            raise CommandError(
                f"{month} is due by the end of {target.due_date(period):%Y-%m-%d} (Beijing time); compile it after that"
            )
        try:
            summary = compile_month(target, period, output=output)
        except AlreadyRunning as error:
            raise CommandError(str(error)) from None
        counts = summary.counts
        self.stdout.write(
            f"{target.code} {month}: expected {counts['expected']}, on time {counts['on_time']}, late {counts['late']}, "
            f"missing {counts['missing']}; workbook {output or summary.workbook.name}"
        )
