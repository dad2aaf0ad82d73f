"""One synthetic ticket's life, step by step, with the field changes of the model's transitions
(tickets.models.ticket), the rows the services leave beside them (return requests, follow-up
tasks, corrections, extensions, suspensions) and the clocks replayed by ``sla_replay``.

The history ends at ``as_of``: a step that would fall later does not happen, so a ticket
received a few days before the end is still in work, one received in the last minutes may
still wait in triage, and its clocks are left running (or paused) as the timers left them.
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.utils import translation

from demo.history.chain import TrailChain
from demo.history.reference import HistoryReference, Person, UnitInfo
from demo.history.rows import (
    CORRECTION_COLUMNS,
    EXTENSION_COLUMNS,
    FOLLOW_UP_COLUMNS,
    RETURN_COLUMNS,
    TICKET_COLUMNS,
    ChunkRows,
    IdPool,
)
from demo.history.sla_replay import Clock, ClockBoard
from fixtures.corpus.generate import CorpusRow
from routing_model.gazetteer import Gazetteer
from sla.models import CalendarKind, Milestone, SupervisionLevel
from tickets.models import EventAction, ReturnReason, TicketState

# How the year goes (shares of tickets; the SLA shares are per milestone).
MERGED, REJECTED = 0.006, 0.005  # duplicates merged into an open ticket; invalid or spam
AUTO = 0.8  # the router dispatched alone
AUTO_WRONG = 0.04  # ... to a unit that then returned or transferred the ticket
MANUAL_PREDICTED_RIGHT, DISPATCHER_RIGHT = 0.55, 0.94
FIX_BY_RETURN = 0.4  # a wrong first unit returns the ticket (else it is transferred)
# Drawn a little above the aim (~92 %, ~88 %, ~85 %): a milestone cannot come before the
# one it follows, which pushes a few past their deadline.
CONTACT_ON_TIME, MEET_ON_TIME, RESOLVE_ON_TIME = 0.93, 0.915, 0.85
EXACTLY_AT_LIMIT = 0.01
STUCK = 0.003  # work that drags on for months
SUSPENDED, EXTENDED, SUPERVISED = 0.02, 0.03, 0.01
UNSATISFIED, UNREASONABLE = 0.05, 0.15  # of follow-ups; of the unsatisfied
OTHER_CHANNEL = 0.03  # a ticket from a channel the corpus did not pick, so all 33 appear

CONTACT_NOTES = ("已电话联系诉求人", "已电话联系诉求人，了解详细情况", "已通过短信和电话联系市民")
MEETING_NOTES = ("已到现场核实", "已约见诉求人", "已到现场查看并与诉求人面谈")
REPLIES = ("经{unit}现场核查，反映的问题已处理完毕，感谢您的反映。",
           "您反映的问题已由{unit}处理，已现场整改到位，后续将加强巡查。",
           "经{unit}核实，已依法依规处置，并向您说明了处理结果。",
           "{unit}已协调相关方解决，如仍有问题请再次来电。")
SATISFIED_NOTES = {"satisfied": "回访市民，表示满意",
                   "basically_satisfied": "回访市民，表示基本满意",
                   "unsatisfied": "回访市民，表示不满意，要求重新办理"}
REJECT_REASONS = ("无效诉求：来电无实质内容", "骚扰信息，予以作废", "测试信息，予以作废")
SUSPENSION_REASONS = ("诉求人暂时无法联系，申请暂停计时", "需等待第三方检测结果，申请暂停计时")
EXTENSION_REASONS = ("涉及多个部门协调，需延期办理", "需走招标采购程序，申请延期",
                     "维修所需配件需外地调货，申请延期")
RETURN_TEXT = "经核实，该诉求不属于本单位职责范围，建议转「{unit}」办理。"


def _return_labels() -> dict[str, str]:
    with translation.override(None):
        return {r.value: str(r.label) for r in ReturnReason}


RETURN_LABELS = _return_labels()
TICKET_TEMPLATE: dict[str, Any] = {
    c: None for c in TICKET_COLUMNS} | {
    "citizen_id_number": "", "community": "", "prediction_top3": [],
    "prediction_explanation": {}, "routing_tokens": {}, "reply": "", "satisfaction": "",
    "follow_up_note": "", "satisfaction_excluded": False, "upstream_number": "",
    "is_overdue": False, "return_count": 0, "transfer_count": 0, "reopen_count": 0,
    "parent_id": None, "report_settled": False}  # reports.settled sums them afterwards


@dataclass(frozen=True)
class Parent:
    """An earlier ticket a duplicate may be merged into while it is open."""

    pk: int
    number: str
    open_until: datetime
    ticket: dict[str, Any]


@dataclass
class StoryContext:
    ref: HistoryReference
    rows: ChunkRows
    ids: dict[str, IdPool]
    rng: random.Random
    as_of: datetime
    with_events: bool
    seed: int
    gazetteer: Gazetteer
    parents: deque[Parent] = field(default_factory=lambda: deque(maxlen=400))


def _seconds(rng: random.Random, low: float, high: float) -> timedelta:
    return timedelta(seconds=rng.uniform(low, high))


class TicketStory:
    def __init__(self, *, ctx: StoryContext, ticket_id: int, number: str, external_id: str,
                 received_at: datetime, text: CorpusRow) -> None:
        self.ctx = ctx
        self.ref = ctx.ref
        self.rng = ctx.rng
        self.as_of = ctx.as_of
        self.text = text
        self.truth = self.ref.units[text.unit_code]
        self.chain = TrailChain(rows=ctx.rows, ticket_id=ticket_id, number=number,
                                with_events=ctx.with_events)
        self.t: dict[str, Any] = dict(TICKET_TEMPLATE)
        self.t.update(id=ticket_id, number=number, external_id=external_id,
                      received_at=received_at)
        self.channel = self._channel()
        self.t["channel_id"] = self.ref.channels[self.channel][0]
        self.board = ClockBoard(chain=self.chain, rows=ctx.rows, ref=self.ref, rng=self.rng,
                                ids=ctx.ids, policy=self.ref.policy(
                                    urgency=text.urgency, category_l1=text.category_l1,
                                    channel_code=self.channel))
        self.now = received_at
        self.frozen = False
        self.assignee: Person | None = None
        self.unit: UnitInfo | None = None
        self.predicted: UnitInfo | None = None
        self.follow_ups: list[dict[str, Any]] = []
        self.returns: list[dict[str, Any]] = []
        self.extensions: list[dict[str, Any]] = []
        self.corrections: list[dict[str, Any]] = []
        self.resolved_first: datetime | None = None

    # --- moving in time ---------------------------------------------------------------------

    def _step(self, at: datetime) -> bool:
        """Move to ``at`` (the timers act first); False, and the story stops, past the end."""
        if self.frozen:
            return False
        if at > self.as_of:
            self.board.advance(self.as_of)
            self.frozen = True
            return False
        self.board.advance(at)
        self.now = at
        return True

    def _transition(self, *, action: str, to_state: str, actor: Person | None,
                    reason: str = "", payload: dict[str, Any] | None = None) -> None:
        self.chain.transition(at=self.now, actor=actor, action=action, to_state=to_state,
                              reason=reason, payload=payload)
        self.board.unit = self.unit.pk if self.unit else None
        self.board.assignee = self.assignee
        self.board.apply(action=action, at=self.now)

    # --- the ticket --------------------------------------------------------------------------

    def _channel(self) -> str:
        code = self.text.channel_code
        if code not in self.ref.channels or self.rng.random() < OTHER_CHANNEL:
            code = self.rng.choice(self.ref.channel_codes)
        return code

    def _describe(self) -> None:
        t, text, rng = self.t, self.text, self.rng
        t.update(title=text.title[:200], content=text.content, address=text.address[:300],
                 urgency=text.urgency, category_l1=text.category_l1,
                 category_l2=text.category_l2, category_l3=text.category_l3)
        match = self.ctx.gazetteer.find(text=text.content, address=text.address)
        if match is not None and match.place.street_unit in self.ref.street_ids:
            t["street_id"] = self.ref.street_ids[match.place.street_unit]
            t["community"] = match.place.community[:60]
        elif self.truth.is_street:
            t["street_id"] = self.truth.pk
        surname = rng.choice(self.ref.surnames)
        t["citizen_name"] = surname + rng.choice(("先生", "女士", "先生", "女士", "阿姨"))
        t["citizen_phone"] = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        t["source_details"] = {"synthetic": True, "generator": "generate_history",
                               "seed": self.ctx.seed}
        if self.ref.channels[self.channel][1] == "city_platform":
            received = t["received_at"]
            t["upstream_number"] = (f"SZMY{received.astimezone(self.ref.tz):%Y%m%d}"
                                    f"{rng.randrange(10**6):06d}")
            t["upstream_contact_due_at"] = received + timedelta(minutes=10)
            t["upstream_resolve_due_at"] = received + (
                timedelta(hours=24) if text.urgency == "urgent" else timedelta(days=5))
            self.board.upstream = {Milestone.CONTACT: t["upstream_contact_due_at"],
                                   Milestone.RESOLVE: t["upstream_resolve_due_at"]}

    def run(self) -> None:
        self._describe()
        received = self.t["received_at"]
        created = min(received + _seconds(self.rng, 0.05, 1.5), self.as_of)
        self.t.update(created_at=created, route_requested_at=created)
        self.now = created
        self.chain.append(at=created, actor=None, action=EventAction.CREATE, from_state="",
                          to_state=TicketState.RECEIVED,
                          payload={"channel": self.channel, "external_id": self.t["external_id"]})
        self.chain.state = TicketState.RECEIVED
        r = self.rng.random()
        parent = self._parent() if r < MERGED else None
        if parent is not None:
            self._merged(parent)
        elif r < MERGED + REJECTED:
            self._rejected()
        else:
            self._worked()
        self.board.advance(self.as_of)
        self._finish()

    def _predict(self, unit: UnitInfo, confidence: float) -> bool:
        if not self._step(self.now + _seconds(self.rng, 0.3, 3)):
            return False
        self.predicted = unit
        runner_up = self.truth if unit is not self.truth else self._other_than(unit)
        third = self._other_than(unit)
        rest = 1 - confidence
        self.t.update(predicted_unit_id=unit.pk, prediction_confidence=confidence,
                      prediction_top3=[
                          {"unit": unit.code, "probability": confidence},
                          {"unit": runner_up.code, "probability": round(rest * 0.6, 4)},
                          {"unit": third.code, "probability": round(rest * 0.2, 4)}])
        self._transition(action=EventAction.PREDICT, to_state=self.chain.state, actor=None,
                         payload={"changes": {"predicted_unit": [None, unit.code],
                                              "prediction_confidence": [None, confidence]}})
        return True

    def _other_than(self, unit: UnitInfo) -> UnitInfo:
        while True:
            other = self.rng.choice(self.ref.unit_list)
            if other is not unit:
                return other

    def _wrong_unit(self) -> UnitInfo:
        return self._other_than(self.truth)

    def _assign(self, *, unit: UnitInfo, actor: Person | None, reason: str) -> None:
        person = self.rng.choice(unit.workers)
        self.unit, self.assignee = unit, person
        t = self.t
        t.update(unit_id=unit.pk, assignee_id=person.staff_id, assigned_at=self.now)
        if t["first_assigned_at"] is None:
            t["first_assigned_at"] = self.now
        if t["first_unit_id"] is None:
            t["first_unit_id"] = unit.pk
            t["auto_dispatched"] = actor is None
        self._transition(action=EventAction.ASSIGN, to_state=TicketState.ASSIGNED, actor=actor,
                         reason=reason, payload={"unit": unit.code, "assignee": person.username})

    def _dispatch_by_hand(self, unit: UnitInfo) -> bool:
        """A centre dispatcher picks the unit from the triage queue."""
        wait = timedelta(minutes=min(240.0, self.rng.lognormvariate(math.log(5), 0.8)))
        if not self._step(self.now + wait):
            return False
        dispatcher = self.rng.choice(self.ref.dispatchers)
        self._assign(unit=unit, actor=dispatcher, reason="")
        predicted = self.predicted.code if self.predicted else ""
        if predicted != unit.code:
            self.corrections.append({
                "ticket_id": self.t["id"], "at": self.now,
                "actor_label": dispatcher.label, "kind": "dispatch",
                "predicted_unit": predicted, "chosen_unit": unit.code, "reason": ""})
        return True

    def _route(self) -> bool:
        """Prediction, then the router's own dispatch or the triage queue and a dispatcher."""
        rng = self.rng
        if rng.random() < AUTO:
            first = self._wrong_unit() if rng.random() < AUTO_WRONG else self.truth
            confidence = round(rng.uniform(0.72, 0.995), 4)
            if not self._predict(first, confidence):
                return False
            if not self._step(self.now + _seconds(rng, 0.05, 0.6)):
                return False
            self._assign(unit=first, actor=None, reason=f"自动派单：模型置信度 {confidence:.0%}")
            return True
        predicted = self.truth if rng.random() < MANUAL_PREDICTED_RIGHT else self._wrong_unit()
        confidence = round(rng.uniform(0.2, 0.69), 4)
        if not self._predict(predicted, confidence):
            return False
        if not self._step(self.now + _seconds(rng, 0.05, 0.6)):
            return False
        threshold = settings.DISPATCH_AUTO_THRESHOLD
        self._transition(action=EventAction.TRIAGE, to_state=TicketState.TRIAGE, actor=None,
                         reason=f"模型建议「{predicted.name}」（置信度 {confidence:.0%}，"
                                f"低于自动派单阈值 {threshold:.0%}），待分拨员确认")
        chosen = self.truth if rng.random() < DISPATCHER_RIGHT else self._wrong_unit()
        return self._dispatch_by_hand(chosen)

    # --- the three paths ---------------------------------------------------------------------

    def _parent(self) -> Parent | None:
        received = self.t["received_at"]
        for parent in reversed(self.ctx.parents):
            if parent.open_until > received + timedelta(hours=2):
                return parent
        return None

    def _merged(self, parent: Parent) -> None:
        """A 重复件: the same citizen and place again; a dispatcher merges it into the open one."""
        source = parent.ticket
        self.t.update({k: source[k] for k in (
            "content", "address", "street_id", "community", "citizen_name", "citizen_phone",
            "urgency", "category_l1", "category_l2", "category_l3")})
        self.t["title"] = f"再次反映：{source['title']}"[:200]
        if not self._step(self.now + _seconds(self.rng, 0.5, 3)):
            return
        self._transition(action=EventAction.TRIAGE, to_state=TicketState.TRIAGE, actor=None,
                         reason=f"疑似重复件（与 {parent.number} 相似），待分拨员确认")
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(2, 90))):
            return
        self.t["parent_id"] = parent.pk
        self._transition(action=EventAction.MERGE, to_state=TicketState.MERGED,
                         actor=self.rng.choice(self.ref.dispatchers),
                         reason=f"与 {parent.number} 为同一诉求，合并办理",
                         payload={"parent": parent.number})

    def _rejected(self) -> None:
        if not self._step(self.now + _seconds(self.rng, 0.5, 3)):
            return
        self._transition(action=EventAction.TRIAGE, to_state=TicketState.TRIAGE, actor=None,
                         reason="模型未给出建议，待人工分拨")
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(1, 60))):
            return
        self._transition(action=EventAction.REJECT, to_state=TicketState.REJECTED,
                         actor=self.rng.choice(self.ref.dispatchers),
                         reason=self.rng.choice(REJECT_REASONS))

    def _worked(self) -> None:
        if not self._route() or not self._contact():
            return
        if self.unit is not self.truth:
            fixed = self._return() if self.rng.random() < FIX_BY_RETURN else self._transfer()
            if not fixed or not self._contact():
                return
        for round_ in range(2):
            if round_ and not self._contact():
                return
            if not self._meet() or not self._before_resolving() or not self._resolve():
                return
            outcome = self._follow_up(last_round=round_ == 1)
            if outcome != "reopened":
                return
            if self.rng.random() < UNREASONABLE:
                self._unreasonable()
                return

    # --- working the ticket -------------------------------------------------------------------

    def _clock(self, milestone: str) -> Clock | None:
        running = self.board.running(milestone)
        return running[0] if running else None

    def _draw(self, clock: Clock | None, limit: timedelta, on_time: float,
              late_scale: timedelta) -> datetime:
        """When the milestone is recorded: mostly before the deadline, a few exactly at it."""
        start = clock.started_at if clock else self.now
        due = clock.due_at if clock else start + limit
        r = self.rng.random()
        if r < EXACTLY_AT_LIMIT:
            return due
        if r < on_time:
            return start + (due - start) * self.rng.triangular(0.05, 1.0, 0.3)
        return due + late_scale * self.rng.expovariate(1) + timedelta(seconds=1)

    def _contact(self) -> bool:
        clock = self._clock(Milestone.CONTACT)
        moment = max(self._draw(clock, timedelta(minutes=10), CONTACT_ON_TIME,
                                timedelta(minutes=15)),
                     self.now + _seconds(self.rng, 20, 90))
        if not self._step(moment):
            return False
        self.t["contacted_at"] = moment
        self._transition(action=EventAction.RECORD_CONTACT, to_state=TicketState.CONTACTED,
                         actor=self.assignee, reason=self.rng.choice(CONTACT_NOTES))
        return True

    def _meet(self) -> bool:
        clock = self._clock(Milestone.MEET)
        moment = max(self._draw(clock, timedelta(minutes=30), MEET_ON_TIME,
                                timedelta(minutes=25)),
                     self.now + _seconds(self.rng, 60, 300))
        if not self._step(moment):
            return False
        self.t["met_at"] = moment
        self._transition(action=EventAction.RECORD_MEETING, to_state=TicketState.MET,
                         actor=self.assignee, reason=self.rng.choice(MEETING_NOTES))
        return True

    def _return(self) -> bool:
        """退单: a member asks, the lead approves; back to triage, then to the right unit."""
        unit, asker = self.unit, self.assignee
        assert unit is not None and asker is not None
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(5, 40))):
            return False
        code = self.rng.choice(("not_our_duty", "not_our_duty", "wrong_place", "overlapping"))
        text = RETURN_TEXT.format(unit=self.truth.name)
        label = f"【{RETURN_LABELS[code]}】{text}"
        request: dict[str, Any] = {
            "ticket_id": self.t["id"], "unit_id": unit.pk, "reason_code": code, "text": text,
            "state": "pending", "requested_by_id": asker.user_id, "requested_at": self.now,
            "decided_by_id": None, "decided_at": None, "decision_note": ""}
        self.returns.append(request)
        self.chain.record(at=self.now, actor=asker, action=EventAction.RETURN_REQUEST,
                          reason=label, payload={"reason_code": code})
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(5, 120))):
            return False
        lead = self.rng.choice(unit.leads)
        top3 = [c for c in self.t["prediction_top3"] if c.get("unit") != unit.code]
        self.t["prediction_top3"] = top3
        if self.predicted is unit:
            self.predicted = self.ref.units[top3[0]["unit"]] if top3 else None
            self.t["predicted_unit_id"] = self.predicted.pk if self.predicted else None
        self.unit = self.assignee = None
        self.t.update(unit_id=None, assignee_id=None, assigned_at=None, contacted_at=None,
                      met_at=None, return_count=self.t["return_count"] + 1)
        self._transition(action=EventAction.RETURN, to_state=TicketState.TRIAGE, actor=lead,
                         reason=label, payload={"unit": unit.code})
        request.update(state="approved", decided_by_id=lead.user_id, decided_at=self.now)
        return self._dispatch_by_hand(self.truth)

    def _transfer(self) -> bool:
        """改派 by the unit's lead or a centre dispatcher; the clocks start over."""
        unit = self.unit
        assert unit is not None
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(10, 180))):
            return False
        actor = self.rng.choice(unit.leads if self.rng.random() < 0.6 else self.ref.dispatchers)
        person = self.rng.choice(self.truth.workers)
        reason = f"经核实属「{self.truth.name}」职责，改派"
        self.unit, self.assignee = self.truth, person
        self.t.update(unit_id=self.truth.pk, assignee_id=person.staff_id, assigned_at=self.now,
                      contacted_at=None, met_at=None,
                      transfer_count=self.t["transfer_count"] + 1)
        self._transition(action=EventAction.TRANSFER, to_state=TicketState.ASSIGNED,
                         actor=actor, reason=reason,
                         payload={"from_unit": unit.code, "unit": self.truth.code,
                                  "assignee": person.username})
        self.corrections.append({
            "ticket_id": self.t["id"], "at": self.now, "actor_label": actor.label,
            "kind": "transfer", "predicted_unit": self.predicted.code if self.predicted else "",
            "chosen_unit": self.truth.code, "reason": reason})
        return True

    def _before_resolving(self) -> bool:
        """The side paths between the meeting and the reply: 督办, 暂停计时, 延期."""
        rng = self.rng
        if rng.random() < SUPERVISED:
            level = SupervisionLevel.LISTED if rng.random() < 0.2 else SupervisionLevel.DISTRICT
            self.board.supervise(at=self.now + timedelta(hours=rng.uniform(1, 72)), level=level)
        if rng.random() < SUSPENDED and not self._suspend():
            return False
        # Never past the city platform's own deadline (sla.extensions): none for its tickets.
        if self.text.urgency == "normal" and not self.board.upstream and rng.random() < EXTENDED:
            return self._extend()
        return True

    def _suspend(self) -> bool:
        person, unit = self.assignee, self.unit
        assert person is not None and unit is not None
        if not self._step(self.now + timedelta(hours=self.rng.uniform(0.5, 30))):
            return False
        row: dict[str, Any] = {
            "id": self.ctx.ids["suspensions"].take(), "ticket_id": self.t["id"],
            "reason": self.rng.choice(SUSPENSION_REASONS), "state": "pending",
            "requested_by_id": person.user_id, "requested_at": self.now, "decided_by_id": None,
            "decided_at": None, "decision_note": "", "started_at": None, "ended_at": None,
            "ended_by_label": ""}
        self.board.suspension = row
        self.chain.record(at=self.now, actor=person, action=EventAction.SUSPENSION_REQUEST,
                          reason=row["reason"], payload={"suspension": row["id"]})
        if not self._step(self.now + timedelta(minutes=self.rng.uniform(10, 240))):
            return False
        lead = self.rng.choice(unit.leads)
        row.update(state="active", decided_by_id=lead.user_id, decided_at=self.now,
                   started_at=self.now)
        self.board.pause(at=self.now)
        self.chain.record(at=self.now, actor=lead, action=EventAction.SUSPENSION_APPROVE,
                          payload={"suspension": row["id"]})
        if not self._step(self.now + timedelta(hours=self.rng.uniform(2, 96))):
            return False
        self.board.suspension_end(at=self.now, actor=person, reason="诉求人已联系上，恢复计时")
        return True

    def _extend(self) -> bool:
        clock = self._clock(Milestone.RESOLVE)
        person, unit = self.assignee, self.unit
        if clock is None or person is None or unit is None:
            return True
        ask = clock.started_at + (clock.due_at - clock.started_at) * self.rng.uniform(0.5, 0.9)
        ask = max(ask, self.now + timedelta(minutes=10))
        if ask >= clock.due_at:
            return True
        if not self._step(ask):
            return False
        old_due = clock.due_at
        days = self.rng.randint(3, 10)
        new_due = (self.ref.calendar.add(old_due, days * 7 * 60)
                   if clock.calendar == CalendarKind.WORKING else old_due + timedelta(days=days))
        reason = self.rng.choice(EXTENSION_REASONS)
        row: dict[str, Any] = {
            "ticket_id": self.t["id"], "reason": reason, "new_due_at": new_due,
            "old_due_at": old_due, "state": "pending", "requested_by_id": person.user_id,
            "requested_at": self.now, "decided_by_id": None, "decided_at": None,
            "decision_note": ""}
        self.extensions.append(row)
        self.chain.record(at=self.now, actor=person, action=EventAction.EXTENSION_REQUEST,
                          reason=reason, payload={"new_due_at": new_due.isoformat()})
        if not self._step(self.now + (old_due - self.now) * self.rng.uniform(0.1, 0.9)):
            return False
        lead = self.rng.choice(unit.leads)
        row.update(state="approved", decided_by_id=lead.user_id, decided_at=self.now)
        self.board.extension_apply(clock=clock, new_due_at=new_due)
        self.chain.record(at=self.now, actor=lead, action=EventAction.EXTENSION_APPROVE,
                          payload={"new_due_at": new_due.isoformat()})
        return True

    def _resolve_moment(self, clock: Clock | None) -> datetime:
        rng, cal = self.rng, self.ref.calendar
        if clock is None:
            return self.now + timedelta(hours=rng.uniform(2, 120))
        start, due = max(clock.started_at, self.now), clock.due_at
        working = clock.calendar == CalendarKind.WORKING
        r = rng.random()
        if r < STUCK:
            return due + timedelta(days=rng.uniform(20, 150))
        if start < due and r < EXACTLY_AT_LIMIT / 2:
            return due
        if start < due and r < RESOLVE_ON_TIME:
            share = rng.triangular(0.03, 1.0, 0.3)
            if not working:
                return start + (due - start) * share
            # The working minutes left: the policy's limit unless the deadline moved or work
            # started later than the clock (asking the calendar costs).
            minutes = (clock.minutes if start == clock.started_at and not clock.moved
                       else cal.minutes_between(start, due))
            return min(due, cal.add(start, int(minutes * share)) + _seconds(rng, 0, 59))
        over = max(1, int(clock.minutes * 0.12 * rng.expovariate(1)))
        if working:
            return cal.add(due, over) + _seconds(rng, 0, 59)
        return due + timedelta(minutes=over)

    def _resolve(self) -> bool:
        moment = max(self._resolve_moment(self._clock(Milestone.RESOLVE)),
                     self.now + timedelta(minutes=self.rng.uniform(10, 120)))
        if not self._step(moment):
            return False
        unit = self.unit
        assert unit is not None
        self.t.update(reply=self.rng.choice(REPLIES).format(unit=unit.name), resolved_at=moment,
                      handling_working_minutes=self.ref.calendar.minutes_between(
                          self.t["received_at"], moment))
        self.resolved_first = self.resolved_first or moment
        self._transition(action=EventAction.RESOLVE, to_state=TicketState.RESOLVED,
                         actor=self.assignee)
        self.follow_ups.append({
            "ticket_id": self.t["id"], "created_at": moment,
            "due_at": moment + timedelta(hours=settings.FOLLOW_UP_DUE_HOURS), "state": "open",
            "satisfaction": "", "note": "", "done_by_label": "", "done_at": None})
        return True

    def _follow_up(self, *, last_round: bool) -> str:
        """回访: satisfied closes, unsatisfied reopens to the same unit and person."""
        rng = self.rng
        hours = min(240.0, rng.lognormvariate(math.log(14), 0.8))
        if not self._step(self.now + timedelta(hours=hours)):
            return "open"
        r = rng.random()
        if r < UNSATISFIED and not last_round:
            satisfaction = "unsatisfied"
        else:
            satisfaction = "basically_satisfied" if rng.random() < 0.12 else "satisfied"
        actor = rng.choice(self.ref.dispatchers) if rng.random() < 0.85 else None
        note = SATISFIED_NOTES[satisfaction]
        self.t.update(satisfaction=satisfaction, follow_up_note=note)
        # The result's own event a moment before the transition it leads to (one service).
        self.chain.record(at=self.now - timedelta(milliseconds=2), actor=actor,
                          action=EventAction.FOLLOW_UP, reason=note,
                          payload={"satisfaction": satisfaction})
        self.follow_ups[-1].update(state="done", satisfaction=satisfaction, note=note,
                                   done_by_label=actor.label if actor else "系统",
                                   done_at=self.now)
        if satisfaction == "unsatisfied":
            self.t.update(assigned_at=self.now, contacted_at=None, met_at=None,
                          resolved_at=None, handling_working_minutes=None,
                          reopen_count=self.t["reopen_count"] + 1)
            self._transition(action=EventAction.REOPEN, to_state=TicketState.ASSIGNED,
                             actor=actor, reason=note, payload={"satisfaction": satisfaction})
            return "reopened"
        self.t["closed_at"] = self.now
        self._transition(action=EventAction.CLOSE, to_state=TicketState.CLOSED, actor=actor,
                         reason=note, payload={"satisfaction": satisfaction})
        return "closed"

    def _unreasonable(self) -> None:
        """After a reopen and a new contact, a supervisor rules the demand unreasonable."""
        if not self._contact():
            return
        if not self._step(self.now + timedelta(hours=self.rng.uniform(1, 48))):
            return
        self.t.update(closed_at=self.now, satisfaction_excluded=True)
        self._transition(action=EventAction.CLOSE_UNREASONABLE, to_state=TicketState.CLOSED,
                         actor=self.rng.choice(self.ref.supervisors),
                         reason="经审定，诉求超出政策规定范围，属不合理诉求，予以归档")

    # --- the rows ----------------------------------------------------------------------------

    def _finish(self) -> None:
        t, rows = self.t, self.ctx.rows
        t.update(state=self.chain.state, version=self.chain.version,
                 trail_head=self.chain.head, updated_at=self.chain.last_at or t["created_at"],
                 is_overdue=self.board.is_overdue,
                 sla_policy_id=(self.board.policy.pk if self.board.policy_used
                                and self.board.policy else None))
        rows.add("tickets", TICKET_COLUMNS, t)
        self.board.rows_add(as_of=self.as_of)
        for table, columns, items in (("follow_ups", FOLLOW_UP_COLUMNS, self.follow_ups),
                                      ("returns", RETURN_COLUMNS, self.returns),
                                      ("extensions", EXTENSION_COLUMNS, self.extensions),
                                      ("corrections", CORRECTION_COLUMNS, self.corrections)):
            for item in items:
                rows.add(table, columns, item)
        if t["state"] not in (TicketState.MERGED, TicketState.REJECTED):
            open_until = self.resolved_first or datetime.max.replace(tzinfo=self.as_of.tzinfo)
            self.ctx.parents.append(Parent(t["id"], t["number"], open_until, t))
