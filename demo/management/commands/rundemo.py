"""Run the whole service on the embedded default: web, a Celery worker and beat, as processes.

SQLite and the filesystem broker live under DISPATCH_VAR_DIR (default var/), so nothing needs to be
installed or running first. Production runs the same three programs against PostgreSQL and Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from demo.staff import demo_admin_ensure, demo_staff_load
from demo.starter import router_starter_ensure
from demo.tickets import demo_tickets_seed
from tickets.intake.channels import directory_load

DEMO_LOGINS = [
    ("admin", "超级管理员"),
    ("center.disp1", "分拨员 · 民意速办中心"),
    ("street-lianhua.lead", "单位负责人 · 莲花街道"),
    ("street-lianhua.cw1", "经办人 · 莲花街道"),
    ("supervision.sup1", "督办员 · 区委区政府督查室"),
]


# The demo serves plain http on the loopback address and prints readable logs; an operator's own
# environment variables still win.
DEMO_ENVIRONMENT = {
    "SECURE_SSL_REDIRECT": "0", "SESSION_COOKIE_SECURE": "0", "CSRF_COOKIE_SECURE": "0",
    "SECURE_HSTS_SECONDS": "0", "LOG_FORMAT": "plain",
}


class Command(BaseCommand):
    help = "以内置默认配置启动演示环境：Web（gunicorn）、Celery worker 和 beat"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--web-workers", type=int, default=2)
        parser.add_argument("--startup-timeout", type=float, default=60.0)

    def handle(self, *args: Any, host: str, port: int, web_workers: int,
               startup_timeout: float, **options: Any) -> None:
        self._prepare()
        python = sys.executable
        programs = {
            "web": [python, "-m", "gunicorn", "dispatch.wsgi:application",
                    "--bind", f"{host}:{port}", "--workers", str(web_workers),
                    "--access-logfile", "-", "--graceful-timeout", "5"],
            "worker": [python, "-m", "celery", "-A", "dispatch", "worker", "--loglevel", "INFO",
                       "--queues", "celery", "--concurrency", "2", "--without-gossip",
                       "--without-mingle", "--hostname", "demo-worker@%h"],
            # The nightly retrain's own queue, as in production, so it never holds up routing.
            "retrain-worker": [python, "-m", "celery", "-A", "dispatch", "worker",
                               "--loglevel", "INFO", "--queues", "retrain", "--concurrency", "1",
                               "--max-tasks-per-child", "1", "--without-gossip",
                               "--without-mingle", "--hostname", "demo-retrain@%h"],
            "beat": [python, "-m", "celery", "-A", "dispatch", "beat", "--loglevel", "INFO"],
        }
        env = {**DEMO_ENVIRONMENT, **os.environ, "DJANGO_SETTINGS_MODULE": os.environ.get(
            "DJANGO_SETTINGS_MODULE", "dispatch.settings.base")}
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            for name, argv in programs.items():
                children[name] = subprocess.Popen(argv, env=env, cwd=settings.BASE_DIR)
            base_url = f"http://{host}:{port}"
            self._wait_for_web(f"{base_url}/healthz/", children, startup_timeout)
            self._banner(base_url)
            while not stopping:
                for name, child in children.items():
                    if child.poll() is not None:
                        raise CommandError(
                            f"{name} 进程已退出（退出码 {child.returncode}），演示环境停止"
                        )
                time.sleep(0.5)
        finally:
            self._stop_all(children)

    def _prepare(self) -> None:
        db = settings.DATABASES["default"]
        self.stdout.write(f"数据库：{db['ENGINE'].rsplit('.', 1)[-1]} {db['NAME']}")
        self.stdout.write(f"消息队列：{settings.CELERY_BROKER_URL}")
        call_command("migrate", interactive=False, verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        report = directory_load()
        self.stdout.write("组织目录：" + ("已加载" if report.changed else "已是最新"))
        # Straight through the service: the demo runs with DEBUG off, which load_demo_staff
        # (the command) would refuse.
        report = demo_staff_load()
        self.stdout.write("演示人员：" + ("已加载" if report.changed else "已是最新"))
        demo_admin_ensure()
        started = time.monotonic()
        starter = router_starter_ensure(count=settings.ROUTER_STARTER_SAMPLES)
        if starter is not None:
            self.stdout.write(f"分拨模型：用 {settings.ROUTER_STARTER_SAMPLES} 条合成诉求训练"
                              f"初始模型 {starter.version}（{time.monotonic() - started:.0f} 秒，"
                              f"留出集准确率 {starter.metrics.get('accuracy', 0):.1%}）")
        created = demo_tickets_seed()
        if created:
            self.stdout.write(f"演示工单：新建 {created} 张（各个办理阶段各有几张）")

    def _wait_for_web(self, url: str, children: dict[str, subprocess.Popen[bytes]],
                      timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if children["web"].poll() is not None:
                raise CommandError("Web 进程启动失败")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.3)
        raise CommandError(f"Web 在 {timeout:.0f} 秒内没有响应 {url}")

    def _banner(self, base_url: str) -> None:
        lines = [
            "",
            "民意速办演示环境已启动（SQLite + 文件系统消息队列 + Celery worker + beat）",
            f"  工作台：      {base_url}/console/",
            f"  管理后台：    {base_url}/admin/",
            f"  健康检查：    {base_url}/healthz/",
            f"  演示账号（密码均为 {settings.DISPATCH_DEMO_PASSWORD}）：",
            *[f"    {username:<24}{label}" for username, label in DEMO_LOGINS],
            "  按 Ctrl-C 停止。",
            "",
        ]
        self.stdout.write("\n".join(lines))
        self.stdout.flush()

    def _stop_all(self, children: dict[str, subprocess.Popen[bytes]]) -> None:
        for child in children.values():
            if child.poll() is None:
                child.terminate()
        deadline = time.monotonic() + 15
        for child in children.values():
            remaining = max(0.1, deadline - time.monotonic())
            try:
                child.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
