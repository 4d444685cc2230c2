from django.urls import path

import core.ids  # noqa: F401 - registers the <id:...> converter

from . import views

app_name = "pairing"
urlpatterns = [
    path("", views.pairing_list_view, name="list"),
    path("<id:pk>/", views.pairing_detail_view, name="detail"),
    path("compliance/", views.compliance_matrix_view, name="compliance"),
    path("programme-teams/", views.programme_teams_view, name="programme_teams"),
    path("choices/towns/", views.choices_view, {"kind": "towns"}, name="town_choices"),
    path("choices/schools/", views.choices_view, {"kind": "schools"}, name="school_choices"),
    path("choices/villages/", views.choices_view, {"kind": "villages"}, name="village_choices"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template_view, name="import_template"),
    path("<id:pk>/team/members/add/", views.member_add_view, name="member_add"),
    path("<id:pk>/team/members/<id:membership_pk>/", views.member_edit_view, name="member_edit"),
    path("<id:pk>/residencies/add/", views.residency_add_view, name="residency_add"),
    path(
        "<id:pk>/residencies/<id:record_pk>/",
        views.record_edit_view,
        {"kind": "residency"},
        name="residency_edit",
    ),
    path("<id:pk>/meetings/add/", views.meeting_add_view, name="meeting_add"),
    path(
        "<id:pk>/meetings/<id:record_pk>/", views.record_edit_view, {"kind": "meeting"}, name="meeting_edit"
    ),
    path("<id:pk>/plan/", views.annual_plan_view, name="annual_plan"),
    path("<id:pk>/agreement/", views.agreement_edit_view, name="agreement_edit"),
    path("<id:pk>/agreement/file/", views.agreement_file_view, name="agreement_file"),
    path("<id:pk>/agreement/scans/<id:record>/", views.agreement_scan_view, name="agreement_scan"),
    path("<id:pk>/bases/add/", views.practice_base_add_view, name="practice_base_add"),
    path("<id:pk>/review/", views.review_view, name="review"),
    path("<id:pk>/adjust/", views.adjust_view, name="adjust"),
]
