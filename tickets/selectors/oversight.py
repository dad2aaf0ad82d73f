"""What waits for a decision: a unit lead's approvals (returns, extensions, suspensions), the
supervisors' orders and rulings on tickets returned twice."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import QuerySet

from org.models import Unit
from sla.models import (
    Extension,
    ExtensionState,
    Supervision,
    SupervisionState,
    Suspension,
    SuspensionState,
)
from tickets.core.selectors import ticket_visible_to
from tickets.models import (
    OPEN_STATES,
    DuplicateCandidate,
    DuplicateCandidateStatus,
    RequestState,
    ReturnRequest,
    Ruling,
    RulingState,
)
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


def duplicate_candidate_open_list(*, user: AbstractBaseUser) -> QuerySet[DuplicateCandidate]:
    """Suspected duplicates nobody has decided, whether the new ticket waits in triage or the
    router already dispatched it: both tickets still open and visible to the person, the
    newest suspicion first."""
    open_states = [s.value for s in OPEN_STATES]
    visible = ticket_visible_to(user=user).filter(state__in=open_states).values("pk")
    return (DuplicateCandidate.objects
            .filter(status=DuplicateCandidateStatus.OPEN, ticket_id__in=visible,
                    original_id__in=visible)
            .select_related("ticket__unit", "ticket__channel", "ticket__assignee__user",
                            "original__unit", "original__channel", "original__assignee__user")
            .order_by("-created_at", "-pk"))
