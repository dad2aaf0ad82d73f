"""manage.py generate_history: a synthetic year whose rows follow the domain's rules.

One history of 300 tickets is generated for the module (inside a transaction rolled back at
the end, so nothing leaks into other modules) and every test reads it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import F, Model
from django.test import override_settings

from demo.history import history_generate
from demo.history.rows import Row
from org.calendar import working_calendar_get
from sla.models import Breach, SlaClock, Supervision
from tickets.core.trail import trail_verify
from tickets.intake.channels import directory_load
from tickets.models import Ticket, TicketEvent, TicketNumberSequence

SEED = 11
END = date(2026, 6, 30)  # a past day: the history ends at its midnight, whenever tests run
ARGS = ["--tickets", "300", "--seed", str(SEED), "--end", END.isoformat(), "--workers", "1"]


def _command(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("generate_history", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def history(django_db_setup: Any, django_db_blocker: Any) -> Iterator[dict[str, int]]:
    with django_db_blocker.unblock(), transaction.atomic():
        directory_load()
        with override_settings(DEBUG=True):
            out, err = _command(*ARGS)
        last = out.strip().splitlines()[-1]
        counts = {k: float(v) for k, v in (part.split("=") for part in last.split())}
        assert "已生成 300/300 张工单 (100%)" in err
        yield {k: int(v) for k, v in counts.items() if k != "seconds"}
        transaction.set_rollback(True)


class RecordingWriter:
    """The writer interface, in memory: ids counted from 1, rows kept by table."""

    encodes = False

    def __init__(self) -> None:
        self.next: dict[type[Model], int] = {}
        self.rows: dict[str, list[Row]] = {}

    def ids_reserve(self, model: type[Model], count: int) -> list[int]:
        first = self.next.get(model, 1)
        self.next[model] = first + count
        return list(range(first, first + count))

    def rows_write(self, model: type[Model], columns: Sequence[str],
                   rows: Sequence[Row]) -> None:
        self.rows.setdefault(model._meta.label, []).extend(rows)

    def text_write(self, model: type[Model], columns: Sequence[str], data: bytes) -> None:
        raise AssertionError("not asked for")

    def sequences_read(self, first: date, last: date) -> dict[date, int]:
        return {}

    def sequences_write(self, lasts: dict[date, int]) -> None:
        pass


# The refusals come first: the module's history exists from the first test that asks for it.
@override_settings(DEBUG=False)
def test_refused_with_debug_off_unless_allowed(db):
    with pytest.raises(CommandError, match="--allow-production"):
        _command(*ARGS)
    assert not Ticket.objects.exists()


@override_settings(DEBUG=True)
def test_refused_in_chinese_before_load_org(db):
    with pytest.raises(CommandError, match="load_org"):
        _command(*ARGS)


def test_the_last_line_counts_what_is_in_the_database(history, db):
    assert history["tickets"] == Ticket.objects.count() == 300
    assert history["events"] == TicketEvent.objects.count() > 300 * 7
    assert history["clocks"] == SlaClock.objects.count()
    assert history["breaches"] == Breach.objects.count() > 0
    assert history["supervisions"] == Supervision.objects.count() > 0
    assert not Ticket.objects.exclude(external_id__startswith=f"HIST-{SEED}-").exists()
    assert not Ticket.objects.exclude(source_details__synthetic=True).exists()


def test_closed_tickets_reach_their_milestones_in_order(history, db):
    closed = Ticket.objects.filter(state="closed", satisfaction_excluded=False)
    assert closed.count() > 250
    assert not closed.filter(resolved_at__isnull=True).exists()
    assert not closed.exclude(
        resolved_at__gte=F("met_at"), met_at__gte=F("contacted_at"),
        contacted_at__gte=F("assigned_at"), assigned_at__gte=F("received_at")).exists()
    assert not closed.exclude(satisfaction__in=["satisfied", "basically_satisfied"]).exists()
    # A supervisor's ruling closes an unsatisfied, reopened ticket without a new resolution.
    assert not Ticket.objects.filter(satisfaction_excluded=True).exclude(
        satisfaction="unsatisfied", reopen_count__gte=1).exists()


def test_handling_time_is_the_calendars_working_minutes(history, db):
    calendar = working_calendar_get()
    resolved = list(Ticket.objects.filter(resolved_at__isnull=False).order_by("pk")[:25])
    assert len(resolved) == 25
    for ticket in resolved:
        assert ticket.handling_working_minutes == calendar.minutes_between(
            ticket.received_at, ticket.resolved_at), ticket.number


def test_clocks_on_time_stopped_before_their_deadline_and_late_ones_left_a_breach(history, db):
    met = SlaClock.objects.filter(state="met")
    on_time, late = met.filter(late_minutes=0), met.filter(late_minutes__gt=0)
    assert on_time.count() > 5 * late.count() > 0
    assert not on_time.filter(stopped_at__gt=F("due_at")).exists()
    assert not late.filter(breach__isnull=True).exists()
    assert not late.exclude(breach__late_minutes=F("late_minutes")).exists()
    assert not SlaClock.objects.filter(breached_at__isnull=False, breach__isnull=True).exists()
    assert not Ticket.objects.filter(is_overdue=True, breaches__isnull=True).exists()
    # 10-30: most contacts within ten minutes, some exactly at the limit.
    contacts = met.filter(milestone="contact")
    assert contacts.filter(late_minutes=0).count() / contacts.count() > 0.85
    assert met.filter(stopped_at=F("due_at")).exists()


def test_every_trail_verifies_and_ends_at_the_tickets_head(history, db):
    assert trail_verify() == []
    ticket = Ticket.objects.filter(state="closed").order_by("pk").first()
    actions = list(ticket.events.order_by("pk").values_list("action", flat=True))
    assert actions[0] == "create" and actions[-1] == "close"
    assert ticket.events.order_by("pk").last().hash == ticket.trail_head


def test_numbers_follow_the_projects_format_and_the_day_counters_moved_on(history, db):
    ticket = Ticket.objects.order_by("received_at").last()
    day = ticket.number[2:10]
    assert ticket.number.startswith("FT") and len(ticket.number) == len("FT20260630-000001")
    counter = TicketNumberSequence.objects.get(day=date(int(day[:4]), int(day[4:6]),
                                                       int(day[6:])))
    assert counter.last == int(ticket.number.rsplit("-", 1)[1])


def test_the_same_seed_tells_the_same_stories(history, db):
    runs = []
    for _ in range(2):
        writer = RecordingWriter()
        history_generate(tickets=300, seed=SEED, end=END, writer=writer)
        runs.append(writer.rows)
    assert runs[0] == runs[1]
    columns = [f.attname for f in Ticket._meta.concrete_fields]
    recorded = sorted((r[columns.index("external_id")], r[columns.index("number")],
                       r[columns.index("received_at")], r[columns.index("state")],
                       r[columns.index("title")]) for r in runs[0]["tickets.Ticket"])
    stored = sorted(Ticket.objects.values_list("external_id", "number", "received_at", "state",
                                               "title"))
    assert recorded == stored


def test_the_same_seed_again_is_refused(history, db):
    with override_settings(DEBUG=True), pytest.raises(CommandError, match="已有种子 11"):
        _command(*ARGS)
