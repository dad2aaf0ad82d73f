"""The set-password link, end to end: printed by a command, opened in the console, used once."""

from __future__ import annotations

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from tests.factories import UserFactory
from tickets.intake.channels import directory_load

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
NEW_PASSWORD = "lianhua-river-lantern-42"


@pytest.fixture
def imported(db, tmp_path: Path) -> str:
    """The link import_staff printed for a new caseworker, made at T0."""
    directory_load()
    path = tmp_path / "staff.csv"
    path.write_text("username,name,unit,role,phone,capacity\n"
                    "zhang.wei,张伟,street-lianhua,经办人,13812345678,\n", encoding="utf-8")
    out = StringIO()
    with time_machine.travel(T0, tick=False):
        call_command("import_staff", str(path), "--base-url", "http://testserver", stdout=out)
    (line,) = [line for line in out.getvalue().splitlines() if line.startswith("zhang.wei\t")]
    return line.split("\t")[1]


def _set_password(client: Client, link: str, password: str = NEW_PASSWORD) -> str:
    """Open the link, fill in the form; returns the page the browser ends on."""
    opened = client.get(urlsplit(link).path, follow=True)
    assert opened.status_code == 200
    assert "new_password1" in opened.content.decode(), opened.content.decode()
    form_url = opened.redirect_chain[-1][0]
    done = client.post(form_url, {"new_password1": password, "new_password2": password},
                       follow=True)
    assert done.status_code == 200
    return done.content.decode()


def test_a_new_person_sets_a_password_through_the_link_and_logs_in(imported, client):
    with time_machine.travel(T0 + timedelta(hours=1)):
        page = _set_password(client, imported)
        assert "密码已设置" in page and 'href="/console/login/"' in page
        login = client.post("/console/login/", {"username": "zhang.wei",
                                                "password": NEW_PASSWORD})
        assert login.status_code == 302 and login["Location"] == "/console/"
        assert client.get("/console/mine/").status_code == 200


def test_the_link_works_only_once(imported, client):
    with time_machine.travel(T0 + timedelta(hours=1)):
        _set_password(client, imported)
        again = Client().get(urlsplit(imported).path, follow=True)
        assert "已经失效" in again.content.decode()
        assert "new_password1" not in again.content.decode()
    assert get_user_model().objects.get(username="zhang.wei").check_password(NEW_PASSWORD)


def test_the_link_still_works_just_before_it_expires(imported, client, settings):
    with time_machine.travel(T0 + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT - 60)):
        assert "密码已设置" in _set_password(client, imported)


def test_an_expired_link_is_refused(imported, client, settings):
    with time_machine.travel(T0 + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 60)):
        page = client.get(urlsplit(imported).path, follow=True).content.decode()
    assert "已经失效" in page and "new_password1" not in page
    assert not get_user_model().objects.get(username="zhang.wei").has_usable_password()


def test_a_weak_password_is_refused_in_chinese_and_the_link_stays_usable(imported, client):
    with time_machine.travel(T0 + timedelta(hours=1)):
        opened = client.get(urlsplit(imported).path, follow=True)
        form_url = opened.redirect_chain[-1][0]
        refused = client.post(form_url, {"new_password1": "12345678",
                                         "new_password2": "12345678"})
        assert refused.status_code == 200
        assert "这个密码太常见了" in refused.content.decode()
        assert "密码已设置" in _set_password(Client(), imported)


def test_a_tampered_link_is_refused(imported, client):
    path = urlsplit(imported).path
    tampered = path[:-3] + ("a" if path[-3] != "a" else "b") + path[-2:]
    with time_machine.travel(T0 + timedelta(hours=1)):
        page = client.get(tampered, follow=True).content.decode()
    assert "已经失效" in page


def test_the_link_command_gives_a_fresh_link_that_works(db, client, settings):
    settings.SITE_URL = "https://minyi.example.gov.cn"
    user = UserFactory(username="li.na")
    user.set_unusable_password()
    user.save()
    UserFactory(username="wang.fang")
    out = StringIO()
    call_command("staff_password_link", "li.na", "wang.fang", stdout=out)
    links = dict(line.split("\t") for line in out.getvalue().splitlines() if "\t" in line)
    assert list(links) == ["li.na", "wang.fang"]
    assert links["li.na"].startswith("https://minyi.example.gov.cn/console/password/set/")
    assert "密码已设置" in _set_password(client, links["li.na"])
    assert client.login(username="li.na", password=NEW_PASSWORD)


def test_the_link_command_refuses_unknown_and_disabled_accounts_and_prints_nothing(db):
    UserFactory(username="li.na")
    UserFactory(username="gone", is_active=False)
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command("staff_password_link", "li.na", "nobody", "gone", stdout=out)
    assert "没有这些账号：nobody" in str(refused.value)
    assert "已停用" in str(refused.value) and "gone" in str(refused.value)
    assert "/console/password/set/" not in out.getvalue()
