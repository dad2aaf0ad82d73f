"""Hotline call records: 12345 and the 123xx thematic lines."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
    title_from,
)
from tickets.intake.payload import PayloadReader


@register
class HotlineAdapter(IntakeAdapter):
    family = "hotline"
    title = "热线来电记录"
    description = (
        "call_id（必填，话务系统单号）、call_time（必填，ISO 8601）、"
        "agent_summary（必填，话务员记录）、"
        "caller_number（来电号码）、caller_name、title、"
        "address、urgent（布尔，话务员标记紧急）、agent_id"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        summary = reader.text("agent_summary", required=True, max_length=CONTENT_MAX,
                              multiline=True)
        return NormalisedRequest(
            external_id=reader.identifier("call_id"),
            received_at=reader.moment("call_time", required=True, past_only=True),
            content=summary,
            title=reader.text("title") or title_from(summary),
            citizen_phone=reader.phone("caller_number"),
            citizen_name=reader.text("caller_name", max_length=60),
            address=reader.text("address", max_length=300),
            urgency="urgent" if reader.flag("urgent") else "normal",
            details={"agent_id": reader.identifier("agent_id", required=False)},
        )
