"""Programmes of Dongguan's shape (the rules they had by default) also apply the per-school rule that
every school pairs with a counterpart and a village, which the portal always checked for them."""

from django.db import migrations

OLD_DEFAULT = ["agreement", "team_size", "leader", "deputy", "titles", "residency", "meetings", "practice_base"]


def forwards(apps, schema_editor):
    for programme in apps.get_model("pairing", "Programme").objects.all():
        if programme.rules == OLD_DEFAULT:
            programme.rules = [*OLD_DEFAULT, "school_paired"]
            programme.save(update_fields=["rules"])


class Migration(migrations.Migration):
    dependencies = [("pairing", "0010_programme_description_and_reports_a_month")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
