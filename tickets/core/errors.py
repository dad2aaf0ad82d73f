"""Errors the ticket services raise. Each has a stable code and a Chinese message for people."""

from __future__ import annotations

from tickets.models import EventAction, Ticket


def action_label(action: str) -> str:
    try:
        return str(EventAction(action).label)
    except ValueError:
        return action


class TicketError(Exception):
    code = "ticket_error"

    def __init__(self, message: str, *, ticket: Ticket | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.ticket = ticket


class IllegalTransition(TicketError):
    """The ticket's state does not allow the action. Nothing was changed."""

    code = "illegal_transition"

    def __init__(self, *, ticket: Ticket, action: str) -> None:
        self.state = ticket.state
        self.action = action
        super().__init__(
            f"工单 {ticket.number} 当前状态为「{ticket.get_state_display()}」（{ticket.state}），"
            f"不能执行「{action_label(action)}」（{action}）",
            ticket=ticket,
        )


class TransitionConditionFailed(IllegalTransition):
    code = "condition_failed"

    def __init__(self, *, ticket: Ticket, action: str, reason: str) -> None:
        super().__init__(ticket=ticket, action=action)
        self.message = f"{self.message}：{reason}"
        self.args = (self.message,)


class TransitionForbidden(TicketError):
    """The actor's role or unit does not allow the action."""

    code = "forbidden"

    def __init__(self, *, ticket: Ticket, action: str, actor_label: str,
                 why: str = "") -> None:
        self.action = action
        super().__init__(
            f"{actor_label} 无权对工单 {ticket.number} 执行「{action_label(action)}」"
            + (f"：{why}" if why else ""),
            ticket=ticket,
        )


class TicketConflict(TicketError):
    """Someone else changed the ticket since the caller read it."""

    code = "conflict"

    def __init__(self, *, ticket: Ticket, seen_version: int) -> None:
        self.seen_version = seen_version
        self.current_version = ticket.version
        super().__init__(
            f"工单 {ticket.number} 已被他人更新（您看到的是第 {seen_version} 版，"
            f"当前为第 {ticket.version} 版），请刷新后重试",
            ticket=ticket,
        )


class TicketInputError(TicketError):
    """Bad input, with messages per field: {"reason": ["请填写退单原因"]}."""

    code = "invalid"

    def __init__(self, field_errors: dict[str, list[str]], *, ticket: Ticket | None = None) -> None:
        self.field_errors = field_errors
        summary = "；".join(f"{field}：{'，'.join(msgs)}" for field, msgs in field_errors.items())
        super().__init__(summary, ticket=ticket)
