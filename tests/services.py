"""Real service processes for end-to-end tests: ``pictolab bff|ml-api|frontend`` under
gunicorn on loopback, each with its own environment, killable and restartable.

    with ServiceProcess("bff", env) as bff:
        requests.get(bff.url + "/readyz")
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.helpers import free_port

PICTOLAB = str(Path(sys.executable).with_name("pictolab"))


def base_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """Environment for a test workshop on this machine: everything under ``data_dir``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PICTOLAB_")}
    env.update({
        "PICTOLAB_ENV": "development",
        "PICTOLAB_DATA_DIR": str(data_dir),
        "PICTOLAB_ML_DEVICE": "cpu",
        "PICTOLAB_LOG_LEVEL": "INFO",
    })
    env.update(extra)
    return env


class ServiceProcess:
    def __init__(self, service: str, env: dict[str, str], port: int | None = None,
                 ready_path: str = "/readyz", ready_timeout: float = 120.0, args: list[str] | None = None,
                 nice: int = 0):
        self.service = service
        self.env = env
        self.port = port or free_port()
        self.ready_path = ready_path
        self.ready_timeout = ready_timeout
        self.args = args or []
        self.nice = nice  # `pictolab up` runs the ML API at a lower CPU priority than the web tier
        self.proc: subprocess.Popen | None = None
        log_dir = Path(env.get("PICTOLAB_DATA_DIR", ".")) / "logs"
        log_dir.mkdir(parents=True, exist_ok=True)
        self.log_path = log_dir / f"{service}-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> "ServiceProcess":
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PICTOLAB, self.service, "--host", "127.0.0.1", "--port", str(self.port), *self.args],
            env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None)
        log.close()
        try:
            self.wait_ready()
        except BaseException:
            self.kill()  # a service that never became ready must not outlive the test
            raise
        return self

    def wait_ready(self) -> None:
        deadline = time.monotonic() + self.ready_timeout
        last = None
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.service} exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                response = requests.get(self.url + self.ready_path, timeout=2)
                if response.status_code == 200:
                    return
                last = response.status_code
            except requests.RequestException as exc:
                last = exc
            time.sleep(0.2)
        raise TimeoutError(f"{self.service} not ready after {self.ready_timeout}s ({last}):\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return "(no log)"

    def kill(self) -> None:
        """SIGKILL the whole process group (gunicorn master and workers): a node dying."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)

    def stop(self, timeout: float = 60) -> None:
        """SIGTERM, as Kubernetes does, then SIGKILL if it overstays."""
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> "ServiceProcess":
        self.stop()
        return self.start()

    def __enter__(self) -> "ServiceProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop(timeout=30)
