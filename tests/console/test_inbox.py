"""The inbox (通知): the bell's unread count on every page, one's own notices only, marking
them read, urgent ones highlighted, ticket links only while the ticket is still in sight."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tickets.models import Notification
from tickets.outbox.notifications import notification_mark_read, notification_send
from tickets.selectors.inbox import notification_unread_count

pytestmark = pytest.mark.django_db

BELL_LABEL = re.compile(r'id="inbox-bell".*?aria-label="未读通知 (\d+) 条"', re.S)
BELL_COUNT = re.compile(r'<span class="bell-count"( hidden)? aria-hidden="true">([^<]*)</span>')


def _notice(staff, *, ticket=None, kind="assigned", text="新工单", read=False) -> Notification:
    [row] = notification_send(recipients=[staff], ticket=ticket, kind=kind, text=text)
    if read:
        Notification.objects.filter(pk=row.pk).update(read_at=timezone.now())
    return row


def _bell(html: str) -> tuple[int, bool, str]:
    """(the count in the accessible label, whether the badge is hidden, the badge text)."""
    label, badge = BELL_LABEL.search(html), BELL_COUNT.search(html)
    assert label is not None and badge is not None, "no bell on the page"
    return int(label.group(1)), badge.group(1) is not None, badge.group(2)


def _notices(html: str) -> list[str]:
    """The ids of the notices listed, top to bottom."""
    return re.findall(r'<li class="notice[^"]*" id="notice-(\d+)"', html)


def _classes(html: str, row: Notification) -> set[str]:
    found = re.search(rf'<li class="([^"]*)" id="notice-{row.pk}"', html)
    assert found is not None, f"notice {row.pk} not listed"
    return set(found.group(1).split())


# --- the bell ----------------------------------------------------------------------------------

def test_the_bell_counts_only_ones_own_unread_notices_on_every_page(org, login):
    _notice(org.assignee)
    _notice(org.assignee, kind="sla_breach")
    _notice(org.assignee, read=True)
    _notice(org.coworker)
    client = login(org.assignee)
    for path in ("/console/mine/", f"/console/tickets/{org.ticket('assigned').number}/"):
        assert _bell(client.get(path).content.decode()) == (2, False, "2")


def test_the_bell_hides_its_badge_at_zero(org, login):
    _notice(org.lead, read=True)
    assert _bell(login(org.lead).get("/console/unit/").content.decode()) == (0, True, "0")


def test_the_bell_polls_its_own_fragment_every_ten_seconds(org, login):
    client = login(org.assignee)
    page = client.get("/console/mine/").content.decode()
    assert re.search(r'id="inbox-bell"[^>]*hx-get="/console/inbox/bell/"[^>]*'
                     r'hx-trigger="every 10s"[^>]*hx-swap="outerHTML"', page)
    assert 'href="/console/inbox/"' in page
    _notice(org.assignee)
    fragment = client.get("/console/inbox/bell/").content.decode()
    assert "<html" not in fragment and fragment.strip().startswith('<span id="inbox-bell"')
    assert _bell(fragment) == (1, False, "1")


def test_a_superuser_without_a_staff_row_has_no_bell_and_an_inbox_that_says_why(superuser,
                                                                                client):
    client.force_login(superuser)
    page = client.get("/console/overview/").content.decode()
    assert "inbox-bell" not in page
    assert client.get("/console/inbox/bell/").content.decode().strip() == ""
    inbox = client.get("/console/inbox/")
    assert inbox.status_code == 200
    assert "没有关联工作人员档案，没有个人通知" in inbox.content.decode()
    assert client.post("/console/inbox/read/", {"all": "1"}).status_code == 404


def test_the_unread_count_is_read_from_the_partial_index(org):
    """notification_unread (recipient, created_at) WHERE read_at IS NULL: the bell runs on
    every page of every person, so its count must not scan a person's whole history."""
    if connection.vendor != "postgresql":
        pytest.skip("the partial index is PostgreSQL's plan")
    for _ in range(3):
        _notice(org.assignee)
    with CaptureQueriesContext(connection) as queries:
        assert notification_unread_count(staff=org.assignee) == 3
    [query] = [q["sql"] for q in queries.captured_queries if "tickets_notification" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a three-row table is scanned else
        cursor.execute(f"EXPLAIN {query}")
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "notification_unread" in plan, plan


# --- the list ----------------------------------------------------------------------------------

def test_the_inbox_lists_ones_own_notices_newest_first(org, login):
    start = timezone.now()
    with time_machine.travel(start - timedelta(hours=2), tick=False):
        older = _notice(org.assignee, text="较早的通知")
    with time_machine.travel(start - timedelta(hours=1), tick=False):
        newer = _notice(org.assignee, text="较新的通知")
    theirs = _notice(org.coworker, text="同事的通知")
    html = login(org.assignee).get("/console/inbox/").content.decode()
    assert _notices(html) == [str(newer.pk), str(older.pk)]
    assert "同事的通知" not in html and f"notice-{theirs.pk}" not in html
    local = timezone.localtime(newer.created_at)
    assert f"{local:%Y-%m-%d %H:%M}" in html


def test_the_unread_filter_leaves_out_the_read_ones(org, login):
    unread = _notice(org.assignee)
    read = _notice(org.assignee, read=True)
    client = login(org.assignee)
    assert set(_notices(client.get("/console/inbox/").content.decode())) == {
        str(unread.pk), str(read.pk)}
    html = client.get("/console/inbox/?show=unread").content.decode()
    assert _notices(html) == [str(unread.pk)]
    assert "unread" in _classes(html, unread)


def test_the_inbox_pages_by_fifty(org, login):
    notification_send(recipients=[org.assignee], ticket=None, kind="report", text="x")
    Notification.objects.bulk_create([Notification(recipient=org.assignee, kind="report",
                                                   text=f"第 {i} 条") for i in range(50)])
    client = login(org.assignee)
    assert len(_notices(client.get("/console/inbox/").content.decode())) == 50
    second = client.get("/console/inbox/?page=2").content.decode()
    assert len(_notices(second)) == 1 and "2 / 2" in second


def test_urgent_kinds_are_highlighted_with_their_chinese_label(org, login):
    ticket = org.ticket("assigned")
    breach = _notice(org.assignee, ticket=ticket, kind="sla_breach", text="已超时")
    order = _notice(org.assignee, ticket=ticket, kind="supervision", text="被督办")
    plain = _notice(org.assignee, ticket=ticket, kind="assigned", text="新工单")
    html = login(org.assignee).get("/console/inbox/").content.decode()
    assert "urgent" in _classes(html, breach) and "urgent" in _classes(html, order)
    assert "urgent" not in _classes(html, plain)
    assert '<span class="kind">已超时</span>' in html
    assert '<span class="kind">督办</span>' in html
    assert '<span class="kind">新派工单</span>' in html


def test_the_poll_returns_the_list_alone_with_new_notices(org, login):
    client = login(org.assignee)
    page = client.get("/console/inbox/").content.decode()
    assert re.search(r'id="inbox-list" hx-get="/console/inbox/\?partial=1" '
                     r'hx-trigger="every 10s"', page)
    fresh = _notice(org.assignee, text="刚到的通知")
    fragment = client.get("/console/inbox/?partial=1", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in fragment and _notices(fragment) == [str(fresh.pk)]


def test_the_ticket_link_shows_only_while_the_ticket_is_in_sight(org, login):
    ours = org.ticket("assigned")
    gone = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    here = _notice(org.assignee, ticket=ours, text="在本单位")
    moved = _notice(org.assignee, ticket=gone, text=f"工单 {gone.number} 已转走")
    html = login(org.assignee).get("/console/inbox/").content.decode()
    assert f'href="/console/inbox/{here.pk}/open/"' in html
    assert f'/console/inbox/{moved.pk}/open/' not in html
    assert f'/console/tickets/{gone.number}/' not in html
    assert f"工单 {gone.number} 已转走" in html  # the text stays, as plain text


def test_a_read_notice_links_straight_to_its_ticket(org, login):
    ticket = org.ticket("assigned")
    row = _notice(org.assignee, ticket=ticket, read=True)
    html = login(org.assignee).get("/console/inbox/").content.decode()
    assert f'href="/console/tickets/{ticket.number}/"' in html
    assert f"/console/inbox/{row.pk}/open/" not in html


# --- marking read ------------------------------------------------------------------------------

def test_marking_one_read_marks_that_one_only(org, login):
    one, other = _notice(org.assignee), _notice(org.assignee)
    response = login(org.assignee).post("/console/inbox/read/", {
        "id": one.pk, "next": "/console/inbox/?show=unread"})
    assert response.status_code == 302 and response["Location"] == "/console/inbox/?show=unread"
    one.refresh_from_db(), other.refresh_from_db()
    assert one.read_at is not None and other.read_at is None


def test_marking_all_read_marks_all_of_ones_own_and_nobody_elses(org, login):
    mine = [_notice(org.assignee), _notice(org.assignee, kind="sla_breach")]
    theirs = _notice(org.coworker)
    client = login(org.assignee)
    assert client.post("/console/inbox/read/", {"all": "1"}).status_code == 302
    assert all(Notification.objects.get(pk=r.pk).read_at is not None for r in mine)
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert _bell(client.get("/console/mine/").content.decode()) == (0, True, "0")


def test_marking_read_again_changes_nothing(org):
    row = _notice(org.assignee)
    assert notification_mark_read(staff=org.assignee, ids=[row.pk]) == 1
    first = Notification.objects.get(pk=row.pk).read_at
    assert notification_mark_read(staff=org.assignee, ids=[row.pk]) == 0
    assert notification_mark_read(staff=org.assignee) == 0
    assert Notification.objects.get(pk=row.pk).read_at == first


def test_the_service_never_marks_another_persons_notice(org):
    theirs = _notice(org.coworker)
    assert notification_mark_read(staff=org.assignee, ids=[theirs.pk]) == 0
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_another_persons_notice_is_not_found(org, login):
    theirs = _notice(org.coworker, ticket=org.ticket("assigned"))
    client = login(org.assignee)
    assert client.get(f"/console/inbox/{theirs.pk}/open/").status_code == 404
    assert client.post("/console/inbox/read/", {"id": theirs.pk}).status_code == 404
    # Mixed with one's own, still refused as a whole.
    mine = _notice(org.assignee)
    assert client.post("/console/inbox/read/", {"id": [mine.pk, theirs.pk]}).status_code == 404
    assert Notification.objects.get(pk=theirs.pk).read_at is None
    assert Notification.objects.get(pk=mine.pk).read_at is None


def test_marking_read_is_a_post_with_the_csrf_token(org, login):
    row = _notice(org.assignee)
    client = login(org.assignee, csrf=True)
    assert client.get("/console/inbox/read/").status_code == 405
    assert client.post("/console/inbox/read/", {"id": row.pk}).status_code == 403
    assert Notification.objects.get(pk=row.pk).read_at is None


def test_opening_a_notice_marks_it_read_and_goes_to_its_ticket(org, login):
    ticket = org.ticket("assigned")
    row = _notice(org.assignee, ticket=ticket, kind="sla_breach")
    response = login(org.assignee).get(f"/console/inbox/{row.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == f"/console/tickets/{ticket.number}/"
    assert Notification.objects.get(pk=row.pk).read_at is not None


def test_opening_a_notice_whose_ticket_has_gone_marks_it_read_and_stays_in_the_inbox(org,
                                                                                    login):
    gone = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    row = _notice(org.assignee, ticket=gone)
    response = login(org.assignee).get(f"/console/inbox/{row.pk}/open/", follow=True)
    assert response.redirect_chain == [("/console/inbox/", 302)]
    assert "该工单已不在您的可见范围内" in response.content.decode()
    assert Notification.objects.get(pk=row.pk).read_at is not None


def test_an_old_notice_keeps_its_time(org, login):
    with time_machine.travel(datetime(2026, 3, 2, 1, 30, tzinfo=timezone.get_current_timezone()),
                             tick=False):
        _notice(org.assignee)
    assert "2026-03-02 01:30" in login(org.assignee).get("/console/inbox/").content.decode()
