"""The org directory: units (承办单位) and their staff, plus the liveness heartbeat."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class UnitKind(models.TextChoices):
    DISTRICT_DEPARTMENT = "district_department", _("区直部门")
    STREET_OFFICE = "street_office", _("街道办事处")
    CITY_BRANCH = "city_branch", _("驻区单位")
    PUBLIC_UTILITY = "public_utility", _("公共服务企业")


class Unit(models.Model):
    code = models.SlugField(_("编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80, unique=True)
    short_name = models.CharField(_("简称"), max_length=30, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name=_("上级单位"), null=True, blank=True,
        on_delete=models.PROTECT, related_name="children",
    )
    # The dispatch centre and the supervision office work on every unit's tickets.
    is_district_wide = models.BooleanField(_("全区视野"), default=False)
    # 7×24 units (utilities, emergency services) must have someone on duty at every hour.
    always_on = models.BooleanField(_("7×24 值守"), default=False)
    # Automatic dispatch needs at least this model confidence; empty: DISPATCH_AUTO_THRESHOLD.
    auto_threshold = models.FloatField(
        _("自动派单置信度阈值"), null=True, blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)])
    # Takes tickets when nobody is on duty, and hears when a ticket waits in the unit queue.
    duty_lead = models.ForeignKey(
        "Staff", verbose_name=_("值班负责人"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+",
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("承办单位")
        verbose_name_plural = _("承办单位")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.name


class StaffRole(models.TextChoices):
    DISPATCHER = "dispatcher", _("分拨员")
    CASEWORKER = "caseworker", _("经办人")
    UNIT_LEAD = "unit_lead", _("单位负责人")
    SUPERVISOR = "supervisor", _("督办员")


class Staff(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("账号"), on_delete=models.CASCADE,
        related_name="staff",
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("所属单位"), on_delete=models.PROTECT, related_name="staff",
    )
    role = models.CharField(_("角色"), max_length=16, choices=StaffRole.choices)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    on_duty = models.BooleanField(_("在岗"), default=True)
    capacity = models.PositiveSmallIntegerField(
        _("承办容量"), default=20, help_text=_("同时在办工单的上限")
    )
    # Round-robin among equally loaded people: the one assigned longest ago goes first.
    last_assigned_at = models.DateTimeField(_("最近派单时间"), null=True, blank=True,
                                            editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["unit__code", "role", "user__username"]
        indexes = [
            # Choosing a person: the on-duty staff of one unit in one role.
            models.Index(fields=["unit", "role", "on_duty"], name="staff_unit_role_duty"),
        ]

    def __str__(self) -> str:
        full_name = self.user.get_full_name() or self.user.get_username()
        return f"{full_name}（{self.unit.short_name or self.unit.name}·{self.get_role_display()}）"

    @property
    def is_district_wide(self) -> bool:
        return self.unit.is_district_wide

    @property
    def takes_tickets(self) -> bool:
        """Caseworkers are dispatched to (a lead may be named by hand); a dispatcher or a
        supervisor holds no tickets, so their capacity means nothing."""
        return self.role in (StaffRole.CASEWORKER, StaffRole.UNIT_LEAD)


class ServiceHeartbeat(models.Model):
    """Last time each background process proved it was alive (beat schedules, a worker runs)."""

    name = models.CharField(_("来源"), max_length=80, primary_key=True)
    seen_at = models.DateTimeField(_("最近心跳"))
    hostname = models.CharField(_("主机"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("后台心跳")
        verbose_name_plural = _("后台心跳")

    def __str__(self) -> str:
        return f"{self.name} @ {self.seen_at:%Y-%m-%d %H:%M:%S}"
