from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import time_machine

from tickets.dispatching.duplicates import duplicate_candidates_find, text_similarity
from tickets.models import DuplicateCandidate, Ticket

SH = ZoneInfo("Asia/Shanghai")
NOISE = "沙尾村路口每天晚上都堆满共享单车，盲道和消防通道都被占了，请尽快清理。"


def _payload(n: int, content: str, phone: str = "13688881234", address: str = "沙尾村路口"):
    return {"submission_id": f"s-{n}", "title": "共享单车堆放", "content": content,
            "contact": {"phone": phone}, "address": address}


def test_similar_text_scores_high_and_different_text_low():
    assert text_similarity(NOISE, NOISE.replace("每天晚上", "天天晚上")) > 0.8
    assert text_similarity(NOISE, "建议增加莲花山公园周边公交班次") < 0.1


def test_a_near_repeat_from_the_same_phone_is_linked_not_merged(post_and_settle, channel_of):
    channel = channel_of("web_form")
    first = post_and_settle(channel, _payload(1, NOISE)).json()
    second = post_and_settle(channel, _payload(2, NOISE.replace("请尽快清理", "请赶快处理"))).json()
    candidate = DuplicateCandidate.objects.get()
    assert candidate.ticket.number == second["ticket_number"]
    assert candidate.original.number == first["ticket_number"]
    assert {"same_phone", "same_address", "similar_text"} <= set(candidate.reasons)
    repeat = Ticket.objects.get(number=second["ticket_number"])
    assert repeat.state != "merged" and repeat.parent is None  # linked, not merged


def test_the_same_address_alone_is_enough_with_similar_text(post_and_settle, channel_of):
    channel = channel_of("web_form")
    post_and_settle(channel, _payload(1, NOISE, phone="13688881234"))
    post_and_settle(channel, _payload(2, NOISE, phone="13900001111"))
    assert DuplicateCandidate.objects.get().reasons == ["same_address", "similar_text"]


def test_different_text_from_the_same_citizen_is_not_a_duplicate(post_and_settle, channel_of):
    channel = channel_of("web_form")
    post_and_settle(channel, _payload(1, NOISE))
    post_and_settle(channel, _payload(2, "小区门口路灯不亮已经一周了", address="景田路"))
    assert not DuplicateCandidate.objects.exists()


def test_closed_tickets_and_tickets_older_than_seven_days_are_ignored(post_and_settle, channel_of):
    channel = channel_of("web_form")
    with time_machine.travel(datetime(2026, 11, 1, 9, 0, tzinfo=SH), tick=False):
        post_and_settle(channel, _payload(1, NOISE))
    with time_machine.travel(datetime(2026, 11, 20, 9, 0, tzinfo=SH), tick=False):
        closed = post_and_settle(channel, _payload(2, NOISE)).json()
    Ticket.objects.filter(number=closed["ticket_number"]).update(state="closed")
    with time_machine.travel(datetime(2026, 11, 21, 9, 0, tzinfo=SH), tick=False):
        post_and_settle(channel, _payload(3, NOISE))
    assert not DuplicateCandidate.objects.exists()


def test_a_ticket_without_phone_or_address_finds_nothing(org):
    ticket = org.ticket("received", citizen_phone="", address="")
    assert duplicate_candidates_find(ticket=ticket) == []


def test_running_the_check_twice_adds_nothing(post_and_settle, channel_of):
    from tickets.dispatching.duplicates import duplicate_check

    channel = channel_of("web_form")
    post_and_settle(channel, _payload(1, NOISE))
    second = post_and_settle(channel, _payload(2, NOISE)).json()
    ticket = Ticket.objects.get(number=second["ticket_number"])
    duplicate_check(ticket_id=ticket.pk)
    assert DuplicateCandidate.objects.count() == 1
