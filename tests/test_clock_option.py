"""`--clock MOMENT` (tests/conftest.py): the suite as if the clock read MOMENT."""

import datetime
import re
import time
from zoneinfo import ZoneInfo

import pytest

from core.months import Month
from tests.conftest import start_clock


class Config:
    """What `start_clock` reads of pytest's config: the option and the cleanups."""

    def __init__(self, clock):
        self.clock, self.cleanups = clock, []

    def getoption(self, name, default=None):
        return self.clock if name == "clock" else default

    def add_cleanup(self, cleanup):
        self.cleanups.append(cleanup)


def test_the_clock_starts_at_the_moment_given_and_ticks_on():
    before = datetime.datetime.now(datetime.UTC)
    config = Config("2026-11-30T23:59:00+08:00")
    start_clock(config)
    try:
        beijing = datetime.datetime.now(ZoneInfo("Asia/Shanghai"))
        assert (beijing.date(), beijing.hour, beijing.minute) == (datetime.date(2026, 11, 30), 23, 59)
        assert Month.current() == Month(2026, 11)
        first = datetime.datetime.now(datetime.UTC)
        time.sleep(0.01)
        assert datetime.datetime.now(datetime.UTC) > first  # it ticks
        assert len(config.cleanups) == 1
    finally:
        for cleanup in config.cleanups:
            cleanup()
    # Stopped: the clock reads what it read before (give or take the test's own seconds).
    assert (
        datetime.timedelta(0) <= datetime.datetime.now(datetime.UTC) - before < datetime.timedelta(minutes=1)
    )


@pytest.mark.parametrize(
    ("moment", "message"),
    [
        ("2026-12-01", "needs its offset, e.g. 2026-12-01T00:00:00+08:00"),
        ("tomorrow", "is not an ISO 8601 moment"),
    ],
)
def test_a_moment_without_its_offset_or_not_a_moment_is_refused(moment, message):
    with pytest.raises(pytest.UsageError, match=re.escape(message)):
        start_clock(Config(moment))


def test_without_the_option_the_clock_is_left_alone():
    config = Config(None)
    start_clock(config)
    assert config.cleanups == []
