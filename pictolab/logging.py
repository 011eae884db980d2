"""Structured JSON logs with a ``severity`` field (Cloud Logging reads it), and one log
line per HTTP request with its latency. The request line never carries a login token: QR
cards put it in the URL fragment (``/join#<token>``, never sent), and a legacy
``/join/<token>`` path is logged as ``/join/[redacted]``."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from datetime import UTC, datetime

_RESERVED = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def _spelled_any_way(text: str) -> str:
    """A pattern for ``text`` with any of its characters percent-encoded (%6A or %6a for
    "j"), matched without regard to case: a request line carries the path as sent, and
    /%6Aoin/<token> reaches the same route as /join/<token>."""
    return "".join(f"(?:{re.escape(c)}|%{ord(c):02x})" for c in text)


# Cards printed before the token moved into the fragment still open /join/<token>.
_TOKEN_PATH = re.compile(r"^" + _spelled_any_way("/join/") + r"[^/]+", re.IGNORECASE)
# The same anywhere in a line: gunicorn's access log (its request line), an exception text.
_TOKEN_IN_TEXT = re.compile(_spelled_any_way("/join/") + r"[^\s/?#\"'\\]+", re.IGNORECASE)


def loggable_path(path: str) -> str:
    """``path`` with a login token, if it carries one, replaced: logs are read by more
    people, and kept longer, than the cards are valid."""
    return _TOKEN_PATH.sub("/join/[redacted]", path)


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
        # Every line, whoever logs it (gunicorn's access log uses this formatter too), loses
        # any login token a legacy /join/<token> path carried.
        return _TOKEN_IN_TEXT.sub("/join/[redacted]", json.dumps(entry, default=str, ensure_ascii=False))


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
            path = loggable_path(request.path)
            log.info(
                "%s %s %s", request.method, path, response.status_code,
                extra={"httpRequest": {"requestMethod": request.method, "requestUrl": path,
                                       "status": response.status_code, "remoteIp": request.remote_addr,
                                       "latency": f"{(latency_ms or 0) / 1000:.4f}s"},
                       "latency_ms": latency_ms},
            )
        return response
