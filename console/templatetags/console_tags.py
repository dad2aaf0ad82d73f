from __future__ import annotations

from typing import Any

from django import template

from tickets.models import TicketState

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{float(value):.0%}"


@register.filter
def state_label(value: str) -> str:

    return str(TicketState(value).label) if value in TicketState.values else value
