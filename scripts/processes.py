"""Real processes of the app (gunicorn, a Celery worker, celery beat) started from a script or a
test against a database and Redis of its own: each writes to its own log file, can be waited on
until a line appears in it, and is stopped by its own process id (never by name)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Variables of the calling process that must not leak into the app's processes.
NOT_INHERITED = {
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_ENV",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "MEDIA_ROOT",
    "VAR_DIR",
    "FILE_STORAGE",
    "CELERY_TASK_ALWAYS_EAGER",
}


def app_environment(**variables: str) -> dict[str, str]:
    """The environment of an app process: this one's, less the app's settings, plus `variables`
    (with the production settings module, config.settings, never the tests')."""
    env = {k: v for k, v in os.environ.items() if k not in NOT_INHERITED}
    return {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1", **variables}


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    log: Path

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def count(self, needle: str) -> int:
        return self.text().count(needle)

    def wait_for(self, needle: str, *, timeout: float = 30, times: int = 1) -> None:
        """Until `needle` is in the log `times` times; fails with the log if the process stops
        or the time runs out."""
        give_up = time.monotonic() + timeout
        while self.count(needle) < times:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} stopped (exit {self.popen.returncode}):\n{self.text()[-4000:]}")
            if time.monotonic() > give_up:
                raise TimeoutError(f"{self.name}: no {needle!r} after {timeout:.0f} s:\n{self.text()[-4000:]}")
            time.sleep(0.1)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        """SIGKILL, as a crash would: nothing runs on the way out."""
        if self.alive():
            self.popen.kill()
        self.popen.wait()

    def signal(self, number: int) -> None:
        if self.alive():
            self.popen.send_signal(number)

    def wait(self, timeout: float = 20) -> None:
        """Until it has stopped; SIGKILL after `timeout`."""
        try:
            self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()

    def stop(self, timeout: float = 20) -> None:
        self.signal(signal.SIGTERM)
        self.wait(timeout)


def start(name: str, args: list[str], *, env: Mapping[str, str], logs: Path) -> Process:
    """Start `python args…` in the project's folder, its output in logs/<name>.log."""
    logs.mkdir(parents=True, exist_ok=True)
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen([sys.executable, *args], cwd=ROOT, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    return Process(name, popen, log)


def run_python(*args: str, env: Mapping[str, str], timeout: float = 300) -> str:
    """Run `python args…` in the project's folder to its end; its output, or an error with it."""
    result = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result.stdout
