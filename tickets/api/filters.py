"""Query parameters of the ticket API: the list's filters and the reports' time window. A value
the database could not take (a NUL, a time-zone offset or year out of range) is a 400 naming
the parameter, never a 500."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import django_filters
from django import forms
from django.db.models import Q, QuerySet
from django_filters.fields import IsoDateTimeField

from tickets.core.errors import TicketInputError
from tickets.core.moments import MomentRefused, moment_parse, moment_problem
from tickets.core.text import control_character_in, control_character_message
from tickets.models import Ticket, TicketState, Urgency


def _no_control_characters(value: str) -> None:
    if (bad := control_character_in(value)) is not None:
        raise forms.ValidationError(control_character_message(bad))


def _code_characters(value: str) -> None:
    """A unit or channel code: not even tab or line breaks."""
    if (bad := control_character_in(value, strict=True)) is not None:
        raise forms.ValidationError(control_character_message(bad))


class MomentField(IsoDateTimeField):
    """ISO 8601, within what PostgreSQL stores (tickets.core.moments)."""

    def to_python(self, value: Any) -> datetime | None:
        parsed: datetime | None = super().to_python(value)
        if parsed is not None and (problem := moment_problem(parsed)) is not None:
            raise forms.ValidationError(problem)
        return parsed


class MomentFilter(django_filters.IsoDateTimeFilter):
    field_class = MomentField


class TextFilter(django_filters.CharFilter):
    def __init__(self, *args: Any, code: bool = False, **kwargs: Any) -> None:
        check = _code_characters if code else _no_control_characters
        super().__init__(*args, validators=[check], **kwargs)


class TicketFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=TicketState.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    unit = TextFilter(field_name="unit__code", code=True)
    channel = TextFilter(field_name="channel__code", code=True)
    received_after = MomentFilter(field_name="received_at", lookup_expr="gte")
    received_before = MomentFilter(field_name="received_at", lookup_expr="lt")
    q = TextFilter(method="search", label="工单号、标题、内容或地址中的文字")

    class Meta:
        model = Ticket
        fields = ["state", "urgency", "unit", "channel"]

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value)
                               | Q(content__icontains=value) | Q(address__icontains=value))


def moment_param(params: Mapping[str, str], name: str) -> datetime | None:
    """An optional ISO 8601 query parameter (``since``, ``until``); a bad one is a 400 in the
    API's shape, {"code": "invalid", "detail": …, "errors": {name: [reason]}}."""
    value = params.get(name, "")
    if not value:
        return None
    try:
        return moment_parse(value)
    except MomentRefused as refused:
        raise TicketInputError({name: [refused.message]}) from None
