"""Router artifacts move from each machine's disk into the shared model storage (the database by
default), so every machine can load a model promoted on any of them."""

from pathlib import Path

from django.db import migrations, models


def import_artifact_files(apps, schema_editor):
    """Artifacts registered before this migration were files under ROUTER_MODEL_DIR: copy those
    still on this machine's disk into the database and keep only their names. A missing file
    stays missing; loading it says so, as it did before."""
    ModelVersion = apps.get_model("routing_model", "ModelVersion")
    ModelArtifact = apps.get_model("routing_model", "ModelArtifact")
    for version in ModelVersion.objects.all():
        path = Path(version.artifact)
        name = path.name
        if path.is_absolute() and path.is_file() and not ModelArtifact.objects.filter(
                name=name).exists():
            data = path.read_bytes()
            ModelArtifact.objects.create(name=name, content=data, size=len(data))
        version.artifact = name
        version.save(update_fields=["artifact"])


class Migration(migrations.Migration):

    dependencies = [
        ("routing_model", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="ModelArtifact",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("name", models.CharField(max_length=255, unique=True, verbose_name="名称")),
                ("content", models.BinaryField(verbose_name="内容")),
                ("size", models.PositiveBigIntegerField(verbose_name="大小（字节）")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="保存时间")),
            ],
            options={"verbose_name": "模型文件", "verbose_name_plural": "模型文件"},
        ),
        migrations.RenameField(model_name="modelversion", old_name="artifact_path",
                               new_name="artifact"),
        migrations.RunPython(import_artifact_files, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="modelversion", name="artifact",
            field=models.CharField(max_length=255, verbose_name="模型文件"),
        ),
    ]
