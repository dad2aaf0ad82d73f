"""A channel reports the citizen's rating (回访结果) of a resolved ticket, signed like intake.

The rating goes through the same follow-up service as the centre's call: satisfied closes,
unsatisfied reopens to the same unit. A duplicate merged into another ticket rates its parent.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from django.conf import settings

from tickets.core.errors import TicketError
from tickets.core.signing import SignatureError, signature_verify
from tickets.intake.channels import intake_channel_get
from tickets.intake.payload import PayloadReader, PayloadTooDeep, payload_load
from tickets.intake.services import IntakeResponse, _error, _is_json
from tickets.models import Satisfaction, Ticket
from tickets.services.lifecycle import ticket_follow_up


def rating_receive(*, channel_code: str, body: bytes | None, content_type: str,
                   headers: Mapping[str, str], now: float | None = None) -> IntakeResponse:
    """``body`` is None when it was too large to read."""
    now = time.time() if now is None else now
    channel = intake_channel_get(code=channel_code)
    if channel is None:
        return _error(404, "unknown_channel", f"渠道 {channel_code} 不存在或已停用")
    limit = settings.INTAKE_MAX_BODY_BYTES
    if body is None or len(body) > limit:
        return _error(413, "body_too_large", f"请求体超过 {limit // 1024} KiB")
    if not _is_json(content_type):
        return _error(415, "unsupported_media_type", "请使用 Content-Type: application/json")
    try:
        signature_verify(header=headers.get("x-signature"), body=body,
                         secrets=list(channel.signing_secrets), now=int(now))
    except SignatureError as exc:
        return _error(401, exc.code, exc.message)
    try:
        data = payload_load(body, max_depth=settings.INTAKE_MAX_JSON_DEPTH)
    except PayloadTooDeep as exc:
        return _error(400, "json_too_deep", f"{exc}，请减少嵌套")
    except ValueError:
        return _error(400, "invalid_json", "请求体不是有效的 UTF-8 JSON")
    # Read like an intake payload: the channel's number exactly as sent, the note whole.
    reader = PayloadReader(data)
    external_id = reader.identifier("external_id")
    satisfaction = reader.choice("satisfaction", list(Satisfaction.values), required=True)
    note = reader.text("note", max_length=500, multiline=True, html=False)
    if reader.errors.fields:
        return _error(400, "invalid_payload", "请求内容有误，详见 fields",
                      fields=reader.errors.fields)
    ticket = (Ticket.objects.filter(channel=channel, external_id=external_id)
              .select_related("parent").first())
    if ticket is None:
        return _error(404, "unknown_ticket", f"渠道单号 {external_id} 没有对应工单")
    target = ticket.parent if ticket.state == "merged" and ticket.parent else ticket
    try:
        done = ticket_follow_up(ticket=target, actor=None, satisfaction=satisfaction, note=note)
    except TicketError as exc:
        return _error(409, exc.code, exc.message)
    return IntakeResponse(200, {"ticket_number": done.number, "state": done.state})
