"""Django admin for the registry: search, list filters and inlines, with history (simple-history)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Agreement,
    AnnualPlan,
    Area,
    JointMeeting,
    Membership,
    Milestone,
    Pairing,
    PairingReview,
    Person,
    PracticeBase,
    Programme,
    Residency,
    School,
    ServiceTeam,
)

admin.site.site_header = _("Pairing portal administration")
admin.site.site_title = _("Pairing portal")
admin.site.index_title = _("Administration")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "code", "city", "start_date", "end_date", "report_due_day", "min_team_size"]
    search_fields = ["name", "code", "city"]
    list_filter = ["city"]
    inlines = [MilestoneInline]
    fieldsets = [
        (None, {"fields": ["code", "name", "city", "start_date", "end_date"]}),
        (
            _("Rules"),
            {
                "fields": [
                    "report_due_day",
                    "first_report_month",
                    "min_team_size",
                    "min_residency_days_per_year",
                    "min_joint_meetings_per_year",
                    "agreement_deadline_days",
                    "practice_bases_per_pairing",
                ]
            },
        ),
    ]


@admin.register(Milestone)
class MilestoneAdmin(SimpleHistoryAdmin):
    list_display = ["programme", "year", "title"]
    list_filter = ["programme", "year"]
    search_fields = ["title", "description"]


class ChildAreaInline(admin.TabularInline):
    model = Area
    fk_name = "parent"
    extra = 0
    fields = ["name", "kind"]
    verbose_name = _("subordinate area")
    verbose_name_plural = _("subordinate areas")


@admin.register(Area)
class AreaAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind", "parent"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [ChildAreaInline]


@admin.register(School)
class SchoolAdmin(SimpleHistoryAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


@admin.register(Person)
class PersonAdmin(SimpleHistoryAdmin):
    list_display = ["name", "school", "position", "is_school_leader", "title_grade", "phone", "email"]
    list_filter = ["school__kind", "is_school_leader", "title_grade", "school"]
    search_fields = ["name", "position", "phone", "email", "school__name"]
    list_select_related = ["school"]
    autocomplete_fields = ["school"]


class VillageInline(admin.TabularInline):
    model = Pairing.villages.through
    extra = 0
    autocomplete_fields = ["area"]
    verbose_name = _("village or community")
    verbose_name_plural = _("villages and communities")


class AgreementInline(admin.StackedInline):
    model = Agreement
    extra = 0


class PracticeBaseInline(admin.TabularInline):
    model = PracticeBase
    extra = 0
    autocomplete_fields = ["place"]


class JointMeetingInline(admin.StackedInline):
    model = JointMeeting
    extra = 0


@admin.register(Pairing)
class PairingAdmin(SimpleHistoryAdmin):
    list_display = ["number", "town", "lead_university", "status", "start_date", "programme"]
    list_filter = ["programme", "status", "town", "lead_university"]
    search_fields = ["town__name", "lead_university__name", "assisting_schools__name", "villages__name"]
    list_select_related = ["town", "lead_university", "programme"]
    autocomplete_fields = ["lead_university", "town"]
    filter_horizontal = ["assisting_schools"]
    exclude = ["villages"]
    inlines = [VillageInline, AgreementInline, PracticeBaseInline, JointMeetingInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Rows of the villages inline bypass m2m_changed: save once more so history holds the new set.
        if any(formset.model is Pairing.villages.through and formset.has_changed() for formset in formsets):
            form.instance.save()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(ServiceTeam)
class ServiceTeamAdmin(SimpleHistoryAdmin):
    list_display = ["name", "pairing"]
    search_fields = ["name", "pairing__town__name", "pairing__lead_university__name"]
    list_filter = ["pairing__programme"]
    list_select_related = ["pairing__town", "pairing__lead_university"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):
    list_display = ["person", "team", "role"]
    list_filter = ["role", "team"]
    search_fields = ["person__name", "team__name"]
    list_select_related = ["person__school", "team"]
    autocomplete_fields = ["person", "team"]


@admin.register(Residency)
class ResidencyAdmin(SimpleHistoryAdmin):
    list_display = ["team", "place", "start_date", "end_date"]
    list_filter = ["team", "start_date"]
    search_fields = ["team__name", "place__name", "note"]
    list_select_related = ["team", "place"]
    autocomplete_fields = ["team", "place", "people"]
    date_hierarchy = "start_date"


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["pairing", "signed_on"]
    list_filter = ["signed_on"]
    search_fields = ["pairing__town__name", "pairing__lead_university__name"]
    list_select_related = ["pairing__town", "pairing__lead_university"]


@admin.register(PracticeBase)
class PracticeBaseAdmin(SimpleHistoryAdmin):
    list_display = ["name", "pairing", "place", "established_on"]
    list_filter = ["pairing__programme"]
    search_fields = ["name", "description", "place__name"]
    list_select_related = ["pairing__town", "pairing__lead_university", "place"]


@admin.register(JointMeeting)
class JointMeetingAdmin(SimpleHistoryAdmin):
    list_display = ["pairing", "held_on"]
    list_filter = ["held_on", "pairing__programme"]
    search_fields = ["attendees", "minutes", "decisions"]
    list_select_related = ["pairing__town", "pairing__lead_university"]
    date_hierarchy = "held_on"


@admin.register(AnnualPlan)
class AnnualPlanAdmin(SimpleHistoryAdmin):
    list_display = ["pairing", "year"]
    list_filter = ["year", "pairing__programme"]
    search_fields = ["content"]
    list_select_related = ["pairing__town", "pairing__lead_university"]


@admin.register(PairingReview)
class PairingReviewAdmin(SimpleHistoryAdmin):
    list_display = ["pairing", "subject", "decision", "reviewer", "decided_at"]
    list_filter = ["subject", "decision"]
    search_fields = ["comment", "pairing__town__name"]
    list_select_related = ["pairing__town", "pairing__lead_university", "reviewer"]
