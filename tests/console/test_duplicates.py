"""The dispatchers' list of suspected duplicates: the ones the router already dispatched too
(before, a duplicate that went straight to a unit was shown in no queue)."""

from __future__ import annotations

import pytest

from tests.factories import DuplicateCandidateFactory
from tickets.models import DuplicateCandidate, Ticket
from tickets.services.lifecycle import ticket_assign

pytestmark = pytest.mark.django_db


def _auto_dispatched(org, **fields):
    return ticket_assign(ticket=org.ticket("received", **fields), actor=None, unit=org.unit,
                         assignee=org.assignee)  # the router (no actor): auto-dispatched


def test_an_auto_dispatched_duplicate_is_listed_for_the_dispatcher(org, login):
    original = _auto_dispatched(org, title="景田路井盖缺失")
    new = _auto_dispatched(org, title="景田路井盖又没了")
    DuplicateCandidateFactory(ticket=new, original=original)
    page = login(org.centre_dispatcher).get("/console/duplicates/")
    body = page.content.decode()
    assert page.status_code == 200
    assert new.number in body and original.number in body
    assert "景田路井盖又没了" in body and "同一地址、内容相似" in body
    assert "same_address" not in body


def test_decided_and_closed_suspicions_are_not_listed(org, login):
    original, new = _auto_dispatched(org), _auto_dispatched(org)
    decided = DuplicateCandidateFactory(ticket=new, original=original, status="dismissed")
    closed = DuplicateCandidateFactory(ticket=org.ticket("closed"), original=original)
    body = login(org.centre_dispatcher).get("/console/duplicates/").content.decode()
    assert f"candidate-{decided.pk}" not in body and f"candidate-{closed.pk}" not in body
    assert "没有待确认的疑似重复件" in body


def test_the_dispatcher_merges_a_duplicate_from_the_list(org, login):
    original, new = _auto_dispatched(org), _auto_dispatched(org)
    candidate = DuplicateCandidateFactory(ticket=new, original=original)
    c = login(org.centre_dispatcher)
    r = c.post(f"/console/duplicates/{candidate.pk}/decide/", {"decision": "merge"})
    assert r.status_code == 302 and r["Location"] == "/console/duplicates/"
    assert Ticket.objects.get(pk=new.pk).state == "merged"
    assert f"{new.number} 已并入 {original.number}" in c.get(r["Location"]).content.decode()


def test_the_dispatcher_dismisses_a_suspicion_from_the_list(org, login):
    candidate = DuplicateCandidateFactory(ticket=_auto_dispatched(org),
                                          original=_auto_dispatched(org))
    r = login(org.centre_dispatcher).post(f"/console/duplicates/{candidate.pk}/decide/",
                                          {"decision": "dismiss", "reason": "不同楼栋"})
    assert r.status_code == 302
    assert DuplicateCandidate.objects.get(pk=candidate.pk).status == "dismissed"


def test_a_decision_on_a_decided_suspicion_is_a_404_and_a_bad_one_a_message(org, login):
    candidate = DuplicateCandidateFactory(ticket=_auto_dispatched(org),
                                          original=_auto_dispatched(org))
    c = login(org.centre_dispatcher)
    r = c.post(f"/console/duplicates/{candidate.pk}/decide/", {"decision": "explode"})
    assert r.status_code == 302
    assert "选择一个有效的选项" in c.get("/console/duplicates/").content.decode()
    c.post(f"/console/duplicates/{candidate.pk}/decide/", {"decision": "dismiss"})
    again = c.post(f"/console/duplicates/{candidate.pk}/decide/", {"decision": "merge"})
    assert again.status_code == 404


def test_the_list_is_the_centres_and_a_caseworker_is_refused(org, login):
    assert login(org.assignee).get("/console/duplicates/").status_code == 403
    assert login(org.lead).get("/console/duplicates/").status_code == 403
    nav = login(org.centre_dispatcher).get("/console/triage/").content.decode()
    assert 'href="/console/duplicates/"' in nav
