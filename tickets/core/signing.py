"""Webhook signatures: X-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">.

The same scheme signs intake requests (channel -> us) and status callbacks (us -> channel).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass

TOLERANCE_SECONDS = 300


@dataclass
class SignatureError(Exception):
    code: str
    message: str


def signature_compute(*, secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(*, secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={signature_compute(secret=secret, timestamp=timestamp, body=body)}"


def signature_verify(*, header: str | None, body: bytes, secrets: list[str], now: int,
                     tolerance: int = TOLERANCE_SECONDS) -> None:
    """Raise SignatureError unless one of the secrets signed this body within the tolerance."""
    if not header:
        raise SignatureError("missing_signature", "缺少 X-Signature 签名头")
    parts: dict[str, list[str]] = {}
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if sep:
            parts.setdefault(key, []).append(value)
    try:
        timestamp = int(parts["t"][0])
        candidates = parts["v1"]
    except (KeyError, ValueError, IndexError):
        raise SignatureError("malformed_signature",
                             "签名头格式应为 t=<unix 秒>,v1=<十六进制 HMAC-SHA256>") from None
    if abs(now - timestamp) > tolerance:
        raise SignatureError("expired_signature", f"签名时间与服务器时间相差超过 {tolerance} 秒")
    for secret in secrets:
        expected = signature_compute(secret=secret, timestamp=timestamp, body=body)
        # Compare every candidate in constant time; rotation means two secrets may be valid.
        if any(hmac.compare_digest(expected, c.strip().lower()) for c in candidates):
            return
    raise SignatureError("bad_signature", "签名不正确")
