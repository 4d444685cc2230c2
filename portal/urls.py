from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

import core.ids  # noqa: F401 - registers the <id:...> converter
from oversight import audit, dashboard

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("favicon.ico", views.favicon, name="favicon"),
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("audit/", audit.feed_view, name="audit"),
    path("pairings/<id:pk>/history/", audit.pairing_history_view, name="pairing_history"),
    path("reports/<id:pk>/history/", audit.report_history_view, name="report_history"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/lockouts/", views.lockouts_view, name="lockouts"),
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("pairings/", include("pairing.urls")),
    path("reports/", include("reporting.urls")),
    path("api/", include("portal.api")),
    path("admin/", admin.site.urls),
]
