"""Settled days: kept sums for the days whose tickets can no longer change."""

from __future__ import annotations

from datetime import date

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


def test_only_days_whose_tickets_are_all_settled_are_kept(settled):
    days = set(SettledDay.objects.values_list("day", flat=True))
    # T0 (11-30, received), T6 (12-01, triage) and T9 (12-05, open) keep their days live.
    assert {date(2026, 11, 30), date(2026, 12, 1), date(2026, 12, 5)} & days == set()
    assert {date(2026, 12, 2), date(2026, 12, 3), date(2026, 12, 4), date(2026, 12, 8),
            date(2026, 12, 6), date(2026, 12, 19)} <= days
    assert max(days) == date(2026, 12, 19)  # the day before "today"
    assert settled.settled_days == len(days) == 20 - 3


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
