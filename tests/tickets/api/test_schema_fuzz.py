"""Schema fuzzing: every operation of /api/schema/, driven by schemathesis against the
in-process WSGI app and the test database, with every role's token, a wrong token and none.

Whatever is sent (valid or invalid bodies, parameters and paths), the answer is never a 5xx,
and every documented answer matches the schema. The run is derandomized with a fixed seed and
a bounded number of examples per operation, so it is the same run every time and takes a few
minutes at most on two cores (figures in BENCHMARKS.md)."""

from __future__ import annotations

import json
import os
import time
import zlib
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from django.conf import settings
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.core import NotSet
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from org.models import WeeklyShift
from sla.models import Extension, Supervision, Suspension
from tests.factories import ChannelFactory
from tickets.core.signing import signature_header
from tickets.models import AssistTask, Channel, ChannelFamily, ReturnRequest, Ruling, TicketState

SEED = 20261129
MAX_EXAMPLES = 30  # per operation; 50 gave 3,181 cases and the same result (BENCHMARKS.md)
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
# Who calls: each role of the org fixture, a token nobody holds, and nobody.
CALLERS = ["centre_dispatcher", "centre_supervisor", "lead", "assignee", "unit_dispatcher",
           "other_lead", "superuser", "wrong_token", "anonymous"]
WRONG_TOKEN = "0" * 40
PASSWORD = "fuzz-pass-2026"
SECRET = "fuzz-secret"
# The field that names a family's payload (the schema's request examples are one per family).
ID_FIELDS = {"call_id": "hotline", "submission_id": "web_form", "case_number": "petition",
             "item_id": "public_opinion", "event_id": "machine_event",
             "upstream_number": "city_platform"}

CONFIG = schemathesis.Config.from_dict({
    "seed": SEED,
    "generation": {"deterministic": True, "max-examples": MAX_EXAMPLES, "mode": "all",
                   "database": "none"},
    "phases": {"stateful": {"enabled": False}},
})
APP = WSGIHandler()
schema = schemathesis.openapi.from_wsgi("/api/schema/", APP, config=CONFIG)


@dataclass
class Dataset:
    tokens: dict[str, str]
    numbers: list[str]
    row_ids: dict[str, list[int]]
    channels: dict[str, str]  # family → code, every one signing with SECRET


@pytest.fixture
def _connection_kept(dataset):
    """A real WSGI handler closes the database connection after each request; the test
    database lives in this test's transaction, so keep it open (as Django's test client does,
    which is why this comes after the data set: each of its requests connects them again)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def dataset(org, superuser, client) -> Dataset:
    """A few tickets in every state, a row of each kind the row endpoints act on, tokens."""
    for staff in (org.assignee, org.coworker, org.other_caseworker):
        for weekday in range(7):
            WeeklyShift.objects.create(staff=staff, weekday=weekday, starts="00:00",
                                       ends="00:00")
    channels = {family: ChannelFactory(code=f"fuzz-{family.replace('_', '-')}", family=family,
                                       signing_secrets=[SECRET]).code
                for family in ChannelFamily.values}
    channel = Channel.objects.get(code=channels["web_form"])
    tickets = {state: [org.ticket(state, channel=channel) for _ in range(2)]
               for state in TicketState.values}
    now = timezone.now()
    working = tickets["assigned"] + tickets["contacted"] + tickets["met"]
    rows = {
        "return-requests": [ReturnRequest.objects.create(
            ticket=t, unit=org.unit, reason_code="not_our_duty", text="不归本单位",
            requested_by=org.assignee.user, requested_at=now).pk for t in working[:2]],
        "rulings": [Ruling.objects.create(ticket=t, returned_by=["water", "street-lianhua"],
                                          requested_at=now).pk for t in tickets["triage"]],
        "assist-tasks": [AssistTask.objects.create(
            ticket=t, unit=org.other_unit, task="协查管网", created_at=now).pk
            for t in working[2:4]],
        "extensions": [Extension.objects.create(
            ticket=t, reason="需要协调", new_due_at=now + timedelta(days=3), old_due_at=now,
            requested_by=org.assignee.user, requested_at=now).pk for t in working[:2]],
        "suspensions": [Suspension.objects.create(
            ticket=t, reason="联系不上诉求人", requested_by=org.assignee.user,
            requested_at=now).pk for t in working[2:4]],
        "supervisions": [Supervision.objects.create(
            ticket=t, unit=org.unit, level="district", instructions="请尽快办理",
            issued_by_label="督查室", issued_at=now, reply_due_at=now + timedelta(days=1)).pk
            for t in working[4:6]],
    }
    people = {name: getattr(org, name).user for name in CALLERS[:6]} | {"superuser": superuser}
    tokens = {}
    for name, user in people.items():
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        answer = client.post("/api/auth/token/", {"username": user.get_username(),
                                                  "password": PASSWORD})
        tokens[name] = answer.json()["token"]
    return Dataset(tokens=tokens, numbers=[t.number for ts in tickets.values() for t in ts],
                   row_ids=rows, channels=channels)


# What the run did, per operation: written to the test artifacts and printed at the end.
RUN: dict[str, Counter[str]] = defaultdict(Counter)


@pytest.fixture(scope="module", autouse=True)
def _run_summary(request):
    started = time.monotonic()
    yield
    seconds = time.monotonic() - started
    cases = sum(c["cases"] for c in RUN.values())
    server_errors = sum(n for c in RUN.values() for k, n in c.items() if k.startswith("5"))
    summary = {"seed": SEED, "max_examples": MAX_EXAMPLES, "operations": len(RUN),
               "cases": cases, "server_errors": server_errors, "seconds": round(seconds, 1),
               "per_operation": {op: dict(c) for op, c in sorted(RUN.items())}}
    folder = Path(os.environ.get("TEST_ARTIFACTS_DIR")
                  or Path(settings.BASE_DIR) / "var" / "test-artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "schema_fuzz.json").write_text(json.dumps(summary, ensure_ascii=False, indent=1))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(f"schema fuzz: {summary['operations']} operations, {cases} "
                                f"cases, seed {SEED}, {summary['seconds']} s, "
                                f"5xx: {server_errors}")


def _pick(generated: Any, known: list[Any]) -> Any:
    """Mostly a row that exists (so actions get past 404), sometimes the generated value."""
    if not known:
        return generated
    slot = len(str(generated)) % (len(known) + 1)
    return generated if slot == len(known) else known[slot]


def _signed_intake(case: schemathesis.Case, data: Dataset) -> dict[str, Any]:
    """A channel signs the exact bytes it sends; so does the fuzzer, with the channel's secret."""
    if isinstance(case.body, NotSet):
        body = b""
    elif isinstance(case.body, bytes):
        body = case.body
    else:
        body = json.dumps(case.body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    header = signature_header(secret=SECRET, timestamp=int(time.time()), body=body)
    return {"data": body, "headers": {"X-Signature": header,
                                      "Content-Type": "application/json"}}


def _fingerprint(case: schemathesis.Case) -> int:
    """A number from the case's own content: choices made from it are the same whenever the
    case is sent (a derandomized run, a failing case's replay while shrinking)."""
    content = json.dumps([case.path_parameters, case.query, case.body], default=repr,
                         sort_keys=True)
    return zlib.crc32(content.encode("utf-8", "surrogatepass"))


def _with_a_nul(case: schemathesis.Case) -> None:
    """Every third case gets a NUL in its first text value (path, query or body): the fuzzer
    rarely makes one by itself, and PostgreSQL refuses it, so every input must stop it first."""
    if _fingerprint(case) % 3:
        return
    for values in (case.path_parameters, case.query,
                   case.body if isinstance(case.body, dict) else None):
        for name, value in (values or {}).items():
            if isinstance(value, str):
                values[name] = value[:1] + "\x00" + value[1:]
                return


@schema.parametrize()
# The data set is made once per operation, and the examples of one operation share it on
# purpose: a later example acts on what an earlier one changed, as callers do.
@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_operation_answers_a_5xx_and_every_answer_matches_the_schema(case, dataset,
                                                                        _connection_kept):
    caller = CALLERS[_fingerprint(case) % len(CALLERS)]
    params = case.path_parameters or {}
    if "number" in params:
        params["number"] = _pick(params["number"], dataset.numbers)
    if "id" in params:
        kind = case.path.split("/")[2]
        params["id"] = _pick(params["id"], dataset.row_ids.get(kind, []))
    extra: dict[str, Any] = {}
    headers: dict[str, str] = {}
    _with_a_nul(case)
    if case.path.startswith("/api/intake/"):
        # The channel whose family the body is written for; otherwise any, or the generated code.
        family = next((f for key, f in ID_FIELDS.items()
                       if isinstance(case.body, dict) and key in case.body), None)
        params["channel_code"] = (dataset.channels[family] if family else
                                  _pick(params.get("channel_code", ""),
                                        sorted(dataset.channels.values())))
        extra = _signed_intake(case, dataset)
        headers = extra.pop("headers")
    elif caller == "wrong_token":
        headers["Authorization"] = f"Token {WRONG_TOKEN}"
    elif caller != "anonymous":
        headers["Authorization"] = f"Token {dataset.tokens[caller]}"
    try:
        response = case.call(app=APP, headers=headers, **extra)
    except Exception:  # the in-process app raised: what a server answers with a 500
        RUN[case.operation.label].update(["cases", "500"])
        raise
    RUN[case.operation.label].update(["cases", str(response.status_code)])
    case.validate_response(response, checks=CHECKS, headers=headers)
