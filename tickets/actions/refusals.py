"""A service's refusal as an HTTP status, the same through the console, the API and the admin:
400 bad input, 403 not allowed, 409 wrong state or changed meanwhile."""

from __future__ import annotations

from tickets.core.errors import (
    IllegalTransition,
    TicketConflict,
    TicketError,
    TicketInputError,
    TransitionForbidden,
)


def refusal_status(error: TicketError) -> int:
    if isinstance(error, TicketInputError):
        return 400
    if isinstance(error, TransitionForbidden):
        return 403
    if isinstance(error, IllegalTransition | TicketConflict):
        return 409
    return 400


def refusal_message(error: TicketError) -> str:
    """What to tell the person in one line: bad input by its fields' own messages (the summary
    names the fields by their codes), anything else by the error's message."""
    if isinstance(error, TicketInputError):
        return "；".join(m for messages in error.field_errors.values() for m in messages)
    return error.message
