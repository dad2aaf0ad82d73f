"""The ticket's append-only trail (一单到底): the one place a TicketEvent is written.

State changes go through tickets.services.transitions, which also queues the channel's status
callback; steps that change no state (a request, a reply, a clock warning) are recorded here
directly by whichever package takes them (the SLA clocks, collaboration, privacy).

**The chain.** Each event carries a SHA-256 over its content and the hash of the ticket's
previous event; the ticket keeps the last one (``trail_head``). Editing, removing or inserting
an event anywhere — even with direct database access, past the triggers — breaks the chain at
that point, and ``manage.py verify_trail`` names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from tickets.models import Ticket, TicketEvent

# Who acted: a user (the trail's actor is a foreign key to AUTH_USER_MODEL, Django's User
# here), or None for the system.
Actor = User | None
SYSTEM_LABEL = "系统"
# Part of every hash, so that a later change of what is hashed can be told from tampering.
CHAIN_VERSION = "v1"


def actor_label(actor: Actor) -> str:
    """How the trail names who acted: "full name（username）", or 系统 for the system."""
    if actor is None:
        return SYSTEM_LABEL
    full_name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    username = actor.get_username()
    return f"{full_name}（{username}）" if full_name else username


def event_hash(*, event: TicketEvent, number: str) -> str:
    """The hash of an event: its content, its ticket's number and the previous event's hash.

    Canonical JSON (sorted keys, no spaces) of values that survive the database round trip
    unchanged: the time in UTC to the microsecond, the payload as stored."""
    at = event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    content = [CHAIN_VERSION, number, at, event.actor_id, event.actor_label, event.action,
               event.from_state, event.to_state, event.reason, event.payload, event.prev_hash]
    data = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(data.encode()).hexdigest()


def _event(*, ticket: Ticket, actor: Actor, action: str, at: datetime, from_state: str,
           to_state: str, reason: str, payload: dict[str, Any] | None,
           prev_hash: str) -> TicketEvent:
    event = TicketEvent(
        ticket=ticket, actor=actor, actor_label=actor_label(actor), action=action, at=at,
        from_state=from_state, to_state=to_state, reason=reason,
        # As the JSON column will give it back (tuples as lists, keys as strings), so that the
        # hash computed now is the one a verifier computes later.
        payload=json.loads(json.dumps(payload or {})), prev_hash=prev_hash)
    event.hash = event_hash(event=event, number=ticket.number)
    return event


def ticket_event_chain(
    *, ticket: Ticket, actor: Actor, action: str, at: datetime, from_state: str = "",
    to_state: str = "", reason: str = "", payload: dict[str, Any] | None = None,
) -> TicketEvent:
    """An unsaved event chained to ``ticket.trail_head``, which moves on to it in memory.

    For a caller that holds the ticket's row lock and saves ``trail_head`` in its own UPDATE
    of the ticket (a transition): the chain then costs no statement of its own."""
    event = _event(ticket=ticket, actor=actor, action=action, at=at, from_state=from_state,
                   to_state=to_state, reason=reason, payload=payload,
                   prev_hash=ticket.trail_head)
    ticket.trail_head = event.hash
    ticket.report_settled = False  # it moved: the reports count it live again
    return event


def ticket_event_append(
    *, ticket: Ticket, actor: Actor, action: str, at: datetime, from_state: str = "",
    to_state: str = "", reason: str = "", payload: dict[str, Any] | None = None,
) -> TicketEvent:
    """Append an event, moving the ticket's ``trail_head`` with a guarded UPDATE.

    The UPDATE holds the ticket row until commit, so a concurrent append to the same ticket
    waits, finds the head moved and chains after this one (re-reading it, once per race).
    The UPDATE and the INSERT share one transaction (no savepoint when the caller already
    has one): otherwise a racing append could commit its event in between, and the events'
    order in the table would no longer be the chain's."""
    prev = ticket.trail_head
    with transaction.atomic(savepoint=False):
        while True:
            event = _event(ticket=ticket, actor=actor, action=action, at=at,
                           from_state=from_state, to_state=to_state, reason=reason,
                           payload=payload, prev_hash=prev)
            if Ticket.objects.filter(pk=ticket.pk, trail_head=prev).update(
                    trail_head=event.hash, report_settled=False):
                break
            prev = Ticket.objects.values_list("trail_head", flat=True).get(pk=ticket.pk)
        event.save()
    ticket.trail_head = event.hash
    ticket.report_settled = False
    return event


def ticket_event_record(*, ticket: Ticket, actor: Actor, action: str, reason: str = "",
                        payload: dict[str, Any] | None = None,
                        at: datetime | None = None) -> TicketEvent:
    """A step in the trail that changes no ticket state (a request, a task's reply). ``at``
    lets a clock change and its event carry the same moment (the recompute relies on it)."""
    return ticket_event_append(ticket=ticket, actor=actor, action=action,
                               at=at or timezone.now(), from_state=ticket.state,
                               to_state=ticket.state, reason=reason, payload=payload)


@dataclass(frozen=True)
class BrokenLink:
    """The first place a ticket's chain does not hold."""

    ticket: str
    event_id: int | None  # None: the ticket's head names no (or another) last event
    problem: str

    def __str__(self) -> str:
        where = f"事件 #{self.event_id}" if self.event_id is not None else "事件链末端"
        return f"工单 {self.ticket} 的{where}：{self.problem}"


def trail_verify(*, tickets: Any = None, batch: int = 500) -> list[BrokenLink]:
    """Walk each ticket's events in the order they were written and recompute the chain;
    returns the first broken link of every ticket whose chain does not hold (none: all good).
    ``tickets`` narrows the walk (a queryset of tickets); by default every ticket."""
    rows = (tickets if tickets is not None else Ticket.objects.all()).order_by("pk")
    broken: list[BrokenLink] = []
    last_pk = 0
    while True:
        chunk = list(rows.filter(pk__gt=last_pk).values_list("pk", "number", "trail_head")
                     [:batch])
        if not chunk:
            return broken
        last_pk = chunk[-1][0]
        events: dict[int, list[TicketEvent]] = {}
        for event in TicketEvent.objects.filter(ticket_id__in=[c[0] for c in chunk]).order_by(
                "ticket_id", "pk"):
            events.setdefault(event.ticket_id, []).append(event)
        for pk, number, head in chunk:
            found = _chain_problem(number=number, head=head, events=events.get(pk, []))
            if found is not None:
                broken.append(found)


def _chain_problem(*, number: str, head: str, events: list[TicketEvent]) -> BrokenLink | None:
    prev = ""
    for event in events:
        if event.prev_hash != prev:
            return BrokenLink(number, event.pk, "前一事件哈希不符：其前的事件被改动、删除或插入")
        if event_hash(event=event, number=number) != event.hash:
            return BrokenLink(number, event.pk, "内容与哈希不符：事件被改动")
        prev = event.hash
    if head != prev:
        return BrokenLink(number, None, "末端哈希与最后一个事件不符：最后的事件被删除或改动")
    return None
