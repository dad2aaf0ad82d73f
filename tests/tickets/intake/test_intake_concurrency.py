"""Simultaneous deliveries of one external id over real HTTP, against PostgreSQL: one ticket."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from tests.factories import ChannelFactory
from tickets.core.signing import signature_header
from tickets.intake.adapters import adapter_for
from tickets.models import IntakeRecord, Ticket

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _deliver(url: str, body: bytes, secret: str) -> tuple[int, dict]:
    request = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": "application/json",
        "X-Signature": signature_header(secret=secret, timestamp=int(time.time()), body=body)})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"{}")


def test_parallel_deliveries_of_the_same_id_create_exactly_one_ticket(live_server):
    channel = ChannelFactory(code="hotline-12345", family="hotline")
    body = json.dumps(adapter_for("hotline").examples()["call__normal"]).encode()
    url = f"{live_server.url}/api/intake/{channel.code}/"
    barrier = threading.Barrier(8)
    results: list[tuple[int, dict]] = []

    def send() -> None:
        barrier.wait(timeout=10)
        results.append(_deliver(url, body, channel.signing_secrets[0]))

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    statuses = sorted(status for status, _ in results)
    assert statuses == [200] * 7 + [201], results
    assert len({body["ticket_number"] for _, body in results}) == 1
    assert Ticket.objects.count() == 1
    assert IntakeRecord.objects.count() == 8
    assert IntakeRecord.objects.filter(outcome="accepted").count() == 1
    assert IntakeRecord.objects.filter(outcome="duplicate").count() == 7
