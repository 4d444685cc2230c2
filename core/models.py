"""Accounts: the profile that ties a user to the school or town they act for, and their notices."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile", verbose_name=_("user")
    )
    school = models.ForeignKey(
        "pairing.School",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_profiles",
        verbose_name=_("school"),
        help_text=_("For a school liaison: the school they report for."),
    )
    town = models.ForeignKey(
        "pairing.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_profiles",
        verbose_name=_("town"),
        help_text=_(
            "For a town or county liaison: the area they act for; they read the pairings at and below it."
        ),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language for e-mail"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    history = HistoricalRecords(table_name="portal_historicalprofile")

    class Meta:
        db_table = "portal_profile"  # created by the portal app before accounts moved to core
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        if self.town_id and self.town.kind not in type(self.town).LIAISON_KINDS:
            raise ValidationError({"town": _("Choose a town, subdistrict, county or district.")})


class Notice(models.Model):
    """An in-portal notice for one user (a report returned, a reminder), shown on their pages."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices", verbose_name=_("user")
    )
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        db_table = "portal_notice"
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text


class OutboxMessage(models.Model):
    """Work that must follow a committed change (a notice, a recompilation, an export), recorded in
    the same transaction as the change. It is handed to the broker after the commit; if the broker
    is unreachable it waits here and the sweep (`core.outbox_flush`) sends it when the broker is
    back. Nothing is lost and a user's action never fails because a task could not be queued."""

    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["sent_at", "created_at"], name="outbox_pending")]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)}"
