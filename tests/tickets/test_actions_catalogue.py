"""The catalogue of ticket actions is the one list the console, the API and the admin read:
every entry shows up in all three, and a refusal reaches the person the same way in each."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from django_fsm import FSMField

from tickets.actions.catalogue import CATALOGUE
from tickets.actions.spec import FieldKind
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

ADMIN_PERMS = ("view_ticket", "change_ticket", "view_ticketevent")

# For every catalogue action: a ticket state, extra ticket fields, and a person it is offered
# to there. A new action needs a row here (the first test says so).
OFFERED = {
    "dispatch": ("triage", {}, "centre_dispatcher"),
    "reject": ("triage", {}, "centre_dispatcher"),
    "contact": ("assigned", {}, "assignee"),
    "meeting": ("contacted", {}, "assignee"),
    "resolve": ("met", {}, "assignee"),
    "return_request": ("assigned", {}, "assignee"),
    "transfer": ("assigned", {}, "lead"),
    "reassign": ("assigned", {}, "lead"),
    "extension": ("assigned", {}, "assignee"),
    "suspension": ("assigned", {}, "assignee"),
    "assist": ("assigned", {}, "lead"),
    "merge": ("triage", {}, "centre_dispatcher"),
    "follow_up": ("resolved", {}, "centre_dispatcher"),
    "close_unreasonable": ("assigned", {"satisfaction": "unsatisfied"}, "centre_supervisor"),
    "supervise": ("assigned", {}, "centre_supervisor"),
}


def _signed_in(staff) -> Client:
    """One browser for the console and the admin, with the admin's ticket permissions."""
    staff.user.user_permissions.add(*Permission.objects.filter(
        content_type__app_label="tickets", codename__in=ADMIN_PERMS))
    client = Client()
    client.force_login(staff.user)
    return client


def _form_fields(name: str) -> list[str]:
    return [f.name for f in CATALOGUE[name].fields if f.kind is not FieldKind.VERSION]


def test_every_catalogue_action_has_a_scenario_here():
    assert set(OFFERED) == set(CATALOGUE)


def test_every_catalogue_action_is_a_post_endpoint_in_the_openapi_schema(org, as_staff):
    paths = as_staff(org.centre_dispatcher).get("/api/schema/?format=json").json()["paths"]
    for entry in CATALOGUE.values():
        operation = paths[f"/api/tickets/{{number}}/{entry.api_path}/"]["post"]
        assert operation["summary"] == entry.summary, entry.name
        assert operation["operationId"] == f"tickets_{entry.api_path.replace('-', '_')}_create"


@pytest.mark.parametrize("name", list(OFFERED))
def test_each_action_is_a_form_on_the_console_ticket_page_of_someone_it_is_offered_to(
        org, name):
    state, extra, who = OFFERED[name]
    ticket = org.ticket(state, **extra)
    page = _signed_in(getattr(org, who)).get(f"/console/tickets/{ticket.number}/")
    body = page.content.decode()
    assert page.status_code == 200
    assert f'id="action-{name}"' in body
    assert f'action="/console/tickets/{ticket.number}/{name}/"' in body
    for field in _form_fields(name):
        assert f'name="{name}-{field}"' in body, field


@pytest.mark.parametrize("name", list(OFFERED))
def test_each_action_is_offered_on_the_admin_ticket_page_with_the_same_form(org, name):
    state, extra, who = OFFERED[name]
    ticket = org.ticket(state, **extra)
    client = _signed_in(getattr(org, who))
    url = f"/admin/tickets/ticket/{ticket.pk}/act/{name}/"
    assert f'href="{url}"' in client.get(f"/admin/tickets/ticket/{ticket.pk}/change/")\
        .content.decode()
    page = client.get(url)
    assert page.status_code == 200
    for field in _form_fields(name):
        assert f'name="{field}"' in page.content.decode(), field


def test_an_action_a_person_is_not_offered_is_not_on_their_admin_page(org):
    ticket = org.ticket("assigned")
    page = _signed_in(org.assignee).get(f"/admin/tickets/ticket/{ticket.pk}/change/")
    body = page.content.decode()
    assert "/act/contact/" in body and "/act/dispatch/" not in body
    assert "/act/supervise/" not in body


def test_each_action_with_transitions_is_offered_from_the_states_they_leave():
    field = Ticket._meta.get_field("state")
    assert isinstance(field, FSMField)
    sources: dict[str, set[str]] = {}
    for transition in field.get_all_transitions(Ticket):
        sources.setdefault(transition.name, set()).add(transition.source)
    for entry in CATALOGUE.values():
        if entry.transitions:
            left = set().union(*(sources[t] for t in entry.transitions))
            assert set(entry.states) == left, entry.name


def _due() -> str:
    return (timezone.localtime() + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")


REFUSALS = [
    pytest.param("dispatch", "centre_supervisor", "triage", {}, {"unit": "water"},
                 403, "forbidden", id="a supervisor trying to dispatch"),
    pytest.param("dispatch", "assignee", "assigned", {}, {"unit": "water"},
                 409, "illegal_transition", id="a caseworker trying to dispatch"),
    pytest.param("resolve", "other_lead", "met", {"assisting": True}, {"reply": "已修好"},
                 403, "forbidden", id="the lead of an assisting unit trying to resolve"),
    pytest.param("resolve", "centre_dispatcher", "met", {}, {"reply": "已修好"},
                 403, "forbidden", id="a dispatcher trying to resolve"),
    pytest.param("resolve", "assignee", "assigned", {}, {"reply": "已修好"},
                 409, "illegal_transition", id="resolving before contact and meeting"),
    pytest.param("close_unreasonable", "assignee", "assigned",
                 {"satisfaction": "unsatisfied"}, {"reason": "诉求不合理"},
                 403, "forbidden", id="a caseworker closing as unreasonable"),
    pytest.param("transfer", "assignee", "assigned", {}, {"unit": "water", "reason": "属水务"},
                 403, "forbidden", id="a caseworker trying to transfer"),
    pytest.param("supervise", "centre_dispatcher", "assigned", {},
                 {"level": "district", "instructions": "今日办结", "reply_due_at": _due()},
                 403, "forbidden", id="a dispatcher trying to issue a supervision order"),
    pytest.param("reject", "centre_dispatcher", "triage", {}, {"reason": ""},
                 400, "invalid", id="a rejection without a reason"),
]


def _admin_errors(body: str) -> list[str]:
    return [html.unescape(m) for m in re.findall(r'<li class="error">(.*?)</li>', body, re.S)]


def _console_errors(body: str) -> str:
    return html.unescape(" ".join(re.findall(r'<div class="error">(.*?)</div>', body, re.S)))


@pytest.mark.parametrize(("name", "who", "state", "extra", "values", "status", "code"),
                         REFUSALS)
def test_a_refusal_is_the_same_through_the_api_the_console_and_the_admin(
        org, as_staff, name, who, state, extra, values, status, code):
    assisting = extra.pop("assisting", False)
    ticket = org.ticket(state, **extra)
    if assisting:
        ticket.assisting_units.add(org.other_unit)
    before = (ticket.version, ticket.state, ticket.events.count())
    entry, staff = CATALOGUE[name], getattr(org, who)

    api = as_staff(staff).post(f"/api/tickets/{ticket.number}/{entry.api_path}/", values,
                               format="json")
    assert (api.status_code, api.json()["code"]) == (status, code), api.json()
    message = api.json()["detail"]
    shown = ([m for ms in api.json()["errors"].values() for m in ms] if code == "invalid"
             else [message])

    client = _signed_in(staff)
    console = client.post(f"/console/tickets/{ticket.number}/{name}/",
                          {f"{name}-{k}": v for k, v in values.items()})
    assert console.status_code == status
    assert all(m in _console_errors(console.content.decode()) for m in shown), shown

    admin = client.post(f"/admin/tickets/ticket/{ticket.pk}/act/{name}/", values)
    assert admin.status_code == status
    assert _admin_errors(admin.content.decode()) == ["；".join(shown)]

    fresh = Ticket.objects.get(pk=ticket.pk)
    assert (fresh.version, fresh.state, fresh.events.count()) == before


def test_an_action_done_in_the_admin_is_the_catalogues_with_the_consoles_shaping(org):
    ticket = org.ticket("assigned")
    client = _signed_in(org.assignee)
    response = client.post(f"/admin/tickets/ticket/{ticket.pk}/act/contact/",
                           {"method": "电话", "note": "已致电"}, follow=True)
    assert f"工单 {ticket.number}：记录联系诉求人，已完成" in response.content.decode()
    event = Ticket.objects.get(pk=ticket.pk).events.get()
    assert (event.action, event.reason, event.actor) == (
        "record_contact", "【电话】已致电", org.assignee.user)


def test_a_merge_names_its_parent_by_number_the_same_way_in_every_interface(org, as_staff):
    dup = org.ticket("triage")
    api = as_staff(org.centre_dispatcher).post(f"/api/tickets/{dup.number}/merge/",
                                               {"parent": "FT-NONE"}, format="json")
    assert api.status_code == 400 and api.json()["errors"] == {"parent": ["找不到主单 FT-NONE"]}
    client = _signed_in(org.centre_dispatcher)
    console = client.post(f"/console/tickets/{dup.number}/merge/", {"merge-parent": "FT-NONE"})
    admin = client.post(f"/admin/tickets/ticket/{dup.pk}/act/merge/", {"parent": "FT-NONE"})
    for page in (console, admin):
        assert page.status_code == 400 and "找不到主单 FT-NONE" in page.content.decode()
    parent = org.ticket("assigned")
    done = client.post(f"/admin/tickets/ticket/{dup.pk}/act/merge/", {"parent": parent.number})
    assert done.status_code == 302
    assert Ticket.objects.get(pk=dup.pk).parent == parent
