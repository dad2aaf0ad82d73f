"""The admin is a thin skin: its transition buttons run the same services, with the same rules."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from tickets.dispatching.collaboration import return_request_decide
from tickets.models import Ticket, TicketEvent


@pytest.fixture
def as_user(client):
    def login(staff_user, *perms: str):
        for perm in perms:
            app_label, codename = perm.split(".")
            staff_user.user_permissions.add(
                Permission.objects.get(content_type__app_label=app_label, codename=codename))
        client.force_login(staff_user)
        return client
    return login


VIEW = ("tickets.view_ticket", "tickets.change_ticket", "tickets.view_ticketevent")


def _change_url(ticket: Ticket) -> str:
    return f"/admin/tickets/ticket/{ticket.pk}/change/"


def _change_form(ticket: Ticket, **data: str) -> dict[str, object]:
    """What the browser posts: the buttons' data plus the read-only trail's management form."""
    return {"events-TOTAL_FORMS": ticket.events.count(),
            "events-INITIAL_FORMS": ticket.events.count(),
            "events-MIN_NUM_FORMS": 0, "events-MAX_NUM_FORMS": 1000, **data}


def test_a_dispatcher_sees_the_buttons_the_rules_allow(org, as_user):
    ticket = org.ticket("received")
    client = as_user(org.centre_dispatcher.user, *VIEW)
    page = client.get(_change_url(ticket)).content.decode()
    assert 'value="triage"' in page and 'value="assign"' in page
    assert 'value="record_contact"' not in page


def test_a_button_without_a_form_runs_the_service_and_writes_the_event(org, as_user):
    ticket = org.ticket("received")
    client = as_user(org.centre_dispatcher.user, *VIEW)
    response = client.post(_change_url(ticket), _change_form(ticket, _fsm_transition_to="triage"))
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "triage"
    event = TicketEvent.objects.get(ticket=ticket)
    assert event.action == "triage" and event.actor == org.centre_dispatcher.user


def test_a_return_through_the_admin_needs_a_reason_and_a_lead(org, as_user):
    ticket = org.ticket("assigned")
    client = as_user(org.lead.user, *VIEW)
    url = f"/admin/tickets/ticket/{ticket.pk}/transition/return_to_triage/"
    assert client.post(url, {"reason": ""}).status_code == 200  # form shown again with an error
    assert Ticket.objects.get(pk=ticket.pk).state == "assigned"
    client.post(url, {"reason": "属于水务局职责"})
    ticket.refresh_from_db()
    # The lead's button files a return request, which waits for a second person.
    assert ticket.state == "assigned"
    assert list(ticket.events.order_by("pk").values_list("action", "reason")) == [
        ("return_request", "【其他】属于水务局职责")]
    request = ticket.return_requests.get()
    assert request.state == "pending"
    return_request_decide(request=request, actor=org.centre_dispatcher.user, approve=True)
    ticket.refresh_from_db()
    assert ticket.state == "triage"
    assert list(ticket.events.order_by("pk").values_list("action", flat=True)) == [
        "return_request", "return_to_triage"]


def test_the_transition_form_explains_itself_in_chinese(org, as_user):
    ticket = org.ticket("triage")
    client = as_user(org.centre_dispatcher.user, *VIEW)
    page = client.get(f"/admin/tickets/ticket/{ticket.pk}/transition/assign/").content.decode()
    assert "选择承办单位和责任人" in page and "确定派单" in page


def test_assigning_through_the_admin_form_names_unit_and_person(org, as_user):
    ticket = org.ticket("triage")
    client = as_user(org.centre_dispatcher.user, *VIEW)
    client.post(f"/admin/tickets/ticket/{ticket.pk}/transition/assign/",
                {"unit": org.unit.pk, "assignee": org.assignee.pk, "reason": "属地管理"})
    ticket.refresh_from_db()
    assert (ticket.state, ticket.unit, ticket.assignee) == ("assigned", org.unit, org.assignee)
    assert ticket.events.get().actor == org.centre_dispatcher.user


def test_a_caseworker_cannot_return_a_ticket_through_the_admin(org, as_user):
    ticket = org.ticket("assigned")
    client = as_user(org.assignee.user, *VIEW)
    client.post(f"/admin/tickets/ticket/{ticket.pk}/transition/return_to_triage/",
                {"reason": "不想办"})
    assert Ticket.objects.get(pk=ticket.pk).state == "assigned"
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_a_caseworker_does_not_see_another_units_tickets(org, as_user):
    mine = org.ticket("assigned")
    theirs = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    client = as_user(org.assignee.user, *VIEW)
    listing = client.get("/admin/tickets/ticket/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    response = client.get(_change_url(theirs))
    assert response.status_code == 302  # "does not exist", not the page
    assert theirs.title not in client.get(response.url).content.decode()


def test_saving_the_change_form_does_not_write_the_row(org, as_user):
    ticket = org.ticket("assigned")
    client = as_user(org.lead.user, *VIEW)
    response = client.post(_change_url(ticket), _change_form(ticket, _save="1"))
    assert response.status_code == 302
    fresh = Ticket.objects.get(pk=ticket.pk)
    assert fresh.version == ticket.version and fresh.updated_at == ticket.updated_at


def test_phone_and_id_are_masked_without_the_pii_permission(org, as_user):
    ticket = org.ticket("assigned")
    page = as_user(org.centre_supervisor.user, *VIEW).get(_change_url(ticket)).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert "440304********1234" in page


def test_with_the_pii_permission_the_phone_stays_masked_until_revealed(org, as_user):
    ticket = org.ticket("assigned")
    client = as_user(org.assignee.user, *VIEW, "tickets.view_citizen_pii")
    page = client.get(_change_url(ticket)).content.decode()
    assert "13812345678" not in page and "138****5678" in page
    assert f"/admin/tickets/ticket/{ticket.pk}/reveal-pii/" in page


def test_events_cannot_be_deleted_or_changed_in_the_admin(org, superuser, client):
    ticket = org.ticket("received")
    from tickets.services import lifecycle as services
    services.ticket_triage(ticket=ticket, actor=None)
    event = TicketEvent.objects.get(ticket=ticket)
    client.force_login(superuser)
    assert client.get(f"/admin/tickets/ticketevent/{event.pk}/delete/").status_code == 403
    assert client.get("/admin/tickets/ticketevent/").status_code == 200


@pytest.mark.parametrize("path", [
    "/admin/", "/admin/tickets/ticket/", "/admin/tickets/channel/", "/admin/dispatch/unit/",
    "/admin/dispatch/staff/", "/admin/tickets/ticketevent/", "/admin/dispatch/serviceheartbeat/",
    "/admin/tickets/ticketnumbersequence/",
])
def test_every_admin_page_renders_for_a_superuser(org, superuser, client, path):
    org.ticket("assigned")
    client.force_login(superuser)
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", [
    "/admin/tickets/intakerecord/", "/admin/tickets/callbackdelivery/",
    "/admin/tickets/duplicatecandidate/",
])
def test_the_intake_admin_pages_render(org, superuser, client, path):
    client.force_login(superuser)
    assert client.get(path).status_code == 200


def test_the_admin_resends_a_dead_callback(org, superuser, client, monkeypatch):
    from tickets.models import CallbackDelivery
    from tickets.services import lifecycle as services

    monkeypatch.setattr("tickets.outbox.callbacks._send_later", lambda *a: None)
    ticket = org.ticket("received")
    ticket.channel.callback_url = "http://127.0.0.1:9/cb"
    ticket.channel.save()
    services.ticket_triage(ticket=ticket, actor=None)
    delivery = CallbackDelivery.objects.get()
    CallbackDelivery.objects.filter(pk=delivery.pk).update(status="dead", attempts=8)
    client.force_login(superuser)
    client.post("/admin/tickets/callbackdelivery/",
                {"action": "resend", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("pending", 0)


def test_channel_secrets_are_shown_to_superusers_only(org, superuser, client, as_user):
    channel = org.ticket("received").channel
    url = f"/admin/tickets/channel/{channel.pk}/change/"
    page = as_user(org.centre_dispatcher.user, "tickets.view_channel").get(url).content.decode()
    assert page.count(channel.signing_secrets[0]) == 0 and channel.name in page
    client.force_login(superuser)
    assert channel.signing_secrets[0] in client.get(url).content.decode()
