"""The image, built the way tests/dispatch/image_replay.py replays it (no Docker engine here)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.dispatch.image_replay import (
    IgnoreRules,
    build_context,
    dockerfile_stages,
    replay_build,
    replay_run,
)

ROOT = Path(settings.BASE_DIR)
# What an operator sets (README, "Production"); nothing here reaches a server.
PRODUCTION = {
    "SECRET_KEY": "k2J9-vQ8xR4mZ7pL1nW6tY3bH5cF0dS8gA2eU7iO4jK9lP3qM6wN1zX5vB8yT0rE",
    "ALLOWED_HOSTS": "minyi.example.gov.cn",
    "DATABASE_URL": "postgres://dispatch@db.internal:5432/dispatch",
    "REDIS_URL": "redis://redis.internal:6379/0",
}


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return replay_build(project=ROOT, out=tmp_path_factory.mktemp("image"))


def test_the_image_collects_static_files_and_passes_the_deploy_check(image):
    static = replay_run(image, "manage.py", "collectstatic", "--noinput", "--verbosity", "0",
                        extra_env=PRODUCTION)
    assert static.returncode == 0, static.stderr
    assert (image.root / "opt/static/console/console.css").is_file()
    assert (image.root / "opt/static/admin/css/base.css").is_file()
    deploy = replay_run(image, "manage.py", "check", "--deploy", "--fail-level", "WARNING",
                        extra_env=PRODUCTION)
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "System check identified no issues" in deploy.stdout


def test_the_code_in_the_image_comes_from_the_build_context(image):
    where = replay_run(image, "-c", "import console, notifiers, sla, tickets, routing_model, "
                       "dispatch.container; print(console.__file__, notifiers.__file__)",
                       extra_env=PRODUCTION)
    assert where.returncode == 0, where.stderr
    for path in where.stdout.split():
        assert Path(path).is_relative_to(image.root / "app")


def test_the_image_leaves_out_tests_tools_and_local_state(image):
    app = image.root / "app"
    assert (app / "manage.py").is_file() and (app / "locale/en/LC_MESSAGES/django.mo").is_file()
    assert (app / "fixtures/units.json").is_file()
    for left_out in ("tests", "benchmarks", ".git", ".venv", "var", ".ci"):
        assert not (app / left_out).exists(), left_out
    assert not list(app.rglob("__pycache__"))


def test_a_folder_left_out_of_the_build_context_fails_the_replay(tmp_path):
    rules = (ROOT / ".dockerignore").read_text() + "\nnotifiers\n"
    broken = replay_build(project=ROOT, out=tmp_path, dockerignore=rules)
    static = replay_run(broken, "manage.py", "collectstatic", "--noinput", "--verbosity", "0",
                        extra_env=PRODUCTION)
    assert static.returncode != 0
    assert "No module named 'notifiers'" in static.stderr


def test_the_dockerfile_is_multi_stage_non_root_with_a_health_check_and_roles():
    stages = dockerfile_stages((ROOT / "Dockerfile").read_text())
    assert len(stages) >= 2
    final = dict(stages[-1].instructions)
    assert final["USER"] not in {"root", "0"}
    assert "dispatch.container" in final["HEALTHCHECK"] and "health" in final["HEALTHCHECK"]
    assert final["ENTRYPOINT"] == '["python", "-m", "dispatch.container"]'
    assert final["CMD"] == '["web"]'
    assert stages[-1].env["DJANGO_SETTINGS_MODULE"] == "dispatch.settings.base"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_web_role_of_the_image_serves_and_its_health_check_says_so(image, tmp_path):
    port = _free_port()
    env = {**image.env, **PRODUCTION, "PORT": str(port), "WEB_CONCURRENCY": "1",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "REDIS_URL": "",
           "DISPATCH_VAR_DIR": str(tmp_path / "var")}
    web = subprocess.Popen([str(image.python), "-m", "dispatch.container", "web"],
                           cwd=image.workdir, env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        body = b""
        while time.monotonic() < deadline and not body:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz/", timeout=2) as r:
                    body = r.read()
            except OSError:
                time.sleep(0.3)
        assert body == b'{"status": "ok"}'
        health = subprocess.run([str(image.python), "-m", "dispatch.container", "health"],
                                cwd=image.workdir, env=env, timeout=30)
        assert health.returncode == 0
    finally:
        os.killpg(web.pid, signal.SIGTERM)
        web.wait(timeout=30)


@pytest.mark.parametrize(("path", "excluded"), [
    ("tests/test_a.py", True), ("tickets/__pycache__/x.pyc", True), (".git/HEAD", True),
    ("var/dispatch.sqlite3", True), ("tickets/services.py", False), ("README.md", False),
    ("console/static/console/console.css", False), ("benchmarks/intake.py", True),
])
def test_dockerignore_rules_are_read_as_docker_reads_them(path, excluded):
    rules = IgnoreRules.parse((ROOT / ".dockerignore").read_text())
    assert rules.excluded(path) is excluded


def test_a_later_negated_pattern_takes_a_file_back(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/a.md").write_text("a")
    (tmp_path / "docs/keep.md").write_text("k")
    rules = IgnoreRules.parse("docs/*.md\n!docs/keep.md\n")
    assert build_context(tmp_path, rules) == ["docs/keep.md"]
