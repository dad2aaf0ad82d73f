"""The SLA figures supervisors judge units by, computed in the database.

**Which tickets.** A period selects the tickets *received* in it (受理时间, whole days in
Asia/Shanghai); every figure is about those tickets, so each number links to the tickets behind
it (``report_tickets``). A merged duplicate (合并) is not a ticket of its own: it is counted
once, in its main ticket, and apart as ``merged``.

**Whose.** A ticket's figures belong to the unit holding it now (承办单位); a clock's to the
unit that held the ticket while it ran (after a transfer the new unit's clock is the new unit's);
a supervision order to the unit it was issued to; an assisting task to the assisting unit.
Filtering by a unit applies the same rule, so a unit's row and the unit filter agree.

**On time.** Each clock of a milestone (contact ≤ 10 min, meeting ≤ 30 min, resolution by its
policy) is judged once it has stopped or its deadline has passed: on time when it stopped at or
before its deadline (exactly at the limit is on time). Deadlines already include suspended time
and approved extensions (sla.clocks), and a milestone recorded while suspended counts from the
pause, so suspended time never counts against a unit. A clock
cancelled by a transfer is not judged (the next unit's clock is); a reopened ticket's milestones
start over and are judged again. 响应率 is the contact rate, 解决率 resolved ÷ received
(rejected tickets left out), 满意率 (满意 + 基本满意) ÷ rated follow-ups, where a rating a
supervisor ruled an unreasonable demand is counted apart.

**Handling time** is received → resolved of resolved tickets, in calendar days and in working
days (the working minutes the resolve stored, ÷ a working day's minutes).
"""

from __future__ import annotations

import time as wallclock
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol, cast

import numpy
from django.conf import settings
from django.db import connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import (
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import TruncDate, TruncDay, TruncMonth, TruncWeek
from django.db.models.sql.compiler import SQLCompiler
from django.utils import timezone

from org.calendar import working_hours_parse
from org.models import Unit
from reports.kept import settled_days_stale
from reports.models import SettledDay, SettledDayUnit
from reports.periods import Granularity, Period, Spans, bucket_label, period_of, spans_of
from reports.scope import ReportFilters
from sla.models import (
    ClockState,
    Extension,
    ExtensionState,
    Milestone,
    SlaClock,
    Supervision,
    SupervisionLevel,
    SupervisionState,
    Suspension,
    SuspensionState,
)
from tickets.models import (
    OPEN_STATES,
    AssistTask,
    FollowUpState,
    FollowUpTask,
    Satisfaction,
    Ticket,
    TicketState,
)

MILESTONES = (Milestone.CONTACT, Milestone.MEET, Milestone.RESOLVE)
SECONDS_DTYPE, WORKING_DTYPE = "<f8", "<i8"  # kept handling values (SettledDayUnit)


class Received(Protocol):
    """Whose tickets a query counts (a Period, Spans, SettledTickets or LiveTickets)."""

    def received_q(self, prefix: str = "") -> Q: ...

DAY_SECONDS = 86400


# --- the figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rate:
    hits: int
    total: int

    @property
    def value(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass(frozen=True)
class Figures:
    """Everything a report says about one group of tickets (a unit, a day, a whole period)."""

    received: int = 0
    rejected: int = 0
    merged: int = 0
    resolved: int = 0
    open: int = 0
    overdue_now: int = 0
    contact: Rate = Rate(0, 0)
    meet: Rate = Rate(0, 0)
    resolve: Rate = Rate(0, 0)
    handling_days_avg: float | None = None
    handling_days_median: float | None = None
    working_days_avg: float | None = None
    working_days_median: float | None = None
    extensions: int = 0
    suspensions: int = 0
    returns: int = 0
    transfers: int = 0
    reopenings: int = 0
    supervisions: int = 0
    supervisions_district: int = 0
    supervisions_listed: int = 0
    supervisions_answered: int = 0
    supervisions_answered_on_time: int = 0
    supervisions_overdue_open: int = 0
    satisfied: int = 0
    basically_satisfied: int = 0
    unsatisfied: int = 0
    unreasonable: int = 0  # unsatisfied, ruled an unreasonable demand: counted apart
    dispatched: int = 0  # handed to a unit at least once
    auto_dispatched: int = 0
    stayed: int = 0  # still with the first unit it was handed to
    assist_tasks: int = 0
    assist_late: int = 0

    @property
    def response_rate(self) -> float | None:  # 响应率
        return self.contact.value

    @property
    def resolution_rate(self) -> float | None:  # 解决率
        base = self.received - self.rejected
        return self.resolved / base if base else None

    @property
    def rated(self) -> int:
        return self.satisfied + self.basically_satisfied + self.unsatisfied

    @property
    def satisfaction_rate(self) -> float | None:  # 满意率
        return (self.satisfied + self.basically_satisfied) / self.rated if self.rated else None

    @property
    def over_limit_share(self) -> float | None:
        """Share of resolution deadlines missed (超期率)."""
        return 1 - self.resolve.value if self.resolve.value is not None else None

    @property
    def auto_share(self) -> float | None:
        return self.auto_dispatched / self.dispatched if self.dispatched else None

    @property
    def stayed_share(self) -> float | None:
        return self.stayed / self.dispatched if self.dispatched else None

    @property
    def supervision_on_time_rate(self) -> float | None:
        answered = Rate(self.supervisions_answered_on_time,
                        self.supervisions_answered + self.supervisions_overdue_open)
        return answered.value

    def rate_of(self, name: str) -> float | None:
        value = getattr(self, name)
        return value.value if isinstance(value, Rate) else value


@dataclass(frozen=True)
class UnitRow:
    unit: Unit | None  # None: tickets not (yet) handed to any unit
    figures: Figures
    score: float | None = None
    rank: int | None = None

    @property
    def name(self) -> str:
        return self.unit.name if self.unit else "未派单"

    @property
    def code(self) -> str:
        return self.unit.code if self.unit else ""


@dataclass(frozen=True)
class TrendRow:
    period: Period
    label: str
    figures: Figures


@dataclass(frozen=True)
class Report:
    period: Period
    filters: ReportFilters
    summary: Figures
    units: list[UnitRow]
    generated_at: datetime
    seconds: float = 0.0

    @property
    def ranking(self) -> list[UnitRow]:
        """考核排名: units with a score, best first."""
        return sorted((row for row in self.units if row.rank is not None),
                      key=lambda row: row.rank or 0)


@dataclass(frozen=True)
class Trend:
    period: Period
    filters: ReportFilters
    granularity: Granularity
    rows: list[TrendRow] = field(default_factory=list)


@dataclass(frozen=True)
class Change:
    label: str
    name: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def relative(self) -> float | None:
        if self.delta is None or not self.before:
            return None
        return self.delta / self.before


@dataclass(frozen=True)
class Comparison:
    before: Report
    after: Report
    changes: list[Change]


# What a comparison sets side by side (the form in which the district states "15 → 8 days").
COMPARED = (
    ("received", "受理量"),
    ("handling_days_avg", "平均办理天数（自然日）"),
    ("handling_days_median", "办理天数中位数（自然日）"),
    ("working_days_avg", "平均办理天数（工作日）"),
    ("over_limit_share", "超期率"),
    ("response_rate", "响应率（按时联系）"),
    ("resolution_rate", "解决率"),
    ("satisfaction_rate", "满意率"),
    ("auto_share", "自动派单占比"),
)


# --- database expressions ---------------------------------------------------------------------


class SecondsBetween(Func):
    """``end - start`` in seconds, as a float, on PostgreSQL and SQLite."""

    output_field = FloatField()

    def __init__(self, end: str, start: str) -> None:
        super().__init__(F(end), F(start))

    def as_postgresql(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper,
                      **extra_context: Any) -> tuple[str, tuple[str | int, ...]]:
        sql, params = self.as_sql(compiler, connection,
                                  template="EXTRACT(EPOCH FROM (%(expressions)s))",
                                  arg_joiner=" - ", **extra_context)
        return sql, tuple(params)

    def as_sqlite(self, compiler: SQLCompiler, connection: BaseDatabaseWrapper,
                  **extra_context: Any) -> tuple[str, tuple[str | int, ...]]:
        sql, params = self.as_sql(compiler, connection,
                                  template="((julianday(%(expressions)s)) * 86400.0)",
                                  arg_joiner=") - julianday(", **extra_context)
        return sql, tuple(params)


def working_day_minutes() -> int:
    """A working day's minutes under SLA_WORKING_HOURS (09:00-12:00,14:00-18:00: 420)."""
    total = 0
    for begin, end in working_hours_parse(settings.SLA_WORKING_HOURS):
        total += (end.hour * 60 + end.minute) - (begin.hour * 60 + begin.minute)
    return total


def _bucket(granularity: Granularity, path: str) -> Func:
    trunc = {Granularity.DAY: TruncDay, Granularity.WEEK: TruncWeek,
             Granularity.MONTH: TruncMonth}[granularity]
    return trunc(path, tzinfo=timezone.get_current_timezone())


# --- the cohort -------------------------------------------------------------------------------


def _cohort(*, period: Received, filters: ReportFilters, prefix: str = "",
            with_unit: bool = True, merged: bool = False) -> Q:
    """Tickets received in the period that pass the filters (``prefix``: the path from a
    related row to its ticket, e.g. ``ticket__``). ``with_unit=False`` leaves the unit filter
    to the caller, whose rows have their own unit; ``merged=True``: the merged duplicates
    instead, counted apart."""
    q: Q = period.received_q(prefix)
    is_merged = Q(**{f"{prefix}state": TicketState.MERGED})
    q &= is_merged if merged else ~is_merged
    if filters.channel:
        q &= Q(**{f"{prefix}channel__code": filters.channel})
    if filters.category:
        q &= Q(**{f"{prefix}category_l1": filters.category})
    if filters.urgency:
        q &= Q(**{f"{prefix}urgency": filters.urgency})
    if filters.street is not None:
        q &= Q(**{f"{prefix}street_id": filters.street.pk})
    if with_unit and filters.unit is not None:
        q &= Q(**{f"{prefix}unit_id": filters.unit.pk})
    return q


def _overdue_clock(now: datetime) -> Exists:
    return Exists(SlaClock.objects.filter(ticket_id=OuterRef("pk"), state=ClockState.RUNNING,
                                          paused_at__isnull=True, due_at__lt=now))


def _judged(now: datetime) -> Q:
    """A clock that has a verdict: stopped, or running (not paused) past its deadline."""
    return Q(state=ClockState.MET) | Q(state=ClockState.RUNNING, paused_at__isnull=True,
                                        due_at__lt=now)


def _on_time() -> Q:
    # The clock's own verdict (sla.clocks): late_minutes counts from the pause when the
    # milestone was recorded during a suspension, and is 0 exactly at the limit.
    return Q(state=ClockState.MET, late_minutes=0)


# --- aggregation ------------------------------------------------------------------------------
#
# Every query groups by (unit, bucket) at once: the unit table sums over buckets, the trend over
# units, the period over both, so the dashboard reads each kind of row once. Medians do not sum:
# one more query computes them for each unit, each bucket and the period (GROUPING SETS).

Raw = dict[str, Any]
GroupKey = tuple[int | None, date | None]
ALL = "all"  # a median over every unit or every bucket


@dataclass(frozen=True)
class Paths:
    """Where a kind of row finds its unit and its ticket's received time."""

    unit: str
    received: str


TICKET = Paths("unit_id", "received_at")
OWN_UNIT = Paths("unit_id", "ticket__received_at")  # clocks, supervision orders, assist tasks
TICKET_UNIT = Paths("ticket__unit_id", "ticket__received_at")  # extensions, follow-ups, ...


def _day_of(value: Any) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return cast(date, value)


def _aggregate(qs: QuerySet[Any], paths: Paths, granularity: Granularity | None,
               **aggregates: Any) -> dict[GroupKey, Raw]:
    """One query: {(unit id, bucket's first day): {name: value}}."""
    keys: dict[str, Any] = {"u": F(paths.unit)}
    if granularity is not None:
        keys["b"] = _bucket(granularity, paths.received)
    out: dict[GroupKey, Raw] = {}
    for row in qs.values(**keys).annotate(**aggregates).order_by():
        out[(row.pop("u"), _day_of(row.pop("b", None)))] = row
    return out


def _ticket_counts(*, period: Received, filters: ReportFilters, now: datetime,
                   granularity: Granularity | None) -> dict[GroupKey, Raw]:
    tickets = Ticket.objects.filter(_cohort(period=period, filters=filters))
    seconds = SecondsBetween("resolved_at", "received_at")
    resolved = Q(resolved_at__isnull=False)
    return _aggregate(
        tickets, TICKET, granularity,
        received=Count("pk"),
        rejected=Count("pk", filter=Q(state=TicketState.REJECTED)),
        resolved=Count("pk", filter=resolved),
        open=Count("pk", filter=Q(state__in=OPEN_STATES)),
        overdue_now=Count("pk", filter=Q(state__in=OPEN_STATES) & Q(_overdue_clock(now))),
        handling_seconds=Sum(seconds, filter=resolved),
        working_minutes=Sum("handling_working_minutes", filter=resolved),
        working_count=Count("pk", filter=resolved & Q(handling_working_minutes__isnull=False)),
        returns=Sum("return_count"),
        transfers=Sum("transfer_count"),
        reopenings=Sum("reopen_count"),
        dispatched=Count("pk", filter=Q(first_unit__isnull=False)),
        auto_dispatched=Count("pk", filter=Q(auto_dispatched=True)),
        stayed=Count("pk", filter=Q(first_unit__isnull=False, unit_id=F("first_unit_id"))),
    )


def _merged_count(*, period: Received, filters: ReportFilters,
                  granularity: Granularity | None) -> dict[GroupKey, Raw]:
    merged = Ticket.objects.filter(_cohort(period=period, filters=filters, merged=True))
    return _aggregate(merged, TICKET, granularity, merged=Count("pk"))


def _clock_counts(*, period: Received, filters: ReportFilters, now: datetime,
                  granularity: Granularity | None) -> dict[GroupKey, Raw]:
    clocks = SlaClock.objects.filter(_cohort(period=period, filters=filters, prefix="ticket__",
                                             with_unit=False), milestone__in=MILESTONES)
    if filters.unit is not None:
        clocks = clocks.filter(unit_id=filters.unit.pk)
    aggregates: dict[str, Any] = {}
    for m in MILESTONES:
        aggregates[f"{m}_judged"] = Count("pk", filter=Q(milestone=m) & _judged(now))
        aggregates[f"{m}_on_time"] = Count("pk", filter=Q(milestone=m) & _on_time())
    return _aggregate(clocks, OWN_UNIT, granularity, **aggregates)


def _row_counts(*, model: type[Any], paths: Paths, period: Received, filters: ReportFilters,
                granularity: Granularity | None, where: Q,
                **aggregates: Any) -> dict[GroupKey, Raw]:
    rows = model.objects.filter(_cohort(period=period, filters=filters, prefix="ticket__",
                                        with_unit=False), where)
    if filters.unit is not None:
        rows = rows.filter(**{paths.unit: filters.unit.pk})
    return _aggregate(rows, paths, granularity, **aggregates)


def _side_counts(*, period: Received, filters: ReportFilters, now: datetime,
                 granularity: Granularity | None) -> list[dict[GroupKey, Raw]]:
    """Rows around the tickets: extensions and suspensions (the ticket's unit), supervision
    orders (the unit ordered), follow-up ratings (the ticket's unit), assisting tasks (the
    assisting unit)."""
    answered = Q(state=SupervisionState.ANSWERED)
    late_assist = (Q(breached_at__isnull=False)
                   | Q(replied_at__isnull=False, reply_due_at__isnull=False,
                       replied_at__gt=F("reply_due_at")))
    common: dict[str, Any] = {"period": period, "filters": filters, "granularity": granularity}
    return [
        _row_counts(model=Extension, paths=TICKET_UNIT, where=Q(state=ExtensionState.APPROVED),
                    extensions=Count("pk"), **common),
        _row_counts(model=Suspension, paths=TICKET_UNIT,
                    where=Q(state__in=[SuspensionState.ACTIVE, SuspensionState.ENDED]),
                    suspensions=Count("pk"), **common),
        _row_counts(
            model=Supervision, paths=OWN_UNIT, where=Q(),
            supervisions=Count("pk"),
            supervisions_district=Count("pk", filter=Q(level=SupervisionLevel.DISTRICT)),
            supervisions_listed=Count("pk", filter=Q(level=SupervisionLevel.LISTED)),
            supervisions_answered=Count("pk", filter=answered),
            supervisions_answered_on_time=Count(
                "pk", filter=answered & Q(answered_at__lte=F("reply_due_at"))),
            supervisions_overdue_open=Count(
                "pk", filter=Q(state=SupervisionState.OPEN, reply_due_at__lt=now)),
            **common),
        _row_counts(
            model=FollowUpTask, paths=TICKET_UNIT, where=Q(state=FollowUpState.DONE),
            satisfied=Count("pk", filter=Q(satisfaction=Satisfaction.SATISFIED)),
            basically_satisfied=Count("pk",
                                      filter=Q(satisfaction=Satisfaction.BASICALLY_SATISFIED)),
            unsatisfied=Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED,
                                             ticket__satisfaction_excluded=False)),
            unreasonable=Count("pk", filter=Q(satisfaction=Satisfaction.UNSATISFIED,
                                              ticket__satisfaction_excluded=True)),
            **common),
        _row_counts(model=AssistTask, paths=OWN_UNIT, where=Q(), assist_tasks=Count("pk"),
                    assist_late=Count("pk", filter=late_assist), **common),
    ]


class HandlingTimes:
    """Handling seconds and working minutes of resolved tickets, gathered for the medians
    (which do not sum) per unit (key (unit, ALL)), per bucket ((ALL, bucket's first day)) and
    for the period ((ALL, ALL)); kept as numpy arrays, joined once, medians exact."""

    def __init__(self, granularity: Granularity | None) -> None:
        self.granularity = granularity
        self.found: dict[tuple[Any, Any], tuple[list[Any], list[Any]]] = defaultdict(
            lambda: ([], []))
        self._first_of: dict[date, date] = {}

    def add(self, *, unit: int | None, day: date, seconds: Any, working: Any) -> None:
        """``seconds``, ``working``: numpy arrays (or sequences) of one unit and day."""
        keys: list[tuple[Any, Any]] = [(unit, ALL), (ALL, ALL)]
        if self.granularity is not None:
            if day not in self._first_of:
                self._first_of[day] = period_of(granularity=self.granularity, day=day).first
            keys.append((ALL, self._first_of[day]))
        for key in keys:
            self.found[key][0].append(seconds)
            self.found[key][1].append(working)

    def medians(self) -> dict[tuple[Any, Any], Raw]:
        def median(parts: list[Any]) -> float | None:
            values = numpy.concatenate([numpy.asarray(p, dtype=float) for p in parts])
            return float(numpy.median(values)) if values.size else None

        return {key: {"median_seconds": median(s), "median_working": median(w)}
                for key, (s, w) in self.found.items()}


def handling_pack(values: list[float] | list[int], *, dtype: str) -> bytes:
    return numpy.asarray(values, dtype=dtype).tobytes()


def handling_unpack(data: bytes | memoryview, *, dtype: str) -> Any:
    return numpy.frombuffer(bytes(data), dtype=dtype)


def _handling_by_day(*, period: Received, filters: ReportFilters
                     ) -> dict[tuple[int | None, date], tuple[list[float], list[int]]]:
    """The handling times of the resolved tickets per (unit, received day)."""
    tickets = Ticket.objects.filter(_cohort(period=period, filters=filters),
                                    resolved_at__isnull=False)
    rows = (tickets.annotate(d=TruncDate("received_at", tzinfo=timezone.get_current_timezone()),
                             s=SecondsBetween("resolved_at", "received_at"))
            .values_list("unit_id", "d", "s", "handling_working_minutes").order_by())
    found: dict[tuple[int | None, date], tuple[list[float], list[int]]] = defaultdict(
        lambda: ([], []))
    for unit, day, seconds, working in rows:
        found[(unit, day)][0].append(float(seconds))
        if working is not None:
            found[(unit, day)][1].append(working)
    return found


def _collect(*, period: Received, filters: ReportFilters, now: datetime,
             granularity: Granularity | None) -> dict[GroupKey, Raw]:
    """Raw counts per (unit, bucket), from one query per kind of row (eight in all)."""
    parts: list[dict[GroupKey, Raw]] = [
        _ticket_counts(period=period, filters=filters, now=now, granularity=granularity),
        _merged_count(period=period, filters=filters, granularity=granularity),
        _clock_counts(period=period, filters=filters, now=now, granularity=granularity),
        *_side_counts(period=period, filters=filters, now=now, granularity=granularity),
    ]
    merged: dict[GroupKey, Raw] = defaultdict(dict)
    for part in parts:
        for key, row in part.items():
            merged[key].update(row)
    return merged


@dataclass(frozen=True)
class SettledTickets:
    """The tickets of these days already counted in the kept sums (``report_settled``)."""

    days: Spans

    def received_q(self, prefix: str = "") -> Q:
        return self.days.received_q(prefix) & Q(**{f"{prefix}report_settled": True})


@dataclass(frozen=True)
class LiveTickets:
    """What a report counts live: every ticket of the days without (fresh) kept sums, and the
    tickets of kept days that are not in them."""

    unkept: Spans
    kept: Spans

    def received_q(self, prefix: str = "") -> Q:
        return self.unkept.received_q(prefix) | (
            self.kept.received_q(prefix) & Q(**{f"{prefix}report_settled": False}))


def report_day_sums(*, period: SettledTickets, now: datetime) -> dict[GroupKey, Raw]:
    """Every figure's sums per (unit, received day) over the whole district's settled
    tickets of these days, with each (unit, day)'s handling values for the medians: what
    reports.settled keeps."""
    with _analytic_session():
        sums = _collect(period=period, filters=ReportFilters(), now=now,
                        granularity=Granularity.DAY)
        for key, (seconds, working) in _handling_by_day(period=period,
                                                        filters=ReportFilters()).items():
            # Beside the sums (handling_seconds is one): the values themselves, for medians.
            sums[key]["median_values"] = (seconds, working)
    return dict(sums)


def _settled(*, period: Period, filters: ReportFilters, granularity: Granularity | None
             ) -> tuple[set[date], dict[GroupKey, Raw], HandlingTimes]:
    """The period's settled days and their kept sums per (unit, bucket), when the filters
    allow (kept sums are per unit and day only: another filter counts everything live)."""
    times = HandlingTimes(granularity)
    if filters.channel or filters.category or filters.urgency or filters.street is not None:
        return set(), {}, times
    kept = dict(SettledDay.objects.filter(day__gte=period.first, day__lte=period.last)
                .values_list("day", "events_upto"))
    # A kept day one of whose tickets moved since counts live until it is summed anew.
    days = set(kept) - settled_days_stale(days=kept)
    rows = SettledDayUnit.objects.filter(day__in=days)
    if filters.unit is not None:
        rows = rows.filter(unit_id=filters.unit.pk)
    sums: dict[GroupKey, Raw] = defaultdict(dict)
    first_of: dict[date, date | None] = {}
    for unit_id, day, counts, seconds, working in rows.values_list(
            "unit_id", "day_id", "counts", "handling_seconds", "handling_working"):
        if day not in first_of:
            first_of[day] = (period_of(granularity=granularity, day=day).first
                             if granularity is not None else None)
        target = sums[(unit_id, first_of[day])]
        times.add(unit=unit_id, day=day,
                  seconds=handling_unpack(seconds, dtype=SECONDS_DTYPE),
                  working=handling_unpack(working, dtype=WORKING_DTYPE))
        for name, value in counts.items():
            if value is not None:
                target[name] = target.get(name, 0) + value
    return days, sums, times


def _total(rows: Iterable[Raw]) -> Raw:
    total: Raw = {}
    for row in rows:
        for name, value in row.items():
            if value is not None:
                total[name] = total.get(name, 0) + value
    return total


def _figures(parts: Iterable[Raw | None]) -> Figures:
    raw: Raw = {}
    for part in parts:
        for name, value in (part or {}).items():
            raw[name] = value
    minutes_per_day = working_day_minutes()

    def n(name: str) -> int:
        return int(raw.get(name) or 0)

    resolved = n("resolved")
    seconds = raw.get("handling_seconds")
    working = raw.get("working_minutes")
    median_seconds = raw.get("median_seconds")
    median_working = raw.get("median_working")
    return Figures(
        received=n("received"), rejected=n("rejected"), merged=n("merged"), resolved=resolved,
        open=n("open"), overdue_now=n("overdue_now"),
        contact=Rate(n("contact_on_time"), n("contact_judged")),
        meet=Rate(n("meet_on_time"), n("meet_judged")),
        resolve=Rate(n("resolve_on_time"), n("resolve_judged")),
        handling_days_avg=(float(seconds) / resolved / DAY_SECONDS
                           if resolved and seconds is not None else None),
        handling_days_median=(float(median_seconds) / DAY_SECONDS
                              if median_seconds is not None else None),
        working_days_avg=(float(working) / n("working_count") / minutes_per_day
                          if n("working_count") and working is not None else None),
        working_days_median=(float(median_working) / minutes_per_day
                             if median_working is not None else None),
        extensions=n("extensions"), suspensions=n("suspensions"), returns=n("returns"),
        transfers=n("transfers"), reopenings=n("reopenings"),
        supervisions=n("supervisions"), supervisions_district=n("supervisions_district"),
        supervisions_listed=n("supervisions_listed"),
        supervisions_answered=n("supervisions_answered"),
        supervisions_answered_on_time=n("supervisions_answered_on_time"),
        supervisions_overdue_open=n("supervisions_overdue_open"),
        satisfied=n("satisfied"), basically_satisfied=n("basically_satisfied"),
        unsatisfied=n("unsatisfied"), unreasonable=n("unreasonable"),
        dispatched=n("dispatched"), auto_dispatched=n("auto_dispatched"), stayed=n("stayed"),
        assist_tasks=n("assist_tasks"), assist_late=n("assist_late"),
    )


# --- the selectors ----------------------------------------------------------------------------


def _score(figures: Figures) -> float | None:
    """考核得分 (0–100): REPORT_SCORE_WEIGHTS over the rates a unit has; weights of missing
    rates are left out and the rest scaled up, so a unit is not marked down for what it had
    no occasion to do."""
    total = weight_sum = 0.0
    for name, weight in settings.REPORT_SCORE_WEIGHTS.items():
        value = figures.rate_of(name)
        if value is None:
            continue
        total += weight * value
        weight_sum += weight
    return round(100 * total / weight_sum, 2) if weight_sum else None


def _ranked(rows: list[UnitRow]) -> list[UnitRow]:
    scored = sorted((r for r in rows if r.score is not None and r.unit is not None),
                    key=lambda r: (-(r.score or 0), -r.figures.received, r.code))
    ranks = {id(r): i for i, r in enumerate(scored, start=1)}
    return [UnitRow(r.unit, r.figures, r.score, ranks.get(id(r))) for r in rows]


@contextmanager
def _analytic_session() -> Iterator[None]:
    """PostgreSQL settings for this transaction only (SET LOCAL): no JIT, whose compilation of
    these wide aggregates cost more than running them (2.7 s against 1.3 s at 100,000
    tickets), and room to sort and hash in memory instead of temporary files."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
            cursor.execute("SET LOCAL work_mem = %s", [settings.REPORT_WORK_MEM])
    yield


def report_dashboard(*, period: Period, filters: ReportFilters,
                     granularity: Granularity | None,
                     now: datetime | None = None) -> tuple[Report, Trend | None]:
    """The summary, the per-unit table with the ranking, and the trend per day, week or month
    (``None``: no trend), from one pass over each kind of row."""
    began = wallclock.perf_counter()
    now = now or timezone.now()
    with transaction.atomic(), _analytic_session():
        settled_days, raw, times = _settled(period=period, filters=filters,
                                            granularity=granularity)
        every_day = [period.first + timedelta(days=i) for i in range(period.days)]
        live = LiveTickets(unkept=spans_of([d for d in every_day if d not in settled_days]),
                           kept=spans_of([d for d in every_day if d in settled_days]))
        # Every day's unsettled tickets count live (a kept day's too).
        for key, row in _collect(period=live, filters=filters, now=now,
                                 granularity=granularity).items():
            target = raw.setdefault(key, {})
            for name, value in row.items():
                if value is not None:
                    target[name] = target.get(name, 0) + value
        for (unit, received), (seconds, working) in _handling_by_day(
                period=live, filters=filters).items():
            times.add(unit=unit, day=received, seconds=seconds, working=working)
    medians = times.medians()
    by_unit: dict[int | None, list[Raw]] = defaultdict(list)
    by_bucket: dict[date | None, list[Raw]] = defaultdict(list)
    for (unit_id, day), row in raw.items():
        by_unit[unit_id].append(row)
        by_bucket[day].append(row)
    units = Unit.objects.in_bulk([k for k in by_unit if k is not None])
    rows = []
    for unit_id, parts in by_unit.items():
        figures = _figures([_total(parts), medians.get((unit_id, ALL))])
        rows.append(UnitRow(units.get(unit_id) if unit_id is not None else None, figures,
                            _score(figures)))
    rows.sort(key=lambda r: (r.unit is None, r.code))
    summary = _figures([_total(raw.values()), medians.get((ALL, ALL))])
    trend = None
    if granularity is not None:
        trend_rows: list[TrendRow] = []
        day = period.first
        while day <= period.last:
            bucket = period_of(granularity=granularity, day=day)
            figures = _figures([_total(by_bucket.get(bucket.first, [])),
                                medians.get((ALL, bucket.first))])
            clipped = Period(max(bucket.first, period.first), min(bucket.last, period.last))
            trend_rows.append(TrendRow(
                clipped, bucket_label(granularity=granularity, start=bucket.first), figures))
            day = bucket.last + timedelta(days=1)
        trend = Trend(period=period, filters=filters, granularity=granularity, rows=trend_rows)
    report = Report(period=period, filters=filters, summary=summary, units=_ranked(rows),
                    generated_at=now, seconds=wallclock.perf_counter() - began)
    return report, trend


def report_build(*, period: Period, filters: ReportFilters,
                 now: datetime | None = None) -> Report:
    """The summary and the per-unit table (with the ranking) for a period."""
    return report_dashboard(period=period, filters=filters, granularity=None, now=now)[0]


def report_trend(*, period: Period, filters: ReportFilters, granularity: Granularity,
                 now: datetime | None = None) -> Trend:
    """The same figures per day, week or month of the period (buckets by 受理时间)."""
    trend = report_dashboard(period=period, filters=filters, granularity=granularity,
                             now=now)[1]
    assert trend is not None  # a granularity was given
    return trend


def report_compare(*, before: Period, after: Period, filters: ReportFilters,
                   now: datetime | None = None) -> Comparison:
    """Two periods side by side, e.g. before and after a reform."""
    now = now or timezone.now()
    a = report_build(period=before, filters=filters, now=now)
    b = report_build(period=after, filters=filters, now=now)
    changes = [Change(label, name, _as_float(a.summary, name), _as_float(b.summary, name))
               for name, label in COMPARED]
    return Comparison(before=a, after=b, changes=changes)


def _as_float(figures: Figures, name: str) -> float | None:
    value = figures.rate_of(name)
    return float(value) if value is not None else None


# --- the tickets behind a number ----------------------------------------------------------------

TicketFilter = Callable[[QuerySet[Ticket], ReportFilters, datetime], QuerySet[Ticket]]


def _clocks_where(milestone: str, verdict: Callable[[datetime], Q]) -> TicketFilter:
    def narrow(qs: QuerySet[Ticket], filters: ReportFilters, now: datetime) -> QuerySet[Ticket]:
        clocks = SlaClock.objects.filter(verdict(now), milestone=milestone)
        if filters.unit is not None:
            clocks = clocks.filter(unit_id=filters.unit.pk)
        return qs.filter(pk__in=clocks.values("ticket_id"))
    return narrow


def _rows_where(model: type[Any], where: Q, unit_path: str) -> TicketFilter:
    def narrow(qs: QuerySet[Ticket], filters: ReportFilters, now: datetime) -> QuerySet[Ticket]:
        rows = model.objects.filter(where)
        if filters.unit is not None:
            rows = rows.filter(**{unit_path: filters.unit.pk})
        return qs.filter(pk__in=rows.values("ticket_id"))
    return narrow


def _tickets_where(where: Callable[[datetime], Q], *, by_ticket_unit: bool = True
                   ) -> TicketFilter:
    def narrow(qs: QuerySet[Ticket], filters: ReportFilters, now: datetime) -> QuerySet[Ticket]:
        if by_ticket_unit and filters.unit is not None:
            qs = qs.filter(unit_id=filters.unit.pk)
        return qs.filter(where(now))
    return narrow


def _late(now: datetime) -> Q:
    return _judged(now) & ~_on_time()


# name → (label, how to find the tickets): each figure of the report that counts tickets.
TICKET_FIGURES: dict[str, tuple[str, TicketFilter]] = {
    "received": ("受理量", _tickets_where(lambda now: Q())),
    "merged": ("合并的重复件", _tickets_where(lambda now: Q())),
    "rejected": ("作废", _tickets_where(lambda now: Q(state=TicketState.REJECTED))),
    "resolved": ("办结量", _tickets_where(lambda now: Q(resolved_at__isnull=False))),
    "open": ("在办", _tickets_where(lambda now: Q(state__in=OPEN_STATES))),
    "overdue_now": ("当前超时", _tickets_where(
        lambda now: Q(state__in=OPEN_STATES) & Q(_overdue_clock(now)))),
    **{f"{m}_on_time": (f"{Milestone(m).label}按时", _clocks_where(m, lambda now: _on_time()))
       for m in MILESTONES},
    **{f"{m}_late": (f"{Milestone(m).label}超时", _clocks_where(m, _late)) for m in MILESTONES},
    "returned": ("有退单", _tickets_where(lambda now: Q(return_count__gt=0))),
    "transferred": ("有改派", _tickets_where(lambda now: Q(transfer_count__gt=0))),
    "reopened": ("有重办", _tickets_where(lambda now: Q(reopen_count__gt=0))),
    "extended": ("延期", _rows_where(Extension, Q(state=ExtensionState.APPROVED),
                                   "ticket__unit_id")),
    "suspended": ("暂停计时", _rows_where(
        Suspension, Q(state__in=[SuspensionState.ACTIVE, SuspensionState.ENDED]),
        "ticket__unit_id")),
    "supervised": ("督办", _rows_where(Supervision, Q(), "unit_id")),
    "supervision_late": ("督办逾期回复", lambda qs, f, now: _rows_where(
        Supervision, Q(state=SupervisionState.OPEN, reply_due_at__lt=now)
        | Q(state=SupervisionState.ANSWERED, answered_at__gt=F("reply_due_at")),
        "unit_id")(qs, f, now)),
    "satisfied": ("满意/基本满意", _rows_where(
        FollowUpTask, Q(state=FollowUpState.DONE, satisfaction__in=[
            Satisfaction.SATISFIED, Satisfaction.BASICALLY_SATISFIED]), "ticket__unit_id")),
    "unsatisfied": ("不满意", _rows_where(
        FollowUpTask, Q(state=FollowUpState.DONE, satisfaction=Satisfaction.UNSATISFIED,
                        ticket__satisfaction_excluded=False), "ticket__unit_id")),
    "unreasonable": ("不合理诉求（不计入）", _rows_where(
        FollowUpTask, Q(state=FollowUpState.DONE, satisfaction=Satisfaction.UNSATISFIED,
                        ticket__satisfaction_excluded=True), "ticket__unit_id")),
    "auto_dispatched": ("自动派单", _tickets_where(lambda now: Q(auto_dispatched=True))),
    "left_first_unit": ("离开首派单位", _tickets_where(
        lambda now: Q(first_unit__isnull=False) & ~Q(unit_id=F("first_unit_id")))),
    "assist_late": ("协办超时", _rows_where(
        AssistTask, Q(breached_at__isnull=False) | Q(
            replied_at__isnull=False, reply_due_at__isnull=False,
            replied_at__gt=F("reply_due_at")), "unit_id")),
}


def report_tickets(*, period: Period, filters: ReportFilters, figure: str,
                   now: datetime | None = None) -> QuerySet[Ticket]:
    """The tickets a number of the report counts (newest first). A figure counting clocks
    or rows (on-time contact, supervision orders) gives the tickets they belong to."""
    if figure not in TICKET_FIGURES:
        raise KeyError(figure)
    now = now or timezone.now()
    cohort = Ticket.objects.filter(_cohort(period=period, filters=filters, with_unit=False,
                                           merged=figure == "merged"))
    narrowed = TICKET_FIGURES[figure][1](cohort, filters, now)
    return narrowed.order_by("-received_at")
