from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


def month_figures_changed(sender, instance, **kwargs) -> None:
    """Cached figures of the report's month are out of date (core/cache.py): cache upkeep only."""
    from core.cache import bump

    bump(f"month:{instance.month:%Y-%m}")
    bump("reports")  # figures over whole periods (totals, targets)


def indicators_changed(sender, **kwargs) -> None:
    """A programme's indicators decide what its totals add up (pairing.apps.expectations_changed)."""
    from pairing.apps import expectations_changed

    expectations_changed(sender)


class ReportingConfig(AppConfig):
    name = "reporting"
    verbose_name = _("Monthly reports")

    def ready(self) -> None:
        from .compliance_rules import register

        register()  # the compliance rules that read reports
        # A report's values change only with the report itself (report_save_draft saves both), so the
        # report's own save is the one signal: one version bump per action, not one per value.
        for name in ("MonthlyReport",):
            model = self.get_model(name)
            post_save.connect(month_figures_changed, sender=model, dispatch_uid=f"month-save-{name}")
            post_delete.connect(month_figures_changed, sender=model, dispatch_uid=f"month-delete-{name}")
        indicator = self.get_model("Indicator")
        post_save.connect(indicators_changed, sender=indicator, dispatch_uid="indicator-save")
        post_delete.connect(indicators_changed, sender=indicator, dispatch_uid="indicator-delete")
