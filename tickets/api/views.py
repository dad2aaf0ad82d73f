"""The ticket API: list with filters, detail and trail, scoped to what the user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from tickets.api.filters import TicketFilter
from tickets.api.serializers import (
    TicketDetailSerializer,
    TicketEventSerializer,
    TicketListSerializer,
)
from tickets.models import Ticket
from tickets.selectors import ticket_event_list, ticket_visible_to


@extend_schema(tags=["工单 tickets"])
class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_field = "number"
    filter_backends = [DjangoFilterBackend]
    filterset_class = TicketFilter

    def get_queryset(self) -> QuerySet[Ticket]:
        tickets = ticket_visible_to(user=self.request.user).order_by("-received_at", "-pk")
        if self.action == "retrieve":
            tickets = tickets.prefetch_related("assisting_units", "duplicate_candidates__original")
        return tickets

    def get_serializer_class(self) -> type:
        return TicketListSerializer if self.action == "list" else TicketDetailSerializer

    @extend_schema(responses=TicketEventSerializer(many=True), summary="工单全过程记录")
    @action(detail=True, methods=["get"])
    def events(self, request: Request, number: str | None = None) -> Response:
        ticket = get_object_or_404(self.get_queryset(), number=number)
        serializer = TicketEventSerializer(ticket_event_list(ticket=ticket), many=True)
        return Response(serializer.data)
