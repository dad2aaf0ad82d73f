"""Inputs of the ticket action endpoints. Validation of meaning (who, when) is the services'."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from org.models import Staff, Unit
from sla.models import SupervisionLevel
from tickets.models import ReturnReason, Satisfaction


def _unit() -> serializers.SlugRelatedField:
    return serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(),
                                        help_text="单位编码")


@extend_schema_field(OpenApiTypes.STR)
class StaffByUsername(serializers.SlugRelatedField):
    """A person named by their account (the slug spans a relation, which the schema can't
    infer)."""


def _person(required: bool = False) -> serializers.SlugRelatedField:
    optional: dict[str, Any] = {} if required else {"default": None, "allow_null": True}
    return StaffByUsername(
        slug_field="user__username", queryset=Staff.objects.select_related("user", "unit"),
        required=required, help_text="人员账号", **optional)


class VersionedSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False, help_text="调用方看到的工单版本；已被他人更新时返回 409")


class DispatchInput(VersionedSerializer):
    unit = _unit()
    assignee = _person()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class BulkDispatchInput(serializers.Serializer):
    numbers = serializers.ListField(child=serializers.CharField(), min_length=1, max_length=200)
    unit = _unit()
    assignee = _person()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class RerouteInput(VersionedSerializer):
    unit = _unit()
    assignee = _person()
    reason = serializers.CharField()


class ReasonInput(VersionedSerializer):
    reason = serializers.CharField(allow_blank=True)


class NoteInput(VersionedSerializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ResolveInput(VersionedSerializer):
    reply = serializers.CharField(allow_blank=True)


class MergeInput(VersionedSerializer):
    parent = serializers.CharField(help_text="主单编号")
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ReassignInput(VersionedSerializer):
    assignee = _person(required=True)
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class FollowUpInput(VersionedSerializer):
    satisfaction = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnRequestInput(serializers.Serializer):
    reason_code = serializers.ChoiceField(choices=ReturnReason.choices)
    text = serializers.CharField(allow_blank=True)


class DecideInput(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RulingInput(serializers.Serializer):
    unit = _unit()
    assignee = _person()
    reason = serializers.CharField(allow_blank=True)


class AssistInput(serializers.Serializer):
    unit = _unit()
    task = serializers.CharField(allow_blank=True)


class AssistReplyInput(serializers.Serializer):
    reply = serializers.CharField(allow_blank=True)


class ExtensionInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)
    new_due_at = serializers.DateTimeField(help_text="申请的新办结时限（ISO 8601，含时区）")


class SuspensionInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True)


class SuperviseInput(serializers.Serializer):
    level = serializers.ChoiceField(choices=SupervisionLevel.choices)
    instructions = serializers.CharField(allow_blank=True)
    reply_due_at = serializers.DateTimeField(help_text="单位回复时限")


class ResumeInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SupervisionAnswerInput(serializers.Serializer):
    answer = serializers.CharField(allow_blank=True)


class BulkOutcomeOutput(serializers.Serializer):
    number = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField()


class UnitDispatchStatsOutput(serializers.Serializer):
    unit = serializers.CharField(help_text="首次派往的单位；空表示全区合计")
    tickets = serializers.IntegerField()
    auto_dispatched = serializers.IntegerField()
    auto_share = serializers.FloatField()
    auto_stayed = serializers.IntegerField()
    stayed_share = serializers.FloatField()
    returns_per_ticket = serializers.FloatField()
    transfers_per_ticket = serializers.FloatField()


class UnitSatisfactionOutput(serializers.Serializer):
    unit = serializers.CharField(help_text="承办单位")
    rated = serializers.IntegerField(help_text="计入满意率的回访数")
    satisfied = serializers.IntegerField(help_text="满意和基本满意")
    excluded = serializers.IntegerField(help_text="督办员审定为不合理诉求、不计入的不满意")
    rate = serializers.FloatField()
