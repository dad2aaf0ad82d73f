"""Personal data in the console: the citizen's phone and ID number wait for an audited reveal;
numbers in free text are masked for people without the permission, on every page."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.tickets.conftest import MASKED, MOBILE, shows_no_raw_number
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def _client(staff) -> Client:
    c = Client()
    c.force_login(staff.user)
    return c


def test_a_supervisor_without_the_permission_reads_no_number_on_the_ticket_page(org, numbered):
    page = _client(org.centre_supervisor).get(
        f"/console/tickets/{numbered.ticket.number}/").content.decode()
    assert shows_no_raw_number(page)
    assert all(masked in page for masked in MASKED)
    assert "138****5678" in page and "13812345678" not in page
    assert "显示完整信息" not in page


@pytest.mark.parametrize("path", ["/console/open/", "/console/supervisions/",
                                  "/console/rulings/"])
def test_a_supervisor_without_the_permission_reads_no_number_in_the_lists(org, numbered, path):
    response = _client(org.centre_supervisor).get(path)
    assert response.status_code == 200
    page = response.content.decode()
    assert numbered.ticket.number in page and shows_no_raw_number(page)


def test_the_queue_that_refreshes_itself_masks_the_titles_too(org, numbered):
    response = _client(org.centre_supervisor).get("/console/open/?partial=1",
                                                  HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert "139****5678" in page and shows_no_raw_number(page)


def test_a_lead_without_the_permission_decides_requests_with_the_numbers_masked(org, numbered):
    page = _client(org.lead).get("/console/approvals/").content.decode()
    assert f"extension-{numbered.extension.pk}" in page
    assert f"return-{numbered.return_request.pk}" in page
    assert shows_no_raw_number(page)


def test_with_the_permission_free_text_reads_as_written_and_the_citizen_waits_for_a_reveal(
        org, numbered, grant_pii):
    grant_pii(org.assignee.user)
    c = _client(org.assignee)
    page = c.get(f"/console/tickets/{numbered.ticket.number}/").content.decode()
    assert MOBILE in page  # the request as the citizen wrote it
    assert "138****5678" in page and "13812345678" not in page
    assert "显示完整信息" in page
    assert not TicketEvent.objects.filter(action="reveal_pii").exists()
    shown = c.post(f"/console/tickets/{numbered.ticket.number}/reveal/").content.decode()
    assert "13812345678" in shown and "440304199001011234" in shown
    assert TicketEvent.objects.get(action="reveal_pii").actor == org.assignee.user
