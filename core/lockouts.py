"""Login lockouts: which accounts and addresses are locked now, until when, and lifting one.

django-axes records failed logins in the database, one AccessAttempt row per username, address
and browser, each with its number of failures and the time of the last one. It refuses a login
while the rows of that username, or of that address, whose last failure lies within the cool-off
add up to AXES_FAILURE_LIMIT (settings: LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES). This module
reads the same rows the same way, so the lockout page and the bureau's list name the time axes
will let the login through again.
"""

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass

from axes.handlers.proxy import AxesProxyHandler
from axes.helpers import get_client_username, get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)

USERNAME = "username"
ADDRESS = "ip_address"


def address_lock_applies(username: str | None) -> bool:
    """Whether failures from the login's address can keep it out. Not for bureau staff: they lift
    lockouts, and an office's address locked by a colleague's mistyped password (or by someone
    guessing from behind the same NAT) must not keep them from doing so. Their own account still
    locks after its own failures, from anywhere."""
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from .roles import BUREAU

    if not username:
        return True
    staff = get_user_model().objects.filter(username=username, is_active=True)
    return not staff.filter(Q(groups__name=BUREAU) | Q(is_superuser=True)).exists()


def lockout_parameters(request_or_attempt, credentials=None) -> list[str]:
    """AXES_LOCKOUT_PARAMETERS: the username, and the address unless address_lock_applies says not."""
    if isinstance(request_or_attempt, AccessAttempt):
        username = request_or_attempt.username
    else:
        username = get_client_username(request_or_attempt, credentials)
    return [USERNAME, ADDRESS] if address_lock_applies(username) else [USERNAME]


@dataclass(frozen=True)
class Lockout:
    kind: str  # USERNAME or ADDRESS
    value: str
    failures: int
    last_failure: datetime.datetime
    until: datetime.datetime  # the first moment a login is let through again

    @property
    def is_account(self) -> bool:
        return self.kind == USERNAME


def _locked_until(rows: list[AccessAttempt], limit: int, cool_off: datetime.timedelta):
    """Rows leave the count as their last failure grows older than the cool-off, oldest first; the
    lockout ends when the row that brings the newest ones up to the limit leaves."""
    total = 0
    for row in sorted(rows, key=lambda row: row.attempt_time, reverse=True):
        total += row.failures_since_start
        if total >= limit:
            return row.attempt_time + cool_off
    return None


def lockouts_now(*, now: datetime.datetime | None = None) -> list[Lockout]:
    """Every account and address locked at `now`, the longest lockout first."""
    now = now or timezone.now()
    cool_off = get_cool_off()
    rows = list(AccessAttempt.objects.filter(attempt_time__gte=now - cool_off))
    found = []
    for kind in (USERNAME, ADDRESS):
        groups = defaultdict(list)
        for row in rows:
            if getattr(row, kind):
                groups[getattr(row, kind)].append(row)
        for value, group in groups.items():
            until = _locked_until(group, settings.AXES_FAILURE_LIMIT, cool_off)
            if until is not None and until >= now:
                found.append(
                    Lockout(
                        kind=kind,
                        value=value,
                        failures=sum(row.failures_since_start for row in group),
                        last_failure=max(row.attempt_time for row in group),
                        until=until,
                    )
                )
    return sorted(found, key=lambda lockout: (lockout.until, lockout.kind, lockout.value), reverse=True)


def locked_until(
    *, username: str | None, address: str | None, now: datetime.datetime | None = None
) -> datetime.datetime | None:
    """When a login with this username from this address is let through again (None: it is now)."""
    counted = (
        {(USERNAME, username), (ADDRESS, address)}
        if address_lock_applies(username)
        else {(USERNAME, username)}
    )
    ends = [lockout.until for lockout in lockouts_now(now=now) if (lockout.kind, lockout.value) in counted]
    return max(ends, default=None)


def lockout_lift(*, kind: str, value: str, by) -> int:
    """Lift the lockout of an account or of an address; returns how many records it touched.

    An account's failed logins are forgotten (so an address locked by that account's failures alone
    is let through too: the person locked out can log in again). An address's are kept against their
    accounts, only no longer against the address: lifting an office's address does not unlock an
    account someone was guessing the password of from it."""
    if kind not in (USERNAME, ADDRESS):
        raise ValueError(f"unknown lockout kind {kind!r}")
    if kind == ADDRESS:
        rows = AccessAttempt.objects.filter(ip_address=value)
        count, _deleted = rows.filter(username__isnull=True).delete()
        count += rows.filter(username="").delete()[0]
        count += rows.update(ip_address=None)
    else:
        count = AxesProxyHandler.reset_attempts(**{kind: value})
    log.info("%s lifted the login lockout of %s %s (%d records)", by.get_username(), kind, value, count)
    return count
