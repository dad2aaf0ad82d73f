from sla.models.clock import Breach, ClockState, SlaClock
from sla.models.policy import (
    CalendarKind,
    EscalationLevel,
    Milestone,
    SlaPolicy,
    default_escalation,
)
from sla.models.requests import Extension, ExtensionState, Suspension, SuspensionState
from sla.models.supervision import Supervision, SupervisionLevel, SupervisionState

__all__ = ["Breach", "CalendarKind", "ClockState", "EscalationLevel", "Extension",
           "ExtensionState", "Milestone", "SlaClock", "SlaPolicy", "Supervision",
           "SupervisionLevel", "SupervisionState", "Suspension", "SuspensionState",
           "default_escalation"]
