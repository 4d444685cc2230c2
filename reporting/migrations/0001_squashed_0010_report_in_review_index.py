# The ten migrations up to 0010 in one, for a new database: the tables as they stand, then the
# triggers of 0005. A database that applied the old ones keeps them; delete them once every database has,
# moving 0005's trigger SQL (imported below) into this file first.

import importlib
from decimal import Decimal

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import core.cells
import reporting.models

# The PostgreSQL triggers are the ones the replaced migration installs (its SQL, not a copy).
_triggers = importlib.import_module("reporting.migrations.0005_submitted_reports_and_versions_kept")


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("reporting", "0001_initial"),
        ("reporting", "0002_monthly_summary"),
        ("reporting", "0003_export_job"),
        ("reporting", "0004_summary_staleness"),
        ("reporting", "0005_submitted_reports_and_versions_kept"),
        ("reporting", "0006_summary_heartbeat"),
        ("reporting", "0007_indicator_names_are_not_formulas"),
        ("reporting", "0008_figures_and_indicator_options"),
        ("reporting", "0009_programme_description_and_reports_a_month"),
        ("reporting", "0010_report_in_review_index"),
    ]

    dependencies = [
        ("pairing", "0011_school_paired_rule"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="ExportJob",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("parameters", models.JSONField(default=dict, verbose_name="parameters")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)")),
                ("file", models.FileField(blank=True, upload_to="private/exports/", verbose_name="file")),
                ("failure_reason", models.TextField(blank=True, verbose_name="reason for the failure")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="user",
                    ),
                ),
            ],
            options={
                "verbose_name": "export",
                "verbose_name_plural": "exports",
                "ordering": ["-created_at"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalIndicator",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "name_zh",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name (Chinese)",
                    ),
                ),
                (
                    "name_en",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name (English)",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("whole", "Whole number"),
                            ("decimal", "Decimal"),
                            ("money", "Money (yuan)"),
                        ],
                        default="whole",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "minimum",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="minimum"
                    ),
                ),
                (
                    "maximum",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="maximum"
                    ),
                ),
                (
                    "aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Sum over months"),
                            ("latest", "Latest month"),
                            ("max", "Largest month"),
                        ],
                        default="sum",
                        max_length=10,
                        verbose_name="how it adds up over months",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "lead_only",
                    models.BooleanField(
                        default=False,
                        help_text="E.g. residency days: the lead school reports them for the pairing, so nothing counts twice.",
                        verbose_name="reported by the lead school only",
                    ),
                ),
                (
                    "prefill",
                    models.CharField(
                        blank=True,
                        choices=[("", "Nothing"), ("residency_days", "The residency log: days of the month")],
                        default="",
                        max_length=20,
                        verbose_name="pre-filled from",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical indicator",
                "verbose_name_plural": "historical indicators",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalMonthlyReport",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="The first day of the month reported on.", verbose_name="month"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("returned", "Returned"),
                            ("resubmitted", "Resubmitted"),
                            ("accepted", "Accepted"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "narratives",
                    models.JSONField(
                        blank=True, default=dict, verbose_name="progress by kind of cooperation"
                    ),
                ),
                (
                    "difficulties",
                    models.TextField(blank=True, verbose_name="difficulties needing coordination"),
                ),
                ("next_month_plan", models.TextField(blank=True, verbose_name="next month's plan")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                (
                    "first_submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first submitted at"),
                ),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                ("review_comment", models.TextField(blank=True, verbose_name="reviewer's comment")),
                (
                    "reopened_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="reopened until"),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="created at")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="updated at")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.school",
                        verbose_name="school",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical monthly report",
                "verbose_name_plural": "historical monthly reports",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Indicator",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "name_zh",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name (Chinese)",
                    ),
                ),
                (
                    "name_en",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name (English)",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("whole", "Whole number"),
                            ("decimal", "Decimal"),
                            ("money", "Money (yuan)"),
                        ],
                        default="whole",
                        max_length=10,
                        verbose_name="kind",
                    ),
                ),
                (
                    "minimum",
                    models.DecimalField(
                        decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="minimum"
                    ),
                ),
                (
                    "maximum",
                    models.DecimalField(
                        blank=True, decimal_places=2, max_digits=14, null=True, verbose_name="maximum"
                    ),
                ),
                (
                    "aggregation",
                    models.CharField(
                        choices=[
                            ("sum", "Sum over months"),
                            ("latest", "Latest month"),
                            ("max", "Largest month"),
                        ],
                        default="sum",
                        max_length=10,
                        verbose_name="how it adds up over months",
                    ),
                ),
                ("required", models.BooleanField(default=False, verbose_name="required")),
                (
                    "lead_only",
                    models.BooleanField(
                        default=False,
                        help_text="E.g. residency days: the lead school reports them for the pairing, so nothing counts twice.",
                        verbose_name="reported by the lead school only",
                    ),
                ),
                (
                    "prefill",
                    models.CharField(
                        blank=True,
                        choices=[("", "Nothing"), ("residency_days", "The residency log: days of the month")],
                        default="",
                        max_length=20,
                        verbose_name="pre-filled from",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="indicators",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "indicator",
                "verbose_name_plural": "indicators",
                "ordering": ["programme", "order", "code"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalIndicatorMinimum",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "per_year",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="at least, each year"),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="reporting.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical yearly minimum of an indicator",
                "verbose_name_plural": "historical yearly minimums of indicators",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalFigure",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "label_zh",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="label (Chinese)",
                    ),
                ),
                (
                    "label_en",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="label (English)",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("indicator_sum", "Sum of an indicator's monthly values"),
                            ("indicator_latest", "Latest value of an indicator"),
                            ("registry", "A count in the registry"),
                            ("manual", "Entered by hand for the programme"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "count",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pairings", "Pairings"),
                            ("lead_schools", "Lead schools"),
                            ("assisting_schools", "Assisting schools"),
                            ("counterparts", "Counterparts"),
                            ("villages", "Villages and communities"),
                            ("lead_units", "County lead units"),
                            ("members", "Team members"),
                            ("bases", "Bases"),
                            ("reports_a_month", "Reports expected a month"),
                        ],
                        max_length=20,
                        verbose_name="what is counted",
                    ),
                ),
                (
                    "count_filter",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='E.g. {"role": "expert"} for members, {"kind": "research"} for bases.',
                        verbose_name="counted only where",
                    ),
                ),
                (
                    "period_from",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the programme's start.",
                        null=True,
                        verbose_name="from month",
                    ),
                ),
                (
                    "period_to",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the programme's end.",
                        null=True,
                        verbose_name="to month",
                    ),
                ),
                (
                    "expected",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="expected value"),
                ),
                (
                    "comparison",
                    models.CharField(
                        choices=[("exactly", "Exactly"), ("at_least", "At least")],
                        default="exactly",
                        max_length=10,
                        verbose_name="comparison",
                    ),
                ),
                (
                    "manual_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=16,
                        null=True,
                        verbose_name="value entered by hand",
                    ),
                ),
                (
                    "source_note",
                    models.CharField(
                        blank=True,
                        help_text="The document and its words.",
                        max_length=300,
                        verbose_name="where the figure comes from",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="reporting.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical figure",
                "verbose_name_plural": "historical figures",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Figure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "label_zh",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="label (Chinese)",
                    ),
                ),
                (
                    "label_en",
                    models.CharField(
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="label (English)",
                    ),
                ),
                ("unit", models.CharField(blank=True, max_length=20, verbose_name="unit")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("indicator_sum", "Sum of an indicator's monthly values"),
                            ("indicator_latest", "Latest value of an indicator"),
                            ("registry", "A count in the registry"),
                            ("manual", "Entered by hand for the programme"),
                        ],
                        max_length=20,
                        verbose_name="source",
                    ),
                ),
                (
                    "count",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("pairings", "Pairings"),
                            ("lead_schools", "Lead schools"),
                            ("assisting_schools", "Assisting schools"),
                            ("counterparts", "Counterparts"),
                            ("villages", "Villages and communities"),
                            ("lead_units", "County lead units"),
                            ("members", "Team members"),
                            ("bases", "Bases"),
                            ("reports_a_month", "Reports expected a month"),
                        ],
                        max_length=20,
                        verbose_name="what is counted",
                    ),
                ),
                (
                    "count_filter",
                    models.JSONField(
                        blank=True,
                        default=dict,
                        help_text='E.g. {"role": "expert"} for members, {"kind": "research"} for bases.',
                        verbose_name="counted only where",
                    ),
                ),
                (
                    "period_from",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the programme's start.",
                        null=True,
                        verbose_name="from month",
                    ),
                ),
                (
                    "period_to",
                    models.DateField(
                        blank=True,
                        help_text="Empty: the programme's end.",
                        null=True,
                        verbose_name="to month",
                    ),
                ),
                (
                    "expected",
                    models.DecimalField(decimal_places=2, max_digits=16, verbose_name="expected value"),
                ),
                (
                    "comparison",
                    models.CharField(
                        choices=[("exactly", "Exactly"), ("at_least", "At least")],
                        default="exactly",
                        max_length=10,
                        verbose_name="comparison",
                    ),
                ),
                (
                    "manual_value",
                    models.DecimalField(
                        blank=True,
                        decimal_places=2,
                        max_digits=16,
                        null=True,
                        verbose_name="value entered by hand",
                    ),
                ),
                (
                    "source_note",
                    models.CharField(
                        blank=True,
                        help_text="The document and its words.",
                        max_length=300,
                        verbose_name="where the figure comes from",
                    ),
                ),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="figures",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="figures",
                        to="reporting.indicator",
                        verbose_name="indicator",
                    ),
                ),
            ],
            options={
                "verbose_name": "figure",
                "verbose_name_plural": "figures",
                "ordering": ["programme", "order", "code"],
            },
        ),
        migrations.CreateModel(
            name="IndicatorMinimum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "per_year",
                    models.DecimalField(decimal_places=2, max_digits=14, verbose_name="at least, each year"),
                ),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="minimums",
                        to="reporting.indicator",
                        verbose_name="indicator",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="indicator_minimums",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "yearly minimum of an indicator",
                "verbose_name_plural": "yearly minimums of indicators",
            },
        ),
        migrations.CreateModel(
            name="MonthlyReport",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "month",
                    models.DateField(
                        help_text="The first day of the month reported on.", verbose_name="month"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("returned", "Returned"),
                            ("resubmitted", "Resubmitted"),
                            ("accepted", "Accepted"),
                        ],
                        default="draft",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                (
                    "narratives",
                    models.JSONField(
                        blank=True, default=dict, verbose_name="progress by kind of cooperation"
                    ),
                ),
                (
                    "difficulties",
                    models.TextField(blank=True, verbose_name="difficulties needing coordination"),
                ),
                ("next_month_plan", models.TextField(blank=True, verbose_name="next month's plan")),
                ("version", models.PositiveIntegerField(default=1, verbose_name="version")),
                (
                    "first_submitted_at",
                    models.DateTimeField(blank=True, null=True, verbose_name="first submitted at"),
                ),
                ("submitted_at", models.DateTimeField(blank=True, null=True, verbose_name="submitted at")),
                ("reviewed_at", models.DateTimeField(blank=True, null=True, verbose_name="reviewed at")),
                ("review_comment", models.TextField(blank=True, verbose_name="reviewer's comment")),
                (
                    "reopened_until",
                    models.DateTimeField(blank=True, null=True, verbose_name="reopened until"),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="created at")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
                (
                    "created_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="created by",
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewed by",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reports",
                        to="pairing.school",
                        verbose_name="school",
                    ),
                ),
                (
                    "submitted_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="submitted by",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly report",
                "verbose_name_plural": "monthly reports",
                "ordering": ["-month", "pairing__number", "school__name"],
            },
        ),
        migrations.CreateModel(
            name="IndicatorValue",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("value", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="value")),
                (
                    "indicator",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="values",
                        to="reporting.indicator",
                        verbose_name="indicator",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="values",
                        to="reporting.monthlyreport",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "indicator value",
                "verbose_name_plural": "indicator values",
            },
        ),
        migrations.CreateModel(
            name="MonthlySummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField(verbose_name="month")),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                        verbose_name="state",
                    ),
                ),
                ("failure_reason", models.TextField(blank=True, verbose_name="reason for the failure")),
                ("started_at", models.DateTimeField(blank=True, null=True, verbose_name="started at")),
                ("finished_at", models.DateTimeField(blank=True, null=True, verbose_name="finished at")),
                ("progress", models.PositiveSmallIntegerField(default=0, verbose_name="progress (%)")),
                ("counts", models.JSONField(blank=True, default=dict, verbose_name="counts")),
                ("totals", models.JSONField(blank=True, default=dict, verbose_name="totals per indicator")),
                (
                    "workbook",
                    models.FileField(
                        blank=True, upload_to=reporting.models.summary_path, verbose_name="workbook"
                    ),
                ),
                ("run_token", models.CharField(blank=True, editable=False, max_length=32)),
                (
                    "run_task_id",
                    models.CharField(
                        blank=True,
                        editable=False,
                        help_text="The Celery task running it, if a worker runs it.",
                        max_length=64,
                    ),
                ),
                (
                    "heartbeat_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="A running compilation updates this as it goes; one silent for minutes has stalled.",
                        null=True,
                        verbose_name="last sign of life",
                    ),
                ),
                (
                    "compiled_from",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the run that produced the current figures started reading the month.",
                        null=True,
                        verbose_name="compiled from the data as of",
                    ),
                ),
                (
                    "source_changed_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When a report of the month was last submitted, returned, accepted or reopened.",
                        null=True,
                        verbose_name="month last changed at",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="summaries",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
                (
                    "requested_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="requested by",
                    ),
                ),
            ],
            options={
                "verbose_name": "monthly summary",
                "verbose_name_plural": "monthly summaries",
                "ordering": ["-month", "programme"],
            },
        ),
        migrations.CreateModel(
            name="ReminderSent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("month", models.DateField()),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("before_due", "Before the due date"),
                            ("missing", "Missing after the due date"),
                            ("review_waiting", "Waiting for review"),
                            ("returned", "Returned"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "key",
                    models.CharField(
                        blank=True,
                        help_text="Distinguishes repeated events, e.g. the version returned.",
                        max_length=40,
                    ),
                ),
                ("sent_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("recipients", models.JSONField(default=list)),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pairing.pairing"
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="pairing.school"
                    ),
                ),
            ],
            options={
                "verbose_name": "reminder sent",
                "verbose_name_plural": "reminders sent",
            },
        ),
        migrations.CreateModel(
            name="ReportAttachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("file", models.FileField(upload_to=reporting.models.attachment_path, verbose_name="file")),
                ("original_name", models.CharField(max_length=200, verbose_name="file name")),
                ("size", models.PositiveIntegerField(verbose_name="size")),
                ("uploaded_at", models.DateTimeField(auto_now_add=True, verbose_name="uploaded at")),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="reporting.monthlyreport",
                        verbose_name="report",
                    ),
                ),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "attachment",
                "verbose_name_plural": "attachments",
                "ordering": ["uploaded_at"],
            },
        ),
        migrations.CreateModel(
            name="ReportVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField(verbose_name="version")),
                ("action", models.CharField(max_length=40, verbose_name="action")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("submitted", "Submitted"),
                            ("returned", "Returned"),
                            ("resubmitted", "Resubmitted"),
                            ("accepted", "Accepted"),
                        ],
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("snapshot", models.JSONField(verbose_name="content")),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now, verbose_name="at")),
                (
                    "actor",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="by",
                    ),
                ),
                (
                    "report",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="versions",
                        to="reporting.monthlyreport",
                        verbose_name="report",
                    ),
                ),
            ],
            options={
                "verbose_name": "report version",
                "verbose_name_plural": "report versions",
                "ordering": ["report", "-created_at", "-pk"],
            },
        ),
        migrations.AddConstraint(
            model_name="indicator",
            constraint=models.UniqueConstraint(fields=("programme", "code"), name="indicator_code_unique"),
        ),
        migrations.AddConstraint(
            model_name="figure",
            constraint=models.UniqueConstraint(fields=("programme", "code"), name="figure_code_unique"),
        ),
        migrations.AddConstraint(
            model_name="indicatorminimum",
            constraint=models.UniqueConstraint(
                fields=("programme", "indicator"), name="one_minimum_per_indicator"
            ),
        ),
        migrations.AddIndex(
            model_name="monthlyreport",
            index=models.Index(fields=["month", "status"], name="reporting_m_month_45c774_idx"),
        ),
        migrations.AddIndex(
            model_name="monthlyreport",
            index=models.Index(
                condition=models.Q(("status__in", ["submitted", "resubmitted"])),
                fields=["month", "pairing"],
                name="report_in_review_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="monthlyreport",
            constraint=models.UniqueConstraint(
                fields=("pairing", "school", "month"), name="one_report_per_school_month"
            ),
        ),
        migrations.AddConstraint(
            model_name="indicatorvalue",
            constraint=models.UniqueConstraint(
                fields=("report", "indicator"), name="one_value_per_indicator"
            ),
        ),
        migrations.AddConstraint(
            model_name="monthlysummary",
            constraint=models.UniqueConstraint(fields=("programme", "month"), name="one_summary_per_month"),
        ),
        migrations.AddConstraint(
            model_name="remindersent",
            constraint=models.UniqueConstraint(
                fields=("pairing", "school", "month", "kind", "key"), name="reminder_once"
            ),
        ),
        migrations.RunPython(
            _triggers.run_on_postgresql(_triggers.TRIGGERS),
            _triggers.run_on_postgresql(_triggers.DROP_TRIGGERS),
        ),
    ]
