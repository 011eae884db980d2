"""One shape for every service's ``/healthz`` and ``/readyz``.

``/healthz`` (liveness) answers ``{"status": "ok"}`` whenever the process serves: it checks
nothing, so a slow dependency never gets a pod killed. ``/readyz`` (readiness) answers

    {"status": "ready" | "not ready", "service": "<name>",
     "checks": {"<check>": {"ok": bool, "detail": "<why, for an operator>"}}}

with 200 when every check is ok, else 503. Probes, the load balancer and ``pictolab up`` read
only the status code; the body is for people.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask import current_app, jsonify

log = logging.getLogger(__name__)

READY, NOT_READY = "ready", "not ready"


@dataclass(frozen=True)
class Check:
    ok: bool
    detail: str


def liveness():
    return jsonify(status="ok")


def readiness(service: str, checks: Mapping[str, Check]):
    """The ``/readyz`` response for ``checks``. A change of the failing checks is logged once
    (not on every probe, which comes every few seconds) with the reasons."""
    ready = all(check.ok for check in checks.values())
    body = {"status": READY if ready else NOT_READY, "service": service,
            "checks": {name: {"ok": check.ok, "detail": check.detail} for name, check in checks.items()}}
    failing = {name: check.detail for name, check in checks.items() if not check.ok}
    state = current_app.extensions.setdefault("pictolab.readiness", {})
    if state.get("failing") != failing:
        state["failing"] = failing
        if failing:
            log.warning("%s not ready: %s", service, "; ".join(f"{k}: {v}" for k, v in failing.items()),
                        extra={"checks": body["checks"]})
        else:
            log.info("%s ready", service)
    return jsonify(body), 200 if ready else 503
