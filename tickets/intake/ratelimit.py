"""Per-channel request rate, counted in Redis when there is one (shared by every web process),
else in Django's cache (the embedded default: one process's memory)."""

from __future__ import annotations

import logging
from functools import cache as memoize

import redis
from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


@memoize
def _redis() -> redis.Redis | None:
    return redis.Redis.from_url(settings.REDIS_URL) if settings.REDIS_URL else None


def _count(key: str) -> int:
    client = _redis()
    if client is not None:
        # One round trip: count, and let the window's key expire on its own.
        pipe = client.pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, WINDOW_SECONDS * 2, nx=True)
        count, _ = pipe.execute()
        return int(count)
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)  # atomic: only the window's first request
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        return 1


def rate_limit_hit(*, channel_code: str, limit: int, now: float) -> int | None:
    """Count one request; return the seconds to wait if the channel is over its limit.

    With Redis away the limit is not enforced (logged): a citizen's request matters more than
    the cap, and the request is still signed, stored and deduplicated."""
    window = int(now // WINDOW_SECONDS)
    try:
        count = _count(f"intake-rate:{channel_code}:{window}")
    except (redis.RedisError, OSError):
        logger.warning("intake rate limit not counted: Redis unavailable", exc_info=True)
        return None
    if count > limit:
        return WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return None
