"""Every action a person takes on a ticket, declared once: its inputs, the service it calls,
who is offered it and from which states. The console's ticket page, the API's
POST /api/tickets/<number>/<action>/ endpoints and the admin's action pages are all read from
here; adding an action is one entry (plus its service).

Offering is a convenience: each service checks the state and the person again and refuses on
its own, with the same error through every interface."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from django.contrib.auth.models import User
from django.utils.translation import gettext_lazy as _

from org import roles
from sla.extensions import sla_extension_request
from sla.models import SupervisionLevel
from sla.supervision import supervision_issue
from sla.suspensions import sla_suspension_request
from tickets.actions.spec import Choices, Field, FieldKind, Result, TicketAction, Values
from tickets.core.errors import TicketInputError
from tickets.dispatching import collaboration
from tickets.dispatching import services as dispatching
from tickets.models import OPEN_STATES, WORKING_STATES, ReturnReason, Satisfaction, Ticket
from tickets.models import TicketState as S
from tickets.models import transition_rules as rules
from tickets.selectors.visible import ticket_visible_by_number
from tickets.services import lifecycle as services

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

CONTACT_METHODS: Choices = (("电话", _("电话")), ("短信", _("短信")), ("上门", _("上门")),
                            ("视频", _("视频")))
MEETING_METHODS: Choices = (("上门", _("上门/到现场")), ("约谈", _("约谈")),
                            ("视频", _("视频会面")))

SEEN_VERSION = Field("version", FieldKind.VERSION, _("工单版本"), required=False,
                     help="调用方看到的工单版本；已被他人更新时返回 409")
UNIT = Field("unit", FieldKind.UNIT, _("单位"))
ANY_PERSON = Field("assignee", FieldKind.PERSON, _("责任人"), required=False,
                   help="不填则按值班表自动选择")


def _method(choices: Choices, label: StrOrPromise) -> Field:
    return Field("method", FieldKind.CHOICE, label, required=False, choices=choices,
                 help="记在说明之前，如【电话】")


def _noted(values: Values) -> str:
    """Method and note as one line of the trail: 【电话】已致电."""
    method, note = values.get("method") or "", values.get("note") or ""
    return f"【{method}】{note}".strip() if method else note


def _merge(ticket: Ticket, actor: User, values: Values) -> Ticket:
    """The parent is named by number, and only a ticket the person may see can be it."""
    number = str(values["parent"]).strip()
    parent = ticket_visible_by_number(user=actor, number=number)
    if parent is None:
        raise TicketInputError({"parent": [f"找不到主单 {number}"]}, ticket=ticket)
    return services.ticket_merge(ticket=ticket, actor=actor, parent=parent,
                                 reason=values.get("reason", ""))


def _asks_for_time(ticket: Ticket, user: User) -> bool:
    """Extensions and suspensions are asked by the person holding the ticket or their lead."""
    return rules.is_assignee(ticket, user) or rules.is_lead_of_ticket_unit(ticket, user)


def _supervisor(ticket: Ticket, user: User) -> bool:
    return (roles.is_district_supervisor(user) or roles.is_superuser(user)) \
        and bool(ticket.unit_id)


_ENTRIES = (
    TicketAction(
        name="dispatch", label=_("分拨派单"), api_path="dispatch",
        # "dispatch" is the name of every Django view's entry point.
        api_name="dispatch_ticket",
        summary="分拨派单（可不指定责任人，按值班表自动选人）",
        fields=(SEEN_VERSION, UNIT, ANY_PERSON,
                Field("reason", FieldKind.TEXT, _("说明"), required=False)),
        call=lambda t, u, v: dispatching.ticket_dispatch(ticket=t, actor=u, **v),
        may_take=rules.may_dispatch, states=(S.RECEIVED, S.TRIAGE), transitions=("assign",)),
    TicketAction(
        name="reject", label=_("作废"), api_path="reject", api_name="reject",
        summary="作废（无效/骚扰）",
        fields=(SEEN_VERSION, Field("reason", FieldKind.TEXT, _("作废理由"), blank=True)),
        call=lambda t, u, v: services.ticket_reject(ticket=t, actor=u, **v),
        may_take=rules.may_reject, states=(S.RECEIVED, S.TRIAGE), transitions=("reject",)),
    TicketAction(
        name="contact", label=_("记录联系诉求人"), api_path="contact", api_name="contact",
        summary="记录联系诉求人",
        fields=(SEEN_VERSION, _method(CONTACT_METHODS, _("联系方式")),
                Field("note", FieldKind.LONG_TEXT, _("联系情况"), required=False)),
        call=lambda t, u, v: services.ticket_record_contact(ticket=t, actor=u, note=_noted(v)),
        may_take=lambda t, u: rules.may_work(t, u) and rules.has_assignee(t),
        states=(S.ASSIGNED,), transitions=("record_contact",)),
    TicketAction(
        name="meeting", label=_("记录约见/到场"), api_path="meeting", api_name="meeting",
        summary="记录约见/到场",
        fields=(SEEN_VERSION, _method(MEETING_METHODS, _("约见方式")),
                Field("note", FieldKind.LONG_TEXT, _("约见情况"), required=False)),
        call=lambda t, u, v: services.ticket_record_meeting(ticket=t, actor=u, note=_noted(v)),
        may_take=rules.may_work, states=(S.CONTACTED,), transitions=("record_meeting",)),
    TicketAction(
        name="resolve", label=_("办结并答复"), api_path="resolve", api_name="resolve",
        summary="办结并答复",
        fields=(SEEN_VERSION,
                Field("reply", FieldKind.LONG_TEXT, _("答复诉求人"), blank=True, rows=4)),
        call=lambda t, u, v: services.ticket_resolve(ticket=t, actor=u, **v),
        may_take=rules.may_work, states=(S.MET,), transitions=("resolve",)),
    TicketAction(
        name="return_request", label=_("申请退单"), api_path="return-request",
        api_name="return_request",
        summary="申请退单（由他人审核：本单位负责人；负责人本人申请的由其他负责人或分拨中心审核）",
        fields=(Field("reason_code", FieldKind.CHOICE, _("退单理由"),
                      choices=tuple(ReturnReason.choices)),
                Field("text", FieldKind.LONG_TEXT, _("说明"), blank=True)),
        call=lambda t, u, v: collaboration.ticket_return_request(ticket=t, actor=u, **v),
        may_take=lambda t, u: rules.is_unit_member(t, u) or roles.is_superuser(u),
        states=WORKING_STATES, result=Result.ROW, may_leave=True,
        transitions=("return_to_triage",)),
    TicketAction(
        name="transfer", label=_("改派"), api_path="reroute", api_name="reroute",
        summary="改派到其他单位",
        fields=(SEEN_VERSION, UNIT, ANY_PERSON,
                Field("reason", FieldKind.TEXT, _("改派理由"), blank=True)),
        call=lambda t, u, v: dispatching.ticket_reroute(ticket=t, actor=u, **v),
        may_take=rules.may_transfer, states=WORKING_STATES, may_leave=True,
        transitions=("transfer",)),
    TicketAction(
        name="reassign", label=_("更换责任人"), api_path="reassign", api_name="reassign",
        summary="更换本单位责任人",
        fields=(SEEN_VERSION, Field("assignee", FieldKind.PERSON, _("责任人")),
                Field("reason", FieldKind.TEXT, _("说明"), required=False)),
        call=lambda t, u, v: services.ticket_reassign(ticket=t, actor=u, **v),
        may_take=rules.may_reassign, states=WORKING_STATES),
    TicketAction(
        name="extension", label=_("申请延期"), api_path="extension", api_name="extension",
        summary="申请延期（新的办结时限，待单位负责人审批）",
        fields=(Field("new_due_at", FieldKind.DATETIME, _("申请的办结时限"),
                      help="申请的新办结时限"),
                Field("reason", FieldKind.LONG_TEXT, _("延期理由"), blank=True)),
        call=lambda t, u, v: sla_extension_request(ticket=t, actor=u, **v),
        may_take=_asks_for_time, states=WORKING_STATES, result=Result.ROW),
    TicketAction(
        name="suspension", label=_("申请暂停计时"), api_path="suspension",
        api_name="suspension", summary="申请暂停计时（如联系不上诉求人，待单位负责人审批）",
        fields=(Field("reason", FieldKind.LONG_TEXT, _("暂停计时理由"), blank=True),),
        call=lambda t, u, v: sla_suspension_request(ticket=t, actor=u, **v),
        may_take=_asks_for_time, states=WORKING_STATES, result=Result.ROW),
    TicketAction(
        name="assist", label=_("增加协办单位"), api_path="assist", api_name="assist",
        summary="增加协办单位及协办事项",
        fields=(UNIT, Field("task", FieldKind.TEXT, _("协办事项"), blank=True)),
        call=lambda t, u, v: collaboration.ticket_assist_add(ticket=t, actor=u, **v),
        may_take=rules.may_edit_routing, states=WORKING_STATES, result=Result.ROW),
    TicketAction(
        name="merge", label=_("合并为重复件"), api_path="merge", api_name="merge",
        summary="作为重复件并入主单",
        fields=(SEEN_VERSION,
                Field("parent", FieldKind.TICKET_NUMBER, _("主单编号"),
                      help="要并入的在办工单编号，如 FT20261128-000123"),
                Field("reason", FieldKind.TEXT, _("说明"), required=False)),
        call=_merge,
        may_take=lambda t, u: rules.may_dispatch(t, u) and rules.has_no_merged_children(t),
        states=OPEN_STATES, transitions=("merge",)),
    TicketAction(
        name="follow_up", label=_("回访（不满意则重办）"), api_path="follow-up",
        api_name="follow_up", summary="回访结果（渠道回传或分拨中心回访）",
        fields=(SEEN_VERSION,
                Field("satisfaction", FieldKind.CHOICE, _("回访结果"),
                      choices=tuple(Satisfaction.choices)),
                Field("note", FieldKind.TEXT, _("回访记录"), required=False)),
        call=lambda t, u, v: services.ticket_follow_up(ticket=t, actor=u, **v),
        may_take=rules.may_follow_up, states=(S.RESOLVED,), transitions=("close", "reopen")),
    TicketAction(
        name="close_unreasonable", label=_("审定不合理诉求并归档"),
        api_path="close-unreasonable", api_name="close_unreasonable",
        summary="督办员审定不合理诉求并归档",
        fields=(SEEN_VERSION, Field("reason", FieldKind.LONG_TEXT, _("审定理由"), blank=True)),
        call=lambda t, u, v: services.ticket_close_unreasonable(ticket=t, actor=u, **v),
        # Only after an unsatisfied follow-up (the transition's condition).
        may_take=lambda t, u: rules.may_rule(t, u) and rules.citizen_unsatisfied(t),
        states=(*WORKING_STATES, S.RESOLVED), transitions=("close_unreasonable",)),
    TicketAction(
        name="supervise", label=_("下发督办单"), api_path="supervise", api_name="supervise",
        summary="督办员下发督办单（督办/挂牌督办，含回复时限）",
        fields=(Field("level", FieldKind.CHOICE, _("督办级别"),
                      choices=tuple(SupervisionLevel.choices)),
                Field("instructions", FieldKind.LONG_TEXT, _("督办意见"), blank=True),
                Field("reply_due_at", FieldKind.DATETIME, _("回复时限"), help="单位回复时限")),
        call=lambda t, u, v: supervision_issue(ticket=t, actor=u, **v),
        may_take=_supervisor, states=OPEN_STATES, result=Result.ROW),
)

# By name, in the order the ticket page lists them.
CATALOGUE: Mapping[str, TicketAction] = MappingProxyType({a.name: a for a in _ENTRIES})


def _unique(attribute: str) -> None:
    values = [getattr(a, attribute) for a in _ENTRIES]
    duplicated = {v for v in values if values.count(v) > 1}
    if duplicated:
        raise ValueError(f"ticket actions share {attribute}: {sorted(duplicated)}")


for _attribute in ("name", "api_path", "api_name"):
    _unique(_attribute)


def ticket_actions_offered(*, ticket: Ticket, user: User) -> list[TicketAction]:
    """The actions to offer this person on this ticket, in the catalogue's order."""
    return [a for a in CATALOGUE.values() if a.offered_to(ticket, user)]
