"""Registry models. The programme's rules are fields of Programme, never constants in code."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.cells import validate_not_formula
from core.months import Month


def first_of_month(value: datetime.date) -> bool:
    return value.day == 1


DONGGUAN_RULES = [
    "agreement",
    "team_size",
    "leader",
    "deputy",
    "titles",
    "residency",
    "meetings",
    "practice_base",
    "school_paired",  # every school pairs with at least one counterpart and one village
]


def default_rules() -> list[str]:
    return list(DONGGUAN_RULES)


def default_counterpart_kinds() -> list[str]:
    return ["town", "subdistrict"]


def default_lead_kinds() -> list[str]:
    return ["university"]


def default_assisting_kinds() -> list[str]:
    return ["vocational"]


class Programme(models.Model):
    """A programme of the family (百千万工程, 定点帮扶, 县校合作, 校地合作): its shape and its rules as data."""

    class Kind(models.TextChoices):
        BQW = "bqw", _("Hundred counties, thousand towns, ten thousand villages (百千万工程)")
        DESIGNATED = "designated", _("Designated assistance (定点帮扶)")
        COUNTY_SCHOOL = "county_school", _("County–university cooperation (县校合作)")
        SCHOOL_LOCALITY = "school_locality", _("University–locality cooperation (校地合作)")

    class Reporters(models.TextChoices):
        EVERY_SCHOOL = "all", _("Every school of a pairing")
        LEAD_ONLY = "lead", _("The lead school only")

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200, validators=[validate_not_formula])
    city = models.CharField(_("city"), max_length=100)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    report_due_day = models.PositiveSmallIntegerField(
        _("report due day of month"),
        default=28,
        validators=[MinValueValidator(1), MaxValueValidator(28)],
        help_text=_(
            "Monthly reports are due on this day of each month (1–28): a report first submitted at any time "
            "of that day (Beijing time) is on time."
        ),
    )
    first_report_month = models.DateField(
        _("first report month"),
        default=datetime.date(2024, 1, 1),
        help_text=_("The first day of the first month that needs a report."),
    )
    # At least one: a team of none would pass the size rule with nobody on it.
    min_team_size = models.PositiveSmallIntegerField(
        _("minimum service team size"), default=6, validators=[MinValueValidator(1)]
    )
    min_residency_days_per_year = models.PositiveSmallIntegerField(
        _("minimum residency days a year"), default=90
    )
    min_joint_meetings_per_year = models.PositiveSmallIntegerField(
        _("minimum joint meetings a year"), default=2
    )
    agreement_deadline_days = models.PositiveSmallIntegerField(
        _("days allowed to sign the agreement"), default=30
    )
    practice_bases_per_pairing = models.PositiveSmallIntegerField(_("practice bases per pairing"), default=1)
    reminder_days_before_due = models.PositiveSmallIntegerField(
        _("reminder days before the due date"),
        default=3,
        help_text=_("Liaisons whose report is not submitted are reminded this many days before it is due."),
    )
    review_reminder_days = models.PositiveSmallIntegerField(
        _("days a report may wait for review"),
        default=5,
        help_text=_("The bureau is reminded of reports waiting in review longer than this."),
    )
    reopen_days = models.PositiveSmallIntegerField(
        _("days a reopened report stays open"),
        default=7,
        help_text=_("An accepted report that the bureau reopens can be changed for this many days."),
    )
    # The programme's shape.
    kind = models.CharField(_("kind of programme"), max_length=20, choices=Kind.choices, default=Kind.BQW)
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    description = models.TextField(
        _("description"),
        blank=True,
        help_text=_(
            "What the programme is, its sources, and every assumption made where the sources are silent."
        ),
    )
    root_area = models.ForeignKey(
        "Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("area the programme covers"),
        help_text=_("Every counterpart lies within it."),
    )
    counterpart_kinds = models.JSONField(
        _("what a pairing's counterpart may be"),
        default=default_counterpart_kinds,
        help_text=_("Area kinds, e.g. town and subdistrict, or county and district."),
    )
    counterpart_label = models.CharField(
        _("name of the counterpart on the pages"), max_length=40, default="镇(街道)"
    )
    counterpart_label_en = models.CharField(
        _("name of the counterpart on the pages (English)"), max_length=40, default="Town or subdistrict"
    )
    lead_school_kinds = models.JSONField(
        _("school kinds that may lead a pairing"), default=default_lead_kinds
    )
    assisting_school_kinds = models.JSONField(
        _("school kinds that may assist"),
        default=default_assisting_kinds,
        blank=True,
        help_text=_("Empty: pairings have no assisting schools."),
    )
    rules = models.JSONField(
        _("compliance rules applied"),
        default=default_rules,
        blank=True,
        help_text=_("Codes of the rules checked."),
    )
    reporters = models.CharField(
        _("who reports each month"), max_length=10, choices=Reporters.choices, default=Reporters.EVERY_SCHOOL
    )
    min_residents_per_pairing = models.PositiveSmallIntegerField(
        _("residents present in each pairing"),
        default=1,
        help_text=_("For the rule that a resident (常驻, 挂职 or 驻村第一书记) serves each pairing."),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["start_date", "code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="programme_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def due_date(self, month: Month) -> datetime.date:
        """The day a month's report is due."""
        return month.due_date(self.report_due_day)

    def late_from(self, month: Month) -> datetime.datetime:
        """The first moment a month's report counts as late (the start of the day after the due day)."""
        return month.late_from(self.report_due_day)

    def is_due(self, month: Month, *, now: datetime.datetime | None = None) -> bool:
        """Whether the month's reports are due by now, i.e. late from now on."""
        return (now or timezone.now()) >= self.late_from(month)

    def month_problem(self, month: Month, *, writing: bool = True) -> str | None:
        """Why the month has no reports of this programme, in words (None when it has): before its
        first report month, in the future, or after its end. `writing` words a future month for a
        liaison about to write its report; otherwise for someone looking at or compiling the month."""
        if month.first_day < self.first_report_month:
            return _("Reports start from %(first)s.") % {"first": self.first_report_month.strftime("%Y-%m")}
        if month > Month.current():
            if not writing:
                return _("%(month)s has not begun: it has no reports yet.") % {"month": month}
            return _("A report cannot be written for a future month.")
        if self.end_date and month.first_day > self.end_date:
            return _("The programme ended in %(last)s.") % {"last": self.end_date.strftime("%Y-%m")}
        return None

    def last_month(self) -> Month:
        """The month the pages open on: this month while the programme runs, its last month once it
        has ended."""
        current = Month.current()
        return min(Month.of(self.end_date), current) if self.end_date else current

    def last_due_month(self) -> Month:
        """The latest month whose reports are due by now (its last month, once it has ended)."""
        month = self.last_month()
        return month if self.is_due(month) else month.previous()

    @property
    def has_ended(self) -> bool:
        """The programme's end date has passed (its last day is still part of it)."""
        return self.end_date is not None and self.end_date < timezone.localdate()

    def report_years(self) -> list[int]:
        """The years from the first report month's to the last month's: the years a page may ask about."""
        last = self.last_month().year
        return list(range(min(self.first_report_month.year, last), last + 1))

    @property
    def counterpart_name(self) -> str:
        """What the pages call a pairing's counterpart here: 镇(街道), 县(区), ..."""
        from django.utils.translation import get_language

        return (
            self.counterpart_label_en if (get_language() or "").startswith("en") else self.counterpart_label
        )

    def category_choices(self) -> list[tuple[str, str]]:
        """(code, name) of the programme's work categories, in order (prefetch `work_categories`)."""
        return [(category.code, category.name) for category in self.work_categories.all()]

    @property
    def takes_assisting_schools(self) -> bool:
        return bool(self.assisting_school_kinds)

    def counterpart_refusal(self, area: "Area") -> str:
        """Why `area` cannot be a counterpart of this programme's pairings, or "" if it can."""
        if area.kind not in self.counterpart_kinds:
            return _("%(name)s is a %(kind)s, not a %(allowed)s.") % {
                "name": area.name,
                "kind": str(area.get_kind_display()).lower(),
                "allowed": self.counterpart_name.lower(),
            }
        if area.pk and self.root_area_id and not area.lies_within(self.root_area):
            return _("The counterpart lies outside %(area)s.") % {"area": self.root_area}
        return ""

    def school_refusal(self, school: "School", *, lead: bool) -> str:
        """Why `school` cannot lead (or assist in) this programme's pairings, or "" if it can."""
        kinds = self.lead_school_kinds if lead else self.assisting_school_kinds
        if not kinds:
            return _("Pairings of %(programme)s have no assisting schools.") % {"programme": self.name}
        if school.kind in kinds:
            return ""
        return _("%(name)s is a %(kind)s, not a %(allowed)s.") % {
            "name": school.name,
            "kind": str(school.get_kind_display()).lower(),
            "allowed": "/".join(str(School.Kind(kind).label).lower() for kind in kinds),
        }

    def clean(self) -> None:
        errors = {}
        kinds = {kind for kind, _label in Area.Kind.choices}
        if not self.counterpart_kinds or not set(self.counterpart_kinds) <= kinds:
            errors["counterpart_kinds"] = _("Choose area kinds from: %(kinds)s.") % {
                "kinds": ", ".join(sorted(kinds))
            }
        schools = {kind for kind, _label in School.Kind.choices}
        if not self.lead_school_kinds or not set(self.lead_school_kinds) <= schools:
            errors["lead_school_kinds"] = _("Choose school kinds from: %(kinds)s.") % {
                "kinds": ", ".join(sorted(schools))
            }
        if not set(self.assisting_school_kinds or []) <= schools:
            errors["assisting_school_kinds"] = _("Choose school kinds from: %(kinds)s.") % {
                "kinds": ", ".join(sorted(schools))
            }
        if self.first_report_month and not first_of_month(self.first_report_month):
            errors["first_report_month"] = _("Use the first day of a month.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        if errors:
            raise ValidationError(errors)


class Milestone(models.Model):
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="milestones", verbose_name=_("programme")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["programme", "year"]
        constraints = [models.UniqueConstraint(fields=["programme", "year"], name="one_milestone_per_year")]

    def __str__(self) -> str:
        return f"{self.year}: {self.title}"


class Area(models.Model):
    class Kind(models.TextChoices):
        PROVINCE = "province", _("Province")
        PREFECTURE = "prefecture", _("Prefecture")
        CITY = "city", _("City")
        DISTRICT = "district", _("District")
        COUNTY = "county", _("County")
        TOWN = "town", _("Town")
        SUBDISTRICT = "subdistrict", _("Subdistrict")
        VILLAGE = "village", _("Village")
        COMMUNITY = "community", _("Community")

    TOWN_KINDS = (Kind.TOWN, Kind.SUBDISTRICT)
    VILLAGE_KINDS = (Kind.VILLAGE, Kind.COMMUNITY)
    COUNTY_KINDS = (Kind.COUNTY, Kind.DISTRICT)
    LIAISON_KINDS = TOWN_KINDS + COUNTY_KINDS  # the areas a town or county liaison acts for
    # How high an area stands: a parent stands above its child (东莞市 has no counties: its towns
    # stand directly under the city).
    LEVEL = {
        Kind.PROVINCE: 0,
        Kind.PREFECTURE: 1,
        Kind.CITY: 1,
        Kind.COUNTY: 2,
        Kind.DISTRICT: 2,
        Kind.TOWN: 3,
        Kind.SUBDISTRICT: 3,
        Kind.VILLAGE: 4,
        Kind.COMMUNITY: 4,
    }

    name = models.CharField(_("name"), max_length=100, validators=[validate_not_formula])
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["parent", "name"], name="area_name_unique_in_parent")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_town(self) -> bool:
        return self.kind in self.TOWN_KINDS

    @property
    def is_village(self) -> bool:
        return self.kind in self.VILLAGE_KINDS

    def ancestors(self) -> list["Area"]:
        """The parent, its parent, ... up to the top (one query each; areas are a few levels deep)."""
        chain, seen, area = [], {self.pk}, self.parent
        while area is not None and area.pk not in seen:
            chain.append(area)
            seen.add(area.pk)
            area = area.parent
        return chain

    def self_and_descendants(self) -> list["Area"]:
        """This area and every area below it, a level a query, each with its parent at hand (so
        `ancestors()` up to this area asks nothing more)."""
        found, level, seen = [self], [self], {self.pk}
        while level:
            parents = {area.pk: area for area in level}
            level = [area for area in Area.objects.filter(parent__in=list(parents)) if area.pk not in seen]
            for area in level:
                area.parent = parents[area.parent_id]
                seen.add(area.pk)
            found.extend(level)
        return found

    def lies_within(self, other: "Area") -> bool:
        return self.pk == other.pk or any(a.pk == other.pk for a in self.ancestors())

    def clean(self) -> None:
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An area cannot be its own parent.")})
        if self.kind in self.VILLAGE_KINDS and self.parent_id and not self.parent.is_town:
            raise ValidationError({"parent": _("A village or community belongs to a town or subdistrict.")})
        if self.parent_id and self.LEVEL.get(self.parent.kind, 0) >= self.LEVEL.get(self.kind, 0):
            names = {"kind": self.get_kind_display(), "parent": self.parent.get_kind_display()}
            raise ValidationError({"parent": _("A %(kind)s cannot lie within a %(parent)s.") % names})
        if self.pk and self.parent_id and any(a.pk == self.pk for a in self.parent.ancestors()):
            raise ValidationError({"parent": _("An area cannot lie within itself.")})
        if not self.parent_id and (self.kind in self.VILLAGE_KINDS or self.kind in self.TOWN_KINDS):
            raise ValidationError({"parent": _("A town or a village lies within another area: choose it.")})
        if (
            self.pk
            and Area.objects.filter(pk=self.pk).values_list("parent_id", flat=True).first() != self.parent_id
        ):
            self._keep_within_programmes()

    def _keep_within_programmes(self) -> None:
        """Moved, the area takes the areas within it along: a pairing whose counterpart or village is
        among them must stay within its programme's area (names are found there: the next import of
        the programme's table would add a second 长安). A move inside that area, or of the programme's
        area itself, is allowed."""
        from .selectors import area_ids_within

        within = area_ids_within(self.pk)
        using = Pairing.objects.filter(models.Q(town_id__in=within) | models.Q(villages__in=within))
        for programme in Programme.objects.filter(pk__in=using.values("programme_id")).select_related(
            "root_area"
        ):
            root = programme.root_area
            if root is None or root.lies_within(self):
                continue
            if self.parent is not None and self.parent.lies_within(root):
                continue
            pairing = using.filter(programme=programme).order_by("number").first()
            raise ValidationError(
                {
                    "parent": _(
                        "Pairing %(number)s of %(programme)s lies in %(name)s: it stays within %(area)s, "
                        "the programme's area."
                    )
                    % {"name": self.name, "number": pairing.number, "programme": programme, "area": root}
                }
            )


class School(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("University")
        VOCATIONAL = "vocational", _("Vocational school")

    name = models.CharField(_("name"), max_length=100, unique=True, validators=[validate_not_formula])
    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school")
        verbose_name_plural = _("schools")
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A school's kind fits each place it holds in a pairing (a vocational school leads no
        Dongguan pairing): the admin and the import ask the programme's own rule."""
        if not self.pk:
            return
        led = Pairing.objects.filter(lead_university_id=self.pk).select_related("programme")
        assisted = Pairing.objects.filter(assisting_schools=self.pk).select_related("programme")
        for pairings, lead in ((led, True), (assisted, False)):
            for pairing in pairings.distinct():
                if refusal := pairing.programme.school_refusal(self, lead=lead):
                    raise ValidationError({"kind": f"{refusal}（{pairing}）"})


class Person(models.Model):
    class TitleGrade(models.TextChoices):
        SENIOR = "senior", _("Senior")
        ASSOCIATE = "associate", _("Associate senior")
        INTERMEDIATE = "intermediate", _("Intermediate")
        JUNIOR = "junior", _("Junior")
        NONE = "none", _("None")

    # Grades that satisfy "中级以上职称(含中级)".
    MID_LEVEL_OR_ABOVE = (TitleGrade.SENIOR, TitleGrade.ASSOCIATE, TitleGrade.INTERMEDIATE)

    name = models.CharField(_("name"), max_length=60, validators=[validate_not_formula])
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="people", verbose_name=_("school")
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    is_school_leader = models.BooleanField(_("school-level leader"), default=False)
    title_grade = models.CharField(
        _("title grade"), max_length=20, choices=TitleGrade.choices, default=TitleGrade.NONE
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["school", "name"]

    def __str__(self) -> str:
        return f"{self.name}（{self.school}）"


class Pairing(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ACTIVE = "active", _("Active")
        ADJUSTED = "adjusted", _("Adjusted")
        ENDED = "ended", _("Ended")

    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="pairings", verbose_name=_("programme")
    )
    number = models.PositiveIntegerField(_("number"), help_text=_("The row number in the programme's table."))
    lead_university = models.ForeignKey(
        School,
        on_delete=models.PROTECT,
        related_name="led_pairings",
        verbose_name=_("lead school"),
        help_text=_("Of a kind the programme lets lead (a university in every seed programme)."),
    )
    assisting_schools = models.ManyToManyField(
        School,
        related_name="assisted_pairings",
        blank=True,
        verbose_name=_("assisting schools"),
        help_text=_("Of a kind the programme lets assist; none where the programme takes none."),
    )
    # The counterpart: a town or subdistrict (Dongguan), a county or district (Yibin, Shiquan, Cengong,
    # Ruicheng), whatever the programme's counterpart_kinds allow. The field keeps the name it had
    # when every counterpart was a town; the pages call it by the programme's counterpart_label.
    town = models.ForeignKey(
        Area,
        on_delete=models.PROTECT,
        related_name="pairings",
        verbose_name=_("counterpart"),
    )
    lead_unit = models.ForeignKey(
        "LeadUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pairings",
        verbose_name=_("county lead unit"),
        help_text=_("The county's unit that leads the cooperation with this school (Ruicheng's 牵头单位)."),
    )
    villages = models.ManyToManyField(
        Area,
        related_name="village_pairings",
        blank=True,
        limit_choices_to={"kind__in": Area.VILLAGE_KINDS},
        verbose_name=_("villages and communities"),
    )
    start_date = models.DateField(_("start date"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    end_reason = models.TextField(_("reason for ending"), blank=True)
    history = HistoricalRecords(m2m_fields=[assisting_schools, villages])

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["programme", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "number"], name="pairing_number_unique_in_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.town} – {self.lead_university}"

    @property
    def has_ended(self) -> bool:
        """Ended by the bureau, past its own end date, or past its programme's end: its records are
        kept as they were (the policy makes its workspace read-only)."""
        return (
            self.status == self.Status.ENDED
            or (self.end_date is not None and self.end_date < timezone.localdate())
            or self.programme.has_ended
        )

    def clean(self) -> None:
        errors = {}
        programme = self.programme if self.programme_id else None
        if programme and self.lead_university_id:
            errors["lead_university"] = programme.school_refusal(self.lead_university, lead=True)
        if programme and self.town_id:
            errors["town"] = programme.counterpart_refusal(self.town)
        if self.lead_unit_id and programme and self.lead_unit.programme_id != programme.pk:
            errors["lead_unit"] = _("The lead unit belongs to another programme.")
        if self.status == self.Status.ENDED and not self.end_reason.strip():
            errors["end_reason"] = _("Give the reason for ending the pairing.")
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date is before the start date.")
        errors = {name: message for name, message in errors.items() if message}
        if errors:
            raise ValidationError(errors)


class SchoolReplacement(models.Model):
    """A school replaced by another in a pairing (动态调整: history kept, old reports stay attached).
    The school replaced stays the party of the months before `from_month`, so those months keep
    expecting, and counting, its reports; the school that replaced it is a party from `from_month`
    on (reporting/expectations.py reads both). Written by pairing.services.pairing_replace_school."""

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="replacements", verbose_name=_("pairing")
    )
    lead = models.BooleanField(
        _("lead school"), help_text=_("The lead school, rather than an assisting one.")
    )
    old_school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("school replaced")
    )
    new_school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="+", verbose_name=_("replaced by")
    )
    from_month = models.DateField(_("from month"), help_text=_("The first month the new school reports for."))
    reason = models.TextField(_("reason"))
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("school replacement")
        verbose_name_plural = _("school replacements")
        ordering = ["pairing", "from_month", "pk"]
        indexes = [
            models.Index(fields=["pairing", "new_school", "from_month"]),
            models.Index(fields=["pairing", "old_school", "from_month"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(old_school=models.F("new_school")), name="replacement_changes_the_school"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pairing}: {self.old_school} → {self.new_school} ({self.from_month:%Y-%m})"


def private_upload_path(instance, filename: str) -> str:
    return f"private/{instance._meta.model_name}/{instance.pairing_id}/{filename}"


class Agreement(models.Model):
    """The tripartite agreement (三方合作协议) of the pairing's university, vocational school(s) and town."""

    pairing = models.OneToOneField(
        Pairing, on_delete=models.CASCADE, related_name="agreement", verbose_name=_("pairing")
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    university_signatory = models.CharField(_("signatory for the university"), max_length=100, blank=True)
    vocational_signatory = models.CharField(
        _("signatory for the vocational school"), max_length=100, blank=True
    )
    town_signatory = models.CharField(_("signatory for the town"), max_length=100, blank=True)
    scanned_file = models.FileField(_("scanned agreement"), upload_to=private_upload_path, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tripartite agreement")
        verbose_name_plural = _("tripartite agreements")

    def __str__(self) -> str:
        return str(_("Agreement of %(pairing)s") % {"pairing": self.pairing})


class ServiceTeam(models.Model):
    """A pairing's service team (服务工作队), or a team of the programme as a whole when `pairing` is
    empty (Yibin's 博士专家服务团 of 300 and more)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="teams", verbose_name=_("programme")
    )
    pairing = models.OneToOneField(
        Pairing,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="team",
        verbose_name=_("pairing"),
    )
    name = models.CharField(_("name"), max_length=100)
    members = models.ManyToManyField(
        Person, through="Membership", related_name="teams", verbose_name=_("members")
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service team")
        verbose_name_plural = _("service teams")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pairing_id and not self.programme_id:  # a pairing's team is its programme's
            self.programme_id = self.pairing.programme_id
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.pairing_id and self.programme_id and self.pairing.programme_id != self.programme_id:
            raise ValidationError({"pairing": _("The pairing belongs to another programme.")})


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        DEPUTY = "deputy", _("Deputy leader")
        MEMBER = "member", _("Member")
        RESIDENT = "resident", _("Resident (常驻, 挂职 or 驻村第一书记)")
        LIAISON = "liaison", _("Liaison")
        EXPERT = "expert", _("Expert")

    team = models.ForeignKey(
        ServiceTeam, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("service team")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    post = models.CharField(
        _("post"), max_length=100, blank=True, help_text=_("E.g. 挂职副县长, 驻村第一书记, 校友分会联络员.")
    )
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    left_on = models.DateField(_("left on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("team membership")
        verbose_name_plural = _("team memberships")
        ordering = ["team", "role", "person__name"]
        constraints = [
            models.UniqueConstraint(fields=["team", "person"], name="person_once_per_team"),
            # 队长由签约高校安排1名校级领导担任, 副队长由签约中职学校安排1名校级领导担任: one of each.
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(role="leader"),
                name="one_leader_per_team",
                violation_error_message=_("The team already has a leader."),
            ),
            models.UniqueConstraint(
                fields=["team"],
                condition=models.Q(role="deputy"),
                name="one_deputy_per_team",
                violation_error_message=_("The team already has a deputy leader."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} ({self.get_role_display()})"


class Residency(models.Model):
    """A period of residency service (驻镇/驻村服务) by some of a team's people in a town or village."""

    team = models.ForeignKey(
        ServiceTeam, on_delete=models.CASCADE, related_name="residencies", verbose_name=_("service team")
    )
    people = models.ManyToManyField(Person, related_name="residencies", verbose_name=_("people"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    place = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="residencies", verbose_name=_("town or village")
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords(m2m_fields=[people])

    class Meta:
        verbose_name = _("residency")
        verbose_name_plural = _("residencies")
        ordering = ["team", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="residency_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.place} {self.start_date}–{self.end_date}"

    @property
    def days(self) -> int:
        return (self.end_date - self.start_date).days + 1

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The residency ends before it starts.")})


class PracticeBase(models.Model):
    """A base built with a pairing (乡村建设实践基地, an internship base), or by the programme as a whole
    when `pairing` is empty (Yibin's research centre)."""

    class Kind(models.TextChoices):
        PRACTICE = "practice", _("Practice base")
        INTERNSHIP = "internship", _("Internship base")
        RESEARCH = "research", _("Research base or centre")
        INNOVATION = "innovation", _("Innovation base")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="bases", verbose_name=_("programme")
    )
    pairing = models.ForeignKey(
        Pairing,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="practice_bases",
        verbose_name=_("pairing"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    name = models.CharField(_("name"), max_length=200)
    place = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("place")
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("practice base")
        verbose_name_plural = _("practice bases")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.pairing_id and not self.programme_id:  # a pairing's base is its programme's
            self.programme_id = self.pairing.programme_id
        super().save(*args, **kwargs)


class JointMeeting(models.Model):
    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("pairing")
    )
    held_on = models.DateField(_("held on"))
    attendees = models.TextField(_("attendees"))
    minutes = models.TextField(_("minutes"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("joint meeting")
        verbose_name_plural = _("joint meetings")
        ordering = ["pairing", "-held_on"]

    def __str__(self) -> str:
        return str(_("Joint meeting on %(date)s") % {"date": self.held_on})


class AnnualPlan(models.Model):
    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="annual_plans", verbose_name=_("pairing")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    content = models.TextField(_("content"))
    decided_at = models.ForeignKey(
        JointMeeting,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("decided at meeting"),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("annual cooperation plan")
        verbose_name_plural = _("annual cooperation plans")
        ordering = ["pairing", "year"]
        constraints = [models.UniqueConstraint(fields=["pairing", "year"], name="one_plan_per_pairing_year")]

    def __str__(self) -> str:
        return str(_("%(year)s plan") % {"year": self.year})


__all__ = [
    "Agreement",
    "LeadUnit",
    "WorkCategory",
    "AnnualPlan",
    "Area",
    "JointMeeting",
    "Membership",
    "Milestone",
    "Pairing",
    "Person",
    "PracticeBase",
    "Programme",
    "Residency",
    "School",
    "ServiceTeam",
    "PairingReview",
]


class PairingReview(models.Model):
    """The bureau's decision on a pairing's service team or agreement: accepted, or returned with a comment."""

    class Subject(models.TextChoices):
        TEAM = "team", _("Service team")
        AGREEMENT = "agreement", _("Tripartite agreement")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accepted")
        RETURNED = "returned", _("Returned")

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("pairing")
    )
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices)
    comment = models.TextField(_("comment"), blank=True)
    reviewer = models.ForeignKey(
        "auth.User", on_delete=models.PROTECT, related_name="pairing_reviews", verbose_name=_("reviewer")
    )
    decided_at = models.DateTimeField(_("decided at"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pairing review")
        verbose_name_plural = _("pairing reviews")
        ordering = ["-decided_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_subject_display()}: {self.get_decision_display()}"

    def clean(self) -> None:
        if self.decision == self.Decision.RETURNED and not self.comment.strip():
            raise ValidationError({"comment": _("Say what the liaison should change.")})


class LeadUnit(models.Model):
    """A county unit that leads the cooperation with one or more schools (Ruicheng's 牵头单位, the
    county's departments), evaluated on its bases, projects and talent each year."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="lead_units", verbose_name=_("programme")
    )
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("area")
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("county lead unit")
        verbose_name_plural = _("county lead units")
        ordering = ["programme", "name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="lead_unit_name_unique")]

    def __str__(self) -> str:
        return self.name


class WorkCategory(models.Model):
    """A kind of work a programme's reports describe (Dongguan's six kinds of cooperation, Yibin's four
    actions, WHUT's four 赋能, ...): each report has a narrative per category of its programme."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="work_categories", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=50)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work category")
        verbose_name_plural = _("work categories")
        ordering = ["programme", "order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "code"], name="work_category_code_unique")
        ]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh
