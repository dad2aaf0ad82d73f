"""The work queues: sorting by each column (a whitelist, never a 500), filters and sort kept by
the pager and the polling, the triage queue's countdowns, its default order and its one-click
dispatch forms, and a constant number of queries per page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sla.models import SlaClock, SlaPolicy
from tests.factories import DuplicateCandidateFactory, UnitFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _clock(ticket: Ticket, *, minutes: int, milestone: str = "contact") -> SlaClock:
    """A running clock due ``minutes`` from now (negative: already past)."""
    policy, _ = SlaPolicy.objects.get_or_create(
        name="queues test", urgency="normal", version=1,
        defaults={"milestones": [{"milestone": "contact", "minutes": 10}]})
    now = timezone.now()
    due = now + timedelta(minutes=minutes)
    return SlaClock.objects.create(
        ticket=ticket, policy=policy, milestone=milestone, calendar="24x7", minutes=10,
        unit=ticket.unit, started_at=now - timedelta(minutes=10),
        warn_at=due - timedelta(minutes=2), due_at=due)


def _rows(body: str) -> str:
    return body[body.index("<tbody"):body.index("</tbody>")]


def _order(body: str, *tickets: Ticket) -> list[str]:
    """The given tickets' numbers in the order their rows appear."""
    rows = _rows(body)
    return sorted((t.number for t in tickets), key=lambda n: rows.index(f'data-number="{n}"'))


@pytest.fixture
def three(org):
    """Three open tickets whose columns sort differently (X, Y, Z; ascending order per key
    written out in ORDERS)."""
    now = timezone.now()
    a, b, c = (UnitFactory(code=f"sort-{x}", name=f"{x}单位") for x in "ABC")
    x = org.ticket("contacted", number="FT20260101-000001", title="C 井盖缺失", unit=c,
                   assignee=None, received_at=now - timedelta(hours=5))
    y = org.ticket("met", number="FT20260101-000002", title="A 路灯不亮", unit=b,
                   assignee=None, received_at=now - timedelta(hours=1))
    z = org.ticket("assigned", number="FT20260101-000003", title="B 噪音扰民", unit=a,
                   assignee=None, received_at=now - timedelta(hours=3))
    _clock(y, minutes=10)
    _clock(x, minutes=20)
    _clock(z, minutes=30)
    return {"X": x, "Y": y, "Z": z}


ORDERS = {
    "number": "XYZ",
    "title": "YZX",
    "state": "ZXY",  # assigned, contacted, met: the lifecycle, not the codes' alphabet
    "unit": "ZYX",
    "due": "YXZ",
    "received_at": "XZY",
}


@pytest.mark.parametrize("key", list(ORDERS))
@pytest.mark.parametrize("descending", [False, True])
def test_it_sorts_the_open_queue_by_each_column_both_ways(org, login, three, key, descending):
    expected = [three[name].number for name in ORDERS[key]]
    if descending:
        expected.reverse()
    sort = f"-{key}" if descending else key
    body = login(org.centre_dispatcher).get(f"/console/open/?sort={sort}").content.decode()
    assert _order(body, *three.values()) == expected


@pytest.mark.parametrize("descending", [False, True])
def test_it_sorts_the_triage_queue_by_the_top_suggestions_confidence(org, login, descending):
    sure = org.ticket("triage", prediction_top3=[{"unit": "water", "probability": 0.9},
                                                 {"unit": "street-lianhua", "probability": 0.05}])
    unsure = org.ticket("triage", prediction_top3=[{"unit": "water", "probability": 0.3}])
    middling = org.ticket("triage", prediction_top3=[{"unit": "water", "probability": 0.55}])
    none = org.ticket("triage", prediction_top3=[])
    sort = "-confidence" if descending else "confidence"
    body = login(org.centre_dispatcher).get(f"/console/triage/?sort={sort}").content.decode()
    ranked = [unsure.number, middling.number, sure.number]
    # Without a suggestion the ticket comes last both ways.
    expected = [*(reversed(ranked) if descending else ranked), none.number]
    assert _order(body, sure, unsure, middling, none) == expected


@pytest.mark.parametrize("sort", ["password", "-clocks__due_at", "?", "--due", "received_at;"])
def test_an_unknown_sort_key_falls_back_to_the_default_order(org, login, three, sort):
    r = login(org.centre_dispatcher).get("/console/open/", {"sort": sort})
    assert r.status_code == 200
    body = r.content.decode()
    assert _order(body, *three.values()) == [three[n].number for n in "YXZ"]
    assert "aria-sort" not in body


def test_the_sorted_header_says_which_way_and_its_link_turns_it_round(org, login, three):
    c = login(org.centre_dispatcher)
    body = c.get("/console/open/?urgency=normal&sort=received_at&page=1").content.decode()
    header = re.search(r'<th[^>]*data-sort="received_at"[^>]*>.*?</th>', body, re.S).group(0)
    assert 'aria-sort="ascending"' in header and "▲" in header
    href = re.search(r'href="([^"]*)"', header).group(1).replace("&amp;", "&")
    # The filters stay, the sort turns round, the page starts again.
    assert href == "?urgency=normal&sort=-received_at"
    other = re.search(r'<th[^>]*data-sort="title"[^>]*>.*?</th>', body, re.S).group(0)
    assert "aria-sort" not in other and 'sort=title"' in other
    back = c.get("/console/open/?sort=-received_at").content.decode()
    header = re.search(r'<th[^>]*data-sort="received_at"[^>]*>.*?</th>', back, re.S).group(0)
    assert 'aria-sort="descending"' in header and "▼" in header and 'sort=received_at"' in header


def test_the_filters_form_keeps_the_sort(org, login):
    body = login(org.centre_dispatcher).get("/console/open/?sort=-due").content.decode()
    form = body[body.index('class="filters"'):body.index("</form>", body.index('class="filters"'))]
    assert '<input type="hidden" name="sort" value="-due">' in form


def test_the_pager_links_keep_the_filters_and_the_sort(org, login, monkeypatch):
    monkeypatch.setattr("console.views.queues.PAGE_SIZE", 2)
    for _ in range(5):
        org.ticket("assigned", urgency="normal")
    c = login(org.centre_dispatcher)
    body = c.get("/console/open/?urgency=normal&sort=number&page=2").content.decode()
    links = [h.replace("&amp;", "&") for h in re.findall(r'<nav class="pages">.*?</nav>', body,
                                                         re.S)[0].split('href="')[1:]]
    assert [link[:link.index('"')] for link in links] == [
        "?urgency=normal&sort=number&page=1", "?urgency=normal&sort=number&page=3"]


def test_the_polled_rows_keep_the_sort_and_the_filters(org, login, three):
    c = login(org.centre_dispatcher)
    body = c.get("/console/open/?urgency=normal&sort=-title").content.decode()
    poll = re.search(r'<tbody id="rows" hx-get="([^"]*)"', body).group(1).replace("&amp;", "&")
    assert poll == "/console/open/?partial=1&urgency=normal&sort=-title"
    # The poll's answer polls the same address again (and keeps the order).
    again = c.get(poll, HTTP_HX_REQUEST="true").content.decode()
    assert re.search(r'hx-get="([^"]*)"', again).group(1).replace("&amp;", "&") == poll
    assert _order(again, *three.values()) == [three[n].number for n in "XZY"]


def test_triage_rows_show_the_running_clocks_countdowns(org, login):
    returned = org.ticket("triage", title="停电，老人用制氧机")
    clock = _clock(returned, minutes=-3)
    _clock(returned, minutes=90, milestone="resolve")
    body = login(org.centre_dispatcher).get("/console/triage/").content.decode()
    row = _rows(body)
    assert f'data-due="{timezone.localtime(clock.due_at):%Y-%m-%dT%H:%M:%S}' in row
    assert row.count('<span class="clock') == 2


def test_the_triage_queue_puts_overdue_then_urgent_then_the_nearest_deadline_then_the_oldest(
        org, login):
    now = timezone.now()
    overdue = org.ticket("triage", is_overdue=True, received_at=now)
    _clock(overdue, minutes=-3)
    urgent = org.ticket("triage", urgency="urgent", received_at=now)
    soon = org.ticket("triage", received_at=now)
    _clock(soon, minutes=5)
    later = org.ticket("triage", received_at=now)
    _clock(later, minutes=60)
    oldest = org.ticket("triage", received_at=now - timedelta(hours=2))
    newer = org.ticket("triage", received_at=now - timedelta(hours=1))
    body = login(org.centre_dispatcher).get("/console/triage/").content.decode()
    tickets = (newer, later, oldest, soon, urgent, overdue)
    assert _order(body, *tickets) == [t.number for t in (overdue, urgent, soon, later, oldest,
                                                          newer)]


def test_the_caseworker_queue_puts_an_overdue_ticket_before_a_nearer_deadline(org, login):
    overdue = org.ticket("assigned", is_overdue=True)  # its breached clock is done, another runs
    _clock(overdue, minutes=120, milestone="resolve")
    soon = org.ticket("assigned")
    _clock(soon, minutes=5)
    body = login(org.assignee).get("/console/mine/").content.decode()
    assert _order(body, soon, overdue) == [overdue.number, soon.number]


def test_each_suggestion_posts_its_own_dispatch_form_that_comes_back_to_the_queue(org, login):
    ticket = org.ticket("triage", prediction_top3=[
        {"unit": "street-lianhua", "probability": 0.61}, {"unit": "water", "probability": 0.2}])
    body = login(org.centre_dispatcher).get("/console/triage/?q=路灯&sort=-due").content.decode()
    form = re.search(r'<form[^>]*class="one-click".*?</form>', body, re.S).group(0)
    assert f'action="/console/tickets/{ticket.number}/dispatch/"' in form
    assert 'name="csrfmiddlewaretoken"' in form and 'form="bulk"' not in form
    nxt = re.search(r'name="next" value="([^"]*)"', form).group(1).replace("&amp;", "&")
    assert nxt == "/console/triage/?q=%E8%B7%AF%E7%81%AF&sort=-due"
    assert re.findall(r'name="dispatch-unit" value="([^"]*)"', form) == ["street-lianhua",
                                                                         "water"]


def _queries(client, url: str) -> int:
    client.get(url)  # the first request of a session does its own bookkeeping
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


def test_the_triage_page_takes_as_many_queries_for_many_rows_as_for_few(org, login):
    original = org.ticket("assigned", title="原单")

    def add(n: int) -> None:
        for _ in range(n):
            t = org.ticket("triage", prediction_top3=[{"unit": "water", "probability": 0.5}])
            _clock(t, minutes=30)
            DuplicateCandidateFactory(ticket=t, original=original)

    c = login(org.centre_dispatcher)
    add(2)
    few = _queries(c, "/console/triage/")
    add(6)
    assert _queries(c, "/console/triage/") == few


@pytest.mark.parametrize(("who", "url"), [("assignee", "/console/mine/"),
                                          ("lead", "/console/unit/"),
                                          ("centre_dispatcher", "/console/open/")])
def test_the_open_queues_take_as_many_queries_for_many_rows_as_for_few(org, login, who, url):
    def add(n: int) -> None:
        for _ in range(n):
            _clock(org.ticket("assigned"), minutes=30)

    c = login(getattr(org, who))
    add(2)
    few = _queries(c, url)
    add(6)
    assert _queries(c, url) == few
