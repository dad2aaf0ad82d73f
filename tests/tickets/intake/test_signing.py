import hashlib
import hmac

import pytest

from tickets.core.signing import SignatureError, signature_header, signature_verify

BODY = b'{"call_id": "1"}'


def test_the_header_is_hmac_sha256_over_timestamp_dot_body():
    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert signature_header(secret="s3cret", timestamp=1700000000, body=BODY) == \
        f"t=1700000000,v1={expected}"


def test_a_fresh_signature_with_any_current_secret_passes():
    header = signature_header(secret="new", timestamp=1000, body=BODY)
    signature_verify(header=header, body=BODY, secrets=["old", "new"], now=1000)


@pytest.mark.parametrize(("header", "now", "code"), [
    (None, 1000, "missing_signature"),
    ("v1=abc", 1000, "malformed_signature"),
    ("t=abc,v1=abc", 1000, "malformed_signature"),
    (signature_header(secret="k", timestamp=1000, body=BODY), 1301, "expired_signature"),
    (signature_header(secret="k", timestamp=1301, body=BODY), 1000, "expired_signature"),
    (signature_header(secret="other", timestamp=1000, body=BODY), 1000, "bad_signature"),
])
def test_bad_signatures_are_refused_with_a_reason(header, now, code):
    with pytest.raises(SignatureError) as err:
        signature_verify(header=header, body=BODY, secrets=["k"], now=now)
    assert err.value.code == code


def test_exactly_300_seconds_old_is_still_accepted():
    header = signature_header(secret="k", timestamp=1000, body=BODY)
    signature_verify(header=header, body=BODY, secrets=["k"], now=1300)


def test_a_changed_body_breaks_the_signature():
    header = signature_header(secret="k", timestamp=1000, body=BODY)
    with pytest.raises(SignatureError):
        signature_verify(header=header, body=BODY + b" ", secrets=["k"], now=1000)
