"""One ticket (or a batch) to a unit: topic model + place + rules.

Knows nothing of tickets: it takes text, address, channel and category and returns unit codes.
The caller (tickets.dispatching.routing) stores the result; the dispatch step decides what the
confidence means.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings

from routing_model.gazetteer import Gazetteer, PlaceMatch, gazetteer_get
from routing_model.models import RoutingRule, RuleAction
from routing_model.pipeline import STREET_LABEL, TopicPrediction, router_rows
from routing_model.registry import router_active
from routing_model.segmenter import segmenter_get
from routing_model.text import text_normalise


@dataclass(frozen=True)
class RouteRequest:
    title: str
    content: str
    address: str = ""
    channel_code: str = ""
    category_l1: str = ""


@dataclass
class RoutePrediction:
    unit: str | None  # None: no model and no rule; the ticket needs a person
    probability: float
    top3: list[dict[str, Any]]  # [{"unit": code, "probability": p}], best first
    terms: list[str]
    place: dict[str, str] | None
    rule: dict[str, Any] | None
    force_triage: bool
    model_version: str
    tokens: list[str] = field(default_factory=list)
    tokens_signature: str = ""
    urgent_probability: float | None = None  # the model's P(urgent), if it learnt urgency

    def explanation(self) -> dict[str, Any]:
        """What a dispatcher is shown, and what is kept on the ticket."""
        data = asdict(self)
        for key in ("unit", "probability", "top3", "tokens", "tokens_signature"):
            data.pop(key)
        return data


# --- rules ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rule:
    id: int
    name: str
    keywords: tuple[str, ...]
    category_l1: str
    channel_code: str
    street_unit: str
    action: str
    unit_code: str

    def matches(self, *, text: str, request: RouteRequest, street_unit: str) -> bool:
        return ((not self.keywords or any(k in text for k in self.keywords))
                and (not self.category_l1 or self.category_l1 == request.category_l1)
                and (not self.channel_code or self.channel_code == request.channel_code)
                and (not self.street_unit or self.street_unit == street_unit))


class _RuleCache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.loaded_at = float("-inf")
        self.rules: list[_Rule] = []


_rules = _RuleCache()


def routing_rules_active(*, now: float | None = None) -> list[_Rule]:
    """Active rules, highest priority first; re-read at most every ROUTER_RELOAD_SECONDS."""
    now = time.monotonic() if now is None else now
    if now - _rules.loaded_at >= settings.ROUTER_RELOAD_SECONDS:
        with _rules.lock:
            _rules.rules = [
                _Rule(r.pk, r.name, tuple(k.strip() for k in r.keywords.split("|") if k.strip()),
                      r.category_l1, r.channel_code, r.street_unit, r.action, r.unit_code)
                for r in RoutingRule.objects.filter(active=True).order_by("-priority", "pk")
            ]
            _rules.loaded_at = now
    return _rules.rules


def routing_rules_forget() -> None:
    _rules.loaded_at = float("-inf")


# --- combining --------------------------------------------------------------------------------

def _units_from_topics(prediction: TopicPrediction, match: PlaceMatch | None,
                       gazetteer: Gazetteer) -> list[tuple[str, float]]:
    """Topic probabilities → unit probabilities. A street topic goes to the place's street
    office; with no place known it is split evenly over the streets, which is honest (the
    text alone cannot say which street) and sends the ticket to a dispatcher."""
    units: dict[str, float] = {}
    for label, p in prediction.ranked:
        if label != STREET_LABEL:
            units[label] = units.get(label, 0.0) + p
        elif match is not None:
            units[match.place.street_unit] = units.get(match.place.street_unit, 0.0) + p
        else:
            streets = sorted(gazetteer.street_units)
            for code in streets:
                units[code] = units.get(code, 0.0) + p / len(streets)
    return sorted(units.items(), key=lambda kv: -kv[1])


def router_predict_batch(requests: Sequence[RouteRequest]) -> list[RoutePrediction]:
    gazetteer = gazetteer_get()
    segmenter = segmenter_get()
    loaded = router_active()
    texts = [text_normalise(f"{r.title}\n{r.content}") for r in requests]
    tokens = [segmenter.tokens(t) for t in texts]
    topics: list[TopicPrediction | None] = [None] * len(requests)
    if loaded is not None:
        topics = list(loaded.model.predict(router_rows(tokens=tokens, texts=texts)))
    rules = routing_rules_active()
    out = []
    for request, text, toks, topic in zip(requests, texts, tokens, topics, strict=True):
        match = gazetteer.find(text=text, address=text_normalise(request.address))
        ranked = _units_from_topics(topic, match, gazetteer) if topic else []
        street = match.place.street_unit if match else ""
        rule = next((r for r in rules
                     if r.matches(text=f"{request.title}\n{request.content}", request=request,
                                  street_unit=street)), None)
        unit, probability = ranked[0] if ranked else (None, 0.0)
        if rule is not None and rule.action == RuleAction.ROUTE:
            unit, probability = rule.unit_code, 1.0
        out.append(RoutePrediction(
            unit=unit, probability=round(float(probability), 4),
            top3=[{"unit": u, "probability": round(float(p), 4)} for u, p in ranked[:3]],
            terms=topic.terms if topic else [],
            place=({"street_unit": match.place.street_unit, "street": match.place.street,
                    "community": match.place.community, "matched": match.place.matched,
                    "source": match.source} if match else None),
            rule=({"id": rule.id, "name": rule.name, "action": rule.action} if rule else None),
            force_triage=bool(rule and rule.action == RuleAction.TRIAGE),
            model_version=loaded.version if loaded else "",
            tokens=toks, tokens_signature=segmenter.signature,
            urgent_probability=(round(topic.urgent, 4) if topic and topic.urgent is not None
                                else None),
        ))
    return out


def router_predict(request: RouteRequest) -> RoutePrediction:
    return router_predict_batch([request])[0]
