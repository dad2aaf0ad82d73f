"""Models of the tickets app, one module per concern; import them from here."""

from tickets.models.access import AccessKind, AccessLog
from tickets.models.attachment import TicketAttachment
from tickets.models.channel import Channel, ChannelFamily, new_signing_secrets
from tickets.models.collaboration import (
    AssistState,
    AssistTask,
    FollowUpState,
    FollowUpTask,
    RequestState,
    ReturnReason,
    ReturnRequest,
    Ruling,
    RulingState,
)
from tickets.models.dispatching import DispatchCorrection, UrgentSignal
from tickets.models.event import AppendOnlyError, EventAction, TicketEvent, TicketEventQuerySet
from tickets.models.intake import (
    DuplicateCandidate,
    DuplicateCandidateStatus,
    IntakeOutcome,
    IntakeRecord,
)
from tickets.models.outbox import CallbackDelivery, DeliveryStatus, Notification
from tickets.models.stored_file import StoredFile
from tickets.models.ticket import (
    OPEN_STATES,
    WORKING_STATES,
    Satisfaction,
    Ticket,
    TicketNumberSequence,
    TicketState,
    Urgency,
)

__all__ = [
    "OPEN_STATES",
    "WORKING_STATES",
    "AccessKind",
    "AccessLog",
    "AppendOnlyError",
    "AssistState",
    "AssistTask",
    "CallbackDelivery",
    "Channel",
    "ChannelFamily",
    "DeliveryStatus",
    "DispatchCorrection",
    "DuplicateCandidate",
    "DuplicateCandidateStatus",
    "EventAction",
    "FollowUpState",
    "FollowUpTask",
    "IntakeOutcome",
    "IntakeRecord",
    "Notification",
    "RequestState",
    "ReturnReason",
    "ReturnRequest",
    "Ruling",
    "RulingState",
    "Satisfaction",
    "StoredFile",
    "Ticket",
    "TicketAttachment",
    "TicketEvent",
    "TicketEventQuerySet",
    "TicketNumberSequence",
    "TicketState",
    "Urgency",
    "UrgentSignal",
    "new_signing_secrets",
]
