"""Read models of the ticket API. Citizens' phone and ID numbers are masked unless allowed."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sla.models import Extension, SlaClock, Supervision, Suspension
from tickets.core.masking import mask_id_number, mask_phone
from tickets.models import DuplicateCandidate, Ticket, TicketEvent


def _slug(field: str, *, many: bool = False) -> serializers.SlugRelatedField[Any]:
    """A related row shown by its code or number."""
    return serializers.SlugRelatedField(slug_field=field, many=many, read_only=True)


class TicketListSerializer(serializers.ModelSerializer[Ticket]):
    channel = _slug("code")
    unit = _slug("code")
    assignee = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)

    class Meta:
        model = Ticket
        fields = ["number", "channel", "external_id", "received_at", "title", "urgency", "state",
                  "state_label", "unit", "assignee", "updated_at"]

    def get_assignee(self, ticket: Ticket) -> str | None:
        return ticket.assignee.user.get_username() if ticket.assignee else None


class DuplicateCandidateSerializer(serializers.ModelSerializer[DuplicateCandidate]):
    """An open ticket this one nearly repeats (重复件), for a dispatcher to confirm or dismiss."""

    number = serializers.CharField(source="original.number", read_only=True)
    reasons = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = DuplicateCandidate
        fields = ["number", "score", "reasons", "status"]


class SlaClockSerializer(serializers.ModelSerializer[SlaClock]):
    milestone_label = serializers.CharField(source="get_milestone_display", read_only=True)
    paused = serializers.SerializerMethodField()
    breached = serializers.SerializerMethodField()

    class Meta:
        model = SlaClock
        fields = ["milestone", "milestone_label", "calendar", "minutes", "state", "started_at",
                  "warn_at", "due_at", "stopped_at", "late_minutes", "paused", "breached",
                  "escalation_level"]

    def get_paused(self, clock: SlaClock) -> bool:
        return clock.paused_at is not None

    def get_breached(self, clock: SlaClock) -> bool:
        return clock.breached_at is not None or bool(clock.late_minutes)


class SupervisionSerializer(serializers.ModelSerializer[Supervision]):
    unit = _slug("code")

    class Meta:
        model = Supervision
        fields = ["id", "unit", "level", "instructions", "issued_by_label", "issued_at",
                  "reply_due_at", "state", "answer", "answered_by_label", "answered_at"]


class ExtensionSerializer(serializers.ModelSerializer[Extension]):
    class Meta:
        model = Extension
        fields = ["id", "state", "reason", "old_due_at", "new_due_at", "requested_at",
                  "decided_at", "decision_note"]


class SuspensionSerializer(serializers.ModelSerializer[Suspension]):
    class Meta:
        model = Suspension
        fields = ["id", "state", "reason", "requested_at", "decided_at", "decision_note",
                  "started_at", "ended_at"]


class TicketDetailSerializer(TicketListSerializer):
    citizen_phone = serializers.SerializerMethodField()
    citizen_id_number = serializers.SerializerMethodField()
    street = _slug("code")
    predicted_unit = _slug("code")
    assisting_units = _slug("code", many=True)
    # Also the name of DRF's link from a field to its serializer; here, the 主单.
    # DRF's Field.parent names the enclosing serializer; this one is the ticket's 主单.
    parent = _slug("number")  # type: ignore[assignment]
    category = serializers.SerializerMethodField()
    duplicate_candidates = DuplicateCandidateSerializer(many=True, read_only=True)
    clocks = SlaClockSerializer(many=True, read_only=True)
    supervisions = SupervisionSerializer(many=True, read_only=True)
    extensions = ExtensionSerializer(many=True, read_only=True)
    suspensions = SuspensionSerializer(many=True, read_only=True)

    class Meta(TicketListSerializer.Meta):
        fields = [*TicketListSerializer.Meta.fields, "content", "citizen_name", "citizen_phone",
                  "citizen_id_number", "address", "street", "community", "latitude", "longitude",
                  "category", "predicted_unit", "prediction_confidence", "prediction_top3",
                  "assisting_units", "parent", "reply", "satisfaction", "assigned_at",
                  "contacted_at", "met_at", "resolved_at", "closed_at", "source_details",
                  "upstream_number", "upstream_contact_due_at", "upstream_resolve_due_at",
                  "return_count", "transfer_count", "reopen_count", "version",
                  "duplicate_candidates", "is_overdue", "clocks", "supervisions", "extensions",
                  "suspensions"]

    def _may_see_pii(self) -> bool:
        request = self.context.get("request")
        return bool(request and request.user.has_perm("tickets.view_citizen_pii"))

    def get_citizen_phone(self, ticket: Ticket) -> str:
        return ticket.citizen_phone if self._may_see_pii() else mask_phone(ticket.citizen_phone)

    def get_citizen_id_number(self, ticket: Ticket) -> str:
        if self._may_see_pii():
            return ticket.citizen_id_number
        return mask_id_number(ticket.citizen_id_number)

    def get_category(self, ticket: Ticket) -> list[str]:
        return [c for c in (ticket.category_l1, ticket.category_l2, ticket.category_l3) if c]


class TicketEventSerializer(serializers.ModelSerializer[TicketEvent]):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "action", "action_label", "actor", "from_state", "to_state",
                  "reason", "payload"]

