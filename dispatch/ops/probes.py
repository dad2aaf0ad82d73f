"""Health, readiness and metrics answer whatever Host header the prober sends.

Load balancers, the container health check and Prometheus address a machine by its IP, which
ALLOWED_HOSTS (the public name) rightly refuses everywhere else. For these three paths only, a
request with an unknown Host goes straight to its view, past the session and user middleware,
so it is answered as an anonymous caller: readiness without details, metrics by address or
token.
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse
from django.urls import resolve

PROBE_PATHS = frozenset({"/healthz/", "/readyz/", "/metrics"})


class ProbeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in PROBE_PATHS:
            try:
                request.get_host()
            except DisallowedHost:
                match = resolve(request.path_info)
                response: HttpResponse = match.func(request, *match.args, **match.kwargs)
                return response
        return self.get_response(request)
