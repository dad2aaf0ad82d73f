"""Login throttling for every door that takes a password (the console, the admin, the API's
token endpoint), by django-axes: after LOGIN_FAILURE_LIMIT failures in a row for one username
from one client address, that pair is locked for LOGIN_COOLOFF_MINUTES (0: until an admin
unlocks it, in the admin's Axes › Access attempts list or with ``manage.py axes_reset_username``).

Attempts are rows in the database (axes' database handler), so every web server counts the
same failures."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.http import HttpRequest


class LoginGuardBackend(AxesStandaloneBackend):  # type: ignore[misc]  # axes is untyped
    """axes' check, first in AUTHENTICATION_BACKENDS: a locked (username, address) pair gets no
    further password check. A call without a request (Django's test client, a shell) has no
    client address to count against, so it is let through to the password check."""

    def authenticate(self, request: HttpRequest | None, username: str | None = None,
                     password: str | None = None, **kwargs: Any) -> None:
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        return None


def client_address(request: HttpRequest) -> str:
    """The address failures are counted against: the connection's own, or behind
    LOGIN_PROXY_COUNT proxies the one the outermost proxy saw. Each proxy appends the address
    it saw to X-Forwarded-For, so only that many entries from the right are trustworthy; what
    is left of them the client wrote itself."""
    remote = str(request.META.get("REMOTE_ADDR") or "")
    hops = int(settings.LOGIN_PROXY_COUNT)
    if hops <= 0:
        return remote
    forwarded = [part.strip() for part in
                 str(request.META.get("HTTP_X_FORWARDED_FOR", "")).split(",") if part.strip()]
    return forwarded[-hops] if len(forwarded) >= hops else remote


def lockout_message() -> str:
    minutes = int(settings.LOGIN_COOLOFF_MINUTES)
    if minutes > 0:
        return (f"登录失败次数过多，该账号在此地址已被暂时锁定，请 {minutes} 分钟后再试，"
                "或联系管理员解锁。")
    return "登录失败次数过多，该账号在此地址已被锁定，请联系管理员解锁。"


def login_is_locked(request: object) -> bool:
    """Did the authentication just attempted on this request hit a lock (or set one)?"""
    return bool(getattr(request, "axes_locked_out", False))


def login_failures_clear(*, request: HttpRequest, username: str) -> None:
    """A successful login from this address forgets its earlier failures (the console's and
    the admin's logins do this through axes' AXES_RESET_ON_SUCCESS; the token endpoint logs
    nobody in, so it calls this)."""
    AxesProxyHandler.reset_attempts(username=username, ip_address=client_address(request))
