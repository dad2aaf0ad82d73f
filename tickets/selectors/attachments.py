"""Photos on tickets (现场照片), found only among the tickets a person may see."""

from __future__ import annotations

from tickets.models import Ticket, TicketAttachment
from tickets.selectors.visible import Viewer, ticket_row_visible


def ticket_photo_list(*, ticket: Ticket) -> list[TicketAttachment]:
    return list(TicketAttachment.objects.filter(ticket=ticket).order_by("created_at", "id"))


def attachment_visible(*, user: Viewer, pk: int) -> TicketAttachment | None:
    """A photo on a ticket the person may see, else None (another unit's: not found)."""
    return ticket_row_visible(user=user, model=TicketAttachment, pk=pk)
