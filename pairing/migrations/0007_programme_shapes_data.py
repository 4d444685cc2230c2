"""Data for the programme shapes: every team and base belongs to its pairing's programme, and every
programme that exists so far (Dongguan's shape) gets the six kinds of cooperation of its plan as
work categories, under the codes its reports' narratives already use, so no narrative is lost."""

from django.db import migrations
from django.db.models import OuterRef, Subquery

DONGGUAN_CATEGORIES = [
    ("practice_base", "建设校镇合作实践基地", "Building school–town practice bases"),
    ("technology", "大力支持科技强镇", "Supporting towns through science and technology"),
    ("talent", "深入融入人才兴镇", "Developing talent for the towns"),
    ("collective_economy", "协助集体经济发展", "Helping the collective economy grow"),
    ("public_services", "提供基本公共服务支持", "Supporting basic public services"),
    ("consulting", "提供决策咨询和技术服务", "Decision consulting and technical services"),
]


def forwards(apps, schema_editor):
    Pairing = apps.get_model("pairing", "Pairing")
    programme_of = Subquery(Pairing.objects.filter(pk=OuterRef("pairing_id")).values("programme_id")[:1])
    apps.get_model("pairing", "ServiceTeam").objects.filter(programme__isnull=True).update(programme=programme_of)
    apps.get_model("pairing", "PracticeBase").objects.filter(programme__isnull=True).update(programme=programme_of)
    WorkCategory = apps.get_model("pairing", "WorkCategory")
    for programme in apps.get_model("pairing", "Programme").objects.all():
        for order, (code, name_zh, name_en) in enumerate(DONGGUAN_CATEGORIES, start=1):
            WorkCategory.objects.get_or_create(
                programme=programme, code=code, defaults={"name_zh": name_zh, "name_en": name_en, "order": order}
            )


class Migration(migrations.Migration):
    dependencies = [("pairing", "0006_programme_shapes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
