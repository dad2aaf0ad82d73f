"""Chinese unless the user picked another language (cookie), whatever the browser's locale;
a request id on every request and its log lines."""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.log import log_response

from dispatch.ops import log_context


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
