"""GET /metrics: the Prometheus text, for a bearer token or an allowed address."""

from __future__ import annotations

import hmac
import ipaddress
import logging
from functools import lru_cache

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST

from dispatch.ops.metrics.collector import metrics_exposition

logger = logging.getLogger(__name__)
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:  # a typo admits nobody rather than breaking the endpoint
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or network", entry)
    return tuple(networks)


def metrics_address_allowed(*, remote_addr: str, allowed: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    # A server listening on "::" sees IPv4 clients as ::ffff:a.b.c.d.
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in network for network in _networks(tuple(allowed)))


def metrics_token_valid(*, authorization: str, token: str) -> bool:
    scheme, _, given = authorization.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(
        given.strip().encode(), token.encode())


def metrics_access_allowed(*, authorization: str, remote_addr: str) -> bool:
    return (metrics_token_valid(authorization=authorization, token=settings.METRICS_TOKEN)
            or metrics_address_allowed(remote_addr=remote_addr,
                                       allowed=settings.METRICS_ALLOWED_IPS))


@never_cache
@require_GET
def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(authorization=request.headers.get("Authorization", ""),
                                  remote_addr=request.META.get("REMOTE_ADDR", "")):
        return JsonResponse({"error": "forbidden",
                             "message": "读取监控指标需要 Bearer 令牌（METRICS_TOKEN）"
                                        "或来自允许的地址"}, status=403)
    try:
        body = metrics_exposition()
    except DatabaseError:
        logger.exception("metrics: database unavailable")
        return HttpResponse("数据库不可用\n", status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
