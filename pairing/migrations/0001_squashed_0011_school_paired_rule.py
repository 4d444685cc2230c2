# The eleven migrations up to 0011 in one, for a new database: the tables as they stand, then the
# triggers of 0005. The replaced migrations' data steps act on existing rows, and a new database
# has none. A database that applied the old ones keeps them; delete them once every database has,
# moving 0005's trigger SQL (imported below) into this file first.

import datetime
import importlib

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

import core.cells
import pairing.models

# The PostgreSQL triggers are the ones the replaced migration installs (its SQL, not a copy).
_triggers = importlib.import_module("pairing.migrations.0005_team_roles_and_live_village_once")


class Migration(migrations.Migration):
    initial = True

    replaces = [
        ("pairing", "0001_initial"),
        ("pairing", "0002_pairing_review"),
        ("pairing", "0003_programme_reminder_settings"),
        ("pairing", "0004_due_day_ends_at_midnight"),
        ("pairing", "0005_team_roles_and_live_village_once"),
        ("pairing", "0006_programme_shapes"),
        ("pairing", "0007_programme_shapes_data"),
        ("pairing", "0008_team_and_base_programme_required"),
        ("pairing", "0009_names_are_not_formulas"),
        ("pairing", "0010_programme_description_and_reports_a_month"),
        ("pairing", "0011_school_paired_rule"),
    ]

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Person",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=60, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                ("position", models.CharField(blank=True, max_length=100, verbose_name="position")),
                ("is_school_leader", models.BooleanField(default=False, verbose_name="school-level leader")),
                (
                    "title_grade",
                    models.CharField(
                        choices=[
                            ("senior", "Senior"),
                            ("associate", "Associate senior"),
                            ("intermediate", "Intermediate"),
                            ("junior", "Junior"),
                            ("none", "None"),
                        ],
                        default="none",
                        max_length=20,
                        verbose_name="title grade",
                    ),
                ),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
            ],
            options={
                "verbose_name": "person",
                "verbose_name_plural": "people",
                "ordering": ["school", "name"],
            },
        ),
        migrations.CreateModel(
            name="School",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=100,
                        unique=True,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name",
                    ),
                ),
                ("short_name", models.CharField(blank=True, max_length=40, verbose_name="short name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("university", "University"), ("vocational", "Vocational school")],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
            ],
            options={
                "verbose_name": "school",
                "verbose_name_plural": "schools",
                "ordering": ["kind", "name"],
            },
        ),
        migrations.CreateModel(
            name="Area",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=100, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("province", "Province"),
                            ("prefecture", "Prefecture"),
                            ("city", "City"),
                            ("district", "District"),
                            ("county", "County"),
                            ("town", "Town"),
                            ("subdistrict", "Subdistrict"),
                            ("village", "Village"),
                            ("community", "Community"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                (
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="children",
                        to="pairing.area",
                        verbose_name="parent",
                    ),
                ),
            ],
            options={
                "verbose_name": "area",
                "verbose_name_plural": "areas",
                "ordering": ["kind", "name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalArea",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=100, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("province", "Province"),
                            ("prefecture", "Prefecture"),
                            ("city", "City"),
                            ("district", "District"),
                            ("county", "County"),
                            ("town", "Town"),
                            ("subdistrict", "Subdistrict"),
                            ("village", "Village"),
                            ("community", "Community"),
                        ],
                        max_length=20,
                        verbose_name="kind",
                    ),
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
                    "parent",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="parent",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical area",
                "verbose_name_plural": "historical areas",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProgramme",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("code", models.SlugField(verbose_name="code")),
                (
                    "name",
                    models.CharField(
                        max_length=200, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                ("city", models.CharField(max_length=100, verbose_name="city")),
                ("start_date", models.DateField(verbose_name="start date")),
                ("end_date", models.DateField(blank=True, null=True, verbose_name="end date")),
                (
                    "report_due_day",
                    models.PositiveSmallIntegerField(
                        default=28,
                        help_text="Monthly reports are due on this day of each month (1–28): a report first submitted at any time of that day (Beijing time) is on time.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(28),
                        ],
                        verbose_name="report due day of month",
                    ),
                ),
                (
                    "first_report_month",
                    models.DateField(
                        default=datetime.date(2024, 1, 1),
                        help_text="The first day of the first month that needs a report.",
                        verbose_name="first report month",
                    ),
                ),
                (
                    "min_team_size",
                    models.PositiveSmallIntegerField(default=6, verbose_name="minimum service team size"),
                ),
                (
                    "min_residency_days_per_year",
                    models.PositiveSmallIntegerField(
                        default=90, verbose_name="minimum residency days a year"
                    ),
                ),
                (
                    "min_joint_meetings_per_year",
                    models.PositiveSmallIntegerField(default=2, verbose_name="minimum joint meetings a year"),
                ),
                (
                    "agreement_deadline_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="days allowed to sign the agreement"
                    ),
                ),
                (
                    "practice_bases_per_pairing",
                    models.PositiveSmallIntegerField(default=1, verbose_name="practice bases per pairing"),
                ),
                (
                    "reminder_days_before_due",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="Liaisons whose report is not submitted are reminded this many days before it is due.",
                        verbose_name="reminder days before the due date",
                    ),
                ),
                (
                    "review_reminder_days",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="The bureau is reminded of reports waiting in review longer than this.",
                        verbose_name="days a report may wait for review",
                    ),
                ),
                (
                    "reopen_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="An accepted report that the bureau reopens can be changed for this many days.",
                        verbose_name="days a reopened report stays open",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("bqw", "Hundred counties, thousand towns, ten thousand villages (百千万工程)"),
                            ("designated", "Designated assistance (定点帮扶)"),
                            ("county_school", "County–university cooperation (县校合作)"),
                            ("school_locality", "University–locality cooperation (校地合作)"),
                        ],
                        default="bqw",
                        max_length=20,
                        verbose_name="kind of programme",
                    ),
                ),
                ("organiser", models.CharField(blank=True, max_length=200, verbose_name="organiser")),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="What the programme is, its sources, and every assumption made where the sources are silent.",
                        verbose_name="description",
                    ),
                ),
                (
                    "counterpart_kinds",
                    models.JSONField(
                        default=pairing.models.default_counterpart_kinds,
                        help_text="Area kinds, e.g. town and subdistrict, or county and district.",
                        verbose_name="what a pairing's counterpart may be",
                    ),
                ),
                (
                    "counterpart_label",
                    models.CharField(
                        default="镇(街道)", max_length=40, verbose_name="name of the counterpart on the pages"
                    ),
                ),
                (
                    "counterpart_label_en",
                    models.CharField(
                        default="Town or subdistrict",
                        max_length=40,
                        verbose_name="name of the counterpart on the pages (English)",
                    ),
                ),
                (
                    "lead_school_kinds",
                    models.JSONField(
                        default=pairing.models.default_lead_kinds,
                        verbose_name="school kinds that may lead a pairing",
                    ),
                ),
                (
                    "assisting_school_kinds",
                    models.JSONField(
                        blank=True,
                        default=pairing.models.default_assisting_kinds,
                        help_text="Empty: pairings have no assisting schools.",
                        verbose_name="school kinds that may assist",
                    ),
                ),
                (
                    "rules",
                    models.JSONField(
                        blank=True,
                        default=pairing.models.default_rules,
                        help_text="Codes of the rules checked.",
                        verbose_name="compliance rules applied",
                    ),
                ),
                (
                    "reporters",
                    models.CharField(
                        choices=[("all", "Every school of a pairing"), ("lead", "The lead school only")],
                        default="all",
                        max_length=10,
                        verbose_name="who reports each month",
                    ),
                ),
                (
                    "min_residents_per_pairing",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="For the rule that a resident (常驻, 挂职 or 驻村第一书记) serves each pairing.",
                        verbose_name="residents present in each pairing",
                    ),
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
                    "root_area",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="Every counterpart lies within it.",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="area the programme covers",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical programme",
                "verbose_name_plural": "historical programmes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalResidency",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("start_date", models.DateField(verbose_name="start date")),
                ("end_date", models.DateField(verbose_name="end date")),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                    "place",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="town or village",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical residency",
                "verbose_name_plural": "historical residencies",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalSchool",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "name",
                    models.CharField(
                        db_index=True,
                        max_length=100,
                        validators=[core.cells.validate_not_formula],
                        verbose_name="name",
                    ),
                ),
                ("short_name", models.CharField(blank=True, max_length=40, verbose_name="short name")),
                (
                    "kind",
                    models.CharField(
                        choices=[("university", "University"), ("vocational", "Vocational school")],
                        max_length=20,
                        verbose_name="kind",
                    ),
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
            ],
            options={
                "verbose_name": "historical school",
                "verbose_name_plural": "historical schools",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="LeadUnit",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="area",
                    ),
                ),
            ],
            options={
                "verbose_name": "county lead unit",
                "verbose_name_plural": "county lead units",
                "ordering": ["programme", "name"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalPairing",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="The row number in the programme's table.", verbose_name="number"
                    ),
                ),
                ("start_date", models.DateField(verbose_name="start date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("active", "Active"),
                            ("adjusted", "Adjusted"),
                            ("ended", "Ended"),
                        ],
                        default="active",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("end_date", models.DateField(blank=True, null=True, verbose_name="end date")),
                ("end_reason", models.TextField(blank=True, verbose_name="reason for ending")),
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
                    "town",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="counterpart",
                    ),
                ),
                (
                    "lead_unit",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        help_text="The county's unit that leads the cooperation with this school (Ruicheng's 牵头单位).",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.leadunit",
                        verbose_name="county lead unit",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical pairing",
                "verbose_name_plural": "historical pairings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Pairing",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "number",
                    models.PositiveIntegerField(
                        help_text="The row number in the programme's table.", verbose_name="number"
                    ),
                ),
                ("start_date", models.DateField(verbose_name="start date")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("planned", "Planned"),
                            ("active", "Active"),
                            ("adjusted", "Adjusted"),
                            ("ended", "Ended"),
                        ],
                        default="active",
                        max_length=20,
                        verbose_name="status",
                    ),
                ),
                ("end_date", models.DateField(blank=True, null=True, verbose_name="end date")),
                ("end_reason", models.TextField(blank=True, verbose_name="reason for ending")),
                (
                    "lead_unit",
                    models.ForeignKey(
                        blank=True,
                        help_text="The county's unit that leads the cooperation with this school (Ruicheng's 牵头单位).",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairings",
                        to="pairing.leadunit",
                        verbose_name="county lead unit",
                    ),
                ),
                (
                    "town",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairings",
                        to="pairing.area",
                        verbose_name="counterpart",
                    ),
                ),
                (
                    "villages",
                    models.ManyToManyField(
                        blank=True,
                        limit_choices_to={"kind__in": ("village", "community")},
                        related_name="village_pairings",
                        to="pairing.area",
                        verbose_name="villages and communities",
                    ),
                ),
            ],
            options={
                "verbose_name": "pairing",
                "verbose_name_plural": "pairings",
                "ordering": ["programme", "number"],
            },
        ),
        migrations.CreateModel(
            name="JointMeeting",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("held_on", models.DateField(verbose_name="held on")),
                ("attendees", models.TextField(verbose_name="attendees")),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
                ("decisions", models.TextField(blank=True, verbose_name="decisions")),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="meetings",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
            ],
            options={
                "verbose_name": "joint meeting",
                "verbose_name_plural": "joint meetings",
                "ordering": ["pairing", "-held_on"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalPairingReview",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "subject",
                    models.CharField(
                        choices=[("team", "Service team"), ("agreement", "Tripartite agreement")],
                        max_length=20,
                        verbose_name="subject",
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("accepted", "Accepted"), ("returned", "Returned")],
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("decided_at", models.DateTimeField(blank=True, editable=False, verbose_name="decided at")),
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
                    "reviewer",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
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
            ],
            options={
                "verbose_name": "historical pairing review",
                "verbose_name_plural": "historical pairing reviews",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPairing_villages",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "area",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                    ),
                ),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="pairing.historicalpairing",
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.pairing",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalPairing_villages",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalJointMeeting",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("held_on", models.DateField(verbose_name="held on")),
                ("attendees", models.TextField(verbose_name="attendees")),
                ("minutes", models.TextField(blank=True, verbose_name="minutes")),
                ("decisions", models.TextField(blank=True, verbose_name="decisions")),
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
            ],
            options={
                "verbose_name": "historical joint meeting",
                "verbose_name_plural": "historical joint meetings",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAnnualPlan",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("content", models.TextField(verbose_name="content")),
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
                    "decided_at",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.jointmeeting",
                        verbose_name="decided at meeting",
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
            ],
            options={
                "verbose_name": "historical annual cooperation plan",
                "verbose_name_plural": "historical annual cooperation plans",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalAgreement",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("signed_on", models.DateField(blank=True, null=True, verbose_name="signed on")),
                (
                    "university_signatory",
                    models.CharField(blank=True, max_length=100, verbose_name="signatory for the university"),
                ),
                (
                    "vocational_signatory",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="signatory for the vocational school"
                    ),
                ),
                (
                    "town_signatory",
                    models.CharField(blank=True, max_length=100, verbose_name="signatory for the town"),
                ),
                (
                    "scanned_file",
                    models.TextField(blank=True, max_length=100, verbose_name="scanned agreement"),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
            ],
            options={
                "verbose_name": "historical tripartite agreement",
                "verbose_name_plural": "historical tripartite agreements",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="AnnualPlan",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("content", models.TextField(verbose_name="content")),
                (
                    "decided_at",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="plans",
                        to="pairing.jointmeeting",
                        verbose_name="decided at meeting",
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="annual_plans",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
            ],
            options={
                "verbose_name": "annual cooperation plan",
                "verbose_name_plural": "annual cooperation plans",
                "ordering": ["pairing", "year"],
            },
        ),
        migrations.CreateModel(
            name="Agreement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("signed_on", models.DateField(blank=True, null=True, verbose_name="signed on")),
                (
                    "university_signatory",
                    models.CharField(blank=True, max_length=100, verbose_name="signatory for the university"),
                ),
                (
                    "vocational_signatory",
                    models.CharField(
                        blank=True, max_length=100, verbose_name="signatory for the vocational school"
                    ),
                ),
                (
                    "town_signatory",
                    models.CharField(blank=True, max_length=100, verbose_name="signatory for the town"),
                ),
                (
                    "scanned_file",
                    models.FileField(
                        blank=True,
                        upload_to=pairing.models.private_upload_path,
                        verbose_name="scanned agreement",
                    ),
                ),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "pairing",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="agreement",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
            ],
            options={
                "verbose_name": "tripartite agreement",
                "verbose_name_plural": "tripartite agreements",
            },
        ),
        migrations.CreateModel(
            name="PairingReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "subject",
                    models.CharField(
                        choices=[("team", "Service team"), ("agreement", "Tripartite agreement")],
                        max_length=20,
                        verbose_name="subject",
                    ),
                ),
                (
                    "decision",
                    models.CharField(
                        choices=[("accepted", "Accepted"), ("returned", "Returned")],
                        max_length=20,
                        verbose_name="decision",
                    ),
                ),
                ("comment", models.TextField(blank=True, verbose_name="comment")),
                ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="decided at")),
                (
                    "pairing",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="reviews",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
                (
                    "reviewer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="pairing_reviews",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="reviewer",
                    ),
                ),
            ],
            options={
                "verbose_name": "pairing review",
                "verbose_name_plural": "pairing reviews",
                "ordering": ["-decided_at", "-pk"],
            },
        ),
        migrations.CreateModel(
            name="Membership",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("leader", "Leader"),
                            ("deputy", "Deputy leader"),
                            ("member", "Member"),
                            ("resident", "Resident (常驻, 挂职 or 驻村第一书记)"),
                            ("liaison", "Liaison"),
                            ("expert", "Expert"),
                        ],
                        default="member",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "post",
                    models.CharField(
                        blank=True,
                        help_text="E.g. 挂职副县长, 驻村第一书记, 校友分会联络员.",
                        max_length=100,
                        verbose_name="post",
                    ),
                ),
                ("joined_on", models.DateField(blank=True, null=True, verbose_name="joined on")),
                ("left_on", models.DateField(blank=True, null=True, verbose_name="left on")),
                (
                    "person",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="memberships",
                        to="pairing.person",
                        verbose_name="person",
                    ),
                ),
            ],
            options={
                "verbose_name": "team membership",
                "verbose_name_plural": "team memberships",
                "ordering": ["team", "role", "person__name"],
            },
        ),
        migrations.CreateModel(
            name="Programme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(unique=True, verbose_name="code")),
                (
                    "name",
                    models.CharField(
                        max_length=200, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                ("city", models.CharField(max_length=100, verbose_name="city")),
                ("start_date", models.DateField(verbose_name="start date")),
                ("end_date", models.DateField(blank=True, null=True, verbose_name="end date")),
                (
                    "report_due_day",
                    models.PositiveSmallIntegerField(
                        default=28,
                        help_text="Monthly reports are due on this day of each month (1–28): a report first submitted at any time of that day (Beijing time) is on time.",
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(28),
                        ],
                        verbose_name="report due day of month",
                    ),
                ),
                (
                    "first_report_month",
                    models.DateField(
                        default=datetime.date(2024, 1, 1),
                        help_text="The first day of the first month that needs a report.",
                        verbose_name="first report month",
                    ),
                ),
                (
                    "min_team_size",
                    models.PositiveSmallIntegerField(default=6, verbose_name="minimum service team size"),
                ),
                (
                    "min_residency_days_per_year",
                    models.PositiveSmallIntegerField(
                        default=90, verbose_name="minimum residency days a year"
                    ),
                ),
                (
                    "min_joint_meetings_per_year",
                    models.PositiveSmallIntegerField(default=2, verbose_name="minimum joint meetings a year"),
                ),
                (
                    "agreement_deadline_days",
                    models.PositiveSmallIntegerField(
                        default=30, verbose_name="days allowed to sign the agreement"
                    ),
                ),
                (
                    "practice_bases_per_pairing",
                    models.PositiveSmallIntegerField(default=1, verbose_name="practice bases per pairing"),
                ),
                (
                    "reminder_days_before_due",
                    models.PositiveSmallIntegerField(
                        default=3,
                        help_text="Liaisons whose report is not submitted are reminded this many days before it is due.",
                        verbose_name="reminder days before the due date",
                    ),
                ),
                (
                    "review_reminder_days",
                    models.PositiveSmallIntegerField(
                        default=5,
                        help_text="The bureau is reminded of reports waiting in review longer than this.",
                        verbose_name="days a report may wait for review",
                    ),
                ),
                (
                    "reopen_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        help_text="An accepted report that the bureau reopens can be changed for this many days.",
                        verbose_name="days a reopened report stays open",
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("bqw", "Hundred counties, thousand towns, ten thousand villages (百千万工程)"),
                            ("designated", "Designated assistance (定点帮扶)"),
                            ("county_school", "County–university cooperation (县校合作)"),
                            ("school_locality", "University–locality cooperation (校地合作)"),
                        ],
                        default="bqw",
                        max_length=20,
                        verbose_name="kind of programme",
                    ),
                ),
                ("organiser", models.CharField(blank=True, max_length=200, verbose_name="organiser")),
                (
                    "description",
                    models.TextField(
                        blank=True,
                        help_text="What the programme is, its sources, and every assumption made where the sources are silent.",
                        verbose_name="description",
                    ),
                ),
                (
                    "counterpart_kinds",
                    models.JSONField(
                        default=pairing.models.default_counterpart_kinds,
                        help_text="Area kinds, e.g. town and subdistrict, or county and district.",
                        verbose_name="what a pairing's counterpart may be",
                    ),
                ),
                (
                    "counterpart_label",
                    models.CharField(
                        default="镇(街道)", max_length=40, verbose_name="name of the counterpart on the pages"
                    ),
                ),
                (
                    "counterpart_label_en",
                    models.CharField(
                        default="Town or subdistrict",
                        max_length=40,
                        verbose_name="name of the counterpart on the pages (English)",
                    ),
                ),
                (
                    "lead_school_kinds",
                    models.JSONField(
                        default=pairing.models.default_lead_kinds,
                        verbose_name="school kinds that may lead a pairing",
                    ),
                ),
                (
                    "assisting_school_kinds",
                    models.JSONField(
                        blank=True,
                        default=pairing.models.default_assisting_kinds,
                        help_text="Empty: pairings have no assisting schools.",
                        verbose_name="school kinds that may assist",
                    ),
                ),
                (
                    "rules",
                    models.JSONField(
                        blank=True,
                        default=pairing.models.default_rules,
                        help_text="Codes of the rules checked.",
                        verbose_name="compliance rules applied",
                    ),
                ),
                (
                    "reporters",
                    models.CharField(
                        choices=[("all", "Every school of a pairing"), ("lead", "The lead school only")],
                        default="all",
                        max_length=10,
                        verbose_name="who reports each month",
                    ),
                ),
                (
                    "min_residents_per_pairing",
                    models.PositiveSmallIntegerField(
                        default=1,
                        help_text="For the rule that a resident (常驻, 挂职 or 驻村第一书记) serves each pairing.",
                        verbose_name="residents present in each pairing",
                    ),
                ),
                (
                    "root_area",
                    models.ForeignKey(
                        blank=True,
                        help_text="Every counterpart lies within it.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="area the programme covers",
                    ),
                ),
            ],
            options={
                "verbose_name": "programme",
                "verbose_name_plural": "programmes",
                "ordering": ["start_date", "code"],
            },
        ),
        migrations.CreateModel(
            name="PracticeBase",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("practice", "Practice base"),
                            ("internship", "Internship base"),
                            ("research", "Research base or centre"),
                            ("innovation", "Innovation base"),
                        ],
                        default="practice",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("established_on", models.DateField(blank=True, null=True, verbose_name="established on")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "pairing",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="practice_bases",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
                (
                    "place",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="place",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="bases",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "practice base",
                "verbose_name_plural": "practice bases",
            },
        ),
        migrations.AddField(
            model_name="pairing",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="pairings",
                to="pairing.programme",
                verbose_name="programme",
            ),
        ),
        migrations.CreateModel(
            name="Milestone",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="milestones",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "milestone",
                "verbose_name_plural": "milestones",
                "ordering": ["programme", "year"],
            },
        ),
        migrations.AddField(
            model_name="leadunit",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="lead_units",
                to="pairing.programme",
                verbose_name="programme",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalWorkCategory",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("code", models.SlugField(verbose_name="code")),
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
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
                "verbose_name": "historical work category",
                "verbose_name_plural": "historical work categories",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalServiceTeam",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
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
                "verbose_name": "historical service team",
                "verbose_name_plural": "historical service teams",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPracticeBase",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("practice", "Practice base"),
                            ("internship", "Internship base"),
                            ("research", "Research base or centre"),
                            ("innovation", "Innovation base"),
                        ],
                        default="practice",
                        max_length=20,
                        verbose_name="kind",
                    ),
                ),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                ("established_on", models.DateField(blank=True, null=True, verbose_name="established on")),
                ("description", models.TextField(blank=True, verbose_name="description")),
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
                    "place",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="place",
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
                "verbose_name": "historical practice base",
                "verbose_name_plural": "historical practice bases",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalpairing",
            name="programme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pairing.programme",
                verbose_name="programme",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalMilestone",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("year", models.PositiveSmallIntegerField(verbose_name="year")),
                ("title", models.CharField(max_length=100, verbose_name="title")),
                ("description", models.TextField(blank=True, verbose_name="description")),
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
                "verbose_name": "historical milestone",
                "verbose_name_plural": "historical milestones",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalLeadUnit",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                ("note", models.TextField(blank=True, verbose_name="note")),
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
                    "area",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.area",
                        verbose_name="area",
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
                "verbose_name": "historical county lead unit",
                "verbose_name_plural": "historical county lead units",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="Residency",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start_date", models.DateField(verbose_name="start date")),
                ("end_date", models.DateField(verbose_name="end date")),
                ("note", models.TextField(blank=True, verbose_name="note")),
                (
                    "people",
                    models.ManyToManyField(
                        related_name="residencies", to="pairing.person", verbose_name="people"
                    ),
                ),
                (
                    "place",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="residencies",
                        to="pairing.area",
                        verbose_name="town or village",
                    ),
                ),
            ],
            options={
                "verbose_name": "residency",
                "verbose_name_plural": "residencies",
                "ordering": ["team", "start_date"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalResidency_people",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="pairing.historicalresidency",
                    ),
                ),
                (
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.person",
                    ),
                ),
                (
                    "residency",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.residency",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalResidency_people",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="person",
            name="school",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="people",
                to="pairing.school",
                verbose_name="school",
            ),
        ),
        migrations.AddField(
            model_name="pairing",
            name="assisting_schools",
            field=models.ManyToManyField(
                blank=True,
                help_text="Of a kind the programme lets assist; none where the programme takes none.",
                related_name="assisted_pairings",
                to="pairing.school",
                verbose_name="assisting schools",
            ),
        ),
        migrations.AddField(
            model_name="pairing",
            name="lead_university",
            field=models.ForeignKey(
                help_text="Of a kind the programme lets lead (a university in every seed programme).",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="led_pairings",
                to="pairing.school",
                verbose_name="lead school",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalPerson",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "name",
                    models.CharField(
                        max_length=60, validators=[core.cells.validate_not_formula], verbose_name="name"
                    ),
                ),
                ("position", models.CharField(blank=True, max_length=100, verbose_name="position")),
                ("is_school_leader", models.BooleanField(default=False, verbose_name="school-level leader")),
                (
                    "title_grade",
                    models.CharField(
                        choices=[
                            ("senior", "Senior"),
                            ("associate", "Associate senior"),
                            ("intermediate", "Intermediate"),
                            ("junior", "Junior"),
                            ("none", "None"),
                        ],
                        default="none",
                        max_length=20,
                        verbose_name="title grade",
                    ),
                ),
                ("phone", models.CharField(blank=True, max_length=40, verbose_name="phone")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="e-mail")),
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
            ],
            options={
                "verbose_name": "historical person",
                "verbose_name_plural": "historical people",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalPairing_assisting_schools",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                ("m2m_history_id", models.AutoField(primary_key=True, serialize=False)),
                (
                    "history",
                    models.ForeignKey(
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        to="pairing.historicalpairing",
                    ),
                ),
                (
                    "pairing",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.pairing",
                    ),
                ),
                (
                    "school",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        db_tablespace="",
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.school",
                    ),
                ),
            ],
            options={
                "verbose_name": "HistoricalPairing_assisting_schools",
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name="historicalpairing",
            name="lead_university",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Of a kind the programme lets lead (a university in every seed programme).",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pairing.school",
                verbose_name="lead school",
            ),
        ),
        migrations.CreateModel(
            name="ServiceTeam",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, verbose_name="name")),
                (
                    "members",
                    models.ManyToManyField(
                        related_name="teams",
                        through="pairing.Membership",
                        to="pairing.person",
                        verbose_name="members",
                    ),
                ),
                (
                    "pairing",
                    models.OneToOneField(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="team",
                        to="pairing.pairing",
                        verbose_name="pairing",
                    ),
                ),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="teams",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "service team",
                "verbose_name_plural": "service teams",
            },
        ),
        migrations.AddField(
            model_name="residency",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="residencies",
                to="pairing.serviceteam",
                verbose_name="service team",
            ),
        ),
        migrations.AddField(
            model_name="membership",
            name="team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="memberships",
                to="pairing.serviceteam",
                verbose_name="service team",
            ),
        ),
        migrations.AddField(
            model_name="historicalresidency",
            name="team",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="pairing.serviceteam",
                verbose_name="service team",
            ),
        ),
        migrations.CreateModel(
            name="HistoricalMembership",
            fields=[
                (
                    "id",
                    models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID"),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[
                            ("leader", "Leader"),
                            ("deputy", "Deputy leader"),
                            ("member", "Member"),
                            ("resident", "Resident (常驻, 挂职 or 驻村第一书记)"),
                            ("liaison", "Liaison"),
                            ("expert", "Expert"),
                        ],
                        default="member",
                        max_length=20,
                        verbose_name="role",
                    ),
                ),
                (
                    "post",
                    models.CharField(
                        blank=True,
                        help_text="E.g. 挂职副县长, 驻村第一书记, 校友分会联络员.",
                        max_length=100,
                        verbose_name="post",
                    ),
                ),
                ("joined_on", models.DateField(blank=True, null=True, verbose_name="joined on")),
                ("left_on", models.DateField(blank=True, null=True, verbose_name="left on")),
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
                    "person",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.person",
                        verbose_name="person",
                    ),
                ),
                (
                    "team",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="pairing.serviceteam",
                        verbose_name="service team",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical team membership",
                "verbose_name_plural": "historical team memberships",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="WorkCategory",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("code", models.SlugField(verbose_name="code")),
                ("name_zh", models.CharField(max_length=100, verbose_name="name (Chinese)")),
                ("name_en", models.CharField(max_length=100, verbose_name="name (English)")),
                ("order", models.PositiveSmallIntegerField(default=0, verbose_name="order")),
                (
                    "programme",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="work_categories",
                        to="pairing.programme",
                        verbose_name="programme",
                    ),
                ),
            ],
            options={
                "verbose_name": "work category",
                "verbose_name_plural": "work categories",
                "ordering": ["programme", "order", "code"],
            },
        ),
        migrations.AddConstraint(
            model_name="area",
            constraint=models.UniqueConstraint(fields=("parent", "name"), name="area_name_unique_in_parent"),
        ),
        migrations.AddConstraint(
            model_name="annualplan",
            constraint=models.UniqueConstraint(fields=("pairing", "year"), name="one_plan_per_pairing_year"),
        ),
        migrations.AddConstraint(
            model_name="programme",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("end_date__isnull", True), ("end_date__gte", models.F("start_date")), _connector="OR"
                ),
                name="programme_ends_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="milestone",
            constraint=models.UniqueConstraint(fields=("programme", "year"), name="one_milestone_per_year"),
        ),
        migrations.AddConstraint(
            model_name="leadunit",
            constraint=models.UniqueConstraint(fields=("programme", "name"), name="lead_unit_name_unique"),
        ),
        migrations.AddConstraint(
            model_name="pairing",
            constraint=models.UniqueConstraint(
                fields=("programme", "number"), name="pairing_number_unique_in_programme"
            ),
        ),
        migrations.AddConstraint(
            model_name="residency",
            constraint=models.CheckConstraint(
                condition=models.Q(("end_date__gte", models.F("start_date"))),
                name="residency_ends_after_start",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(fields=("team", "person"), name="person_once_per_team"),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", "leader")),
                fields=("team",),
                name="one_leader_per_team",
                violation_error_message="The team already has a leader.",
            ),
        ),
        migrations.AddConstraint(
            model_name="membership",
            constraint=models.UniqueConstraint(
                condition=models.Q(("role", "deputy")),
                fields=("team",),
                name="one_deputy_per_team",
                violation_error_message="The team already has a deputy leader.",
            ),
        ),
        migrations.AddConstraint(
            model_name="workcategory",
            constraint=models.UniqueConstraint(
                fields=("programme", "code"), name="work_category_code_unique"
            ),
        ),
        migrations.RunPython(
            _triggers.run_on_postgresql(_triggers.VILLAGE_TRIGGERS),
            _triggers.run_on_postgresql(_triggers.DROP_VILLAGE_TRIGGERS),
        ),
    ]
