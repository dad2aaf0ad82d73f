"""Read models of the ticket API. Citizens' phone and ID numbers are always masked (the
reveal-pii endpoint shows them, audited); numbers in free text are masked for people without
the permission (tickets.services.privacy)."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from sla.models import Extension, SlaClock, Supervision, Suspension
from tickets.models import AssistTask, DuplicateCandidate, Ticket, TicketEvent
from tickets.services.privacy import PersonalDataView, personal_data_view


def _viewer(field: serializers.Field[Any, Any, Any, Any]) -> PersonalDataView:
    """What the person asking sees: context["pii"] when the view narrowed it to one ticket,
    else worked out from the request (no request: everything masked; the user's permissions
    are cached on it after the first look)."""
    given = field.context.get("pii")
    if isinstance(given, PersonalDataView):
        return given
    return personal_data_view(user=getattr(field.context.get("request"), "user", None))


class PersonalTextField(serializers.CharField):
    """Free text (title, content, replies, reasons) as the person asking may see it."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        return _viewer(self).text(str(value))


class PersonalDataField(serializers.JSONField):
    """A JSON value (a trail payload, a channel's details), its strings as the person asking
    may see them."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> Any:
        return _viewer(self).data(value)


def _slug(field: str, *, many: bool = False,
          null: bool = False) -> serializers.SlugRelatedField[Any]:
    """A related row shown by its code or number (``null``: there may be none; the schema
    says so)."""
    return serializers.SlugRelatedField(slug_field=field, many=many, read_only=True,
                                        allow_null=null)


class TicketListSerializer(serializers.ModelSerializer[Ticket]):
    channel = _slug("code")
    unit = _slug("code", null=True)
    assignee = serializers.SerializerMethodField()
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    title = PersonalTextField()

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
                  "warn_at", "due_at", "bound_by_upstream", "stopped_at", "late_minutes",
                  "paused", "breached", "escalation_level"]
        # Read-only, so the schema says it is always there (a model field with a default
        # would be optional): whether due_at is the city platform's deadline.
        read_only_fields = ["bound_by_upstream"]

    def get_paused(self, clock: SlaClock) -> bool:
        return clock.paused_at is not None

    def get_breached(self, clock: SlaClock) -> bool:
        return clock.breached_at is not None or bool(clock.late_minutes)


class AssistTaskSerializer(serializers.ModelSerializer[AssistTask]):
    """An assisting unit's task (协办) and its reply deadline (empty on tasks given before
    deadlines existed); ``late``: breached, or answered after the deadline."""

    unit = _slug("code")
    task = PersonalTextField()
    reply = PersonalTextField()
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = AssistTask
        fields = ["id", "unit", "task", "state", "reply", "created_at", "replied_at",
                  "reply_due_at", "breached_at", "late"]
        read_only_fields = fields


class SupervisionSerializer(serializers.ModelSerializer[Supervision]):
    unit = _slug("code")
    instructions = PersonalTextField()
    answer = PersonalTextField()

    class Meta:
        model = Supervision
        fields = ["id", "unit", "level", "instructions", "issued_by_label", "issued_at",
                  "reply_due_at", "state", "answer", "answered_by_label", "answered_at"]


class ExtensionSerializer(serializers.ModelSerializer[Extension]):
    reason = PersonalTextField()
    decision_note = PersonalTextField()

    class Meta:
        model = Extension
        fields = ["id", "state", "reason", "old_due_at", "new_due_at", "requested_at",
                  "decided_at", "decision_note"]


class SuspensionSerializer(serializers.ModelSerializer[Suspension]):
    reason = PersonalTextField()
    decision_note = PersonalTextField()

    class Meta:
        model = Suspension
        fields = ["id", "state", "reason", "requested_at", "decided_at", "decision_note",
                  "started_at", "ended_at"]


class TicketDetailSerializer(TicketListSerializer):
    citizen_phone = serializers.SerializerMethodField()
    citizen_id_number = serializers.SerializerMethodField()
    content = PersonalTextField()
    reply = PersonalTextField()
    source_details = PersonalDataField()
    street = _slug("code", null=True)
    predicted_unit = _slug("code", null=True)
    assisting_units = _slug("code", many=True)
    # Also the name of DRF's link from a field to its serializer; here, the 主单.
    # DRF's Field.parent names the enclosing serializer; this one is the ticket's 主单.
    parent = _slug("number", null=True)  # type: ignore[assignment]
    category = serializers.SerializerMethodField()
    duplicate_candidates = DuplicateCandidateSerializer(many=True, read_only=True)
    clocks = SlaClockSerializer(many=True, read_only=True)
    assist_tasks = AssistTaskSerializer(many=True, read_only=True)
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
                  "duplicate_candidates", "is_overdue", "clocks", "assist_tasks",
                  "supervisions", "extensions", "suspensions"]

    def get_citizen_phone(self, ticket: Ticket) -> str:
        return _viewer(self).phone(ticket.citizen_phone)

    def get_citizen_id_number(self, ticket: Ticket) -> str:
        return _viewer(self).id_number(ticket.citizen_id_number)

    def get_category(self, ticket: Ticket) -> list[str]:
        return [c for c in (ticket.category_l1, ticket.category_l2, ticket.category_l3) if c]


class TicketEventSerializer(serializers.ModelSerializer[TicketEvent]):
    action_label = serializers.CharField(source="get_action_display", read_only=True)
    actor = serializers.CharField(source="actor_label", read_only=True)
    reason = PersonalTextField()
    payload = PersonalDataField()

    class Meta:
        model = TicketEvent
        fields = ["id", "at", "action", "action_label", "actor", "from_state", "to_state",
                  "reason", "payload"]


class RevealedPiiSerializer(serializers.Serializer[Any]):
    """The citizen's full phone and ID number, once, as a reveal_pii event records."""

    phone = serializers.CharField(read_only=True, help_text="完整联系电话")
    id_number = serializers.CharField(read_only=True, help_text="完整身份证号")
