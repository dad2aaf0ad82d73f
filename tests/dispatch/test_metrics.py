"""GET /metrics: every number read from the shared stores, and who may read them."""

from __future__ import annotations

import importlib
import json
import time
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from kombu import Connection, Queue
from prometheus_client.parser import text_string_to_metric_families

from org.models import ServiceHeartbeat
from routing_model.models import ModelVersion
from sla.timers import sla_sweep
from tests.factories import ChannelFactory, TicketFactory
from tickets.core.signing import signature_header
from tickets.models import Ticket
from tickets.services import lifecycle as services

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture(autouse=True)
def _metrics_settings(settings):
    settings.METRICS_CACHE_SECONDS = 0
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["127.0.0.1", "::1"]


def scrape(client, **extra: str) -> Samples:
    response = client.get("/metrics", **extra)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(response.content.decode())
            for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float | None:
    return samples.get((name, tuple(sorted(labels.items()))))


def values(samples: Samples, name: str, label: str) -> dict[str, float]:
    return {dict(labels)[label]: v for (n, labels), v in samples.items() if n == name}


# --- tickets and routing -------------------------------------------------------------------------

def test_tickets_received_are_counted_per_channel_including_channels_with_none(client, db):
    hotline, web = ChannelFactory(code="hotline-12345"), ChannelFactory(code="web-form")
    ChannelFactory(code="idle-channel")
    for _ in range(3):
        TicketFactory(channel=hotline)
    TicketFactory(channel=web, state="triage")
    counts = values(scrape(client), "minyi_tickets_received_total", "channel")
    assert counts == {"hotline-12345": 3, "web-form": 1, "idle-channel": 0}


def test_the_first_routing_decision_splits_tickets_into_auto_and_triage(client, org):
    dispatcher = org.centre_dispatcher.user
    auto = org.ticket("received")
    services.ticket_assign(ticket=auto, actor=None, unit=org.unit, assignee=org.assignee)
    dispatched_after_triage = services.ticket_triage(ticket=org.ticket("received"), actor=None)
    services.ticket_assign(ticket=dispatched_after_triage, actor=dispatcher, unit=org.unit,
                           assignee=org.coworker)  # from triage: still a triage decision
    services.ticket_triage(ticket=org.ticket("received"), actor=None)
    org.ticket("received")  # not routed yet: neither
    assert values(scrape(client), "minyi_tickets_routed_total", "outcome") == {
        "auto": 1, "triage": 2}


# --- intake to a named person --------------------------------------------------------------------

def _assigned_after(org, delay: timedelta, *, assignee=None) -> Ticket:
    with time_machine.travel(T0, tick=False):
        ticket = org.ticket("received")  # created_at: when intake accepted it
    with time_machine.travel(T0 + delay, tick=False):
        return services.ticket_assign(ticket=ticket, actor=None, unit=org.unit,
                                      assignee=assignee or org.assignee)


def test_the_latency_histogram_counts_each_ticket_in_its_bucket_cumulatively(client, org):
    quick = _assigned_after(org, timedelta(seconds=0.4))
    _assigned_after(org, timedelta(seconds=3))
    _assigned_after(org, timedelta(hours=2))
    with time_machine.travel(T0 + timedelta(seconds=1), tick=False):
        services.ticket_assign(ticket=org.ticket("received"), actor=None, unit=org.unit,
                               assignee=None)  # the unit queue: no person yet, not counted
    expected = {"0.25": 0, "0.5": 1, "1.0": 1, "2.0": 1, "5.0": 2, "10.0": 2, "30.0": 2,
                "60.0": 2, "300.0": 2, "1800.0": 2, "3600.0": 2, "14400.0": 3, "86400.0": 3,
                "+Inf": 3}
    samples = scrape(client)
    name = "minyi_ticket_first_assignment_seconds"
    assert values(samples, f"{name}_bucket", "le") == expected
    assert value(samples, f"{name}_count") == 3
    assert value(samples, f"{name}_sum") == pytest.approx(0.4 + 3 + 7200)

    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        moved = services.ticket_transfer(ticket=Ticket.objects.get(pk=quick.pk),
                                         actor=org.lead.user, unit=org.other_unit,
                                         assignee=org.other_caseworker, reason="属水务职责")
    assert moved.assigned_at == T0 + timedelta(days=1)
    assert Ticket.objects.get(pk=quick.pk).first_assigned_at == T0 + timedelta(seconds=0.4)
    samples = scrape(client)
    assert values(samples, f"{name}_bucket", "le") == expected
    assert value(samples, f"{name}_sum") == pytest.approx(0.4 + 3 + 7200)


def test_a_person_named_from_the_unit_queue_counts_from_that_moment(org):
    with time_machine.travel(T0, tick=False):
        ticket = services.ticket_assign(ticket=org.ticket("received"), actor=None,
                                        unit=org.unit, assignee=None)
    assert ticket.first_assigned_at is None
    with time_machine.travel(T0 + timedelta(minutes=7), tick=False):
        services.ticket_reassign(ticket=ticket, actor=org.lead.user, assignee=org.coworker)
    with time_machine.travel(T0 + timedelta(minutes=9), tick=False):
        services.ticket_reassign(ticket=Ticket.objects.get(pk=ticket.pk), actor=org.lead.user,
                                 assignee=org.assignee)
    assert Ticket.objects.get(pk=ticket.pk).first_assigned_at == T0 + timedelta(minutes=7)


def test_the_migration_backfills_the_first_person_from_the_event_trail(org):
    migration = importlib.import_module("tickets.migrations.0015_ticket_first_assigned_at")
    direct = _assigned_after(org, timedelta(seconds=5))
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        services.ticket_transfer(ticket=direct, actor=org.lead.user, unit=org.other_unit,
                                 assignee=org.other_caseworker, reason="属水务职责")
    with time_machine.travel(T0, tick=False):
        queued = services.ticket_assign(ticket=org.ticket("received"), actor=None,
                                        unit=org.unit, assignee=None)
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        services.ticket_reassign(ticket=queued, actor=org.lead.user, assignee=org.coworker)
    waiting = services.ticket_triage(ticket=org.ticket("received"), actor=None)
    Ticket.objects.update(first_assigned_at=None)  # as before the migration

    migration.backfill_first_assigned_at(apps, None)

    first = dict(Ticket.objects.values_list("pk", "first_assigned_at"))
    assert first == {direct.pk: T0 + timedelta(seconds=5),
                     queued.pk: T0 + timedelta(minutes=3), waiting.pk: None}


# --- SLA -----------------------------------------------------------------------------------------

def test_sla_warnings_and_breaches_are_counted_per_milestone(client, org):
    for _ in range(2):
        with time_machine.travel(T0, tick=False):
            services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                   actor=org.centre_dispatcher.user, unit=org.unit,
                                   assignee=org.assignee)
    sla_sweep(now=T0 + timedelta(minutes=10))  # contact: warned and breached on both
    sla_sweep(now=T0 + timedelta(minutes=25))  # meet: past its warning point, not its deadline
    samples = scrape(client)
    assert values(samples, "minyi_sla_warnings_total", "milestone") == {
        "contact": 2, "meet": 2, "resolve": 0, "follow_up": 0}
    assert values(samples, "minyi_sla_breaches_total", "milestone") == {
        "contact": 2, "meet": 0, "resolve": 0, "follow_up": 0}


# --- intake refusals -----------------------------------------------------------------------------

def _post(client, code: str, body: bytes, *, secret: str | None,
          content_type: str = "application/json", signature: str | None = None):
    header = signature or (signature_header(secret=secret, timestamp=int(time.time()),
                                            body=body) if secret else "")
    extra = {"HTTP_X_SIGNATURE": header} if header else {}
    return client.generic("POST", f"/api/intake/{code}/", body, content_type=content_type,
                          **extra)


def test_every_kind_of_intake_refusal_is_counted_by_its_reason(client, db):
    channel = ChannelFactory(code="hotline-12345", family="hotline", rate_limit_per_minute=8)
    secret = channel.signing_secrets[0]
    payload = json.dumps({"call_id": "c1"}).encode()
    statuses = [
        _post(client, "no-such-channel", payload, secret=secret).status_code,
        _post(client, channel.code, payload, secret=None,
              signature=f"t={int(time.time())},v1={'0' * 64}").status_code,
        _post(client, channel.code, payload, secret=None).status_code,
        _post(client, channel.code, b'{"x": "' + b"y" * 300_000 + b'"}',
              secret=secret).status_code,
        _post(client, channel.code, b"call_id=1", secret=secret,
              content_type="text/plain").status_code,
        _post(client, channel.code, payload, secret=secret).status_code,  # fields missing
        _post(client, channel.code, b'{"call_id": ', secret=secret).status_code,
    ]
    assert statuses == [404, 401, 401, 413, 415, 400, 400]
    counts = values(scrape(client), "minyi_intake_refused_total", "reason")
    assert counts == {"unknown_channel": 1, "bad_signature": 1, "missing_signature": 1,
                      "body_too_large": 1, "unsupported_media_type": 1, "invalid_payload": 1,
                      "invalid_json": 1, "malformed_signature": 0, "expired_signature": 0,
                      "rate_limited": 0, "other": 0}


def test_requests_over_the_channel_rate_are_counted_as_rate_limited(client, db):
    channel = ChannelFactory(code="hotline-12345", family="hotline", rate_limit_per_minute=1)
    body = json.dumps({"call_id": "c1"}).encode()
    secret = channel.signing_secrets[0]
    codes = [_post(client, channel.code, body, secret=secret).status_code for _ in range(3)]
    assert codes == [400, 429, 429]
    assert value(scrape(client), "minyi_intake_refused_total", reason="rate_limited") == 2


def test_a_cache_outage_loses_the_count_but_not_the_request(client, db, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr("tickets.intake.refusals.cache.add", down)
    response = _post(client, "no-such-channel", b"{}", secret=None)
    assert response.status_code == 404


# --- router, heartbeats, broker ------------------------------------------------------------------

def test_the_active_router_version_is_an_info_gauge_and_absent_when_none_is(client, db):
    assert values(scrape(client), "minyi_router_model_info", "version") == {}
    ModelVersion.objects.create(version="2026-11-30.1", sha256="0" * 64, status="retired")
    ModelVersion.objects.create(version="2026-12-01.1", sha256="1" * 64, status="active")
    assert values(scrape(client), "minyi_router_model_info", "version") == {"2026-12-01.1": 1}


def test_heartbeat_ages_are_seconds_since_each_process_last_beat(client, db):
    ServiceHeartbeat.objects.create(name="beat", seen_at=T0 - timedelta(seconds=30))
    ServiceHeartbeat.objects.create(name="worker@w1", seen_at=T0 - timedelta(minutes=5))
    with time_machine.travel(T0, tick=False):
        ages = values(scrape(client), "minyi_heartbeat_age_seconds", "name")
    assert ages == {"beat": 30, "worker@w1": 300}


def test_queue_depth_counts_messages_waiting_in_each_configured_queue(client, db, settings):
    from dispatch.celery import app

    busy, unused = f"metrics-test-{uuid.uuid4().hex}", f"metrics-unused-{uuid.uuid4().hex}"
    settings.CELERY_TASK_ROUTES = {"tests.metrics.nothing": {"queue": busy}}
    settings.CELERY_TASK_QUEUES = [Queue(unused)]
    for _ in range(2):  # no worker consumes this queue
        app.send_task("tests.metrics.nothing", queue=busy)
    samples = scrape(client)
    depths = values(samples, "minyi_celery_queue_depth", "queue")
    assert (depths[busy], depths[unused]) == (2, 0)
    assert "celery" in depths
    assert value(samples, "minyi_broker_up") == 1


def test_an_unreachable_broker_leaves_out_queue_depths_and_says_so(client, db, monkeypatch):
    from dispatch.celery import app

    monkeypatch.setattr(app, "connection_for_read",
                        lambda **kwargs: Connection("redis://127.0.0.1:1/0", **kwargs))
    samples = scrape(client)
    assert value(samples, "minyi_broker_up") == 0
    assert values(samples, "minyi_celery_queue_depth", "queue") == {}
    assert value(samples, "minyi_tickets_routed_total", outcome="auto") == 0


# --- access and caching --------------------------------------------------------------------------

def test_another_address_without_a_token_is_refused(client, db):
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 403 and response.json()["error"] == "forbidden"


def test_the_right_bearer_token_is_let_in_from_anywhere(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3",
                          HTTP_AUTHORIZATION="Bearer s3cret-token")
    assert response.status_code == 200


def test_a_wrong_bearer_token_is_refused(client, db, settings):
    settings.METRICS_TOKEN = "s3cret-token"
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3",
                          HTTP_AUTHORIZATION="Bearer s3cret-tokeX")
    assert response.status_code == 403


def test_an_empty_bearer_is_refused_when_no_token_is_configured(client, db):
    response = client.get("/metrics", REMOTE_ADDR="10.1.2.3", HTTP_AUTHORIZATION="Bearer ")
    assert response.status_code == 403


def test_localhost_is_allowed_by_default(client, db):
    assert client.get("/metrics").status_code == 200  # the test client's REMOTE_ADDR


def test_allowed_networks_may_be_given_as_cidr_and_ipv4_mapped_addresses_match(
        client, db, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not-an-address"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="::ffff:10.9.9.9").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 403


def test_scrapes_within_the_cache_period_get_the_same_text(client, db, settings):
    settings.METRICS_CACHE_SECONDS = 15
    channel = ChannelFactory(code="hotline-12345")
    first = scrape(client)
    TicketFactory(channel=channel)
    assert scrape(client) == first
    settings.METRICS_CACHE_SECONDS = 0
    assert value(scrape(client), "minyi_tickets_received_total", channel="hotline-12345") == 1
