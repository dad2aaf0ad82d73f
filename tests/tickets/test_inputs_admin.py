"""The admin never answers a 5xx for what a URL says: a list filter the database refuses goes
back to the unfiltered list (?e=1, as for a lookup the admin cannot build) with a message."""

from __future__ import annotations

import pytest


def test_an_admin_list_filter_the_database_refuses_is_the_unfiltered_list(superuser, client):
    client.force_login(superuser)
    answer = client.get("/admin/tickets/ticket/?state__exact=a%00")
    assert answer.status_code == 302 and answer["Location"] == "/admin/tickets/ticket/?e=1"
    page = client.get(answer["Location"])
    assert page.status_code == 200 and "数据库无法处理" in page.content.decode()


@pytest.mark.parametrize("path", ["/admin/tickets/ticket/?q=a%00b",
                                  "/admin/tickets/ticket/?channel__code__exact=%00",
                                  "/admin/tickets/ticket/?received_at__gte=2026-01-01T00:00%2B20:00",
                                  "/admin/tickets/ticket/a%00/change/",
                                  "/admin/tickets/intakerecord/?q=%00"])
def test_other_admin_pages_with_nul_in_the_url_answer_without_a_5xx(superuser, client, path):
    client.force_login(superuser)
    assert client.get(path).status_code < 500
