"""`pictolab up`: the whole system on one machine, with embedded defaults.

Starts the ML API, the BFF and the frontend server as separate processes (as in the cloud),
restarts any that dies, stops them all on Ctrl-C, creates a demo workshop on first start and
keeps every byte of data in the data directory, so a restart continues the same workshop.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

from pictolab.backoff import backoff_seconds
from pictolab.settings import Settings

log = logging.getLogger("pictolab.up")

DEMO_CLASSES = ["りんご / apple", "えんぴつ / pencil", "はさみ / scissors"]
DEMO_GROUPS = 4
RESTART_BACKOFF_FIRST_S = 0.5
RESTART_BACKOFF_MAX_S = 30.0
STOP_GRACE_S = 70.0
ML_NICENESS = 10  # the ML API may spend its whole graceful timeout writing a checkpoint


def frontend_dist_dir() -> Path | None:
    spec = importlib.util.find_spec("frontend")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "dist"


def frontend_is_built() -> bool:
    dist = frontend_dist_dir()
    return dist is not None and (dist / "index.html").is_file()


def _lan_address() -> str:
    try:
        address = socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
    return address


@dataclass
class Child:
    name: str
    port: int
    env: dict[str, str]
    host: str
    log_path: Path
    proc: subprocess.Popen | None = None
    restarts: int = 0
    next_start: float = 0.0
    started_at: float = field(default=0.0)
    nice: int = 0

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> None:
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "ab") as out:
            # Own process group: Ctrl-C in the terminal reaches the supervisor only, which
            # then stops the children in order (and gives the ML API time to checkpoint).
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "pictolab_cli", self.name, "--host", self.host, "--port", str(self.port)],
                env=self.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                # The supervisor starts children from its main thread only, so the fork is safe.
                preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None)  # noqa: PLW1509
        self.started_at = time.monotonic()
        log.info("started %s", self.name, extra={"pid": self.proc.pid, "port": self.port})

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, grace: float) -> None:
        if not self.alive():
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            log.warning("%s did not stop within %.0fs; killing it", self.name, grace)
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


class Supervisor:
    def __init__(self, settings: Settings, base_port: int, host: str):
        self.settings = settings
        self.host = host
        self.base_port = base_port
        self.stopping = False
        data_dir = settings.data_dir
        self.run_dir = data_dir / "run"
        self.log_dir = data_dir / "logs"
        public_host = _lan_address() if host in ("0.0.0.0", "::") else ("localhost" if host == "127.0.0.1" else host)
        self.with_frontend = frontend_is_built()
        front_port = base_port if self.with_frontend else base_port + 1
        self.public_url = os.environ.get("PICTOLAB_PUBLIC_URL") or f"http://{public_host}:{front_port}"
        common = {k: v for k, v in os.environ.items()
                  if k not in ("PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD", "PICTOLAB_DATABASE_URL")}
        common.update({
            "PICTOLAB_DATA_DIR": str(data_dir),
            "PICTOLAB_STORAGE_URL": settings.storage_url,
            "PICTOLAB_PUBLIC_URL": self.public_url,
            "PICTOLAB_ML_API_URL": f"http://127.0.0.1:{base_port + 2}",
            "PYTHONUNBUFFERED": "1",
        })
        # Only the BFF signs sessions, checks the admin password and opens the database.
        bff_env = {**common, "PICTOLAB_DATABASE_URL": settings.database_url,
                   "PICTOLAB_SECRET_KEY": settings.secret_key, "PICTOLAB_ADMIN_PASSWORD": settings.admin_password}
        self.children = [
            # On one laptop, training shares the CPU with the web tier: a lower priority keeps
            # the iPads' and the projector's requests snappy while every group trains.
            Child("ml-api", base_port + 2, dict(common), "127.0.0.1", self.log_dir / "ml-api.log",
                  nice=ML_NICENESS),
            # The BFF listens on the LAN only when there is no frontend server to forward to it.
            # Behind the frontend server's forwarding, the iPad's address is the one entry it
            # appends to X-Forwarded-For: one trusted hop, so PICTOLAB_ALLOWED_CIDRS sees it.
            Child("bff", base_port + 1, {**bff_env, "PICTOLAB_TRUSTED_PROXY_HOPS": "1" if self.with_frontend else
                                         os.environ.get("PICTOLAB_TRUSTED_PROXY_HOPS", "0")},
                  "127.0.0.1" if self.with_frontend else host, self.log_dir / "bff.log"),
        ]
        if self.with_frontend:
            self.children.append(Child("frontend", base_port, {**common, "PICTOLAB_BFF_URL": f"http://127.0.0.1:{base_port + 1}"},
                                       host, self.log_dir / "frontend.log"))

    # ---- lifecycle ---------------------------------------------------------------------
    def prepare(self) -> dict:
        """Migrate the database and make sure a workshop exists; returns the demo info."""
        from bff.cli import create_workshop, upgrade_database

        from ml_api.migrations import upgrade as upgrade_ml_queue

        upgrade_database(self.settings, "head")
        upgrade_ml_queue(self.settings.ml_database_url)
        # A laptop's storage folder has no lifecycle rule: retention is applied at each start.
        from bff.retention import purge_expired

        for purged in purge_expired(self.settings):
            log.info("purged workshop %s (closed, older than %d days)", purged["workshop"],
                     self.settings.retention_days)
        demo_file = self.settings.data_dir / "demo_workshop.json"
        if demo_file.exists():
            return json.loads(demo_file.read_text())
        demo = create_workshop(self.settings.replace(public_url=self.public_url), title="PictoLab demo",
                               classes=DEMO_CLASSES, groups=DEMO_GROUPS, phase="COLLECT")
        demo_file.write_text(json.dumps(demo, ensure_ascii=False, indent=2))
        demo_file.chmod(0o600)  # it holds login tokens
        return demo

    def write_pids(self) -> None:
        self.run_dir.mkdir(parents=True, exist_ok=True)
        pids = {c.name: {"pid": c.proc.pid if c.alive() else None, "port": c.port, "restarts": c.restarts}
                for c in self.children}
        tmp = self.run_dir / "pids.json.tmp"
        tmp.write_text(json.dumps({"supervisor": os.getpid(), "services": pids}))
        tmp.replace(self.run_dir / "pids.json")

    def wait_ready(self, timeout: float = 300.0) -> bool:
        deadline = time.monotonic() + timeout
        pending = list(self.children)
        while pending and time.monotonic() < deadline and not self.stopping:
            for child in list(pending):
                try:
                    if requests.get(child.url + "/readyz", timeout=2).status_code == 200:
                        pending.remove(child)
                except requests.RequestException:
                    pass
            self.poll()
            time.sleep(0.3)
        return not pending

    def poll(self) -> None:
        """Restart any child that died, with exponential backoff against crash loops."""
        now = time.monotonic()
        for child in self.children:
            if child.alive() or self.stopping:
                continue
            if child.proc is not None and child.next_start == 0.0:
                code = child.proc.returncode
                uptime = now - child.started_at
                # A child that ran a while gets restarted at once; a crash loop backs off.
                delay = 0.0 if uptime > 60 else backoff_seconds(child.restarts + 1, RESTART_BACKOFF_FIRST_S,
                                                                RESTART_BACKOFF_MAX_S)
                child.next_start = now + delay
                log.error("%s exited with %s; restarting in %.1fs (log: %s)", child.name, code, delay,
                          child.log_path, extra={"exit_code": code})
                print(f"! {child.name} stopped (exit {code}); restarting. Log: {child.log_path}", flush=True)
            if now >= child.next_start:
                child.restarts += 1
                child.next_start = 0.0
                child.start()
                self.write_pids()

    def stop_all(self) -> None:
        # A second Ctrl-C while the ML API writes its checkpoint must not leave orphans.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        self.stopping = True
        # Front to back: stop taking requests first, let the ML API checkpoint last.
        for child in reversed(self.children):
            child.stop(STOP_GRACE_S)
        self.write_pids()

    def run(self) -> int:
        demo = self.prepare()

        def on_signal(signum, _frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, on_signal)
        try:
            for child in self.children:
                child.start()
            self.write_pids()
            if not self.frontend_note_and_wait():
                print("! some services did not become ready; see the logs in", self.log_dir, flush=True)
            self.print_banner(demo)
            while True:
                self.poll()
                time.sleep(0.5)
        except KeyboardInterrupt:
            print("\nStopping PictoLab...", flush=True)
        finally:
            self.stop_all()
        print("Stopped. Your data stays in", self.settings.data_dir, flush=True)
        return 0

    def frontend_note_and_wait(self) -> bool:
        if not self.with_frontend:
            print("! The frontend is not built (run `make install` or `cd frontend && npm ci && npm run build`):"
                  " serving the API alone.", flush=True)
        print("Starting PictoLab (the first start loads the image model; this can take a minute)...", flush=True)
        return self.wait_ready()

    def print_banner(self, demo: dict) -> None:
        lines = [
            "",
            "PictoLab is running.",
            f"  Open:            {self.public_url}/" if self.with_frontend else
            f"  GraphQL API:     {self.public_url}/graphql",
            f"  Instructors:     {self.public_url}/admin" if self.with_frontend else "",
            f"  Admin password:  {self.settings.admin_password}",
            f"  Data directory:  {self.settings.data_dir}",
            f"  Logs:            {self.log_dir}",
            f"  Workshop:        {demo['title']} ({demo['id']})",
            "  Group login URLs (print them as QR cards from the admin page):",
        ]
        for group in demo["groups"]:
            lines.append(f"    {group['emoji']} {group['name']}: {self.public_url}/join#{group['token']}")
        lines.append("Press Ctrl-C to stop.")
        print("\n".join(line for line in lines if line != ""), flush=True)


def run_up(data_dir: Path | None, base_port: int, host: str = "127.0.0.1") -> int:
    from pictolab.logging import configure_logging

    if data_dir is not None:
        os.environ["PICTOLAB_DATA_DIR"] = str(Path(data_dir).resolve())
    settings = Settings.from_env().require_secrets()
    log_dir = settings.data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    # The terminal is for the instructor (URLs, password, what restarted); the supervisor's
    # JSON log goes to a file beside the services' logs.
    # The file stays open for the life of the process (the log handler writes to it).
    log_file = open(log_dir / "supervisor.log", "a", buffering=1)  # noqa: SIM115
    configure_logging("supervisor", settings.log_level, stream=log_file)
    return Supervisor(settings, base_port, host).run()
