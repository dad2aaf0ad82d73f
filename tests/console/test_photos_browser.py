"""In a real headless Chromium: a caseworker uploads a photo on the ticket page and sees its
thumbnail; the printable record, as the printer renders it, hides its button and shows the
whole trail. Screenshots: ticket-photos, ticket-print (and ticket-print.pdf)."""

from __future__ import annotations

import pytest

from tests.console.browser import ARTIFACTS, session, shot
from tests.photo_files import media_root, photo_bytes  # noqa: F401
from tickets.models import TicketAttachment
from tickets.services.lifecycle import ticket_assign, ticket_record_contact

pytestmark = [pytest.mark.postgres, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _contacted(org):
    ticket = ticket_assign(ticket=org.ticket("triage", unit=None, assignee=None),
                           actor=org.centre_dispatcher.user, unit=org.unit,
                           assignee=org.assignee)
    return ticket_record_contact(ticket=ticket, actor=org.assignee.user, note="电话联系上")


def test_a_caseworker_uploads_a_photo_and_sees_it_on_the_ticket_then_prints_the_record(
        district, browser, live_server, media, tmp_path):
    org = district
    ticket = _contacted(org)
    picture = tmp_path / "现场.jpg"
    picture.write_bytes(photo_bytes(size=(2400, 1800), gps=True))

    page = session(browser, live_server, org.assignee)
    page.goto(f"{live_server.url}/console/tickets/{ticket.number}/")
    page.set_input_files("#photos input[type=file]", str(picture))
    page.click("#photos button.primary")
    thumb = page.wait_for_selector("#photos .photo-grid img")
    # The thumbnail came from the server and is a real picture (not a broken image).
    page.wait_for_function("img => img.complete && img.naturalWidth === 320", arg=thumb)
    assert "已上传 1 张现场照片" in page.content()
    assert "已联系" in page.text_content("#photos figcaption")
    assert TicketAttachment.objects.filter(ticket=ticket).count() == 1
    shot(page, "ticket-photos")

    with page.context.expect_page() as opened:
        page.click(".print-link")
    record = opened.value
    record.wait_for_load_state()
    assert record.is_visible("#print-button")
    record.emulate_media(media="print")
    assert record.is_hidden("#print-toolbar")
    events = list(ticket.events.order_by("at", "pk"))
    assert [e.action for e in events] == ["assign", "record_contact", "attachment_add"]
    assert record.locator("#trail > li").count() == len(events)
    assert "电话联系上" in record.text_content("#trail")
    record.wait_for_function(
        "() => [...document.images].every(img => img.complete && img.naturalWidth > 0)")
    shot(record, "ticket-print")
    record.pdf(path=str(ARTIFACTS / "ticket-print.pdf"), format="A4")
    assert (ARTIFACTS / "ticket-print.pdf").stat().st_size > 0
