"""Every catalogue action as a POST endpoint, POST /api/tickets/<number>/<api_path>/. Its input
is built from the entry's fields; it finds the ticket among those the user may see (404
otherwise, so numbers don't leak) and performs the entry, whose service decides who may do
what. It answers with the ticket as it now stands."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, assert_never, cast

from django.contrib.auth.models import User
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.actions.catalogue import CATALOGUE
from tickets.actions.spec import Field, FieldKind, TicketAction
from tickets.api.action_serializers import (
    moment_in_range,
    person_field,
    text_field,
    unit_field,
)
from tickets.api.serializers import TicketDetailSerializer
from tickets.models import Ticket

Endpoint = Callable[..., Response]


def _help(spec: Field) -> str | None:
    """The field's help, with what the wire format needs said (codes, accounts, ISO times)."""
    if spec.kind is FieldKind.UNIT:
        return "；".join(filter(None, ["单位编码", spec.help]))
    if spec.kind is FieldKind.PERSON:
        return "；".join(filter(None, ["人员账号", spec.help]))
    if spec.kind is FieldKind.DATETIME:
        return f"{spec.help}（ISO 8601，含时区）" if spec.help else "ISO 8601，含时区"
    return spec.help or None


def serializer_field(spec: Field) -> serializers.Field[Any, Any, Any, Any]:
    """The DRF field for a catalogue field. An optional text or choice defaults to ""."""
    optional: dict[str, Any] = {} if spec.required else {
        "required": False, "allow_blank": True, "default": ""}
    match spec.kind:
        case FieldKind.VERSION:
            return serializers.IntegerField(required=False, help_text=_help(spec))
        case FieldKind.TEXT | FieldKind.LONG_TEXT | FieldKind.TICKET_NUMBER:
            return text_field(help_text=_help(spec), **(optional or {"allow_blank": spec.blank}))
        case FieldKind.CHOICE:
            return serializers.ChoiceField(choices=list(spec.choices), help_text=_help(spec),
                                           **optional)
        case FieldKind.UNIT:
            return unit_field(required=spec.required, help_text=_help(spec) or "")
        case FieldKind.PERSON:
            return person_field(required=spec.required, help_text=_help(spec) or "")
        case FieldKind.DATETIME:
            return serializers.DateTimeField(required=spec.required, help_text=_help(spec),
                                             validators=[moment_in_range])
        case _:
            assert_never(spec.kind)


def action_input(entry: TicketAction) -> type[serializers.Serializer[Any]]:
    """The entry's input serializer, named after its path (dispatch → DispatchInput), the
    name its schema component gets."""
    name = "".join(part.capitalize() for part in re.split(r"[-_]", entry.api_path)) + "Input"
    fields: dict[str, Any] = {spec.name: serializer_field(spec) for spec in entry.fields}
    return cast("type[serializers.Serializer[Any]]",
                type(name, (serializers.Serializer,), {"__module__": __name__, **fields}))


def person_of(request: Request) -> User:
    """The signed-in caller (the API lets nobody else through)."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated
    return user


def action_endpoint(entry: TicketAction) -> Endpoint:
    input_class = action_input(entry)

    def endpoint(self: viewsets.GenericViewSet[Ticket], request: Request,
                 number: str | None = None) -> Response:
        ticket = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        done = entry.perform(ticket=ticket, actor=person_of(request), values=data.validated_data)
        # Read back as the list and detail views do; a ticket that left the caller's sight
        # (returned, transferred away) is answered as the service left it.
        done = self.get_queryset().filter(pk=done.pk).first() or done
        return Response(TicketDetailSerializer(done, context={"request": request}).data)

    # The router names the route and the method after __name__, read when decorating.
    endpoint.__name__ = endpoint.__qualname__ = entry.api_name
    routed = action(detail=True, methods=["post"], url_path=entry.api_path)(endpoint)
    states = "、".join(entry.states)
    return extend_schema(request=input_class, responses=TicketDetailSerializer,
                         summary=entry.summary,
                         description=f"工单状态（state）为 {states} 时可办理。")(routed)


# View method name → endpoint, one per catalogue entry (tickets/api/views.py attaches them).
TICKET_ACTIONS: dict[str, Endpoint] = {
    entry.api_name: action_endpoint(entry) for entry in CATALOGUE.values()}
