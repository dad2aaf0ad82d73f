"""The starting list of urgent signals (editable in the admin afterwards)."""

from django.db import migrations

SIGNALS = [
    ("燃气味", "燃气泄漏"), ("煤气味", "燃气泄漏"), ("燃气泄漏", "燃气泄漏"), ("闻到燃气", "燃气泄漏"),
    ("起火", "火情"), ("着火", "火情"), ("冒烟", "火情"), ("火灾", "火情"),
    ("水浸", "水浸内涝"), ("内涝", "水浸内涝"), ("水管爆裂", "爆管"), ("爆管", "爆管"),
    ("电梯困人", "电梯困人"), ("困在电梯", "电梯困人"), ("被困", "人员被困"),
    ("停电", "停电"), ("高空坠物", "高空坠物"), ("掉下来", "高空坠物"),
    ("倒塌", "坍塌"), ("塌陷", "坍塌"), ("漏电", "触电危险"), ("触电", "触电危险"),
]


def add(apps, schema_editor):
    UrgentSignal = apps.get_model("tickets", "UrgentSignal")
    for phrase, note in SIGNALS:
        UrgentSignal.objects.get_or_create(phrase=phrase, defaults={"note": note})


def remove(apps, schema_editor):
    apps.get_model("tickets", "UrgentSignal").objects.filter(
        phrase__in=[p for p, _ in SIGNALS]).delete()


class Migration(migrations.Migration):
    dependencies = [("tickets", "0006_dispatch_signals_corrections_notifications")]
    operations = [migrations.RunPython(add, remove)]
