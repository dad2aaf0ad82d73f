"""The ticket page as a dispatcher and a lead read it: unit names (not codes) in the routing
decision, reasons worth reading, duplicates' reasons in words, person lists that follow the
unit, and refusals that keep the page at the ticket's address."""

from __future__ import annotations

import re

import pytest

from org.models import StaffRole, UnitKind
from tests.factories import DuplicateCandidateFactory, StaffFactory, UnitFactory, UserFactory
from tickets.models import Ticket
from tickets.services.lifecycle import ticket_assign

pytestmark = pytest.mark.django_db


def _routed(org, **fields):
    return org.ticket("triage", unit=None, assignee=None, prediction_top3=[
        {"unit": "street-lianhua", "probability": 0.91}, {"unit": "water", "probability": 0.05}],
        prediction_explanation={"terms": ["楼", "楼道", "景华花园", "停", "23", "中午"]},
        **fields)


def test_the_routing_decision_names_units_and_shows_only_real_reasons(org, login):
    ticket = _routed(org)
    body = login(org.centre_dispatcher).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "莲花街道办事处 · 91%" in body and "区水务局 · 5%" in body
    assert "street-lianhua ·" not in body
    assert "关键词：楼道、景华花园<" in body


def test_the_duplicates_box_gives_its_reasons_in_words(org, login):
    ticket = _routed(org)
    DuplicateCandidateFactory(ticket=ticket, original=org.ticket("assigned"),
                              reasons=["same_address", "similar_text"])
    body = login(org.centre_dispatcher).get(f"/console/tickets/{ticket.number}/").content.decode()
    assert "同一地址；内容相似" in body and "same_address" not in body


def _options(body: str, select_name: str) -> str:
    match = re.search(rf'<select name="{select_name}".*?</select>', body, re.S)
    assert match, select_name
    return match.group(0)


def test_the_unit_list_is_grouped_by_kind_and_sorted_by_name(org, login):
    UnitFactory(code="aaa-last", name="香蜜湖街道办事处", kind=UnitKind.STREET_OFFICE)
    UnitFactory(code="zzz-first", name="园岭街道办事处", kind=UnitKind.STREET_OFFICE)
    ticket = _routed(org)
    body = login(org.centre_dispatcher).get(f"/console/tickets/{ticket.number}/").content.decode()
    units = _options(body, "dispatch-unit")
    assert '<optgroup label="街道办事处">' in units and '<optgroup label="区直部门">' in units
    streets = units.split('<optgroup label="街道办事处">')[1].split("</optgroup>")[0]
    names = re.findall(r">([^<]+街道办事处)</option>", streets)
    assert names == sorted(names) and len(names) == 3


def test_each_person_in_the_dispatch_list_carries_their_unit(org, login):
    ticket = _routed(org)
    body = login(org.centre_dispatcher).get(f"/console/tickets/{ticket.number}/").content.decode()
    people = _options(body, "dispatch-assignee")
    assert 'data-follows="unit"' in people
    assert re.search(rf'value="{org.assignee.pk}"[^>]*data-unit="street-lianhua"', people)
    assert re.search(rf'value="{org.other_caseworker.pk}"[^>]*data-unit="water"', people)


def test_a_change_of_person_offers_only_the_units_people(org, login):
    ticket = ticket_assign(ticket=org.ticket("triage"), actor=org.centre_dispatcher.user,
                           unit=org.unit, assignee=org.assignee)
    body = login(org.lead).get(f"/console/tickets/{ticket.number}/").content.decode()
    people = _options(body, "reassign-assignee")
    assert f'value="{org.coworker.pk}"' in people
    assert f'value="{org.other_caseworker.pk}"' not in people
    assert f'value="{org.centre_dispatcher.pk}"' not in people


def test_a_refused_action_posted_by_htmx_answers_only_its_form_with_the_error(org, login):
    ticket = org.ticket("met")
    c = login(org.assignee)
    r = c.post(f"/console/tickets/{ticket.number}/resolve/", {"resolve-reply": ""},
               HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    assert 'id="action-resolve"' in r.content.decode() and "请填写答复内容" in r.content.decode()
    assert 'hx-post="/console/tickets/' in r.content.decode()  # the form posts in place again
    assert Ticket.objects.get(pk=ticket.pk).state == "met"


def test_a_done_action_posted_by_htmx_reloads_the_ticket_page(org, login):
    ticket = org.ticket("met")
    r = login(org.assignee).post(f"/console/tickets/{ticket.number}/resolve/",
                                 {"resolve-reply": "已修复"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 200 and r["HX-Redirect"] == f"/console/tickets/{ticket.number}/"
    assert Ticket.objects.get(pk=ticket.pk).state == "resolved"


def test_a_done_action_goes_back_where_the_form_asked_but_only_on_this_site(org, login):
    c = login(org.centre_dispatcher)
    first, second = _routed(org), _routed(org)
    r = c.post(f"/console/tickets/{first.number}/dispatch/",
               {"dispatch-unit": "street-lianhua", "next": "/console/triage/?sort=-received_at"})
    assert r["Location"] == "/console/triage/?sort=-received_at"
    r = c.post(f"/console/tickets/{second.number}/dispatch/",
               {"dispatch-unit": "street-lianhua", "next": "https://elsewhere.example/"})
    assert r["Location"] == f"/console/tickets/{second.number}/"


def test_the_team_page_gives_no_capacity_to_people_who_hold_no_tickets(org, login):
    StaffFactory(unit=org.unit, role=StaffRole.SUPERVISOR, capacity=0,
                 user=UserFactory(username="lianhua.sup1", first_name="督办甲"))
    body = login(org.lead).get("/console/team/").content.decode()
    dispatcher_row = re.search(r'<tr class="([^"]*)"><td>[^<]*（lianhua\.disp1）.*?</tr>', body,
                               re.S)
    supervisor_row = re.search(r'<tr class="([^"]*)"><td>[^<]*（lianhua\.sup1）.*?</tr>', body,
                               re.S)
    assert dispatcher_row and supervisor_row
    for row in (dispatcher_row, supervisor_row):
        assert row.group(1) == "" and "不承办工单" in row.group(0)


def test_removing_a_shift_and_switching_duty_ask_first(org, login):
    from datetime import time

    from org.models import WeeklyShift

    WeeklyShift.objects.create(staff=org.assignee, weekday=0, starts=time(8), ends=time(12))
    body = login(org.lead).get("/console/team/").content.decode()
    assert re.search(r'shifts/\d+/delete/" data-confirm="确定删除 [^"]*08:00–12:00 的班次？"', body)
    assert re.search(r'/duty/" data-confirm="确定将 [^"]+ 设为离岗？离岗后不再接新单。"', body)


def test_the_triage_row_shows_only_real_reasons_too(org, login):
    ticket = _routed(org)
    body = login(org.centre_dispatcher).get("/console/triage/").content.decode()
    row = body.split(f'data-number="{ticket.number}"')[1].split("</tr>")[0]
    assert "依据：楼道、景华花园<" in row
    assert "莲花街道办事处" in row and "street-lianhua <b>" not in row
