"""Console and admin sessions end by themselves: after CONSOLE_IDLE_MINUTES in which the
person did nothing, and SESSION_COOKIE_AGE after they signed in however busy they were. The
next request finds them signed out (an htmx poll sends the window to the login page).

What htmx fetches by itself with GET (the queues poll every 10 s) is not the person doing
something: counting it would keep a session with a queue open on a screen alive for ever."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone

# Session keys, epoch seconds: the person's last own request, and when the session was first
# seen signed in. Saving the session moves its database expiry on, so the maximum age is
# checked here against the second.
LAST_ACTIVE = "last_active"
SIGNED_IN = "signed_in"
# The session is written again only when this much has passed, not on every request.
WRITE_EVERY_SECONDS = 60


def _by_htmx_itself(request: HttpRequest) -> bool:
    return request.method == "GET" and request.headers.get("HX-Request") == "true"


def _seconds(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


class IdleSessionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        # Only signed-in sessions (the API's token requests carry none).
        if SESSION_KEY not in session:
            return _to_login_window(request, self.get_response(request))
        now = timezone.now().timestamp()
        last, since = _seconds(session.get(LAST_ACTIVE)), _seconds(session.get(SIGNED_IN))
        if last is not None and now - last > settings.CONSOLE_IDLE_MINUTES * 60:
            return self._signed_out(request, "长时间未操作，已自动退出，请重新登录。")
        if since is not None and now - since > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            return self._signed_out(request, f"登录已超过 {hours} 小时，请重新登录。")
        if since is None:
            session[SIGNED_IN] = now
        if not _by_htmx_itself(request) and (last is None or now - last >= WRITE_EVERY_SECONDS):
            session[LAST_ACTIVE] = now
        return self.get_response(request)

    def _signed_out(self, request: HttpRequest, why: str) -> HttpResponse:
        logout(request)
        messages.info(request, why)
        # Carry on signed out: the page sends the person to its login form.
        return _to_login_window(request, self.get_response(request))


def _to_login_window(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """A signed-out htmx request sent to the login page: htmx would put that page inside the
    table it polls, so the whole window goes there instead."""
    login = reverse("console:login")
    if (request.headers.get("HX-Request") != "true" or response.status_code != 302
            or not response["Location"].startswith(login)):
        return response
    sent = HttpResponse(status=204)
    sent["HX-Redirect"] = login
    return sent
