"""What waits for a decision: a unit lead's approvals (returns, extensions, suspensions), the
supervisors' orders and rulings on tickets returned twice."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser

from org.models import Unit
from sla.models import (
    Extension,
    ExtensionState,
    Supervision,
    SupervisionState,
    Suspension,
    SuspensionState,
)
from tickets.models import RequestState, ReturnRequest, Ruling, RulingState
from tickets.selectors.visible import ticket_rows_visible


def return_request_pending_list(*, unit: Unit) -> list[ReturnRequest]:
    return list(ReturnRequest.objects.filter(unit=unit, state=RequestState.PENDING)
                .select_related("ticket"))


def return_request_pending_everywhere() -> list[ReturnRequest]:
    """Every unit's requests waiting, oldest first (the centre decides some of them)."""
    return list(ReturnRequest.objects.filter(state=RequestState.PENDING)
                .select_related("ticket", "unit", "requested_by__staff")
                .order_by("requested_at"))


def extension_pending_list(*, unit: Unit) -> list[Extension]:
    return list(Extension.objects.filter(ticket__unit=unit, state=ExtensionState.PENDING)
                .select_related("ticket"))


def suspension_pending_list(*, unit: Unit) -> list[Suspension]:
    return list(Suspension.objects.filter(ticket__unit=unit, state=SuspensionState.PENDING)
                .select_related("ticket"))


def supervision_visible_list(*, user: AbstractBaseUser, limit: int = 200) -> list[Supervision]:
    """Orders on the tickets the person may see: open ones first, the nearest reply due first."""
    orders = (ticket_rows_visible(user=user, model=Supervision).select_related("unit")
              .order_by("state", "reply_due_at"))
    return list(orders[:limit])


def supervision_open_count() -> int:
    return Supervision.objects.filter(state=SupervisionState.OPEN).count()


def ruling_pending_list(*, user: AbstractBaseUser) -> list[Ruling]:
    return list(ticket_rows_visible(user=user, model=Ruling).filter(state=RulingState.PENDING)
                .order_by("pk"))


def ruling_pending_count() -> int:
    return Ruling.objects.filter(state=RulingState.PENDING).count()
