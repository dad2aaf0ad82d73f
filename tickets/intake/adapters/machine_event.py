"""Machine events: 智眼 video-AI alerts, IoT sensors, grid workers' and patrols' reports."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
)
from tickets.intake.payload import PayloadReader

URGENT_EVENT_TYPES = {"gas_leak", "waterlogging", "fire", "manhole_missing", "building_risk"}


@register
class MachineEventAdapter(IntakeAdapter):
    family = "machine_event"
    title = "感知与网格事件"
    description = (
        "event_id（必填）、event_type（必填，如 occupy_road / garbage / waterlogging / gas_leak）、"
        "event_type_name、occurred_at（必填）、place（必填，地点描述）、lat、lng、image_url、"
        "confidence（0–1，算法置信度）、reporter、description"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        event_type = reader.identifier("event_type", max_length=40)
        type_name = reader.text("event_type_name", max_length=40) or event_type
        place = reader.text("place", required=True, max_length=300)
        description = reader.text("description", max_length=CONTENT_MAX, multiline=True)
        confidence = reader.number("confidence", low=0, high=1)
        return NormalisedRequest(
            external_id=reader.identifier("event_id"),
            received_at=reader.moment("occurred_at", required=True, past_only=True),
            title=f"{type_name}：{place}"[:200],
            content=description or f"{type_name}，地点：{place}",
            address=place,
            latitude=reader.number("lat", low=-90, high=90),
            longitude=reader.number("lng", low=-180, high=180),
            urgency="urgent" if event_type in URGENT_EVENT_TYPES else "normal",
            details={
                "event_type": event_type,
                "image_url": reader.url("image_url"),
                "confidence": float(confidence) if confidence is not None else None,
                "reporter": reader.text("reporter", max_length=60),
            },
        )
