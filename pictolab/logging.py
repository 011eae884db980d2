"""Structured JSON logs with a ``severity`` field (Cloud Logging reads it), and one log
line per HTTP request with its latency."""

from __future__ import annotations

import json
import logging
import sys
import time
from datetime import UTC, datetime

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "severity": record.levelname,
            "service": self.service,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _RESERVED and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def configure_logging(service: str, level: str = "INFO", stream=None) -> None:
    """Route the root logger to one JSON line per record. Idempotent per process."""
    root = logging.getLogger()
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(JsonFormatter(service))
    handler.set_name("pictolab-json")
    root.handlers = [h for h in root.handlers if h.get_name() != "pictolab-json"] + [handler]
    root.setLevel(level.upper())
    # Werkzeug's own access log would duplicate ours.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def init_request_logging(app) -> None:
    """One ``request`` log line per HTTP request: method, path, status, latency."""
    from flask import g, request

    log = logging.getLogger(f"{app.import_name}.request")

    @app.before_request
    def _start_timer():
        g._pictolab_started = time.perf_counter()

    @app.after_request
    def _log_request(response):
        started = g.pop("_pictolab_started", None)
        latency_ms = round((time.perf_counter() - started) * 1000, 2) if started else None
        if request.path not in ("/healthz", "/readyz") or response.status_code >= 400:
            log.info(
                "%s %s %s", request.method, request.path, response.status_code,
                extra={"httpRequest": {"requestMethod": request.method, "requestUrl": request.path,
                                       "status": response.status_code, "remoteIp": request.remote_addr,
                                       "latency": f"{(latency_ms or 0) / 1000:.4f}s"},
                       "latency_ms": latency_ms},
            )
        return response
