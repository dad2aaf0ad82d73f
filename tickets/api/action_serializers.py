"""Inputs and outputs of the API's endpoints that are not catalogue actions (bulk dispatch,
decisions and replies on rows, reports); the catalogue's inputs are built in
tickets/api/actions.py. Validation of meaning (who, when) is the services'."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from django.db.models import Model
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from org.models import Staff, Unit
from tickets.core.moments import moment_problem
from tickets.core.text import control_character_in, control_character_message

RowT = TypeVar("RowT", bound=Model)


def no_control_characters(value: str) -> None:
    """Text of any kind (reasons, notes, replies, numbers): no control character, which
    PostgreSQL may not even store (NUL). Tab and line breaks are text."""
    if (bad := control_character_in(value)) is not None:
        raise serializers.ValidationError(control_character_message(bad))


def moment_in_range(value: datetime) -> None:
    """A time the house can store and compute with (tickets.core.moments)."""
    if (problem := moment_problem(value)) is not None:
        raise serializers.ValidationError(problem)


def text_field(**kwargs: Any) -> serializers.CharField:
    return serializers.CharField(validators=[no_control_characters], **kwargs)


class ByCode(serializers.SlugRelatedField[RowT]):
    """A row named by a code: one with a control character is no code at all, and is refused
    before it reaches the database (where a NUL is an error, not a miss)."""

    def to_internal_value(self, data: Any) -> RowT:
        if isinstance(data, str) and (bad := control_character_in(data, strict=True)):
            raise serializers.ValidationError(control_character_message(bad))
        return super().to_internal_value(data)


def unit_field(*, required: bool = True, help_text: str = "单位编码") -> ByCode[Unit]:
    optional: dict[str, Any] = {} if required else {"default": None, "allow_null": True}
    return ByCode(slug_field="code", queryset=Unit.objects.all(), required=required,
                  help_text=help_text, **optional)


@extend_schema_field(OpenApiTypes.STR)
class StaffByUsername(ByCode[Staff]):
    """A person named by their account (the slug spans a relation, which the schema can't
    infer)."""


def person_field(*, required: bool = False, help_text: str = "人员账号") -> StaffByUsername:
    optional: dict[str, Any] = {} if required else {"default": None, "allow_null": True}
    return StaffByUsername(
        slug_field="user__username", queryset=Staff.objects.select_related("user", "unit"),
        required=required, help_text=help_text, **optional)


class BulkDispatchInput(serializers.Serializer[Any]):
    numbers = serializers.ListField(child=text_field(), min_length=1, max_length=200)
    unit = unit_field()
    assignee = person_field()
    reason = text_field(required=False, allow_blank=True, default="")


class DecideInput(serializers.Serializer[Any]):
    approve = serializers.BooleanField()
    note = text_field(required=False, allow_blank=True, default="")


class RulingInput(serializers.Serializer[Any]):
    unit = unit_field()
    assignee = person_field()
    reason = text_field(allow_blank=True)


class AssistReplyInput(serializers.Serializer[Any]):
    reply = text_field(allow_blank=True)


class ResumeInput(serializers.Serializer[Any]):
    note = text_field(required=False, allow_blank=True, default="")


class SupervisionAnswerInput(serializers.Serializer[Any]):
    answer = text_field(allow_blank=True)


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
