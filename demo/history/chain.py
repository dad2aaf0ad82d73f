"""One ticket's trail as the services write it: each event hashed with
tickets.core.trail.event_hash, chained to the one before, the ticket's state and version moving
as a transition moves them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from django.utils import translation

from demo.history.reference import Person
from demo.history.rows import ChunkRows
from tickets.core.trail import SYSTEM_LABEL, event_hash
from tickets.models import EventAction, TicketEvent


def _action_labels() -> dict[str, str]:
    with translation.override(None):  # the source strings, as the services write them
        return {a.value: str(a.label) for a in EventAction}


ACTION_LABELS = _action_labels()


@dataclass(slots=True)
class _Content:
    """What event_hash reads of an event; a TicketEvent instance per row would cost more than
    the rest of the row together."""

    at: datetime
    actor_id: int | None
    actor_label: str
    action: str
    from_state: str
    to_state: str
    reason: str
    payload: dict[str, Any]
    prev_hash: str


class TrailChain:
    def __init__(self, *, rows: ChunkRows, ticket_id: int, number: str, with_events: bool) -> None:
        self.rows = rows
        self.ticket_id = ticket_id
        self.number = number
        self.with_events = with_events
        self.state = ""
        self.head = ""
        self.version = 1
        self.last_at: datetime | None = None
        self.events = 0

    def append(self, *, at: datetime, actor: Person | None, action: str, from_state: str,
               to_state: str, reason: str = "", payload: dict[str, Any] | None = None) -> None:
        self.last_at = at
        self.events += 1
        if not self.with_events:
            return
        # The stories build payloads of str, int, float, bool, None, lists and str-keyed dicts
        # only, which the JSON column gives back unchanged (tickets.core.trail round-trips
        # them through json for the same reason): the hash is the one a verifier recomputes.
        stored = payload or {}
        content = _Content(at, actor.user_id if actor else None,
                           actor.label if actor else SYSTEM_LABEL, action, from_state, to_state,
                           reason, stored, self.head)
        digest = event_hash(event=cast(TicketEvent, content), number=self.number)
        # In EVENT_COLUMNS order.
        self.rows.tables["events"].append((
            self.ticket_id, at, content.actor_id, content.actor_label, action, from_state,
            to_state, reason, stored, self.head, digest))
        self.head = digest

    def transition(self, *, at: datetime, actor: Person | None, action: str, to_state: str,
                   reason: str = "", payload: dict[str, Any] | None = None) -> None:
        """A transition (or a routed-field edit): the version moves with it."""
        from_state = self.state
        self.state = to_state
        self.version += 1
        self.append(at=at, actor=actor, action=action, from_state=from_state, to_state=to_state,
                    reason=reason, payload=payload)

    def record(self, *, at: datetime, actor: Person | None, action: str, reason: str = "",
               payload: dict[str, Any] | None = None) -> None:
        """A step that changes no state (tickets.core.trail.ticket_event_record)."""
        self.append(at=at, actor=actor, action=action, from_state=self.state,
                    to_state=self.state, reason=reason, payload=payload)
