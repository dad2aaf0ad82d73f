"""Per-channel request rate, counted in Redis when there is one (shared by every web process),
else in Django's cache (the embedded default: one process's memory)."""

from __future__ import annotations

from functools import cache as memoize

import redis
from django.conf import settings
from django.core.cache import cache

WINDOW_SECONDS = 60


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
    """Count one request; return the seconds to wait if the channel is over its limit."""
    window = int(now // WINDOW_SECONDS)
    if _count(f"intake-rate:{channel_code}:{window}") > limit:
        return WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return None
