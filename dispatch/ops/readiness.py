"""Is this installation ready to take traffic? Asked by /readyz/ (load balancers, operators).

Each check answers ok or what is wrong; the view shows the names of failing checks to anyone
and the details only to staff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.db import DatabaseError, connection

from dispatch.ops.heartbeat import heartbeat_fresh
from org.schema_state import schema_pending_migrations
from routing_model.artifacts import ArtifactError
from routing_model.registry import router_active_verify


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    detail: str


_schema_current = False  # once migrated, a process's code and schema stay matched


def _database() -> CheckResult:
    global _schema_current
    try:
        connection.ensure_connection()
        if not _schema_current:
            pending = schema_pending_migrations()
            if pending:
                return CheckResult(False, f"有 {len(pending)} 个迁移未执行（{pending[0]} …），"
                                          "请运行 manage.py migrate")
            _schema_current = True
    except DatabaseError as exc:
        return CheckResult(False, f"数据库不可用：{exc}")
    return CheckResult(True, "ok")


def _broker() -> CheckResult:
    try:
        with current_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0,
                                   timeout=settings.READY_BROKER_TIMEOUT_SECONDS)
    except Exception as exc:  # kombu raises the transport's own errors
        return CheckResult(False, f"消息队列不可用：{type(exc).__name__}: {exc}")
    return CheckResult(True, "ok")


def _heartbeats() -> tuple[CheckResult, CheckResult]:
    try:
        fresh = heartbeat_fresh()
    except DatabaseError as exc:
        failed = CheckResult(False, f"无法读取心跳：{exc}")
        return failed, failed
    limit = settings.READY_HEARTBEAT_MAX_AGE_SECONDS
    worker = (CheckResult(True, "、".join(fresh["workers"])) if fresh["workers"]
              else CheckResult(False, f"{limit} 秒内没有任何 Celery worker 的心跳"))
    beat = (CheckResult(True, "ok") if fresh["beat"]
            else CheckResult(False, f"{limit} 秒内没有 celery beat 的心跳"))
    return worker, beat


def _router_model() -> CheckResult:
    try:
        version = router_active_verify()
    except (ArtifactError, DatabaseError) as exc:
        return CheckResult(False, f"在用分拨模型无法加载：{exc}")
    if version is None:
        return CheckResult(True, "尚无在用模型（新工单全部转人工分拨）")
    return CheckResult(True, version)


def readiness_check() -> dict[str, CheckResult]:
    checks: dict[str, Callable[[], CheckResult]] = {
        "database": _database, "broker": _broker, "router_model": _router_model}
    results = {name: check() for name, check in checks.items()}
    if connection.is_usable():  # reachable, even if not yet migrated: ask the heartbeats
        results["worker"], results["beat"] = _heartbeats()
    else:
        skipped = CheckResult(False, "数据库不可用，无法判断")
        results["worker"] = results["beat"] = skipped
    return results
