"""Every ticket action as a POST endpoint. Each endpoint validates its input shape, finds the
ticket among those the user may see (404 otherwise, so numbers don't leak), and calls the same
service the console and the tasks call; the service decides who may do what."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from sla.extensions import sla_extension_request
from sla.supervision import supervision_issue
from sla.suspensions import sla_suspension_request
from tickets.api import action_serializers as inputs
from tickets.api.serializers import TicketDetailSerializer
from tickets.dispatching import collaboration
from tickets.dispatching import services as dispatching
from tickets.models import Ticket
from tickets.services import lifecycle as services

Call = Callable[[Ticket, Any, dict[str, Any]], Ticket]


def ticket_action(
    *, name: str, url_path: str, summary: str, input_class: type[serializers.Serializer], call: Call
) -> Callable[..., Response]:
    def endpoint(self: Any, request: Request, number: str | None = None) -> Response:
        ticket = self.get_object()
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "version" in values:
            ticket.version = values.pop("version")  # optimistic check against what they saw
        done = call(ticket, request.user, values)
        done = self.get_queryset().filter(pk=done.pk).first() or done
        return Response(TicketDetailSerializer(done, context={"request": request}).data)

    # The router names the route and the method after __name__, read when decorating.
    endpoint.__name__ = endpoint.__qualname__ = name
    routed = action(detail=True, methods=["post"], url_path=url_path)(endpoint)
    return extend_schema(request=input_class, responses=TicketDetailSerializer, summary=summary)(
        routed
    )


def _then_ticket(service: Callable[..., object]) -> Call:
    """For services that create a row on the ticket (a request, a task, an order) rather than
    move it: call, then answer with the ticket as it now stands."""
    def call(ticket: Ticket, user: Any, v: dict[str, Any]) -> Ticket:
        service(ticket=ticket, actor=user, **v)
        return Ticket.objects.get(pk=ticket.pk)
    return call


def _merge(ticket: Ticket, user: Any, v: dict[str, Any]) -> Ticket:
    from tickets.core.selectors import ticket_visible_to

    parent = ticket_visible_to(user=user).filter(number=v["parent"]).first()
    if parent is None:
        from tickets.core.errors import TicketInputError

        raise TicketInputError({"parent": [f"找不到主单 {v['parent']}"]}, ticket=ticket)
    return services.ticket_merge(ticket=ticket, actor=user, parent=parent, reason=v["reason"])


TICKET_ACTIONS: dict[str, Callable[..., Response]] = {
    "dispatch_ticket": ticket_action(
        name="dispatch_ticket",
        url_path="dispatch",
        summary="分拨派单（可不指定责任人，按值班表自动选人）",
        input_class=inputs.DispatchInput,
        call=lambda t, u, v: dispatching.ticket_dispatch(ticket=t, actor=u, **v),
    ),
    "reroute": ticket_action(
        name="reroute",
        url_path="reroute",
        summary="改派到其他单位",
        input_class=inputs.RerouteInput,
        call=lambda t, u, v: dispatching.ticket_reroute(ticket=t, actor=u, **v),
    ),
    "reject": ticket_action(
        name="reject",
        url_path="reject",
        summary="作废（无效/骚扰）",
        input_class=inputs.ReasonInput,
        call=lambda t, u, v: services.ticket_reject(ticket=t, actor=u, **v),
    ),
    "merge": ticket_action(
        name="merge",
        url_path="merge",
        summary="作为重复件并入主单",
        input_class=inputs.MergeInput,
        call=_merge,
    ),
    "reassign": ticket_action(
        name="reassign",
        url_path="reassign",
        summary="更换本单位责任人",
        input_class=inputs.ReassignInput,
        call=lambda t, u, v: services.ticket_reassign(ticket=t, actor=u, **v),
    ),
    "contact": ticket_action(
        name="contact",
        url_path="contact",
        summary="记录联系诉求人",
        input_class=inputs.NoteInput,
        call=lambda t, u, v: services.ticket_record_contact(ticket=t, actor=u, **v),
    ),
    "meeting": ticket_action(
        name="meeting",
        url_path="meeting",
        summary="记录约见/到场",
        input_class=inputs.NoteInput,
        call=lambda t, u, v: services.ticket_record_meeting(ticket=t, actor=u, **v),
    ),
    "resolve": ticket_action(
        name="resolve",
        url_path="resolve",
        summary="办结并答复",
        input_class=inputs.ResolveInput,
        call=lambda t, u, v: services.ticket_resolve(ticket=t, actor=u, **v),
    ),
    "follow_up": ticket_action(
        name="follow_up",
        url_path="follow-up",
        summary="回访结果（渠道回传或分拨中心回访）",
        input_class=inputs.FollowUpInput,
        call=lambda t, u, v: services.ticket_follow_up(ticket=t, actor=u, **v),
    ),
    "close_unreasonable": ticket_action(
        name="close_unreasonable",
        url_path="close-unreasonable",
        summary="督办员审定不合理诉求并归档",
        input_class=inputs.ReasonInput,
        call=lambda t, u, v: services.ticket_close_unreasonable(ticket=t, actor=u, **v),
    ),
    "return_request": ticket_action(
        name="return_request",
        url_path="return-request",
        summary="申请退单（单位负责人申请即生效）",
        input_class=inputs.ReturnRequestInput,
        call=_then_ticket(collaboration.ticket_return_request),
    ),
    "assist": ticket_action(
        name="assist",
        url_path="assist",
        summary="增加协办单位及协办事项",
        input_class=inputs.AssistInput,
        call=_then_ticket(collaboration.ticket_assist_add),
    ),
    "extension": ticket_action(
        name="extension",
        url_path="extension",
        summary="申请延期（新的办结时限，待单位负责人审批）",
        input_class=inputs.ExtensionInput,
        call=_then_ticket(sla_extension_request),
    ),
    "suspension": ticket_action(
        name="suspension",
        url_path="suspension",
        summary="申请暂停计时（如联系不上诉求人，待单位负责人审批）",
        input_class=inputs.SuspensionInput,
        call=_then_ticket(sla_suspension_request),
    ),
    "supervise": ticket_action(
        name="supervise",
        url_path="supervise",
        summary="督办员下发督办单（督办/挂牌督办，含回复时限）",
        input_class=inputs.SuperviseInput,
        call=_then_ticket(supervision_issue),
    ),
}
