from django.urls import path

import core.ids  # noqa: F401 - registers the <id:...> converter

from . import summary_views, views

app_name = "reporting"
urlpatterns = [
    path("", views.home_view, name="home"),
    path("queue/", views.queue_view, name="queue"),
    path("queue/decide/", views.bulk_view, name="bulk"),
    path("status/", views.status_view, name="status"),
    path("summaries/", summary_views.summary_list_view, name="summaries"),
    path("summaries/compile/", summary_views.summary_compile_view, name="summary_compile"),
    path("summaries/<id:pk>/workbook/", summary_views.summary_workbook_view, name="summary_workbook"),
    path("export/", summary_views.export_view, name="export"),
    path("export/jobs/<id:pk>/", summary_views.export_job_view, name="export_job"),
    path("start/<id:pairing_pk>/<str:month>/", views.start_view, name="start"),
    path("<id:pk>/", views.detail_view, name="detail"),
    path("<id:pk>/decide/", views.decide_view, name="decide"),
    path("<id:pk>/reopen/", views.reopen_view, name="reopen"),
    path("<id:pk>/workbook/", views.workbook_view, name="workbook"),
    path("<id:pk>/attachments/", views.attachment_upload_view, name="attachment_upload"),
    path("<id:pk>/attachments/<id:attachment_pk>/", views.attachment_view, name="attachment"),
    path(
        "<id:pk>/attachments/<id:attachment_pk>/remove/",
        views.attachment_remove_view,
        name="attachment_remove",
    ),
]
