"""Helpers for tests that run the real programs (gunicorn, Celery, redis-server) as processes."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Callable

import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until(check: Callable[[], bool], limit_s: float, step_s: float = 0.05) -> bool:
    """Poll the other processes' writes, up to a bound; never a fixed sleep."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(step_s)
    return False


class RedisServer:
    """A private redis-server on its own port, so that stopping it disturbs nobody else."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)

        def up() -> bool:
            try:
                return bool(client.ping())
            except redis.ConnectionError:
                return False
        assert wait_until(up, 20), "redis-server did not start"

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.kill()
        self.proc.wait()

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None
