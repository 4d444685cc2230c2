from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The project: settings, URLs, the Celery app, the shell's pages. It sits on top: no app imports it."""

    name = "portal"
    verbose_name = _("Portal")
