"""Every ticket action through the console's forms, by the roles allowed and refused."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
from django.utils import timezone

from org.models import WeeklyShift
from sla.models import Extension, SlaClock, Supervision, Suspension
from tickets.models import AssistTask, ReturnRequest, Ruling, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_duty(org):
    for s in (org.assignee, org.coworker, org.other_caseworker):
        for weekday in range(7):
            WeeklyShift.objects.create(staff=s, weekday=weekday, starts=time(0), ends=time(0))


def _act(client, ticket, action, data):
    return client.post(f"/console/tickets/{ticket.number}/{action}/",
                       {f"{action}-{k}": v for k, v in data.items()})


def _fresh(ticket):
    return Ticket.objects.get(pk=ticket.pk)


def test_the_caseworker_contacts_meets_and_resolves_with_methods_in_the_trail(org, login):
    ticket = org.ticket("assigned")
    c = login(org.assignee)
    assert _act(c, ticket, "contact", {"method": "电话", "note": "已致电"}).status_code == 302
    assert _act(c, ticket, "meeting", {"method": "上门", "note": "到现场"}).status_code == 302
    r = _act(c, ticket, "resolve", {"reply": ""})
    assert r.status_code == 400 and "请填写答复内容" in r.content.decode()  # inline, Chinese
    assert _act(c, ticket, "resolve", {"reply": "已修复路灯"}).status_code == 302
    ticket = _fresh(ticket)
    assert ticket.state == "resolved" and ticket.reply == "已修复路灯"
    notes = list(ticket.events.filter(action__in=["record_contact", "record_meeting"])
                 .order_by("at").values_list("reason", flat=True))
    assert notes == ["【电话】已致电", "【上门】到现场"]


def test_an_action_in_the_wrong_state_or_by_the_wrong_person_is_refused_with_the_reason(
        org, login):
    ticket = org.ticket("assigned")
    r = _act(login(org.coworker), ticket, "contact", {"method": "电话"})
    assert r.status_code == 403 and "无权" in r.content.decode()
    r = _act(login(org.assignee), ticket, "resolve", {"reply": "好了"})
    assert r.status_code == 409
    r = _act(login(org.assignee), ticket, "no-such-action", {})
    assert r.status_code == 404
    assert _fresh(ticket).state == "assigned"


def test_the_page_offers_only_the_actions_the_person_may_take(org, login):
    ticket = org.ticket("assigned")
    mine = login(org.assignee).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "记录联系诉求人" in mine and "下发督办单" not in mine and "分拨派单" not in mine
    sup = login(org.centre_supervisor).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "下发督办单" in sup and "记录联系诉求人" not in sup


def test_a_dispatcher_dispatches_one_click_and_in_bulk(org, login, on_duty):
    one, two, three = (org.ticket("triage", unit=None, assignee=None) for _ in range(3))
    c = login(org.centre_dispatcher)
    assert _act(c, one, "dispatch", {"unit": "street-lianhua"}).status_code == 302
    assert _fresh(one).state == "assigned" and _fresh(one).assignee is not None
    r = c.post("/console/triage/dispatch-many/", {"unit": "water",
                                                  "numbers": [two.number, three.number]})
    assert r.status_code == 302
    assert {_fresh(t).unit.code for t in (two, three)} == {"water"}
    assert _act(login(org.assignee), org.ticket("triage", unit=None, assignee=None), "dispatch",
                {"unit": "water"}).status_code == 404  # a unit never sees triage


def test_a_dispatcher_rejects_and_merges_a_duplicate(org, login):
    spam, dup = org.ticket("triage", unit=None, assignee=None), org.ticket(
        "triage", unit=None, assignee=None)
    parent = org.ticket("assigned")
    c = login(org.centre_dispatcher)
    assert _act(c, spam, "reject", {"reason": ""}).status_code == 400
    assert _act(c, spam, "reject", {"reason": "骚扰电话"}).status_code == 302
    r = _act(c, dup, "merge", {"parent": "FT-NONE"})
    assert r.status_code == 400 and "找不到主单" in r.content.decode()
    assert _act(c, dup, "merge", {"parent": parent.number}).status_code == 302
    assert (_fresh(spam).state, _fresh(dup).state) == ("rejected", "merged")


def test_a_return_goes_to_the_lead_who_approves_it_from_the_approvals_page(org, login):
    ticket = org.ticket("assigned")
    assert _act(login(org.assignee), ticket, "return_request",
                {"reason_code": "not_our_duty", "text": "属水务"}).status_code == 302
    request = ReturnRequest.objects.get(ticket=ticket)
    page = login(org.lead).get("/console/approvals/").content.decode()
    assert ticket.number in page and "属水务" in page
    r = login(org.assignee).post(f"/console/decide/return/{request.pk}/", {"approve": "1"})
    assert _fresh(ticket).state == "assigned"  # a caseworker cannot approve
    assert login(org.assignee).get("/console/approvals/").status_code == 403
    r = login(org.lead).post(f"/console/decide/return/{request.pk}/",
                             {"approve": "1", "back": "approvals"})
    assert r.status_code == 302 and r["Location"] == "/console/approvals/"
    assert _fresh(ticket).state == "triage"


def test_the_lead_transfers_and_the_ticket_leaves_their_sight(org, login, on_duty):
    ticket = org.ticket("assigned")
    r = _act(login(org.assignee), ticket, "transfer", {"unit": "water", "reason": "x"})
    assert r.status_code == 403
    r = _act(login(org.lead), ticket, "transfer", {"unit": "water", "reason": ""})
    assert r.status_code == 400 and "请填写改派原因" in r.content.decode()
    r = _act(login(org.lead), ticket, "transfer", {"unit": "water", "reason": "属水务"})
    assert r.status_code == 302 and r["Location"] == "/console/"
    assert _fresh(ticket).unit.code == "water"


def test_an_extension_is_asked_on_the_ticket_and_approved_by_the_lead(org, login):
    from tickets.services import lifecycle as services

    ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                    actor=org.centre_dispatcher.user, unit=org.unit,
                                    assignee=org.assignee)
    later = timezone.localtime() + timedelta(days=3)
    r = _act(login(org.assignee), ticket, "extension",
             {"new_due_at": later.strftime("%Y-%m-%dT%H:%M"), "reason": ""})
    assert r.status_code == 400 and "请写明延期理由" in r.content.decode()
    r = _act(login(org.assignee), ticket, "extension",
             {"new_due_at": later.strftime("%Y-%m-%dT%H:%M"), "reason": "等配件"})
    assert r.status_code == 302
    ext = Extension.objects.get(ticket=ticket)
    r = login(org.lead).post(f"/console/decide/extension/{ext.pk}/", {"approve": "1"})
    resolve = SlaClock.objects.get(ticket=ticket, milestone="resolve", state="running")
    assert resolve.due_at == later.replace(second=0, microsecond=0)


def test_a_suspension_is_asked_approved_and_resumed_from_the_console(org, login):
    from tickets.services import lifecycle as services

    ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                    actor=org.centre_dispatcher.user, unit=org.unit,
                                    assignee=org.assignee)
    assert _act(login(org.assignee), ticket, "suspension",
                {"reason": "电话关机"}).status_code == 302
    s = Suspension.objects.get(ticket=ticket)
    login(org.lead).post(f"/console/decide/suspension/{s.pk}/", {"approve": "1"})
    page = login(org.assignee).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "暂停计时中" in page
    r = login(org.other_lead).post(f"/console/suspensions/{s.pk}/end/", {"note": "x"})
    assert r.status_code == 404
    login(org.assignee).post(f"/console/suspensions/{s.pk}/end/", {"note": "接通"})
    assert Suspension.objects.get(pk=s.pk).state == "ended"


def test_an_assisting_unit_is_added_and_replies(org, login):
    ticket = org.ticket("assigned")
    r = _act(login(org.lead), ticket, "assist", {"unit": "water", "task": "关阀"})
    assert r.status_code == 302
    task = AssistTask.objects.get(ticket=ticket)
    assert task.assignee is None or task.unit.code == "water"
    page = login(org.other_lead).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "关阀" in page  # the assisting unit sees the ticket and its task
    r = login(org.other_lead).post(f"/console/assist-tasks/{task.pk}/reply/", {"reply": "已关阀"})
    assert AssistTask.objects.get(pk=task.pk).reply == "已关阀"


def test_the_follow_up_reopens_an_unsatisfied_ticket_and_only_the_centre_records_it(org,
                                                                                    login):
    ticket = org.ticket("resolved")
    r = _act(login(org.assignee), ticket, "follow_up", {"satisfaction": "unsatisfied"})
    assert r.status_code == 403
    r = _act(login(org.centre_dispatcher), ticket, "follow_up",
             {"satisfaction": "unsatisfied", "note": "未修好"})
    assert r.status_code == 302 and _fresh(ticket).state == "assigned"


def test_a_supervisor_issues_an_order_and_the_unit_answers_on_the_ticket_page(org, login):
    ticket = org.ticket("assigned")
    due = (timezone.localtime() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    r = _act(login(org.lead), ticket, "supervise",
             {"level": "district", "instructions": "x", "reply_due_at": due})
    assert r.status_code == 403
    r = _act(login(org.centre_supervisor), ticket, "supervise",
             {"level": "district", "instructions": "", "reply_due_at": due})
    assert r.status_code == 400 and "请填写督办意见" in r.content.decode()
    _act(login(org.centre_supervisor), ticket, "supervise",
         {"level": "district", "instructions": "今日办结", "reply_due_at": due})
    order = Supervision.objects.get(ticket=ticket)
    page = login(org.assignee).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "今日办结" in page and "回复督办" in page
    login(org.assignee).post(f"/console/supervisions/{order.pk}/answer/", {"answer": "已办"})
    assert Supervision.objects.get(pk=order.pk).state == "answered"


def test_a_supervisor_rules_on_a_ticket_returned_twice(org, login, on_duty):
    ticket = org.ticket("triage", unit=None, assignee=None)
    ruling = Ruling.objects.create(ticket=ticket, returned_by=["street-lianhua", "water"],
                                   requested_at=timezone.now())
    c = login(org.centre_supervisor)
    assert ticket.number in c.get("/console/rulings/").content.decode()
    r = c.post(f"/console/rulings/{ruling.pk}/decide/", {"unit": "water", "reason": "职责所在"})
    assert r.status_code == 302 and _fresh(ticket).unit.code == "water"
    assert login(org.assignee).post(f"/console/rulings/{ruling.pk}/decide/",
                                    {"unit": "water", "reason": "x"}).status_code == 404


@pytest.mark.parametrize(("action", "who", "state", "data"), [
    ("contact", "coworker", "assigned", {"method": "电话"}),
    ("meeting", "centre_supervisor", "contacted", {"method": "上门"}),
    ("resolve", "centre_dispatcher", "met", {"reply": "好了"}),
    ("return_request", "centre_supervisor", "assigned", {"reason_code": "other", "text": "x"}),
    ("transfer", "coworker", "assigned", {"unit": "water", "reason": "x"}),
    ("extension", "coworker", "assigned", {"new_due_at": "2030-01-01T10:00", "reason": "x"}),
    ("suspension", "coworker", "assigned", {"reason": "x"}),
    ("assist", "assignee", "assigned", {"unit": "water", "task": "x"}),
    ("merge", "lead", "assigned", {"parent": "FT-X"}),
    ("follow_up", "lead", "resolved", {"satisfaction": "satisfied"}),
    ("supervise", "centre_dispatcher", "assigned",
     {"level": "district", "instructions": "x", "reply_due_at": "2030-01-01T10:00"}),
    ("reject", "centre_supervisor", "triage", {"reason": "x"}),
    ("dispatch", "centre_supervisor", "triage", {"unit": "water"}),
])
def test_each_action_is_refused_to_a_role_that_may_see_the_ticket_but_not_do_it(
        org, login, action, who, state, data):
    kwargs = {"unit": None, "assignee": None} if state == "triage" else {}
    ticket = org.ticket(state, **kwargs)
    if action == "merge":
        data = {"parent": org.ticket("assigned").number}
    before = ticket.events.count()
    r = _act(login(getattr(org, who)), ticket, action, data)
    assert r.status_code == 403, r.content.decode()[:300]
    assert "无权" in r.content.decode()
    assert ticket.events.count() == before


def test_a_refusal_without_a_reason_is_reported_on_the_approvals_page_and_changes_nothing(
        org, login):
    from tickets.services import lifecycle as services

    ticket = services.ticket_assign(ticket=org.ticket("triage", urgency="urgent"),
                                    actor=org.centre_dispatcher.user, unit=org.unit,
                                    assignee=org.assignee)
    later = timezone.localtime() + timedelta(days=2)
    _act(login(org.assignee), ticket, "extension",
         {"new_due_at": later.strftime("%Y-%m-%dT%H:%M"), "reason": "等配件"})
    ext = Extension.objects.get(ticket=ticket)
    c = login(org.lead)
    r = c.post(f"/console/decide/extension/{ext.pk}/",
               {"approve": "0", "note": "", "back": "approvals"}, follow=True)
    assert "驳回请写明理由" in r.content.decode()
    assert Extension.objects.get(pk=ext.pk).state == "pending"
