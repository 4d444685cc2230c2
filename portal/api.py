"""The API's routes under /api/v1/, its OpenAPI schema and the interactive docs (assets served locally)."""

from django.contrib.auth.views import redirect_to_login
from django.urls import include, path
from django.utils import translation
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.routers import DefaultRouter

from pairing import api as pairing_api
from reporting import api as reporting_api

router = DefaultRouter()
router.register("programmes", pairing_api.ProgrammeViewSet, basename="programme")
router.register("areas", pairing_api.AreaViewSet, basename="area")
router.register("schools", pairing_api.SchoolViewSet, basename="school")
router.register("people", pairing_api.PersonViewSet, basename="person")
router.register("pairings", pairing_api.PairingViewSet, basename="pairing")
router.register("teams", pairing_api.TeamViewSet, basename="team")
router.register("memberships", pairing_api.MembershipViewSet, basename="membership")
router.register("bases", pairing_api.PracticeBaseViewSet, basename="base")
router.register("residencies", pairing_api.ResidencyViewSet, basename="residency")
router.register("meetings", pairing_api.MeetingViewSet, basename="meeting")
router.register("reports", reporting_api.ReportViewSet, basename="report")
router.register("summaries", reporting_api.SummaryViewSet, basename="summary")
router.register("months", reporting_api.MonthViewSet, basename="month")
router.register("totals", reporting_api.ProgrammeTotalsViewSet, basename="programme-totals")
router.register("figures", reporting_api.ProgrammeTargetsViewSet, basename="programme-figures")


class SchemaView(SpectacularAPIView):
    """The OpenAPI schema, made once per process, language and version: it changes only with a release
    (the code), and making it walks every view and serializer (about 0.3 s). It is the same for every
    caller (SERVE_PUBLIC): who may read it is decided before, by SERVE_PERMISSIONS."""

    made: dict = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, self.serve_public)
        if key not in self.made:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            self.made[key] = generator.get_schema(request=request, public=self.serve_public)
        return Response(
            data=self.made[key],
            headers={"Content-Disposition": f'inline; filename="{self._get_filename(request, version)}"'},
        )


class ApiDocsView(SpectacularSwaggerSplitView):
    """Swagger UI, its start-up script served as a file of its own (/api/docs/?script=) and its page
    without an inline style, so the Content-Security-Policy needs no exception. Where the docs need
    a login (production), an anonymous visitor is sent to the login page like on any other page."""

    template_name = "portal/api_docs.html"

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated):
            return redirect_to_login(self.request.get_full_path())
        return super().handle_exception(exc)


urlpatterns = [
    path("v1/", include(router.urls)),
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
]
