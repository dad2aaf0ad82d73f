"""Who may apply a transition (permissions) and when it makes sense (conditions).

django-fsm-2 calls permissions as ``permission(ticket, user)``; ``user`` is ``None`` when the
system acts (the router, a Celery task). Conditions are called as ``condition(ticket)``, and each
carries the Chinese message shown when it fails.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from org.roles import is_district_dispatcher, is_district_supervisor, is_superuser, staff_of

if TYPE_CHECKING:
    from django.db.models import Model

    from org.roles import AnyUser
    from tickets.models import Ticket

Condition = Callable[["Ticket"], bool]
Permission = Callable[["Ticket", "AnyUser"], bool]
# What django-fsm-2's transition() is typed to take: a permission of (any model, a user with
# permissions) and a condition of (any model). It calls them with the ticket being changed (and
# the actor, None for the system), so the rules below keep their own, narrower signatures.
FsmPermission = Callable[["Model", Any], bool]
FsmCondition = Callable[["Model"], bool]


def fsm_permission(rule: Permission) -> FsmPermission:
    """A rule as transition(permission=...) takes it: the same function."""
    return cast("FsmPermission", rule)


def is_lead_of_ticket_unit(ticket: Ticket, user: AnyUser) -> bool:
    staff = staff_of(user)
    return bool(
        staff and staff.role == "unit_lead" and ticket.unit_id and staff.unit_id == ticket.unit_id
    )


def is_assignee(ticket: Ticket, user: AnyUser) -> bool:
    staff = staff_of(user)
    return bool(staff and ticket.assignee_id and staff.pk == ticket.assignee_id)


def is_unit_member(ticket: Ticket, user: AnyUser) -> bool:
    staff = staff_of(user)
    return bool(staff and ticket.unit_id and staff.unit_id == ticket.unit_id)


# --- permissions (ticket, user) -> bool -----------------------------------------------------------

def may_dispatch(ticket: Ticket, user: AnyUser) -> bool:
    """Triage, assign, merge: the router (system) or a dispatcher of the dispatch centre; a
    district supervisor only to carry out their ruling on a bounced ticket."""
    if user is None or is_superuser(user) or is_district_dispatcher(user):
        return True
    return is_district_supervisor(user) and ticket.rulings.filter(state="pending").exists()


def may_rule(ticket: Ticket, user: AnyUser) -> bool:
    """Binding rulings (审定) and unreasonable-demand decisions: district supervisors."""
    return is_superuser(user) or is_district_supervisor(user)


def may_reject(ticket: Ticket, user: AnyUser) -> bool:
    """Invalid or spam: a centre dispatcher, or a system filter."""
    return user is None or is_superuser(user) or is_district_dispatcher(user)


def may_work(ticket: Ticket, user: AnyUser) -> bool:
    """Contact, meeting, resolution: the assignee or the lead of the ticket's unit."""
    return is_superuser(user) or is_assignee(ticket, user) or is_lead_of_ticket_unit(ticket, user)


def may_return(ticket: Ticket, user: AnyUser) -> bool:
    """A return (退单) is carried out by whoever approves its request: the unit's lead, or a
    centre dispatcher while a request waits (which ones the centre may approve, e.g. a lead's
    own, is tickets.dispatching.collaboration.return_request_may_decide's)."""
    if is_superuser(user) or is_lead_of_ticket_unit(ticket, user):
        return True
    return is_district_dispatcher(user) and ticket.return_requests.filter(
        state="pending").exists()


def may_transfer(ticket: Ticket, user: AnyUser) -> bool:
    """A transfer (改派): the current unit's lead or a centre dispatcher."""
    return (
        is_superuser(user)
        or is_lead_of_ticket_unit(ticket, user)
        or is_district_dispatcher(user)
    )


def may_follow_up(ticket: Ticket, user: AnyUser) -> bool:
    """回访 result (close or reopen): the centre, a supervisor, or a channel's rating (system)."""
    return (
        user is None
        or is_superuser(user)
        or is_district_dispatcher(user)
        or is_district_supervisor(user)
    )


def may_edit_routing(ticket: Ticket, user: AnyUser) -> bool:
    """Urgency, category, assisting units: the centre or the ticket unit's lead."""
    return (
        user is None
        or is_superuser(user)
        or is_district_dispatcher(user)
        or is_lead_of_ticket_unit(ticket, user)
    )


def may_reassign(ticket: Ticket, user: AnyUser) -> bool:
    """Another person of the same unit: its lead or dispatcher, or the centre."""
    staff = staff_of(user)
    unit_dispatcher = bool(
        staff and staff.role == "dispatcher" and staff.unit_id == ticket.unit_id
    )
    return (
        user is None
        or is_superuser(user)
        or is_district_dispatcher(user)
        or is_lead_of_ticket_unit(ticket, user)
        or unit_dispatcher
    )


# --- conditions (ticket) -> bool, each with the message shown when it fails ---------------------

def condition(message: str) -> Callable[[Condition], FsmCondition]:
    """Attach the message; the result goes to transition(conditions=[...]), hence its type."""
    def attach(func: Condition) -> FsmCondition:
        # A function attribute, read back by message_of(); functions are typed without one.
        func.message = message  # type: ignore[attr-defined]
        return cast("FsmCondition", func)

    return attach


def message_of(cond: Any) -> str:
    return getattr(cond, "message", getattr(cond, "__name__", "条件不满足"))


@condition("工单尚未指定责任人，不能记录联系")
def has_assignee(ticket: Ticket) -> bool:
    return ticket.assignee_id is not None


@condition("回访结果不是满意或基本满意，不能办结归档")
def citizen_satisfied(ticket: Ticket) -> bool:
    return ticket.satisfaction in ("satisfied", "basically_satisfied")


@condition("回访结果不是不满意，不能重办")
def citizen_unsatisfied(ticket: Ticket) -> bool:
    return ticket.satisfaction == "unsatisfied"


@condition("已有其他工单并入本工单，本工单不能再被合并")
def has_no_merged_children(ticket: Ticket) -> bool:
    return not ticket.duplicates.exists()
