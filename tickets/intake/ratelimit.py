"""Per-channel request rate, counted in the shared cache (Redis in production)."""

from __future__ import annotations

from django.core.cache import cache

WINDOW_SECONDS = 60


def rate_limit_hit(*, channel_code: str, limit: int, now: float) -> int | None:
    """Count one request; return the seconds to wait if the channel is over its limit."""
    window = int(now // WINDOW_SECONDS)
    key = f"intake-rate:{channel_code}:{window}"
    # add() is atomic: only the first request of a window creates the counter.
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count > limit:
        return WINDOW_SECONDS - int(now % WINDOW_SECONDS)
    return None
