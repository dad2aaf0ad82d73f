"""The image's entry point (dispatch/container.py) and the compose layout that uses it."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from dispatch import container

ROOT = Path(settings.BASE_DIR)


def test_each_role_runs_its_program():
    assert container.role_command("web")[-1][2:4] == ["gunicorn", "dispatch.wsgi:application"]
    worker = container.role_command("worker")[-1]
    assert worker[2:6] == ["celery", "-A", "dispatch", "worker"]
    assert worker[worker.index("--queues") + 1] == "celery"
    retrain = container.role_command("retrain-worker")[-1]
    assert retrain[retrain.index("--queues") + 1] == "retrain"
    assert retrain[retrain.index("--concurrency") + 1] == "1"
    assert container.role_command("beat")[-1][2:6] == ["celery", "-A", "dispatch", "beat"]
    assert [cmd[1:] for cmd in container.role_command("migrate")] == [
        ["manage.py", "migrate", "--noinput"], ["manage.py", "load_org"]]


def test_an_unknown_role_is_refused():
    with pytest.raises(SystemExit, match="unknown role 'web2'"):
        container.role_command("web2")


def test_tuning_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("WEB_CONCURRENCY", "5")
    monkeypatch.setenv("PORT", "9000")
    monkeypatch.setenv("CELERY_QUEUES", "celery,extra")
    web = container.role_command("web")[-1]
    assert web[web.index("--workers") + 1] == "5" and "0.0.0.0:9000" in web
    worker = container.role_command("worker")[-1]
    assert worker[worker.index("--queues") + 1] == "celery,extra"


@pytest.mark.parametrize(("role", "age_s", "healthy"), [
    ("worker", 10, True), ("worker", 300, False), ("beat", 10, True), ("beat", 300, False),
    ("retrain-worker", 10, True),
])
def test_a_worker_or_beat_is_healthy_while_its_heartbeat_file_is_fresh(
        tmp_path, monkeypatch, role, age_s, healthy):
    monkeypatch.setattr(container, "ROLE_FILE", tmp_path / "role")
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "role").write_text(role)
    beat_file = tmp_path / "var/heartbeats" / ("beat" if role == "beat" else "worker")
    beat_file.parent.mkdir(parents=True)
    beat_file.touch()
    os.utime(beat_file, (time.time() - age_s, time.time() - age_s))
    assert (container.health() == 0) is healthy


def test_a_worker_that_never_beat_is_unhealthy(tmp_path, monkeypatch):
    monkeypatch.setattr(container, "ROLE_FILE", tmp_path / "role")
    monkeypatch.setenv("DISPATCH_VAR_DIR", str(tmp_path / "var"))
    (tmp_path / "role").write_text("worker")
    assert container.health() == 1


def test_the_container_module_needs_only_the_standard_library():
    # It runs before anything else is set up, and as the health check every 30 seconds.
    source = (ROOT / "dispatch/container.py").read_text()
    imported = {line.split()[1].split(".")[0] for line in source.splitlines()
                if line.startswith(("import ", "from "))}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_compose_runs_the_multi_machine_layout():
    services = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]
    commands = {name: (spec.get("command") or [None])[0] for name, spec in services.items()}
    assert sorted(c for c in commands.values() if c) == sorted(
        ["redis-server", "migrate", "web", "web", "worker", "worker", "retrain-worker", "beat"])
    assert services["db"]["image"].startswith("postgres:")
    assert services["redis"]["image"].startswith("redis:")
    app = [n for n, c in commands.items() if c in {"web", "worker", "retrain-worker", "beat"}]
    for name in app:
        # started only after the one-off migrate succeeded; no disk shared between machines
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully")
        assert "volumes" not in services[name]
        assert services[name]["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert services["migrate"]["restart"] == "no"
