import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("pairing", "0007_programme_shapes_data")]

    operations = [
        migrations.AlterField(
            model_name="serviceteam",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="teams",
                to="pairing.programme",
                verbose_name="programme",
            ),
        ),
        migrations.AlterField(
            model_name="practicebase",
            name="programme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="bases",
                to="pairing.programme",
                verbose_name="programme",
            ),
        ),
    ]
