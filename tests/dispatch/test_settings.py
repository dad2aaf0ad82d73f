"""Settings come from the environment; check them in a fresh interpreter per environment."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from dispatch.settings.environment import env_bool, env_int, env_list

PRINT = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({'engine': s.DATABASES['default']['ENGINE'], "
    "'name': str(s.DATABASES['default']['NAME']), 'broker': s.CELERY_BROKER_URL, "
    "'cache': s.CACHES['default']['BACKEND'], 'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS, "
    "'tz': s.TIME_ZONE, 'lang': s.LANGUAGE_CODE, 'secret': s.SECRET_KEY}))"
)


def _settings_with(tmp_path: Path, **env: str) -> dict:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"DATABASE_URL", "CELERY_BROKER_URL", "REDIS_URL", "SECRET_KEY",
                          "DEBUG", "ALLOWED_HOSTS"}}
    clean.update(DJANGO_SETTINGS_MODULE="dispatch.settings.base",
                 DISPATCH_VAR_DIR=str(tmp_path / "var"), **env)
    out = subprocess.run([sys.executable, "-c", PRINT], cwd=settings.BASE_DIR, env=clean,
                         capture_output=True, text=True, timeout=60, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_embedded_default_needs_no_server(tmp_path):
    s = _settings_with(tmp_path)
    assert s["engine"] == "django.db.backends.sqlite3"
    assert s["name"] == str(tmp_path / "var" / "dispatch.sqlite3")
    assert s["broker"] == "filesystem://"
    assert s["debug"] is False and s["tz"] == "Asia/Shanghai" and s["lang"] == "zh-hans"
    assert (tmp_path / "var" / "broker" / "queue").is_dir()


def test_the_generated_secret_key_is_kept_between_starts(tmp_path):
    assert _settings_with(tmp_path)["secret"] == _settings_with(tmp_path)["secret"]


def test_the_production_profile_comes_from_the_environment(tmp_path):
    s = _settings_with(tmp_path, DATABASE_URL="postgres://u@db.internal:5432/dispatch",
                       REDIS_URL="redis://127.0.0.1:6379/3", SECRET_KEY="k", DEBUG="false",
                       ALLOWED_HOSTS="minyi.example.cn, 127.0.0.1")
    assert (s["engine"], s["name"]) == ("django.db.backends.postgresql", "dispatch")
    assert s["broker"] == "redis://127.0.0.1:6379/3"
    assert s["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert s["hosts"] == ["minyi.example.cn", "127.0.0.1"] and s["secret"] == "k"


def test_a_separate_broker_url_wins_over_redis_url(tmp_path):
    s = _settings_with(tmp_path, REDIS_URL="redis://127.0.0.1:6379/3",
                       CELERY_BROKER_URL="amqp://guest@127.0.0.1//")
    assert s["broker"] == "amqp://guest@127.0.0.1//"


def test_env_readers_reject_nonsense(monkeypatch):
    monkeypatch.setenv("X_BOOL", "maybe")
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ValueError, match="X_BOOL"):
        env_bool("X_BOOL")
    with pytest.raises(ValueError, match="X_INT"):
        env_int("X_INT", 1)
    monkeypatch.setenv("X_LIST", " a, ,b ")
    assert env_list("X_LIST", []) == ["a", "b"]


def test_the_admin_speaks_chinese_even_to_an_english_browser(client, db):
    page = client.get("/admin/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in page and "Log in" not in page


def test_english_is_available_when_chosen(client, db):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/admin/login/"})
    assert response.status_code == 302
    assert "Log in" in client.get("/admin/login/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/admin/login/"})
    assert "登录" in client.get("/admin/login/").content.decode()


SECURITY = (
    "import json, django; from django.conf import settings as s; django.setup(); "
    "print(json.dumps({k: getattr(s, k, None) for k in ('SECURE_SSL_REDIRECT', "
    "'SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER')}))"
)
_SECURITY_VARS = {"SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE",
                  "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD",
                  "SECURE_PROXY_SSL_HEADER", "DEBUG"}


def _security_with(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in _SECURITY_VARS}
    clean.update(DJANGO_SETTINGS_MODULE="dispatch.settings.base", SECRET_KEY="k",
                 DISPATCH_VAR_DIR=str(tmp_path / "var"), **env)
    return subprocess.run([sys.executable, "-c", SECURITY], cwd=settings.BASE_DIR, env=clean,
                          capture_output=True, text=True, timeout=60)


def _security(tmp_path: Path, **env: str) -> dict:
    out = _security_with(tmp_path, **env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_with_debug_off_https_is_required_by_default(tmp_path):
    assert _security(tmp_path) == {
        "SECURE_SSL_REDIRECT": True, "SESSION_COOKIE_SECURE": True, "CSRF_COOKIE_SECURE": True,
        "SECURE_HSTS_SECONDS": 31536000, "SECURE_HSTS_INCLUDE_SUBDOMAINS": True,
        "SECURE_HSTS_PRELOAD": True, "SECURE_PROXY_SSL_HEADER": None}


def test_each_secure_default_can_be_switched_off_for_a_plain_http_run(tmp_path):
    s = _security(tmp_path, SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0",
                  CSRF_COOKIE_SECURE="0", SECURE_HSTS_SECONDS="0")
    assert (s["SECURE_SSL_REDIRECT"], s["SESSION_COOKIE_SECURE"], s["CSRF_COOKIE_SECURE"],
            s["SECURE_HSTS_SECONDS"]) == (False, False, False, 0)


def test_debug_on_drops_the_https_defaults(tmp_path):
    s = _security(tmp_path, DEBUG="1")
    assert (s["SECURE_SSL_REDIRECT"], s["SESSION_COOKIE_SECURE"], s["SECURE_HSTS_SECONDS"]) == (
        False, False, 0)


def test_the_proxy_header_comes_from_the_environment(tmp_path):
    s = _security(tmp_path, SECURE_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO,https")
    assert s["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_a_malformed_proxy_header_stops_the_start(tmp_path):
    out = _security_with(tmp_path, SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    assert out.returncode != 0 and "SECURE_PROXY_SSL_HEADER must be" in out.stderr
