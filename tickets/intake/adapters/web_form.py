"""Web and app forms: i福田, 区长信箱, 区委书记在线, the WeChat account, walk-in windows, ..."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    TITLE_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
)
from tickets.intake.payload import PayloadReader


@register
class WebFormAdapter(IntakeAdapter):
    family = "web_form"
    title = "网站/APP 表单"
    description = (
        "submission_id（必填）、title（必填）、content（必填）、submitted_at、"
        "contact{name, phone, id_number}、address、location{lat, lng}、photos（图片地址数组）"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        contact = reader.nested("contact")
        location = reader.nested("location")
        return NormalisedRequest(
            external_id=reader.identifier("submission_id"),
            received_at=reader.moment("submitted_at", past_only=True),
            title=reader.text("title", required=True, max_length=TITLE_MAX),
            content=reader.text("content", required=True, max_length=CONTENT_MAX,
                                multiline=True),
            citizen_name=contact.text("name", max_length=60),
            citizen_phone=contact.phone("phone"),
            citizen_id_number=contact.id_number("id_number"),
            address=reader.text("address", max_length=300),
            latitude=location.number("lat", low=-90, high=90),
            longitude=location.number("lng", low=-180, high=180),
            details={"photos": reader.urls("photos")},
        )
