"""The rows one chunk of history writes, table by table, in the column order the writer gets.

Columns are model attribute names (``ticket_id``, not ``ticket``): the COPY writer maps them to
database columns, the ORM writer passes them to the model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model

from sla.models import Breach, Extension, SlaClock, Supervision, Suspension
from tickets.models import DispatchCorrection, FollowUpTask, ReturnRequest, Ticket, TicketEvent

Row = tuple[Any, ...]

TICKET_COLUMNS = tuple(f.attname for f in Ticket._meta.concrete_fields)
EVENT_COLUMNS = ("ticket_id", "at", "actor_id", "actor_label", "action", "from_state",
                 "to_state", "reason", "payload", "prev_hash", "hash")
CLOCK_COLUMNS = ("id", "ticket_id", "policy_id", "milestone", "calendar", "minutes", "unit_id",
                 "started_at", "warn_at", "due_at", "bound_by_upstream", "state", "stopped_at",
                 "late_minutes", "warned_at", "breached_at", "next_check_at",
                 "escalation_level", "paused_at", "timer_at")
BREACH_COLUMNS = ("clock_id", "ticket_id", "milestone", "due_at", "detected_at", "met_at",
                  "late_minutes", "unit_id", "assignee_id")
SUPERVISION_COLUMNS = ("id", "ticket_id", "unit_id", "level", "instructions", "issued_by_id",
                       "issued_by_label", "issued_at", "reply_due_at", "state", "answer",
                       "answered_by_label", "answered_at", "overdue_notified_at")
SUSPENSION_COLUMNS = ("id", "ticket_id", "reason", "state", "requested_by_id", "requested_at",
                      "decided_by_id", "decided_at", "decision_note", "started_at", "ended_at",
                      "ended_by_label")
EXTENSION_COLUMNS = ("ticket_id", "reason", "new_due_at", "old_due_at", "state",
                     "requested_by_id", "requested_at", "decided_by_id", "decided_at",
                     "decision_note")
RETURN_COLUMNS = ("ticket_id", "unit_id", "reason_code", "text", "state", "requested_by_id",
                  "requested_at", "decided_by_id", "decided_at", "decision_note")
FOLLOW_UP_COLUMNS = ("ticket_id", "created_at", "due_at", "state", "satisfaction", "note",
                     "done_by_label", "done_at")
CORRECTION_COLUMNS = ("ticket_id", "at", "actor_label", "kind", "predicted_unit", "chosen_unit",
                      "reason")

# Table order of a chunk's writes (foreign keys are checked at commit, so any order would do;
# this one reads like the story).
TABLES: tuple[tuple[str, type[Model], tuple[str, ...]], ...] = (
    ("tickets", Ticket, TICKET_COLUMNS),
    ("clocks", SlaClock, CLOCK_COLUMNS),
    ("breaches", Breach, BREACH_COLUMNS),
    ("supervisions", Supervision, SUPERVISION_COLUMNS),
    ("suspensions", Suspension, SUSPENSION_COLUMNS),
    ("extensions", Extension, EXTENSION_COLUMNS),
    ("returns", ReturnRequest, RETURN_COLUMNS),
    ("follow_ups", FollowUpTask, FOLLOW_UP_COLUMNS),
    ("corrections", DispatchCorrection, CORRECTION_COLUMNS),
    ("events", TicketEvent, EVENT_COLUMNS),
)


@dataclass
class ChunkRows:
    """Every row of one chunk, by table name (see TABLES)."""

    tables: dict[str, list[Row]] = field(
        default_factory=lambda: {name: [] for name, _model, _columns in TABLES})
    # Tables already turned into COPY text (then their row lists are emptied).
    encoded: dict[str, bytes] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, columns: tuple[str, ...], values: dict[str, Any]) -> None:
        self.tables[table].append(tuple(values[c] for c in columns))

    def count(self, table: str) -> int:
        return self.counts.get(table, len(self.tables[table]))

    def encode(self, encoder: Callable[[type[Model], tuple[str, ...], list[Row]], bytes]) -> None:
        for name, model, columns in TABLES:
            self.counts[name] = len(self.tables[name])
            self.encoded[name] = encoder(model, columns, self.tables[name])
            self.tables[name] = []


class IdPool:
    """Primary keys reserved ahead of the insert (a row's id goes into other rows and into
    event payloads, so it must be known before the row is written)."""

    def __init__(self, table: str, ids: list[int]) -> None:
        self.table = table
        self._free = ids[::-1]

    def take(self) -> int:
        if not self._free:
            raise RuntimeError(f"预留的 {self.table} 主键已用完")
        return self._free.pop()
