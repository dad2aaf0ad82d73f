"""What each log line says about where it came from: the web request, the Celery task, the ticket.

Context variables, so a thread or a task sees only its own values. The request-id middleware
and the task signals (dispatch.ops.task_logging) set and reset them; views and tasks that work on
one ticket name it with ``set_ticket`` and friends; the formatters in dispatch.ops.logs read them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Any

from django.apps import apps

from tickets.core.masking import mask_personal_numbers

request_id: ContextVar[str | None] = ContextVar("log_request_id", default=None)
task: ContextVar[str | None] = ContextVar("log_task", default=None)
task_id: ContextVar[str | None] = ContextVar("log_task_id", default=None)
ticket: ContextVar[str | LazyNumber | None] = ContextVar("log_ticket", default=None)

# Field name in the log line -> its variable.
FIELDS: dict[str, ContextVar[Any]] = {
    "request_id": request_id,
    "task": task,
    "task_id": task_id,
    "ticket": ticket,
}
Tokens = dict[str, Token[Any]]

# An id from a proxy or a client is echoed in headers and logs: short and plain, or replaced.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


class LazyNumber:
    """A ticket number looked up only when a log line is written: a task that gets an id and
    logs nothing costs no query (routing is the hot path)."""

    def __init__(self, lookup: Callable[[], str | None]) -> None:
        self.lookup = lookup

    def resolve(self) -> str | None:
        if _resolving.get():
            return None  # the lookup itself logged something
        token = _resolving.set(True)
        try:
            return self.lookup()
        except Exception:  # a broken transaction, a closed connection: log without it
            return None
        finally:
            _resolving.reset(token)


_resolving: ContextVar[bool] = ContextVar("log_ticket_resolving", default=False)


def current() -> dict[str, str]:
    """The fields that have a value now (a lazy ticket number is looked up once, here)."""
    values: dict[str, str] = {}
    for name, var in FIELDS.items():
        value = var.get()
        if isinstance(value, LazyNumber):
            value = value.resolve()
            var.set(value)
        if value:
            values[name] = value
    return values


def sane_request_id(value: str | None) -> str | None:
    """Short and plain, and not a phone or ID number (log lines mask those, and a masked id
    would no longer match the one in the response)."""
    if not value or not _SANE_REQUEST_ID.fullmatch(value):
        return None
    return value if mask_personal_numbers(value) == value else None


def new_request_id() -> str:
    while True:
        # About one hex id in 140 holds a digit run that looks like a phone or ID number.
        value = uuid.uuid4().hex
        if sane_request_id(value):
            return value


def enter(values: Mapping[str, str | None]) -> Tokens:
    """Set these fields (None clears one); ``leave`` with the tokens puts back what was there."""
    return {name: FIELDS[name].set(value) for name, value in values.items()}


def leave(tokens: Tokens) -> None:
    for name, token in tokens.items():
        try:
            FIELDS[name].reset(token)
        except ValueError:
            # Set in another context (a pool that ran prerun and postrun apart): just clear.
            FIELDS[name].set(None)


@contextmanager
def bound(**values: str | None) -> Iterator[None]:
    tokens = enter(values)
    try:
        yield
    finally:
        leave(tokens)


def set_ticket(number: str | None) -> None:
    """The ticket this request or task works on, until the request or task ends."""
    if number:
        ticket.set(number)


def set_ticket_of(*, model_label: str, pk: object) -> None:
    """The ticket of a row given by id (the ticket itself, or a clock, callback or notice
    that belongs to one): its number is looked up only if a line is logged. Models are named
    by label because logging is configured before Django loads them."""
    model = apps.get_model(model_label)
    rows = model._default_manager.filter(pk=pk)
    field = "number" if model_label == "tickets.Ticket" else "ticket__number"
    ticket.set(LazyNumber(lambda: rows.values_list(field, flat=True).first()))
