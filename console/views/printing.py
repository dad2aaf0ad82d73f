"""The printable ticket record (打印): the ticket, the citizen as the printing person may see
them, and the whole trail on A4, for a unit to file or hand over. The same visibility as the
ticket page (another unit's ticket is not found); nothing on it acts."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from console.views.common import console_view, person_of, visible_ticket
from tickets.core.trail import actor_label
from tickets.selectors.printing import ticket_print_record
from tickets.services.privacy import personal_data_view


@console_view
@require_GET
def ticket_print(request: HttpRequest, number: str) -> HttpResponse:
    ticket = visible_ticket(request, number)
    pii = personal_data_view(user=request.user, ticket=ticket)
    record = ticket_print_record(ticket=ticket)
    return render(request, "console/ticket_print.html", {
        "title": _("工单 %(number)s 办理记录") % {"number": ticket.number},
        "ticket": ticket, "record": record, "pii": pii,
        "masked_phone": pii.phone(ticket.citizen_phone),
        "masked_id": pii.id_number(ticket.citizen_id_number),
        "printed_at": timezone.now(), "printed_by": actor_label(person_of(request)),
    })
