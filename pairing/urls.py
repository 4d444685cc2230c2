from django.urls import path

from . import views

app_name = "pairing"
urlpatterns = [
    path("", views.pairing_list_view, name="list"),
    path("<int:pk>/", views.pairing_detail_view, name="detail"),
    path("compliance/", views.compliance_matrix_view, name="compliance"),
]
