"""What an operator meets first: `migrate` (system checks on) on a brand-new database, then
`load_org` and the deploy check. pytest's own test database is created without checks, so
these run the real commands as subprocesses."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from django.conf import settings

PRODUCTION = {
    "SECRET_KEY": "k2J9-vQ8xR4mZ7pL1nW6tY3bH5cF0dS8gA2eU7iO4jK9lP3qM6wN1zX5vB8yT0rE",
    "ALLOWED_HOSTS": "minyi.example.gov.cn", "REDIS_URL": "redis://127.0.0.1:6379/15",
    "DJANGO_SETTINGS_MODULE": "dispatch.settings.base",
}
_DROP = {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "DEBUG", "SECRET_KEY",
         "DJANGO_ALLOW_ASYNC_UNSAFE",  # set for the browser tests; a deploy must not have it
         "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}


def _manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=settings.BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=300)


def _env(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in _DROP and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    return {**env, **PRODUCTION, "DATABASE_URL": database_url,
            "DISPATCH_VAR_DIR": str(tmp_path / "var")}


@pytest.fixture
def new_postgres_database():
    name = f"fresh_{uuid.uuid4().hex[:10]}"
    admin = "postgresql://postgres@127.0.0.1:5432/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    yield f"postgres://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def _walk_the_first_deploy(env: dict[str, str]) -> None:
    # before anything exists, the database checks stay quiet instead of crashing
    before = _manage(env, "check", "--database", "default")
    assert before.returncode == 0, before.stderr
    assert "W001" not in before.stdout + before.stderr

    migrated = _manage(env, "migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "Applying routing_model.0002_model_artifacts_in_storage... OK" in migrated.stdout

    org = _manage(env, "load_org")
    assert org.returncode == 0, org.stderr
    # with the tables there, the checks run: 7×24 units without anyone on duty yet
    after = _manage(env, "check", "--database", "default")
    assert after.returncode == 0, after.stderr
    assert "(dispatch.W001)" in after.stdout + after.stderr


@pytest.mark.postgres
def test_a_brand_new_postgresql_database_migrates_with_checks_on(tmp_path,
                                                                 new_postgres_database):
    env = _env(tmp_path, new_postgres_database)
    _walk_the_first_deploy(env)
    deploy = _manage(env, "check", "--deploy", "--fail-level", "WARNING")
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "System check identified no issues" in deploy.stdout


def test_an_empty_sqlite_file_migrates_with_checks_on(tmp_path):
    (tmp_path / "empty.sqlite3").touch()
    env = _env(tmp_path, f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    _walk_the_first_deploy(env)

    # The trail is append-only on SQLite too, and stays so after a migration rebuilds the table
    # (SQLite drops a rebuilt table's triggers; every migrate puts them back).
    database = tmp_path / "empty.sqlite3"
    with closing(sqlite3.connect(database)) as raw:
        raw.execute("INSERT INTO tickets_ticketevent (ticket_id, at, actor_label, action, "
                    "from_state, to_state, reason, payload, prev_hash, hash) VALUES "
                    "(1, '2026-11-30', '系统', 'create', '', 'received', '原样', '{}', '', '')")
        raw.commit()
        _refused(raw)
        raw.execute("DROP TRIGGER tickets_ticketevent_no_update")
        raw.execute("DROP TRIGGER tickets_ticketevent_no_delete")
        raw.commit()
    again = _manage(env, "migrate")
    assert again.returncode == 0, again.stderr
    with closing(sqlite3.connect(database)) as raw:
        _refused(raw)
        assert raw.execute("SELECT reason FROM tickets_ticketevent").fetchall() == [("原样",)]


def _refused(raw: sqlite3.Connection) -> None:
    for statement in ("UPDATE tickets_ticketevent SET reason = 'x'",
                      "DELETE FROM tickets_ticketevent"):
        with pytest.raises(sqlite3.IntegrityError, match="append-only"):
            raw.execute(statement)
