"""What arrived at the intake webhooks (stored before parsing) and duplicate candidates."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tickets.models.channel import Channel
from tickets.models.ticket import Ticket


class IntakeOutcome(models.TextChoices):
    RECEIVED = "received", _("已接收，待解析")
    ACCEPTED = "accepted", _("已生成工单")
    DUPLICATE = "duplicate", _("重复投递")
    INVALID = "invalid", _("内容无效")


class IntakeRecord(models.Model):
    """One authenticated request, kept whatever became of it, so nothing is lost and any can be
    replayed after an adapter fix."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="intake_records",
        db_index=False,  # intake_channel_received (channel, received_at) serves it
    )
    received_at = models.DateTimeField(_("接收时间"))
    # Bytes as received: whatever a channel sends (bad UTF-8, NUL bytes) is kept for replay.
    body = models.BinaryField(_("原始请求体"))
    headers = models.JSONField(_("请求头（选录）"), default=dict)
    outcome = models.CharField(
        _("结果"), max_length=12, choices=IntakeOutcome.choices, default=IntakeOutcome.RECEIVED
    )
    error_detail = models.JSONField(_("错误详情"), default=dict, blank=True)
    external_id = models.CharField(_("渠道单号"), max_length=100, blank=True)
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="intake_records",
    )
    processed_at = models.DateTimeField(_("解析时间"), null=True, blank=True)
    replay_count = models.PositiveIntegerField(_("重放次数"), default=0)
    # After INTAKE_BODY_RETENTION_DAYS the body and headers are emptied
    # (tickets.services.retention); the body's SHA-256 stays, to match a copy the channel holds.
    # db_default: the previous release keeps inserting records while the migration runs.
    body_sha256 = models.CharField(_("原始请求体 SHA-256"), max_length=64, blank=True,
                                   default="", db_default="", editable=False)
    body_purged_at = models.DateTimeField(_("原始请求体清除时间"), null=True, blank=True,
                                          editable=False)

    class Meta:
        verbose_name = _("受理原始记录")
        verbose_name_plural = _("受理原始记录")
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["channel", "received_at"], name="intake_channel_received"),
            # replay_intake: the invalid (or never parsed) records of a channel.
            models.Index(fields=["outcome", "channel"], name="intake_outcome_channel",
                         condition=~models.Q(outcome__in=["accepted", "duplicate"])),
            # The retention task: records whose body is still kept, oldest first.
            models.Index(fields=["received_at"], name="intake_body_kept",
                         condition=models.Q(body_purged_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}#{self.pk} {self.outcome}"


class DuplicateCandidateStatus(models.TextChoices):
    OPEN = "open", _("待确认")
    MERGED = "merged", _("已合并")
    DISMISSED = "dismissed", _("不是重复件")


class DuplicateCandidate(models.Model):
    """A new ticket that nearly repeats an open one; dispatchers decide, nothing merges itself."""

    ticket = models.ForeignKey(
        Ticket, verbose_name=_("新工单"), on_delete=models.CASCADE,
        related_name="duplicate_candidates",
    )
    original = models.ForeignKey(
        Ticket, verbose_name=_("疑似重复的在办工单"), on_delete=models.CASCADE, related_name="+"
    )
    score = models.FloatField(_("文本相似度"))
    reasons = models.JSONField(_("依据"), default=list)
    status = models.CharField(
        _("状态"), max_length=10, choices=DuplicateCandidateStatus.choices,
        default=DuplicateCandidateStatus.OPEN,
    )
    created_at = models.DateTimeField(_("发现时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("疑似重复件")
        verbose_name_plural = _("疑似重复件")
        ordering = ["-score"]
        constraints = [
            models.UniqueConstraint(fields=["ticket", "original"], name="duplicate_candidate_once"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} ≈ {self.original_id} ({self.score:.2f})"
