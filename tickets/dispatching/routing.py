"""The tickets side of routing: run the router on a ticket, and give the retrain its truth.

routing_model knows nothing of tickets; this module translates in both directions.
"""

from __future__ import annotations

from typing import Any, cast

from org.models import Unit
from routing_model.serving import RouteRequest, router_predict
from routing_model.training import TrainingSample
from tickets.dispatching.services import auto_threshold, ticket_dispatch_auto, ticket_urgency_decide
from tickets.models import Ruling, RulingState, Ticket, TicketState
from tickets.services.lifecycle import ticket_record_prediction, ticket_triage


def ticket_route_predict(*, ticket: Ticket) -> Ticket:
    """Predict the unit, keep the prediction and its explanation, decide urgency, then assign
    (confident enough, no rule forcing triage) or leave the ticket to the dispatchers with the
    model's shortlist, saying why."""
    prediction = router_predict(RouteRequest(
        title=ticket.title, content=ticket.content, address=ticket.address,
        channel_code=ticket.channel.code, category_l1=ticket.category_l1,
    ))
    unit = Unit.objects.filter(code=prediction.unit).first() if prediction.unit else None
    ticket = ticket_record_prediction(
        ticket=ticket, predicted_unit=unit, confidence=prediction.probability,
        top3=prediction.top3, explanation=prediction.explanation(),
        tokens={"signature": prediction.tokens_signature, "tokens": prediction.tokens},
    )
    if ticket.state != TicketState.RECEIVED:
        return ticket
    ticket = ticket_urgency_decide(ticket=ticket,
                                   model_probability=prediction.urgent_probability)
    if prediction.force_triage:
        rule = cast("dict[str, Any]", prediction.rule)  # force_triage: a rule matched
        reason = f"规则「{rule['name']}」要求人工分拨"
    elif unit is None:
        reason = "模型未给出建议，待人工分拨"
    elif prediction.probability >= auto_threshold(unit=unit):
        return ticket_dispatch_auto(ticket=ticket, unit=unit, probability=prediction.probability)
    else:
        reason = (f"模型建议「{unit.name}」（置信度 {prediction.probability:.0%}，低于自动派单"
                  f"阈值 {auto_threshold(unit=unit):.0%}），待分拨员确认")
    return ticket_triage(ticket=ticket, actor=None, reason=reason)


def ticket_training_samples() -> list[TrainingSample]:
    """Resolved and closed tickets labelled with the unit that finally resolved them (after
    returns, transfers and dispatcher corrections), oldest first; then tickets still in work
    whose unit a supervisor ruled on (审定 is final, so it is a label already)."""
    rows = (Ticket.objects.filter(state__in=[TicketState.RESOLVED, TicketState.CLOSED],
                                  unit__isnull=False, resolved_at__isnull=False)
            .order_by("resolved_at")
            .values_list("title", "content", "address", "unit__code", "resolved_at",
                         "routing_tokens", "urgency"))
    samples = []
    for title, content, address, unit_code, resolved_at, cached, urgency in rows.iterator(
            chunk_size=5000):
        samples.append(TrainingSample(
            text=f"{title}\n{content}", label=unit_code, address=address, at=resolved_at,
            tokens=cached.get("tokens") if cached else None,
            tokens_signature=cached.get("signature", "") if cached else "",
            urgent=urgency == "urgent",
        ))
    ruled = (Ruling.objects.filter(state=RulingState.DECIDED, unit__isnull=False)
             .exclude(ticket__state__in=[TicketState.RESOLVED, TicketState.CLOSED])
             .order_by("decided_at")
             .values_list("ticket__title", "ticket__content", "ticket__address", "unit__code",
                          "decided_at", "ticket__routing_tokens", "ticket__urgency"))
    for title, content, address, unit_code, decided_at, cached, urgency in ruled:
        samples.append(TrainingSample(
            text=f"{title}\n{content}", label=unit_code, address=address, at=decided_at,
            tokens=cached.get("tokens") if cached else None,
            tokens_signature=cached.get("signature", "") if cached else "",
            urgent=urgency == "urgent",
        ))
    return samples
