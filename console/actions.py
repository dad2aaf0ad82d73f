"""Every ticket action the console offers: its form, the service it calls, and when to show it
(showing is a convenience; the services refuse whatever the person may not do)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from console import forms as f
from org import roles
from sla.extensions import sla_extension_request
from sla.supervision import supervision_issue
from sla.suspensions import sla_suspension_request
from tickets.core.errors import TicketInputError
from tickets.dispatching import collaboration
from tickets.dispatching import services as dispatching
from tickets.models import Ticket, TicketState
from tickets.models import transition_rules as rules
from tickets.models.ticket import OPEN_STATES, WORKING_STATES
from tickets.services import lifecycle as services

Call = Callable[[Ticket, Any, dict[str, Any]], object]
Shown = Callable[[Ticket, Any], bool]


@dataclass(frozen=True)
class ConsoleAction:
    name: str
    label: str
    form: type[forms.Form]
    call: Call
    shown: Shown
    # After it the ticket may have left the person's sight (returned, transferred away).
    may_leave: bool = False


def _noted(v: dict[str, Any]) -> str:
    return f"【{v['method']}】{v['note']}".strip()


def _merge(ticket: Ticket, user: Any, v: dict[str, Any]) -> object:
    from tickets.core.selectors import ticket_visible_to

    parent = ticket_visible_to(user=user).filter(number=v["parent"].strip()).first()
    if parent is None:
        raise TicketInputError({"parent": [f"找不到主单 {v['parent']}"]}, ticket=ticket)
    return services.ticket_merge(ticket=ticket, actor=user, parent=parent, reason=v["reason"])


def _working(ticket: Ticket) -> bool:
    return ticket.state in WORKING_STATES


def _holder(ticket: Ticket, user: Any) -> bool:
    return rules.is_assignee(ticket, user) or rules.is_lead_of_ticket_unit(ticket, user) \
        or roles.is_superuser(user)


ACTIONS: dict[str, ConsoleAction] = {a.name: a for a in [
    ConsoleAction(
        "dispatch", _("分拨派单"), f.DispatchForm,
        lambda t, u, v: dispatching.ticket_dispatch(ticket=t, actor=u, **v),
        lambda t, u: t.state in (TicketState.RECEIVED, TicketState.TRIAGE)
        and rules.may_dispatch(t, u)),
    ConsoleAction(
        "reject", _("作废"), f.RejectForm,
        lambda t, u, v: services.ticket_reject(ticket=t, actor=u, **v),
        lambda t, u: t.state in (TicketState.RECEIVED, TicketState.TRIAGE)
        and rules.may_reject(t, u)),
    ConsoleAction(
        "contact", _("记录联系诉求人"), f.ContactForm,
        lambda t, u, v: services.ticket_record_contact(ticket=t, actor=u, note=_noted(v)),
        lambda t, u: t.state == TicketState.ASSIGNED and rules.may_work(t, u)),
    ConsoleAction(
        "meeting", _("记录约见/到场"), f.MeetingForm,
        lambda t, u, v: services.ticket_record_meeting(ticket=t, actor=u, note=_noted(v)),
        lambda t, u: t.state == TicketState.CONTACTED and rules.may_work(t, u)),
    ConsoleAction(
        "resolve", _("办结并答复"), f.ResolveForm,
        lambda t, u, v: services.ticket_resolve(ticket=t, actor=u, **v),
        lambda t, u: t.state == TicketState.MET and rules.may_work(t, u)),
    ConsoleAction(
        "return_request", _("申请退单"), f.ReturnRequestForm,
        lambda t, u, v: collaboration.ticket_return_request(ticket=t, actor=u, **v),
        lambda t, u: _working(t) and rules.is_unit_member(t, u), may_leave=True),
    ConsoleAction(
        "transfer", _("改派"), f.TransferForm,
        lambda t, u, v: dispatching.ticket_reroute(ticket=t, actor=u, **v),
        lambda t, u: _working(t) and rules.may_transfer(t, u), may_leave=True),
    ConsoleAction(
        "extension", _("申请延期"), f.ExtensionForm,
        lambda t, u, v: sla_extension_request(ticket=t, actor=u, **v),
        lambda t, u: _working(t) and _holder(t, u)),
    ConsoleAction(
        "suspension", _("申请暂停计时"), f.SuspensionForm,
        lambda t, u, v: sla_suspension_request(ticket=t, actor=u, **v),
        lambda t, u: _working(t) and _holder(t, u)),
    ConsoleAction(
        "assist", _("增加协办单位"), f.AssistForm,
        lambda t, u, v: collaboration.ticket_assist_add(ticket=t, actor=u, **v),
        lambda t, u: _working(t) and rules.may_edit_routing(t, u)),
    ConsoleAction(
        "merge", _("合并为重复件"), f.MergeForm, _merge,
        lambda t, u: t.state in OPEN_STATES and (roles.is_district_dispatcher(u)
                                                 or roles.is_superuser(u))),
    ConsoleAction(
        "follow_up", _("回访（不满意则重办）"), f.FollowUpForm,
        lambda t, u, v: services.ticket_follow_up(ticket=t, actor=u, **v),
        lambda t, u: t.state == TicketState.RESOLVED and rules.may_follow_up(t, u)),
    ConsoleAction(
        "supervise", _("下发督办单"), f.SuperviseForm,
        lambda t, u, v: supervision_issue(ticket=t, actor=u, **v),
        lambda t, u: t.state in OPEN_STATES and bool(t.unit_id)
        and (roles.is_district_supervisor(u) or roles.is_superuser(u))),
]}
