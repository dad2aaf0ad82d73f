"""Ticket service errors as HTTP answers: 400 bad input, 403 not allowed, 409 wrong state or
changed meanwhile. The body carries the stable code and the Chinese message; so do DRF's own
refusals (unparsable body, authentication, 404, 405, throttling)."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import APIException
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
        response = exception_handler(exc, context)
        if (response is not None and isinstance(exc, APIException)
                and isinstance(response.data, dict) and set(response.data) == {"detail"}):
            # DRF's own refusals (a body that is not JSON, not signed in, not found, throttled)
            # in the API's shape: the stable code beside the message. Field errors keep DRF's
            # {"field": ["…"]}.
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else exc.default_code
            response.data = {"code": code, "detail": response.data["detail"]}
        return response
    body: dict[str, Any] = {"code": exc.code, "detail": exc.message}
    if isinstance(exc, TicketInputError):
        body["errors"] = exc.field_errors
        return Response(body, status=400)
    if isinstance(exc, TransitionForbidden):
        return Response(body, status=403)
    if isinstance(exc, IllegalTransition | TicketConflict):
        return Response(body, status=409)
    return Response(body, status=400)
