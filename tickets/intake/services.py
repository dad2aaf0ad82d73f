"""Receiving a channel's webhook: authenticate, store raw, parse, create or find the ticket.

Order of checks: unknown channel (404) → size (413) → media type (415) → signature (401) →
rate (429) → the raw IntakeRecord is committed → JSON (400, also when nested deeper than
INTAKE_MAX_JSON_DEPTH) → payload fields (400) → ticket
(201 created, 200 for a retry of the same external id).
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils import timezone

from tickets.core.errors import TicketInputError
from tickets.core.signing import SignatureError, signature_verify
from tickets.core.text import find_id_numbers, find_mobiles
from tickets.intake.adapters import adapter_for
from tickets.intake.adapters.base import NormalisedRequest
from tickets.intake.channels import intake_channel_get
from tickets.intake.payload import PayloadError, PayloadTooDeep, payload_load
from tickets.intake.ratelimit import rate_limit_hit
from tickets.intake.refusals import intake_refusal_count
from tickets.models import Channel, IntakeOutcome, IntakeRecord, Ticket
from tickets.services.lifecycle import ticket_create

logger = logging.getLogger(__name__)

KEPT_HEADERS = ("content-type", "user-agent", "x-signature", "x-request-id", "x-forwarded-for")


@dataclass(frozen=True)
class IntakeResponse:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


def _error(status: int, code: str, message: str, **extra: Any) -> IntakeResponse:
    return IntakeResponse(status=status, body={"error": code, "message": message, **extra})


def _refused(status: int, code: str, message: str, **extra: Any) -> IntakeResponse:
    """A refusal before anything is stored: only /metrics' counter remembers it."""
    intake_refusal_count(reason=code)
    return _error(status, code, message, **extra)


def _is_json(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "application/json"


def intake_receive(
    *, channel_code: str, body: bytes | None, content_type: str, headers: Mapping[str, str],
    now: float | None = None,
) -> IntakeResponse:
    """Everything a webhook request goes through. ``body`` is None when it was too large to read."""
    now = time.time() if now is None else now
    channel = intake_channel_get(code=channel_code)
    if channel is None:
        return _refused(404, "unknown_channel", f"渠道 {channel_code} 不存在或已停用")
    limit = settings.INTAKE_MAX_BODY_BYTES
    if body is None or len(body) > limit:
        return _refused(413, "body_too_large", f"请求体超过 {limit // 1024} KiB")
    if not _is_json(content_type):
        return _refused(415, "unsupported_media_type", "请使用 Content-Type: application/json")
    try:
        signature_verify(header=headers.get("x-signature"), body=body,
                         secrets=list(channel.signing_secrets), now=int(now))
    except SignatureError as exc:
        return _refused(401, exc.code, exc.message)
    wait = rate_limit_hit(channel_code=channel.code, limit=channel.rate_limit_per_minute, now=now)
    if wait is not None:
        response = _refused(429, "rate_limited",
                            f"渠道请求过于频繁（每分钟上限 {channel.rate_limit_per_minute} 次）",
                            retry_after=wait)
        return IntakeResponse(response.status, response.body, {"Retry-After": str(wait)})

    # Raw first, committed on its own: whatever happens next, the request is not lost.
    record = IntakeRecord.objects.create(
        channel=channel, received_at=timezone.now(), body=body,
        headers={k: v for k, v in headers.items() if k in KEPT_HEADERS},
    )
    return intake_process(record=record, channel=channel)


def _fill_citizen_from_text(request: NormalisedRequest) -> None:
    text = f"{request.title}\n{request.content}"
    found = []
    if not request.citizen_phone and (mobiles := find_mobiles(text)):
        request.citizen_phone = mobiles[0]
        found.append("citizen_phone")
    if not request.citizen_id_number and (ids := find_id_numbers(text)):
        request.citizen_id_number = ids[0]
        found.append("citizen_id_number")
    if found:
        request.details["extracted_from_text"] = found


def _invalid(record: IntakeRecord, response: IntakeResponse) -> IntakeResponse:
    IntakeRecord.objects.filter(pk=record.pk).update(
        outcome=IntakeOutcome.INVALID, error_detail=response.body, processed_at=timezone.now())
    return response


def intake_process(*, record: IntakeRecord, channel: Channel | None = None) -> IntakeResponse:
    """Parse a stored record and create (or find) its ticket. Replays call this again."""
    channel = channel or record.channel
    limit = settings.INTAKE_MAX_JSON_DEPTH
    try:
        payload = payload_load(bytes(record.body), max_depth=limit)
    except PayloadTooDeep as exc:
        return _invalid(record, _error(400, "json_too_deep", f"{exc}，请减少嵌套",
                                       max_depth=limit))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _invalid(record, _error(400, "invalid_json", f"请求体不是有效的 UTF-8 JSON：{exc}"))
    try:
        request = adapter_for(channel.family).parse(payload)
    except PayloadError as exc:
        return _invalid(record, _error(400, "invalid_payload", "请求内容有误，详见 fields",
                                       fields=exc.fields))
    _fill_citizen_from_text(request)
    try:
        result = _create_and_link(record, channel, request)
    except TicketInputError as exc:
        fields = {name: [{"code": "invalid", "message": m} for m in msgs]
                  for name, msgs in exc.field_errors.items()}
        return _invalid(record, _error(400, "invalid_payload", "请求内容有误，详见 fields",
                                       fields=fields))
    ticket, created = result
    return IntakeResponse(status=201 if created else 200, body={
        "ticket_number": ticket.number,
        "external_id": ticket.external_id,
        "state": ticket.state,
        "duplicate": not created,
        "intake_id": record.pk,
    })


def _create_and_link(record: IntakeRecord, channel: Channel, request: NormalisedRequest,
                     ) -> tuple[Ticket, bool]:
    """The ticket (new or found) and its record's outcome. A new ticket's duplicate check and
    routing run in a task after commit, off the channel's request (see ticket_create)."""
    result = ticket_create(
        channel=channel, external_id=request.external_id, title=request.title,
        content=request.content, received_at=request.received_at,
        citizen_name=request.citizen_name, citizen_phone=request.citizen_phone,
        citizen_id_number=request.citizen_id_number, address=request.address,
        latitude=request.latitude, longitude=request.longitude, urgency=request.urgency,
        category=request.category, source_details=request.details,
        upstream_number=request.upstream_number,
        upstream_contact_due_at=request.upstream_contact_due_at,
        upstream_resolve_due_at=request.upstream_resolve_due_at, intake_record=record,
    )
    return result.ticket, result.created


def intake_replay(*, records: Iterable[IntakeRecord],
                  on_failure: Callable[[IntakeRecord, Exception], None] | None = None,
                  ) -> Counter[str]:
    """Re-run stored records (after an adapter fix); returns how many ended in each outcome.
    A record that cannot be processed at all (a bug, the database gone) is logged, handed to
    ``on_failure``, counted as "failed" and left as it was; the replay goes on to the next."""
    outcomes: Counter[str] = Counter()
    for record in records:
        if record.body_purged_at is not None:  # past retention: nothing left to parse
            outcomes["purged"] += 1
            continue
        try:
            IntakeRecord.objects.filter(pk=record.pk).update(replay_count=record.replay_count + 1)
            response = intake_process(record=record)
        except Exception as exc:  # one record must not stop the replay of the others
            logger.exception("intake record %s could not be replayed", record.pk)
            outcomes["failed"] += 1
            if on_failure is not None:
                on_failure(record, exc)
            continue
        outcomes[{201: "accepted", 200: "duplicate"}.get(response.status, "invalid")] += 1
    return outcomes
