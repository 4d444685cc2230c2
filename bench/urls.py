"""The portal's URLs plus the floor views the benchmarks compare pages against.

A floor is the cheapest request behind the same login: the same middleware, session and user
lookups, then one query and a tiny response. A page's ratio to it is what the page itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from pairing.models import Programme
from portal.urls import urlpatterns as portal_urlpatterns


def one_query() -> int | None:
    return Programme.objects.values_list("pk", flat=True).order_by("pk").first()


@login_required
def floor_view(request: HttpRequest) -> HttpResponse:
    """The pages' floor: logged in (session), one query."""
    return HttpResponse(f"floor {one_query()}", content_type="text/plain")


@api_view(["GET", "POST", "PATCH"])
@permission_classes([permissions.IsAuthenticated])
def api_floor_view(request):
    """The API's floor: DRF with the portal's authentication (session or token), one query."""
    return Response({"floor": one_query()})


urlpatterns = [
    path("bench/floor/", floor_view, name="bench_floor"),
    path("bench/api-floor/", api_floor_view, name="bench_api_floor"),
    *portal_urlpatterns,
]
