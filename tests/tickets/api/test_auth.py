"""API tokens: obtained with a password (counted by the login throttle), replaced on every
login, refused once older than API_TOKEN_TTL_HOURS, revocable at once."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

PASSWORD = "right-pass-2026"


@pytest.fixture
def caseworker(org):
    org.assignee.user.set_password(PASSWORD)
    org.assignee.user.save()
    return org.assignee.user


def _token(password: str = PASSWORD, *, address: str = "198.51.100.7",
           username: str = "lianhua.cw1"):
    return APIClient(REMOTE_ADDR=address).post(
        "/api/auth/token/", {"username": username, "password": password}, format="json")


def _tickets(key: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client.get("/api/tickets/")


def test_a_token_is_issued_with_its_expiry_and_opens_the_api(caseworker, settings):
    settings.API_TOKEN_TTL_HOURS = 12
    before = timezone.now()
    answer = _token()
    assert answer.status_code == 200
    expires = parse_datetime(answer.json()["expires_at"])
    assert timedelta(hours=11, minutes=59) < expires - before <= timedelta(hours=12, seconds=5)
    assert _tickets(answer.json()["token"]).status_code == 200


def test_logging_in_again_replaces_the_previous_token(caseworker):
    first = _token().json()["token"]
    second = _token().json()["token"]
    assert first != second
    refused = _tickets(first)
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_invalid" and "令牌无效" in refused.json()["detail"]
    assert _tickets(second).status_code == 200
    assert Token.objects.filter(user=caseworker).count() == 1


def test_a_token_stops_working_once_it_is_older_than_its_lifetime(caseworker, settings):
    settings.API_TOKEN_TTL_HOURS = 12
    with time_machine.travel(timezone.now(), tick=False) as clock:
        key = _token().json()["token"]
        clock.shift(timedelta(hours=11, minutes=59))
        assert _tickets(key).status_code == 200
        clock.shift(timedelta(minutes=1))
        expired = _tickets(key)
    assert expired.status_code == 401 and expired["WWW-Authenticate"] == "Token"
    assert expired.json() == {
        "code": "token_expired",
        "detail": "令牌已过期（有效期 12 小时），请重新获取（POST /api/auth/token/）"}
    assert not Token.objects.filter(key=key).exists()


def test_a_revoked_token_is_refused_at_once(caseworker):
    key = _token().json()["token"]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.post("/api/auth/token/revoke/").status_code == 204
    assert _tickets(key).status_code == 401
    assert APIClient().post("/api/auth/token/revoke/").status_code == 401


def test_both_token_endpoints_are_in_the_openapi_schema(org, as_staff):
    schema = as_staff(org.centre_dispatcher).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    issue = paths["/api/auth/token/"]["post"]
    assert "security" not in issue  # asking for a token needs none
    assert {"200", "400", "429"} <= set(issue["responses"])
    assert "expires_at" in schema["components"]["schemas"]["TokenIssued"]["properties"]
    assert "204" in paths["/api/auth/token/revoke/"]["post"]["responses"]


def test_a_missing_password_is_a_400_in_chinese(caseworker):
    answer = APIClient().post("/api/auth/token/", {"username": "lianhua.cw1"}, format="json")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and "password" in answer.json()["errors"]


def test_failed_logins_lock_the_token_endpoint_for_that_name_and_address(caseworker, settings):
    settings.LOGIN_FAILURE_LIMIT = settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert _token("wrong").json()["code"] == "invalid_credentials"
    locked = _token("wrong")
    assert locked.status_code == 429 and locked.json()["code"] == "login_locked"
    assert "登录失败次数过多" in locked.json()["detail"]
    # The right password does not get past the lock either.
    assert _token().status_code == 429
    # Another address, or another name from the same address, is not locked.
    assert _token(address="203.0.113.9").status_code == 200
    assert _token("wrong", username="lianhua.cw2").json()["code"] == "invalid_credentials"


def test_twenty_five_wrong_passwords_then_the_right_one_is_still_refused(caseworker):
    for _ in range(25):
        _token("wrong")
    answer = _token()
    assert answer.status_code == 429 and "token" not in answer.json()


def test_the_lock_lifts_after_the_cool_off(caseworker, settings):
    settings.LOGIN_COOLOFF_MINUTES = 30
    settings.AXES_COOLOFF_TIME = timedelta(minutes=30)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(5):
            _token("wrong")
        assert _token().status_code == 429
        clock.shift(timedelta(minutes=31))
        assert _token().status_code == 200


def test_an_admin_unlocks_a_name_with_the_management_command(caseworker):
    for _ in range(5):
        _token("wrong")
    assert _token().status_code == 429
    call_command("axes_reset_username", "lianhua.cw1")
    assert _token().status_code == 200


def test_a_successful_login_forgets_the_earlier_failures(caseworker):
    for _ in range(4):
        _token("wrong")
    assert _token().status_code == 200
    for _ in range(4):
        _token("wrong")
    assert _token().status_code == 200


def test_behind_a_proxy_failures_count_against_the_forwarded_address(caseworker, settings):
    settings.LOGIN_PROXY_COUNT = 1
    proxy = "10.0.0.2"

    def through_proxy(password: str, client_address: str):
        return APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=client_address).post(
            "/api/auth/token/", {"username": "lianhua.cw1", "password": password},
            format="json")

    for _ in range(5):
        through_proxy("wrong", "198.51.100.7")
    assert through_proxy(PASSWORD, "198.51.100.7").status_code == 429
    # The same proxy, another client: not locked.
    assert through_proxy(PASSWORD, "203.0.113.9").status_code == 200
    # A client cannot pick its address by writing one in front of the proxy's entry.
    spoofed = APIClient(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.7")
    assert spoofed.post("/api/auth/token/", {"username": "lianhua.cw1", "password": PASSWORD},
                        format="json").status_code == 429


def test_a_username_longer_than_any_account_is_a_400_not_a_crash(caseworker):
    # The login throttle stores the username it counts in a 255-character column.
    answer = _token(username="x" * 300)
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and "username" in answer.json()["errors"]
