from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet

from tickets.models import Ticket, TicketState, Urgency


class TicketFilter(django_filters.FilterSet):
    state = django_filters.MultipleChoiceFilter(choices=TicketState.choices)
    urgency = django_filters.ChoiceFilter(choices=Urgency.choices)
    unit = django_filters.CharFilter(field_name="unit__code")
    channel = django_filters.CharFilter(field_name="channel__code")
    received_after = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="gte")
    received_before = django_filters.IsoDateTimeFilter(field_name="received_at", lookup_expr="lt")
    q = django_filters.CharFilter(method="search", label="工单号、标题、内容或地址中的文字")

    class Meta:
        model = Ticket
        fields = ["state", "urgency", "unit", "channel"]

    def search(self, queryset: QuerySet[Ticket], name: str, value: str) -> QuerySet[Ticket]:
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(number__iexact=value) | Q(title__icontains=value)
                               | Q(content__icontains=value) | Q(address__icontains=value))
