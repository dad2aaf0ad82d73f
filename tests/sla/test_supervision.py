from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from sla.models import Supervision
from sla.supervision import supervision_answer, supervision_issue
from sla.timers import sla_sweep
from tickets.core.errors import TicketInputError, TransitionForbidden
from tickets.models import Notification

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 12, 2, 10, 0, tzinfo=SH)


def _issue(org, ticket, *, actor=None, **overrides):
    values = {"level": "district", "instructions": "请今日内上门处置并回复",
              "reply_due_at": T0 + timedelta(hours=4), **overrides}
    with time_machine.travel(T0, tick=False):
        return supervision_issue(ticket=ticket, actor=actor or org.centre_supervisor.user,
                                 **values)


def test_a_supervisor_issues_an_order_the_unit_hears_of_and_answers(org):
    ticket = org.ticket("assigned")
    order = _issue(org, ticket, level="listed")
    assert (order.unit, order.level, order.issued_by) == (org.unit, "listed",
                                                          org.centre_supervisor.user)
    told = set(Notification.objects.filter(kind="supervision")
               .values_list("recipient__user__username", flat=True))
    assert told == {"lianhua.lead", "lianhua.cw1"}
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        supervision_answer(supervision=order, actor=org.assignee.user, answer="已上门，明日修复")
    order.refresh_from_db()
    assert (order.state, order.answer) == ("answered", "已上门，明日修复")
    assert list(ticket.events.filter(action__in=["supervise", "supervision_answer"])
                .values_list("action", flat=True).order_by("at")) == ["supervise",
                                                                      "supervision_answer"]
    assert Notification.objects.filter(kind="supervision_answer",
                                       recipient=org.centre_supervisor).exists()


def test_only_district_supervisors_issue_orders(org):
    ticket = org.ticket("assigned")
    for who in (org.lead, org.centre_dispatcher, org.assignee):
        with pytest.raises(TransitionForbidden):
            _issue(org, ticket, actor=who.user)
    assert not Supervision.objects.exists()


@pytest.mark.parametrize(("state", "overrides", "field"), [
    ("assigned", {"instructions": "  "}, "instructions"),
    ("assigned", {"reply_due_at": T0 - timedelta(minutes=1)}, "reply_due_at"),
    ("assigned", {"level": "mayor"}, "level"),
    ("closed", {}, "ticket"),
    ("triage", {}, "ticket"),
])
def test_a_bad_order_is_refused_field_by_field(org, state, overrides, field):
    kwargs = {} if state != "triage" else {"unit": None, "assignee": None}
    with pytest.raises(TicketInputError) as caught:
        _issue(org, org.ticket(state, **kwargs), **overrides)
    assert field in caught.value.field_errors


def test_only_the_supervised_unit_answers_and_only_once(org):
    order = _issue(org, org.ticket("assigned"))
    for who in (org.other_lead, org.centre_dispatcher, org.coworker):
        with pytest.raises(TransitionForbidden):
            supervision_answer(supervision=order, actor=who.user, answer="收到")
    with pytest.raises(TicketInputError):
        supervision_answer(supervision=order, actor=org.lead.user, answer=" ")
    supervision_answer(supervision=order, actor=org.lead.user, answer="收到，已安排")
    with pytest.raises(TicketInputError) as caught:
        supervision_answer(supervision=order, actor=org.lead.user, answer="再说一次")
    assert "已回复" in str(caught.value.field_errors)


def test_a_late_reply_is_reported_to_the_issuer_once(org):
    order = _issue(org, org.ticket("assigned"))
    sla_sweep(now=T0 + timedelta(hours=3, minutes=59))
    assert not Notification.objects.filter(kind="supervision_overdue").exists()
    sla_sweep(now=T0 + timedelta(hours=4))
    sla_sweep(now=T0 + timedelta(hours=5))
    late = Notification.objects.filter(kind="supervision_overdue")
    assert list(late.values_list("recipient", flat=True)) == [org.centre_supervisor.pk]
    order.refresh_from_db()
    assert order.overdue_notified_at == T0 + timedelta(hours=4)


def test_the_api_issues_shows_and_answers_orders_and_hides_other_units_orders(org, as_staff):
    ticket = org.ticket("assigned")
    due = (T0 + timedelta(days=400)).isoformat()
    r = as_staff(org.centre_supervisor).post(
        f"/api/tickets/{ticket.number}/supervise/",
        {"level": "district", "instructions": "请加快办理", "reply_due_at": due}, format="json")
    assert r.status_code == 200, r.json()
    [shown] = r.json()["supervisions"]
    assert (shown["level"], shown["unit"], shown["state"]) == ("district", "street-lianhua",
                                                               "open")
    r = as_staff(org.lead).post(f"/api/tickets/{ticket.number}/supervise/",
                                {"level": "district", "instructions": "x", "reply_due_at": due},
                                format="json")
    assert r.status_code == 403
    r = as_staff(org.other_lead).post(f"/api/supervisions/{shown['id']}/answer/",
                                      {"answer": "不是我们的"}, format="json")
    assert r.status_code == 404
    r = as_staff(org.lead).post(f"/api/supervisions/{shown['id']}/answer/", {"answer": ""},
                                format="json")
    assert r.status_code == 400 and r.json()["errors"] == {"answer": ["请填写回复内容"]}
    r = as_staff(org.lead).post(f"/api/supervisions/{shown['id']}/answer/",
                                {"answer": "已加派人手"}, format="json")
    assert r.status_code == 200 and r.json()["supervisions"][0]["answer"] == "已加派人手"
