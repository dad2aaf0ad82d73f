"""The district's default 10-30-24 policies (editable afterwards, as new versions)."""

from django.db import migrations

ROUND = "24x7"
POLICIES = [
    ("紧急件 10-30-24", "urgent", [
        {"milestone": "contact", "minutes": 10, "calendar": ROUND},
        {"milestone": "meet", "minutes": 30, "calendar": ROUND},
        {"milestone": "resolve", "minutes": 24 * 60, "calendar": ROUND},
    ]),
    # Five working days of the default working hours (7 h a day: 09-12, 14-18).
    ("一般件 10-30-5个工作日", "normal", [
        {"milestone": "contact", "minutes": 10, "calendar": ROUND},
        {"milestone": "meet", "minutes": 30, "calendar": ROUND},
        {"milestone": "resolve", "minutes": 5 * 7 * 60, "calendar": "working"},
    ]),
]


def add(apps, schema_editor):
    SlaPolicy = apps.get_model("sla", "SlaPolicy")
    for name, urgency, milestones in POLICIES:
        SlaPolicy.objects.get_or_create(name=name, urgency=urgency, version=1,
                                        defaults={"milestones": milestones})


def remove(apps, schema_editor):
    apps.get_model("sla", "SlaPolicy").objects.filter(
        name__in=[p[0] for p in POLICIES], version=1).delete()


class Migration(migrations.Migration):
    dependencies = [("sla", "0001_initial")]
    operations = [migrations.RunPython(add, remove)]
