"""Log lines: JSON (or plain), with the request id, task and ticket number, and never a phone or
ID number in full."""

from __future__ import annotations

import io
import json
import logging
import re
import time
from collections.abc import Iterator

import pytest
from celery import shared_task
from celery.signals import after_task_publish
from celery.worker.request import Request
from django.db import connection

from dispatch.celery import app
from dispatch.ops import log_context
from dispatch.ops.logs import JsonLinesFormatter, PlainFormatter
from dispatch.ops.task_logging import REQUEST_ID_HEADER
from tests.factories import ChannelFactory, TicketFactory
from tests.tickets.intake.conftest import encode
from tickets.core.signing import signature_header
from tickets.tasks import ticket_route_task

PHONE, LANDLINE, ID_NUMBER = "13812345678", "0755-83001234", "440304199001011234"
MASKED = ("138****5678", "075*****1234", "440304********1234")
NEW_REQUEST_ID = re.compile(r"[0-9a-f]{32}")


class Captured:
    """What the root logger wrote through one of our formatters, line by line."""

    def __init__(self, stream: io.StringIO) -> None:
        self.stream = stream

    @property
    def text(self) -> str:
        return self.stream.getvalue()

    @property
    def lines(self) -> list[dict]:
        return [json.loads(line) for line in self.text.splitlines()]

    def from_logger(self, name: str) -> list[dict]:
        return [line for line in self.lines if line["logger"] == name]


def _capture(formatter: logging.Formatter, level: int) -> Iterator[Captured]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield Captured(stream)
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)


@pytest.fixture
def json_logs() -> Iterator[Captured]:
    yield from _capture(JsonLinesFormatter(), logging.INFO)


@pytest.fixture
def plain_logs() -> Iterator[Captured]:
    yield from _capture(PlainFormatter(), logging.INFO)


@pytest.fixture
def debug_json_logs() -> Iterator[Captured]:
    """DEBUG, with SQL: every query and its parameters is logged (django.db.backends, which
    Django's own defaults hold at INFO under the "django" logger)."""
    sql_logger = logging.getLogger("django.db.backends")
    forced, sql_level = connection.force_debug_cursor, sql_logger.level
    connection.force_debug_cursor = True
    sql_logger.setLevel(logging.DEBUG)
    try:
        yield from _capture(JsonLinesFormatter(), logging.DEBUG)
    finally:
        connection.force_debug_cursor = forced
        sql_logger.setLevel(sql_level)


@shared_task(name="tests.dispatch.log_probe")
def log_probe() -> None:
    logging.getLogger("tests.log_probe").warning("probe ran")


@pytest.fixture(autouse=True)
def _own_log_context() -> Iterator[None]:
    """Each test starts with an empty context and leaves the next one none of its values."""
    with log_context.bound(request_id=None, task=None, task_id=None, ticket=None):
        yield


# --- the request id ------------------------------------------------------------------------------

def test_a_request_gets_an_x_request_id_and_its_log_lines_carry_it(org, as_staff, json_logs):
    response = as_staff(org.centre_dispatcher).get("/api/tickets/FT20261130999999/")
    assert response.status_code == 404
    request_id = response.headers["X-Request-ID"]
    assert NEW_REQUEST_ID.fullmatch(request_id)
    # Django's own "Not Found" line, logged while the request is still in its context.
    [line] = json_logs.from_logger("django.request")
    assert (line["level"], line["message"]) == ("WARNING",
                                               "Not Found: /api/tickets/FT20261130999999/")
    assert (line["request_id"], line["ticket"], line["status_code"]) == (
        request_id, "FT20261130999999", 404)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}[+-]\d\d:\d\d", line["time"])


def test_a_phone_number_typed_into_a_ticket_url_is_masked_in_the_ticket_field(
        org, as_staff, json_logs):
    assert as_staff(org.centre_dispatcher).get(f"/api/tickets/{PHONE}/").status_code == 404
    [line] = json_logs.from_logger("django.request")
    assert (line["ticket"], line["message"]) == ("138****5678",
                                                "Not Found: /api/tickets/138****5678/")


def test_the_sql_lines_of_a_ticket_request_carry_its_request_id_and_number(
        org, as_staff, debug_json_logs):
    ticket = org.ticket("triage")
    response = as_staff(org.centre_dispatcher).get(f"/api/tickets/{ticket.number}/",
                                                   HTTP_X_REQUEST_ID="lb-7f3a.2")
    assert response.status_code == 200 and response.headers["X-Request-ID"] == "lb-7f3a.2"
    selects = [line for line in debug_json_logs.from_logger("django.db.backends")
               if '"tickets_ticket"' in line["message"] and "SELECT" in line["message"]]
    assert selects
    assert {(line["request_id"], line.get("ticket")) for line in selects} == {
        ("lb-7f3a.2", ticket.number)}
    assert log_context.current() == {}  # nothing left behind for the next request


@pytest.mark.parametrize("incoming", ["x" * 65, "has space", "two\nlines", "semi;colon", "",
                                      PHONE])
def test_an_insane_incoming_request_id_is_replaced(client, db, incoming):
    response = client.get("/healthz/", HTTP_X_REQUEST_ID=incoming)
    assert NEW_REQUEST_ID.fullmatch(response.headers["X-Request-ID"])


@pytest.mark.parametrize("incoming", ["x" * 64, "a", "req-2026.11_30", "0f3c9a",
                                      "7f3a1c2e-58d4-4b8e-9c1a-2f6d3e4b5a69"])
def test_a_sane_incoming_request_id_is_kept(client, db, incoming):
    assert client.get("/healthz/", HTTP_X_REQUEST_ID=incoming).headers["X-Request-ID"] == incoming


# --- masking -------------------------------------------------------------------------------------

def _log_personal_numbers() -> None:
    logger = logging.getLogger("tests.citizen")
    logger.warning(f"literal {PHONE} / {LANDLINE} / {ID_NUMBER}")
    logger.warning("args %s / %s / %s", PHONE, LANDLINE, ID_NUMBER)
    try:
        raise ValueError(f"exception {PHONE} / {LANDLINE} / {ID_NUMBER}")
    except ValueError:
        logger.exception("failed for %s", PHONE)


def test_phone_and_id_numbers_are_masked_in_json_lines(json_logs):
    _log_personal_numbers()
    literal, args, failed = json_logs.from_logger("tests.citizen")
    assert literal["message"] == "literal 138****5678 / 075*****1234 / 440304********1234"
    assert args["message"] == "args 138****5678 / 075*****1234 / 440304********1234"
    assert failed["message"] == "failed for 138****5678"
    assert failed["exc_info"].endswith(
        "ValueError: exception 138****5678 / 075*****1234 / 440304********1234")
    for number in (PHONE, LANDLINE, ID_NUMBER, "83001234"):
        assert number not in json_logs.text


def test_phone_and_id_numbers_are_masked_in_plain_lines(plain_logs):
    _log_personal_numbers()
    text = plain_logs.text
    assert "tests.citizen literal 138****5678 / 075*****1234 / 440304********1234\n" in text
    assert "tests.citizen args 138****5678 / 075*****1234 / 440304********1234\n" in text
    assert "ValueError: exception 138****5678 / 075*****1234 / 440304********1234\n" in text
    for number in (PHONE, LANDLINE, ID_NUMBER, "83001234"):
        assert number not in text


def test_other_ways_of_writing_the_numbers_are_masked_too(json_logs):
    logger = logging.getLogger("tests.citizen")
    logger.warning("+86 138-1234-5678, １３８１２３４５６７８, (010)62345678, 44030419900101123x")
    logger.warning("as extra", extra={"phone": PHONE, "number": 13812345678, "count": 3})
    first, extra = json_logs.from_logger("tests.citizen")
    assert first["message"] == "138****5678, 138****5678, 010****5678, 440304********123X"
    assert (extra["phone"], extra["number"], extra["count"]) == ("138****5678", "138****5678", 3)


def test_a_call_with_arguments_that_do_not_fit_is_still_masked():
    # The stdlib would report it on stderr with the raw arguments.
    record = logging.LogRecord("tests.citizen", logging.WARNING, __file__, 1,
                               "two places %s %s", (PHONE,), None)
    message = json.loads(JsonLinesFormatter().format(record))["message"]
    assert message == "two places %s %s (arguments that did not fit: ('138****5678',))"


def test_ticket_numbers_times_and_ids_are_not_taken_for_phone_numbers(json_logs):
    text = "FT20261130000123 at 2026-11-30T10:00:00+08:00 took 0.004218958999999999 s, id 4411"
    logging.getLogger("tests.citizen").warning(text)
    assert json_logs.from_logger("tests.citizen")[0]["message"] == text


def test_a_json_line_is_one_line_and_keeps_chinese_readable(json_logs):
    logging.getLogger("tests.citizen").warning("路灯不亮\n第二行\u2028第三行")
    assert len(json_logs.text.splitlines()) == 1
    assert json_logs.lines[0]["message"] == "路灯不亮\n第二行\u2028第三行"
    assert "路灯不亮" in json_logs.text


# --- the ticket ----------------------------------------------------------------------------------

def test_the_ticket_number_appears_once_set_and_goes_with_the_context(json_logs, plain_logs):
    logger = logging.getLogger("tests.ticket")
    with log_context.bound(request_id="req-1", ticket=None):
        logger.warning("before")
        log_context.set_ticket("FT20261130000123")
        logger.warning("after")
    logger.warning("outside")
    before, after, outside = json_logs.from_logger("tests.ticket")
    assert (before.get("ticket"), after["ticket"], outside.get("ticket")) == (
        None, "FT20261130000123", None)
    assert (after["request_id"], outside.get("request_id")) == ("req-1", None)
    assert " tests.ticket [request_id=req-1 ticket=FT20261130000123] after\n" in plain_logs.text
    assert " tests.ticket outside\n" in plain_logs.text


def test_a_ticket_task_names_its_ticket(db, settings, json_logs):
    settings.TICKET_ROUTER = ""  # the routing handoff then logs that the ticket waits
    ticket = TicketFactory()
    result = ticket_route_task.apply(args=[ticket.pk])
    [line] = json_logs.from_logger("tickets.dispatching.handoff")
    assert (line["ticket"], line["task"], line["task_id"], line["request_id"]) == (
        ticket.number, "tickets.tasks.ticket_route_task", result.id, result.id)
    assert log_context.current() == {}


def test_a_ticket_id_costs_no_query_until_a_line_is_logged(db, json_logs,
                                                             django_assert_num_queries):
    ticket = TicketFactory()
    with django_assert_num_queries(0):
        log_context.set_ticket_of(model_label="tickets.Ticket", pk=ticket.pk)
    with django_assert_num_queries(1):
        logging.getLogger("tests.lazy").warning("first line")
        logging.getLogger("tests.lazy").warning("second line")
    assert [line["ticket"] for line in json_logs.from_logger("tests.lazy")] == [ticket.number] * 2


# --- Celery --------------------------------------------------------------------------------------

def test_a_task_logs_with_the_request_id_in_its_header(json_logs):
    result = log_probe.apply(headers={REQUEST_ID_HEADER: "req-from-web"})
    [line] = json_logs.from_logger("tests.log_probe")
    assert (line["request_id"], line["task"], line["task_id"]) == (
        "req-from-web", "tests.dispatch.log_probe", result.id)
    assert log_context.current() == {}


def test_a_task_without_a_request_id_logs_with_its_own_task_id(json_logs):
    result = log_probe.apply()
    [line] = json_logs.from_logger("tests.log_probe")
    assert line["request_id"] == line["task_id"] == result.id


def test_a_task_run_eagerly_in_a_request_keeps_the_request_id_and_gives_the_context_back(
        json_logs):
    with log_context.bound(request_id="req-outer", ticket="FT20261130000001"):
        result = log_probe.apply()
        assert log_context.current() == {"request_id": "req-outer", "ticket": "FT20261130000001"}
    [line] = json_logs.from_logger("tests.log_probe")
    assert (line["request_id"], line["task_id"], line.get("ticket")) == (
        "req-outer", result.id, None)


def test_a_task_queued_in_a_request_carries_its_id_through_the_broker(json_logs):
    """Published to the in-memory broker, then run the way a worker runs a message."""
    published: list[dict] = []

    def keep(headers: dict | None = None, **kwargs: object) -> None:
        published.append(dict(headers or {}))

    after_task_publish.connect(keep, weak=False)
    try:
        with log_context.bound(request_id="req-queued"):
            sent = log_probe.apply_async(queue="tests-log-probe")
    finally:
        after_task_publish.disconnect(keep)
    assert [h.get(REQUEST_ID_HEADER) for h in published if h.get("id") == sent.id] == [
        "req-queued"]
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("tests-log-probe", no_ack=True)
        message = queue.get(timeout=2)
        queue.close()
    assert message.headers["id"] == sent.id
    Request(message, app=app, task=app.tasks["tests.dispatch.log_probe"]).execute()
    [line] = json_logs.from_logger("tests.log_probe")
    assert (line["request_id"], line["task_id"]) == ("req-queued", sent.id)


def test_nothing_is_added_to_a_task_queued_outside_a_request():
    published: list[dict] = []

    def keep(headers: dict | None = None, **kwargs: object) -> None:
        published.append(dict(headers or {}))

    after_task_publish.connect(keep, weak=False)
    try:
        sent = log_probe.apply_async(queue="tests-log-probe")
    finally:
        after_task_publish.disconnect(keep)
    with app.connection_for_read() as conn:
        queue = conn.SimpleQueue("tests-log-probe", no_ack=True)
        queue.get(timeout=2)
        queue.close()
    [headers] = [h for h in published if h.get("id") == sent.id]
    assert REQUEST_ID_HEADER not in headers


# --- end to end ----------------------------------------------------------------------------------

@pytest.fixture
def eager_tasks() -> Iterator[None]:
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def test_a_webhook_with_a_phone_and_an_id_number_never_logs_them_in_full(
        db, settings, eager_tasks, django_capture_on_commit_callbacks, client, debug_json_logs):
    settings.TICKET_ROUTER = ""
    channel = ChannelFactory(code="test-web-form", family="web_form")
    id_number = "440304199001011233"  # a valid one, so intake copies it into the ticket
    body = encode({"submission_id": "log-1", "title": "噪音投诉",
                   "content": f"我的电话 {PHONE}，座机 {LANDLINE}，身份证 {id_number}，请回电。"})
    signature = signature_header(secret=channel.signing_secrets[0], timestamp=int(time.time()),
                                 body=body)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.generic("POST", f"/api/intake/{channel.code}/", body,
                                  content_type="application/json", HTTP_X_SIGNATURE=signature)
    assert response.status_code == 201
    lines = debug_json_logs.lines  # every line is valid JSON
    assert len(lines) > 10
    for number in (PHONE, "83001234", id_number):
        assert number not in debug_json_logs.text
    # They were there to leak: the ticket's row, written and logged with its SQL, masked.
    masked = [line for line in lines if "138****5678" in line["message"]
              and "440304********1233" in line["message"]]
    assert masked and {line["request_id"] for line in masked} == {
        response.headers["X-Request-ID"]}
    ticket_number = response.json()["ticket_number"]
    [waits] = [line for line in lines if line["logger"] == "tickets.dispatching.handoff"]
    assert (waits["ticket"], waits["task"]) == (ticket_number, "tickets.tasks.ticket_received_task")
