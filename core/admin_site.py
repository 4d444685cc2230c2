"""The Django admin, opened only to whom the policy allows (`admin.use`): staff accounts of the
bureau (superusers act as bureau staff). What each model page may do is in core/admin_mixins.py."""

from django.contrib import admin
from django.utils.translation import gettext_noop

from .policy import can

# Django's own Simplified Chinese catalog lacks the admin index's table headers (hidden, read out by
# screen readers): named here so `make messages` puts them in the portal's catalog, which Django
# reads before its own (LOCALE_PATHS).
ADMIN_INDEX_HEADERS = [
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
]


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and can(request.user, "admin.use")
