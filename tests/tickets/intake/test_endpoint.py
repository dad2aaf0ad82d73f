"""POST /api/intake/<channel>/: every family's happy path and every error code."""

from __future__ import annotations

import json
import time

import pytest
from django.test import override_settings

from tickets.intake.adapters import adapter_for
from tickets.models import IntakeRecord, Ticket, TicketEvent
from tickets.models.channel import ChannelFamily

EXAMPLES = [(family, name) for family in ChannelFamily.values
            for name in adapter_for(family).examples()]


@pytest.mark.parametrize(("family", "name"), EXAMPLES, ids=[f"{f}/{n}" for f, n in EXAMPLES])
def test_every_family_creates_a_ticket_from_its_example(post, channel_of, family, name):
    channel = channel_of(family)
    payload = adapter_for(family).examples()[name]
    response = post(channel, payload)
    assert response.status_code == 201, response.json()
    body = response.json()
    ticket = Ticket.objects.get(number=body["ticket_number"])
    assert (ticket.channel, ticket.state, body["duplicate"]) == (channel, "received", False)
    record = IntakeRecord.objects.get(pk=body["intake_id"])
    assert (record.outcome, record.ticket) == ("accepted", ticket)
    assert json.loads(bytes(record.body)) == payload
    assert ticket.events.get().action == "create"


def test_a_retry_gets_200_and_the_same_ticket_number(post, channel_of):
    channel = channel_of("hotline")
    payload = adapter_for("hotline").examples()["call__normal"]
    first, retry = post(channel, payload), post(channel, payload)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert retry.json()["ticket_number"] == first.json()["ticket_number"]
    assert retry.json()["duplicate"] is True
    assert Ticket.objects.count() == 1
    assert list(IntakeRecord.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "accepted", "duplicate"]


def test_the_city_platform_deadlines_and_number_are_kept_on_the_ticket(post, channel_of):
    response = post(channel_of("city_platform"),
                    adapter_for("city_platform").examples()["dispatch__urgent"])
    ticket = Ticket.objects.get(number=response.json()["ticket_number"])
    assert ticket.upstream_number == "SZMY-20261128-0012345"
    assert ticket.upstream_resolve_due_at.isoformat() == "2026-11-29T07:10:00+00:00"
    assert (ticket.urgency, ticket.category_l1) == ("urgent", "城乡建设")


def test_phone_and_id_numbers_in_the_text_fill_the_citizen_fields(post, channel_of):
    payload = {"submission_id": "x1", "title": "咨询", "content":
               "我的电话是 139-0000-1111，身份证 11010519491231002x，请回电。"}
    response = post(channel_of("web_form"), payload)
    ticket = Ticket.objects.get(number=response.json()["ticket_number"])
    assert (ticket.citizen_phone, ticket.citizen_id_number) == ("13900001111",
                                                                "11010519491231002X")
    assert ticket.source_details["extracted_from_text"] == ["citizen_phone", "citizen_id_number"]


def test_a_phone_given_in_the_contact_is_not_overwritten_by_the_text(post, channel_of):
    payload = {"submission_id": "x2", "title": "t", "content": "邻居电话 13900001111 吵闹",
               "contact": {"phone": "13812345678"}}
    ticket = Ticket.objects.get(number=post(channel_of("web_form"), payload)
                                .json()["ticket_number"])
    assert ticket.citizen_phone == "13812345678"


# --- errors -------------------------------------------------------------------------------------

def test_an_unknown_channel_is_404_and_stores_nothing(post, channel_of):
    response = post(channel_of("hotline"), {"a": 1}, code="no-such-channel")
    assert response.status_code == 404 and response.json()["error"] == "unknown_channel"
    assert not IntakeRecord.objects.exists()


def test_an_inactive_channel_is_404(post, channel_of):
    channel = channel_of("hotline", active=False)
    assert post(channel, {"a": 1}).status_code == 404


@pytest.mark.parametrize(("signature", "code"), [
    ("", "missing_signature"),
    ("garbage", "malformed_signature"),
    ("t=1,v1=00", "expired_signature"),
])
def test_a_missing_or_bad_signature_is_401_and_nothing_is_stored(post, channel_of, signature,
                                                                  code):
    response = post(channel_of("hotline"), adapter_for("hotline").examples()["call__normal"],
                    signature=signature)
    assert response.status_code == 401 and response.json()["error"] == code
    assert not IntakeRecord.objects.exists() and not Ticket.objects.exists()


def test_a_signature_made_with_a_wrong_secret_is_401(post, channel_of):
    response = post(channel_of("hotline"), {"a": 1}, secret="not-the-secret")
    assert (response.status_code, response.json()["error"]) == (401, "bad_signature")


def test_a_signature_older_than_five_minutes_is_refused(post, channel_of):
    response = post(channel_of("hotline"), {"a": 1}, timestamp=int(time.time()) - 301)
    assert (response.status_code, response.json()["error"]) == (401, "expired_signature")


def test_both_secrets_work_while_a_channel_rotates(post, channel_of):
    channel = channel_of("hotline", signing_secrets=["new-secret", "old-secret"])
    payload = adapter_for("hotline").examples()
    assert post(channel, payload["call__normal"], secret="old-secret").status_code == 201
    assert post(channel, payload["call__urgent"], secret="new-secret").status_code == 201
    channel.signing_secrets = ["new-secret"]
    channel.save()
    assert post(channel, payload["call__withheld_number"], secret="old-secret").status_code == 401


def test_a_body_over_256_kib_is_413(post, channel_of):
    payload = {"call_id": "big", "agent_summary": "长" * 100_000}
    response = post(channel_of("hotline"), payload)
    assert response.status_code == 413 and response.json()["error"] == "body_too_large"
    assert not IntakeRecord.objects.exists()


def test_a_body_that_is_not_json_by_type_is_415(post, channel_of):
    response = post(channel_of("hotline"), b"call_id=1", content_type="text/plain")
    assert (response.status_code, response.json()["error"]) == (415, "unsupported_media_type")


def test_broken_json_is_400_and_kept_for_replay(post, channel_of):
    response = post(channel_of("hotline"), b'{"call_id": ', content_type="application/json")
    assert (response.status_code, response.json()["error"]) == (400, "invalid_json")
    record = IntakeRecord.objects.get()
    assert record.outcome == "invalid" and bytes(record.body) == b'{"call_id": '


def test_missing_fields_are_400_with_a_code_and_a_chinese_message_each(post, channel_of):
    response = post(channel_of("hotline"), {"call_id": "1", "caller_number": "110"})
    body = response.json()
    assert response.status_code == 400 and body["error"] == "invalid_payload"
    assert body["fields"]["call_time"] == [{"code": "required", "message": "必填"}]
    assert body["fields"]["caller_number"][0]["code"] == "invalid_phone"
    assert "agent_summary" in body["fields"]
    record = IntakeRecord.objects.get()
    assert record.outcome == "invalid" and record.error_detail["fields"] == body["fields"]


def test_over_the_channel_rate_is_429_with_retry_after(post, channel_of):
    channel = channel_of("hotline", rate_limit_per_minute=2)
    examples = list(adapter_for("hotline").examples().values())
    statuses = [post(channel, payload).status_code for payload in examples]
    assert statuses == [201, 201, 429]
    blocked = post(channel, examples[0])
    assert blocked.status_code == 429 and 0 < int(blocked["Retry-After"]) <= 60


def test_get_is_not_allowed(client, channel_of):
    assert client.get(f"/api/intake/{channel_of('hotline').code}/").status_code == 405


@override_settings(INTAKE_MAX_BODY_BYTES=100)
def test_the_size_limit_comes_from_settings(post, channel_of):
    assert post(channel_of("hotline"), {"x": "y" * 200}).status_code == 413


def test_routing_and_the_duplicate_check_are_queued_only_after_commit(
        post, channel_of, django_capture_on_commit_callbacks, monkeypatch):
    sent: list[tuple[str, int]] = []
    monkeypatch.setattr("tickets.tasks.ticket_received_task.delay",
                        lambda tid: sent.append(("received", tid)))
    with django_capture_on_commit_callbacks() as callbacks:
        response = post(channel_of("hotline"), adapter_for("hotline").examples()["call__normal"])
        assert sent == []
    ticket = Ticket.objects.get(number=response.json()["ticket_number"])
    assert ticket.route_requested_at is not None
    for callback in callbacks:
        callback()
    assert sent == [("received", ticket.pk)]  # one message: duplicate check, then routing
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1
