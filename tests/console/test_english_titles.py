"""In English mode every console page's title is English too (the views' titles were Chinese
literals, so the tab read 我的工单 · Citizen-request console)."""

from __future__ import annotations

import re

import pytest

from console.roles import console_role

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("who", ["assignee", "lead", "centre_dispatcher", "centre_supervisor",
                                 "unit_dispatcher"])
def test_every_page_a_role_opens_has_an_english_title_in_english_mode(org, login, who):
    from django.urls import reverse

    staff = getattr(org, who)
    c = login(staff)
    c.post("/i18n/setlang/", {"language": "en", "next": "/console/"})
    ticket = org.ticket("assigned")
    pages = [reverse(name) for name, _label in console_role(staff.user).nav]
    pages.append(f"/console/tickets/{ticket.number}/")
    for path in pages:
        page = c.get(path)
        if page.status_code == 404:  # a ticket of a unit not theirs
            continue
        title = re.search(r"<title>(.*?)</title>", page.content.decode(), re.S).group(1)
        title = title.replace(staff.unit.name, "")  # a name is data, not UI text
        assert not CJK.search(title), f"{path}: {title}"
