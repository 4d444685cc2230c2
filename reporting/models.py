"""Monthly progress reports (进展情况月报): the indicators a programme collects, one report per school,
pairing and month, its versions and attachments, and the reminders already sent."""

import datetime
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.cells import validate_not_formula
from core.months import Month, is_late
from core.numbers import plain_number
from core.page_cache import valid_until
from pairing.models import Pairing, Programme, School


class Indicator(models.Model):
    class Kind(models.TextChoices):
        WHOLE = "whole", _("Whole number")
        DECIMAL = "decimal", _("Decimal")
        MONEY = "money", _("Money (yuan)")

    class Aggregation(models.TextChoices):
        SUM = "sum", _("Sum over months")
        LATEST = "latest", _("Latest month")
        MAX = "max", _("Largest month")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=50)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100, validators=[validate_not_formula])
    name_en = models.CharField(_("name (English)"), max_length=100, validators=[validate_not_formula])
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.WHOLE)
    minimum = models.DecimalField(_("minimum"), max_digits=14, decimal_places=2, default=Decimal(0))
    maximum = models.DecimalField(_("maximum"), max_digits=14, decimal_places=2, null=True, blank=True)
    aggregation = models.CharField(
        _("how it adds up over months"), max_length=10, choices=Aggregation.choices, default=Aggregation.SUM
    )
    required = models.BooleanField(_("required"), default=False)
    lead_only = models.BooleanField(
        _("reported by the lead school only"),
        default=False,
        help_text=_(
            "E.g. residency days: the lead school reports them for the pairing, so nothing counts twice."
        ),
    )
    prefill = models.CharField(
        _("pre-filled from"),
        max_length=20,
        choices=[("", _("Nothing")), ("residency_days", _("The residency log: days of the month"))],
        blank=True,
        default="",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["programme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="indicator_code_unique")]

    def __str__(self) -> str:
        return self.name_zh

    @property
    def name(self) -> str:
        from django.utils.translation import get_language

        return self.name_en if (get_language() or "").startswith("en") else self.name_zh

    @property
    def decimal_places(self) -> int:
        return 0 if self.kind == self.Kind.WHOLE else 2

    def maximum_in(self, month) -> Decimal | None:
        """The largest value a report of `month` (its first day) may give: the indicator's maximum and,
        for a count of days (天), no more days than the month has (30 in November, not 31)."""
        if month is None or self.unit != "天":
            return self.maximum
        days = Decimal(Month.of(month).last_day.day)
        return days if self.maximum is None else min(self.maximum, days)

    def clean(self) -> None:
        if self.maximum is not None and self.maximum < self.minimum:
            raise ValidationError({"maximum": _("The maximum is below the minimum.")})
        if self.pk:
            # Once values are reported, the code names them in the API, the exports and the workbooks
            # people downloaded, and the kind is how they were typed: both stay as they were.
            before = type(self).objects.filter(pk=self.pk).values("code", "kind").first()
            if before and self.values.exists():
                kept = {"code": _("code"), "kind": _("kind")}
                changed = {
                    field: label for field, label in kept.items() if before[field] != getattr(self, field)
                }
                if changed:
                    raise ValidationError(
                        {
                            field: _(
                                "Values have been reported for this indicator: its %(field)s stays as it is."
                            )
                            % {"field": label}
                            for field, label in changed.items()
                        }
                    )


class RecordKeptError(IntegrityError):
    """A submitted report and every report version are the record of what was reported and decided:
    no path deletes them, and a version is never changed (PostgreSQL triggers refuse it too)."""


class MonthlyReportQuerySet(models.QuerySet):
    def delete(self):
        if self.filter(first_submitted_at__isnull=False).exists():
            raise RecordKeptError("A submitted monthly report is kept: it cannot be deleted.")
        return super().delete()

    delete.alters_data = True
    delete.queryset_only = True


# A returned report whose return was a reopening of the accepted report (it counts as returned).
REOPENED_LABEL = _("Reopened")


class MonthlyReport(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        RESUBMITTED = "resubmitted", _("Resubmitted")
        ACCEPTED = "accepted", _("Accepted")

    EDITABLE = (Status.DRAFT, Status.RETURNED)
    IN_REVIEW = (Status.SUBMITTED, Status.RESUBMITTED)

    pairing = models.ForeignKey(
        Pairing, on_delete=models.PROTECT, related_name="reports", verbose_name=_("pairing")
    )
    school = models.ForeignKey(
        School, on_delete=models.PROTECT, related_name="reports", verbose_name=_("school")
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month reported on."))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    narratives = models.JSONField(_("progress by kind of cooperation"), default=dict, blank=True)
    difficulties = models.TextField(_("difficulties needing coordination"), blank=True)
    next_month_plan = models.TextField(_("next month's plan"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    first_submitted_at = models.DateTimeField(_("first submitted at"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_comment = models.TextField(_("reviewer's comment"), blank=True)
    reopened_until = models.DateTimeField(_("reopened until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("created by")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords()

    objects = MonthlyReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering = ["-month", "pairing__number", "school__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "school", "month"], name="one_report_per_school_month"
            ),
        ]
        indexes = [
            models.Index(fields=["month", "status"]),
            # The reports waiting for review, by month (the queue's "waiting in other months"), read
            # from a small index rather than every report of every month.
            models.Index(
                fields=["month", "pairing"],
                condition=models.Q(status__in=["submitted", "resubmitted"]),
                name="report_in_review_idx",
            ),
            # The API's order (newest month first, then pairing and school): its first page is read
            # from the index's start instead of sorting a whole month of reports.
            models.Index(fields=["-month", "pairing", "school"], name="report_newest_first_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.school} {self.month:%Y-%m}"

    def delete(self, *args, **kwargs):
        if self.first_submitted_at is not None or (
            self.pk is not None
            and MonthlyReport.objects.filter(pk=self.pk, first_submitted_at__isnull=False).exists()
        ):
            raise RecordKeptError(f"The monthly report {self} has been submitted: it is kept, not deleted.")
        return super().delete(*args, **kwargs)

    @property
    def period(self) -> Month:
        return Month.of(self.month)

    @property
    def due_date(self) -> datetime.date:
        return self.pairing.programme.due_date(self.period)

    @property
    def late_from(self) -> datetime.datetime:
        return self.pairing.programme.late_from(self.period)

    @property
    def is_late(self) -> bool:
        return is_late(self.first_submitted_at, self.late_from)

    @property
    def lateness(self) -> datetime.timedelta | None:
        return self.first_submitted_at - self.late_from if self.is_late else None

    @property
    def status_label(self) -> str:
        """The status in words; returned by a reopening of the accepted report, it is "Reopened"."""
        if self.status == self.Status.RETURNED and self.reopened_until is not None:
            return str(REOPENED_LABEL)
        return self.get_status_display()

    @property
    def is_editable(self) -> bool:
        if self.status not in self.EDITABLE:
            return False
        if self.reopened_until is None:
            return True
        if timezone.now() > self.reopened_until:
            return False
        valid_until(self.reopened_until)  # a page saying "change it" is kept no longer than this
        return True


class IndicatorValue(models.Model):
    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="values", verbose_name=_("report")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, related_name="values", verbose_name=_("indicator")
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(fields=["report", "indicator"], name="one_value_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {plain_number(self.value)}"


class ReportVersionQuerySet(models.QuerySet):
    """Versions are appended, never changed or deleted."""

    def update(self, **kwargs):
        raise RecordKeptError("Report versions are kept as written: they cannot be changed.")

    def delete(self):
        raise RecordKeptError("Report versions are kept: they cannot be deleted.")

    update.alters_data = True
    update.queryset_only = True
    delete.alters_data = True
    delete.queryset_only = True


VERSION_ACTIONS = {
    "report.saved": _("Draft saved"),
    "report.submitted": _("Submitted"),
    "report.resubmitted": _("Resubmitted"),
    "report.returned": _("Returned"),
    "report.accepted": _("Accepted"),
    "report.reopened": _("Reopened"),
    "report.attachment_added": _("Attachment added"),
    "report.attachment_removed": _("Attachment removed"),
}


class ReportVersion(models.Model):
    """A snapshot of the report at every save and every step of its review, with the dotted action.
    Append-only: a version is never changed or deleted, and keeps its report from being deleted."""

    report = models.ForeignKey(
        MonthlyReport, on_delete=models.PROTECT, related_name="versions", verbose_name=_("report")
    )
    number = models.PositiveIntegerField(_("version"))
    action = models.CharField(
        _("action"), max_length=40
    )  # report.saved, report.submitted, report.returned, ...
    status = models.CharField(_("status"), max_length=20, choices=MonthlyReport.Status.choices)
    snapshot = models.JSONField(_("content"))
    comment = models.TextField(_("comment"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    objects = ReportVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("report version")
        verbose_name_plural = _("report versions")
        ordering = ["report", "-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.report} v{self.number} {self.action}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise RecordKeptError(f"The report version {self} is kept as written: it cannot be changed.")
        kwargs["force_insert"] = True  # a new object given an existing pk must not overwrite that version
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RecordKeptError(f"The report version {self} is kept: it cannot be deleted.")

    @property
    def action_label(self) -> str:
        """What was done, in words: a liaison's save of a returned report reads "Draft saved", not
        the status the report still had ("Returned")."""
        return str(VERSION_ACTIONS.get(self.action, self.get_status_display()))


def attachment_path(instance, filename: str) -> str:
    return f"private/reports/{instance.report_id}/{filename}"


class ReportAttachment(models.Model):
    report = models.ForeignKey(
        MonthlyReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )
    file = models.FileField(_("file"), upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class ReminderSent(models.Model):
    """One row per report (school, pairing, month) and kind of reminder: a reminder goes out once."""

    class Kind(models.TextChoices):
        BEFORE_DUE = "before_due", _("Before the due date")
        MISSING = "missing", _("Missing after the due date")
        REVIEW_WAITING = "review_waiting", _("Waiting for review")
        RETURNED = "returned", _("Returned")

    pairing = models.ForeignKey(
        Pairing, on_delete=models.CASCADE, related_name="+", verbose_name=_("pairing")
    )
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+", verbose_name=_("school"))
    month = models.DateField(_("month"))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    key = models.CharField(
        _("reminder key"),
        max_length=40,
        blank=True,
        help_text=_("Distinguishes repeated events, e.g. the version returned."),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    recipients = models.JSONField(_("recipients"), default=list)

    class Meta:
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        constraints = [
            models.UniqueConstraint(
                fields=["pairing", "school", "month", "kind", "key"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.school_id} {self.month:%Y-%m}"


def summary_path(instance, filename: str) -> str:
    return f"private/summaries/{filename}"


# A running compilation beats at least every chunk of pairings (seconds); silence this long means its
# worker is gone and the next run may take over.
STALLED_AFTER = datetime.timedelta(minutes=3)


class MonthlySummary(models.Model):
    """The bureau's compiled month (汇总) of one programme: counts, totals and the workbook."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="summaries", verbose_name=_("programme")
    )
    month = models.DateField(_("month"))
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    failure_reason = models.TextField(_("reason for the failure"), blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    totals = models.JSONField(_("totals per indicator"), default=dict, blank=True)
    workbook = models.FileField(_("workbook"), upload_to=summary_path, blank=True)
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    run_task_id = models.CharField(
        max_length=64,
        blank=True,
        editable=False,
        help_text="The Celery task running it, if a worker runs it.",
    )
    heartbeat_at = models.DateTimeField(
        _("last sign of life"),
        null=True,
        blank=True,
        help_text=_("A running compilation updates this as it goes; one silent for minutes has stalled."),
    )
    compiled_from = models.DateTimeField(
        _("compiled from the data as of"),
        null=True,
        blank=True,
        help_text=_("When the run that produced the current figures started reading the month."),
    )
    source_changed_at = models.DateTimeField(
        _("month last changed at"),
        null=True,
        blank=True,
        help_text=_("When a report of the month was last submitted, returned, accepted or reopened."),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )

    class Meta:
        verbose_name = _("monthly summary")
        verbose_name_plural = _("monthly summaries")
        ordering = ["-month", "programme"]
        constraints = [models.UniqueConstraint(fields=["programme", "month"], name="one_summary_per_month")]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.month:%Y-%m}"

    @property
    def period(self) -> Month:
        return Month.of(self.month)

    @property
    def is_stalled(self) -> bool:
        """Running, but silent for longer than a live run ever is (its worker died): restart it."""
        if self.state != self.State.RUNNING:
            return False
        if self.heartbeat_at is None or self.heartbeat_at < timezone.now() - STALLED_AFTER:
            return True
        valid_until(self.heartbeat_at + STALLED_AFTER)  # a page saying "running" is kept no longer
        return False

    @property
    def is_stale(self) -> bool:
        """Compiled figures that a report transition has changed since: out of date until recompiled."""
        return bool(
            self.compiled_from and self.source_changed_at and self.source_changed_at >= self.compiled_from
        )


class ExportJob(models.Model):
    """A large export built by a worker: the page shows its progress and offers the file when done."""

    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name=_("programme")
    )
    parameters = models.JSONField(_("parameters"), default=dict)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to="private/exports/", blank=True)
    failure_reason = models.TextField(_("reason for the failure"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.parameters.get('from')}–{self.parameters.get('to')}"


class IndicatorMinimum(models.Model):
    """A yearly minimum of an indicator for each pairing, checked by the compliance rule of the same
    name (Yibin: at least two teacher trainings per county a year)."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="indicator_minimums", verbose_name=_("programme")
    )
    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="minimums", verbose_name=_("indicator")
    )
    per_year = models.DecimalField(_("at least, each year"), max_digits=14, decimal_places=2)
    prorated = models.BooleanField(
        _("in proportion for a part year"),
        default=True,
        help_text=_(
            "A year the pairing ran only in part owes its share of the minimum (rounded down). Off: "
            "it owes the whole minimum, as Yibin's first and last years do."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("yearly minimum of an indicator")
        verbose_name_plural = _("yearly minimums of indicators")
        constraints = [
            models.UniqueConstraint(fields=["programme", "indicator"], name="one_minimum_per_indicator")
        ]

    def __str__(self) -> str:
        return f"{self.indicator} ≥ {self.per_year}"


class Figure(models.Model):
    """A target or headline figure of a programme, as data: what it counts, over which period, and what
    it should be. `check_figures` and the dashboard compare it with what the programme's data gives."""

    class Source(models.TextChoices):
        INDICATOR_SUM = "indicator_sum", _("Sum of an indicator's monthly values")
        INDICATOR_LATEST = "indicator_latest", _("Latest value of an indicator")
        REGISTRY = "registry", _("A count in the registry")
        MANUAL = "manual", _("Entered by hand for the programme")

    class Count(models.TextChoices):
        PAIRINGS = "pairings", _("Pairings")
        LEAD_SCHOOLS = "lead_schools", _("Lead schools")
        ASSISTING_SCHOOLS = "assisting_schools", _("Assisting schools")
        COUNTERPARTS = "counterparts", _("Counterparts")
        VILLAGES = "villages", _("Villages and communities")
        LEAD_UNITS = "lead_units", _("County lead units")
        MEMBERS = "members", _("Team members")
        BASES = "bases", _("Bases")
        REPORTS_A_MONTH = "reports_a_month", _("Reports expected a month")

    class Comparison(models.TextChoices):
        EXACTLY = "exactly", _("Exactly")
        AT_LEAST = "at_least", _("At least")

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="figures", verbose_name=_("programme")
    )
    code = models.SlugField(_("code"), max_length=50)
    label_zh = models.CharField(_("label (Chinese)"), max_length=100, validators=[validate_not_formula])
    label_en = models.CharField(_("label (English)"), max_length=100, validators=[validate_not_formula])
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices)
    indicator = models.ForeignKey(
        Indicator,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("indicator"),
    )
    count = models.CharField(_("what is counted"), max_length=20, choices=Count.choices, blank=True)
    count_filter = models.JSONField(
        _("counted only where"),
        default=dict,
        blank=True,
        help_text=_('E.g. {"role": "expert"} for members, {"kind": "research"} for bases.'),
    )
    period_from = models.DateField(
        _("from month"), null=True, blank=True, help_text=_("Empty: the programme's start.")
    )
    period_to = models.DateField(
        _("to month"), null=True, blank=True, help_text=_("Empty: the programme's end.")
    )
    expected = models.DecimalField(_("expected value"), max_digits=16, decimal_places=2)
    comparison = models.CharField(
        _("comparison"), max_length=10, choices=Comparison.choices, default=Comparison.EXACTLY
    )
    manual_value = models.DecimalField(
        _("value entered by hand"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    source_note = models.CharField(
        _("where the figure comes from"),
        max_length=300,
        blank=True,
        help_text=_("The document and its words."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        ordering = ["programme", "order", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="figure_code_unique")]

    def __str__(self) -> str:
        return self.label_zh

    @property
    def label(self) -> str:
        from django.utils.translation import get_language

        return self.label_en if (get_language() or "").startswith("en") else self.label_zh

    def clean(self) -> None:
        errors = {}
        if self.source in (self.Source.INDICATOR_SUM, self.Source.INDICATOR_LATEST):
            if self.indicator_id is None:
                errors["indicator"] = _("Choose the indicator.")
            elif self.programme_id and self.indicator.programme_id != self.programme_id:
                errors["indicator"] = _("The indicator belongs to another programme.")
        if self.source == self.Source.REGISTRY and not self.count:
            errors["count"] = _("Choose what is counted.")
        if self.source == self.Source.MANUAL and self.manual_value is None:
            errors["manual_value"] = _("Enter the value.")
        if errors:
            raise ValidationError(errors)
