"""Settled days: kept sums for the days whose tickets can no longer change."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from reports.figures import report_build
from reports.models import SettledDay
from reports.scope import ReportFilters
from reports.settled import report_days_settle
from tests.reports.conftest import DECEMBER, NOW, at
from tickets.core.trail import ticket_event_record
from tickets.models import Ticket

# Only the settled half of the district fixture (tests/reports/conftest.py).
pytestmark = pytest.mark.parametrize("district", ["settled"], indirect=True)


@pytest.fixture
def settled(district):
    assert district.settled_days is not None
    return district


def test_every_past_day_keeps_the_sums_of_its_settled_tickets(settled):
    days = set(SettledDay.objects.values_list("day", flat=True))
    assert days == {date(2026, 11, 30) + timedelta(days=i) for i in range(20)}  # to 12-19
    assert settled.settled_days == 20
    kept = set(Ticket.objects.filter(report_settled=True).values_list("external_id", flat=True))
    # T1, T2, its merged duplicate, T3 (closed) and T8 (rejected); T9 is open, T0 and T4 are
    # received, T6 in triage, T5 not received yet on the 20th.
    assert kept == {"r-1", "r-2", "r-3", "r-4", "r-8"}


def test_settling_again_writes_nothing_new(settled):
    with time_machine.travel(NOW, tick=False):
        assert report_days_settle() == 0


def test_a_later_event_on_a_kept_days_ticket_makes_that_day_count_live(settled):
    t3 = Ticket.objects.get(external_id="r-4")  # received 12-04, kept
    # A supervisor rules T3's earlier dissatisfaction an unreasonable demand; the change comes
    # with its event in the trail, as every change of a ticket does.
    Ticket.objects.filter(pk=t3.pk).update(satisfaction_excluded=True)
    before_event = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).summary
    assert (before_event.unsatisfied, before_event.unreasonable) == (1, 0)  # the kept sums
    with time_machine.travel(at(2026, 12, 21, 9, 0), tick=False):
        ticket_event_record(ticket=t3, actor=None, action="edit", reason="审定为不合理诉求")
    assert not Ticket.objects.get(pk=t3.pk).report_settled  # the event's UPDATE cleared it
    after = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).summary
    assert (after.unsatisfied, after.unreasonable, after.received) == (0, 1, 7)
    with time_machine.travel(at(2026, 12, 21, 9, 30), tick=False):
        assert report_days_settle() == 2  # 12-04 anew, and 12-20 (now before "today")
    summed = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).summary
    assert (summed.unsatisfied, summed.unreasonable) == (0, 1)


def test_a_filter_other_than_the_unit_counts_everything_live(settled, org):
    by_channel = report_build(period=DECEMBER, filters=ReportFilters(channel="hotline-12345"),
                              now=NOW).summary
    assert (by_channel.received, by_channel.contact.hits, by_channel.contact.total) == (7, 4, 6)
