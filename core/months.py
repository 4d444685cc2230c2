"""The month value: the one place that knows month arithmetic and when a month's report is due.

A month enters the portal as text once (`Month.parse("2024-02")`), travels as a `Month`, and is
stored as the first day of the month (a DateField). A report first submitted at any moment of
the due day, local time (Asia/Shanghai), is on time; from 00:00:00 of the next day it is late.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")


class InvalidMonth(ValueError):
    """A month that cannot be read; its message says how to write one, in the user's language."""


@dataclass(frozen=True, order=True)
class Month:
    year: int
    month: int

    def __post_init__(self) -> None:
        if not (1 <= self.month <= 12 and 1 <= self.year <= 9998):
            raise InvalidMonth(_("Enter the month as YYYY-MM, for example 2024-03."))

    @classmethod
    def parse(cls, text: str | None) -> Month:
        """ "2024-02" (surrounding spaces allowed); anything else raises InvalidMonth with a message."""
        found = _PATTERN.match((text or "").strip())
        if not found:
            raise InvalidMonth(_("Enter the month as YYYY-MM, for example 2024-03."))
        return cls(int(found.group(1)), int(found.group(2)))

    @classmethod
    def parse_or_none(cls, text: str | None) -> Month | None:
        try:
            return cls.parse(text)
        except InvalidMonth:
            return None

    @classmethod
    def of(cls, day: datetime.date) -> Month:
        return cls(day.year, day.month)

    @classmethod
    def current(cls) -> Month:
        """This month in local time (Asia/Shanghai)."""
        return cls.of(timezone.localdate())

    @classmethod
    def between(cls, first: Month, last: Month) -> list[Month]:
        """Every month from first to last, both included (empty when last is before first)."""
        months, month = [], first
        while month <= last:
            months.append(month)
            month = month.next()
        return months

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def first_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, 1)

    @property
    def last_day(self) -> datetime.date:
        return datetime.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def next(self) -> Month:
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    def previous(self) -> Month:
        return Month(self.year - (self.month == 1), (self.month - 2) % 12 + 1)

    def shift(self, months: int) -> Month:
        index = self.year * 12 + self.month - 1 + months
        return Month(index // 12, index % 12 + 1)

    def due_date(self, due_day: int) -> datetime.date:
        """The day the month's report is due (the programme's due day, 1–28)."""
        return datetime.date(self.year, self.month, due_day)

    def late_from(self, due_day: int) -> datetime.datetime:
        """The first moment a report counts as late: 00:00:00 local time of the day after the due day."""
        following = self.due_date(due_day) + datetime.timedelta(days=1)
        return datetime.datetime.combine(following, datetime.time(0, 0), tzinfo=ZoneInfo(settings.TIME_ZONE))


def is_late(first_submitted_at: datetime.datetime | None, late_from: datetime.datetime) -> bool:
    """Timeliness is decided by the first submission alone."""
    return first_submitted_at is not None and first_submitted_at >= late_from


def lateness_hours(first_submitted_at: datetime.datetime, late_from: datetime.datetime) -> float:
    """Hours late, rounded up to a tenth: a late report is never "0 hours late"."""
    tenths = -(-(first_submitted_at - late_from).total_seconds() // 360)
    return max(tenths, 1) / 10
