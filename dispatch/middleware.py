"""Chinese unless the user picked another language (cookie), whatever the browser's locale;
a request id on every request and its log lines."""

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.utils.log import log_response

from dispatch.ops import log_context

logger = logging.getLogger(__name__)


class ChosenLanguageMiddleware:
    """Office browsers often run an English locale; the UI stays Chinese until someone chooses
    English through /i18n/setlang/, which stores the choice in the language cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


class RequestIdMiddleware:
    """Keeps a sane incoming X-Request-ID (from the proxy) or makes one, puts it in the log
    context for the request's lines and the tasks it queues, and answers with it. First in
    MIDDLEWARE so that every line of the request carries it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = (log_context.sane_request_id(request.headers.get("X-Request-ID"))
                      or log_context.new_request_id())
        # Cleared too: a worker thread serves many requests one after another.
        with log_context.bound(request_id=request_id, ticket=None, task=None, task_id=None):
            response = self.get_response(request)
            if response.status_code >= 400:
                # Django logs 4xx/5xx after the middleware has returned, out of this context;
                # logged here (the same call), it carries the request id, and Django skips it.
                log_response("%s: %s", response.reason_phrase, request.path,
                             response=response, request=request)
        response.headers["X-Request-ID"] = request_id
        return response

    def process_view(self, request: HttpRequest, view_func: Callable[..., HttpResponse],
                     view_args: list[Any], view_kwargs: dict[str, Any]) -> None:
        # Ticket pages and endpoints name their ticket in the URL (…/tickets/<number>/…).
        number = view_kwargs.get("number")
        if isinstance(number, str):
            log_context.set_ticket(number)


class DatabaseUnavailableMiddleware:
    """The database went away during a request (a restart, a failover, a connection the server
    terminated): answer 503 with Retry-After instead of a 500. The request's transaction was
    rolled back, so nothing is half-written, and a channel's retry of the same request is
    answered with the same ticket."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable during %s %s: %s", request.method, request.path,
                       exception)
        message = "数据库暂时不可用，请稍后重试"
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(
                {"error": "database_unavailable", "message": message}, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response.headers["Retry-After"] = "5"
        return response
