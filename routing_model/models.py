"""The model registry, nightly retrain runs and the admin-editable routing rules."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ModelStatus(models.TextChoices):
    CANDIDATE = "candidate", _("候选")
    ACTIVE = "active", _("在用")
    RETIRED = "retired", _("已退役")


class ModelVersion(models.Model):
    version = models.CharField(_("版本"), max_length=40, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    source = models.CharField(_("训练数据来源"), max_length=200, blank=True)
    window_start = models.DateTimeField(_("训练窗口起"), null=True, blank=True)
    window_end = models.DateTimeField(_("训练窗口止"), null=True, blank=True)
    samples = models.PositiveIntegerField(_("样本数"), default=0)
    metrics = models.JSONField(_("评估指标"), default=dict, blank=True)
    config = models.JSONField(_("模型参数"), default=dict, blank=True)
    # The artifact's name in the router model storage (routing_model.storage).
    artifact = models.CharField(_("模型文件"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(_("状态"), max_length=12, choices=ModelStatus.choices,
                              default=ModelStatus.CANDIDATE)
    activated_at = models.DateTimeField(_("启用时间"), null=True, blank=True)
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("模型版本")
        verbose_name_plural = _("模型版本")
        ordering = ["-created_at"]
        constraints = [
            # Exactly one version serves at a time; promoting retires the previous one.
            models.UniqueConstraint(fields=["status"], condition=Q(status="active"),
                                    name="one_active_model_version"),
        ]

    def __str__(self) -> str:
        return f"{self.version}（{self.get_status_display()}）"


class ModelArtifact(models.Model):
    """A router artifact kept in the database (the default model storage), so every machine
    reads the same bytes. Loaded only through the registry, which checks its SHA-256."""

    name = models.CharField(_("名称"), max_length=255, unique=True)
    content = models.BinaryField(_("内容"))
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    created_at = models.DateTimeField(_("保存时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("模型文件")
        verbose_name_plural = _("模型文件")

    def __str__(self) -> str:
        return self.name


class RetrainStatus(models.TextChoices):
    RUNNING = "running", _("运行中")
    PROMOTED = "promoted", _("已启用新模型")
    REJECTED = "rejected", _("未通过，保留原模型")
    FAILED = "failed", _("失败，保留原模型")
    SKIPPED = "skipped", _("跳过")


class RetrainRun(models.Model):
    started_at = models.DateTimeField(_("开始"), auto_now_add=True)
    finished_at = models.DateTimeField(_("结束"), null=True, blank=True)
    status = models.CharField(_("结果"), max_length=12, choices=RetrainStatus.choices,
                              default=RetrainStatus.RUNNING)
    progress = models.CharField(_("进度"), max_length=200, blank=True)
    samples = models.PositiveIntegerField(_("样本数"), default=0)
    candidate = models.ForeignKey(ModelVersion, verbose_name=_("候选模型"), null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    previous = models.ForeignKey(ModelVersion, verbose_name=_("原在用模型"), null=True,
                                 blank=True, on_delete=models.SET_NULL, related_name="+")
    candidate_metrics = models.JSONField(_("候选模型指标"), default=dict, blank=True)
    active_metrics = models.JSONField(_("在用模型指标（同一验证集）"), default=dict, blank=True)
    reason = models.TextField(_("结论"), blank=True)

    class Meta:
        verbose_name = _("夜间重训记录")
        verbose_name_plural = _("夜间重训记录")
        ordering = ["-started_at"]
        constraints = [
            # The lock: a second run cannot start while one is running.
            models.UniqueConstraint(fields=["status"], condition=Q(status="running"),
                                    name="one_running_retrain"),
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.get_status_display()}"


class RuleAction(models.TextChoices):
    ROUTE = "route", _("派给指定单位")
    TRIAGE = "triage", _("强制转人工分拨")


class RoutingRule(models.Model):
    """Overrides the model: every filled criterion must match; the highest priority wins."""

    name = models.CharField(_("规则名称"), max_length=100)
    priority = models.IntegerField(_("优先级（大者优先）"), default=100)
    active = models.BooleanField(_("启用"), default=True)
    keywords = models.CharField(
        _("关键词"), max_length=500, blank=True,
        help_text=_("任一出现即匹配，用 | 分隔，如 燃气|煤气"))
    category_l1 = models.CharField(_("一级分类"), max_length=40, blank=True)
    channel_code = models.CharField(_("渠道编码"), max_length=40, blank=True)
    street_unit = models.CharField(_("所在街道（单位编码）"), max_length=40, blank=True)
    action = models.CharField(_("动作"), max_length=10, choices=RuleAction.choices,
                              default=RuleAction.ROUTE)
    unit_code = models.CharField(_("派往单位编码"), max_length=40, blank=True)
    note = models.TextField(_("说明"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("分拨规则")
        verbose_name_plural = _("分拨规则")
        ordering = ["-priority", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(action="triage") | ~Q(unit_code=""), name="route_rule_names_a_unit"),
            models.CheckConstraint(
                condition=~Q(keywords="", category_l1="", channel_code="", street_unit=""),
                name="rule_has_a_criterion"),
        ]

    def __str__(self) -> str:
        return self.name
