"""Log formatters: JSON lines for production, plain text for a terminal.

Both mask phone and ID numbers in everything taken from the record (the message with its
arguments, the exception and stack text, extra fields, the ticket) and both carry the request
id, Celery task and ticket number from dispatch.ops.log_context.
"""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

from dispatch.ops import log_context
from tickets.core.masking import mask_personal_numbers

# Attributes every LogRecord has; anything else on a record came in through ``extra=``.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "context",
}
# Characters json.dumps leaves as they are with ensure_ascii=False but which str.splitlines and
# some log shippers take for line breaks: escaped, so one record stays one line.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_LEFT_OUT = object()


def _context_of(record: logging.LogRecord) -> dict[str, str]:
    """The context now, with anything the caller passed as ``extra=`` for the same names.

    The ticket is masked (its "number" may come from a URL someone typed) and so is whatever
    came through ``extra=``; request and task ids are not: they were checked or made here, and a
    random id can hold a digit run that looks like a phone number, which masking would break."""
    fields = log_context.current()
    if "ticket" in fields:
        fields["ticket"] = mask_personal_numbers(fields["ticket"])
    for name in log_context.FIELDS:
        given = getattr(record, name, None)
        if isinstance(given, str) and given:
            fields[name] = mask_personal_numbers(given)
    return fields


def _message_of(record: logging.LogRecord) -> str:
    try:
        message = record.getMessage()
    except Exception:
        # The stdlib would report a bad format string on stderr with the raw arguments, unmasked.
        message = f"{record.msg!s} (arguments that did not fit: {record.args!r})"
    return mask_personal_numbers(message)


def _masked_extra(value: Any) -> Any:
    """Extra fields that are plain values, masked; others (objects, lists of query parameters)
    are left out rather than rendered, since nobody checked what they hold."""
    if isinstance(value, str):
        return mask_personal_numbers(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return value
    if isinstance(value, int):
        shown = mask_personal_numbers(str(value))
        return value if shown == str(value) else shown
    return _LEFT_OUT


class JsonLinesFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the context, exc_info."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            # The process's zone (Django sets TZ from TIME_ZONE), with its offset.
            "time": datetime.fromtimestamp(record.created, UTC).astimezone().isoformat(
                timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": _message_of(record),
            **_context_of(record),
        }
        for name, value in vars(record).items():
            if name in _RECORD_ATTRIBUTES or name in line or name.startswith("_"):
                continue
            shown = _masked_extra(value)
            if shown is not _LEFT_OUT:
                line[name] = shown
        if record.exc_info or record.exc_text:
            # exc_info is set whenever exc_text is empty here (the condition above).
            exc_text = record.exc_text or (
                self.formatException(record.exc_info) if record.exc_info else "")
            line["exc_info"] = mask_personal_numbers(exc_text)
        if record.stack_info:
            line["stack_info"] = mask_personal_numbers(self.formatStack(record.stack_info))
        text = json.dumps(line, ensure_ascii=False)
        for char, escaped in _LINE_BREAKS.items():
            text = text.replace(char, escaped)
        return text


class PlainFormatter(logging.Formatter):
    """The usual text line; ``%(context)s`` in the format becomes " [request_id=… ticket=…]"."""

    default_format = "%(asctime)s %(levelname)s %(name)s%(context)s %(message)s"

    def __init__(self, fmt: str | None = None, datefmt: str | None = None) -> None:
        super().__init__(fmt or self.default_format, datefmt)

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers get the record as it was.
        shown = copy.copy(record)
        shown.msg, shown.args = _message_of(record), None
        if record.exc_info or record.exc_text:
            # exc_info is set whenever exc_text is empty here (the condition above).
            exc_text = record.exc_text or (
                self.formatException(record.exc_info) if record.exc_info else "")
            shown.exc_info, shown.exc_text = None, mask_personal_numbers(exc_text)
        if record.stack_info:
            shown.stack_info = mask_personal_numbers(record.stack_info)
        context = " ".join(f"{name}={value}" for name, value in _context_of(record).items())
        shown.context = f" [{context}]" if context else ""
        return super().format(shown)
