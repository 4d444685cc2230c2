"""The Django admin, opened only to whom the policy allows (`admin.use`): staff accounts of the
bureau (superusers act as bureau staff). What each model page may do is in core/admin_mixins.py."""

from django.contrib import admin

from .policy import can


class PortalAdminSite(admin.AdminSite):
    def has_permission(self, request) -> bool:
        return super().has_permission(request) and can(request.user, "admin.use")
