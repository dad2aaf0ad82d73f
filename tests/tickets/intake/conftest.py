from __future__ import annotations

import json
import time
from typing import Any

import pytest

from tests.factories import ChannelFactory
from tickets.core.signing import signature_header


def encode(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(
        payload, ensure_ascii=False).encode()


@pytest.fixture
def post(client):
    """POST to the intake endpoint the way a channel does: signed with its first secret."""
    def send(channel, payload: Any, *, secret: str | None = None, timestamp: int | None = None,
             content_type: str = "application/json", signature: str | None = None,
             code: str | None = None):
        body = encode(payload)
        header = signature if signature is not None else signature_header(
            secret=secret or channel.signing_secrets[0],
            timestamp=int(time.time()) if timestamp is None else timestamp, body=body)
        return client.generic("POST", f"/api/intake/{code or channel.code}/", body,
                              content_type=content_type, HTTP_X_SIGNATURE=header)
    return send


@pytest.fixture
def channel_of(db):
    def make(family: str, **kwargs: Any):
        return ChannelFactory(code=f"test-{family.replace('_', '-')}", family=family, **kwargs)
    return make


@pytest.fixture
def eager_tasks():
    """Tasks sent after commit run in this process (no worker in these unit tests)."""
    from dispatch.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture
def post_and_settle(post, eager_tasks, django_capture_on_commit_callbacks):
    """POST, then run what the request left for after commit (routing, duplicate check)."""
    def send(*args: Any, **kwargs: Any):
        with django_capture_on_commit_callbacks(execute=True):
            return post(*args, **kwargs)
    return send
