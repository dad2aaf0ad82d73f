"""A unit lead's own return request in the console: it waits on their approvals page without
buttons, and the centre's dispatcher (or another lead) approves it on theirs."""

from __future__ import annotations

import pytest

from tests.factories import StaffFactory, UserFactory
from tickets.models import ReturnRequest, Ticket

pytestmark = pytest.mark.django_db


def _ask_as_lead(org, login) -> tuple[Ticket, ReturnRequest]:
    ticket = org.ticket("assigned")
    login(org.lead).post(f"/console/tickets/{ticket.number}/return_request/", {
        "return_request-reason_code": "not_our_duty", "return_request-text": "供水管网归水务"})
    return ticket, ReturnRequest.objects.get(ticket=ticket)


def test_the_leads_own_request_waits_on_their_page_without_buttons(org, login):
    ticket, request = _ask_as_lead(org, login)
    assert request.state == "pending"
    assert Ticket.objects.get(pk=ticket.pk).state == "assigned"
    page = login(org.lead).get("/console/approvals/").content.decode()
    own = page[page.index(f'id="return-{request.pk}"'):]
    assert "本人提交的退单申请，须由本单位其他负责人或分拨中心审核" in own.split("</div>")[0]
    assert f"/console/decide/return/{request.pk}/" not in page


def test_the_centre_approves_a_leads_own_request_from_its_approvals_page(org, login):
    ticket, request = _ask_as_lead(org, login)
    dispatcher = login(org.centre_dispatcher)
    page = dispatcher.get("/console/approvals/").content.decode()
    assert "单位负责人本人申请的退单" in page and ticket.number in page
    answer = dispatcher.post(f"/console/decide/return/{request.pk}/",
                             {"approve": "1", "back": "approvals"})
    assert answer.status_code == 302 and answer["Location"] == "/console/approvals/"
    assert Ticket.objects.get(pk=ticket.pk).state == "triage"
    assert ReturnRequest.objects.get(pk=request.pk).decided_by == org.centre_dispatcher.user


def test_the_centre_does_not_list_a_caseworkers_request(org, login):
    ticket = org.ticket("assigned")
    login(org.assignee).post(f"/console/tickets/{ticket.number}/return_request/", {
        "return_request-reason_code": "other", "return_request-text": "不归本单位"})
    assert ticket.number not in login(org.centre_dispatcher).get(
        "/console/approvals/").content.decode()
    assert ticket.number in login(org.lead).get("/console/approvals/").content.decode()


def test_another_lead_of_the_unit_approves_it_too(org, login):
    second = StaffFactory(unit=org.unit, role="unit_lead",
                          user=UserFactory(username="lianhua.lead2"))
    ticket, request = _ask_as_lead(org, login)
    answer = login(second).post(f"/console/decide/return/{request.pk}/", {"approve": "1"})
    assert answer.status_code == 302
    assert Ticket.objects.get(pk=ticket.pk).state == "triage"
