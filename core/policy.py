"""Who may see or do what: the portal's one policy.

Two questions, each answered here and nowhere else:

- **Scope** (`scope_of(user)`): which part of the registry a user reads. Bureau staff and
  commanders read everything, a school liaison their school's pairings and reports, a town
  liaison their town's. The apps' doors (`pairings_visible_to`, `reports_visible_to`, ...) turn
  the scope into a query; an object outside it answers 404.
- **Permissions**: named rules (django-rules predicates) such as `report.review` or
  `pairing.change`. Pages, the API, exports, downloads, history and the admin ask `can(user,
  name, obj)` or `require(...)`; none of them compares roles itself.

Superusers act as bureau staff (they do not get every permission: a bureau user never writes a
school's report). Objects are read by their attributes only (`pairing.lead_university_id`,
`report.school_id`), so this module imports no app.
"""

from __future__ import annotations

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from .roles import BUREAU, COMMANDER, LIAISON, TOWN_LIAISON, role_of


@dataclass(frozen=True)
class Scope:
    """What a user reads: everything, one school's share, one town's share, or nothing."""

    everything: bool = False
    school_id: int | None = None
    town_id: int | None = None

    @property
    def nothing(self) -> bool:
        return not (self.everything or self.school_id or self.town_id)

    @property
    def key(self) -> str:
        """The scope in a cache key: figures computed for one scope are never served to another."""
        if self.everything:
            return "all"
        if self.school_id:
            return f"school-{self.school_id}"
        return f"town-{self.town_id}" if self.town_id else "none"


NOTHING = Scope()


def _profile(user):
    return getattr(user, "profile", None) if user.is_authenticated else None


def scope_of(user) -> Scope:
    role = role_of(user)
    if role in {BUREAU, COMMANDER}:
        return Scope(everything=True)
    profile = _profile(user)
    if role == LIAISON and profile is not None and profile.school_id:
        return Scope(school_id=profile.school_id)
    if role == TOWN_LIAISON and profile is not None and profile.town_id:
        return Scope(town_id=profile.town_id)
    return NOTHING


def school_id_of(user) -> int | None:
    """The school a liaison acts for (None for everyone else, and for a liaison without one)."""
    return scope_of(user).school_id


# Predicates. Each reads one thing; the permissions below combine them.


@rules.predicate
def has_role(user) -> bool:
    return role_of(user) is not None


@rules.predicate
def is_bureau(user) -> bool:
    return role_of(user) == BUREAU


@rules.predicate
def is_commander(user) -> bool:
    return role_of(user) == COMMANDER


@rules.predicate
def is_town_liaison(user) -> bool:
    return role_of(user) == TOWN_LIAISON and scope_of(user).town_id is not None


@rules.predicate
def is_school_liaison(user) -> bool:
    """A liaison who acts for a school (a liaison whose profile names none can do nothing)."""
    return role_of(user) == LIAISON and scope_of(user).school_id is not None


def _party_school_ids(pairing) -> set[int]:
    return {pairing.lead_university_id, *(school.pk for school in pairing.assisting_schools.all())}


@rules.predicate
def is_party_liaison(user, pairing) -> bool:
    """A liaison of a school that is a party to the pairing."""
    if pairing is None or not is_school_liaison(user):
        return False
    return scope_of(user).school_id in _party_school_ids(pairing)


def _reporting_school_ids(pairing) -> set[int]:
    """The schools of a pairing that report monthly: every party, or the lead school alone where the
    programme says so (`Programme.reporters`)."""
    if pairing.programme.reporters == "lead":
        return {pairing.lead_university_id}
    return _party_school_ids(pairing)


def _left_while_reporting(pairing, school_id, month=None) -> bool:
    """The school was replaced in the pairing where it reported (as the lead school, or as any school
    where every school reports), from a month after `month` (from any month, without one): it still
    owes the reports of the months before the replacement, which the engine (reporting.expectations)
    expects and counts."""
    every_school = pairing.programme.reporters != "lead"
    return any(
        replacement.old_school_id == school_id
        and (replacement.lead or every_school)
        and (month is None or replacement.from_month > month)
        for replacement in pairing.replacements.all()
    )


@rules.predicate
def is_reporting_liaison(user, pairing) -> bool:
    """A liaison of a school that reports for the pairing, or reported there until it was replaced
    (which months it may start is the engine's to say: reporting.services.report_start)."""
    if pairing is None or not is_school_liaison(user):
        return False
    school_id = scope_of(user).school_id
    return school_id in _reporting_school_ids(pairing) or _left_while_reporting(pairing, school_id)


def _counterpart_within(pairing, area_id) -> bool:
    """The pairing's counterpart is the area or lies below it (a county liaison reads its towns')."""
    counterpart = pairing.town
    return counterpart.pk == area_id or any(a.pk == area_id for a in counterpart.ancestors())


@rules.predicate
def is_town_liaison_of(user, pairing) -> bool:
    return (
        pairing is not None and is_town_liaison(user) and _counterpart_within(pairing, scope_of(user).town_id)
    )


@rules.predicate
def is_report_author(user, report) -> bool:
    """A liaison of the report's school, while that school reports for the report's pairing, or for a
    month before the school was replaced in it."""
    if report is None or not is_school_liaison(user) or scope_of(user).school_id != report.school_id:
        return False
    return report.school_id in _reporting_school_ids(report.pairing) or _left_while_reporting(
        report.pairing, report.school_id, report.month
    )


@rules.predicate
def is_report_reader(user, report) -> bool:
    if report is None:
        return False
    scope = scope_of(user)
    if scope.everything:
        return True
    if scope.school_id:
        return report.school_id == scope.school_id
    return bool(scope.town_id) and _counterpart_within(report.pairing, scope.town_id)


@rules.predicate
def is_open_pairing(user, pairing) -> bool:
    """The pairing still runs: one that has ended (by the bureau, by its own end date or by its
    programme's) is kept as it was, so its workspace is read-only to everyone."""
    return pairing is not None and not pairing.has_ended


reads_everything = is_bureau | is_commander

# Who may change a pairing's records while it runs; once it has ended nobody may (is_open_pairing).
WHILE_OPEN = {
    "pairing.change": is_bureau | is_party_liaison,  # team, residencies, meetings, plan, agreement, bases
    "pairing.review": is_bureau,  # accept or return a team or an agreement
    "pairing.adjust": is_bureau,  # end a pairing, replace a school, add or remove a village
}

# The named permissions. A page or API action asks for exactly one of them.
PERMISSIONS = {
    # The registry and the pairings' workspace.
    "pairing.list": reads_everything | is_town_liaison,  # the pairing list and the compliance matrix
    "pairing.view": reads_everything | is_party_liaison | is_town_liaison_of,
    # The programme's own teams and bases, of no one pairing (Yibin's 306 experts, Ruicheng's bases).
    "programme.teams": reads_everything,
    **{name: who & is_open_pairing for name, who in WHILE_OPEN.items()},
    "registry.import": is_bureau,
    # Monthly reports.
    "report.own": is_school_liaison,  # the liaison's own month and reports
    "report.start": is_reporting_liaison,  # object: the pairing
    "report.view": is_report_reader,
    "report.write": is_report_author,  # save, submit, attach, upload the workbook
    "report.review": is_bureau,  # accept, return, reopen; the queue's bulk decisions
    "report.queue": reads_everything | is_town_liaison,  # the review queue and the status table
    # The compiled months, exports and overviews.
    "summary.view": reads_everything,
    "summary.compile": is_bureau,
    "export.run": reads_everything,
    "dashboard.view": reads_everything,
    "audit.view": is_bureau,  # the site-wide change log
    "admin.use": is_bureau,  # the Django admin, for bureau staff accounts (and superusers)
    "accounts.unlock": is_bureau,  # the locked logins (accounts and addresses) and lifting them
    "api.use": has_role,
}
for _name, _predicate in PERMISSIONS.items():
    rules.add_perm(_name, _predicate)


def can(user, permission: str, obj=None) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(f"Unknown permission {permission!r}")  # a typo must not read as "refused"
    return rules.has_perm(permission, user, obj)


def require(user, permission: str, obj=None, *, hide: bool = False) -> None:
    """Refuse the request unless the user has the permission: 403, or 404 when `hide` (a page the
    role does not know exists, e.g. the review queue for a school liaison)."""
    if not can(user, permission, obj):
        if hide:
            raise Http404(f"Not available: {permission}")
        if permission in WHILE_OPEN and WHILE_OPEN[permission].test(user, obj) and obj.has_ended:
            # Said as it is: the user could change the pairing while it ran; it has ended.
            raise PermissionDenied(
                _("This pairing has ended: its records are kept as they were and can no longer be changed.")
            )
        raise PermissionDenied(f"Not allowed: {permission}")


def permissions_for(user) -> dict[str, bool]:
    """Every permission that needs no object, for the header's navigation (keys with '_' for templates)."""
    return {name.replace(".", "_"): can(user, name) for name in PERMISSIONS if name not in OBJECT_PERMISSIONS}


# Permissions that only make sense for one object.
OBJECT_PERMISSIONS = {
    "pairing.view",
    "pairing.change",
    "pairing.review",
    "pairing.adjust",
    "report.start",
    "report.view",
    "report.write",
}
