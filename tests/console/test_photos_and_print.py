"""Photos on the ticket page (现场照片) and the printable ticket record (打印), through the
console: upload, the photo streamed only to those who may see the ticket, photos sent with the
meeting and the resolution (a bad one stops the action), and the print record's content."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sla.supervision import supervision_issue
from tests.photo_files import media_root, photo_bytes, stored_files, upload  # noqa: F401
from tickets.models import Ticket, TicketAttachment
from tickets.services.attachments import ticket_photo_add
from tickets.services.lifecycle import (
    ticket_assign,
    ticket_record_contact,
    ticket_record_meeting,
)

pytestmark = pytest.mark.django_db


def _page(client, ticket) -> str:
    return client.get(f"/console/tickets/{ticket.number}/").content.decode()


def _photo(org, ticket=None) -> TicketAttachment:
    return ticket_photo_add(ticket=ticket or org.ticket("met"), actor=org.assignee.user,
                            upload=upload(photo_bytes()))


# --- the upload --------------------------------------------------------------------------

def test_a_caseworker_uploads_two_photos_and_sees_them_on_the_ticket_page(org, login, media):
    ticket = org.ticket("contacted")
    client = login(org.assignee)
    assert f'action="/console/tickets/{ticket.number}/photos/"' in _page(client, ticket)

    response = client.post(f"/console/tickets/{ticket.number}/photos/", {"photos": [
        upload(photo_bytes(), "a.jpg"), upload(photo_bytes(fmt="PNG"), "b.png", "image/png")]})

    assert response.status_code == 302
    assert response["Location"] == f"/console/tickets/{ticket.number}/"
    photos = list(TicketAttachment.objects.filter(ticket=ticket))
    assert [p.stage for p in photos] == ["contacted", "contacted"]
    body = _page(client, ticket)
    assert "已上传 2 张现场照片" in body
    for photo in photos:
        assert f'<a href="/console/attachments/{photo.pk}/"' in body
        assert f'<img src="/console/attachments/{photo.pk}/thumb/"' in body
    assert "已联系 · " in body  # the stage under each thumbnail


def test_a_refused_upload_says_why_in_chinese_and_stores_nothing(org, login, media):
    ticket = org.ticket("met")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/photos/", {
        "photos": [upload(photo_bytes(), "good.jpg"), upload(b"GIF? no, text", "bad.jpg")]})
    assert response.status_code == 400
    body = response.content.decode()
    assert "bad.jpg：不是可识别的照片：只接受 JPEG、PNG 或 WebP 格式的图片" in body
    assert 'id="photos"' in body  # the section htmx swaps in place
    # All or nothing: the good one was not kept either.
    assert not TicketAttachment.objects.exists() and stored_files(media) == []


def test_an_upload_without_a_file_asks_for_one(org, login, media):
    ticket = org.ticket("met")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/photos/", {})
    assert response.status_code == 400 and "请选择要上传的照片" in response.content.decode()


def test_a_colleague_who_does_not_hold_the_ticket_is_neither_offered_the_upload_nor_let(
        org, login, media):
    ticket = org.ticket("met")
    client = login(org.coworker)
    assert "/photos/" not in _page(client, ticket)
    response = client.post(f"/console/tickets/{ticket.number}/photos/",
                           {"photos": [upload(photo_bytes())]})
    assert response.status_code == 403
    assert "无权对工单" in response.content.decode()
    assert stored_files(media) == []


def test_another_units_people_cannot_upload_to_the_ticket(org, login, media):
    ticket = org.ticket("met")
    response = login(org.other_lead).post(f"/console/tickets/{ticket.number}/photos/",
                                          {"photos": [upload(photo_bytes())]})
    assert response.status_code == 404


# --- the files ---------------------------------------------------------------------------

def test_the_photo_is_served_to_the_unit_with_its_type_and_private_caching(org, login, media):
    photo = _photo(org)
    for staff in (org.assignee, org.coworker, org.lead, org.centre_supervisor):
        for suffix, field in (("", photo.image), ("thumb/", photo.thumbnail)):
            response = login(staff).get(f"/console/attachments/{photo.pk}/{suffix}")
            assert response.status_code == 200, (staff, suffix)
            with field.open("rb") as handle:
                assert response.content == handle.read()
            assert response["Content-Type"] == "image/jpeg"
            assert response["X-Content-Type-Options"] == "nosniff"
            assert response["Cache-Control"] == "private, max-age=3600"


def test_the_photo_is_not_found_for_another_units_people(org, login, media):
    photo = _photo(org)
    for staff in (org.other_caseworker, org.other_lead):
        for suffix in ("", "thumb/"):
            assert login(staff).get(
                f"/console/attachments/{photo.pk}/{suffix}").status_code == 404


def test_a_visitor_is_sent_to_log_in_for_a_photo(org, client, media):
    photo = _photo(org)
    response = client.get(f"/console/attachments/{photo.pk}/")
    assert response.status_code == 302 and response["Location"].startswith("/console/login/")


def test_a_photo_whose_file_is_gone_is_not_found(org, login, media):
    photo = _photo(org)
    photo.image.storage.delete(photo.image.name)
    assert login(org.assignee).get(f"/console/attachments/{photo.pk}/").status_code == 404


# --- photos with the meeting and the resolution -----------------------------------------

def test_the_meeting_and_resolve_forms_post_multipart_with_a_photo_input(org, login):
    client = login(org.assignee)
    for state, action in (("contacted", "meeting"), ("met", "resolve")):
        body = _page(client, org.ticket(state))
        form = re.search(rf'<form method="post" action="[^"]*/{action}/"[^>]*>', body).group(0)
        assert 'enctype="multipart/form-data"' in form
        assert f'<input type="file" name="{action}-photos" multiple' in body
    contact = re.search(r'<form method="post" action="[^"]*/contact/"[^>]*>',
                        _page(client, org.ticket("assigned"))).group(0)
    assert "multipart" not in contact


def test_the_meeting_with_a_photo_records_both(org, login, media):
    ticket = org.ticket("contacted")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/meeting/", {
        "meeting-method": "上门", "meeting-note": "到场查看",
        "meeting-photos": [upload(photo_bytes(size=(3000, 2000)))]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "met"
    photo = TicketAttachment.objects.get(ticket=ticket)
    assert (photo.stage, photo.width, photo.height) == ("met", 1600, 1067)
    assert list(ticket.events.values_list("action", flat=True)) == [
        "record_meeting", "attachment_add"]


def test_an_invalid_photo_means_the_meeting_is_not_recorded(org, login, media):
    ticket = org.ticket("contacted")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/meeting/", {
        "meeting-method": "上门", "meeting-photos": [upload(b"not a photo", "site.jpg")]})
    assert response.status_code == 400
    assert "不是可识别的照片" in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.state == "contacted" and not ticket.events.exists()
    assert stored_files(media) == []


def test_a_refused_meeting_keeps_no_photo(org, login, media):
    ticket = org.ticket("contacted")
    response = login(org.coworker).post(f"/console/tickets/{ticket.number}/meeting/", {
        "meeting-method": "上门", "meeting-photos": [upload(photo_bytes())]})
    assert response.status_code == 403
    assert not TicketAttachment.objects.exists() and stored_files(media) == []


def test_resolving_with_a_photo_attaches_it_to_the_resolved_ticket(org, login, media):
    ticket = org.ticket("met")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/resolve/", {
        "resolve-reply": "路灯已修复", "resolve-photos": [upload(photo_bytes(fmt="PNG"),
                                                                "after.png", "image/png")]})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.state == "resolved"
    assert TicketAttachment.objects.get(ticket=ticket).stage == "resolved"


def test_a_resolution_without_a_reply_keeps_its_photo_out_too(org, login, media):
    ticket = org.ticket("met")
    response = login(org.assignee).post(f"/console/tickets/{ticket.number}/resolve/", {
        "resolve-reply": "", "resolve-photos": [upload(photo_bytes())]})
    assert response.status_code == 400 and "请填写答复内容" in response.content.decode()
    assert not TicketAttachment.objects.exists()


# --- the printable record -----------------------------------------------------------------

def _worked(org) -> Ticket:
    """Through the services, so the trail and the clocks are real."""
    ticket = ticket_assign(ticket=org.ticket("triage", unit=None, assignee=None,
                                             content="路灯不亮，可联系物业 13900001111"),
                           actor=org.centre_dispatcher.user, unit=org.unit,
                           assignee=org.assignee)
    ticket = ticket_record_contact(ticket=ticket, actor=org.assignee.user, note="电话联系上")
    ticket = ticket_record_meeting(ticket=ticket, actor=org.assignee.user, note="到场查看线路")
    _photo(org, ticket)
    supervision_issue(ticket=ticket, actor=org.centre_supervisor.user, level="district",
                      instructions="今日内修复并回复", reply_due_at=timezone.now()
                      + timedelta(hours=4))
    return Ticket.objects.get(pk=ticket.pk)


def test_the_ticket_page_links_to_its_print_record(org, login):
    ticket = org.ticket("met")
    assert f'href="/console/tickets/{ticket.number}/print/"' in _page(login(org.assignee), ticket)


def test_the_print_record_holds_the_ticket_the_masked_citizen_and_every_event(org, login,
                                                                             media):
    ticket = _worked(org)
    response = login(org.lead).get(f"/console/tickets/{ticket.number}/print/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "138****5678" in body and "13812345678" not in body
    assert "440304********1234" in body and "440304199001011234" not in body
    assert "139****1111" in body and "13900001111" not in body  # numbers in the text too
    assert "莲花街道办事处" in body and "打印人" in body and "（lianhua.lead）" in body
    events = list(ticket.events.order_by("at", "pk"))
    assert [e.action for e in events] == ["assign", "record_contact", "record_meeting",
                                          "attachment_add", "supervise"]
    trail = body.split('<ol class="trail" id="trail">')[1].split("</ol>")[0]
    assert trail.count("<li>") == len(events)
    for label in ("派单", "联系诉求人", "约见", "上传照片", "督办", "电话联系上", "到场查看线路"):
        assert label in trail, label
    photo = TicketAttachment.objects.get(ticket=ticket)
    assert f'src="/console/attachments/{photo.pk}/thumb/"' in body
    assert "按时完成" in body  # the contact clock's verdict
    assert "今日内修复并回复" in body  # the supervision order
    # A record, not a page to act on.
    assert "<form" not in body and "<nav" not in body and "window.print()" in body
    assert "@media print" in body and "size: A4" in body


def test_who_may_read_free_text_in_full_still_gets_the_citizen_masked(org, login, media,
                                                                      may_see_pii):
    ticket = _worked(org)
    may_see_pii(org.assignee)
    body = login(org.assignee).get(f"/console/tickets/{ticket.number}/print/").content.decode()
    assert "13900001111" in body  # the property manager's number, to call
    assert "138****5678" in body and "13812345678" not in body


def test_the_print_record_of_another_units_ticket_is_not_found(org, login):
    ticket = org.ticket("met")
    assert login(org.other_caseworker).get(
        f"/console/tickets/{ticket.number}/print/").status_code == 404
    assert login(org.centre_supervisor).get(
        f"/console/tickets/{ticket.number}/print/").status_code == 200
