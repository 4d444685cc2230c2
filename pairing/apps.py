from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import gettext_lazy as _

# Every model whose rows change which reports are expected, their deadlines or a rule's verdict: a
# change bumps the version "registry" (core/cache.py), which figures reading any of them carry.
REGISTRY_MODELS = [
    *("Programme", "Area", "School", "Person", "Pairing", "ServiceTeam", "Membership"),
    *("Residency", "Agreement", "PracticeBase", "JointMeeting", "AnnualPlan", "PairingReview"),
    "SchoolReplacement",
]
# Those of them that decide which reports a month expects and counts, and the names its rows show
# (programmes, areas, schools, pairings and their schools and villages, replacements): a change bumps
# "expectations" too. Figures read from the expected reports and their values alone (tallies, the
# status rows, totals, the dashboard's months) carry "expectations" rather than "registry", so a
# liaison adding a team member or a residency, which changes none of them, leaves them cached.
EXPECTATION_MODELS = {"Programme", "Area", "School", "Pairing", "SchoolReplacement"}


def registry_changed(sender, **kwargs) -> None:
    """Cached figures built on the registry are out of date (core/cache.py): cache upkeep, not domain logic."""
    from core.cache import bump

    bump("registry")


def expectations_changed(sender=None, **kwargs) -> None:
    """Cached figures built on the registry, or on which reports are expected, are out of date."""
    from core.cache import bump

    bump("registry")
    bump("expectations")


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = _("Registry and pairings")

    def ready(self) -> None:
        for name in REGISTRY_MODELS:
            model = self.get_model(name)
            changed = expectations_changed if name in EXPECTATION_MODELS else registry_changed
            post_save.connect(changed, sender=model, dispatch_uid=f"registry-save-{name}")
            post_delete.connect(changed, sender=model, dispatch_uid=f"registry-delete-{name}")
        pairing = self.get_model("Pairing")
        for through in (pairing.assisting_schools.through, pairing.villages.through):
            m2m_changed.connect(
                expectations_changed, sender=through, dispatch_uid=f"registry-m2m-{through.__name__}"
            )
