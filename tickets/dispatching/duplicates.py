"""重复件: a new ticket that nearly repeats an open one becomes a candidate for dispatchers."""

from __future__ import annotations

import re
from datetime import timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tickets.core.errors import IllegalTransition, TransitionForbidden
from tickets.core.trail import actor_label, ticket_event_record
from tickets.models import (
    OPEN_STATES,
    DuplicateCandidate,
    DuplicateCandidateStatus,
    EventAction,
    Ticket,
)
from tickets.models import transition_rules as rules
from tickets.services.lifecycle import ticket_merge

WINDOW = timedelta(days=7)
# What a candidate's stored reason codes mean, for the people who decide (console, API docs).
REASON_LABELS = {"same_phone": _("同一来电号码"), "same_address": _("同一地址"),
                 "similar_text": _("内容相似")}
THRESHOLD = 0.35
_NOT_WORDS = re.compile(r"[\W_]+", re.UNICODE)


def _bigrams(text: str) -> set[str]:
    compact = _NOT_WORDS.sub("", text.lower())
    return {compact[i:i + 2] for i in range(len(compact) - 1)} or {compact}


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of character bigrams: robust for Chinese without a segmenter."""
    left, right = _bigrams(a), _bigrams(b)
    return len(left & right) / len(left | right) if left and right else 0.0


def duplicate_candidates_find(*, ticket: Ticket, limit: int = 3) -> list[DuplicateCandidate]:
    """Open tickets of the last 7 days with the same phone or address and similar text."""
    same_place = Q()
    if ticket.citizen_phone:
        same_place |= Q(citizen_phone=ticket.citizen_phone)
    if ticket.address:
        same_place |= Q(address=ticket.address)
    if not same_place:
        return []
    # Only the columns compared; the 20 most recent are plenty for a dispatcher to look at.
    others = (Ticket.objects.filter(same_place, state__in=OPEN_STATES,
                                    received_at__gte=ticket.received_at - WINDOW)
              .exclude(pk=ticket.pk).order_by("-received_at")
              .values_list("pk", "number", "title", "content", "citizen_phone", "address")[:20])
    mine = _bigrams(f"{ticket.title} {ticket.content}")
    found = []
    for pk, number, title, content, phone, address in others:
        theirs = _bigrams(f"{title} {content}")
        score = len(mine & theirs) / len(mine | theirs)
        if score < THRESHOLD:
            continue
        reasons = [name for name, same in (
            ("same_phone", ticket.citizen_phone and phone == ticket.citizen_phone),
            ("same_address", ticket.address and address == ticket.address),
        ) if same]
        found.append(DuplicateCandidate(ticket=ticket, original=Ticket(pk=pk, number=number),
                                        score=round(score, 3), reasons=[*reasons, "similar_text"]))
    found.sort(key=lambda c: c.score, reverse=True)
    return DuplicateCandidate.objects.bulk_create(found[:limit], ignore_conflicts=True)


def duplicate_check(*, ticket_id: int) -> list[DuplicateCandidate]:
    """The task's entry: idempotent, a second run finds the same candidates and adds none."""
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    return duplicate_candidates_find(ticket=ticket) if ticket is not None else []


def duplicate_reason_labels(reasons: object) -> list[str]:
    """A candidate's reasons in words (an unknown code is shown as it is)."""
    codes = reasons if isinstance(reasons, list) else []
    return [str(REASON_LABELS.get(str(code), code)) for code in codes]


def _decidable(candidate: DuplicateCandidate, actor: User, action: str) -> DuplicateCandidate:
    """The candidate, locked, still open, and the actor one who may merge tickets."""
    current = DuplicateCandidate.objects.select_for_update().select_related(
        "ticket", "original").get(pk=candidate.pk)
    if not rules.may_dispatch(current.ticket, actor):
        raise TransitionForbidden(ticket=current.ticket, action=action,
                                  actor_label=actor_label(actor))
    if current.status != DuplicateCandidateStatus.OPEN:
        raise IllegalTransition(ticket=current.ticket, action=action)
    return current


def duplicate_candidate_merge(*, candidate: DuplicateCandidate, actor: User,
                              reason: str = "") -> Ticket:
    """Confirm the suspicion: the new ticket is merged into the open one it repeats (the
    merge marks the candidate merged, tickets.services.lifecycle.ticket_merge)."""
    with transaction.atomic():
        current = _decidable(candidate, actor, EventAction.MERGE)
        return ticket_merge(ticket=current.ticket, actor=actor, parent=current.original,
                            reason=reason or "疑似重复件确认合并")


def duplicate_candidate_dismiss(*, candidate: DuplicateCandidate, actor: User,
                                reason: str = "") -> DuplicateCandidate:
    """Not a repeat: the candidate leaves the dispatchers' list, and the trail says who
    decided it (the new ticket goes on as it was)."""
    with transaction.atomic():
        current = _decidable(candidate, actor, EventAction.DUPLICATE_DISMISS)
        current.status = DuplicateCandidateStatus.DISMISSED
        current.save(update_fields=["status"])
        ticket_event_record(ticket=current.ticket, actor=actor,
                            action=EventAction.DUPLICATE_DISMISS,
                            reason=reason.strip() or f"与 {current.original.number} 不是重复件",
                            payload={"original": current.original.number})
    return current
