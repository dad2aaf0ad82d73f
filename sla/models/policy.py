"""SLA policies: versioned data, one per urgency (optionally narrowed by category or channel)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class Milestone(models.TextChoices):
    CONTACT = "contact", _("联系诉求人")
    MEET = "meet", _("约见/到场")
    RESOLVE = "resolve", _("办结")
    FOLLOW_UP = "follow_up", _("回访")


class CalendarKind(models.TextChoices):
    ROUND_THE_CLOCK = "24x7", _("全天候（24×7）")
    WORKING = "working", _("工作时间")


class EscalationLevel(models.TextChoices):
    UNIT_LEAD = "unit_lead", _("单位负责人")
    DISTRICT = "district", _("区督办")
    LISTED = "listed", _("挂牌督办")


def default_escalation() -> list[dict[str, object]]:
    """After a breach: the unit lead at once, the district supervisors (督办) an hour late, a
    listed supervision (挂牌督办) a day late."""
    return [{"level": EscalationLevel.UNIT_LEAD.value, "after_minutes": 0},
            {"level": EscalationLevel.DISTRICT.value, "after_minutes": 60},
            {"level": EscalationLevel.LISTED.value, "after_minutes": 24 * 60}]


class SlaPolicy(models.Model):
    """Which milestones apply, their limits and calendars, for an urgency (optionally narrowed
    by category or channel). Rows are never edited once used: a change is a new version, and a
    ticket keeps the version its clocks started with."""

    name = models.CharField(_("名称"), max_length=60)
    urgency = models.CharField(_("紧急程度"), max_length=10)
    category_l1 = models.CharField(_("一级分类"), max_length=40, blank=True,
                                   help_text=_("留空表示所有分类"))
    channel_code = models.CharField(_("渠道"), max_length=40, blank=True,
                                    help_text=_("留空表示所有渠道"))
    # [{"milestone": "contact", "minutes": 10, "calendar": "24x7"}, ...]
    milestones = models.JSONField(_("节点时限"))
    warn_ratio = models.FloatField(_("预警点"), default=0.8,
                                   help_text=_("时限过去这一比例时预警"))
    restart_on_transfer = models.BooleanField(_("改派后重新计时"), default=True)
    # [{"level": "unit_lead", "after_minutes": 0}, ...]: minutes after the deadline, in order.
    escalation = models.JSONField(_("升级督办阶梯"), default=default_escalation, blank=True)
    version = models.PositiveIntegerField(_("版本"), default=1)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("时限规则")
        verbose_name_plural = _("时限规则")
        ordering = ["urgency", "name", "-version"]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"

    def limits(self) -> list[tuple[str, int, str]]:
        return [(m["milestone"], int(m["minutes"]), m.get("calendar", CalendarKind.ROUND_THE_CLOCK))
                for m in self.milestones]

    def ladder(self) -> list[tuple[str, int]]:
        return [(step["level"], int(step.get("after_minutes", 0))) for step in self.escalation]

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        errors: list[StrOrPromise] = []
        try:
            limits = self.limits()
            ladder = self.ladder()
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValidationError(_("节点时限或升级阶梯格式不正确")) from None
        for milestone, minutes, calendar in limits:
            if milestone not in Milestone.values:
                errors.append(_("未知节点：%s") % milestone)
            if calendar not in CalendarKind.values:
                errors.append(_("未知日历：%s") % calendar)
            if minutes <= 0:
                errors.append(_("时限必须大于 0 分钟"))
        if len({m for m, _m, _c in limits}) != len(limits):
            errors.append(_("同一节点只能出现一次"))
        afters = [after for _level, after in ladder]
        if any(level not in EscalationLevel.values for level, _a in ladder):
            errors.append(_("未知的升级层级"))
        if afters != sorted(afters) or any(a < 0 for a in afters):
            errors.append(_("升级阶梯的分钟数必须从小到大且不为负"))
        if not 0 < self.warn_ratio < 1:
            errors.append(_("预警点必须在 0 和 1 之间"))
        if errors:
            raise ValidationError(errors)


