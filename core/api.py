"""The policy in the API: one DRF permission class that asks core/policy.py.

A viewset names the permission each action needs in `policy_permissions` ({"submit":
"report.write", ...}). For detail URLs the object is looked up first, through the viewset's
scoped queryset (the door), so an outsider gets 404 whatever the body; only then is the named
permission checked against the object (403). Input is validated after both.
"""

from django.conf import settings
from rest_framework.permissions import BasePermission

from .policy import can


class PolicyPermission(BasePermission):
    def _name(self, view) -> str | None:
        return getattr(view, "policy_permissions", {}).get(getattr(view, "action", None))

    def has_permission(self, request, view) -> bool:
        if not can(request.user, "api.use"):
            return False
        name = self._name(view)
        if name is None or (getattr(view, "detail", False) and getattr(view, "policy_object_level", True)):
            return True  # detail actions are checked against their object, after the 404 of the door
        return can(request.user, name)

    def has_object_permission(self, request, view, obj) -> bool:
        name = self._name(view)
        return name is None or can(request.user, name, obj)


class ApiDocsPermission(BasePermission):
    """The OpenAPI schema and the interactive docs: open while developing (settings.API_DOCS_PUBLIC),
    otherwise for those who may use the API, like the API itself."""

    def has_permission(self, request, view) -> bool:
        return settings.API_DOCS_PUBLIC or can(request.user, "api.use")
