from django.urls import path

from . import summary_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("queue/", views.queue_view, name="queue"),
    path("queue/decide/", views.bulk_view, name="bulk"),
    path("status/", views.status_view, name="status"),
    path("summaries/", summary_views.summary_list_view, name="summaries"),
    path("summaries/compile/", summary_views.summary_compile_view, name="summary_compile"),
    path("summaries/<int:pk>/workbook/", summary_views.summary_workbook_view, name="summary_workbook"),
    path("export/", summary_views.export_view, name="export"),
    path("export/jobs/<int:pk>/", summary_views.export_job_view, name="export_job"),
    path("start/<int:pairing_pk>/<str:month>/", views.start_view, name="start"),
    path("<int:pk>/", views.detail_view, name="detail"),
    path("<int:pk>/decide/", views.decide_view, name="decide"),
    path("<int:pk>/reopen/", views.reopen_view, name="reopen"),
    path("<int:pk>/workbook/", views.workbook_view, name="workbook"),
    path("<int:pk>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.attachment_view, name="attachment"),
]
