"""Ticket service errors as HTTP answers: 400 bad input, 403 not allowed, 409 wrong state or
changed meanwhile. The body carries the stable code and the Chinese message."""

from __future__ import annotations

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from tickets.core.errors import (
    IllegalTransition,
    TicketConflict,
    TicketError,
    TicketInputError,
    TransitionForbidden,
)


def api_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if not isinstance(exc, TicketError):
        return exception_handler(exc, context)
    body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
    if isinstance(exc, TicketInputError):
        body["errors"] = exc.field_errors
        return Response(body, status=400)
    if isinstance(exc, TransitionForbidden):
        return Response(body, status=403)
    if isinstance(exc, IllegalTransition | TicketConflict):
        return Response(body, status=409)
    return Response(body, status=400)
