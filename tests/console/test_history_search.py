"""History (a caseworker's and a unit's finished tickets) and the centre's search across every
ticket: who sees what, the filters, the lookups, the limits on short terms, paging without a
count, and the personal data kept masked."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import ChannelFactory, TicketFactory, UnitFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _finished(org, state: str = "closed", *, resolved_at: datetime | None = None,
              **kwargs: object) -> Ticket:
    return org.ticket(state, resolved_at=resolved_at or timezone.now() - timedelta(days=1),
                      **kwargs)


def _body(client, url: str, **params: object) -> str:
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- history: who sees what ----------------------------------------------------------------------

def test_it_shows_a_caseworker_only_the_finished_tickets_they_handled(org, login):
    mine_closed = _finished(org, "closed")
    mine_resolved = _finished(org, "resolved")
    still_open = org.ticket("met")
    coworkers = _finished(org, assignee=org.coworker)
    other_units = _finished(org, unit=org.other_unit, assignee=org.other_caseworker)
    body = _body(login(org.assignee), "/console/history/")
    assert mine_closed.number in body and mine_resolved.number in body
    for absent in (still_open, coworkers, other_units):
        assert absent.number not in body
    assert "我经办的" in body and "办结待回访" in body


@pytest.mark.parametrize("who", ["lead", "unit_dispatcher"])
def test_it_shows_a_unit_lead_and_a_unit_dispatcher_the_units_finished_tickets(org, login, who):
    mine = _finished(org)
    coworkers = _finished(org, "resolved", assignee=org.coworker)
    other_units = _finished(org, unit=org.other_unit, assignee=org.other_caseworker)
    body = _body(login(getattr(org, who)), "/console/history/")
    assert mine.number in body and coworkers.number in body
    assert other_units.number not in body
    assert org.unit.name in body


def test_another_units_lead_never_sees_this_units_history(org, login):
    ours = _finished(org)
    assert ours.number not in _body(login(org.other_lead), "/console/history/")


def test_the_history_page_is_refused_to_the_centre(org, login):
    assert login(org.centre_dispatcher).get("/console/history/").status_code == 403
    assert login(org.centre_supervisor).get("/console/history/").status_code == 403


# --- history: filters, order, pages ---------------------------------------------------------------

def test_it_filters_the_history_by_the_resolve_day_in_shanghai_state_and_channel(org, login):
    phone_line = ChannelFactory(code="hotline-12345", name="12345热线")
    # 23:30 in Shanghai on 30 November is 15:30 UTC: it belongs to the 30th, not 1 December.
    late_evening = _finished(org, resolved_at=datetime(2026, 11, 30, 23, 30, tzinfo=SHANGHAI),
                             channel=phone_line)
    next_morning = _finished(org, "resolved",
                             resolved_at=datetime(2026, 12, 1, 0, 10, tzinfo=SHANGHAI))
    c = login(org.assignee)
    november = _body(c, "/console/history/", first="2026-11-30", last="2026-11-30")
    assert late_evening.number in november and next_morning.number not in november
    december = _body(c, "/console/history/", first="2026-12-01")
    assert next_morning.number in december and late_evening.number not in december
    resolved = _body(c, "/console/history/", state="resolved")
    assert next_morning.number in resolved and late_evening.number not in resolved
    by_channel = _body(c, "/console/history/", channel="hotline-12345")
    assert late_evening.number in by_channel and next_morning.number not in by_channel
    assert "按办结时间" in november


def test_it_lists_the_latest_finished_first_and_refuses_a_reversed_period(org, login):
    now = timezone.now()
    older = _finished(org, resolved_at=now - timedelta(days=5))
    newer = _finished(org, resolved_at=now - timedelta(days=1))
    # Closed by a ruling without a resolve: it counts from its closing time.
    ruled = org.ticket("closed", resolved_at=None, closed_at=now - timedelta(days=3))
    c = login(org.assignee)
    body = _body(c, "/console/history/")
    assert body.index(newer.number) < body.index(ruled.number) < body.index(older.number)
    day = timezone.localdate(now - timedelta(days=3)).isoformat()
    on_the_day = _body(c, "/console/history/", first=day, last=day)
    assert ruled.number in on_the_day and older.number not in on_the_day
    reversed_period = _body(c, "/console/history/", first="2026-12-05", last="2026-12-01")
    assert "开始日期不能晚于结束日期" in reversed_period and older.number not in reversed_period


def test_it_pages_the_history_fifty_at_a_time(org, login):
    start = timezone.now() - timedelta(days=60)
    tickets = [_finished(org, resolved_at=start + timedelta(hours=i)) for i in range(51)]
    c = login(org.assignee)
    first = _body(c, "/console/history/")
    assert tickets[-1].number in first and tickets[0].number not in first
    assert "1 / 2" in first
    assert tickets[0].number in _body(c, "/console/history/", page=2)


def test_history_titles_are_masked_for_a_caseworker(org, login):
    ticket = _finished(org, title="电话13912345678的住户反映噪音")
    body = _body(login(org.assignee), "/console/history/")
    assert ticket.number in body
    assert "13912345678" not in body and "139****5678" in body


# --- search: who may, and the lookups ------------------------------------------------------------

@pytest.mark.parametrize("who", ["assignee", "lead", "unit_dispatcher", "other_lead"])
def test_the_search_page_is_refused_to_unit_people(org, login, who):
    response = login(getattr(org, who)).get("/console/search/", {"q": "路灯不亮"})
    assert response.status_code == 403


@pytest.mark.parametrize("who", ["centre_dispatcher", "centre_supervisor"])
def test_the_centre_and_supervisors_search_every_units_tickets_in_any_state(org, login, who):
    ours = org.ticket("met", title="井盖缺失很危险")
    theirs = org.ticket("closed", title="井盖缺失无人管", unit=org.other_unit,
                        assignee=org.other_caseworker)
    waiting = org.ticket("triage", title="井盖缺失请处理")
    elsewhere = org.ticket("met", title="噪音扰民")
    body = _body(login(getattr(org, who)), "/console/search/", q="井盖缺失")
    for found in (ours, theirs, waiting):
        assert found.number in body
    assert elsewhere.number not in body


def test_it_finds_a_ticket_by_its_exact_number(org, login):
    wanted = org.ticket("closed")
    near = org.ticket("closed")
    c = login(org.centre_dispatcher)
    body = _body(c, "/console/search/", q=wanted.number.lower())
    assert wanted.number in body and near.number not in body
    partial = _body(c, "/console/search/", q=wanted.number[:-2], kind="number")
    assert "工单号格式应为" in partial


def test_it_finds_tickets_by_the_full_phone_and_shows_it_masked(org, login, may_see_pii):
    may_see_pii(org.centre_dispatcher)
    called = org.ticket("closed", citizen_phone="13987654321")
    again = org.ticket("met", citizen_phone="13987654321")
    other = org.ticket("met", citizen_phone="13800000000")
    c = login(org.centre_dispatcher)
    body = _body(c, "/console/search/", q="13987654321")
    assert called.number in body and again.number in body and other.number not in body
    assert "139****4321" in body
    # The full number is only in the box the person typed it into (not in a heading, a
    # result, a paging link or the language switch's return address).
    assert body.count("13987654321") == 1 and 'value="13987654321"' in body
    spaced = _body(c, "/console/search/", q="139 8765 4321")  # written as people say it
    assert called.number in spaced and "13987654321" not in spaced


def test_a_partial_phone_number_is_refused_when_searching_by_phone(org, login):
    body = _body(login(org.centre_dispatcher), "/console/search/", q="1398765", kind="phone")
    assert "请输入完整的电话号码" in body


def test_it_finds_text_in_the_title_and_the_content(org, login):
    by_title = org.ticket("closed", title="油烟直排扰民", content="楼下饭店")
    by_content = org.ticket("met", title="投诉饭店", content="厨房油烟直排到居民楼")
    neither = org.ticket("met", title="投诉饭店", content="噪音")
    body = _body(login(org.centre_supervisor), "/console/search/", q="油烟直排", kind="text")
    assert by_title.number in body and by_content.number in body
    assert neither.number not in body


def test_it_finds_a_place_by_address_community_or_street(org, login):
    street = UnitFactory(code="street-huafu", name="华富街道办事处", kind="street_office")
    by_address = org.ticket("closed", address="深圳市福田区景华花园3栋")
    by_community = org.ticket("met", community="景华社区", address="")
    by_street = org.ticket("met", street=street, address="")
    text_only = org.ticket("met", content="我想去景华花园看看", address="")
    c = login(org.centre_dispatcher)
    body = _body(c, "/console/search/", q="景华", kind="place")
    assert by_address.number in body and by_community.number in body
    assert text_only.number not in body
    assert by_street.number in _body(c, "/console/search/", q="华富街道", kind="place")
    everything = _body(c, "/console/search/", q="景华花园")  # detected: text and place
    assert by_address.number in everything and text_only.number in everything


def test_a_one_character_query_is_refused_in_chinese(org, login):
    org.ticket("met", title="灯")
    body = _body(login(org.centre_dispatcher), "/console/search/", q="灯")
    assert "请至少输入 2 个字" in body and 'class="search-results"' not in body


def test_a_two_character_term_searches_only_the_last_31_days(org, login):
    now = timezone.now()
    recent = org.ticket("met", title="路灯坏了", received_at=now - timedelta(days=10))
    old = org.ticket("closed", title="路灯坏了", received_at=now - timedelta(days=40))
    c = login(org.centre_dispatcher)
    short = _body(c, "/console/search/", q="路灯")
    assert recent.number in short and old.number not in short
    assert "查找的文字不足 3 个字，只查了" in short
    # Three characters reach the trigram index: every day is searched.
    longer = _body(c, "/console/search/", q="路灯坏")
    assert recent.number in longer and old.number in longer and "只查了" not in longer
    # A period within 31 days is searched as asked (no notice).
    day = timezone.localdate(now - timedelta(days=40)).isoformat()
    in_period = _body(c, "/console/search/", q="路灯", first=day, last=day)
    assert old.number in in_period and "只查了" not in in_period


def test_a_short_term_with_letters_matches_any_case(org, login):
    upper = org.ticket("met", address="景华花园A栋")
    body = _body(login(org.centre_dispatcher), "/console/search/", q="a栋")
    assert upper.number in body


def test_it_filters_the_search_by_state_and_period(org, login):
    now = timezone.now()
    open_one = org.ticket("met", title="井盖缺失", received_at=now - timedelta(days=3))
    closed_one = org.ticket("closed", title="井盖缺失", received_at=now - timedelta(days=100))
    c = login(org.centre_dispatcher)
    opened = _body(c, "/console/search/", q="井盖缺失", state="open")
    assert open_one.number in opened and closed_one.number not in opened
    first = timezone.localdate(now - timedelta(days=7)).isoformat()
    recent = _body(c, "/console/search/", q="井盖缺失", first=first)
    assert open_one.number in recent and closed_one.number not in recent


def test_search_results_come_newest_first_paged_without_a_count(org, login):
    start = timezone.now() - timedelta(days=20)
    tickets = [org.ticket("closed", title="井盖缺失", received_at=start + timedelta(hours=i))
               for i in range(51)]
    c = login(org.centre_dispatcher)
    with CaptureQueriesContext(connection) as queries:
        first = _body(c, "/console/search/", q="井盖缺失")
    assert not [q["sql"] for q in queries if "COUNT(" in q["sql"].upper()
                and "tickets_ticket" in q["sql"]]
    assert first.index(tickets[-1].number) < first.index(tickets[-2].number)
    assert tickets[0].number not in first
    assert 'name="page" value="2"' in first and "更多结果请缩小范围" in first
    second = _body(c, "/console/search/", q="井盖缺失", page=2)
    assert tickets[0].number in second and tickets[1].number not in second
    assert 'name="page" value="3"' not in second


def test_paging_stops_at_the_cap_and_asks_to_narrow_the_search(org, monkeypatch):
    from tickets.selectors import search

    monkeypatch.setattr(search, "SEARCH_MAX_PAGE", 2)
    for _ in range(3):
        org.ticket("met", title="井盖缺失")
    term = search.search_term_parse(text="井盖缺失")
    last = search.ticket_search(user=org.centre_dispatcher.user, query=term,
                                filters=search.SearchFilters(), page=9, page_size=1)
    assert last.number == 2 and not last.has_next and last.capped and len(last.tickets) == 1


def test_search_titles_are_masked_for_a_person_without_the_pii_permission(org, login):
    ticket = org.ticket("met", title="井盖缺失，联系13912345678")
    body = _body(login(org.centre_dispatcher), "/console/search/", q="井盖缺失")
    assert ticket.number in body
    assert "13912345678" not in body and "139****5678" in body


# --- the trigram indexes (PostgreSQL) ------------------------------------------------------------

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="the trigram indexes exist on PostgreSQL only")


@postgres_only
def test_the_trigram_indexes_exist_on_the_expressions_icontains_compares(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                       "AND indexname LIKE %s", [Ticket._meta.db_table, "ticket_%_trgm"])
        found = dict(cursor.fetchall())
    assert set(found) == {"ticket_title_trgm", "ticket_content_trgm", "ticket_address_trgm",
                          "ticket_community_trgm"}
    assert "USING gin (upper((title)::text) gin_trgm_ops)" in found["ticket_title_trgm"]


@postgres_only
def test_a_three_character_search_can_use_the_trigram_index(org):
    """Whether the planner picks the index depends on the table's size and statistics (on a
    test table of a few hundred rows a sequential read is cheaper, rightly), so the plan is
    asked with plain scans and index-order scans disabled: what is left is whether the
    index matches the query's expression at all, which is what a year's table needs (the
    benchmark shows the plans at 530,000 tickets)."""
    from tickets.selectors.search import SearchFilters, search_term_parse, ticket_search

    for i in range(300):
        TicketFactory(title=f"编号{i}的投诉", content=f"第{i}号楼前的井盖缺失" if i % 50 == 0
                      else f"第{i}号楼的噪音", address=f"景华花园{i}栋")
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Ticket._meta.db_table}")
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    found = ticket_search(user=org.centre_dispatcher.user, query=search_term_parse(
        text="井盖缺失"), filters=SearchFilters())
    assert len(found.tickets) == 6
    plan = Ticket.objects.filter(content__icontains="井盖缺失").explain()
    assert "ticket_content_trgm" in plan
    place = Ticket.objects.filter(address__icontains="景华花园").explain()
    assert "ticket_address_trgm" in place
