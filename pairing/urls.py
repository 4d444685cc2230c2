from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("", views.pairing_list_view, name="list"),
    path("<int:pk>/", views.pairing_detail_view, name="detail"),
    path("compliance/", views.compliance_matrix_view, name="compliance"),
    path("import/", views.import_view, name="import"),
    path("import/template/", views.import_template_view, name="import_template"),
    path("<int:pk>/team/members/add/", views.member_add_view, name="member_add"),
    path("<int:pk>/team/members/<int:membership_pk>/", views.member_edit_view, name="member_edit"),
    path("<int:pk>/residencies/add/", views.residency_add_view, name="residency_add"),
    path(
        "<int:pk>/residencies/<int:record_pk>/",
        views.record_edit_view,
        {"kind": "residency"},
        name="residency_edit",
    ),
    path("<int:pk>/meetings/add/", views.meeting_add_view, name="meeting_add"),
    path(
        "<int:pk>/meetings/<int:record_pk>/", views.record_edit_view, {"kind": "meeting"}, name="meeting_edit"
    ),
    path("<int:pk>/plan/", views.annual_plan_view, name="annual_plan"),
    path("<int:pk>/agreement/", views.agreement_edit_view, name="agreement_edit"),
    path("<int:pk>/agreement/file/", views.agreement_file_view, name="agreement_file"),
    path("<int:pk>/bases/add/", views.practice_base_add_view, name="practice_base_add"),
    path("<int:pk>/review/", views.review_view, name="review"),
    path("<int:pk>/adjust/", views.adjust_view, name="adjust"),
]
