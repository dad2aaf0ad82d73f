"""Personal data in the API: phone and ID masked for every role, shown by an audited
POST /api/tickets/<number>/reveal-pii/; numbers in free text masked without the permission."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from tests.tickets.conftest import MASKED, MOBILE, shows_no_raw_number
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return json.dumps(response.json(), ensure_ascii=False)


def test_the_list_masks_numbers_in_titles_without_the_permission(org, numbered, as_staff):
    body = _text(as_staff(org.centre_supervisor).get("/api/tickets/"))
    assert "139****5678" in body and shows_no_raw_number(body)


def test_the_detail_masks_every_free_text_without_the_permission(org, numbered, as_staff):
    response = as_staff(org.centre_supervisor).get(f"/api/tickets/{numbered.ticket.number}/")
    body = response.json()
    assert body["content"].endswith(f"{MASKED[0]}，座机 {MASKED[1]}，身份证 {MASKED[2]}")
    assert body["source_details"] == {"reporter": "网格员 139****5678"}
    assert body["supervisions"][0]["instructions"] == "请联系 139****5678"
    assert body["extensions"][0]["reason"] == "等待 075*****1234 回复"
    assert shows_no_raw_number(_text(response))


def test_the_trail_masks_reasons_and_payloads_without_the_permission(org, numbered, as_staff):
    response = as_staff(org.centre_supervisor).get(
        f"/api/tickets/{numbered.ticket.number}/events/")
    contact = next(e for e in response.json() if e["action"] == "record_contact")
    assert contact["payload"] == {"note": "号码 139****5678"}
    assert shows_no_raw_number(_text(response))


def test_with_the_permission_free_text_reads_as_written_but_the_citizen_is_masked(
        org, numbered, as_staff, grant_pii):
    grant_pii(org.assignee.user)
    client = as_staff(org.assignee)
    body = client.get(f"/api/tickets/{numbered.ticket.number}/").json()
    assert MOBILE in body["content"] and MOBILE in body["title"]
    assert (body["citizen_phone"], body["citizen_id_number"]) == ("138****5678",
                                                                  "440304********1234")
    events = client.get(f"/api/tickets/{numbered.ticket.number}/events/").json()
    assert any(MOBILE in e["reason"] for e in events)


def test_the_reveal_shows_the_full_numbers_once_and_records_who_asked(org, as_staff, grant_pii):
    ticket = org.ticket("assigned")
    grant_pii(org.assignee.user)
    response = as_staff(org.assignee).post(f"/api/tickets/{ticket.number}/reveal-pii/")
    assert response.status_code == 200
    assert response.json() == {"phone": "13812345678", "id_number": "440304199001011234"}
    event = TicketEvent.objects.get(ticket=ticket, action="reveal_pii")
    assert event.actor == org.assignee.user


def test_the_reveal_is_403_without_the_permission_and_records_nothing(org, as_staff):
    ticket = org.ticket("assigned")
    response = as_staff(org.assignee).post(f"/api/tickets/{ticket.number}/reveal-pii/")
    assert response.status_code == 403 and "13812345678" not in response.content.decode()
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_the_reveal_of_a_ticket_one_may_not_see_is_404(org, as_staff, grant_pii):
    theirs = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    grant_pii(org.assignee.user)
    response = as_staff(org.assignee).post(f"/api/tickets/{theirs.number}/reveal-pii/")
    assert response.status_code == 404
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_the_reveal_needs_a_post(org, as_staff, grant_pii):
    ticket = org.ticket("assigned")
    grant_pii(org.assignee.user)
    assert as_staff(org.assignee).get(
        f"/api/tickets/{ticket.number}/reveal-pii/").status_code == 405
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_an_anonymised_ticket_has_nothing_to_reveal(org, as_staff, grant_pii):
    ticket = org.ticket("closed", closed_at=timezone.now())
    Ticket.objects.filter(pk=ticket.pk).update(anonymised_at=timezone.now())
    grant_pii(org.assignee.user)
    response = as_staff(org.assignee).post(f"/api/tickets/{ticket.number}/reveal-pii/")
    assert response.status_code == 409
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_the_reveal_is_in_the_openapi_schema(client, db):
    schema = client.get("/api/schema/?format=json").json()
    reveal = schema["paths"]["/api/tickets/{number}/reveal-pii/"]["post"]
    assert {"200", "403", "404"} <= set(reveal["responses"])
    properties = schema["components"]["schemas"]["RevealedPii"]["properties"]
    assert set(properties) == {"phone", "id_number"}
