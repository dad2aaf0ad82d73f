"""The city's @深圳-民意速办 platform and other upstream platforms that hand tickets down."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    TITLE_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
)
from tickets.intake.payload import PayloadReader


@register
class CityPlatformAdapter(IntakeAdapter):
    family = "city_platform"
    title = "市级平台下派"
    description = (
        "upstream_number（必填，上级单号）、title（必填）、content（必填）、"
        "dispatched_at、"
        "urgency（urgent / normal）、citizen{name, phone, id_number}、"
        "address、"
        "category（最多三级的数组）、"
        "deadlines{contact_by, resolve_by（必填）}：本工单须遵守的上级时限"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        citizen = reader.nested("citizen")
        deadlines = reader.nested("deadlines", required=True)
        upstream_number = reader.identifier("upstream_number", max_length=60)
        return NormalisedRequest(
            external_id=upstream_number,
            upstream_number=upstream_number,
            received_at=reader.moment("dispatched_at", past_only=True),
            title=reader.text("title", required=True, max_length=TITLE_MAX),
            content=reader.text("content", required=True, max_length=CONTENT_MAX,
                                multiline=True),
            urgency=reader.choice("urgency", ["urgent", "normal"], default="normal"),
            citizen_name=citizen.text("name", max_length=60),
            citizen_phone=citizen.phone("phone"),
            citizen_id_number=citizen.id_number("id_number"),
            address=reader.text("address", max_length=300),
            category=reader.categories("category", levels=3, max_length=40),
            upstream_contact_due_at=deadlines.moment("contact_by"),
            upstream_resolve_due_at=deadlines.moment("resolve_by", required=True),
        )
