"""Replaying the Dockerfile without a Docker engine (none runs on the CI machines).

What a build would do to the files is reproduced: the build context as `.dockerignore` leaves
it, every COPY of it into one root folder (all stages share that folder: the final stage's
COPY --from lands on the same paths), and the final stage's ENV with its absolute paths moved
under that folder. The RUN steps that matter are then run for real in a fresh virtualenv:
`collectstatic` and `check --deploy`. The virtualenv takes its third-party packages from the
project's own (the same pinned versions) through a .pth file, because installing them again
from PyPI would cost minutes per run; the project's code comes only from the copied context.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path


def _pattern_regex(pattern: str) -> re.Pattern[str]:
    """A .dockerignore pattern (Go filepath.Match plus **) as a regex on a relative path."""
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    # A pattern naming a folder excludes everything inside it.
    return re.compile("".join(out) + "(?:/.*)?")


@dataclass(frozen=True)
class IgnoreRules:
    rules: list[tuple[bool, re.Pattern[str]]]

    @classmethod
    def parse(cls, text: str) -> IgnoreRules:
        rules = []
        for raw in text.splitlines():
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            keep = line.startswith("!")
            pattern = os.path.normpath(line.lstrip("!").strip().lstrip("/"))
            rules.append((keep, _pattern_regex(pattern)))
        return cls(rules)

    def excluded(self, relative: str) -> bool:
        verdict = False
        for keep, regex in self.rules:  # the last matching line wins
            if regex.fullmatch(relative):
                verdict = not keep
        return verdict


def build_context(root: Path, rules: IgnoreRules) -> list[str]:
    """The relative paths of the files `docker build` would send."""
    files = []
    for folder, dirs, names in os.walk(root):
        rel_folder = os.path.relpath(folder, root)
        rel = "" if rel_folder == "." else rel_folder + "/"
        dirs[:] = [d for d in dirs if not rules.excluded(rel + d)]
        files += [rel + n for n in names if not rules.excluded(rel + n)]
    return sorted(files)


@dataclass
class Stage:
    name: str
    workdir: str = "/"
    env: dict[str, str] = field(default_factory=dict)
    instructions: list[tuple[str, str]] = field(default_factory=list)


def dockerfile_stages(text: str) -> list[Stage]:
    joined = re.sub(r"\\\n", " ", text)
    stages: list[Stage] = []
    for raw in joined.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        keyword, _, rest = line.partition(" ")
        keyword, rest = keyword.upper(), rest.strip()
        if keyword == "FROM":
            parts = rest.split()
            name = parts[2] if len(parts) >= 3 and parts[1].upper() == "AS" else str(len(stages))
            stages.append(Stage(name))
            continue
        stage = stages[-1]
        stage.instructions.append((keyword, rest))
        if keyword == "WORKDIR":
            stage.workdir = rest
        elif keyword == "ENV":
            for item in shlex.split(rest):
                key, _, value = item.partition("=")
                stage.env[key] = value
    return stages


@dataclass
class Replay:
    root: Path  # the image's "/"
    env: dict[str, str]
    workdir: Path
    python: Path


def _under(root: Path, path: str) -> Path:
    return root / path.lstrip("/")


def replay_build(*, project: Path, out: Path, dockerignore: str | None = None) -> Replay:
    """Copy what the image would hold under ``out`` and make its virtualenv."""
    rules = IgnoreRules.parse(dockerignore if dockerignore is not None
                              else (project / ".dockerignore").read_text())
    context = build_context(project, rules)
    stages = dockerfile_stages((project / "Dockerfile").read_text())
    root = out / "image"
    for stage in stages:
        workdir = "/"
        for keyword, rest in stage.instructions:
            if keyword == "WORKDIR":
                workdir = rest
            if keyword != "COPY" or "--from=" in rest:
                continue
            args = [a for a in shlex.split(rest) if not a.startswith("--")]
            *sources, dest = args
            target = _under(root, dest if dest.startswith("/") else f"{workdir}/{dest}")
            for source in sources:
                src = os.path.normpath(source)
                chosen = [f for f in context if src == "." or f == src
                          or f.startswith(src + "/")]
                for rel in chosen:
                    inner = rel if src == "." or len(sources) > 1 or dest.endswith("/") else (
                        os.path.relpath(rel, src) if rel != src else Path(rel).name)
                    (target / inner).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(project / rel, target / inner)
    final = stages[-1]
    venv = _under(root, "/opt/venv")
    subprocess.run([sys._base_executable, "-m", "venv", "--without-pip", str(venv)],
                   check=True)
    site = next(venv.glob("lib/python*/site-packages"))
    (site / "project-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "SECRET_KEY",
                        "DEBUG", "DJANGO_SETTINGS_MODULE", "PYTHONPATH", "ALLOWED_HOSTS",
                        "DJANGO_ALLOW_ASYNC_UNSAFE"}
           and not k.startswith(("SECURE_", "SESSION_", "CSRF_"))}
    for key, value in final.env.items():
        value = value.replace("$PATH", os.environ.get("PATH", ""))
        env[key] = ":".join(str(_under(root, p)) if p.startswith(("/app", "/opt", "/var"))
                            else p for p in value.split(":"))
    return Replay(root=root, env=env, workdir=_under(root, final.workdir),
                  python=venv / "bin" / "python")


def replay_run(replay: Replay, *args: str, extra_env: dict[str, str] | None = None,
               ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(replay.python), *args], cwd=replay.workdir,
                          env={**replay.env, **(extra_env or {})}, capture_output=True,
                          text=True, timeout=300)
