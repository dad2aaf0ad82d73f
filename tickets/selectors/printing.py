"""The printable ticket record (一单到底, what a unit files or hands over): the ticket and what
the ticket page shows around it, read once for one print."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from org.models import StaffRole, Unit
from org.selectors import unit_names
from tickets.core.selectors import ticket_event_list
from tickets.models import Ticket, TicketAttachment, TicketEvent
from tickets.selectors.attachments import ticket_photo_list
from tickets.selectors.detail import TicketDetail, ticket_detail


@dataclass(frozen=True)
class TicketRecord:
    detail: TicketDetail
    events: list[TicketEvent]
    photos: list[TicketAttachment]
    suggested: list[dict[str, Any]]  # the router's top 3: unit name and probability
    issuer: str  # whose record it is: the district's dispatch centre


def _issuer() -> str:
    """The district-wide unit the centre's dispatchers belong to (福田区民意速办中心)."""
    name = (Unit.objects.filter(is_district_wide=True, staff__role=StaffRole.DISPATCHER)
            .order_by("pk").values_list("name", flat=True).first())
    return name or "民意速办"


def ticket_print_record(*, ticket: Ticket) -> TicketRecord:
    top3 = [c for c in ticket.prediction_top3 or [] if isinstance(c, dict)]
    names = unit_names(codes=[str(c.get("unit", "")) for c in top3])
    return TicketRecord(
        detail=ticket_detail(ticket=ticket),
        events=list(ticket_event_list(ticket=ticket)),
        photos=ticket_photo_list(ticket=ticket),
        suggested=[{"name": names.get(str(c.get("unit")), c.get("unit")),
                    "probability": c.get("probability")} for c in top3],
        issuer=_issuer(),
    )
