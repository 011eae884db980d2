"""`pictolab up`: the whole system from one command, supervised, stopped by Ctrl-C, and
with every byte kept across restarts."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from tests.datasets import texture_jpegs
from tests.e2e.helpers import Browser, wait_until
from tests.services import PICTOLAB

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def free_base_port() -> int:
    """A base port P with P, P+1 and P+2 all free."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base > 65000:
            continue
        sockets = []
        try:
            for port in (base, base + 1, base + 2):
                s = socket.socket()
                s.bind(("127.0.0.1", port))
                sockets.append(s)
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise RuntimeError("no three consecutive free ports")


class Up:
    """A running `pictolab up`, its output read line by line in a thread."""

    def __init__(self, data_dir: Path, port: int):
        env = {k: v for k, v in os.environ.items() if not k.startswith("PICTOLAB_")}
        env["PICTOLAB_ML_DEVICE"] = "cpu"
        self.data_dir = data_dir
        self.proc = subprocess.Popen([PICTOLAB, "up", "--data-dir", str(data_dir), "--port", str(port)],
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True,
                                     # It only resets a signal's action: no lock a thread could hold.
                                     preexec_fn=_as_typed_in_a_terminal)  # noqa: PLW1509
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, pattern: str, timeout: float = 300) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.proc.poll() is not None:
                    break
                continue
            self.output.append(line)
            match = re.search(pattern, line)
            if match:
                return match
        raise AssertionError(f"never printed {pattern!r}; output:\n" + "\n".join(self.output[-40:]))

    def banner(self) -> dict:
        password = self.wait_for(r"Admin password:\s+(\S+)").group(1)
        workshop = self.wait_for(r"Workshop:\s+.*\((\w{32})\)").group(1)
        urls = []
        while True:
            line_match = self.wait_for(r"(/join#(\S+))|Press Ctrl-C")
            if line_match.group(0).startswith("Press"):
                break
            urls.append(line_match.group(2))
        return {"password": password, "workshop": workshop, "tokens": urls}

    def interrupt(self, timeout: float = 120) -> int:
        os.killpg(self.proc.pid, signal.SIGINT)  # what Ctrl-C in the terminal does
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            # Leave no supervisor or service behind for the rest of the suite.
            os.killpg(self.proc.pid, signal.SIGKILL)
            for service in pids(self.data_dir).values():
                if service["pid"]:
                    os.killpg(service["pid"], signal.SIGKILL)
            raise AssertionError(f"pictolab up did not stop within {timeout:.0f} s of Ctrl-C; output:\n"
                                 + "\n".join(self.output[-40:])) from None


def _as_typed_in_a_terminal() -> None:
    """In the child, before exec: Ctrl-C's default action, as for a command typed in a
    terminal. A shell that starts the test run in the background (`make test &` in a script)
    ignores SIGINT for it, and Python keeps an ignored SIGINT ignored, so `pictolab up` would
    never see the Ctrl-C this test sends."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def pids(data_dir: Path) -> dict:
    return json.loads((data_dir / "run" / "pids.json").read_text())["services"]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_supervises_stops_and_keeps_everything(tmp_path):
    data_dir = tmp_path / "workshop"
    port = free_base_port()
    up = Up(data_dir, port)
    try:
        first = up.banner()
        assert len(first["tokens"]) == 4
        bff_url = f"http://127.0.0.1:{port + 1}"
        assert requests.get(bff_url + "/readyz", timeout=5).status_code == 200
        assert requests.get(f"http://127.0.0.1:{port + 2}/readyz", timeout=5).status_code == 200
        assert first["password"] == (data_dir / "admin_password").read_text().strip()

        # The demo workshop is open for photos right away.
        group = Browser(bff_url)
        group.data("mutation($t: String!) { login(token: $t) { id } }", t=first["tokens"][0])
        classes = group.data("{ workshop { phase classes { id } } }")["workshop"]
        assert classes["phase"] == "COLLECT"
        group.upload("mutation($c: ID!, $file: Upload!) { uploadPhoto(classId: $c, file: $file) { id } }",
                     {"c": classes["classes"][0]["id"]}, texture_jpegs("brick", 1, seed=1)[0])

        # A service that dies is restarted.
        old = pids(data_dir)["bff"]["pid"]
        os.killpg(old, signal.SIGKILL)
        wait_until(lambda: pids(data_dir)["bff"]["pid"] not in (None, old), timeout=60, what="a new BFF")
        wait_until(lambda: _ok(bff_url + "/readyz"), timeout=60, what="the restarted BFF")
        assert pids(data_dir)["bff"]["restarts"] >= 1
        assert len(group.data("{ photos { id } }")["photos"]) == 1  # same session, same photo

        children = [s["pid"] for s in pids(data_dir).values() if s["pid"]]
    finally:
        code = up.interrupt()
    assert code == 0
    assert not any(alive(pid) for pid in children)

    # Start again: same password, same workshop, same photo, same login cards.
    up = Up(data_dir, port)
    try:
        second = up.banner()
        assert (second["password"], second["workshop"], second["tokens"]) == \
            (first["password"], first["workshop"], first["tokens"])
        group = Browser(f"http://127.0.0.1:{port + 1}")
        group.data("mutation($t: String!) { login(token: $t) { id } }", t=second["tokens"][0])
        assert len(group.data("{ photos { id } }")["photos"]) == 1
    finally:
        assert up.interrupt() == 0


def _ok(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_up_refuses_bad_configuration(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PICTOLAB_")}
    env["PICTOLAB_ML_DEVICE"] = "tpu"
    out = subprocess.run([sys.executable, "-m", "pictolab_cli", "up", "--data-dir", str(tmp_path)], env=env,
                         capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "PICTOLAB_ML_DEVICE" in out.stderr
