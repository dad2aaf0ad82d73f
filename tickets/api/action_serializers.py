"""Inputs and outputs of the API's endpoints that are not catalogue actions (bulk dispatch,
decisions and replies on rows, reports); the catalogue's inputs are built in
tickets/api/actions.py. Validation of meaning (who, when) is the services'."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from org.models import Staff, Unit


def unit_field(*, required: bool = True,
               help_text: str = "单位编码") -> serializers.SlugRelatedField[Unit]:
    optional: dict[str, Any] = {} if required else {"default": None, "allow_null": True}
    return serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.all(),
                                        required=required, help_text=help_text, **optional)


@extend_schema_field(OpenApiTypes.STR)
class StaffByUsername(serializers.SlugRelatedField[Staff]):
    """A person named by their account (the slug spans a relation, which the schema can't
    infer)."""


def person_field(*, required: bool = False, help_text: str = "人员账号") -> StaffByUsername:
    optional: dict[str, Any] = {} if required else {"default": None, "allow_null": True}
    return StaffByUsername(
        slug_field="user__username", queryset=Staff.objects.select_related("user", "unit"),
        required=required, help_text=help_text, **optional)


class BulkDispatchInput(serializers.Serializer[Any]):
    numbers = serializers.ListField(child=serializers.CharField(), min_length=1, max_length=200)
    unit = unit_field()
    assignee = person_field()
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class DecideInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RulingInput(serializers.Serializer[Any]):
    unit = unit_field()
    assignee = person_field()
    reason = serializers.CharField(allow_blank=True)


class AssistReplyInput(serializers.Serializer[Any]):
    reply = serializers.CharField(allow_blank=True)


class ResumeInput(serializers.Serializer[Any]):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SupervisionAnswerInput(serializers.Serializer[Any]):
    answer = serializers.CharField(allow_blank=True)


class BulkOutcomeOutput(serializers.Serializer[Any]):
    number = serializers.CharField()
    ok = serializers.BooleanField()
    error = serializers.CharField()


class UnitDispatchStatsOutput(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="首次派往的单位；空表示全区合计")
    tickets = serializers.IntegerField()
    auto_dispatched = serializers.IntegerField()
    auto_share = serializers.FloatField()
    auto_stayed = serializers.IntegerField()
    stayed_share = serializers.FloatField()
    returns_per_ticket = serializers.FloatField()
    transfers_per_ticket = serializers.FloatField()


class UnitSatisfactionOutput(serializers.Serializer[Any]):
    unit = serializers.CharField(help_text="承办单位")
    rated = serializers.IntegerField(help_text="计入满意率的回访数")
    satisfied = serializers.IntegerField(help_text="满意和基本满意")
    excluded = serializers.IntegerField(help_text="督办员审定为不合理诉求、不计入的不满意")
    rate = serializers.FloatField()
