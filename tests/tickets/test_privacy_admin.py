"""Personal data in the admin: the same rule as the console and the API, a reveal page that
writes the same reveal_pii event, and raw intake bodies for superusers only, each look logged."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from tests.factories import ChannelFactory
from tests.tickets.conftest import MOBILE, shows_no_raw_number
from tickets.models import AccessLog, AppendOnlyError, IntakeRecord, Notification, TicketEvent

pytestmark = pytest.mark.django_db

VIEW = ("view_ticket", "change_ticket", "view_ticketevent")


def _admin(user, *codenames: str) -> Client:
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="tickets",
                                                         codename=codename))
    c = Client()
    c.force_login(user)
    return c


def _record(ticket=None, body: bytes = b'{"caller_number": "13812345678"}') -> IntakeRecord:
    return IntakeRecord.objects.create(
        channel=ticket.channel if ticket else ChannelFactory(), received_at=timezone.now(),
        body=body, headers={"user-agent": "hotline/1.0"}, outcome="accepted", ticket=ticket)


def test_without_the_permission_the_ticket_page_and_list_mask_every_number(org, numbered):
    c = _admin(org.centre_supervisor.user, *VIEW)
    page = c.get(f"/admin/tickets/ticket/{numbered.ticket.pk}/change/").content.decode()
    assert "139****5678" in page and "138****5678" in page
    assert shows_no_raw_number(page) and "13812345678" not in page
    assert "reveal-pii" not in page
    listing = c.get("/admin/tickets/ticket/").content.decode()
    assert numbered.ticket.number in listing and shows_no_raw_number(listing)


def test_without_the_permission_an_event_page_masks_its_reason(org, numbered):
    event = TicketEvent.objects.get(ticket=numbered.ticket, action="record_contact")
    page = _admin(org.centre_supervisor.user, *VIEW).get(
        f"/admin/tickets/ticketevent/{event.pk}/change/").content.decode()
    assert "已电话联系 139****5678" in page and shows_no_raw_number(page)


def test_with_the_permission_free_text_reads_as_written_on_the_ticket_page(org, numbered):
    page = _admin(org.assignee.user, *VIEW, "view_citizen_pii").get(
        f"/admin/tickets/ticket/{numbered.ticket.pk}/change/").content.decode()
    assert MOBILE in page and "13812345678" not in page


def test_the_admin_reveal_asks_first_then_shows_and_records_the_event(org):
    ticket = org.ticket("assigned")
    c = _admin(org.assignee.user, *VIEW, "view_citizen_pii")
    url = f"/admin/tickets/ticket/{ticket.pk}/reveal-pii/"
    asked = c.get(url).content.decode()
    assert "13812345678" not in asked and "138****5678" in asked
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()
    shown = c.post(url).content.decode()
    assert "13812345678" in shown and "440304199001011234" in shown
    event = TicketEvent.objects.get(ticket=ticket, action="reveal_pii")
    assert event.actor == org.assignee.user


def test_the_admin_reveal_is_refused_without_the_permission(org):
    ticket = org.ticket("assigned")
    response = _admin(org.centre_supervisor.user, *VIEW).post(
        f"/admin/tickets/ticket/{ticket.pk}/reveal-pii/")
    assert response.status_code == 403 and "13812345678" not in response.content.decode()
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_the_admin_reveal_of_another_units_ticket_finds_nothing(org):
    theirs = org.ticket("assigned", unit=org.other_unit, assignee=org.other_caseworker)
    response = _admin(org.assignee.user, *VIEW, "view_citizen_pii").post(
        f"/admin/tickets/ticket/{theirs.pk}/reveal-pii/")
    assert response.status_code == 302
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()


def test_an_intake_record_page_shows_no_body_and_only_superusers_get_the_link(org, superuser):
    record = _record(org.ticket("assigned"))
    staff = _admin(org.centre_dispatcher.user, "view_intakerecord")
    page = staff.get(f"/admin/tickets/intakerecord/{record.pk}/change/").content.decode()
    assert "13812345678" not in page and "hotline/1.0" not in page and "/body/" not in page
    assert staff.get(f"/admin/tickets/intakerecord/{record.pk}/body/").status_code == 403
    root = Client()
    root.force_login(superuser)
    page = root.get(f"/admin/tickets/intakerecord/{record.pk}/change/").content.decode()
    assert "13812345678" not in page and f"/admin/tickets/intakerecord/{record.pk}/body/" in page
    assert not AccessLog.objects.exists()


def test_each_look_at_a_raw_body_is_logged(org, superuser):
    ticket = org.ticket("assigned")
    record = _record(ticket)
    root = Client()
    root.force_login(superuser)
    for _ in range(2):
        page = root.get(f"/admin/tickets/intakerecord/{record.pk}/body/").content.decode()
        assert "13812345678" in page and "hotline/1.0" in page
    logs = list(AccessLog.objects.order_by("pk"))
    assert [(log.actor, log.intake_record, log.ticket, log.kind) for log in logs] == [
        (superuser, record, ticket, "intake_body")] * 2


def test_a_look_at_a_record_without_a_ticket_is_logged_too(superuser):
    record = _record(body=b"not json at all")
    root = Client()
    root.force_login(superuser)
    assert "not json at all" in root.get(
        f"/admin/tickets/intakerecord/{record.pk}/body/").content.decode()
    assert AccessLog.objects.get().ticket is None


def test_a_purged_body_shows_its_hash_and_logs_nothing(superuser):
    record = _record()
    IntakeRecord.objects.filter(pk=record.pk).update(
        body=b"", headers={}, body_sha256=hashlib.sha256(b"x").hexdigest(),
        body_purged_at=timezone.now())
    root = Client()
    root.force_login(superuser)
    page = root.get(f"/admin/tickets/intakerecord/{record.pk}/body/").content.decode()
    assert hashlib.sha256(b"x").hexdigest() in page and "已于" in page
    assert not AccessLog.objects.exists()


def test_the_access_log_is_append_only(org, superuser):
    log = AccessLog.objects.create(actor=superuser, actor_label="root", kind="intake_body",
                                   intake_record=_record())
    with pytest.raises(AppendOnlyError):
        log.save()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.all().delete()
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), \
            connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_accesslog SET actor_label = 'x'")
    assert AccessLog.objects.get().actor_label == "root"


def test_the_access_log_is_for_superusers_only(org, superuser):
    staff = _admin(org.centre_dispatcher.user, *VIEW)
    assert staff.get("/admin/tickets/accesslog/").status_code == 403
    root = Client()
    root.force_login(superuser)
    assert root.get("/admin/tickets/accesslog/").status_code == 200


def test_rows_around_a_ticket_are_masked_in_their_admin_too(org, numbered):
    Notification.objects.create(recipient=org.lead, ticket=numbered.ticket, kind="new_ticket",
                                text=f"新工单：请回电 {MOBILE}")
    c = _admin(org.centre_supervisor.user, "view_notification", "view_returnrequest")
    listing = c.get("/admin/tickets/notification/").content.decode()
    assert "请回电 139****5678" in listing and shows_no_raw_number(listing)
    page = c.get(f"/admin/tickets/returnrequest/{numbered.return_request.pk}/change/")
    assert page.status_code == 200
    assert "139****5678" in page.content.decode() and shows_no_raw_number(page.content.decode())
