"""Signed traffic from simulated channels, for the demo and the intake benchmark.

Only loopback targets are allowed, and every run is bounded in count and time.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import queue
import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from demo import simulated_requests as sim
from tickets.core.signing import signature_header
from tickets.models import IntakeRecord, Ticket

MAX_REQUESTS = 200_000
MAX_SECONDS = 900
# new requests, retries of one already sent, near-duplicates (重复件), invalid payloads
DEFAULT_MIX = {"new": 0.85, "retry": 0.07, "near_duplicate": 0.04, "invalid": 0.04}


@dataclass(frozen=True)
class SimChannel:
    code: str
    family: str
    secret: str


@dataclass(frozen=True)
class PlannedRequest:
    channel: SimChannel
    kind: str
    body: bytes
    external_id: str


@dataclass
class Outcome:
    request: PlannedRequest
    status: int | None
    latency_ms: float
    ticket_number: str | None = None
    error: str = ""


def require_loopback(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    host = parts.hostname or ""
    loopback = host == "localhost"
    if not loopback:
        try:
            loopback = ipaddress.ip_address(host).is_loopback
        except ValueError:
            loopback = False
    if parts.scheme != "http" or not loopback:
        raise ValueError(f"只允许向本机回环地址发送模拟流量（http://127.0.0.1:…），收到 {url!r}")
    return host, parts.port or 80


_ID_FIELDS = {"hotline": "call_id", "web_form": "submission_id", "petition": "case_number",
              "public_opinion": "item_id", "machine_event": "event_id",
              "city_platform": "upstream_number"}


def traffic_plan(*, channels: Sequence[SimChannel], count: int, seed: int, now: datetime,
                 mix: dict[str, float] | None = None, first_seq: int = 0) -> list[PlannedRequest]:
    """A deterministic list of requests from all channels in the given mix. External ids are
    numbered from `first_seq`, so runs with different starting points never collide."""
    if not 0 < count <= MAX_REQUESTS:
        raise ValueError(f"count must be 1..{MAX_REQUESTS}")
    rng = random.Random(seed)
    kinds, weights = zip(*(mix or DEFAULT_MIX).items(), strict=True)
    sent: list[tuple[PlannedRequest, dict[str, Any]]] = []
    planned: list[PlannedRequest] = []
    for seq in range(first_seq, first_seq + count):
        kind = rng.choices(kinds, weights)[0] if sent else "new"
        if kind == "retry":
            previous, _ = rng.choice(sent)
            planned.append(PlannedRequest(previous.channel, "retry", previous.body,
                                          previous.external_id))
            continue
        channel = rng.choice(channels)
        if kind == "near_duplicate":
            originals = [(r, p) for r, p in sent if r.channel.family == channel.family]
            if not originals:
                kind = "new"
            else:
                original, payload = rng.choice(originals)
                channel = original.channel
                body = sim.build_near_duplicate(family=channel.family, original=payload, rng=rng,
                                                seq=seq, now=now)
        if kind == "new":
            body = sim.build_payload(family=channel.family, rng=rng, seq=seq, now=now)
        elif kind == "invalid":
            body = sim.build_invalid(family=channel.family, rng=rng, seq=seq, now=now)
        external_id = str(body.get(_ID_FIELDS[channel.family], ""))
        request = PlannedRequest(channel, kind, json.dumps(body, ensure_ascii=False).encode(),
                                 external_id)
        planned.append(request)
        if kind in ("new", "near_duplicate"):
            sent.append((request, body))
    return planned


def traffic_send(*, base_url: str, requests: Sequence[PlannedRequest], rate: float | None,
                 concurrency: int, max_seconds: float) -> list[Outcome]:
    """Send the requests, paced at `rate` per second (None: as fast as `concurrency` allows).

    Latency is measured from when a request was due, so a server that falls behind shows it.
    """
    host, port = require_loopback(base_url)
    if not 0 < max_seconds <= MAX_SECONDS or not 1 <= concurrency <= 256:
        raise ValueError("max_seconds must be 0..900 and concurrency 1..256")
    work: queue.Queue[tuple[float, PlannedRequest] | None] = queue.Queue()
    start = time.perf_counter() + 0.2
    for i, request in enumerate(requests):
        work.put((start + (i / rate if rate else 0.0), request))
    for _ in range(concurrency):
        work.put(None)
    deadline = start + max_seconds
    outcomes: list[Outcome] = []
    lock = threading.Lock()

    def worker() -> None:
        conn = http.client.HTTPConnection(host, port, timeout=30)
        local: list[Outcome] = []
        while (item := work.get()) is not None:
            due, request = item
            if due > deadline or time.perf_counter() > deadline:
                continue
            if rate is None:
                due = time.perf_counter()  # closed loop: latency of the request itself
            elif (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)
            local.append(_send_one(conn, request, due))
        conn.close()
        with lock:
            outcomes.extend(local)

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max_seconds + 60)
    return outcomes


def _send_one(conn: http.client.HTTPConnection, request: PlannedRequest, due: float) -> Outcome:
    header = signature_header(secret=request.channel.secret, timestamp=int(time.time()),
                              body=request.body)
    try:
        conn.request("POST", f"/api/intake/{request.channel.code}/", body=request.body,
                     headers={"Content-Type": "application/json", "X-Signature": header})
        response = conn.getresponse()
        payload = response.read()
        latency = (time.perf_counter() - due) * 1000
        number = None
        if response.status in (200, 201):
            number = json.loads(payload).get("ticket_number")
        return Outcome(request, response.status, latency, number)
    except (OSError, http.client.HTTPException, ValueError) as exc:
        conn.close()
        return Outcome(request, None, (time.perf_counter() - due) * 1000, error=str(exc))


@dataclass
class TrafficReport:
    sent: int
    seconds: float
    by_status: Counter[str] = field(default_factory=Counter)
    by_kind: Counter[str] = field(default_factory=Counter)
    p50_ms: float = 0.0
    p95_ms: float = 0.0
    p99_ms: float = 0.0
    max_ms: float = 0.0
    unexpected: list[str] = field(default_factory=list)

    @property
    def per_second(self) -> float:
        return self.sent / self.seconds if self.seconds else 0.0


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# A retry may overtake its original on another connection; then the original gets the 200.
# That exactly one delivery per external id got the 201 is checked in traffic_verify.
EXPECTED_STATUS = {"new": {200, 201}, "retry": {200, 201}, "near_duplicate": {200, 201},
                   "invalid": {400}}


def traffic_report(outcomes: Sequence[Outcome], seconds: float) -> TrafficReport:
    latencies = [o.latency_ms for o in outcomes]
    report = TrafficReport(sent=len(outcomes), seconds=seconds,
                           p50_ms=_percentile(latencies, 0.50), p95_ms=_percentile(latencies, 0.95),
                           p99_ms=_percentile(latencies, 0.99), max_ms=max(latencies, default=0))
    for outcome in outcomes:
        report.by_status[str(outcome.status or "error")] += 1
        report.by_kind[outcome.request.kind] += 1
        if outcome.status not in EXPECTED_STATUS[outcome.request.kind]:
            report.unexpected.append(
                f"{outcome.request.kind} {outcome.request.channel.code} "
                f"{outcome.request.external_id}: {outcome.status} {outcome.error}")
    return report


def traffic_verify(outcomes: Sequence[Outcome]) -> dict[str, int]:
    """Against the database the server wrote to: nothing lost, nothing duplicated."""
    numbers_by_id: dict[tuple[str, str], set[str]] = {}
    created: Counter[tuple[str, str]] = Counter()
    for outcome in outcomes:
        if outcome.ticket_number:
            key = (outcome.request.channel.code, outcome.request.external_id)
            numbers_by_id.setdefault(key, set()).add(outcome.ticket_number)
            created[key] += outcome.status == 201
    answered = {n for numbers in numbers_by_id.values() for n in numbers}
    stored = set(Ticket.objects.filter(number__in=answered).values_list("number", flat=True))
    records = IntakeRecord.objects.filter(ticket__number__in=answered).count()
    return {
        "external_ids_accepted": len(numbers_by_id),
        "answered_with_two_numbers": sum(len(n) > 1 for n in numbers_by_id.values()),
        "ids_not_created_exactly_once": sum(created[key] != 1 for key in numbers_by_id),
        "ticket_numbers_missing_in_db": len(answered - stored),
        "tickets_in_db": len(stored),
        "intake_records_for_them": records,
    }
