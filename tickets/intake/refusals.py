"""Intake requests refused before anything was stored, counted in Django's cache.

The cache is shared by every web process in production (Redis); the embedded default's
local-memory cache counts per process. A cache outage must never refuse a channel's request,
so counting swallows its errors and the metric simply misses those refusals.
"""

from __future__ import annotations

import logging

from django.core.cache import cache

logger = logging.getLogger(__name__)

# The error codes intake_receive answers before the raw record is stored (the signature
# codes come from tickets.core.signing). Anything else is counted as "other", so that the
# label's values stay few and known.
REFUSAL_REASONS = (
    "unknown_channel",
    "body_too_large",
    "unsupported_media_type",
    "missing_signature",
    "malformed_signature",
    "expired_signature",
    "bad_signature",
    "rate_limited",
    "other",
)
_KEY = "metrics:intake-refused:{}"


def intake_refusal_count(*, reason: str) -> None:
    """Add one to the reason's counter (kept without expiry: it is a running total)."""
    key = _KEY.format(reason if reason in REFUSAL_REASONS else "other")
    try:
        cache.add(key, 0, timeout=None)  # atomic: only the first refusal creates it
        cache.incr(key)
    except Exception:  # the cache is down or evicted the key: lose the count, not the request
        logger.warning("intake refusal %s not counted", reason, exc_info=True)


def intake_refusal_totals() -> dict[str, int]:
    """Every known reason with its total so far (0 when never counted)."""
    keys = {reason: _KEY.format(reason) for reason in REFUSAL_REASONS}
    found = cache.get_many(list(keys.values()))
    return {reason: int(found.get(key) or 0) for reason, key in keys.items()}
