from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("", views.pairing_list_view, name="list"),
    path("<int:pk>/", views.pairing_detail_view, name="detail"),
    path("compliance/", views.compliance_matrix_view, name="compliance"),
    path("<int:pk>/team/members/add/", views.member_add_view, name="member_add"),
    path("<int:pk>/residencies/add/", views.residency_add_view, name="residency_add"),
]
