# A submitted report and its versions are never deleted by any path: versions protect their report
# (PROTECT, in Django), and in PostgreSQL triggers refuse what raw SQL could still do. TRUNCATE (the
# test runner's flush) fires no row triggers.

import django.db.models.deletion
from django.db import migrations, models

TRIGGERS = [
    # A submitted report is kept, and so is the moment of its first submission (else clearing it
    # would open the way to deleting the report; it also decides whether the report was late).
    """
    CREATE OR REPLACE FUNCTION reporting_submitted_report_is_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            TABLE = TG_TABLE_NAME,
            MESSAGE = 'monthly report ' || OLD.id || ' has been submitted: it is kept ('
                || lower(TG_OP) || ' refused)';
    END
    $$
    """,
    """
    CREATE TRIGGER submitted_report_is_kept
    BEFORE DELETE ON reporting_monthlyreport
    FOR EACH ROW WHEN (OLD.first_submitted_at IS NOT NULL)
    EXECUTE FUNCTION reporting_submitted_report_is_kept()
    """,
    """
    CREATE TRIGGER first_submission_is_kept
    BEFORE UPDATE OF first_submitted_at ON reporting_monthlyreport
    FOR EACH ROW
    WHEN (OLD.first_submitted_at IS NOT NULL AND NEW.first_submitted_at IS DISTINCT FROM OLD.first_submitted_at)
    EXECUTE FUNCTION reporting_submitted_report_is_kept()
    """,
    # Versions are appended only.
    """
    CREATE OR REPLACE FUNCTION reporting_report_version_is_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION USING
            ERRCODE = 'restrict_violation',
            TABLE = TG_TABLE_NAME,
            MESSAGE = 'report version ' || OLD.id || ' is kept as written (' || lower(TG_OP) || ' refused)';
    END
    $$
    """,
    """
    CREATE TRIGGER report_version_is_kept
    BEFORE UPDATE OR DELETE ON reporting_reportversion
    FOR EACH ROW EXECUTE FUNCTION reporting_report_version_is_kept()
    """,
    # The values of an accepted report stay as accepted. Reopening first sets the report to
    # 'returned' (reporting.services.report_reopen), after which the liaison's edits pass.
    """
    CREATE OR REPLACE FUNCTION reporting_accepted_values_are_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        locked_report bigint;
    BEGIN
        SELECT id INTO locked_report FROM reporting_monthlyreport
         WHERE id = OLD.report_id AND status = 'accepted';
        IF NOT FOUND AND TG_OP = 'UPDATE' THEN
            SELECT id INTO locked_report FROM reporting_monthlyreport
             WHERE id = NEW.report_id AND status = 'accepted';
        END IF;
        IF locked_report IS NOT NULL THEN
            RAISE EXCEPTION USING
                ERRCODE = 'restrict_violation',
                TABLE = TG_TABLE_NAME,
                MESSAGE = 'monthly report ' || locked_report || ' is accepted: its indicator values are kept ('
                    || lower(TG_OP) || ' refused; reopen the report first)';
        END IF;
        IF TG_OP = 'DELETE' THEN
            RETURN OLD;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER accepted_values_are_kept
    BEFORE UPDATE OR DELETE ON reporting_indicatorvalue
    FOR EACH ROW EXECUTE FUNCTION reporting_accepted_values_are_kept()
    """,
]

DROP_TRIGGERS = [
    "DROP TRIGGER IF EXISTS accepted_values_are_kept ON reporting_indicatorvalue",
    "DROP FUNCTION IF EXISTS reporting_accepted_values_are_kept()",
    "DROP TRIGGER IF EXISTS report_version_is_kept ON reporting_reportversion",
    "DROP FUNCTION IF EXISTS reporting_report_version_is_kept()",
    "DROP TRIGGER IF EXISTS first_submission_is_kept ON reporting_monthlyreport",
    "DROP TRIGGER IF EXISTS submitted_report_is_kept ON reporting_monthlyreport",
    "DROP FUNCTION IF EXISTS reporting_submitted_report_is_kept()",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite (development, tests): the models' own refusals only
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("reporting", "0004_summary_staleness"),
    ]

    operations = [
        migrations.AlterField(
            model_name="reportversion",
            name="report",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="versions",
                to="reporting.monthlyreport",
                verbose_name="report",
            ),
        ),
        migrations.RunPython(run_on_postgresql(TRIGGERS), run_on_postgresql(DROP_TRIGGERS)),
    ]
