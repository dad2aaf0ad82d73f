"""The ticket API: list with filters, detail and trail, scoped to what the user may see."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from org.roles import is_district_dispatcher, is_district_supervisor, is_superuser
from sla.extensions import sla_extension_decide
from sla.models import Extension, Supervision, Suspension
from sla.supervision import supervision_answer
from sla.suspensions import sla_suspension_decide, sla_suspension_end
from tickets.api import action_serializers as inputs
from tickets.api.actions import TICKET_ACTIONS, person_of
from tickets.api.filters import TicketFilter, moment_param
from tickets.api.serializers import (
    RevealedPiiSerializer,
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketListSerializer,
)
from tickets.core.selectors import ticket_event_list, ticket_visible_to
from tickets.dispatching import collaboration
from tickets.dispatching import services as dispatching
from tickets.models import AssistTask, ReturnRequest, Ruling, Ticket
from tickets.selectors.reports import dispatch_accuracy_report, satisfaction_report
from tickets.selectors.visible import ticket_rows_visible, ticket_visible_list
from tickets.services.privacy import personal_data_view, ticket_pii_reveal


@extend_schema(tags=["工单 tickets"])
class TicketViewSet(viewsets.ReadOnlyModelViewSet[Ticket]):
    lookup_field = "number"
    # A ticket number is word characters and hyphens: anything else (a NUL, a space) is no
    # ticket, 404 by URL, and never reaches the database.
    lookup_value_regex = r"[\w-]+"
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter

    def get_queryset(self) -> QuerySet[Ticket]:
        tickets = ticket_visible_to(user=self.request.user).order_by("-received_at", "-pk")
        if self.action == "retrieve":
            tickets = tickets.prefetch_related("assisting_units", "duplicate_candidates__original",
                                               "clocks", "supervisions", "extensions",
                                               "suspensions", "assist_tasks__unit")
        return tickets

    def get_serializer_class(self) -> type[TicketListSerializer]:
        return TicketListSerializer if self.action == "list" else TicketDetailSerializer

    @extend_schema(request=inputs.BulkDispatchInput,
                   responses=inputs.BulkOutcomeOutput(many=True), summary="批量分拨派单")
    @action(detail=False, methods=["post"], url_path="dispatch-many", pagination_class=None,
            filter_backends=[])
    def dispatch_many(self, request: Request) -> Response:
        data = inputs.BulkDispatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        person = person_of(request)
        found = {t.number: t for t in ticket_visible_list(user=person, numbers=v["numbers"])}
        outcomes = dispatching.ticket_dispatch_many(
            tickets=[found[n] for n in v["numbers"] if n in found], actor=person,
            unit=v["unit"], assignee=v["assignee"], reason=v["reason"])
        missing = [{"number": n, "ok": False, "error": "找不到该工单"}
                   for n in v["numbers"] if n not in found]
        body = [{"number": o.number, "ok": o.ok, "error": o.error} for o in outcomes] + missing
        return Response(body)

    @extend_schema(responses=TicketEventSerializer(many=True), summary="工单全过程记录")
    @action(detail=True, methods=["get"], pagination_class=None, filter_backends=[])
    def events(self, request: Request, number: str | None = None) -> Response:
        ticket = get_object_or_404(self.get_queryset(), number=number)
        pii = personal_data_view(user=request.user, ticket=ticket)
        serializer = TicketEventSerializer(ticket_event_list(ticket=ticket), many=True,
                                           context={"request": request, "pii": pii})
        return Response(serializer.data)

    @extend_schema(request=None, responses={200: RevealedPiiSerializer, 403: None, 404: None,
                                            409: None},
                   summary="查看诉求人完整电话和身份证号（记入工单全过程）",
                   description="需要 tickets.view_citizen_pii 权限（否则 403）；每次调用都记一条 "
                               "reveal_pii 事件。已匿名化的工单返回 409。")
    @action(detail=True, methods=["post"], url_path="reveal-pii")
    def reveal_pii(self, request: Request, number: str | None = None) -> Response:
        revealed = ticket_pii_reveal(ticket=self.get_object(), actor=person_of(request))
        return Response(RevealedPiiSerializer(revealed).data)


# POST /tickets/{number}/<action>/, one endpoint per catalogue action.
for _name, _endpoint in TICKET_ACTIONS.items():
    setattr(TicketViewSet, _name, _endpoint)


def _ticket_response(ticket: Ticket, request: Request) -> Response:
    return Response(TicketDetailSerializer(ticket, context={"request": request}).data)


class _OnVisibleTickets(viewsets.GenericViewSet[Model]):
    """Rows attached to a ticket, found only among the tickets the user may see (404 else).
    Each action names its input as its serializer_class, which OPTIONS describes."""

    lookup_field = "pk"
    lookup_value_regex = r"[0-9]+"
    row_model: type[Model]

    def get_queryset(self) -> QuerySet[Model]:
        return ticket_rows_visible(user=self.request.user, model=self.row_model)

    def _call(self, request: Request, input_class: type[serializers.Serializer[Any]],
              service: Callable[..., Any], row_name: str) -> Response:
        """Validate the input, call the service on the row, answer with the ticket."""
        data = input_class(data=request.data)
        data.is_valid(raise_exception=True)
        done = service(**{row_name: self.get_object()}, actor=person_of(request),
                       **data.validated_data)
        ticket = done if isinstance(done, Ticket) else Ticket.objects.get(pk=done.ticket_id)
        return _ticket_response(ticket, request)


@extend_schema(tags=["审批 approvals"])
class ReturnRequestViewSet(_OnVisibleTickets):
    row_model = ReturnRequest

    @extend_schema(request=inputs.DecideInput, responses=TicketDetailSerializer,
                   summary="单位负责人审核退单申请")
    @action(detail=True, methods=["post"], serializer_class=inputs.DecideInput)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.DecideInput, collaboration.return_request_decide,
                          "request")


@extend_schema(tags=["审批 approvals"])
class RulingViewSet(_OnVisibleTickets):
    row_model = Ruling

    @extend_schema(request=inputs.RulingInput, responses=TicketDetailSerializer,
                   summary="督办员审定多次退单工单的承办单位（终局）")
    @action(detail=True, methods=["post"], serializer_class=inputs.RulingInput)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.RulingInput, collaboration.ticket_ruling_decide,
                          "ruling")


@extend_schema(tags=["审批 approvals"])
class AssistTaskViewSet(_OnVisibleTickets):
    row_model = AssistTask

    @extend_schema(request=inputs.AssistReplyInput, responses=TicketDetailSerializer,
                   summary="协办单位回复协办事项")
    @action(detail=True, methods=["post"], serializer_class=inputs.AssistReplyInput)
    def reply(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.AssistReplyInput, collaboration.assist_task_reply,
                          "task")


@extend_schema(tags=["审批 approvals"])
class ExtensionViewSet(_OnVisibleTickets):
    row_model = Extension

    @extend_schema(request=inputs.DecideInput, responses=TicketDetailSerializer,
                   summary="单位负责人审批延期申请")
    @action(detail=True, methods=["post"], serializer_class=inputs.DecideInput)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.DecideInput, sla_extension_decide, "extension")


@extend_schema(tags=["审批 approvals"])
class SuspensionViewSet(_OnVisibleTickets):
    row_model = Suspension

    @extend_schema(request=inputs.DecideInput, responses=TicketDetailSerializer,
                   summary="单位负责人审批暂停计时申请")
    @action(detail=True, methods=["post"], serializer_class=inputs.DecideInput)
    def decide(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.DecideInput, sla_suspension_decide, "suspension")

    @extend_schema(request=inputs.ResumeInput, responses=TicketDetailSerializer,
                   summary="恢复计时")
    @action(detail=True, methods=["post"], serializer_class=inputs.ResumeInput)
    def end(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.ResumeInput, sla_suspension_end, "suspension")


@extend_schema(tags=["督办 supervision"])
class SupervisionViewSet(_OnVisibleTickets):
    row_model = Supervision

    @extend_schema(request=inputs.SupervisionAnswerInput, responses=TicketDetailSerializer,
                   summary="被督办单位回复督办单")
    @action(detail=True, methods=["post"], serializer_class=inputs.SupervisionAnswerInput)
    def answer(self, request: Request, pk: str | None = None) -> Response:
        return self._call(request, inputs.SupervisionAnswerInput, supervision_answer,
                          "supervision")


def _report_window(request: Request) -> tuple[datetime, datetime] | None:
    if not (is_superuser(request.user) or is_district_supervisor(request.user)
            or is_district_dispatcher(request.user)):
        return None
    # A time without a zone is read in the district's zone (Asia/Shanghai); a bad one is a 400.
    until = moment_param(request.query_params, "until") or timezone.now()
    since = moment_param(request.query_params, "since") or until - timedelta(days=30)
    return since, until


_WINDOW = [OpenApiParameter("since", OpenApiTypes.DATETIME, description="默认 30 天前"),
           OpenApiParameter("until", OpenApiTypes.DATETIME, description="默认现在")]
_CENTRE_ONLY = {"detail": "只有分拨中心和督查室可以查看"}


@extend_schema(tags=["报表 reports"], parameters=_WINDOW,
               responses=inputs.UnitDispatchStatsOutput(many=True),
               summary="分拨准确率（按首派单位）")
@api_view(["GET"])
def dispatch_accuracy_view(request: Request) -> Response:
    window = _report_window(request)
    if window is None:
        return Response(_CENTRE_ONLY, status=403)
    rows = dispatch_accuracy_report(since=window[0], until=window[1])
    return Response(inputs.UnitDispatchStatsOutput(rows, many=True).data)


@extend_schema(tags=["报表 reports"], parameters=_WINDOW,
               responses=inputs.UnitSatisfactionOutput(many=True), summary="满意率（按承办单位）")
@api_view(["GET"])
def satisfaction_view(request: Request) -> Response:
    window = _report_window(request)
    if window is None:
        return Response(_CENTRE_ONLY, status=403)
    rows = satisfaction_report(since=window[0], until=window[1])
    return Response(inputs.UnitSatisfactionOutput(rows, many=True).data)
