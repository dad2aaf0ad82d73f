"""No input makes the API or the console answer a 5xx: control characters are a 400 naming
the field, a path that is no ticket is a 404, times PostgreSQL cannot store are a 400, and
OPTIONS answers on every endpoint. One test per class of 500 the schema fuzzer found."""

from __future__ import annotations

from datetime import time

import pytest

from org.models import WeeklyShift
from tickets.models import AssistTask, ReturnRequest, Ruling

NUL = "a\u0000"


@pytest.fixture
def on_duty(org):
    for s in (org.assignee, org.coworker, org.other_caseworker):
        for weekday in range(7):
            WeeklyShift.objects.create(staff=s, weekday=weekday, starts=time(0), ends=time(0))


def _post(client, path, data):
    return client.post(path, data, format="json")


# --- control characters in what is sent -----------------------------------------------------------

@pytest.mark.parametrize(("state", "role", "action", "data", "field"), [
    ("triage", "centre_dispatcher", "dispatch", {"unit": NUL}, "unit"),
    ("triage", "centre_dispatcher", "dispatch", {"unit": "water", "assignee": NUL}, "assignee"),
    ("assigned", "centre_dispatcher", "reroute", {"unit": NUL, "reason": "x"}, "unit"),
    ("assigned", "lead", "reassign", {"assignee": NUL}, "assignee"),
    ("met", "lead", "assist", {"unit": NUL, "task": "查管网"}, "unit"),
    ("triage", "centre_dispatcher", "reject", {"reason": "垃圾\u0007信息"}, "reason"),
    ("assigned", "assignee", "contact", {"note": "电话\u001b联系"}, "note"),
    ("met", "assignee", "resolve", {"reply": "已\u0085修复"}, "reply"),
    ("triage", "centre_dispatcher", "merge", {"parent": NUL}, "parent"),
])
def test_a_control_character_in_an_action_is_a_400_naming_the_field(
        org, as_staff, on_duty, state, role, action, data, field):
    ticket = org.ticket(state)
    r = _post(as_staff(getattr(org, role)), f"/api/tickets/{ticket.number}/{action}/", data)
    assert r.status_code == 400, r.content
    assert field in r.json()
    assert any("控制字符" in message for message in r.json()[field]), r.json()
    ticket.refresh_from_db()
    assert ticket.state == state


def test_a_nul_in_a_bulk_dispatch_is_a_400(org, as_staff):
    ticket = org.ticket("triage")
    client = as_staff(org.centre_dispatcher)
    r = _post(client, "/api/tickets/dispatch-many/", {"numbers": [ticket.number], "unit": NUL})
    assert r.status_code == 400 and "unit" in r.json()
    r = _post(client, "/api/tickets/dispatch-many/", {"numbers": [NUL], "unit": "water"})
    assert r.status_code == 400 and "numbers" in r.json()


def test_a_nul_in_a_ruling_is_a_400(org, as_staff):
    ticket = org.ticket("triage")
    ruling = Ruling.objects.create(ticket=ticket, returned_by=["a", "b"],
                                   requested_at=ticket.received_at)
    client = as_staff(org.centre_supervisor)
    r = _post(client, f"/api/rulings/{ruling.pk}/decide/", {"unit": NUL, "reason": "x"})
    assert r.status_code == 400 and "unit" in r.json()
    r = _post(client, f"/api/rulings/{ruling.pk}/decide/", {"unit": "water", "reason": "\x00"})
    assert r.status_code == 400 and "reason" in r.json()


@pytest.mark.parametrize("query", ["unit=a%00", "channel=a%00", "q=a%00b", "q=a%07b"])
def test_a_control_character_in_a_filter_is_a_400_naming_it(org, as_staff, query):
    r = as_staff(org.centre_dispatcher).get(f"/api/tickets/?{query}")
    assert r.status_code == 400 and query.split("=")[0] in r.json()


# --- paths that are no ticket ---------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/tickets/a%00b/", "/api/tickets/a%00b/events/",
                                  "/api/tickets/a%20b/", "/api/tickets/%E2%80%A8/"])
def test_a_ticket_number_with_nul_or_junk_is_a_404(org, as_staff, path):
    r = as_staff(org.centre_dispatcher).get(path)
    assert r.status_code == 404
    assert r.json()["code"] == "not_found"


def test_an_action_on_a_number_with_nul_is_a_404(org, as_staff):
    r = _post(as_staff(org.centre_dispatcher), "/api/tickets/a%00b/dispatch/", {"unit": "water"})
    assert r.status_code == 404


@pytest.mark.parametrize("path", ["/console/tickets/a%00b/", "/console/tickets/a%00b/reveal/",
                                  "/console/tickets/a%00b/dispatch/"])
def test_a_console_ticket_path_with_nul_is_a_404(org, client, path):
    client.force_login(org.centre_dispatcher.user)
    answer = client.post(path) if path.endswith(("reveal/", "dispatch/")) else client.get(path)
    assert answer.status_code == 404


def test_a_console_form_with_a_nul_unit_is_a_form_error(org, client):
    ticket = org.ticket("triage")
    client.force_login(org.centre_dispatcher.user)
    answer = client.post(f"/console/tickets/{ticket.number}/dispatch/",
                         {"dispatch-unit": NUL, "dispatch-reason": "x"})
    assert answer.status_code == 400
    assert "控制字符" in answer.content.decode()


def test_a_control_character_typed_in_a_console_form_is_a_form_error(org, client):
    ticket = org.ticket("triage")
    client.force_login(org.centre_dispatcher.user)
    answer = client.post(f"/console/tickets/{ticket.number}/reject/",
                         {"reject-reason": "重复\u0007投诉"})
    assert answer.status_code == 400 and "U+0007" in answer.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "triage"


def test_a_console_bulk_dispatch_with_nul_is_refused_without_a_500(org, client):
    ticket = org.ticket("triage")
    client.force_login(org.centre_dispatcher.user)
    answer = client.post("/console/triage/dispatch-many/", {"numbers": [NUL], "unit": "water"})
    assert answer.status_code == 302
    answer = client.post("/console/triage/dispatch-many/",
                         {"numbers": [ticket.number], "unit": NUL})
    assert answer.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "triage"


# --- times ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["2026-01-01T00:00:00%2B20:00", "2026-01-01T00:00:00-13:00",
                                   "0001-01-01T00:00:00%2B01:00", "9999-12-31T23:59:59-10:00"])
def test_an_out_of_range_time_in_a_filter_is_a_400(org, as_staff, value):
    for name in ("received_after", "received_before"):
        r = as_staff(org.centre_dispatcher).get(f"/api/tickets/?{name}={value}")
        assert r.status_code == 400 and name in r.json(), r.content


@pytest.mark.parametrize("report", ["dispatch-accuracy", "satisfaction"])
@pytest.mark.parametrize("value", ["2026-01-01T00:00:00%2B20:00", "2026-02-30T00:00:00",
                                   "0001-01-01T00:00:00%2B01:00", "yesterday"])
def test_an_out_of_range_report_window_is_a_400_naming_the_parameter(
        org, as_staff, report, value):
    client = as_staff(org.centre_supervisor)
    for name in ("since", "until"):
        r = client.get(f"/api/reports/{report}/?{name}={value}")
        assert r.status_code == 400, r.content
        assert r.json()["code"] == "invalid" and name in r.json()["errors"]


def test_an_in_range_report_window_still_works(org, as_staff):
    r = as_staff(org.centre_supervisor).get(
        "/api/reports/satisfaction/?since=2026-01-01T00:00:00%2B14:00&until=2026-12-01")
    assert r.status_code == 200


def test_an_absurd_deadline_in_an_action_is_a_400(org, as_staff):
    ticket = org.ticket("assigned")
    r = _post(as_staff(org.centre_supervisor), f"/api/tickets/{ticket.number}/supervise/",
              {"level": "district", "instructions": "请办理",
               "reply_due_at": "0001-01-01T00:00:00+01:00"})
    assert r.status_code == 400 and "reply_due_at" in r.json()


# --- OPTIONS --------------------------------------------------------------------------------------

def test_options_answers_on_every_row_action_and_describes_its_input(org, as_staff):
    ticket = org.ticket("assigned")
    request = ReturnRequest.objects.create(ticket=ticket, unit=org.unit, reason_code="other",
                                           text="x", requested_by=org.assignee.user,
                                           requested_at=ticket.received_at)
    task = AssistTask.objects.create(ticket=ticket, unit=org.other_unit, task="x",
                                     created_at=ticket.received_at)
    client = as_staff(org.lead)
    for path, field in [(f"/api/return-requests/{request.pk}/decide/", "approve"),
                        (f"/api/assist-tasks/{task.pk}/reply/", "reply"),
                        ("/api/rulings/1/decide/", "unit"), ("/api/extensions/1/decide/", "note"),
                        ("/api/suspensions/1/decide/", "approve"),
                        ("/api/suspensions/1/end/", "note"),
                        ("/api/supervisions/1/answer/", "answer")]:
        r = client.options(path)
        assert r.status_code == 200, (path, r.content)
        assert field in r.json()["actions"]["POST"], path


def test_options_answers_on_the_ticket_endpoints(org, as_staff):
    ticket = org.ticket("triage")
    client = as_staff(org.centre_dispatcher)
    for path in ("/api/tickets/", f"/api/tickets/{ticket.number}/",
                 f"/api/tickets/{ticket.number}/dispatch/", "/api/tickets/dispatch-many/",
                 f"/api/tickets/{ticket.number}/events/", "/api/reports/satisfaction/"):
        assert client.options(path).status_code == 200, path


# --- DRF's own refusals ---------------------------------------------------------------------------

def test_a_body_that_is_not_json_is_a_400_in_the_apis_shape(org, as_staff):
    ticket = org.ticket("triage")
    r = as_staff(org.centre_dispatcher).post(f"/api/tickets/{ticket.number}/dispatch/",
                                             b"\x00", content_type="application/json")
    assert r.status_code == 400
    assert r.json()["code"] == "parse_error" and r.json()["detail"]
