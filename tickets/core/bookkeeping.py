"""Ticket columns the system keeps up to date outside the version check, and why.

Every other column changes only through the services in tickets.services, which lock the row,
check the version the caller saw and bump it. These three are bookkeeping that must not turn a
person's next action into a conflict (409): nothing a person decided depends on them.
"""

from __future__ import annotations

from typing import Any

from tickets.models import Ticket

UNVERSIONED_FIELDS = {
    # A deadline passed: a fact about the past, set by the SLA timers, never cleared.
    "is_overdue": "时限已过（超时标记）",
    # The SLA policy version a ticket's clocks started with, chosen once when they start.
    "sla_policy": "计时规则版本",
    # When the ticket was last queued for routing: the intake sweeper's own bookkeeping.
    "route_requested_at": "排队分拨时间",
}


def ticket_bookkeeping_update(*, ticket_ids: list[int], **fields: Any) -> int:
    """Set bookkeeping columns of these tickets with one UPDATE; returns the rows changed."""
    unknown = set(fields) - set(UNVERSIONED_FIELDS)
    if unknown:
        raise ValueError(f"{sorted(unknown)} are versioned: change them through a service")
    return Ticket.objects.filter(pk__in=ticket_ids).update(**fields)
