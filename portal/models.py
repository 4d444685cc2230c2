"""Accounts: the profile that ties a user to the school or town they act for."""

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
        help_text=_("For a town liaison: the town or subdistrict they act for."),
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language for e-mail"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        from pairing.models import Area

        if self.town_id and self.town.kind not in Area.TOWN_KINDS:
            raise ValidationError({"town": _("Choose a town or subdistrict.")})


class Notice(models.Model):
    """An in-portal notice for one user (a report returned, a reminder), shown on their pages."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    text = models.CharField(_("text"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.text
