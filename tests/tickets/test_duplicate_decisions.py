"""Deciding a suspected duplicate: merge it into the ticket it repeats, or dismiss the
suspicion; either way the trail says who decided, and only the centre decides."""

from __future__ import annotations

import pytest

from tests.factories import DuplicateCandidateFactory
from tickets.core.errors import IllegalTransition, TransitionForbidden
from tickets.core.trail import trail_verify
from tickets.dispatching.duplicates import (
    duplicate_candidate_dismiss,
    duplicate_candidate_merge,
    duplicate_reason_labels,
)
from tickets.models import DuplicateCandidate, Ticket, TicketEvent
from tickets.services.lifecycle import ticket_assign, ticket_merge

pytestmark = pytest.mark.django_db


def _working(org, **fields):
    return ticket_assign(ticket=org.ticket("triage", **fields), actor=org.centre_dispatcher.user,
                         unit=org.unit, assignee=org.assignee)


def test_merging_a_candidate_merges_the_new_ticket_into_the_original(org):
    original, new = _working(org, title="路灯不亮"), _working(org, title="路灯还是不亮")
    candidate = DuplicateCandidateFactory(ticket=new, original=original)
    merged = duplicate_candidate_merge(candidate=candidate, actor=org.centre_dispatcher.user)
    assert (merged.state, merged.parent_id) == ("merged", original.pk)
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "merged"
    assert Ticket.objects.get(pk=original.pk).state == "assigned"


def test_dismissing_a_candidate_leaves_the_ticket_as_it_was_and_says_so_in_the_trail(org):
    original, new = _working(org), _working(org)
    candidate = DuplicateCandidateFactory(ticket=new, original=original)
    duplicate_candidate_dismiss(candidate=candidate, actor=org.centre_dispatcher.user,
                                reason="不同楼栋")
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "dismissed"
    assert Ticket.objects.get(pk=new.pk).state == "assigned"
    event = TicketEvent.objects.filter(ticket=new).order_by("pk").last()
    assert (event.action, event.reason, event.payload) == (
        "duplicate_dismiss", "不同楼栋", {"original": original.number})
    assert trail_verify(tickets=Ticket.objects.filter(pk=new.pk)) == []


def test_a_caseworker_may_not_decide_a_candidate(org):
    candidate = DuplicateCandidateFactory(ticket=_working(org), original=_working(org))
    with pytest.raises(TransitionForbidden):
        duplicate_candidate_dismiss(candidate=candidate, actor=org.assignee.user)
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "open"


def test_a_decided_candidate_cannot_be_decided_again(org):
    candidate = DuplicateCandidateFactory(ticket=_working(org), original=_working(org))
    duplicate_candidate_dismiss(candidate=candidate, actor=org.centre_dispatcher.user)
    with pytest.raises(IllegalTransition):
        duplicate_candidate_merge(candidate=candidate, actor=org.centre_dispatcher.user)
    assert Ticket.objects.get(pk=candidate.ticket_id).state == "assigned"


def test_a_merge_from_the_ticket_page_also_settles_the_suspicion(org):
    original, new = _working(org), _working(org)
    candidate = DuplicateCandidateFactory(ticket=new, original=original)
    ticket_merge(ticket=new, actor=org.centre_dispatcher.user, parent=original)
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "merged"


def test_reason_codes_read_as_words():
    assert duplicate_reason_labels(["same_phone", "same_address", "similar_text"]) == [
        "同一来电号码", "同一地址", "内容相似"]
    assert duplicate_reason_labels(["something_new"]) == ["something_new"]
