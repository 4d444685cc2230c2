"""Django admin for the registry: search, list filters and inlines, with history (simple-history).

Programmes, milestones, areas and schools are configured here (the model's checks run, and a row
other records refer to is not deleted). The pairings' workspace records are only looked at here:
the portal's pages change them, through the services and their checks, with the reasons kept.

List filters are only on fields with a handful of values (kind, status, programme, dates): at
province scale a filter on town, school or team would list tens of thousands of links; those are
found with the search box instead (tests/portal/test_admin.py holds the filters to that)."""

from operator import attrgetter

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.admin_mixins import HistoryAdmin, ReadOnlyAdmin, ReadOnlyInline, ReferencedRowsAreKept

from .models import (
    Agreement,
    AnnualPlan,
    Area,
    JointMeeting,
    LeadUnit,
    Membership,
    Milestone,
    Pairing,
    PairingReview,
    Person,
    PracticeBase,
    Programme,
    Residency,
    School,
    SchoolReplacement,
    ServiceTeam,
    WorkCategory,
)
from .selectors import latest_month_on_record, reports_of

# What decides which reports a month expects and when they are late: fixed once reports are on
# record, as changing them would rewrite every month already reported (and its compiled summary).
FIXED_ONCE_REPORTED = ["report_due_day", "first_report_month", "reporters"]

admin.site.site_header = _("Pairing portal administration")
admin.site.site_title = _("Pairing portal")
admin.site.index_title = _("Administration")


class MilestoneInline(admin.TabularInline):
    model = Milestone
    extra = 0


class WorkCategoryInlineForm(forms.ModelForm):
    """A saved category keeps its code once the programme has reports (their narratives are keyed by
    it); a category added here gets one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and reports_of(self.instance.programme).exists():
            self.fields["code"].disabled = True


class WorkCategoryInline(admin.TabularInline):
    model = WorkCategory
    form = WorkCategoryInlineForm
    extra = 0
    can_delete = False  # deleted on its own page, which refuses while reports describe work under it


class ProgrammeForm(forms.ModelForm):
    def clean_end_date(self):
        """An end moved before a month already due or reported would take that month out of the
        record (the same bound as a pairing's end, pairing.services.earliest_end)."""
        end = self.cleaned_data.get("end_date")
        old = self.instance.end_date if self.instance.pk else None
        if self.instance.pk is None or end is None or (old is not None and end >= old):
            return end
        latest = latest_month_on_record(self.instance, until=old)
        if latest is not None and end < latest.first_day:
            raise forms.ValidationError(
                gettext(
                    "%(month)s is due or reported already, and the months reported stay as they were: "
                    "the programme can end on %(date)s at the earliest."
                )
                % {"month": latest, "date": latest.first_day}
            )
        return end


@admin.register(Programme)
class ProgrammeAdmin(ReferencedRowsAreKept, HistoryAdmin):
    delete_along = (Milestone, WorkCategory)  # its indicators, like its pairings, are deleted first
    form = ProgrammeForm
    autocomplete_fields = ["root_area"]  # found by typing: a province has tens of thousands of areas
    list_display = ["name", "code", "city", "start_date", "end_date", "report_due_day", "min_team_size"]
    search_fields = ["name", "code", "city"]
    list_filter = ["city"]
    inlines = [MilestoneInline, WorkCategoryInline]
    fieldsets = [
        (
            None,
            {"fields": ["code", "name", "kind", "organiser", "city", "root_area", "start_date", "end_date"]},
        ),
        (
            _("Shape"),
            {
                "fields": [
                    "counterpart_kinds",
                    "counterpart_label",
                    "counterpart_label_en",
                    "lead_school_kinds",
                    "assisting_school_kinds",
                    "reporters",
                    "rules",
                    "min_residents_per_pairing",
                ]
            },
        ),
        (
            _("Rules"),
            {
                "description": _(
                    "Once reports are on record, the due day, the first report month and who reports "
                    "are fixed (shown without a field): changing them would rewrite every month "
                    "already reported."
                ),
                "fields": [
                    "report_due_day",
                    "first_report_month",
                    "min_team_size",
                    "min_residency_days_per_year",
                    "min_joint_meetings_per_year",
                    "agreement_deadline_days",
                    "practice_bases_per_pairing",
                ],
            },
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and reports_of(obj).exists():
            fields += [name for name in FIXED_ONCE_REPORTED if name not in fields]
        return fields


@admin.register(WorkCategory)
class WorkCategoryAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["programme", "order", "code", "name_zh", "name_en"]
    list_filter = ["programme"]
    search_fields = ["code", "name_zh", "name_en"]

    def get_readonly_fields(self, request, obj=None):
        """The code keys the reports' narratives: fixed once the programme has reports."""
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "code"] if obj is not None and reports_of(obj.programme).exists() else fields

    def get_deleted_objects(self, objs, request):
        """Not deleted while reports describe work under it: their text would vanish from every page."""
        deleted, counts, perms, protected = super().get_deleted_objects(objs, request)
        for category in objs:
            count = reports_of(category.programme).filter(narratives__has_key=category.code).count()
            if count:
                protected = [
                    *protected,
                    gettext("%(count)s reports describe their work under %(name)s.")
                    % {"count": count, "name": category.name},
                ]
        return ([], {}, set(), protected) if protected else (deleted, counts, perms, protected)


@admin.register(LeadUnit)
class LeadUnitAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["name", "programme", "area"]
    list_filter = ["programme"]
    search_fields = ["name", "note"]
    autocomplete_fields = ["area"]


@admin.register(Milestone)
class MilestoneAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["programme", "year", "title"]
    list_filter = ["programme", "year"]
    search_fields = ["title", "description"]


class ChildAreaInline(admin.TabularInline):
    model = Area
    fk_name = "parent"
    extra = 0
    fields = ["name", "kind"]
    can_delete = False  # an area is deleted on its own page, which refuses while records refer to it
    verbose_name = _("subordinate area")
    verbose_name_plural = _("subordinate areas")


@admin.register(Area)
class AreaAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["name", "parent__name"]
    list_select_related = ["parent"]
    autocomplete_fields = ["parent"]
    inlines = [ChildAreaInline]


@admin.register(School)
class SchoolAdmin(ReferencedRowsAreKept, HistoryAdmin):
    list_display = ["name", "short_name", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name"]


# The pairings' workspace: read-only here, changed in the portal through the services.
WORKSPACE_NOTE = _(
    "Read-only here: this is changed in the portal, on the pairing's page, where the programme's checks "
    "apply and the history keeps who changed what."
)
PAIRING_NOTE = _(
    "Read-only here: a pairing is adjusted (ended, a school replaced, a village added or removed) in the "
    "portal, on the pairing's page, with the reason kept in its history."
)


class WorkspaceAdmin(ReadOnlyAdmin, HistoryAdmin):
    portal_note = WORKSPACE_NOTE
    pairing_id_path = "pairing_id"  # how a record names its pairing, for the link to the pairing's page

    def portal_url(self, obj) -> str | None:
        pairing_id = attrgetter(self.pairing_id_path)(obj) if self.pairing_id_path else None
        return reverse("pairing:detail", args=[pairing_id]) if pairing_id else None


@admin.register(Person)
class PersonAdmin(WorkspaceAdmin):
    pairing_id_path = ""  # a person may serve on several teams
    list_display = ["name", "school", "position", "is_school_leader", "title_grade", "phone", "email"]
    list_filter = ["school__kind", "is_school_leader", "title_grade"]
    search_fields = ["name", "position", "phone", "email", "school__name"]
    list_select_related = ["school"]


class VillageInline(ReadOnlyInline, admin.TabularInline):
    model = Pairing.villages.through
    verbose_name = _("village or community")
    verbose_name_plural = _("villages and communities")
    # The link table's own column ("area") and row label ("Pairing_villages object (17)") are
    # Django's English: each row is labelled with its village and town, and its column is the kind.
    fields = ["kind"]
    readonly_fields = ["kind"]

    @admin.display(description=_("kind"))
    def kind(self, link) -> str:
        return link.area.get_kind_display()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("area__parent")


def _village_link_label(link) -> str:
    return f"{link.area}（{link.area.parent}）" if link.area.parent_id else str(link.area)


Pairing.villages.through.__str__ = _village_link_label


class AgreementInline(ReadOnlyInline, admin.StackedInline):
    model = Agreement
    exclude = ["scanned_file"]  # private: served only through the portal's checked view


class PracticeBaseInline(ReadOnlyInline, admin.TabularInline):
    model = PracticeBase


class JointMeetingInline(ReadOnlyInline, admin.StackedInline):
    model = JointMeeting


@admin.register(Pairing)
class PairingAdmin(WorkspaceAdmin):
    portal_note = PAIRING_NOTE
    pairing_id_path = "pk"
    list_display = ["number", "town", "lead_university", "status", "start_date", "programme"]
    list_filter = ["programme", "status"]
    search_fields = ["town__name", "lead_university__name", "assisting_schools__name", "villages__name"]
    list_select_related = ["town", "lead_university", "programme"]
    exclude = ["villages"]
    inlines = [VillageInline, AgreementInline, PracticeBaseInline, JointMeetingInline]


class MembershipInline(ReadOnlyInline, admin.TabularInline):
    model = Membership


@admin.register(ServiceTeam)
class ServiceTeamAdmin(WorkspaceAdmin):
    list_display = ["name", "pairing"]
    search_fields = ["name", "pairing__town__name", "pairing__lead_university__name"]
    list_filter = ["pairing__programme"]
    list_select_related = ["pairing__town", "pairing__lead_university"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(WorkspaceAdmin):
    pairing_id_path = "team.pairing_id"
    list_display = ["person", "team", "role"]
    list_filter = ["role"]
    search_fields = ["person__name", "team__name"]
    list_select_related = ["person__school", "team"]


@admin.register(Residency)
class ResidencyAdmin(WorkspaceAdmin):
    pairing_id_path = "team.pairing_id"
    list_display = ["team", "place", "start_date", "end_date"]
    list_filter = ["start_date"]
    search_fields = ["team__name", "place__name", "note"]
    list_select_related = ["team", "place"]
    date_hierarchy = "start_date"


@admin.register(Agreement)
class AgreementAdmin(WorkspaceAdmin):
    list_display = ["pairing", "signed_on"]
    list_filter = ["signed_on"]
    search_fields = ["pairing__town__name", "pairing__lead_university__name"]
    list_select_related = ["pairing__town", "pairing__lead_university"]
    exclude = ["scanned_file"]  # private: served only through the portal's checked view


@admin.register(PracticeBase)
class PracticeBaseAdmin(WorkspaceAdmin):
    list_display = ["name", "pairing", "place", "established_on"]
    list_filter = ["pairing__programme"]
    search_fields = ["name", "description", "place__name"]
    list_select_related = ["pairing__town", "pairing__lead_university", "place"]


@admin.register(JointMeeting)
class JointMeetingAdmin(WorkspaceAdmin):
    list_display = ["pairing", "held_on"]
    list_filter = ["held_on", "pairing__programme"]
    search_fields = ["attendees", "minutes", "decisions"]
    list_select_related = ["pairing__town", "pairing__lead_university"]
    date_hierarchy = "held_on"


@admin.register(AnnualPlan)
class AnnualPlanAdmin(WorkspaceAdmin):
    list_display = ["pairing", "year"]
    list_filter = ["year", "pairing__programme"]
    search_fields = ["content"]
    list_select_related = ["pairing__town", "pairing__lead_university"]


@admin.register(PairingReview)
class PairingReviewAdmin(WorkspaceAdmin):
    list_display = ["pairing", "subject", "decision", "reviewer", "decided_at"]
    list_filter = ["subject", "decision"]
    search_fields = ["comment", "pairing__town__name"]
    list_select_related = ["pairing__town", "pairing__lead_university", "reviewer"]


@admin.register(SchoolReplacement)
class SchoolReplacementAdmin(WorkspaceAdmin):
    portal_note = PAIRING_NOTE
    list_display = ["pairing", "lead", "old_school", "new_school", "from_month", "created_at"]
    list_filter = ["lead", "pairing__programme"]
    search_fields = ["old_school__name", "new_school__name", "pairing__town__name", "reason"]
    list_select_related = ["pairing__town", "pairing__lead_university", "old_school", "new_school"]
