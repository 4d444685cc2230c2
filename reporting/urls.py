from django.urls import path

from . import views

app_name = "reporting"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("queue/", views.queue_view, name="queue"),
    path("queue/decide/", views.bulk_view, name="bulk"),
    path("status/", views.status_view, name="status"),
    path("start/<int:pairing_pk>/<str:month>/", views.start_view, name="start"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/reopen/", views.reopen_view, name="reopen"),
    path("<int:pk>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_view, name="attachment"),
]
