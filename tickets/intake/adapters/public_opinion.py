"""Public-opinion items (舆情): monitored posts, media reports, the government microblog."""

from tickets.intake.adapters.base import (
    CONTENT_MAX,
    TITLE_MAX,
    IntakeAdapter,
    NormalisedRequest,
    register,
    title_from,
)
from tickets.intake.payload import PayloadReader


@register
class PublicOpinionAdapter(IntakeAdapter):
    family = "public_opinion"
    title = "舆情线索"
    description = (
        "item_id（必填）、source_url（必填，原帖地址）、excerpt（必填，摘录）、title、platform、"
        "author、published_at、heat（热度，非负整数）"
    )

    def read(self, reader: PayloadReader) -> NormalisedRequest:
        excerpt = reader.text("excerpt", required=True, max_length=CONTENT_MAX, multiline=True)
        heat = reader.number("heat", low=0, high=10**12, integer=True)
        # When it was posted is a detail; the ticket was received now, when it reached us.
        published = reader.moment("published_at")
        return NormalisedRequest(
            external_id=reader.identifier("item_id"),
            title=reader.text("title", max_length=TITLE_MAX) or title_from(excerpt),
            content=excerpt,
            details={
                "source_url": reader.url("source_url", required=True),
                "platform": reader.text("platform", max_length=40),
                "author": reader.text("author", max_length=80),
                "heat": int(heat) if heat is not None else 0,
                "published_at": published.isoformat() if published else None,
            },
        )
