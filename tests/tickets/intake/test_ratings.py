from __future__ import annotations

import json
import time

from tests.factories import TicketFactory
from tickets.core.signing import signature_header


def _rate(client, channel, payload, *, secret=None):
    body = json.dumps(payload, ensure_ascii=False).encode()
    header = signature_header(secret=secret or channel.signing_secrets[0],
                              timestamp=int(time.time()), body=body)
    return client.generic("POST", f"/api/intake/{channel.code}/rating/", body,
                          content_type="application/json", HTTP_X_SIGNATURE=header)


def test_a_channels_satisfied_rating_closes_the_ticket_and_the_follow_up(org, client):
    ticket = org.ticket("resolved", external_id="H-1")
    task = ticket.follow_ups.create(created_at=ticket.received_at, due_at=ticket.received_at)
    r = _rate(client, ticket.channel, {"external_id": "H-1", "satisfaction": "satisfied",
                                       "note": "市民很满意"})
    assert r.status_code == 200 and r.json()["state"] == "closed"
    task.refresh_from_db()
    assert (task.state, task.done_by_label) == ("done", "系统")


def test_an_unsatisfied_rating_reopens_to_the_same_unit(org, client):
    ticket = org.ticket("resolved", external_id="H-2")
    r = _rate(client, ticket.channel, {"external_id": "H-2", "satisfaction": "unsatisfied"})
    assert r.status_code == 200 and r.json()["state"] == "assigned"
    ticket.refresh_from_db()
    assert ticket.unit == org.unit and ticket.reopen_count == 1


def test_a_merged_duplicates_rating_rates_its_parent(org, client):
    parent = org.ticket("resolved")
    child = TicketFactory(state="merged", parent=parent, external_id="APP-9")
    r = _rate(client, child.channel, {"external_id": "APP-9", "satisfaction": "satisfied"})
    assert r.status_code == 200 and r.json()["ticket_number"] == parent.number


def test_bad_ratings_are_refused_with_reasons(org, client):
    ticket = org.ticket("assigned", external_id="H-3")
    assert _rate(client, ticket.channel, {"external_id": "H-3", "satisfaction": "meh"}
                 ).json()["fields"]["satisfaction"]
    assert _rate(client, ticket.channel, {"external_id": "NOPE", "satisfaction": "satisfied"}
                 ).status_code == 404
    r = _rate(client, ticket.channel, {"external_id": "H-3", "satisfaction": "satisfied"})
    assert r.status_code == 409  # not resolved yet
    r = _rate(client, ticket.channel, {"external_id": "H-3", "satisfaction": "satisfied"},
              secret="wrong")
    assert r.status_code == 401
