from __future__ import annotations

from datetime import time

import pytest

from org.models import WeeklyShift
from tickets.models import AssistTask, ReturnRequest, Ruling


@pytest.fixture
def on_duty(org):
    for s in (org.assignee, org.coworker, org.other_caseworker):
        for weekday in range(7):
            WeeklyShift.objects.create(staff=s, weekday=weekday, starts=time(0), ends=time(0))


def _post(client, path, data=None):
    return client.post(path, data or {}, format="json")


def test_a_dispatcher_dispatches_and_the_roster_names_the_person(org, as_staff, on_duty):
    ticket = org.ticket("triage")
    r = _post(as_staff(org.centre_dispatcher), f"/api/tickets/{ticket.number}/dispatch/",
              {"unit": "street-lianhua", "reason": "街道事务"})
    assert r.status_code == 200, r.json()
    assert r.json()["state"] == "assigned" and r.json()["assignee"] in ("lianhua.cw1",
                                                                       "lianhua.cw2")


def test_only_dispatchers_dispatch_even_among_those_who_see_every_ticket(org, as_staff,
                                                                         on_duty):
    ticket = org.ticket("triage")
    r = _post(as_staff(org.centre_supervisor), f"/api/tickets/{ticket.number}/dispatch/",
              {"unit": "street-lianhua"})
    assert r.status_code == 403 and "无权" in r.json()["detail"]
    assert ticket.events.filter(action="assign").count() == 0


def test_a_unit_caseworker_does_not_even_see_a_ticket_in_triage(org, as_staff):
    ticket = org.ticket("triage")
    r = _post(as_staff(org.assignee), f"/api/tickets/{ticket.number}/dispatch/",
              {"unit": "street-lianhua"})
    assert r.status_code == 404


def test_another_units_ticket_is_not_found_rather_than_forbidden(org, as_staff):
    ticket = org.ticket("assigned")
    r = _post(as_staff(org.other_caseworker), f"/api/tickets/{ticket.number}/contact/")
    assert r.status_code == 404


def test_wrong_state_is_a_conflict_and_bad_input_is_explained_in_chinese(org, as_staff):
    ticket = org.ticket("assigned")
    caseworker = as_staff(org.assignee)
    r = _post(caseworker, f"/api/tickets/{ticket.number}/resolve/", {"reply": "好了"})
    assert r.status_code == 409 and r.json()["code"] == "illegal_transition"
    _post(caseworker, f"/api/tickets/{ticket.number}/contact/", {"note": "电话联系"})
    _post(caseworker, f"/api/tickets/{ticket.number}/meeting/", {"note": "到场"})
    r = _post(caseworker, f"/api/tickets/{ticket.number}/resolve/", {"reply": "  "})
    assert r.status_code == 400 and r.json()["errors"]["reply"] == ["请填写答复内容"]
    r = _post(caseworker, f"/api/tickets/{ticket.number}/resolve/", {"reply": "已修复"})
    assert r.status_code == 200 and r.json()["state"] == "resolved"


def test_a_stale_version_is_refused_with_409(org, as_staff):
    ticket = org.ticket("assigned")
    r = _post(as_staff(org.assignee), f"/api/tickets/{ticket.number}/contact/",
              {"version": ticket.version - 1 if ticket.version > 1 else 99})
    assert r.status_code == 409 and r.json()["code"] == "conflict"


def test_a_caseworker_cannot_rule_or_close_as_unreasonable(org, as_staff):
    ticket = org.ticket("assigned", satisfaction="unsatisfied")
    r = _post(as_staff(org.assignee), f"/api/tickets/{ticket.number}/close-unreasonable/",
              {"reason": "不合理"})
    assert r.status_code == 403
    r = _post(as_staff(org.centre_supervisor),
              f"/api/tickets/{ticket.number}/close-unreasonable/", {"reason": "超出政策范围"})
    assert r.status_code == 200 and r.json()["state"] == "closed"


def test_bulk_dispatch_answers_per_ticket(org, as_staff, on_duty):
    a, b = org.ticket("triage"), org.ticket("resolved")
    r = _post(as_staff(org.centre_dispatcher), "/api/tickets/dispatch-many/",
              {"numbers": [a.number, b.number, "FT-NOPE"], "unit": "street-lianhua"})
    assert r.status_code == 200
    assert [(o["number"], o["ok"]) for o in r.json()] == [
        (a.number, True), (b.number, False), ("FT-NOPE", False)]


def test_return_request_then_the_leads_decision_through_the_api(org, as_staff):
    ticket = org.ticket("assigned")
    r = _post(as_staff(org.assignee), f"/api/tickets/{ticket.number}/return-request/",
              {"reason_code": "not_our_duty", "text": "归水务"})
    assert r.status_code == 200 and r.json()["state"] == "assigned"
    request = ReturnRequest.objects.get(ticket=ticket)
    r = _post(as_staff(org.coworker), f"/api/return-requests/{request.pk}/decide/",
              {"approve": True})
    assert r.status_code == 403
    r = _post(as_staff(org.lead), f"/api/return-requests/{request.pk}/decide/",
              {"approve": True})
    assert r.status_code == 200 and r.json()["state"] == "triage"


def test_a_ruling_through_the_api_is_the_supervisors(org, as_staff, on_duty):
    ticket = org.ticket("triage")
    ruling = Ruling.objects.create(ticket=ticket, returned_by=["a", "b"],
                                   requested_at=ticket.received_at)
    r = _post(as_staff(org.centre_dispatcher), f"/api/rulings/{ruling.pk}/decide/",
              {"unit": "water", "reason": "x"})
    assert r.status_code == 403
    r = _post(as_staff(org.centre_supervisor), f"/api/rulings/{ruling.pk}/decide/",
              {"unit": "water", "reason": "供水设施"})
    assert r.status_code == 200 and r.json()["unit"] == "water"


def test_assisting_through_the_api(org, as_staff, on_duty):
    ticket = org.ticket("met")
    r = _post(as_staff(org.lead), f"/api/tickets/{ticket.number}/assist/",
              {"unit": "water", "task": "查管网"})
    assert r.status_code == 200 and r.json()["assisting_units"] == ["water"]
    task = AssistTask.objects.get(ticket=ticket)
    r = _post(as_staff(org.other_caseworker), f"/api/assist-tasks/{task.pk}/reply/",
              {"reply": "正常"})
    assert r.status_code == 200


def test_the_reports_are_for_the_centre_only(org, as_staff):
    assert as_staff(org.assignee).get("/api/reports/dispatch-accuracy/").status_code == 403
    assert as_staff(org.lead).get("/api/reports/satisfaction/").status_code == 403
    r = as_staff(org.centre_supervisor).get("/api/reports/dispatch-accuracy/")
    assert r.status_code == 200 and r.json()[-1]["unit"] == ""
    r = as_staff(org.centre_dispatcher).get("/api/reports/satisfaction/?since=2026-01-01T00:00")
    assert r.status_code == 200 and r.json() == []


def test_every_action_is_in_the_openapi_schema(org, as_staff):
    paths = as_staff(org.centre_dispatcher).get("/api/schema/?format=json").json()["paths"]
    for action in ("dispatch", "reroute", "reject", "merge", "reassign", "contact", "meeting",
                   "resolve", "follow-up", "close-unreasonable", "return-request", "assist"):
        assert f"/api/tickets/{{number}}/{action}/" in paths, action
    assert "/api/rulings/{id}/decide/" in paths and "/api/tickets/dispatch-many/" in paths
