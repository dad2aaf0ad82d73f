"""The report's figures against a small district whose answers are worked out by hand below.

December 2026 (Asia/Shanghai), units A (莲花街道, org.unit) and B (水务局, org.other_unit):

- T1 urgent, A, assigned by the router (no dispatcher) 12-02 10:00; contact 10:10:00 (exactly
  at the limit), meeting 10:31 (1 min late), resolved 20:00 (of 24 h), 满意, closed.
- T2 normal, A, assigned 12-03 (Thu) 09:00; contact 09:05, meeting 09:20; suspended 10:00 –
  12-07 10:00 (14 working hours); resolved 12-10 16:00: late by the plain deadline (12-09
  18:00), on time with the suspension left out. 基本满意, closed. One duplicate merged into it.
- T3 urgent, received 12-04 22:00, assigned to A: contact 22:25 (late, A's), transferred to B
  22:30 (A's meeting and resolve clocks cancelled, B's start); B contacts 22:35, meets 22:50,
  resolves 12-05 10:00; 不满意 → reopened 12-05 11:00; contact 11:05, meeting 11:20, resolved
  12-06 10:00; 满意, closed.
- T9 urgent, A, assigned 12-05 10:00 and never contacted: all three clocks past due at the
  report's "now" (12-20). A district supervision order answered in time, a listed one left
  unanswered past its deadline, an approved extension.
- T4 received 12-31 23:59:59 (in), T6 received 12-01 00:00:00 in triage (in), T8 rejected;
  T0 received 11-30 23:59:59 and T5 2027-01-01 00:00:00 (both outside December).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from reports.figures import report_build, report_tickets, report_trend
from reports.periods import Granularity, Period
from reports.scope import ReportFilters
from tests.reports.conftest import DECEMBER, NOW, District, at


def test_the_summary_of_december_matches_the_hand_count(district):
    s = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).summary
    assert (s.received, s.merged, s.rejected, s.resolved, s.open, s.overdue_now) == (
        7, 1, 1, 3, 3, 1)
    # contact: T1 (at the limit), T2, T3·B twice on time; T3·A and T9 late.
    assert (s.contact.hits, s.contact.total) == (4, 6)
    # meeting: T2 and T3·B twice on time; T1 (1 min) and T9 late; T3·A's was cancelled.
    assert (s.meet.hits, s.meet.total) == (3, 5)
    # resolve: T1, T2 (only with the suspension left out), T3·B twice; T9 late.
    assert (s.resolve.hits, s.resolve.total) == (4, 5)
    assert s.response_rate == pytest.approx(4 / 6)
    assert s.resolution_rate == pytest.approx(3 / 6)  # 3 resolved of 7 received less 1 rejected
    assert (s.satisfied, s.basically_satisfied, s.unsatisfied) == (2, 1, 1)
    assert s.satisfaction_rate == pytest.approx(0.75)
    # handling: 10 h, 7 d 7 h, 1 d 12 h (received → the last resolve).
    assert s.handling_days_avg == pytest.approx((10 / 24 + 7 + 7 / 24 + 1.5) / 3)
    assert s.handling_days_median == pytest.approx(1.5)
    # working minutes: 360 (Wed 10–12, 14–18), 2,400 (five whole days and 300), 0 (weekend).
    assert s.working_days_avg == pytest.approx(2760 / 3 / 420)
    assert s.working_days_median == pytest.approx(360 / 420)
    assert (s.extensions, s.suspensions, s.returns, s.transfers, s.reopenings) == (1, 1, 0, 1, 1)
    assert (s.supervisions, s.supervisions_district, s.supervisions_listed,
            s.supervisions_answered, s.supervisions_answered_on_time,
            s.supervisions_overdue_open) == (2, 1, 1, 1, 1, 1)
    # Dispatched: T1 (router), T2, T3, T9; T3 left its first unit.
    assert (s.dispatched, s.auto_dispatched, s.stayed) == (4, 1, 3)


def test_each_unit_gets_the_tickets_it_holds_and_the_clocks_it_ran(district, org):
    report = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW)
    rows = {row.code: row.figures for row in report.units}
    a, b, none = rows[org.unit.code], rows[org.other_unit.code], rows[""]
    assert (a.received, a.resolved, a.open, a.overdue_now) == (3, 2, 1, 1)
    assert [(r.hits, r.total) for r in (a.contact, a.meet, a.resolve)] == [
        (2, 4), (1, 3), (2, 3)]
    assert (b.received, b.resolved, b.transfers, b.reopenings) == (1, 1, 1, 1)
    assert [(r.hits, r.total) for r in (b.contact, b.meet, b.resolve)] == [
        (2, 2), (2, 2), (2, 2)]
    assert (a.satisfaction_rate, b.satisfaction_rate) == (1.0, 0.5)
    assert (a.supervisions, a.extensions, a.suspensions) == (2, 1, 1)
    assert (none.received, none.rejected, none.open) == (3, 1, 2)


def test_the_ranking_puts_the_unit_with_better_rates_first(district, org):
    ranking = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).ranking
    assert [row.code for row in ranking] == [org.other_unit.code, org.unit.code]
    # B: contact, meeting and resolve all 100 %, satisfaction 50 %, weights .25/.15/.35/.25.
    assert ranking[0].score == pytest.approx(100 * (0.25 + 0.15 + 0.35 + 0.25 * 0.5))
    # A: 2/4, 1/3, 2/3, 1.0.
    assert ranking[1].score == pytest.approx(
        100 * (0.25 * 0.5 + 0.15 / 3 + 0.35 * 2 / 3 + 0.25), abs=0.01)
    assert [row.rank for row in ranking] == [1, 2]


def test_a_unit_filter_gives_that_units_row_as_the_summary(district, org):
    only_a = report_build(period=DECEMBER, filters=ReportFilters(unit=org.unit), now=NOW)
    assert (only_a.summary.received, only_a.summary.contact.total,
            only_a.summary.supervisions) == (3, 4, 2)
    assert [row.code for row in only_a.units] == [org.unit.code]


def test_period_boundaries_are_midnight_in_shanghai(district):
    november = report_build(period=Period(date(2026, 11, 30), date(2026, 11, 30)),
                            filters=ReportFilters(), now=NOW).summary
    first = report_build(period=Period(date(2026, 12, 1), date(2026, 12, 1)),
                         filters=ReportFilters(), now=NOW).summary
    new_year = report_build(period=Period(date(2027, 1, 1), date(2027, 1, 1)),
                            filters=ReportFilters(), now=NOW).summary
    assert (november.received, first.received, new_year.received) == (1, 1, 1)


def test_the_monthly_trend_splits_by_month_received(district):
    trend = report_trend(period=Period(date(2026, 11, 1), date(2027, 1, 31)),
                         filters=ReportFilters(), granularity=Granularity.MONTH, now=NOW)
    assert [(row.label, row.figures.received) for row in trend.rows] == [
        ("2026-11", 1), ("2026-12", 7), ("2027-01", 1)]
    assert trend.rows[1].figures.contact.total == 6


def test_the_weekly_trend_starts_on_monday(district):
    trend = report_trend(period=DECEMBER, filters=ReportFilters(),
                         granularity=Granularity.WEEK, now=NOW)
    # Tue 12-01 is in the week of Mon 11-30 (clipped to the period); T1, T2, T3, T9 and T6.
    assert trend.rows[0].period == Period(date(2026, 12, 1), date(2026, 12, 6))
    assert trend.rows[0].figures.received == 5
    assert trend.rows[-1].period == Period(date(2026, 12, 28), date(2026, 12, 31))
    assert trend.rows[-1].figures.received == 1  # T4 at 23:59:59 on the 31st


def test_every_number_links_to_the_tickets_behind_it(district, org):
    def numbers(figure, **filters):
        return set(report_tickets(period=DECEMBER, filters=ReportFilters(**filters),
                                  figure=figure, now=NOW).values_list("external_id", flat=True))

    assert numbers("contact_late") == {"r-4", "r-5"}  # T3 (A's clock) and T9
    assert numbers("contact_late", unit=org.other_unit) == set()
    assert numbers("meet_late", unit=org.unit) == {"r-1", "r-5"}
    assert numbers("overdue_now") == {"r-5"}
    assert numbers("merged") == {"r-3"}
    assert numbers("unsatisfied") == {"r-4"}
    assert numbers("supervision_late") == {"r-5"}
    assert numbers("left_first_unit") == {"r-4"}
    assert numbers("auto_dispatched") == {"r-1"}
    assert len(numbers("received")) == 7


def test_working_days_count_the_make_up_saturday_and_skip_the_holiday(org):
    d = District(org)
    ticket = d.assign(d.create(at(2026, 9, 30, 16, 0)), at(2026, 9, 30, 16, 0))
    d.work(ticket, org.assignee, at(2026, 9, 30, 16, 5), at(2026, 9, 30, 16, 20),
           at(2026, 10, 10, 10, 0))
    s = report_build(period=Period(date(2026, 9, 1), date(2026, 10, 31)),
                     filters=ReportFilters(), now=NOW).summary
    # 30 Sep 16–18 (120), 1–7 Oct holiday, 8 and 9 Oct (420 each), Sat 10 Oct 09–10 (60).
    assert s.working_days_avg == pytest.approx(1020 / 420)
    assert s.handling_days_avg == pytest.approx(9 + 18 / 24)
    assert (s.resolve.hits, s.resolve.total) == (1, 1)


def test_an_unreasonable_demand_is_counted_apart_from_the_unit(org):
    d = District(org)
    ticket = d.assign(d.create(at(2026, 12, 2, 10, 0)), at(2026, 12, 2, 10, 0))
    ticket = d.work(ticket, org.assignee, at(2026, 12, 2, 10, 5), at(2026, 12, 2, 10, 20),
                    at(2026, 12, 2, 16, 0))
    ticket.__class__.objects.filter(pk=ticket.pk).update(satisfaction_excluded=True)
    d.follow_up(ticket, at(2026, 12, 3, 9, 0), "unsatisfied")
    s = report_build(period=DECEMBER, filters=ReportFilters(), now=NOW).summary
    assert (s.unsatisfied, s.unreasonable, s.satisfaction_rate) == (0, 1, None)
    assert s.received == 1 and NOW - timedelta(days=1) > at(2026, 12, 2)
