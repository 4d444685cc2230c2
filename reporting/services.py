"""Writes of the monthly reports: start, save a draft, submit, return, accept, reopen, attach.

Each step checks who may take it and from which status, records a version with its dotted action
(`report.submitted`), and sends what it must send after the transaction commits.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.months import Month
from core.numbers import plain_number
from core.outbox import enqueue
from core.policy import require, school_id_of
from core.uploads import check_upload
from pairing.models import Pairing

from .expectations import expected_rows, pairing_runs_in
from .models import Indicator, IndicatorValue, MonthlyReport, MonthlySummary, ReportAttachment, ReportVersion


class StaleReportError(ValidationError):
    """The report changed since the form was opened (another tab, another person)."""


def check_month(programme, month: Month) -> None:
    problem = programme.month_problem(month)
    if problem:
        raise ValidationError({"month": problem})


# A number as people type it: digits (full-width ones too, as a Chinese keyboard gives them), a sign,
# a decimal point, and commas only between groups of three digits ("1,000"; not "1,0,0"). Not "1e3".
TYPED_NUMBER = re.compile(r"[+-]?(\d{1,3}(,\d{3})+|\d+)?(\.\d*)?")


def typed_number(raw: str) -> str | None:
    """The number typed, as Decimal reads it ("1,000.5" -> "1000.5"), or None when it is not one."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text or not TYPED_NUMBER.fullmatch(text) or not any(c.isdigit() for c in text):
        return None
    return text.replace(",", "")


def parse_indicator_value(indicator: Indicator, raw, *, month=None) -> Decimal | None:
    """The typed value, or None for empty; a ValidationError in the user's language otherwise.
    `month` (a report's first day) bounds a count of days by the month's (Indicator.maximum_in)."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, str):
        text = typed_number(raw)
        if text is None:
            raise ValidationError(_("Enter a number."))
    else:  # a spreadsheet cell's number
        text = str(raw)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ValidationError(_("Enter a number.")) from None
    if not value.is_finite():
        raise ValidationError(_("Enter a number."))
    if indicator.kind == Indicator.Kind.WHOLE and value != value.to_integral_value():
        raise ValidationError(_("Enter a whole number."))
    if value.as_tuple().exponent < -2:
        raise ValidationError(_("Use at most two decimal places."))
    if value < indicator.minimum:
        if indicator.minimum == 0:
            raise ValidationError(_("The value cannot be negative."))
        raise ValidationError(
            _("The value cannot be below %(minimum)s.") % {"minimum": grouped(indicator.minimum)}
        )
    maximum = indicator.maximum_in(month)
    if maximum is not None and value > maximum:
        days = Month.of(month).last_day.day if month is not None else None
        if indicator.unit == "天" and maximum == days:  # bounded by the month's days (31 in October too)
            raise ValidationError(
                _("The value cannot be above %(maximum)s: %(month)s has %(maximum)s days.")
                % {"maximum": grouped(maximum), "month": f"{month:%Y-%m}"}
            )
        raise ValidationError(_("The value cannot be above %(maximum)s.") % {"maximum": grouped(maximum)})
    if abs(value) > LARGEST_VALUE:
        # The largest the field holds, as the indicator is written: whole, with thousands separators.
        largest = (
            LARGEST_VALUE.to_integral_value(rounding="ROUND_FLOOR")
            if indicator.kind == Indicator.Kind.WHOLE
            else LARGEST_VALUE
        )
        raise ValidationError(_("The value is too large: at most %(maximum)s.") % {"maximum": f"{largest:,}"})
    return value


def grouped(value: Decimal) -> str:
    """A limit as people read it: thousands separated, no trailing zeros (100,000,000; 12.5)."""
    return f"{Decimal(plain_number(value)):,}"


# What IndicatorValue.value (14 digits, 2 after the point) can hold.
LARGEST_VALUE = Decimal("999999999999.99")


def indicators_for(report: MonthlyReport) -> list[Indicator]:
    """The indicators the report's school fills in: all of the programme's, but those the lead school
    alone reports (residency days, say) only on the lead school's report."""
    indicators = list(report.pairing.programme.indicators.all())
    if report.school_id == report.pairing.lead_university_id:
        return indicators
    return [indicator for indicator in indicators if not indicator.lead_only]


def category_codes(report: MonthlyReport) -> list[str]:
    """The codes of the work categories of the report's programme: a narrative per category."""
    return list(report.pairing.programme.work_categories.values_list("code", flat=True))


CENTS = Decimal("0.01")  # values are kept to two places (IndicatorValue.value)


def report_snapshot(report: MonthlyReport, values: dict | None = None) -> dict:
    """The report as it stands, for its version (`values`: code -> value, when already at hand)."""
    if values is None:
        values = {v.indicator.code: v.value for v in report.values.select_related("indicator")}
    return {
        "values": {code: format(Decimal(value).quantize(CENTS), "f") for code, value in values.items()},
        "narratives": {code: report.narratives.get(code, "") for code in category_codes(report)},
        "difficulties": report.difficulties,
        "next_month_plan": report.next_month_plan,
        "attachments": [a.original_name for a in report.attachments.all()],
    }


def _record(
    report: MonthlyReport, *, action: str, actor, comment: str = "", values: dict | None = None
) -> ReportVersion:
    return ReportVersion.objects.create(
        report=report,
        number=report.version,
        action=action,
        status=report.status,
        snapshot=report_snapshot(report, values),
        comment=comment,
        actor=actor,
    )


def _authors(report: MonthlyReport) -> set[int]:
    ids = set(
        report.versions.filter(action__in=["report.saved", "report.submitted"]).values_list(
            "actor_id", flat=True
        )
    )
    return ids | {report.created_by_id}


def month_changed(report: MonthlyReport) -> None:
    """A transition changed the month's figures: a summary compiled before now is out of date (it is
    recompiled by the sweep once the month is due; see reporting/tasks.py)."""
    MonthlySummary.objects.filter(programme_id=report.pairing.programme_id, month=report.month).update(
        source_changed_at=timezone.now()
    )


@transaction.atomic
def report_start(*, pairing: Pairing, month: Month, user) -> MonthlyReport:
    """Start (or open) the user's school's report for a pairing and month."""
    require(user, "report.start", pairing)
    check_month(pairing.programme, month)
    if not pairing_runs_in(pairing, month):
        raise ValidationError({"month": _("The pairing did not run in this month.")})
    # Whether the school owes this month's report is the engine's answer (reporting.expectations): a
    # school that replaced another reports from the replacement's month, the school replaced until it.
    pairings = Pairing.objects.filter(pk=pairing.pk)
    if not expected_rows(month, pairings=pairings, school_id=school_id_of(user), names=False).count():
        raise ValidationError({"month": _("Your school does not report for this pairing in this month.")})
    report, created = MonthlyReport.objects.get_or_create(
        pairing=pairing, school_id=school_id_of(user), month=month.first_day, defaults={"created_by": user}
    )
    if created:
        prefill(report, month)
    return report


def prefill(report: MonthlyReport, month: Month) -> None:
    """Values the portal already knows, filled in when the report is started: residency days from the
    pairing's residency log (the days of the month someone was in residence), so the same days are not
    typed, or counted, twice. The liaison can still correct them before submitting."""
    from pairing.compliance import residency_days_between
    from pairing.models import Residency

    for indicator in indicators_for(report):
        if indicator.prefill == "residency_days":
            residencies = Residency.objects.filter(team__pairing=report.pairing)
            days = residency_days_between(residencies, month.first_day, month.last_day)
            IndicatorValue.objects.create(report=report, indicator=indicator, value=days)


def _lock(report: MonthlyReport) -> MonthlyReport:
    return MonthlyReport.objects.select_for_update().select_related("pairing__programme").get(pk=report.pk)


@transaction.atomic
def report_save_draft(
    *,
    report: MonthlyReport,
    user,
    values: dict[str, object],
    narratives: dict[str, str] | None = None,
    difficulties: str = "",
    next_month_plan: str = "",
    expected_version: int | None = None,
) -> MonthlyReport:
    report = _lock(report)
    require(user, "report.write", report)
    if expected_version is not None and expected_version != report.version:
        raise StaleReportError(
            _(
                "This report was changed elsewhere (another tab or person) after you opened it. Your text is "
                "kept below; copy what you need, reload the report and apply your changes again."
            )
        )
    if not report.is_editable:
        if report.status in report.EDITABLE:
            raise ValidationError(_("The time to change this reopened report has passed."))
        raise ValidationError(
            _("This report is %(status)s and cannot be changed.") % {"status": report.get_status_display()}
        )
    indicators = {i.code: i for i in indicators_for(report)}
    errors, typed = {}, {}
    for code, raw in values.items():
        if code not in indicators:
            errors[code] = [_("Unknown indicator.")]
            continue
        try:
            typed[code] = parse_indicator_value(indicators[code], raw, month=report.month)
        except ValidationError as error:
            errors[code] = error.messages
    if errors:
        raise ValidationError(errors)
    existing = {v.indicator.code: v for v in report.values.select_related("indicator")}
    # Three statements whatever the number of indicators: the values removed, changed and added.
    removed = [existing[code].pk for code, value in typed.items() if value is None and code in existing]
    changed = []
    for code, value in typed.items():
        if value is not None and code in existing and existing[code].value != value:
            existing[code].value = value
            changed.append(existing[code])
    added = [
        IndicatorValue(report=report, indicator=indicators[code], value=value)
        for code, value in typed.items()
        if value is not None and code not in existing
    ]
    if removed:
        IndicatorValue.objects.filter(pk__in=removed).delete()
    if changed:
        IndicatorValue.objects.bulk_update(changed, ["value"])
    if added:
        IndicatorValue.objects.bulk_create(added)
    kept = {code: v.value for code, v in existing.items() if v.pk not in removed}
    kept.update({v.indicator.code: v.value for v in added})
    report.narratives = {code: (narratives or {}).get(code, "").strip() for code in category_codes(report)}
    report.difficulties = difficulties.strip()
    report.next_month_plan = next_month_plan.strip()
    report.version += 1
    report.save()
    _record(report, action="report.saved", actor=user, values=kept)
    return report


@transaction.atomic
def report_submit(*, report: MonthlyReport, user, now: datetime.datetime | None = None) -> MonthlyReport:
    report = _lock(report)
    require(user, "report.write", report)
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s and cannot be submitted.") % {"status": report.get_status_display()}
        )
    present = set(report.values.values_list("indicator__code", flat=True))
    missing = [i for i in indicators_for(report) if i.required and i.code not in present]
    if missing:
        raise ValidationError({i.code: [_("This indicator is required.")] for i in missing})
    now = now or timezone.now()
    was_returned = report.status == MonthlyReport.Status.RETURNED
    report.status = MonthlyReport.Status.RESUBMITTED if was_returned else MonthlyReport.Status.SUBMITTED
    report.submitted_at = now
    report.submitted_by = user
    if report.first_submitted_at is None:
        report.first_submitted_at = now  # timeliness is decided by the first submission
    report.reopened_until = None
    report.version += 1
    report.save()
    _record(report, action="report.resubmitted" if was_returned else "report.submitted", actor=user)
    month_changed(report)
    return report


def _require_reviewer(report: MonthlyReport, reviewer) -> None:
    require(reviewer, "report.review", report)
    if report.status not in MonthlyReport.IN_REVIEW:
        raise ValidationError(
            _("Only a submitted report can be reviewed; this one is %(status)s.")
            % {"status": report.get_status_display()}
        )


@transaction.atomic
def report_return(*, report: MonthlyReport, reviewer, comment: str) -> MonthlyReport:
    report = _lock(report)
    _require_reviewer(report, reviewer)
    if not comment.strip():
        raise ValidationError({"comment": _("Say what the liaison should change.")})
    report.status = MonthlyReport.Status.RETURNED
    report.review_comment = comment.strip()
    report.reviewed_by, report.reviewed_at = reviewer, timezone.now()
    report.version += 1
    report.save()
    _record(report, action="report.returned", actor=reviewer, comment=report.review_comment)
    month_changed(report)
    enqueue("reporting.notify_report_returned", report.pk, report.version)
    return report


@transaction.atomic
def report_accept(*, report: MonthlyReport, reviewer, comment: str = "") -> MonthlyReport:
    """Accept and lock the report; a comment typed with it (a word of thanks, a note for next
    month) is kept as the review's comment, as a return's is."""
    report = _lock(report)
    _require_reviewer(report, reviewer)
    if reviewer.pk in _authors(report):
        raise ValidationError(_("You wrote this report, so someone else must accept it."))
    report.status = MonthlyReport.Status.ACCEPTED
    report.reviewed_by, report.reviewed_at = reviewer, timezone.now()
    report.review_comment = comment.strip()
    report.version += 1
    report.save()
    _record(report, action="report.accepted", actor=reviewer, comment=report.review_comment)
    month_changed(report)
    return report


@transaction.atomic
def report_reopen(*, report: MonthlyReport, reviewer, reason: str) -> MonthlyReport:
    report = _lock(report)
    require(reviewer, "report.review", report)
    if report.status != MonthlyReport.Status.ACCEPTED:
        raise ValidationError(_("Only an accepted report can be reopened."))
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for reopening; the liaison sees it.")})
    report.status = MonthlyReport.Status.RETURNED
    report.review_comment = reason.strip()
    report.reviewed_by, report.reviewed_at = reviewer, timezone.now()
    report.reopened_until = timezone.now() + datetime.timedelta(days=report.pairing.programme.reopen_days)
    report.version += 1
    report.save()
    _record(report, action="report.reopened", actor=reviewer, comment=report.review_comment)
    month_changed(report)
    enqueue("reporting.notify_report_returned", report.pk, report.version)
    return report


@transaction.atomic
def attachment_add(*, report: MonthlyReport, user, upload) -> ReportAttachment:
    from pathlib import Path

    report = _lock(report)
    require(user, "report.write", report)
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s and cannot be changed.") % {"status": report.get_status_display()}
        )
    check_upload(
        upload,
        allowed=(".jpg", ".jpeg", ".png", ".pdf", ".docx", ".xlsx"),
        limit=settings.ATTACHMENT_MAX_BYTES,
        field="file",
        wrong_type_message=_("Attach photos (JPG, PNG) or documents (PDF, DOCX, XLSX)."),
    )
    attachment = ReportAttachment(
        report=report, original_name=Path(upload.name).name[:200], size=upload.size, uploaded_by=user
    )
    attachment.file.save(Path(upload.name).name, upload, save=False)
    attachment.save()
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    _record(report, action="report.attachment_added", actor=user)
    return attachment


@transaction.atomic
def attachment_remove(*, report: MonthlyReport, user, attachment_pk: int) -> str:
    """Take a file off a report being written (a wrong photo, a file too large): one attached since
    the report was last submitted. A file that was part of a submitted version stays with the record
    of what was submitted. The removal is a version of its own; the file goes once the removal
    commits. Returns the file's name."""
    report = _lock(report)
    require(user, "report.write", report)
    if not report.is_editable:
        raise ValidationError(
            _("This report is %(status)s and cannot be changed.") % {"status": report.get_status_display()}
        )
    attachment = report.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise ValidationError(_("That file is not attached to this report."))
    if report.submitted_at is not None and attachment.uploaded_at <= report.submitted_at:
        raise ValidationError(
            _(
                "%(name)s was part of the report as submitted, so it stays with that record: attach the "
                "right file and say so in the report."
            )
            % {"name": attachment.original_name}
        )
    name, storage, path = attachment.original_name, attachment.file.storage, attachment.file.name
    attachment.delete()
    report.version += 1
    report.save(update_fields=["version", "updated_at"])
    _record(report, action="report.attachment_removed", actor=user)
    transaction.on_commit(lambda: storage.delete(path))
    return name


def version_changes(older: dict, newer: dict) -> list[tuple[str, str, str]]:
    """What changed between two snapshots: (field, before, after), for the reviewer."""
    changes = []
    for code in sorted(set(older.get("values", {})) | set(newer.get("values", {}))):
        before, after = older.get("values", {}).get(code, ""), newer.get("values", {}).get(code, "")
        if before != after:
            changes.append((code, before, after))
    for kind in sorted(set(older.get("narratives", {})) | set(newer.get("narratives", {}))):
        before, after = older.get("narratives", {}).get(kind, ""), newer.get("narratives", {}).get(kind, "")
        if before != after:
            changes.append((kind, before, after))
    for name in ["difficulties", "next_month_plan"]:
        if older.get(name, "") != newer.get(name, ""):
            changes.append((name, older.get(name, ""), newer.get(name, "")))
    if older.get("attachments", []) != newer.get("attachments", []):
        changes.append(
            ("attachments", "、".join(older.get("attachments", [])), "、".join(newer.get("attachments", [])))
        )
    return changes
