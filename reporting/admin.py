"""Admin for the reports: indicators are kept here per programme (one with values is not deleted);
reports, values, versions, attachments, summaries, reminders and exports are only looked at here:
they change in the portal, through the services and their checks, and are kept."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import HistoryAdmin, ReadOnlyAdmin, ReadOnlyInline, ReferencedRowsAreKept
from core.numbers import plain_number

from .models import (
    VERSION_ACTIONS,
    ExportJob,
    Figure,
    Indicator,
    IndicatorMinimum,
    IndicatorValue,
    MonthlyReport,
    MonthlySummary,
    ReminderSent,
    ReportAttachment,
    ReportVersion,
)

REPORT_NOTE = _(
    "Read-only here: liaisons write reports in the portal and the bureau reviews them there; every step "
    "is kept as a version and in the report's history."
)
SUMMARY_NOTE = _("Read-only here: months are compiled, and exports made, on the portal's summaries page.")
REMINDER_NOTE = _("Read-only here: the scheduled jobs send each reminder once and record it.")


class ReportRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    """A report's parts (values, versions, attachments), linked to the report's page in the portal."""

    portal_note = REPORT_NOTE

    def portal_url(self, obj) -> str:
        return reverse("reporting:detail", args=[obj.report_id])


class SummaryRecordAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    portal_note = SUMMARY_NOTE

    def portal_url(self, obj) -> str:
        return reverse("reporting:summaries")


@admin.register(Indicator)
class IndicatorAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = [
        "code",
        "name_zh",
        "name_en",
        "unit",
        "kind",
        "aggregation",
        "required",
        "order",
        "programme",
    ]
    list_filter = ["programme", "kind", "aggregation", "required", "lead_only"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["order", "required"]


@admin.register(IndicatorMinimum)
class IndicatorMinimumAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["indicator", "per_year", "programme"]
    list_filter = ["programme"]


@admin.register(Figure)
class FigureAdmin(ReferencedRowsAreKept, HistoryAdmin):
    """A programme's targets and headline figures; `check_figures` and the dashboard compare them with its data."""

    list_display = ["order", "code", "label_zh", "source", "expected", "comparison", "programme"]
    list_filter = ["programme", "source"]
    search_fields = ["code", "label_zh", "label_en", "source_note"]


class IndicatorValueInline(ReadOnlyInline, admin.TabularInline):
    model = IndicatorValue
    fields = ["indicator", "value_shown"]
    readonly_fields = ["indicator", "value_shown"]

    @admin.display(description=_("value"))
    def value_shown(self, obj) -> str:
        return plain_number(obj.value)  # 20, not 20.00, as the portal writes it


class AttachmentInline(ReadOnlyInline, admin.TabularInline):
    model = ReportAttachment
    readonly_fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]


@admin.register(MonthlyReport)
class MonthlyReportAdmin(ReadOnlyAdmin, HistoryAdmin):
    portal_note = REPORT_NOTE
    list_display = ["month", "school", "pairing", "status", "first_submitted_at", "reviewed_by"]
    # The months are the date hierarchy's (a second list of them read every report again), and the
    # order is the API's index (newest month, pairing, school: one report each, so no id is added to
    # make it total): a page is read from the index's start, not sorted from 260,000 reports.
    list_filter = ["status", "pairing__programme"]
    ordering = ["-month", "pairing_id", "school_id"]
    search_fields = ["school__name", "pairing__town__name", "difficulties", "next_month_plan"]
    list_select_related = ["school", "pairing__town", "pairing__lead_university", "reviewed_by"]
    date_hierarchy = "month"
    inlines = [IndicatorValueInline, AttachmentInline]
    readonly_fields = [
        "pairing",
        "school",
        "month",
        "status",
        "version",
        "first_submitted_at",
        "submitted_at",
        "submitted_by",
        "reviewed_at",
        "reviewed_by",
        "created_by",
        "narratives_shown",
        "difficulties",
        "next_month_plan",
        "review_comment",
        "reopened_until",
    ]

    def portal_url(self, obj) -> str:
        return reverse("reporting:detail", args=[obj.pk])

    @admin.display(description=_("progress by kind of cooperation"))
    def narratives_shown(self, obj) -> str:
        """Each kind of cooperation by its name, as the report's page shows it (not the stored JSON)."""
        names = dict(obj.pairing.programme.category_choices())
        entries = [(names.get(code, code), text) for code, text in obj.narratives.items() if text]
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>：{}", entries) or "-"


class VersionActionFilter(admin.SimpleListFilter):
    """The versions' actions by name (the field holds the dotted codes, "report.submitted")."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in VERSION_ACTIONS.items()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


@admin.register(ReportVersion)
class ReportVersionAdmin(ReportRecordAdmin):
    list_display = ["report", "number", "action_shown", "status", "actor", "created_at"]
    list_filter = [VersionActionFilter, "status"]
    search_fields = ["report__school__name", "comment"]
    list_select_related = ["report__school", "actor"]
    readonly_fields = [
        "report",
        "number",
        "action_shown",
        "status",
        "snapshot",
        "comment",
        "actor",
        "created_at",
    ]
    fields = readonly_fields  # the action in words, not also its code

    @admin.display(description=_("action"), ordering="action")
    def action_shown(self, obj) -> str:
        return obj.action_label  # "已报送", not "report.submitted"


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(SummaryRecordAdmin):
    list_display = ["programme", "month", "state", "progress", "finished_at"]
    list_filter = ["programme", "state"]
    readonly_fields = [
        "counts",
        "totals",
        "started_at",
        "finished_at",
        "progress",
        "failure_reason",
        "workbook",
    ]


@admin.register(ReminderSent)
class ReminderSentAdmin(ReadOnlyAdmin, admin.ModelAdmin):
    portal_note = REMINDER_NOTE
    list_display = ["kind", "school", "pairing", "month", "sent_at"]
    list_filter = ["kind", "month"]
    search_fields = ["school__name"]
    list_select_related = ["school", "pairing__town", "pairing__lead_university"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ReportRecordAdmin):
    list_display = ["report", "indicator", "value"]
    list_filter = ["indicator"]
    search_fields = ["report__school__name", "indicator__name_zh"]
    list_select_related = ["report__school", "indicator"]

    def get_search_results(self, request, queryset, search_term):
        """The admin's search (each word in the school's or the indicator's name), with the words looked
        up in the schools and the indicators first, both small, and the values then filtered by their
        ids. Joined with every value and matched there, as Django's search does, it took 4-7 s at
        10,000 pairings (1.19 M values); this way 3-100 ms."""
        from django.db.models import Q
        from django.utils.text import smart_split, unescape_string_literal

        from pairing.models import School

        matched = Q()
        for word in smart_split(search_term):
            if word.startswith(('"', "'")) and word[0] == word[-1]:
                word = unescape_string_literal(word)
            schools = School.objects.filter(name__icontains=word).values_list("pk", flat=True)
            indicators = Indicator.objects.filter(name_zh__icontains=word).values_list("pk", flat=True)
            matched &= Q(report__school_id__in=list(schools)) | Q(indicator_id__in=list(indicators))
        return queryset.filter(matched), False


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(ReportRecordAdmin):
    list_display = ["original_name", "report", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "report__school__name"]
    list_select_related = ["report__school", "uploaded_by"]
    exclude = ["file"]  # private: served only through the portal's checked view


@admin.register(ExportJob)
class ExportJobAdmin(SummaryRecordAdmin):
    list_display = ["programme", "user", "state", "progress", "created_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["programme", "user"]
    exclude = ["file"]
