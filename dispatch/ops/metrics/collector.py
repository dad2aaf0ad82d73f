"""What GET /metrics reports: the queries behind each metric and the collector that renders them.

Every number is read when Prometheus scrapes, from the stores all processes share, so any web
process answers the same. Counters are totals over the stored history (they only drop if rows
are deleted, or when a replayed intake record stops being invalid; Prometheus reads a drop as a
reset). The rendered text is kept METRICS_CACHE_SECONDS in Django's cache, so scrapes by several
Prometheus servers, or of several web servers, cost one set of queries per period.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Sum
from django.db.models.fields.json import KeyTextTransform
from django.utils import timezone
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from dispatch.celery import app
from org.models import ServiceHeartbeat
from routing_model.models import ModelStatus, ModelVersion
from sla.models import Breach, SlaClock
from sla.models.policy import Milestone
from tickets.intake.refusals import intake_refusal_totals
from tickets.models import Channel, EventAction, IntakeOutcome, IntakeRecord, Ticket, TicketEvent
from tickets.models.ticket import TicketState

logger = logging.getLogger(__name__)

# Upper bounds (seconds) of the intake-to-named-person histogram: automatic dispatch lands in
# the first few, a dispatcher's triage in minutes to hours, a night or a weekend in the last.
LATENCY_BUCKETS: tuple[float, ...] = (
    0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800, 3600, 4 * 3600, 24 * 3600,
)
ROUTING_OUTCOMES = {EventAction.ASSIGN: "auto", EventAction.TRIAGE: "triage"}
INVALID_REASONS = ("invalid_json", "invalid_payload")
# A scrape must not hang on a broker that does not answer (Prometheus times out at 10 s).
BROKER_TIMEOUT_SECONDS = 2.0
_CACHE_KEY = "metrics:exposition"


# --- the queries ---------------------------------------------------------------------------------

def tickets_received_by_channel() -> dict[str, int]:
    """Tickets ever created, per channel code; channels without any show 0."""
    codes = dict(Channel.objects.values_list("pk", "code"))
    counts = dict.fromkeys(codes.values(), 0)
    # One GROUP BY; the unique (channel, external_id) index can serve it as an index-only scan.
    for channel_id, n in (Ticket.objects.order_by().values_list("channel_id")
                          .annotate(n=Count("*"))):
        counts[codes.get(channel_id, str(channel_id))] = n
    return counts


def routing_outcome_counts() -> dict[str, int]:
    """Each ticket's first routing decision, from the trail: assigned straight out of
    "received" is auto-dispatch, sent to the triage queue out of "received" is triage. (A ticket
    leaves "received" once, so it is counted once.)"""
    counts = dict.fromkeys(ROUTING_OUTCOMES.values(), 0)
    # Served by the partial index ticketevent_first_routing.
    rows = (TicketEvent.objects.order_by()
            .filter(from_state=TicketState.RECEIVED, action__in=list(ROUTING_OUTCOMES))
            .values_list("action").annotate(n=Count("*")))
    for action, n in rows:
        counts[ROUTING_OUTCOMES[action]] = n
    return counts


@dataclass(frozen=True)
class LatencyHistogram:
    # (upper bound in seconds, tickets at or under it), ascending and cumulative
    buckets: list[tuple[float, int]]
    count: int
    sum_seconds: float


def first_assignment_latency(*, buckets: Sequence[float] = LATENCY_BUCKETS) -> LatencyHistogram:
    """From intake accepting a ticket (created_at) to the first named person holding it
    (first_assigned_at), for every ticket that has had one: one aggregate query."""
    # "At or under the bound" per bucket is already the cumulative count Prometheus expects.
    per_bucket = {
        f"le_{i}": Count("pk", filter=Q(
            first_assigned_at__lte=F("created_at") + timedelta(seconds=bound)))
        for i, bound in enumerate(buckets)
    }
    latency = ExpressionWrapper(F("first_assigned_at") - F("created_at"),
                                output_field=DurationField())
    row = (Ticket.objects.order_by().filter(first_assigned_at__isnull=False)
           .aggregate(total=Count("*"), latency_sum=Sum(latency), **per_bucket))
    total_latency: timedelta | None = row["latency_sum"]
    return LatencyHistogram(
        buckets=[(bound, row[f"le_{i}"]) for i, bound in enumerate(buckets)],
        count=row["total"],
        sum_seconds=total_latency.total_seconds() if total_latency else 0.0,
    )


def sla_warning_counts() -> dict[str, int]:
    """Warnings given, per milestone: clocks whose warned_at the timers claimed."""
    counts = dict.fromkeys(Milestone.values, 0)
    rows = (SlaClock.objects.order_by().filter(warned_at__isnull=False)
            .values_list("milestone").annotate(n=Count("*")))
    counts.update(dict(rows))
    return counts


def sla_breach_counts() -> dict[str, int]:
    """Deadlines missed, per milestone: one Breach row each."""
    counts = dict.fromkeys(Milestone.values, 0)
    counts.update(dict(Breach.objects.order_by().values_list("milestone")
                       .annotate(n=Count("*"))))
    return counts


def intake_invalid_counts() -> dict[str, int]:
    """Stored intake requests that made no ticket (400), per the error code they got."""
    counts = dict.fromkeys(INVALID_REASONS, 0)
    # The partial index intake_outcome_channel holds only the records not accepted.
    rows = (IntakeRecord.objects.order_by().filter(outcome=IntakeOutcome.INVALID)
            .values_list(KeyTextTransform("error", "error_detail")).annotate(n=Count("*")))
    for reason, n in rows:
        key = reason or "invalid"
        counts[key] = counts.get(key, 0) + n
    return counts


def active_router_version() -> str | None:
    return (ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
            .values_list("version", flat=True).first())


def heartbeat_ages(*, now: datetime) -> dict[str, float]:
    """Seconds since each background process last proved it was alive."""
    return {name: (now - seen_at).total_seconds()
            for name, seen_at in ServiceHeartbeat.objects.values_list("name", "seen_at")}


def celery_queue_names() -> list[str]:
    """The queues the app sends to: the default one and every queue named in
    CELERY_TASK_ROUTES or CELERY_TASK_QUEUES, so a new queue is measured once configured."""
    names = {getattr(settings, "CELERY_TASK_DEFAULT_QUEUE", None) or "celery"}
    routes = getattr(settings, "CELERY_TASK_ROUTES", None) or {}
    for table in routes if isinstance(routes, list | tuple) else [routes]:
        if isinstance(table, dict):  # router functions name no queue we could read
            names.update(filter(None, (_queue_name(route) for route in table.values())))
    queues = getattr(settings, "CELERY_TASK_QUEUES", None) or ()
    names.update(filter(None, (_queue_name(q) for q in queues)))
    return sorted(names)


def _queue_name(route: Any) -> str | None:
    """A queue's name from a route ("q", {"queue": "q"} or {"queue": Queue("q")}) or a Queue."""
    if isinstance(route, dict):
        route = route.get("queue")
    if isinstance(route, str):
        return route
    return getattr(route, "name", None)


def celery_queue_depths(*, queues: Iterable[str]) -> dict[str, int] | None:
    """Messages waiting in each queue, asked of the broker (a queue never declared holds 0).
    None when the broker cannot be reached: the rest of the metrics still answer."""
    options: dict[str, Any] = {}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        options = {"socket_connect_timeout": BROKER_TIMEOUT_SECONDS,
                   "socket_timeout": BROKER_TIMEOUT_SECONDS}
    try:
        with app.connection_for_read(connect_timeout=BROKER_TIMEOUT_SECONDS,
                                     transport_options=options) as conn:
            conn.ensure_connection(max_retries=0)  # one attempt, not the worker's retries
            channel = conn.default_channel
            depths: dict[str, int] = {}
            for name in queues:
                try:
                    # kombu's stubs type default_channel as StdChannel, which lacks the
                    # queue_declare every transport's channel has.
                    declared = channel.queue_declare(  # type: ignore[attr-defined]
                        queue=name, passive=True)
                    depths[name] = declared.message_count
                except conn.channel_errors:
                    depths[name] = 0
                    channel = conn.channel()  # AMQP closes a channel on a failed passive declare
            return depths
    except Exception:  # any transport's connection error: report the broker down
        logger.warning("metrics: the Celery broker did not answer", exc_info=True)
        return None


# --- the collector -------------------------------------------------------------------------------

def _counter(name: str, documentation: str, label: str, values: dict[str, int]) -> Metric:
    family = CounterMetricFamily(name, documentation, labels=[label])
    for value, n in sorted(values.items()):
        family.add_metric([value], n)
    return family


def _gauge(name: str, documentation: str, label: str, values: Mapping[str, float]) -> Metric:
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value, n in sorted(values.items()):
        family.add_metric([value], n)
    return family


class DispatchCollector(Collector):
    """Renders the queries above as metric families on each collect()."""

    def collect(self) -> Iterator[Metric]:
        yield _counter("minyi_tickets_received_total",
                       "Tickets created from accepted intake, per channel.",
                       "channel", tickets_received_by_channel())
        yield _counter("minyi_tickets_routed_total",
                       "Each ticket's first routing decision: assigned straight out of received "
                       "(auto) or sent to the dispatchers' triage queue (triage).",
                       "outcome", routing_outcome_counts())
        latency = first_assignment_latency()
        yield HistogramMetricFamily(
            "minyi_ticket_first_assignment_seconds",
            "Seconds from intake accepting a ticket to its first assignment to a named person.",
            buckets=[*((_bound(b), n) for b, n in latency.buckets), ("+Inf", latency.count)],
            sum_value=latency.sum_seconds)
        yield _counter("minyi_sla_warnings_total",
                       "SLA warnings given (a clock reached its warning point), per milestone.",
                       "milestone", sla_warning_counts())
        yield _counter("minyi_sla_breaches_total",
                       "SLA deadlines missed, per milestone.",
                       "milestone", sla_breach_counts())
        yield _counter("minyi_intake_refused_total",
                       "Intake webhook requests refused, per error code: those refused before "
                       "storing anything (4xx) and the stored ones found invalid (400).",
                       "reason", {**intake_refusal_totals(), **intake_invalid_counts()})
        yield from self._broker()
        version = active_router_version()
        info = GaugeMetricFamily("minyi_router_model_info",
                                 "The router model version in service (value always 1).",
                                 labels=["version"])
        if version is not None:
            info.add_metric([version], 1)
        yield info
        yield _gauge("minyi_heartbeat_age_seconds",
                     "Seconds since each background process (beat, workers) last beat.",
                     "name", heartbeat_ages(now=timezone.now()))

    def _broker(self) -> Iterator[Metric]:
        depths = celery_queue_depths(queues=celery_queue_names())
        yield GaugeMetricFamily("minyi_broker_up",
                                "1 if the Celery broker answered this scrape, else 0.",
                                value=0 if depths is None else 1)
        if depths is not None:
            yield _gauge("minyi_celery_queue_depth",
                         "Messages waiting in each Celery queue.", "queue", depths)


def _bound(seconds: float) -> str:
    return str(float(seconds))


def metrics_exposition() -> bytes:
    """The text Prometheus scrapes, from the cache when another scrape made it recently."""
    seconds = settings.METRICS_CACHE_SECONDS
    if seconds > 0:
        try:
            cached: bytes | None = cache.get(_CACHE_KEY)
        except Exception:  # a cache outage costs a fresh collection, not the scrape
            logger.warning("metrics: cache unavailable", exc_info=True)
            cached = None
        if cached is not None:
            return cached
    registry = CollectorRegistry(auto_describe=False)
    registry.register(DispatchCollector())
    text = generate_latest(registry)
    if seconds > 0:
        try:
            cache.set(_CACHE_KEY, text, timeout=seconds)
        except Exception:
            logger.warning("metrics: cache unavailable", exc_info=True)
    return text
