# Photos attached to tickets (现场照片): the files on the default storage, the rows here.

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import tickets.models.attachment


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0024_followup_attempts'),
    ]

    operations = [
        migrations.CreateModel(
            name='StoredFile',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(max_length=255, unique=True, verbose_name='名称')),
                ('content', models.BinaryField(verbose_name='内容')),
                ('size', models.PositiveBigIntegerField(verbose_name='大小（字节）')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='保存时间')),
            ],
            options={
                'verbose_name': '数据库文件',
                'verbose_name_plural': '数据库文件',
            },
        ),
        migrations.CreateModel(
            name='TicketAttachment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('image', models.FileField(max_length=200, upload_to=tickets.models.attachment.photo_path, verbose_name='照片')),
                ('thumbnail', models.FileField(max_length=200, upload_to=tickets.models.attachment.photo_path, verbose_name='缩略图')),
                ('content_type', models.CharField(max_length=40, verbose_name='文件类型')),
                ('size', models.PositiveIntegerField(verbose_name='大小（字节）')),
                ('width', models.PositiveIntegerField(verbose_name='宽度')),
                ('height', models.PositiveIntegerField(verbose_name='高度')),
                ('stage', models.CharField(choices=[('received', '已受理'), ('triage', '待人工分拨'), ('assigned', '已派单'), ('contacted', '已联系'), ('met', '已约见'), ('resolved', '已办结'), ('closed', '已归档'), ('merged', '已合并'), ('rejected', '已作废')], max_length=16, verbose_name='办理阶段')),
                ('uploaded_by_label', models.CharField(max_length=120, verbose_name='上传人')),
                ('original_name', models.CharField(blank=True, max_length=255, verbose_name='原文件名')),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='上传时间')),
                ('ticket', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='photos', to='tickets.ticket', verbose_name='工单')),
            ],
            options={
                'verbose_name': '现场照片',
                'verbose_name_plural': '现场照片',
                'ordering': ['created_at', 'id'],
            },
        ),
    ]
