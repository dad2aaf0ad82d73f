"""Petitions (信访): letters, visits and online petitions."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    TITLE_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
)
from tickets.intake.payload import PayloadReader

KINDS = ["letter", "visit", "online"]


@register
class PetitionAdapter(IntakeAdapter):
    family = "petition"
    title = "信访件"
    description = (
        "case_number（必填，信访件编号）、"
        "kind（必填：letter 来信 / visit 来访 / online 网上信访）、"
        ""
        "subject（必填）、content（必填）、"
        "petitioner{name（必填）, phone, id_number, address}、"
        "registered_at、co_petitioners（联名/集体访人数）"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        petitioner = reader.nested("petitioner", required=True)
        co_petitioners = reader.number("co_petitioners", low=0, high=10_000, integer=True)
        return NormalisedRequest(
            external_id=reader.identifier("case_number"),
            received_at=reader.moment("registered_at", past_only=True),
            title=reader.text("subject", required=True, max_length=TITLE_MAX),
            content=reader.text("content", required=True, max_length=CONTENT_MAX,
                                multiline=True),
            citizen_name=petitioner.text("name", required=True, max_length=60),
            citizen_phone=petitioner.phone("phone"),
            citizen_id_number=petitioner.id_number("id_number"),
            address=petitioner.text("address", max_length=300),
            details={
                "petition_kind": reader.choice("kind", KINDS, required=True),
                "co_petitioners": int(co_petitioners) if co_petitioners is not None else 0,
            },
        )
