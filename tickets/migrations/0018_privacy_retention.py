"""Personal data: the append-only access log for raw intake bodies, the purge marks on intake
records (the body's SHA-256 is kept) and the anonymisation mark on tickets, with the partial
indexes the daily retention task reads."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

# As for the trail (0002): on PostgreSQL the database itself refuses UPDATE and DELETE.
CREATE = """
CREATE OR REPLACE FUNCTION tickets_accesslog_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'tickets_accesslog is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS tickets_accesslog_append_only ON tickets_accesslog;
CREATE TRIGGER tickets_accesslog_append_only
    BEFORE UPDATE OR DELETE ON tickets_accesslog
    FOR EACH ROW EXECUTE FUNCTION tickets_accesslog_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS tickets_accesslog_append_only ON tickets_accesslog;
DROP FUNCTION IF EXISTS tickets_accesslog_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0017_event_hash_chain'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='AccessLog',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='时间')),
                ('actor_label', models.CharField(max_length=120, verbose_name='查看人名称')),
                ('kind', models.CharField(choices=[('intake_body', '查看受理原始请求体')], max_length=20, verbose_name='类型')),
                ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='查看人')),
                ('intake_record', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tickets.intakerecord', verbose_name='受理原始记录')),
                ('ticket', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='tickets.ticket', verbose_name='工单')),
            ],
            options={
                'verbose_name': '个人信息访问记录',
                'verbose_name_plural': '个人信息访问记录',
                'ordering': ['-at', '-id'],
            },
        ),
        migrations.RunPython(forwards, backwards),
        migrations.AddField(
            model_name='intakerecord',
            name='body_purged_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='原始请求体清除时间'),
        ),
        migrations.AddField(
            model_name='intakerecord',
            name='body_sha256',
            field=models.CharField(blank=True, db_default='', default='', editable=False, max_length=64, verbose_name='原始请求体 SHA-256'),
        ),
        migrations.AddField(
            model_name='ticket',
            name='anonymised_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='个人信息匿名化时间'),
        ),
        migrations.AddIndex(
            model_name='intakerecord',
            index=models.Index(condition=models.Q(('body_purged_at__isnull', True)), fields=['received_at'], name='intake_body_kept'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(condition=models.Q(('anonymised_at__isnull', True), ('closed_at__isnull', False)), fields=['closed_at'], name='ticket_closed_not_anonymised'),
        ),
    ]
