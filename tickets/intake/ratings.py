"""A channel reports the citizen's rating (回访结果) of a resolved ticket, signed like intake.

The rating goes through the same follow-up service as the centre's call: satisfied closes,
unsatisfied reopens to the same unit. A duplicate merged into another ticket rates its parent.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from typing import cast

from tickets.core.errors import TicketError
from tickets.core.signing import SignatureError, signature_verify
from tickets.intake.channels import intake_channel_get
from tickets.intake.services import IntakeResponse, _error, _is_json
from tickets.models import Satisfaction, Ticket
from tickets.services.lifecycle import ticket_follow_up


def rating_receive(*, channel_code: str, body: bytes, content_type: str,
                   headers: Mapping[str, str], now: float | None = None) -> IntakeResponse:
    now = time.time() if now is None else now
    channel = intake_channel_get(code=channel_code)
    if channel is None:
        return _error(404, "unknown_channel", f"渠道 {channel_code} 不存在或已停用")
    if not _is_json(content_type):
        return _error(415, "unsupported_media_type", "请使用 Content-Type: application/json")
    try:
        signature_verify(header=headers.get("x-signature"), body=body,
                         secrets=list(channel.signing_secrets), now=int(now))
    except SignatureError as exc:
        return _error(401, exc.code, exc.message)
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return _error(400, "invalid_json", "请求体不是有效的 JSON")
    if not isinstance(data, dict):
        return _error(400, "invalid_json", "请求体应为 JSON 对象")
    external_id = str(data.get("external_id") or "").strip()
    satisfaction = data.get("satisfaction")
    fields = {}
    if not external_id:
        fields["external_id"] = ["请提供渠道单号"]
    if satisfaction not in Satisfaction.values:
        fields["satisfaction"] = [f"满意度只能是 {Satisfaction.values}"]
    if fields:
        return _error(400, "invalid_fields", "字段有误", fields=fields)
    ticket = (Ticket.objects.filter(channel=channel, external_id=external_id)
              .select_related("parent").first())
    if ticket is None:
        return _error(404, "unknown_ticket", f"渠道单号 {external_id} 没有对应工单")
    target = ticket.parent if ticket.state == "merged" and ticket.parent else ticket
    try:
        # satisfaction is one of Satisfaction.values (checked above).
        done = ticket_follow_up(ticket=target, actor=None, satisfaction=cast(str, satisfaction),
                                note=str(data.get("note") or "")[:500])
    except TicketError as exc:
        return _error(409, exc.code, exc.message)
    return IntakeResponse(200, {"ticket_number": done.number, "state": done.state})
