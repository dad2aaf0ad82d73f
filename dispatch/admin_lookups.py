"""The admin's list pages turn URL parameters into SQL lookups (?state__exact=…,
?received_at__gte=…) without checking that the database can take the value. One it refuses
(a NUL, a time-zone offset beyond ±15:59) is the URL's fault, not the server's: it is answered
as the admin answers a lookup it cannot build, with the unfiltered list and ?e=1, plus a
message saying why, instead of a 500."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.db import DataError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

logger = logging.getLogger(__name__)


class AdminLookupGuardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        # Only reads: on a GET the rows are as they were stored, so a value the database
        # refuses can only have come from the URL.
        if not (isinstance(exception, DataError) and request.method in ("GET", "HEAD")
                and request.path.startswith(reverse("admin:index"))):
            return None
        logger.info("admin lookup refused by the database on %s: %s", request.path, exception)
        messages.error(request, "地址中的筛选条件含有数据库无法处理的值（如控制字符、"
                                "超出范围的时区），已显示未筛选的列表")
        return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
