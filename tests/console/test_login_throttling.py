"""Signing in to the console and the admin: failed logins lock a name at an address (the same
count as the API's token endpoint), an admin unlocks it; an idle session ends by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-2026"


@pytest.fixture
def caseworker(org):
    org.assignee.user.set_password(PASSWORD)
    org.assignee.user.save()
    return org.assignee.user


def _console_login(password: str, *, address: str = "198.51.100.7") -> tuple[Client, object]:
    client = Client(REMOTE_ADDR=address)
    return client, client.post("/console/login/", {"username": "lianhua.cw1",
                                                    "password": password})


def _admin_login(password: str, *, address: str = "198.51.100.7"):
    return Client(REMOTE_ADDR=address).post("/admin/login/", {"username": "lianhua.cw1",
                                                             "password": password})


def test_the_console_locks_a_name_after_repeated_failures_with_a_chinese_page(caseworker):
    for _ in range(4):
        _client, page = _console_login("wrong")
        assert page.status_code == 200 and "账号或密码不正确" in page.content.decode()
    _client, locked = _console_login("wrong")
    assert locked.status_code == 429
    body = locked.content.decode()
    assert "账号已锁定" in body and "30 分钟后再试" in body and "联系管理员解锁" in body
    assert 'href="/console/login/"' in body
    client, right = _console_login(PASSWORD)
    assert right.status_code == 429
    assert client.get("/console/mine/").status_code == 302  # not signed in


def test_the_console_the_admin_and_the_token_endpoint_share_one_count(caseworker):
    for _ in range(2):
        _console_login("wrong")
    for _ in range(2):
        assert _admin_login("wrong").status_code == 200
    APIClient(REMOTE_ADDR="198.51.100.7").post(
        "/api/auth/token/", {"username": "lianhua.cw1", "password": "wrong"}, format="json")
    assert _admin_login(PASSWORD).status_code == 429
    assert _console_login(PASSWORD)[1].status_code == 429
    # From another address the person still signs in.
    client, page = _console_login(PASSWORD, address="203.0.113.9")
    assert page.status_code == 302 and client.get("/console/mine/").status_code == 200


def test_an_admin_unlocks_a_locked_name_in_the_admin(caseworker, superuser):
    for _ in range(5):
        _console_login("wrong")
    attempt = AccessAttempt.objects.get(username="lianhua.cw1")
    admin = Client()
    admin.force_login(superuser)
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200 and "lianhua.cw1" in listed.content.decode()
    admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"})
    assert not AccessAttempt.objects.exists()
    assert _console_login(PASSWORD)[1].status_code == 302


def test_staff_other_than_superusers_do_not_see_the_login_attempts(org, login):
    assert login(org.lead).get("/admin/axes/accessattempt/").status_code == 403


# --- idle sessions --------------------------------------------------------------------------

def test_an_idle_console_session_ends_and_says_why(org, login, settings):
    settings.CONSOLE_IDLE_MINUTES = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = login(org.assignee)
        assert client.get("/console/mine/").status_code == 200
        clock.shift(timedelta(minutes=29))
        assert client.get("/console/mine/").status_code == 200  # active: the clock restarts
        clock.shift(timedelta(minutes=29))
        assert client.get("/console/mine/").status_code == 200
        clock.shift(timedelta(minutes=31))
        gone = client.get("/console/mine/")
        assert gone.status_code == 302 and gone["Location"].startswith("/console/login/")
        page = client.get(gone["Location"]).content.decode()
    assert "长时间未操作，已自动退出" in page


def test_the_queues_own_polling_does_not_keep_a_session_alive(org, login, settings):
    settings.CONSOLE_IDLE_MINUTES = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = login(org.assignee)
        client.get("/console/mine/")
        for _ in range(20):  # a queue left open on a screen polls every 10 s, for 40 minutes
            clock.shift(timedelta(minutes=2))
            polled = client.get("/console/mine/?partial=1", HTTP_HX_REQUEST="true")
        # The poll that finds the session over sends the whole window to the login page.
        assert polled.status_code == 204 and polled["HX-Redirect"] == "/console/login/"
        assert client.get("/console/mine/").status_code == 302


def test_an_idle_admin_session_ends_too(org, superuser, settings):
    settings.CONSOLE_IDLE_MINUTES = 30
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = Client()
        client.force_login(superuser)
        assert client.get("/admin/").status_code == 200
        clock.shift(timedelta(minutes=31))
        gone = client.get("/admin/")
    assert gone.status_code == 302 and gone["Location"].startswith("/admin/login/")


def test_a_session_ends_after_its_maximum_age_however_busy(org, login, settings):
    settings.CONSOLE_IDLE_MINUTES = 30
    settings.SESSION_COOKIE_AGE = 12 * 3600
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = login(org.assignee)
        for _ in range(12 * 3):  # busy all day: something every 20 minutes
            assert client.get("/console/mine/").status_code == 200
            clock.shift(timedelta(minutes=20))
        clock.shift(timedelta(minutes=1))
        gone = client.get("/console/mine/")
        assert gone.status_code == 302
        assert "登录已超过 12 小时" in client.get(gone["Location"]).content.decode()
