"""The run: read the reference data once, then tell the tickets' stories chunk by chunk, each
chunk written in its own transaction (memory stays bounded; an interrupted run keeps what it
committed).

What must follow the order of all tickets is decided here, in this process: arrival moments,
daily ticket numbers and reserved primary keys. Each chunk's stories are then independent
(their own random stream and text), so on PostgreSQL forked workers tell the next chunks'
stories while this process COPYs the last one: the result depends on the seed only, never on
the number of workers.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as day_start
from multiprocessing.pool import AsyncResult

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from demo.history.arrivals import arrival_moments
from demo.history.reference import HistoryReference, HistoryRefused, history_reference_load
from demo.history.rows import TABLES, ChunkRows, IdPool
from demo.history.story import StoryContext, TicketStory
from demo.history.writer import RowWriter, copy_text, row_writer_for_database
from demo.staff import demo_staff_load
from fixtures.corpus.generate import corpus_generate
from org.directory import OrgNotLoadedError
from org.models import Staff
from routing_model.gazetteer import gazetteer_get
from sla.models import SlaClock, Supervision, Suspension
from tickets.models import Ticket

EXTERNAL_ID_PREFIX = "HIST-"
DAYS = 365
# Keys reserved per chunk for rows whose id the story must know (measured: about 3.2 clocks,
# 0.35 supervision orders and 0.02 suspensions per ticket); unused ones are only gaps.
ID_BUDGET = {"clocks": (SlaClock, 5.0, 100), "supervisions": (Supervision, 1.0, 100),
             "suspensions": (Suspension, 0.1, 100)}


@dataclass
class HistoryReport:
    tickets: int = 0
    events: int = 0
    clocks: int = 0
    breaches: int = 0
    supervisions: int = 0
    seconds: float = 0.0

    def line(self) -> str:
        return (f"tickets={self.tickets} events={self.events} clocks={self.clocks} "
                f"breaches={self.breaches} supervisions={self.supervisions} "
                f"seconds={self.seconds:.1f}")

    def add(self, rows: ChunkRows) -> None:
        self.tickets += rows.count("tickets")
        self.events += rows.count("events")
        self.clocks += rows.count("clocks")
        self.breaches += rows.count("breaches")
        self.supervisions += rows.count("supervisions")


@dataclass(frozen=True)
class ChunkSpec:
    """Everything a chunk's stories need from the run as a whole."""

    index: int
    seed: int
    first: int  # the chunk's first ticket, counted from 1 over the run
    tickets: list[tuple[int, str, datetime]]  # (id, number, received_at)
    ids: dict[str, list[int]]
    as_of: datetime
    with_events: bool
    encode: bool  # hand the writer COPY text (made here, in the worker) instead of rows


def history_external_id(*, seed: int, index: int) -> str:
    return f"{EXTERNAL_ID_PREFIX}{seed}-{index:07d}"


def history_seed_used(*, seed: int) -> bool:
    """Whether a history with this seed is in the database already (its ids would clash)."""
    return Ticket.objects.filter(
        external_id__startswith=f"{EXTERNAL_ID_PREFIX}{seed}-").exists()


def history_staff_ensure() -> bool:
    """The demo people (demo.staff) when there is nobody at all; True if they were created."""
    if Staff.objects.exists():
        return False
    try:
        demo_staff_load()
    except OrgNotLoadedError as exc:
        raise HistoryRefused(str(exc)) from exc
    return True


def history_window(*, end: date, now: datetime) -> tuple[datetime, datetime]:
    """The year up to the end of ``end`` (local days), and never past ``now``."""
    tz = timezone.get_current_timezone()
    start = datetime.combine(end - timedelta(days=DAYS - 1), day_start(), tz)
    stop = min(datetime.combine(end + timedelta(days=1), day_start(), tz), now)
    return start.astimezone(UTC), stop.astimezone(UTC)


# Set before the workers fork, read by chunk_build in them (a fork shares it for free).
_REFERENCE: list[HistoryReference] = []


def chunk_build(spec: ChunkSpec) -> ChunkRows:
    """One chunk's stories (in a worker, or in this process); touches no database."""
    ref = _REFERENCE[0]
    rows = ChunkRows()
    ctx = StoryContext(
        ref=ref, rows=rows, rng=random.Random(f"{spec.seed}:stories:{spec.index}"),
        ids={name: IdPool(name, ids) for name, ids in spec.ids.items()}, as_of=spec.as_of,
        with_events=spec.with_events, seed=spec.seed, gazetteer=gazetteer_get())
    texts = corpus_generate(seed=spec.seed * 100_003 + spec.index, count=len(spec.tickets))
    for offset, ((ticket_id, number, received), text) in enumerate(
            zip(spec.tickets, texts, strict=True)):
        TicketStory(ctx=ctx, ticket_id=ticket_id, number=number,
                    external_id=history_external_id(seed=spec.seed, index=spec.first + offset),
                    received_at=received, text=text).run()
    if spec.encode:
        rows.encode(copy_text)
    return rows


def _specs(*, tickets: int, seed: int, chunk_size: int, start: datetime, as_of: datetime,
           with_events: bool, ref: HistoryReference, writer: RowWriter) -> Iterator[ChunkSpec]:
    moments = arrival_moments(rng=random.Random(f"{seed}:arrivals"), count=tickets,
                              start=start, stop=as_of, calendar=ref.calendar, tz=ref.tz)
    # Numbers as intake gives them: <prefix><local day>-<n>, n going on from the day's counter.
    lasts = writer.sequences_read(start.astimezone(ref.tz).date(), as_of.astimezone(ref.tz).date())
    prefix = settings.TICKET_NUMBER_PREFIX
    for index, done in enumerate(range(0, tickets, chunk_size)):
        size = min(chunk_size, tickets - done)
        chunk = []
        for ticket_id in writer.ids_reserve(Ticket, size):
            received = next(moments)
            day = received.astimezone(ref.tz).date()
            lasts[day] = lasts.get(day, 0) + 1
            chunk.append((ticket_id, f"{prefix}{day:%Y%m%d}-{lasts[day]:06d}", received))
        ids = {name: writer.ids_reserve(model, int(size * per) + extra)
               for name, (model, per, extra) in ID_BUDGET.items()}
        yield ChunkSpec(index=index, seed=seed, first=done + 1, tickets=chunk, ids=ids,
                        as_of=as_of, with_events=with_events, encode=writer.encodes)


def _chunk_write(writer: RowWriter, spec: ChunkSpec, rows: ChunkRows) -> None:
    lasts: dict[date, int] = {}
    tz = _REFERENCE[0].tz
    for _pk, number, received in spec.tickets:
        lasts[received.astimezone(tz).date()] = int(number.rsplit("-", 1)[1])
    with transaction.atomic():
        for name, model, columns in TABLES:
            if name in rows.encoded:
                writer.text_write(model, columns, rows.encoded[name])
            else:
                writer.rows_write(model, columns, rows.tables[name])
        writer.sequences_write(lasts)


def history_generate(*, tickets: int, seed: int, end: date, now: datetime | None = None,
                     chunk_size: int = 5_000, with_events: bool = True, workers: int = 1,
                     writer: RowWriter | None = None,
                     progress: Callable[[int, int], None] | None = None) -> HistoryReport:
    """``tickets`` synthetic tickets received over the year ending on ``end``, as the system
    would hold them at the end of that day (or ``now``, if earlier). ``workers`` > 1 forks
    that many processes for the stories (not inside a transaction: the fork needs this
    process's database connection closed first)."""
    began = time.perf_counter()
    ref = history_reference_load()
    ref.policies_preload()
    gazetteer_get()  # loaded once, before any fork
    _REFERENCE[:] = [ref]
    writer = writer or row_writer_for_database()
    start, as_of = history_window(end=end, now=now or timezone.now())
    if as_of <= start + timedelta(days=1):
        raise HistoryRefused("结束日期太早：历史工单需要以当前时间之前的一年为窗口")
    specs = _specs(tickets=tickets, seed=seed, chunk_size=chunk_size, start=start,
                   as_of=as_of, with_events=with_events, ref=ref, writer=writer)
    report = HistoryReport()

    def written(spec: ChunkSpec, rows: ChunkRows) -> None:
        _chunk_write(writer, spec, rows)
        report.add(rows)
        if progress is not None:
            progress(report.tickets, tickets)

    if workers <= 1 or connection.in_atomic_block:
        for spec in specs:
            written(spec, chunk_build(spec))
    else:
        _in_workers(specs, workers=workers, written=written)
    report.seconds = time.perf_counter() - began
    return report


def _in_workers(specs: Iterator[ChunkSpec], *, workers: int,
                written: Callable[[ChunkSpec, ChunkRows], None]) -> None:
    """Stories in forked workers, written here in chunk order; a few chunks in flight at
    most, so memory stays bounded whatever the total."""
    connection.close()  # a forked child must not share (and at exit close) this socket
    with multiprocessing.get_context("fork").Pool(processes=workers) as pool:
        flight: deque[tuple[ChunkSpec, AsyncResult[ChunkRows]]] = deque()
        for spec in specs:
            flight.append((spec, pool.apply_async(chunk_build, (spec,))))
            if len(flight) > workers:
                done, result = flight.popleft()
                written(done, result.get())
        while flight:
            done, result = flight.popleft()
            written(done, result.get())
