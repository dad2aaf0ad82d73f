"""重复件: a new ticket that nearly repeats an open one becomes a candidate for dispatchers."""

from __future__ import annotations

import re
from datetime import timedelta

from django.db.models import Q

from tickets.models import OPEN_STATES, DuplicateCandidate, Ticket

WINDOW = timedelta(days=7)
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
