"""The SLA clocks of one ticket, replayed in memory by the rules of sla.clocks and sla.timers.

A transition calls ``apply`` as the transition service calls sla_clocks_apply: start the
missing clocks at assignment, restart them at a transfer or a reopen, stop one at its
milestone (late ones with their minutes and a breach), cancel them at the end. Before each
step the story calls ``advance`` to the step's moment: what the ETA timers and the sweeper
would have done meanwhile (warnings, breaches, escalation steps and the supervision orders
they raise, replies to those orders) happens first, a second or two after it fell due.
Deadlines come from sla.clocks.deadline / warning_point / shifted_past_pause with the
policy's calendar.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from demo.history.chain import ACTION_LABELS, TrailChain
from demo.history.reference import (
    LEVEL_LABELS,
    MILESTONE_LABELS,
    HistoryReference,
    Person,
    PolicyInfo,
)
from demo.history.rows import (
    BREACH_COLUMNS,
    CLOCK_COLUMNS,
    SUPERVISION_COLUMNS,
    SUSPENSION_COLUMNS,
    ChunkRows,
    IdPool,
)
from sla.clocks import (
    CANCELS,
    ENDS_SUSPENSION,
    STOPS,
    clock_points,
    shifted_past_pause,
)
from sla.models import ClockState, EscalationLevel, Milestone, SupervisionLevel
from tickets.models import EventAction

LEVEL_RANK = {SupervisionLevel.DISTRICT.value: 1, SupervisionLevel.LISTED.value: 2}
ANSWERS = ("已督促责任人加快办理，今日内联系诉求人并反馈进展。",
           "已召开专题协调会，明确办理时限，将按期办结。",
           "已安排专人跟进，现场核查完毕，正在落实整改。")


@dataclass
class Clock:
    pk: int
    policy: PolicyInfo
    milestone: str
    calendar: str
    minutes: int
    unit_id: int | None
    started_at: datetime
    warn_at: datetime
    due_at: datetime
    jitter: timedelta  # how long after a moment its timer or the sweeper acts
    bound_by_upstream: bool = False
    moved: bool = False  # the deadline is no longer start + the policy's limit
    state: str = ClockState.RUNNING
    stopped_at: datetime | None = None
    late_minutes: int | None = None
    warned_at: datetime | None = None
    breached_at: datetime | None = None
    escalation_level: int = 0
    paused_at: datetime | None = None
    resumed_at: datetime | None = None
    breach: dict[str, Any] | None = None

    @property
    def running(self) -> bool:
        return self.state == ClockState.RUNNING

    def next_check(self) -> datetime | None:
        """next_check_at as the timers leave it."""
        if not self.running or self.paused_at is not None:
            return None
        if self.warned_at is None and self.breached_at is None:
            return self.warn_at
        if self.breached_at is None:
            return self.due_at
        if self.escalation_level < len(self.policy.ladder):
            return self.due_at + timedelta(minutes=self.policy.ladder[self.escalation_level][1])
        return None


@dataclass
class _Pending:
    """Something due at a moment that no transition drives: a supervisor's order, a reply."""

    at: datetime
    kind: str  # "supervise" | "answer"
    data: dict[str, Any]


class ClockBoard:
    def __init__(self, *, chain: TrailChain, rows: ChunkRows, ref: HistoryReference,
                 rng: random.Random, ids: dict[str, IdPool], policy: PolicyInfo | None) -> None:
        self.chain = chain
        self.rows = rows
        self.ref = ref
        self.rng = rng
        self.ids = ids
        self.policy = policy
        self.clocks: list[Clock] = []
        self.supervisions: list[dict[str, Any]] = []
        self.pending: list[_Pending] = []
        self.suspension: dict[str, Any] | None = None
        self.unit: int | None = None  # the ticket's unit and assignee, kept by the story
        self.upstream: dict[str, datetime] = {}  # the city platform's deadlines by milestone
        self.assignee: Person | None = None
        self.is_overdue = False
        self.policy_used = False

    # --- transitions (sla.clocks.sla_clocks_apply) ------------------------------------------

    def apply(self, *, action: str, at: datetime) -> None:
        if action in ENDS_SUSPENSION:
            self.suspension_end(at=at, actor=None,
                                reason=f"{ACTION_LABELS[action]}，自动恢复计时")
        if action in STOPS:
            for clock in self.running(STOPS[action]):
                self._close(clock, at, ClockState.MET)
        if action == "assign":
            self._start_missing(at)
        elif action == "transfer":
            keep = self.policy is not None and not self.policy.restart_on_transfer
            self._start_missing(at, restart=not keep)
        elif action == "reopen":
            self._start_missing(at, restart=True)
        elif action == "resolve":
            self._start_follow_up(at)
        elif action in CANCELS:
            for clock in self.running():
                self._close(clock, at, ClockState.CANCELLED)

    def running(self, milestone: str | None = None) -> list[Clock]:
        return [c for c in self.clocks if c.running and milestone in (None, c.milestone)]

    def _start(self, milestone: str, minutes: int, calendar: str, at: datetime) -> None:
        """sla.clocks._start: the policy's deadline, or the city platform's when earlier."""
        assert self.policy is not None
        points = clock_points(start=at, minutes=minutes, calendar=calendar,
                              warn_ratio=self.policy.warn_ratio,
                              upstream=self.upstream.get(milestone), working=self.ref.calendar)
        self.clocks.append(Clock(
            pk=self.ids["clocks"].take(), policy=self.policy, milestone=milestone,
            calendar=calendar, minutes=minutes, unit_id=self.unit, started_at=at,
            warn_at=points.warn_at, due_at=points.due_at,
            jitter=timedelta(seconds=self.rng.uniform(0.2, 2.5)),
            bound_by_upstream=points.bound_by_upstream, moved=points.bound_by_upstream))
        self.policy_used = True

    def _start_missing(self, at: datetime, *, restart: bool = False) -> None:
        if restart:
            for clock in self.running():
                self._close(clock, at, ClockState.CANCELLED)
        have = {c.milestone for c in self.running()}
        if self.policy is None:
            return
        for milestone, minutes, calendar in self.policy.limits:
            if milestone not in have and milestone != Milestone.FOLLOW_UP:
                self._start(milestone, minutes, calendar, at)

    def _start_follow_up(self, at: datetime) -> None:
        if self.policy is None:
            return
        for milestone, minutes, calendar in self.policy.limits:
            if milestone == Milestone.FOLLOW_UP:
                self._start(milestone, minutes, calendar, at)

    def _close(self, clock: Clock, at: datetime, state: str) -> None:
        effective = clock.paused_at or at
        late = max(0, math.ceil((effective - clock.due_at).total_seconds() / 60))
        clock.state, clock.stopped_at = state, at
        clock.late_minutes = late if state == ClockState.MET else None
        met_at = effective if state == ClockState.MET else None
        if effective > clock.due_at and clock.breached_at is None:
            clock.breached_at = at
            self._breach_record(clock, at, met_at)
        elif met_at is not None and clock.breach is not None and clock.breach["met_at"] is None:
            clock.breach["met_at"] = met_at
            clock.breach["late_minutes"] = late

    def _breach_record(self, clock: Clock, at: datetime, met_at: datetime | None) -> None:
        late = None if met_at is None else max(
            0, math.ceil((met_at - clock.due_at).total_seconds() / 60))
        clock.breach = {"clock_id": clock.pk, "ticket_id": self.chain.ticket_id,
                        "milestone": clock.milestone, "due_at": clock.due_at,
                        "detected_at": at, "met_at": met_at, "late_minutes": late,
                        "unit_id": clock.unit_id,
                        "assignee_id": self.assignee.staff_id if self.assignee else None}
        self.is_overdue = True
        label = MILESTONE_LABELS[clock.milestone]
        self.chain.record(at=at, actor=None, action=EventAction.SLA_BREACH,
                          reason=f"「{label}」超时（截止 "
                                 f"{clock.due_at.astimezone(self.ref.tz):%m-%d %H:%M}）",
                          payload={"milestone": clock.milestone,
                                   "due_at": clock.due_at.isoformat()})

    # --- what the timers and the sweeper do between transitions (sla.timers) ---------------

    def advance(self, until: datetime) -> None:
        """Everything due up to ``until``, in the order it falls due."""
        while True:
            best: tuple[datetime, str, Any] | None = None
            for clock in self.clocks:
                if not clock.running or clock.paused_at is not None:
                    continue
                found = self._clock_due(clock, until)
                if found is not None and (best is None or found[0] < best[0]):
                    best = (found[0], found[1], clock)
            for item in self.pending:
                if item.at <= until and (best is None or item.at < best[0]):
                    best = (item.at, "pending", item)
            if best is None:
                return
            at, kind, subject = best
            if kind == "pending":
                self.pending.remove(subject)
                self._pending_run(subject)
            elif kind == "warn":
                subject.warned_at = at
                self.chain.record(at=at, actor=None, action=EventAction.SLA_WARNING,
                                  reason=f"「{MILESTONE_LABELS[subject.milestone]}」时限将到",
                                  payload={"milestone": subject.milestone})
            elif kind == "breach":
                if subject.warned_at is None:
                    subject.warned_at = at  # the same check flips both; the breach speaks
                subject.breached_at = at
                self._breach_record(subject, at, None)
                self._escalate(subject, at)
            else:
                self._escalate(subject, at)

    def _clock_due(self, clock: Clock, until: datetime) -> tuple[datetime, str] | None:
        if clock.breached_at is None:
            if clock.warned_at is None and clock.warn_at + clock.jitter <= until \
                    and clock.warn_at < clock.due_at:
                return clock.warn_at + clock.jitter, "warn"
            if clock.due_at + clock.jitter <= until:
                return clock.due_at + clock.jitter, "breach"
            return None
        if clock.escalation_level >= len(clock.policy.ladder):
            return None
        step_at = clock.due_at + timedelta(minutes=clock.policy.ladder[clock.escalation_level][1])
        if clock.resumed_at is not None:
            step_at = max(step_at, clock.resumed_at)
        return (step_at + clock.jitter, "escalate") if step_at + clock.jitter <= until else None

    def _escalate(self, clock: Clock, now: datetime) -> None:
        ladder = clock.policy.ladder
        while clock.escalation_level < len(ladder):
            level, after = ladder[clock.escalation_level]
            if clock.due_at + timedelta(minutes=after) > now:
                return
            clock.escalation_level += 1
            label = MILESTONE_LABELS[clock.milestone]
            if level != EscalationLevel.UNIT_LEAD:
                self._supervision_raise(clock, level, now)
            self.chain.record(at=now, actor=None, action=EventAction.SLA_ESCALATE,
                              reason=f"「{label}」超时，升级至{LEVEL_LABELS[level]}",
                              payload={"milestone": clock.milestone, "level": level})

    # --- 督办 (sla.supervision) -------------------------------------------------------------

    def _supervision_raise(self, clock: Clock, level: str, at: datetime) -> None:
        unit_id = clock.unit_id or self.unit
        if unit_id is None:
            return
        if any(s["state"] == "open" and LEVEL_RANK[s["level"]] >= LEVEL_RANK[level]
               for s in self.supervisions):
            return
        self._supervision_add(
            unit_id=unit_id, level=level, issued_by=None, at=at,
            reply_due_at=at + timedelta(hours=settings.SUPERVISION_REPLY_HOURS),
            instructions=f"「{MILESTONE_LABELS[clock.milestone]}」已超时，请立即办理并回复办理情况。")

    def supervise(self, *, at: datetime, level: str) -> None:
        """A supervisor's own order at ``at``, if the ticket is still in work then."""
        self.pending.append(_Pending(at, "supervise", {"level": level}))

    def _supervision_add(self, *, unit_id: int, level: str, issued_by: Person | None,
                         at: datetime, reply_due_at: datetime, instructions: str) -> dict[str, Any]:
        row: dict[str, Any] = {
            "id": self.ids["supervisions"].take(), "ticket_id": self.chain.ticket_id,
            "unit_id": unit_id, "level": level, "instructions": instructions,
            "issued_by_id": issued_by.user_id if issued_by else None,
            "issued_by_label": issued_by.label if issued_by else "系统", "issued_at": at,
            "reply_due_at": reply_due_at, "state": "open", "answer": "",
            "answered_by_label": "", "answered_at": None, "overdue_notified_at": None}
        self.supervisions.append(row)
        span = reply_due_at - at
        r = self.rng.random()
        if r < 0.88:  # most units answer in time
            answer_at = at + span * self.rng.uniform(0.02, 0.97)
        elif r < 0.97:
            answer_at = reply_due_at + timedelta(hours=self.rng.uniform(0.5, 48))
        else:
            return row  # never answered
        self.pending.append(_Pending(answer_at, "answer", {"row": row}))
        return row

    def _pending_run(self, item: _Pending) -> None:
        if item.kind == "supervise":
            if self.chain.state not in ("assigned", "contacted", "met") or self.unit is None:
                return  # only a ticket in work is supervised
            supervisor = self.rng.choice(self.ref.supervisors)
            level = item.data["level"]
            hours = self.rng.choice((24, 48, 72))
            reply_due_at = item.at + timedelta(hours=hours)
            instructions = self.rng.choice((
                "群众反映强烈，请加快办理，按期回复。",
                "请单位主要负责人亲自督办，尽快解决并回复。",
                "多次反映未解决，列入挂牌督办，请限期办结。"))
            row = self._supervision_add(unit_id=self.unit, level=level, issued_by=supervisor,
                                        at=item.at, reply_due_at=reply_due_at,
                                        instructions=instructions)
            self.chain.record(at=item.at, actor=supervisor, action=EventAction.SUPERVISE,
                              reason=instructions,
                              payload={"supervision": row["id"], "level": level,
                                       "reply_due_at": reply_due_at.astimezone(
                                           self.ref.tz).isoformat()})
            return
        row = item.data["row"]
        unit = self.ref.units_by_pk[row["unit_id"]]
        who = (self.assignee if self.assignee is not None and self.unit == row["unit_id"]
               and self.rng.random() < 0.5 else self.rng.choice(unit.leads))
        row.update(state="answered", answer=self.rng.choice(ANSWERS),
                   answered_by_label=who.label, answered_at=item.at)
        self.chain.record(at=item.at, actor=who, action=EventAction.SUPERVISION_ANSWER,
                          reason=row["answer"],
                          payload={"supervision": row["id"], "late": item.at > row["reply_due_at"]})

    # --- 延期 and 暂停计时 (sla.extensions, sla.suspensions) ----------------------------------

    def extension_apply(self, *, clock: Clock, new_due_at: datetime) -> None:
        clock.warn_at = clock.started_at + (new_due_at - clock.started_at) * clock.policy.warn_ratio
        clock.due_at = new_due_at
        clock.minutes = math.ceil((new_due_at - clock.started_at).total_seconds() / 60)
        clock.moved = True

    def pause(self, *, at: datetime) -> None:
        for clock in self.running():
            if clock.paused_at is None:
                clock.paused_at = at

    def resume(self, *, at: datetime) -> None:
        for clock in self.running():
            if clock.paused_at is None:
                continue
            if clock.breached_at is None:
                clock.warn_at, clock.due_at = (
                    shifted_past_pause(moment=m, calendar=clock.calendar,
                                       paused_at=clock.paused_at, resumed_at=at,
                                       working=self.ref.calendar)
                    for m in (clock.warn_at, clock.due_at))
            clock.resumed_at = at
            clock.paused_at = None
            clock.moved = True

    def suspension_end(self, *, at: datetime, actor: Person | None, reason: str) -> bool:
        row = self.suspension
        if row is None or row["state"] != "active":
            return False
        row.update(state="ended", ended_at=at, ended_by_label=actor.label if actor else "系统")
        self.resume(at=at)
        self.chain.record(at=at, actor=actor, action=EventAction.SUSPENSION_END, reason=reason,
                          payload={"suspension": row["id"]} if actor else None)
        return True

    # --- the rows ---------------------------------------------------------------------------

    def rows_add(self, *, as_of: datetime) -> None:
        for clock in self.clocks:
            self.rows.add("clocks", CLOCK_COLUMNS, {
                "id": clock.pk, "ticket_id": self.chain.ticket_id, "policy_id": clock.policy.pk,
                "milestone": clock.milestone, "calendar": clock.calendar,
                "minutes": clock.minutes, "unit_id": clock.unit_id,
                "started_at": clock.started_at, "warn_at": clock.warn_at,
                "due_at": clock.due_at, "bound_by_upstream": clock.bound_by_upstream,
                "state": clock.state, "stopped_at": clock.stopped_at,
                "late_minutes": clock.late_minutes, "warned_at": clock.warned_at,
                "breached_at": clock.breached_at, "next_check_at": clock.next_check(),
                "escalation_level": clock.escalation_level, "paused_at": clock.paused_at,
                "timer_at": None})
            if clock.breach is not None:
                self.rows.add("breaches", BREACH_COLUMNS, clock.breach)
        for row in self.supervisions:
            if row["state"] == "open" and row["reply_due_at"] <= as_of:
                # The sweeper reported the late reply once.
                row["overdue_notified_at"] = row["reply_due_at"] + timedelta(
                    seconds=self.rng.uniform(1, 30))
            self.rows.add("supervisions", SUPERVISION_COLUMNS, row)
        if self.suspension is not None:
            self.rows.add("suspensions", SUSPENSION_COLUMNS, self.suspension)
