from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Every model whose rows change which reports are expected, their deadlines or a rule's verdict.
REGISTRY_MODELS = [
    *("Programme", "Area", "School", "Person", "Pairing", "ServiceTeam", "Membership"),
    *("Residency", "Agreement", "PracticeBase", "JointMeeting", "AnnualPlan", "PairingReview"),
    "SchoolReplacement",
]


def registry_changed(sender, **kwargs) -> None:
    """Cached figures built on the registry are out of date (core/cache.py): cache upkeep, not domain logic."""
    from core.cache import bump

    bump("registry")


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = _("Registry and pairings")

    def ready(self) -> None:
        for name in REGISTRY_MODELS:
            model = self.get_model(name)
            post_save.connect(registry_changed, sender=model, dispatch_uid=f"registry-save-{name}")
            post_delete.connect(registry_changed, sender=model, dispatch_uid=f"registry-delete-{name}")
        pairing = self.get_model("Pairing")
        for through in (pairing.assisting_schools.through, pairing.villages.through):
            m2m_changed.connect(
                registry_changed, sender=through, dispatch_uid=f"registry-m2m-{through.__name__}"
            )
