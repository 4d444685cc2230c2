# Rules the database holds: one leader and one deputy per service team (partial unique indexes),
# and, in PostgreSQL, a village in at most one live (not ended) pairing of a programme (triggers;
# the village field is Django's own through table, whose rows cannot see the pairing's status).

from django.db import migrations, models

VILLAGE_TRIGGERS = [
    """
    CREATE OR REPLACE FUNCTION pairing_village_in_one_live_pairing() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        holder pairing_pairing%ROWTYPE;
        other_number integer;
    BEGIN
        SELECT * INTO holder FROM pairing_pairing WHERE id = NEW.pairing_id;
        IF holder.status = 'ended' THEN
            RETURN NEW;
        END IF;
        -- One writer per village at a time, so two transactions cannot both find it free.
        PERFORM 1 FROM pairing_area WHERE id = NEW.area_id FOR NO KEY UPDATE;
        SELECT other.number INTO other_number
          FROM pairing_pairing_villages held
          JOIN pairing_pairing other ON other.id = held.pairing_id
         WHERE held.area_id = NEW.area_id
           AND held.pairing_id <> NEW.pairing_id
           AND other.programme_id = holder.programme_id
           AND other.status <> 'ended'
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING
                ERRCODE = 'unique_violation',
                CONSTRAINT = 'village_in_one_live_pairing',
                MESSAGE = 'village ' || NEW.area_id || ' is already in live pairing number '
                    || other_number || ' of programme ' || holder.programme_id
                    || '; a village is in at most one live pairing of a programme';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER village_in_one_live_pairing
    BEFORE INSERT OR UPDATE ON pairing_pairing_villages
    FOR EACH ROW EXECUTE FUNCTION pairing_village_in_one_live_pairing()
    """,
    """
    CREATE OR REPLACE FUNCTION pairing_live_again_keeps_villages_once() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        clash record;
    BEGIN
        PERFORM 1 FROM pairing_area area
          JOIN pairing_pairing_villages held ON held.area_id = area.id
         WHERE held.pairing_id = NEW.id
         ORDER BY area.id
           FOR NO KEY UPDATE OF area;
        SELECT held.area_id, other.number INTO clash
          FROM pairing_pairing_villages held
          JOIN pairing_pairing_villages theirs
            ON theirs.area_id = held.area_id AND theirs.pairing_id <> held.pairing_id
          JOIN pairing_pairing other ON other.id = theirs.pairing_id
         WHERE held.pairing_id = NEW.id
           AND other.programme_id = NEW.programme_id
           AND other.status <> 'ended'
         LIMIT 1;
        IF FOUND THEN
            RAISE EXCEPTION USING
                ERRCODE = 'unique_violation',
                CONSTRAINT = 'village_in_one_live_pairing',
                MESSAGE = 'pairing ' || NEW.id || ' cannot be live: its village ' || clash.area_id
                    || ' is in live pairing number ' || clash.number || ' of the programme';
        END IF;
        RETURN NEW;
    END
    $$
    """,
    """
    CREATE TRIGGER pairing_live_again_keeps_villages_once
    BEFORE UPDATE OF status, programme_id ON pairing_pairing
    FOR EACH ROW
    WHEN (NEW.status <> 'ended' AND (OLD.status = 'ended' OR OLD.programme_id <> NEW.programme_id))
    EXECUTE FUNCTION pairing_live_again_keeps_villages_once()
    """,
]

DROP_VILLAGE_TRIGGERS = [
    "DROP TRIGGER IF EXISTS pairing_live_again_keeps_villages_once ON pairing_pairing",
    "DROP FUNCTION IF EXISTS pairing_live_again_keeps_villages_once()",
    "DROP TRIGGER IF EXISTS village_in_one_live_pairing ON pairing_pairing_villages",
    "DROP FUNCTION IF EXISTS pairing_village_in_one_live_pairing()",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite (development, tests): the services' checks only
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


def refuse_second_leaders_and_deputies(apps, schema_editor):
    """Name the teams that break the new rule rather than fail on an index: someone must decide who stays."""
    Membership = apps.get_model("pairing", "Membership")
    clashes = (
        Membership.objects.filter(role__in=["leader", "deputy"])
        .values("team_id", "team__name", "role")
        .annotate(count=models.Count("pk"))
        .filter(count__gt=1)
    )
    if clashes:
        teams = "; ".join(f"{c['team__name']} (id {c['team_id']}): {c['count']} × {c['role']}" for c in clashes)
        raise RuntimeError(
            f"These service teams have more than one leader or deputy: {teams}. "
            "Change the roles in the portal so each team has one of each, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("pairing", "0004_due_day_ends_at_midnight"),
    ]

    operations = [
        migrations.RunPython(refuse_second_leaders_and_deputies, migrations.RunPython.noop),
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
        migrations.RunPython(run_on_postgresql(VILLAGE_TRIGGERS), run_on_postgresql(DROP_VILLAGE_TRIGGERS)),
    ]
