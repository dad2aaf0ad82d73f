"""Intake channels (渠道): where requests come from and where status callbacks go."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def new_signing_secrets() -> list[str]:
    return [secrets.token_hex(32)]


class ChannelFamily(models.TextChoices):
    HOTLINE = "hotline", _("热线来电")
    WEB_FORM = "web_form", _("网站/APP表单")
    PETITION = "petition", _("信访")
    PUBLIC_OPINION = "public_opinion", _("舆情")
    MACHINE_EVENT = "machine_event", _("感知与网格事件")
    CITY_PLATFORM = "city_platform", _("市级平台")


class Channel(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    family = models.CharField(_("渠道类型"), max_length=20, choices=ChannelFamily.choices)
    description = models.CharField(_("说明"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    # Two secrets are valid at once while a channel rotates its key; the first signs callbacks.
    signing_secrets = models.JSONField(_("签名密钥"), default=new_signing_secrets)
    callback_url = models.URLField(_("状态回调地址"), blank=True)
    rate_limit_per_minute = models.PositiveIntegerField(
        _("每分钟请求上限"), default=600, help_text=_("超过后返回 429，防止单个渠道压垮受理")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("受理渠道")
        verbose_name_plural = _("受理渠道")
        ordering = ["family", "code"]

    def __str__(self) -> str:
        return self.name
