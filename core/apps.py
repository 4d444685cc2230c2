from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

# Models of these apps are what bureau staff keep (in the portal and, for the registry, the admin).
BUREAU_APPS = ("core", "pairing", "reporting")
# And of django-axes' records of logins, what reading them and lifting a lockout in the admin needs.
BUREAU_AXES_PERMISSIONS = (
    "view_accessattempt",
    "delete_accessattempt",
    "view_accesslog",
    "view_accessfailurelog",
)


def grant_bureau_permissions(sender, using="default", **kwargs) -> None:
    """Permissions exist only after migrate, so the bureau group gets them here, every migrate."""
    from django.contrib.auth.models import Group, Permission
    from django.db.models import Q

    bureau = Group.objects.using(using).filter(name="bureau").first()
    if bureau is not None:
        bureau.permissions.set(
            Permission.objects.using(using).filter(
                Q(content_type__app_label__in=BUREAU_APPS)
                | Q(content_type__app_label="axes", codename__in=BUREAU_AXES_PERMISSIONS)
            )
        )


class CoreConfig(AppConfig):
    default = True  # this module also declares the admin's config
    name = "core"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import policy  # noqa: F401 - registers the named permissions

        # Not limited to this app's signal: apps migrated after it get their permissions later.
        post_migrate.connect(grant_bureau_permissions, dispatch_uid="core.grant_bureau_permissions")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "core.admin_site.PortalAdminSite"
