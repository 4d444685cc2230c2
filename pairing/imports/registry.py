"""The read rows against the registry: each name is found within the programme's root area (never by
name across the registry, so two towns of one name in two counties do not collide), each row's
pairing is checked by the pairing's own `clean()` (its counterpart and lead school of kinds the
programme allows, within its area) and `Programme.school_refusal` (assisting schools), and the
outcome is new, unchanged, changed or error. Applying writes every row or nothing.

What a name not in the registry becomes:
- a counterpart is added under the root area, of the kind its name ends with (…街道, …镇/乡, …县/旗,
  …区) when the programme allows that kind; a name without such an ending is a town where the
  programme's counterparts may be towns (Dongguan's table writes 凤岗, 长安), else the programme's
  only counterpart kind; otherwise, or when the kind may not lie within the root area (a county
  within 芮城县), the row is refused with the reason;
- a village's town is added under the row's counterpart when that is a county or district, else
  under the root area; a village under its town (…社区 a community, else a village);
- a school is added of the programme's kind for its column, refused if the programme allows several;
- a lead unit is added to the programme.
"""

import difflib
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.excel import Problem, WorkbookRejected
from core.months import Month

from ..models import Area, LeadUnit, Pairing, Programme, School, SchoolReplacement
from ..services import in_registry_language
from .columns import ASSISTING, COUNTERPART, LEAD, LEAD_UNIT, SHEET, VILLAGES, columns_for
from .reading import Row, kinds_in_words

# Name endings that tell an area's kind, longest first (社区 before 区).
ENDINGS = (
    ("街道", Area.Kind.SUBDISTRICT),
    ("社区", Area.Kind.COMMUNITY),
    ("镇", Area.Kind.TOWN),
    ("乡", Area.Kind.TOWN),
    ("村", Area.Kind.VILLAGE),
    ("县", Area.Kind.COUNTY),
    ("旗", Area.Kind.COUNTY),
    ("区", Area.Kind.DISTRICT),
)


def kind_by_name(name: str) -> str | None:
    return next((kind for ending, kind in ENDINGS if name.endswith(ending)), None)


@dataclass(eq=False)
class NewArea:
    name: str
    kind: str
    parent: "Area | NewArea | None"


@dataclass(eq=False)
class NewSchool:
    name: str
    kind: str


@dataclass(eq=False)
class NewLeadUnit:
    name: str


@dataclass
class Plan:
    """What a row's names are in the registry, or will be once it is applied."""

    counterpart: Area | NewArea | None = None
    villages: list[Area | NewArea] = field(default_factory=list)
    lead: School | NewSchool | None = None
    assisting: list[School | NewSchool] = field(default_factory=list)
    lead_unit: LeadUnit | NewLeadUnit | None = None


def key_of(target) -> tuple:
    """What a target is, to compare a row with a pairing: its id, or its name if it is new."""
    if target is None:
        return (None,)
    if isinstance(target, NewArea):
        return ("new", target.name, key_of(target.parent))
    if isinstance(target, NewSchool | NewLeadUnit):
        return ("new", target.name)
    return (target.pk,)


def area_place(area: Area | NewArea) -> str:
    """雁田村（凤岗）: the name with its parent's, as the notes and refusals write it."""
    return f"{area.name}（{area.parent.name}）" if area.parent is not None else area.name


class Registry:
    """The registry as a programme's import sees it: the areas within its root area, the schools, its
    lead units and its pairings, each read once."""

    def __init__(self, programme: Programme):
        self.programme = programme
        root = programme.root_area or Area.objects.filter(name=programme.city, parent=None).first()
        # A programme without a root area imports under the top-level area named after its city,
        # made if missing, as it did before programmes had root areas.
        self.root: Area | NewArea = root or NewArea(programme.city, Area.Kind.CITY, None)
        self.areas = root.self_and_descendants() if root else []
        self.named: dict[str, list[Area]] = defaultdict(list)
        for area in self.areas:
            self.named[area.name].append(area)
        self.children = {(area.parent_id, area.name): area for area in self.areas}
        self.schools = {school.name: school for school in School.objects.all()}
        self.units = {unit.name: unit for unit in programme.lead_units.all()}
        self.pairings = {
            pairing.number: pairing
            for pairing in Pairing.objects.filter(programme=programme)
            .select_related("town__parent", "lead_university", "lead_unit")
            .prefetch_related("assisting_schools", "villages__parent")
        }
        self.partner_of: dict[str, set[int]] = defaultdict(set)
        for number, pairing in self.pairings.items():
            for school in [pairing.lead_university, *pairing.assisting_schools.all()]:
                self.partner_of[school.name].add(number)

    def new_area(self, name: str, kind: str, parent: Area | NewArea) -> tuple[NewArea | None, str]:
        """An area to add, or why it cannot be added (Area.clean's reasons: a county within a county)."""
        if isinstance(parent, Area):
            taken = self.children.get((parent.pk, name))
            if taken is not None:
                return None, _("%(name)s is a %(kind)s, not a %(allowed)s.") % {
                    "name": name,
                    "kind": str(taken.get_kind_display()).lower(),
                    "allowed": str(Area.Kind(kind).label).lower(),
                }
            try:
                Area(name=name, kind=kind, parent=parent).clean()
            except ValidationError as error:
                reasons = " ".join(
                    message for messages in error.message_dict.values() for message in messages
                )
                return None, _(
                    "%(name)s is not in the registry and cannot be added within %(area)s: %(reason)s"
                ) % {
                    "name": name,
                    "area": parent.name,
                    "reason": reasons,
                }
        return NewArea(name, kind, parent), ""

    def ambiguity(self, name: str, areas: list[Area]) -> str:
        return _("%(name)s names %(count)s areas in %(root)s: %(places)s; rename one in the registry.") % {
            "name": name,
            "count": len(areas),
            "root": self.root.name,
            "places": "、".join(area_place(area) for area in areas),
        }

    def counterpart(self, name: str) -> tuple[Area | NewArea | None, str]:
        programme = self.programme
        found = self.named.get(name, [])
        allowed = [area for area in found if area.kind in programme.counterpart_kinds]
        if len(allowed) == 1:
            return allowed[0], ""
        if allowed:
            return None, self.ambiguity(name, allowed)
        if found:
            return found[0], ""  # of a kind the programme does not allow: Pairing.clean says so
        kind = kind_by_name(name)
        if kind is not None and kind not in programme.counterpart_kinds:
            return None, programme.counterpart_refusal(Area(name=name, kind=kind))
        if kind is None:
            if len(programme.counterpart_kinds) == 1:
                kind = programme.counterpart_kinds[0]
            elif Area.Kind.TOWN in programme.counterpart_kinds:
                kind = Area.Kind.TOWN
            else:
                endings = [
                    ending for ending, ending_kind in ENDINGS if ending_kind in programme.counterpart_kinds
                ]
                return None, _(
                    "%(name)s is not in %(root)s; write its full name, ending in %(endings)s, so that "
                    "its kind is known, or add it to the registry first."
                ) % {"name": name, "root": self.root.name, "endings": "、".join(endings)}
        return self.new_area(name, kind, self.root)

    def town(self, name: str, counterpart: Area | NewArea) -> tuple[Area | NewArea | None, str]:
        """A village's town, written in brackets: one within the row's counterpart if there is one,
        else the only one of that name within the root area."""
        towns = [area for area in self.named.get(name, []) if area.is_town]
        if isinstance(counterpart, Area):
            inside = [town for town in towns if town.lies_within(counterpart)]
            if len(inside) == 1:
                return inside[0], ""
        if len(towns) == 1:
            return towns[0], ""
        if towns:
            return None, self.ambiguity(name, towns)
        kind = Area.Kind.SUBDISTRICT if kind_by_name(name) == Area.Kind.SUBDISTRICT else Area.Kind.TOWN
        above_towns = Area.LEVEL.get(counterpart.kind, 0) < Area.LEVEL[Area.Kind.TOWN]
        return self.new_area(name, kind, counterpart if above_towns else self.root)

    def village(
        self, name: str, town_name: str, counterpart: Area | NewArea
    ) -> tuple[Area | NewArea | None, str]:
        if town_name:
            town, refusal = self.town(town_name, counterpart)
        elif counterpart.kind in Area.TOWN_KINDS:
            town, refusal = counterpart, ""
        else:  # a county's village written without its town: the only one of that name in the county
            inside = [
                area
                for area in self.named.get(name, [])
                if area.is_village and isinstance(counterpart, Area) and area.lies_within(counterpart)
            ]
            if len(inside) == 1:
                return inside[0], ""
            return None, _("Write %(name)s with its town in brackets, e.g. %(name)s(中池镇).") % {
                "name": name
            }
        if town is None:
            return None, refusal
        if isinstance(town, Area) and (town.pk, name) in self.children:
            return self.children[(town.pk, name)], ""
        kind = Area.Kind.COMMUNITY if name.endswith("社区") else Area.Kind.VILLAGE
        return NewArea(name, kind, town), ""

    def school(self, name: str, *, lead: bool) -> tuple[School | NewSchool | None, str]:
        """The school named, or a new one of the programme's kind for its column. Its kind is checked
        by the pairing (lead) or by the programme (assisting), once it is known."""
        if name in self.schools:
            return self.schools[name], ""
        kinds = self.programme.lead_school_kinds if lead else self.programme.assisting_school_kinds
        if len(kinds) != 1:
            return None, _(
                "%(name)s is not in the registry, and the programme allows several kinds of school "
                "here (%(kinds)s); add it to the registry first."
            ) % {"name": name, "kinds": kinds_in_words(kinds)}
        return NewSchool(name, kinds[0]), ""

    def unit(self, name: str) -> LeadUnit | NewLeadUnit | None:
        if not name:
            return None
        return self.units.get(name) or NewLeadUnit(name)


def assess(programme: Programme, rows: list[Row]) -> list[Row]:
    """Compare each row with the registry: new, unchanged, changed (what), or error (why)."""
    columns = columns_for(programme)
    index = {column.key: position for position, column in enumerate(columns, start=1)}
    titles = {column.key: column.title for column in columns}
    registry = Registry(programme)
    start = new_pairing_start(programme)
    # Counterpart and lead school of each live pairing, and of each new row so far: a row that pairs
    # them again is a second copy of a pairing, not a new one.
    paired = {
        (("id", pairing.town_id), ("id", pairing.lead_university_id)): pairing.number
        for pairing in registry.pairings.values()
        if pairing.status != Pairing.Status.ENDED
    }
    for row in rows:
        if not row.problems:
            row.plan = plan_row(registry, row, index)
        if row.problems:
            row.outcome = "error"
            continue
        row.notes = registry_notes(registry, row)
        pairing = registry.pairings.get(row.number)
        if pairing is None:
            if programme.has_ended and registry.pairings:  # an ended programme's own table loads once
                ended = _("%(programme)s ended on %(date)s: no pairing can be added to it.")
                row.problems.append(
                    Problem(
                        SHEET,
                        row.line,
                        None,
                        ended % {"programme": programme.name, "date": programme.end_date},
                    )
                )
                row.outcome = "error"
                continue
            key = (_party_key(row.plan.counterpart), _party_key(row.plan.lead))
            if key in paired:
                same = _("Pairing %(number)s already pairs %(school)s with %(counterpart)s.")
                row.problems.append(
                    Problem(
                        SHEET,
                        row.line,
                        index.get(LEAD),
                        same % {"number": paired[key], "school": row.lead, "counterpart": row.counterpart},
                    )
                )
                row.outcome = "error"
                continue
            paired[key] = row.number
            if start != programme.start_date:
                row.notes.append(
                    _(
                        "A new pairing starts on %(date)s, the day of the import: it owes no report of an earlier month."
                    )
                    % {"date": start}
                )
            row.outcome = "new"
            continue
        row.changes = changes(pairing, row, titles)
        if row.changes and pairing.status == Pairing.Status.ENDED:
            ended = _("This pairing has ended; it can no longer be adjusted.")
            row.problems.append(Problem(SHEET, row.line, None, f"{ended}（{'；'.join(row.changes)}）"))
            row.outcome = "error"
            continue
        if row.changes and has_begun(pairing):
            swaps, refusal = party_swaps(pairing, row.plan, {column.key for column in columns})
            column = ASSISTING
            if key_of(row.plan.counterpart) != key_of(pairing.town):
                column, refusal = (
                    COUNTERPART,
                    _(
                        "Once a pairing's reports have begun, its %(counterpart)s is not changed by the import "
                        "(every month already reported would change): end the pairing and add a new one."
                    )
                    % {"counterpart": titles[COUNTERPART]},
                )
            if refusal:
                row.problems.append(Problem(SHEET, row.line, index.get(column), refusal))
                row.outcome = "error"
                continue
            for old, new in swaps:
                row.notes.append(
                    _(
                        "From %(month)s %(new)s takes the place of %(old)s; the months before stay as they were reported."
                    )
                    % {"month": Month.current().next(), "new": new.name, "old": old.name}
                )
        row.outcome = "changed" if row.changes else "unchanged"
        if not row.changes:
            row.notes = []  # a row as the registry has it adds nothing to check
    _refuse_shared_villages(registry, rows, index)
    return rows


def _refuse_shared_villages(registry: Registry, rows: list[Row], index: dict[str, int]) -> None:
    """A village belongs to one live pairing at a time (DOMAIN.md). A row that gives its pairing a
    village another live pairing holds, or another row of the file gives its pairing, is an error
    naming that pairing. A village moves as on the pairing's page: removed from the one first (an
    import, or the page), then added to the other (the database refuses it the other way round)."""
    # The live pairings holding each village in the registry, then the rows of the file that add it.
    # Only a row that adds a village is refused: the holder's own row keeps it (an unchanged row was
    # refused, naming the new row's number as if it were a pairing).
    holders: dict[tuple, list[int]] = {}
    for pairing in registry.pairings.values():
        if pairing.status != Pairing.Status.ENDED:
            for village in pairing.villages.all():
                holders.setdefault(key_of(village), []).append(pairing.number)
    live = [
        row
        for row in rows
        if row.outcome != "error"
        and row.plan is not None
        and getattr(registry.pairings.get(row.number), "status", None) != Pairing.Status.ENDED
    ]
    adders: dict[tuple, list[int]] = {}
    for row in live:
        for village in row.plan.villages:
            if row.number not in holders.get(key_of(village), []):
                adders.setdefault(key_of(village), []).append(row.number)
    for row in live:
        for village in row.plan.villages:
            key = key_of(village)
            if row.number in holders.get(key, []):
                continue  # the village is this pairing's already
            others = [number for number in [*holders.get(key, []), *adders[key]] if number != row.number]
            if others:
                row.problems.append(
                    Problem(
                        SHEET,
                        row.line,
                        index.get(VILLAGES),
                        _("%(village)s is already in pairing %(number)s; remove it there first.")
                        % {"village": area_place(village), "number": others[0]},
                    )
                )
        if row.problems:
            row.outcome = "error"


def has_begun(pairing: Pairing) -> bool:
    """The pairing owes reports already: its months are on record, and its parties change only from the
    next month (a SchoolReplacement), never back to its start."""
    today = timezone.localdate()
    return pairing.start_date <= today and pairing.programme.first_report_month <= today


def party_swaps(pairing: Pairing, plan: Plan, columns: set[str]) -> tuple[list[tuple], str]:
    """How a row changes the schools of a pairing that has begun: [(old school, new school or NewSchool)],
    one for one, or why it cannot (a school added or removed would rewrite every month already reported:
    the months' expected reports follow the parties)."""
    swaps = []
    if key_of(plan.lead) != key_of(pairing.lead_university):
        swaps.append((pairing.lead_university, plan.lead))
    if ASSISTING in columns:
        old = {key_of(school): school for school in pairing.assisting_schools.all()}
        new = {key_of(school): school for school in plan.assisting}
        gone, added = [old[k] for k in old if k not in new], [new[k] for k in new if k not in old]
        if len(gone) != len(added) or len(gone) > 1:
            return [], _(
                "Once a pairing's reports have begun, a school is not added or removed by the import (every "
                "month already reported would change): replace one school with another here, or on the "
                "pairing's page."
            )
        swaps += list(zip(gone, added, strict=True))
    return swaps, ""


def new_pairing_start(programme: Programme):
    """The start date of a pairing the import adds: the programme's start for its first pairings (the
    programme's table as it began), the day of the import once it has some, so a pairing added to a
    running programme owes no report of the months before it."""
    from django.utils import timezone

    if not Pairing.objects.filter(programme=programme).exists():
        return programme.start_date
    return max(programme.start_date, timezone.localdate())


def _party_key(target):
    """A counterpart or a school of a row: the registry's row (its id) or a new one (its name)."""
    return (
        ("id", target.pk) if isinstance(target, Area | School) else ("new", getattr(target, "name", target))
    )


def plan_row(registry: Registry, row: Row, index: dict[str, int]) -> Plan:
    """Find each of the row's names; a name that cannot be found nor added, and a pairing its own
    checks refuse, is a problem of the row, named by its column."""
    plan = Plan()

    def problem(key: str | None, message: str) -> None:
        row.problems.append(Problem(SHEET, row.line, index.get(key) if key else None, message))

    plan.counterpart, refusal = registry.counterpart(row.counterpart)
    if refusal:
        problem(COUNTERPART, refusal)
    if plan.counterpart is not None:
        for name, town in row.villages:
            village, refusal = registry.village(name, town, plan.counterpart)
            if refusal:
                problem(VILLAGES, refusal)
            else:
                plan.villages.append(village)
    plan.lead, refusal = registry.school(row.lead, lead=True)
    if refusal:
        problem(LEAD, refusal)
    for name in row.assisting:
        school, refusal = registry.school(name, lead=False)
        if school is not None and isinstance(school, School):
            refusal = registry.programme.school_refusal(school, lead=False)
        if refusal:
            problem(ASSISTING, refusal)
        else:
            plan.assisting.append(school)
    plan.lead_unit = registry.unit(row.lead_unit)
    # The pairing's own checks, on the parties the registry holds (new ones are of allowed kinds).
    existing = registry.pairings.get(row.number)
    candidate = Pairing(
        programme=registry.programme,
        number=row.number,
        start_date=existing.start_date if existing else new_pairing_start(registry.programme),
        status=existing.status if existing else Pairing.Status.ACTIVE,
        end_date=existing.end_date if existing else None,
        end_reason=existing.end_reason if existing else "",
    )
    if existing is not None:
        candidate.pk = existing.pk
    if isinstance(plan.counterpart, Area):
        candidate.town = plan.counterpart
    if isinstance(plan.lead, School):
        candidate.lead_university = plan.lead
    if isinstance(plan.lead_unit, LeadUnit):
        candidate.lead_unit = plan.lead_unit
    try:
        candidate.clean()
    except ValidationError as error:
        columns = {"town": COUNTERPART, "lead_university": LEAD, "lead_unit": LEAD_UNIT}
        for name, messages in error.message_dict.items():
            for message in messages:
                problem(columns.get(name), message)
    return plan


def changes(pairing: Pairing, row: Row, titles: dict[str, str]) -> list[str]:
    """What the row changes in its pairing, column by column, in the table's words."""
    plan, found = row.plan, []
    if key_of(plan.counterpart) != key_of(pairing.town):
        found.append(f"{titles[COUNTERPART]}：{pairing.town.name} → {row.counterpart}")
    if VILLAGES in titles:
        old = list(pairing.villages.all())
        # As sets: a new village's key holds its name where a known one's holds its id (not ordered).
        if set(map(key_of, old)) != set(map(key_of, plan.villages)):
            found.append(
                f"{titles[VILLAGES]}：{'、'.join(v.name for v in old)} → {'、'.join(v.name for v in plan.villages)}"
            )
    if key_of(plan.lead) != key_of(pairing.lead_university):
        found.append(f"{titles[LEAD]}：{pairing.lead_university.name} → {row.lead}")
    if ASSISTING in titles:
        old_names = sorted(school.name for school in pairing.assisting_schools.all())
        if old_names != sorted(school.name for school in plan.assisting):
            found.append(f"{titles[ASSISTING]}：{'、'.join(old_names)} → {'、'.join(row.assisting)}")
    if LEAD_UNIT in titles and key_of(plan.lead_unit) != key_of(pairing.lead_unit):
        old_unit = pairing.lead_unit.name if pairing.lead_unit else "—"
        found.append(f"{titles[LEAD_UNIT]}：{old_unit} → {row.lead_unit or '—'}")
    return found


def resembling(name: str, known) -> str:
    """ " Did you mean …?" with the known name the new one most resembles (东莞理工学院 for 东莞理工大学),
    or nothing: a name the registry does not know is more often a typo than a new place or school."""
    like = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return _(" Did you mean %(known)s?") % {"known": like[0]} if like else ""


def registry_notes(registry: Registry, row: Row) -> list[str]:
    """What importing the row adds to the registry besides the pairing, so that a misspelt name,
    which would become a new school, area or lead unit, is seen before it is confirmed."""
    plan, notes = row.plan, []

    def added(kind: str, name: str, known) -> str:
        return _("A new %(kind)s will be added: %(name)s.") % {"kind": kind, "name": name} + resembling(
            name, known
        )

    def areas_of(kind: str) -> list[str]:
        return [name for name, areas in registry.named.items() if any(a.kind == kind for a in areas)]

    for school in [plan.lead, *plan.assisting]:
        if isinstance(school, NewSchool):
            notes.append(added(str(School.Kind(school.kind).label).lower(), school.name, registry.schools))
    for name in [row.lead, *row.assisting]:
        numbers = sorted(registry.partner_of.get(name, set()) - {row.number})
        if len(numbers) == 1:
            notes.append(
                _("%(name)s is already a party to pairing %(number)s.") % {"name": name, "number": numbers[0]}
            )
        elif numbers:  # one note, not one a pairing (Yibin's university leads all ten)
            notes.append(
                _("%(name)s is already a party to pairings %(numbers)s.")
                % {"name": name, "numbers": "、".join(map(str, numbers))}
            )
    if isinstance(plan.counterpart, NewArea):
        notes.append(
            added(
                registry.programme.counterpart_name.lower(),
                plan.counterpart.name,
                areas_of(plan.counterpart.kind),
            )
        )
    towns = []
    for village in plan.villages:
        town = village.parent
        counterpart = getattr(plan.counterpart, "name", None)
        if isinstance(town, NewArea) and town.name != counterpart and town.name not in towns:
            towns.append(town.name)
            notes.append(
                _("A new town will be added: %(name)s.") % {"name": town.name}
                + resembling(town.name, areas_of(town.kind))
            )
        if isinstance(village, NewArea):
            notes.append(
                _("A new village will be added: %(name)s (%(town)s).")
                % {"name": village.name, "town": town.name}
                + resembling(village.name, areas_of(village.kind))
            )
    if isinstance(plan.lead_unit, NewLeadUnit):
        notes.append(added(str(LeadUnit._meta.verbose_name), plan.lead_unit.name, registry.units))
    return notes


@transaction.atomic
def apply_rows(programme: Programme, rows: list[Row]) -> dict[str, int]:
    """Write every row, or nothing: call only with rows `assess` found no error in."""
    if any(row.outcome == "error" or row.problems for row in rows):
        raise WorkbookRejected([p for row in rows for p in row.problems])
    columns = {column.key for column in columns_for(programme)}

    def area(target: Area | NewArea) -> Area:
        if isinstance(target, Area):
            return target
        parent = area(target.parent) if target.parent is not None else None
        made = Area.objects.filter(name=target.name, parent=parent).first()
        if made is None:  # the first row naming it adds it; the next ones find it
            made = Area(name=target.name, kind=target.kind, parent=parent)
            made.full_clean()
            made.save()
        return made

    def school(target: School | NewSchool) -> School:
        if isinstance(target, School):
            return target
        return School.objects.get_or_create(name=target.name, defaults={"kind": target.kind})[0]

    def unit(target: LeadUnit | NewLeadUnit | None) -> LeadUnit | None:
        if not isinstance(target, NewLeadUnit):
            return target
        return LeadUnit.objects.get_or_create(programme=programme, name=target.name)[0]

    counts = {"new": 0, "changed": 0, "unchanged": 0}
    start = new_pairing_start(programme)
    for row in rows:
        counts[row.outcome] += 1
        if row.outcome == "unchanged":
            continue
        plan = row.plan
        pairing = Pairing.objects.filter(programme=programme, number=row.number).first() or Pairing(
            programme=programme, number=row.number, start_date=start
        )
        if pairing.pk and has_begun(pairing):
            # One school for another from the next month, recorded: the months before keep the school
            # that reported them (the month engine reads SchoolReplacement).
            swaps, _refusal = party_swaps(pairing, plan, columns)
            for old, new in swaps:
                SchoolReplacement.objects.create(
                    pairing=pairing,
                    lead=old.pk == pairing.lead_university_id,
                    old_school=old,
                    new_school=school(new),
                    from_month=Month.current().next().first_day,
                    reason=in_registry_language(gettext_noop("Registry import")),
                )
        fields_before = (pairing.town_id, pairing.lead_university_id, pairing.lead_unit_id)
        pairing.town = area(plan.counterpart)
        pairing.lead_university = school(plan.lead)
        if LEAD_UNIT in columns:
            pairing.lead_unit = unit(plan.lead_unit)
        pairing._change_reason = in_registry_language(gettext_noop("Registry import"))
        if pairing.pk is None or fields_before != (
            pairing.town_id,
            pairing.lead_university_id,
            pairing.lead_unit_id,
        ):
            # Saved only when its own fields change: a change of its schools or villages alone is
            # recorded by those (a save besides left an entry without changes in its history).
            pairing.full_clean()
            pairing.save()
        if ASSISTING in columns:
            pairing.assisting_schools.set([school(target) for target in plan.assisting])
        if VILLAGES in columns:
            pairing.villages.set([area(target) for target in plan.villages])
    return counts
