from __future__ import annotations

from typing import Any

from django import template

from routing_model.explanation import reason_terms
from tickets.dispatching.duplicates import duplicate_reason_labels
from tickets.models import TicketState
from tickets.services.privacy import MASKED, PersonalDataView

register = template.Library()


@register.filter
def get(mapping: dict[str, Any], key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.filter
def personal(value: object, view: object) -> str:
    """Free text as this person may see it: ``{{ ticket.content|personal:pii }}``, where
    ``pii`` is their tickets.services.privacy.PersonalDataView (every console page has one);
    without it, masked."""
    shown = view if isinstance(view, PersonalDataView) else MASKED
    return shown.text("" if value is None else str(value))


@register.filter
def reasons(terms: object) -> list[str]:
    """The routing terms worth showing as reasons (an older explanation may hold single
    characters, numbers or filler): ``{{ ticket.prediction_explanation.terms|reasons }}``."""
    return reason_terms(terms) if isinstance(terms, list | tuple) else []


@register.filter
def duplicate_reasons(codes: object) -> list[str]:
    """A duplicate candidate's reason codes in words (same_address → 同一地址)."""
    return duplicate_reason_labels(codes)


@register.filter
def percent(value: float | None) -> str:
    return "" if value is None else f"{float(value):.0%}"


@register.filter
def state_label(value: str) -> str:

    return str(TicketState(value).label) if value in TicketState.values else value
