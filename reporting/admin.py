"""Admin for the reports: indicators are kept here per programme; reports, versions, summaries
and reminders are there to look at (changes go through the portal's pages and services)."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    ExportJob,
    Indicator,
    IndicatorValue,
    MonthlyReport,
    MonthlySummary,
    ReminderSent,
    ReportAttachment,
    ReportVersion,
)


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
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
    list_filter = ["programme", "kind", "aggregation", "required"]
    search_fields = ["code", "name_zh", "name_en"]
    list_editable = ["order", "required"]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 0
    readonly_fields = ["indicator", "value"]
    can_delete = False


class AttachmentInline(admin.TabularInline):
    model = ReportAttachment
    extra = 0
    readonly_fields = ["original_name", "size", "uploaded_by", "uploaded_at"]
    exclude = ["file"]
    can_delete = False


@admin.register(MonthlyReport)
class MonthlyReportAdmin(SimpleHistoryAdmin):
    list_display = ["month", "school", "pairing", "status", "first_submitted_at", "reviewed_by"]
    list_filter = ["status", "month", "pairing__programme", "pairing__town"]
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
        "narratives",
        "difficulties",
        "next_month_plan",
        "review_comment",
        "reopened_until",
    ]

    def has_add_permission(self, request):
        return False  # reports are written by liaisons in the portal, where the lifecycle is enforced


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "action", "status", "actor", "created_at"]
    list_filter = ["action", "status"]
    search_fields = ["report__school__name", "comment"]
    list_select_related = ["report__school", "actor"]
    readonly_fields = ["report", "number", "action", "status", "snapshot", "comment", "actor", "created_at"]


@admin.register(MonthlySummary)
class MonthlySummaryAdmin(admin.ModelAdmin):
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
class ReminderSentAdmin(admin.ModelAdmin):
    list_display = ["kind", "school", "pairing", "month", "sent_at"]
    list_filter = ["kind", "month"]
    search_fields = ["school__name"]
    list_select_related = ["school", "pairing__town", "pairing__lead_university"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(admin.ModelAdmin):
    list_display = ["report", "indicator", "value"]
    list_filter = ["indicator"]
    search_fields = ["report__school__name", "indicator__name_zh"]
    list_select_related = ["report__school", "indicator"]


@admin.register(ReportAttachment)
class ReportAttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "report", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "report__school__name"]
    list_select_related = ["report__school", "uploaded_by"]
    exclude = ["file"]  # private: served only through the portal's checked view


@admin.register(ExportJob)
class ExportJobAdmin(admin.ModelAdmin):
    list_display = ["programme", "user", "state", "progress", "created_at", "finished_at"]
    list_filter = ["state"]
    list_select_related = ["programme", "user"]
    exclude = ["file"]
