"""The audit trail in the portal: who changed what and when, from django-simple-history.

A history page per pairing and per report (old and new value of each changed field) for anyone
who may see the object, and a site-wide feed for bureau staff, filterable by user, object type
and date. Reads only: the records are written by simple-history on every save.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from core.ids import id_or_none
from core.numbers import plain_number
from core.policy import require
from pairing.models import (
    Agreement,
    AnnualPlan,
    Area,
    JointMeeting,
    Membership,
    Pairing,
    PairingReview,
    Person,
    PracticeBase,
    Residency,
    School,
    ServiceTeam,
    WorkCategory,
)
from pairing.selectors import pairing_get_for_user
from reporting.models import REOPENED_LABEL, Indicator
from reporting.selectors import report_get_for_user

# The models whose changes the feed shows, by the name used in the type filter.
TRACKED = [
    "pairing.Pairing",
    "pairing.Programme",
    "pairing.School",
    "pairing.Area",
    "pairing.Person",
    "pairing.ServiceTeam",
    "pairing.Membership",
    "pairing.Residency",
    "pairing.Agreement",
    "pairing.PracticeBase",
    "pairing.JointMeeting",
    "pairing.AnnualPlan",
    "pairing.PairingReview",
    "reporting.MonthlyReport",
    "reporting.Indicator",
    "core.Profile",
    # The programmes' configuration: what a page counts and checks rests on it too. (Added at the end:
    # a link to older changes names a kind by its place in this list.)
    "pairing.Milestone",
    "pairing.WorkCategory",
    "pairing.LeadUnit",
    "pairing.SchoolReplacement",
    "reporting.IndicatorMinimum",
    "reporting.Figure",
]
FEED_LIMIT = 200
HIDDEN_FIELDS = {"version", "updated_at"}


@dataclass
class Change:
    field: str
    old: str
    new: str
    old_url: str = ""  # for a file: where the file as it was before can still be opened
    new_url: str = ""


# Files kept with their history: the URL that serves the file a historical record names.
KEPT_FILES = {
    (Agreement, "scanned_file"): lambda record: reverse(
        "pairing:agreement_scan", args=[record.pairing_id, record.history_id]
    ),
}


@dataclass
class Entry:
    when: datetime.datetime
    user: User | None
    kind: str  # +, ~, -
    model: str
    object_repr: str
    reason: str
    changes: list[Change]
    url: str = ""  # the object's own history page, where there is one


def field_label(model, name: str) -> str:
    try:
        return str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field removed since, or an m2m name
        return name


def display(model, name: str, value, names: dict):
    """What a person reads for a stored value: a choice's label ("已结束", not "ended"), the name of
    the object a foreign key or an m2m row points to (not its id)."""
    try:
        field = model._meta.get_field(name)
    except Exception:
        return value
    if field.many_to_one and value is not None:
        return related_name(field.related_model, value, names)
    if field.many_to_many and isinstance(value, list):
        target = field.remote_field.model
        key = field.m2m_reverse_field_name()
        return [related_name(target, row.get(key), names) for row in value]
    if isinstance(field, models.FileField) and value:
        return str(value).rsplit("/", 1)[-1]  # the file's name, not where it is stored
    choices = dict(field.flatchoices) if field.choices else {}
    return choices.get(value, value)


def related_name(model, pk, names: dict) -> str:
    """The object's name, looked up once per page for each (model, id)."""
    if (model, pk) not in names:
        found = model._default_manager.filter(pk=pk).first()
        names[(model, pk)] = (
            ((found.get_full_name() or found.username) if isinstance(found, User) else str(found))
            if found
            else f"#{pk}"
        )
    return names[(model, pk)]


def show(value) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "、".join(sorted(str(v) for v in value))
    return str(value)


def changes_of(model, change, names: dict) -> list[Change]:
    """One line per changed field; a dictionary (the narratives) one line per changed key."""
    label = field_label(model, change.field)
    if isinstance(change.old, dict) or isinstance(change.new, dict):
        old, new = change.old or {}, change.new or {}
        if "categories" not in names:  # the work categories' names in the reader's language, once per page
            english = (get_language() or "").startswith("en")
            names["categories"] = {
                code: (en if english and en else zh)
                for code, zh, en in WorkCategory.objects.values_list("code", "name_zh", "name_en")
            }
        kinds = names["categories"]
        return [
            Change(f"{label} · {kinds.get(key, key)}", show(old.get(key)), show(new.get(key)))
            for key in sorted(set(old) | set(new))
            if show(old.get(key)) != show(new.get(key))
        ]
    return [
        Change(
            label,
            show(display(model, change.field, change.old, names)),
            show(display(model, change.field, change.new, names)),
        )
    ]


def linked(line: Change, model, change, previous, record) -> Change:
    """A kept file's change links to the file before and after it."""
    url_of = KEPT_FILES.get((model, change.field))
    if url_of is not None:
        line.old_url = url_of(previous) if change.old else ""
        line.new_url = url_of(record) if change.new else ""
    return line


def entries_for(records, model, describe=None) -> list[Entry]:
    """Entries newest first, each with its field changes against the record before it."""
    records = list(records)
    entries, names = [], {}
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None and record.history_type == "~":
            delta = record.diff_against(previous)
            changes = [
                linked(line, model, c, previous, record)
                for c in delta.changes
                if c.field not in HIDDEN_FIELDS
                for line in changes_of(model, c, names)
            ]
        if (
            record.history_type == "~"
            and previous is not None
            and not changes
            and not record.history_change_reason
        ):
            continue  # only what nobody reads changed (the version counter, a timestamp)
        entries.append(
            Entry(
                record.history_date,
                record.history_user,
                record.history_type,
                str(model._meta.verbose_name),
                describe(record) if describe else str(record.instance),
                record.history_change_reason or "",
                changes,
            )
        )
    return entries


@login_required
def pairing_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = pairing_get_for_user(user=request.user, pk=pk)
    records = pairing.history.select_related("history_user").order_by("-history_date", "-history_id")
    entries = entries_for(records, type(pairing))
    for model, scope, related, describe in pairing_records(pairing):
        history = (
            model.history.filter(**scope)
            .select_related("history_user", *related)
            .order_by("-history_date", "-history_id")
        )
        entries += entries_by_object(history, model, describe)
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return render(
        request,
        "oversight/history.html",
        {
            "title": _("History of %(object)s") % {"object": pairing},
            "entries": entries,
            "back": ("pairing:detail", pairing.pk),
        },
    )


def pairing_records(pairing) -> list[tuple]:
    """What the liaison and the bureau keep for a pairing, each with how its history is found."""
    teams = list(ServiceTeam.history.filter(pairing_id=pairing.pk).values_list("id", flat=True).distinct())
    people = list(Membership.history.filter(team_id__in=teams).values_list("person_id", flat=True).distinct())
    # (model, which records, relations to read with them, how a record is named without more queries)
    return [
        (ServiceTeam, {"pairing_id": pairing.pk}, [], lambda r: r.name),
        (
            Membership,
            {"team_id__in": teams},
            ["person"],
            lambda r: f"{r.person.name}（{r.get_role_display()}）",
        ),
        (Person, {"id__in": people}, ["school"], lambda r: f"{r.name}（{r.school.name}）"),
        (
            Residency,
            {"team_id__in": teams},
            ["place"],
            lambda r: f"{r.place.name} {r.start_date}–{r.end_date}",
        ),
        (JointMeeting, {"pairing_id": pairing.pk}, [], lambda r: str(r.instance)),
        (AnnualPlan, {"pairing_id": pairing.pk}, [], lambda r: str(r.instance)),
        (Agreement, {"pairing_id": pairing.pk}, [], lambda r: str(Agreement._meta.verbose_name)),
        (PracticeBase, {"pairing_id": pairing.pk}, [], lambda r: r.name),
        (PairingReview, {"pairing_id": pairing.pk}, [], lambda r: str(r.instance)),
    ]


def entries_by_object(records, model, describe=None) -> list[Entry]:
    """Entries for records of several objects: each object's records are compared among themselves."""
    by_object: dict[int, list] = {}
    for record in records:
        by_object.setdefault(record.id, []).append(record)
    return [entry for group in by_object.values() for entry in entries_for(group, model, describe)]


@login_required
def report_history_view(request: HttpRequest, pk: int) -> HttpResponse:
    report = report_get_for_user(user=request.user, pk=pk)
    model = type(report)
    records = report.history.select_related("history_user").order_by("-history_date", "-history_id")
    entries = sorted(
        [*entries_for(records, model), *indicator_entries(report)], key=lambda e: e.when, reverse=True
    )
    return render(
        request,
        "oversight/history.html",
        {
            "title": _("History of %(object)s") % {"object": report},
            "entries": entries,
            "back": ("reporting:detail", report.pk),
        },
    )


def indicator_entries(report) -> list[Entry]:
    """The indicator values live in their own rows; the report's versions say how they changed."""
    names = {i.code: i.name for i in report.pairing.programme.indicators.all()}
    versions = list(report.versions.select_related("actor").order_by("number"))
    entries = []
    # The first version is compared with no values at all: the first numbers a liaison saves are
    # changes from nothing, as much as any later correction.
    for older, newer in zip([None, *versions], versions):  # noqa: B905 - pairs of neighbours
        before = older.snapshot.get("values", {}) if older is not None else {}
        after = newer.snapshot.get("values", {})
        changes = [
            Change(names.get(code, code), show(plain(before.get(code))), show(plain(after.get(code))))
            for code in sorted(set(before) | set(after))
            if before.get(code) != after.get(code)
        ]
        if changes:
            entries.append(
                Entry(newer.created_at, newer.actor, "~", _("indicator values"), str(report), "", changes)
            )
    return entries


def plain(value) -> str | None:
    """A stored value as a person writes it: 12 rather than 12.00."""
    return None if value in (None, "") else plain_number(Decimal(str(value)))


def feed_state(label: str, record) -> str:
    """A report's status after the change, for the feed's line ("· 已通过"): whether it was accepted,
    returned or reopened reads from the line itself, without diffing the record against the one
    before it (the report's own history says what else changed)."""
    if label != "reporting.MonthlyReport":
        return ""
    if record.status == "returned" and record.reopened_until is not None:
        return f" · {REOPENED_LABEL}"
    return f" · {record.get_status_display()}"


def parse_date(text: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text or "")
    except ValueError:
        return None


class Names:
    """The names of the objects a page of the feed refers to, read in one query per kind of object
    whatever the page's length. Naming runs twice: the first pass (`collecting`) notes which
    (model, id) the entries need and returns nothing, `load` reads them, the second pass names."""

    RELATED = {Pairing: ("town", "lead_university")}

    def __init__(self) -> None:
        self.wanted: dict[type, set] = {}
        self.found: dict[tuple[type, object], str] = {}
        self.collecting = True

    def __call__(self, model, pk) -> str:
        if pk is None:
            return "—"
        if self.collecting:
            self.wanted.setdefault(model, set()).add(pk)
            return ""
        return self.found.get((model, pk), f"#{pk}")

    def load(self) -> None:
        for model, ids in self.wanted.items():
            rows = model._default_manager.filter(pk__in=ids).select_related(*self.RELATED.get(model, ()))
            for row in rows:
                if isinstance(row, User):
                    name = row.get_full_name() or row.username
                else:  # a member is named by the person's name alone: "张三（队员）"
                    name = row.name if isinstance(row, Person) else str(row)
                self.found[(model, row.pk)] = name
        self.collecting = False


def _of_pairing(record, name: Names) -> str:
    """A record kept for a pairing, named with the pairing (a meeting alone does not say whose)."""
    return f"{record.instance} · {name(Pairing, record.pairing_id)}"


# How the feed names an object from its historical row (so a deleted one is named too): by the
# row's own fields and the names of what its foreign keys point to. Others: the object's str().
FEED_NAMES = {
    "pairing.Pairing": lambda r, n: f"{r.number}. {n(Area, r.town_id)} – {n(School, r.lead_university_id)}",
    "pairing.Person": lambda r, n: f"{r.name}（{n(School, r.school_id)}）",
    "pairing.ServiceTeam": _of_pairing,
    "pairing.Membership": lambda r, n: f"{n(Person, r.person_id)}（{r.get_role_display()}）",
    "pairing.Residency": lambda r, n: f"{n(Area, r.place_id)} {r.start_date}–{r.end_date}",
    "pairing.Agreement": lambda r, n: str(
        _("Agreement of %(pairing)s") % {"pairing": n(Pairing, r.pairing_id)}
    ),
    "pairing.PracticeBase": lambda r, n: f"{r.name} · {n(Pairing, r.pairing_id)}" if r.pairing_id else r.name,
    "pairing.JointMeeting": _of_pairing,
    "pairing.AnnualPlan": _of_pairing,
    "pairing.PairingReview": _of_pairing,
    "pairing.WorkCategory": lambda r, n: r.name_zh,
    "pairing.LeadUnit": lambda r, n: r.name,
    "pairing.SchoolReplacement": lambda r, n: (
        f"{n(Pairing, r.pairing_id)}：{n(School, r.old_school_id)} → {n(School, r.new_school_id)}"
    ),
    "reporting.IndicatorMinimum": lambda r, n: f"{n(Indicator, r.indicator_id)} ≥ {plain_number(r.per_year)}",
    "reporting.Figure": lambda r, n: r.label_zh,
    "reporting.MonthlyReport": lambda r, n: f"{n(School, r.school_id)} {r.month:%Y-%m}",
    "core.Profile": lambda r, n: n(User, r.user_id),
}


def feed_name(label: str):
    return FEED_NAMES.get(label, lambda record, _names: str(record.instance))


def users_named(text: str):
    """The users whose username or name contains the text (the feed's "who" search)."""
    return User.objects.filter(
        Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    )


@login_required
def feed_view(request: HttpRequest) -> HttpResponse:
    """The newest changes across the portal, for bureau staff."""
    require(request.user, "audit.view", hide=True)
    chosen_type = request.GET.get("type", "")
    user_id = request.GET.get("user", "")
    since, until = parse_date(request.GET.get("from")), parse_date(request.GET.get("to"))
    errors = []
    # A filter that cannot be read is said, and left out (the page answers 400).
    for key, found in (("from", since), ("to", until)):
        if request.GET.get(key) and found is None:
            errors.append(_("Enter the day as YYYY-MM-DD, for example 2024-03-01."))
    if chosen_type and chosen_type not in TRACKED:
        errors.append(_("Choose a kind of record from the list."))
        chosen_type = ""
    if user_id and id_or_none(user_id) is None:
        errors.append(_("Choose a user from the list."))
        user_id = ""
    # Who made the change, typed (a username or part of a name): at province scale the users are
    # tens of thousands, too many for a list to pick from.
    who = request.GET.get("who", "").strip()[:150]
    if since and until and since > until:
        errors.append(_("The first day is after the last; swap them to see changes."))
    cursor = read_cursor(request.GET.get("before", ""))
    if request.GET.get("before") and cursor is None:
        errors.append(_("That link to older changes cannot be read; the newest changes are shown."))
    found = []
    for index, label in enumerate(TRACKED):
        if chosen_type and chosen_type != label:
            continue
        model = apps.get_model(label)
        records = model.history.select_related("history_user").order_by("-history_date", "-history_id")
        if cursor is not None:
            records = records.filter(older_than(cursor, index))
        if id_or_none(user_id) is not None:
            records = records.filter(history_user_id=id_or_none(user_id))
        if who:
            records = records.filter(history_user__in=users_named(who))
        if since:
            records = records.filter(history_date__date__gte=since)
        if until:
            records = records.filter(history_date__date__lte=until)
        found += [(index, label, model, record) for record in records[: FEED_LIMIT + 1]]
    # Newest first; among changes of one moment (a load writes hundreds), by kind and then newest row.
    found.sort(key=lambda item: (-item[3].history_date.timestamp(), item[0], -item[3].history_id))
    truncated = len(found) > FEED_LIMIT
    found = found[:FEED_LIMIT]
    older = ""
    if truncated:  # the link to the next changes: the position of the last one shown
        index, _label, _model, last = found[-1]
        older = f"{last.history_date.isoformat()}|{index}|{last.history_id}"
    found = [(label, model, record) for _index, label, model, record in found]
    names = Names()
    for label, _model, record in found:  # the first pass notes what the names need
        feed_name(label)(record, names)
    names.load()
    named = [feed_name(label)(record, names) + feed_state(label, record) for label, _model, record in found]
    diffs = configuration_changes(found)
    entries = [
        Entry(
            record.history_date,
            record.history_user,
            record.history_type,
            str(model._meta.verbose_name),
            name,
            record.history_change_reason or "",
            diffs.get((label, record.history_id), []),
            object_history_url(label, record),
        )
        for (label, model, record), name in zip(found, named, strict=True)
    ]
    types = [(label, str(apps.get_model(label)._meta.verbose_name)) for label in TRACKED]
    return render(
        request,
        "oversight/audit_feed.html",
        {
            "entries": entries[:FEED_LIMIT],
            "types": types,
            "chosen_type": chosen_type,
            "chosen_user": user_id,
            "who": who,
            "since": since,
            "until": until,
            "errors": errors,
            "truncated": truncated,
            "older_url": query_with(request, before=older) if older else "",
            "limit": FEED_LIMIT,
        },
        status=400 if errors else 200,
    )


# Kinds with no history page of their own (a programme's configuration): the feed shows their fields'
# old and new values itself. They change seldom, so their few records are read whole.
DIFFED_IN_FEED = {
    "pairing.Programme",
    "pairing.Milestone",
    "pairing.WorkCategory",
    "pairing.LeadUnit",
    "reporting.Indicator",
    "reporting.IndicatorMinimum",
    "reporting.Figure",
}


def configuration_changes(found: list) -> dict[tuple[str, int], list[Change]]:
    """The field changes of the feed's configuration records against the record before each, read in
    one query per kind shown: {(label, history id): [Change]}."""
    changes, names = {}, {}
    for label in DIFFED_IN_FEED:
        records = [record for kind, _model, record in found if kind == label and record.history_type == "~"]
        if not records:
            continue
        model = apps.get_model(label)
        every = list(
            model.history.filter(id__in={record.id for record in records}).order_by(
                "id", "history_date", "history_id"
            )
        )
        before = {
            later.history_id: earlier
            for earlier, later in zip(every, every[1:], strict=False)
            if earlier.id == later.id
        }
        for record in records:
            previous = before.get(record.history_id)
            if previous is not None:
                changes[(label, record.history_id)] = [
                    line
                    for change in record.diff_against(previous).changes
                    if change.field not in HIDDEN_FIELDS
                    for line in changes_of(model, change, names)
                ]
    return changes


def query_with(request: HttpRequest, **values) -> str:
    """This page's query string with `values` set (the filters kept)."""
    query = request.GET.copy()
    for key, value in values.items():
        query[key] = value
    return "?" + query.urlencode()


def read_cursor(text: str) -> tuple | None:
    """The position a link to older changes carries: (moment, kind's index, history id), or None."""
    try:
        moment, index, history_id = text.split("|")
        when = datetime.datetime.fromisoformat(moment)
        if not timezone.is_aware(when):
            return None
        return (when.astimezone(datetime.UTC), int(index), int(history_id))
    except (ValueError, OverflowError):  # OverflowError: a moment that is no moment in UTC (year 0)
        return None


def older_than(cursor: tuple, index: int) -> Q:
    """The changes of the kind at `index` that come after the cursor in the feed's order (newest first,
    then by kind, then newest row): earlier moments, and of the cursor's own moment those of a later
    kind, or of its kind with an older row."""
    when, cursor_index, history_id = cursor
    if index < cursor_index:
        return Q(history_date__lt=when)
    if index > cursor_index:
        return Q(history_date__lte=when)
    return Q(history_date__lt=when) | Q(history_date=when, history_id__lt=history_id)


def object_history_url(label: str, record) -> str:
    """Pairings and reports have a history page of their own; a deleted one has nothing to open."""
    if record.history_type == "-":
        return ""
    names = {"pairing.Pairing": "pairing_history", "reporting.MonthlyReport": "report_history"}
    return reverse(names[label], args=[record.id]) if label in names else ""
