from axes import apps as axes_apps
from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

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


def watch_writes(sender, connection, **kwargs) -> None:
    from .page_cache import install

    install(connection)


class CoreConfig(AppConfig):
    default = True  # this module also declares the admin's config
    name = "core"
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from . import policy  # noqa: F401 - registers the named permissions

        # Not limited to this app's signal: apps migrated after it get their permissions later.
        post_migrate.connect(grant_bureau_permissions, dispatch_uid="core.grant_bureau_permissions")
        # Every connection notes its writes, so the pages kept whole know when they changed.
        connection_created.connect(watch_writes, dispatch_uid="core.watch_writes")


class PortalAdminConfig(admin_apps.AdminConfig):
    default = False  # named in INSTALLED_APPS in place of django.contrib.admin
    default_site = "core.admin_site.PortalAdminSite"


class LoginRecordsConfig(axes_apps.AppConfig):
    """django-axes under a name the admin can show in the portal's language."""

    default = False  # named in INSTALLED_APPS in place of axes
    verbose_name = _("Login records")


# django-axes ships no Chinese. The words of its admin pages, marked here so that `make messages`
# keeps them in the portal's catalog, which Django reads before any app's own.
AXES_ADMIN_WORDS = [
    gettext_noop("access attempt"),
    gettext_noop("access attempts"),
    gettext_noop("access log"),
    gettext_noop("access logs"),
    gettext_noop("access failure"),
    gettext_noop("access failures"),
    gettext_noop("User Agent"),
    gettext_noop("IP Address"),
    gettext_noop("HTTP Accept"),
    gettext_noop("Path"),
    gettext_noop("Attempt Time"),
    gettext_noop("GET Data"),
    gettext_noop("POST Data"),
    gettext_noop("Failed Logins"),
    gettext_noop("Logout Time"),
    gettext_noop("Session key hash (sha256)"),
    gettext_noop("Access lock out"),
    gettext_noop("Locked Out"),
    gettext_noop("Form Data"),
    gettext_noop("Meta Data"),
    gettext_noop("Clean up expired attempts"),
    gettext_noop("Not set"),
    gettext_noop("Attempt Remaining"),
]
