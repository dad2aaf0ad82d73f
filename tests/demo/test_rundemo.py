"""The embedded-default command comes up, answers HTTP, and its worker runs a task sent to it.

This starts the real programs (gunicorn, a Celery worker and beat on the filesystem broker and
SQLite) in a temporary var directory, exactly as `make demo` does, and stops them afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.service

STARTUP_LIMIT_S = 120
TASK_LIMIT_S = 60


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="dispatch.settings.base", DISPATCH_VAR_DIR=str(var_dir),
               DISPATCH_HEARTBEAT_SECONDS="1", PYTHONUNBUFFERED="1",
               # a small starting model: the demo trains one on first start
               ROUTER_STARTER_SAMPLES="3000")
    return env


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return 0


def _get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=5) as response:
        assert response.status == 200
        return json.loads(response.read())


def _wait_until(check: Callable[[], bool], limit_s: float) -> bool:
    """Poll an outside process for an outcome, up to a bound; never a fixed sleep."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """One demo for the module (it takes half a minute to start); the last test stops it."""
    port = _free_port()
    env = _embedded_env(tmp_path_factory.mktemp("demo") / "var")
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "rundemo", "--port", str(port), "--web-workers", "1"],
        cwd=settings.BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, start_new_session=True,
    )
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if "按 Ctrl-C 停止" in line:
                ready.set()

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        if not ready.wait(STARTUP_LIMIT_S):
            pytest.fail("rundemo did not come up:\n" + "".join(lines[-60:]))
        yield {"proc": proc, "port": port, "env": env, "lines": lines,
               "base": f"http://127.0.0.1:{port}"}
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def test_the_demo_prints_its_url_and_logins_and_answers_http(demo):
    output = "".join(demo["lines"])
    assert f"{demo['base']}/admin/" in output and f"{demo['base']}/console/" in output
    assert "center.disp1" in output and settings.DISPATCH_DEMO_PASSWORD in output
    assert "分拨模型：用 3000 条合成诉求训练初始模型" in output
    assert _get_json(f"{demo['base']}/healthz/") == {"status": "ok"}
    # ready once the worker and beat have reported and the starting model is loadable
    assert _wait_until(lambda: _status(f"{demo['base']}/readyz/") == 200, TASK_LIMIT_S), (
        "".join(demo["lines"][-40:]))
    with urllib.request.urlopen(f"{demo['base']}/admin/login/", timeout=5) as response:
        page = response.read().decode()
    assert response.status == 200 and "民意速办" in page
    with urllib.request.urlopen(f"{demo['base']}/static/admin/css/base.css", timeout=5) as css:
        assert css.status == 200
    with urllib.request.urlopen(f"{demo['base']}/console/login/", timeout=5) as response:
        page = response.read().decode()
    assert "登录工作台" in page and "htmx-2.min.js" in page
    for asset in ("django_htmx/htmx-2.min.js", "console/console.js", "console/console.css"):
        with urllib.request.urlopen(f"{demo['base']}/static/{asset}", timeout=5) as served:
            assert served.status == 200 and served.read()


def test_a_task_sent_to_the_demo_broker_is_run_by_its_worker_and_beat_ticks(demo):
    probe = f"probe-{uuid.uuid4().hex[:8]}"
    sent = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c",
         "from dispatch.tasks import heartbeat_record_task as t; "
         f"t.delay(name={probe!r})"],
        cwd=settings.BASE_DIR, env=demo["env"], capture_output=True, text=True, timeout=60,
    )
    assert sent.returncode == 0, sent.stderr

    database = Path(demo["env"]["DISPATCH_VAR_DIR"]) / "dispatch.sqlite3"

    def names() -> set[str]:
        with closing(sqlite3.connect(database, timeout=20)) as conn:
            return {row[0] for row in conn.execute("SELECT name FROM dispatch_serviceheartbeat")}

    assert _wait_until(lambda: probe in names(), TASK_LIMIT_S), "".join(demo["lines"][-40:])
    assert _wait_until(lambda: "beat" in names(), TASK_LIMIT_S), "".join(demo["lines"][-40:])
    assert _wait_until(lambda: any(n.startswith("worker:demo-worker@") for n in names()),
                       TASK_LIMIT_S)
    assert _wait_until(lambda: any(n.startswith("worker:demo-retrain@") for n in names()),
                       TASK_LIMIT_S)


def test_stopping_the_demo_stops_all_its_processes(demo):
    proc = demo["proc"]
    children = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True)
    pids = [int(p) for p in children.stdout.split()]
    assert len(pids) == 4  # web, worker, retrain worker, beat
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0

    def gone(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        return False

    assert _wait_until(lambda: all(gone(pid) for pid in pids), 30)
