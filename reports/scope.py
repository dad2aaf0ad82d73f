"""What a report covers: its filters, and whose units a person may report on (district
supervisors and superusers: every unit; a unit lead: their own; nobody else)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from org.models import StaffRole, Unit
from org.roles import is_district_supervisor, is_superuser, staff_of
from tickets.core.text import control_character_in, control_character_message, too_long_message
from tickets.models import Channel, Urgency

Viewer = AbstractBaseUser | AnonymousUser
FILTER_PARAMS = ("unit", "channel", "category", "urgency", "street")
MAX_PARAM_LENGTH = 60


class ReportFilterError(ValueError):
    """Unknown filter values, per field, in Chinese."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class ReportForbidden(PermissionError):
    """The person may not see this report (a unit lead asking for another unit: a 404)."""


@dataclass(frozen=True)
class ReportFilters:
    """Every field narrows the tickets; ``None`` or "" leaves it open."""

    unit: Unit | None = None
    channel: str = ""
    category: str = ""  # category_l1
    urgency: str = ""
    street: Unit | None = None

    def as_params(self) -> dict[str, str]:
        """The same filters as query parameters (links to the tickets behind a number)."""
        params = {"unit": self.unit.code if self.unit else "", "channel": self.channel,
                  "category": self.category, "urgency": self.urgency,
                  "street": self.street.code if self.street else ""}
        return {key: value for key, value in params.items() if value}

    def describe(self) -> str:
        parts = [f"单位：{self.unit.name}" if self.unit else "",
                 f"渠道：{self.channel}" if self.channel else "",
                 f"分类：{self.category}" if self.category else "",
                 f"紧急程度：{Urgency(self.urgency).label}" if self.urgency else "",
                 f"街道：{self.street.name}" if self.street else ""]
        return "，".join(p for p in parts if p) or "全部"


def report_filters_parse(*, params: Mapping[str, str]) -> ReportFilters:
    """Filters from query parameters or command options (codes, not ids)."""
    errors: dict[str, str] = {}
    for name in FILTER_PARAMS:
        bad = control_character_in(params.get(name, ""), strict=True)
        if bad is not None:
            errors[name] = control_character_message(bad)
        elif len(params.get(name, "")) > MAX_PARAM_LENGTH:
            errors[name] = too_long_message(limit=MAX_PARAM_LENGTH,
                                            length=len(params.get(name, "")))
    if errors:
        raise ReportFilterError(errors)

    def unit_named(field: str, code: str) -> Unit | None:
        if not code.strip():
            return None
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            errors[field] = f"没有编码为 {code.strip()} 的单位"
        return unit

    unit = unit_named("unit", params.get("unit", ""))
    street = unit_named("street", params.get("street", ""))
    channel = params.get("channel", "").strip()
    if channel and not Channel.objects.filter(code=channel).exists():
        errors["channel"] = f"没有编码为 {channel} 的渠道"
    urgency = params.get("urgency", "").strip()
    if urgency and urgency not in Urgency.values:
        errors["urgency"] = f"紧急程度只能是 {'、'.join(Urgency.values)}"
    if errors:
        raise ReportFilterError(errors)
    return ReportFilters(unit=unit, channel=channel, category=params.get("category", "").strip(),
                         urgency=urgency, street=street)


def report_may_view_all(*, user: Viewer) -> bool:
    return is_superuser(user) or is_district_supervisor(user)


def report_own_unit(*, user: Viewer) -> Unit | None:
    """The unit a unit lead (or a unit's own supervisor) reports on; None for anyone else."""
    staff = staff_of(user)
    if (staff is not None and not staff.unit.is_district_wide
            and staff.role in (StaffRole.UNIT_LEAD, StaffRole.SUPERVISOR)):
        return staff.unit
    return None


def report_may_view(*, user: Viewer) -> bool:
    return report_may_view_all(user=user) or report_own_unit(user=user) is not None


def report_filters_for(*, user: Viewer, filters: ReportFilters) -> ReportFilters:
    """The filters narrowed to what the person may see: a unit lead's reports are always of
    their unit (asking for another unit's is ReportForbidden); nobody else's role reports."""
    if report_may_view_all(user=user):
        return filters
    own = report_own_unit(user=user)
    if own is None:
        raise ReportForbidden("只有督办员和单位负责人可以查看考核报表")
    if filters.unit is not None and filters.unit.pk != own.pk:
        raise ReportForbidden("单位负责人只能查看本单位的报表")
    return replace(filters, unit=own)
