"""The outbox: status callbacks to channels and notices to people, as rows that survive a lost
broker message (durable, retried, re-queued by the intake sweeper)."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.models.channel import Channel
from tickets.models.event import TicketEvent
from tickets.models.ticket import Ticket


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENDING = "sending", _("发送中")
    SENT = "sent", _("已送达")
    DEAD = "dead", _("已停发（死信）")


class CallbackDelivery(models.Model):
    ticket = models.ForeignKey(
        Ticket, verbose_name=_("工单"), on_delete=models.PROTECT, related_name="callbacks"
    )
    channel = models.ForeignKey(
        Channel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="callbacks"
    )
    # One delivery per state change and citizen: the ticket's own channel, and the channel of
    # every duplicate merged into it (each citizen stays a stakeholder). Event ids grow with
    # time, so they order one ticket's deliveries.
    event = models.ForeignKey(
        TicketEvent, verbose_name=_("工单事件"), on_delete=models.PROTECT,
        related_name="callbacks", db_index=False,  # callback_one_per_event_and_ticket serves it
    )
    url = models.URLField(_("回调地址"))
    payload = models.JSONField(_("内容"))
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次发送时间"))
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    last_status_code = models.PositiveSmallIntegerField(_("最近响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("状态回调")
        verbose_name_plural = _("状态回调")
        ordering = ["ticket_id", "event_id"]
        constraints = [
            models.UniqueConstraint(fields=["event", "ticket"],
                                    name="callback_one_per_event_and_ticket"),
        ]
        indexes = [
            # callback sweeper: pending deliveries that are due.
            models.Index(fields=["next_attempt_at"], name="callback_due",
                         condition=Q(status="pending")),
            # callback sweeper: claims left behind by a worker that died mid-send.
            models.Index(fields=["claimed_at"], name="callback_stale_claims",
                         condition=Q(status="sending")),
            # the head-of-line check: earlier unsent deliveries of the same ticket.
            models.Index(fields=["ticket", "event"], name="callback_unsent_by_ticket",
                         condition=~Q(status="sent")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}/{self.event_id} {self.status}"


class Notification(models.Model):
    """A notice to one person: always in-app (this row); the notifiers named in
    settings.NOTIFIERS (log, webhook, SMS) deliver it too, after commit."""

    recipient = models.ForeignKey("dispatch.Staff", verbose_name=_("接收人"),
                                  on_delete=models.CASCADE, related_name="notifications")
    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), null=True, blank=True,
                               on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(_("类型"), max_length=32)
    text = models.CharField(_("内容"), max_length=300)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # Notifiers that have it (names from settings.NOTIFIERS); delivered_at once all have.
    delivered_to = models.JSONField(_("已送达"), default=list, blank=True)
    delivered_at = models.DateTimeField(_("送达完成"), null=True, blank=True)
    delivery_attempts = models.PositiveSmallIntegerField(_("送达尝试次数"), default=0)
    delivery_error = models.CharField(_("送达错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at"]
        indexes = [
            # A person's unread notices (the console's bell).
            models.Index(fields=["recipient", "created_at"], name="notification_unread",
                         condition=Q(read_at__isnull=True)),
            # The sweeper: notices some notifier has not delivered yet (lost broker message).
            models.Index(fields=["created_at"], name="notification_undelivered",
                         condition=Q(delivered_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.text
