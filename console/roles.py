"""Who the console is for: each person's role decides their home page and navigation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.contrib.auth.models import AbstractBaseUser
from django.utils.translation import gettext_lazy as _

from org.models import StaffRole
from org.roles import is_superuser, staff_of

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True)
class ConsoleRole:
    """A kind of console user: the pages their navigation lists are the role-restricted pages
    they may open (console.views.common.console_page refuses the others with 403)."""

    key: str
    label: StrOrPromise
    home: str  # url name
    nav: tuple[tuple[str, StrOrPromise], ...]  # (url name, label)

    def may_open(self, page: str) -> bool:
        return any(name == page for name, _label in self.nav)


DISPATCHER = ConsoleRole("dispatcher", _("分拨员"), "console:triage", (
    ("console:triage", _("分拨队列")), ("console:duplicates", _("疑似重复")),
    ("console:all_open", _("全部在办")), ("console:follow_ups", _("回访")),
    ("console:search", _("工单查询")),
    # Returns a unit lead asked for themself wait for the centre (or another lead).
    ("console:approvals", _("待审批"))))
CASEWORKER = ConsoleRole("caseworker", _("经办人"), "console:mine", (
    ("console:mine", _("我的工单")), ("console:history", _("历史工单"))))
UNIT_LEAD = ConsoleRole("unit_lead", _("单位负责人"), "console:unit", (
    ("console:unit", _("本单位工单")), ("console:approvals", _("待审批")),
    ("console:team", _("人员负荷与值班")), ("console:mine", _("我的工单")),
    ("console:supervisions", _("督办单")), ("console:reports", _("考核报表")),
    ("console:history", _("历史工单"))))
UNIT_DISPATCHER = ConsoleRole("unit_dispatcher", _("单位分拨员"), "console:unit", (
    ("console:unit", _("本单位工单")), ("console:history", _("历史工单"))))
SUPERVISOR = ConsoleRole("supervisor", _("督办员"), "console:overview", (
    ("console:overview", _("全区概览")), ("console:supervisions", _("督办单")),
    ("console:rulings", _("待审定")), ("console:all_open", _("全部在办")),
    ("console:follow_ups", _("回访")), ("console:search", _("工单查询")),
    ("console:reports", _("考核报表"))))
ADMIN = ConsoleRole("admin", _("系统管理员"), "console:overview", (
    *SUPERVISOR.nav, ("console:triage", _("分拨队列")), ("console:duplicates", _("疑似重复")),
    ("console:approvals", _("待审批"))))
ROLES = (DISPATCHER, CASEWORKER, UNIT_LEAD, UNIT_DISPATCHER, SUPERVISOR, ADMIN)


def roles_that_may_open(page: str) -> list[ConsoleRole]:
    return [role for role in ROLES if role.may_open(page)]


def console_role(user: AbstractBaseUser) -> ConsoleRole | None:
    staff = staff_of(user)
    if staff is None:
        return ADMIN if is_superuser(user) else None
    district = staff.unit.is_district_wide
    if staff.role == StaffRole.DISPATCHER:
        return DISPATCHER if district else UNIT_DISPATCHER
    if staff.role == StaffRole.SUPERVISOR:
        return SUPERVISOR if district else UNIT_LEAD
    if staff.role == StaffRole.UNIT_LEAD:
        return UNIT_LEAD
    return CASEWORKER
