"""Take your AI home: a succeeded run's model as a Teachable Machine image model at an
unguessable link, ``<PICTOLAB_PUBLIC_URL>/m/<token>/`` (``TrainingRun.exportUrl``).

Under it: ``metadata.json``, ``model.json``, ``weights.bin``, ``model.zip`` (what TM2Scratch,
ml5 and TM's own library load, and TM's download) and ``index.html``, a small page that runs
the model with the camera. A QUICK model's backbone weights are one shared file,
``/m/_shared/<backbone>-<hash>.bin``, that every QUICK ``model.json`` references, so a browser
caches it once. No session is needed, every answer carries ``Access-Control-Allow-Origin: *``
and the path is exempt from the venue allow-list (bff/access.py): the one thing reachable from
outside the venue. It carries weights and class names, never a photo; an unknown token, a run
that did not succeed and a purged workshop all get the same 404.

The files are written by the ML API (``exportModel``, ml_api/export) on the first request
that finds them missing (or by the ``exportModel`` mutation ahead of time); the BFF passes the
class names, which the ML API never sees.
"""

from __future__ import annotations

import json
import logging
import re

from flask import Blueprint, Response, current_app, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from pictolab.contract.errors import ErrorCode, FailedPrecondition, NotFound, Unavailable
from pictolab.contract.storage_keys import export_key, shared_export_key
from pictolab.storage import ObjectNotFound

from . import db
from .models import Group, PhotoClass, RunStatus, TrainingRun, Workshop

log = logging.getLogger(__name__)

PATH_PREFIX = "/m/"
SHARED = "_shared"
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")
_SHARED_NAME = re.compile(r"^[a-z0-9_]{1,40}-[0-9a-f]{16}\.bin$")
FILES = {"model.json": "application/json", "metadata.json": "application/json",
         "weights.bin": "application/octet-stream", "model.zip": "application/zip"}
# A run never changes once it succeeded; an hour keeps a purge's 404 from lagging far.
RUN_FILE_CACHE = "public, max-age=3600"
SHARED_FILE_CACHE = "public, max-age=31536000, immutable"  # named by its content hash
# The model page's script is part of the frontend build (frontend/model-page/), served from
# the same origin at a fixed path.
PAGE_SCRIPT = "/model-page/app.js"

bp = Blueprint("exports", __name__)
# The shared backbone file (13 MB), kept in memory: every group's first load asks for it.
_shared_cache: dict[str, bytes] = {}


def export_url(settings, run: TrainingRun) -> str | None:
    """The run's link, or None until it succeeded."""
    if run.status != RunStatus.SUCCEEDED or not run.export_token:
        return None
    return f"{settings.public_url.rstrip('/')}{PATH_PREFIX}{run.export_token}/"


def _labels(session: Session, run: TrainingRun) -> list[dict]:
    """Every class's name and the run's group's reaction to it (played by the model page)."""
    from .play import reaction

    classes = session.scalars(select(PhotoClass).where(PhotoClass.workshop_id == run.workshop_id)).all()
    return [{"classId": c.id, "name": c.name, "reaction": reaction(session, run.group_id, c.id)} for c in classes]


def _metadata_stale(session: Session, run: TrainingRun, data: bytes) -> bool:
    """Whether the stored metadata.json no longer has the classes' names or the group's
    reactions (renamed since, or a reaction changed): then it is written again. A class
    deleted since keeps what is there."""
    from .play import reaction

    try:
        meta = json.loads(data)
        class_ids = meta["pictolab"]["classIds"]
        stored = list(zip(meta["labels"], meta["pictolab"]["reactions"], strict=True))
    except (ValueError, KeyError, TypeError):
        return True  # written before reactions were part of it
    names = {c.id: c.name.strip() for c in session.scalars(
        select(PhotoClass).where(PhotoClass.workshop_id == run.workshop_id))}
    if len(class_ids) != len(stored) or any(class_id not in names for class_id in class_ids):
        return False
    return stored != [(names[class_id], _reaction_entry(reaction(session, run.group_id, class_id)))
                      for class_id in class_ids]


def _reaction_entry(value: dict | None) -> dict | None:
    # As the ML API writes it (ml_api.export.reaction_entry): unset parts null, all unset null.
    entry = {key: (value or {}).get(key) or None for key in ("emoji", "sound", "words")}
    return entry if any(entry.values()) else None


def _model_name(session: Session, run: TrainingRun) -> str:
    group = session.get(Group, run.group_id)
    return f"{group.name} AI" if group is not None else "PictoLab AI"


def check_exportable(session: Session, run: TrainingRun | None) -> TrainingRun:
    """The run if its model may be exported: it succeeded and its workshop is not purged."""
    if run is None:
        raise NotFound("No such training run.")
    workshop = session.get(Workshop, run.workshop_id)
    if workshop is None or workshop.purged_at is not None:
        raise NotFound("This workshop's data was deleted.")
    if run.status != RunStatus.SUCCEEDED:
        raise FailedPrecondition("Only a finished (succeeded) training can be exported.", status=run.status.value)
    return run


def ensure_export(session: Session, run: TrainingRun) -> dict:
    """Ask the ML API to write the run's export (idempotent: cheap when it is there)."""
    from .ml_client import MLError, MLUnavailable

    ml = current_app.extensions["pictolab.ml"]
    try:
        return ml.export_model(run.id, _labels(session, run), _model_name(session, run))
    except MLUnavailable as exc:
        raise Unavailable("The AI service is busy; try again in a moment.") from exc
    except MLError as exc:
        if exc.code == ErrorCode.NOT_FOUND:
            raise NotFound("This model is gone.") from exc
        raise FailedPrecondition(f"The model could not be exported: {exc}") from exc


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def _not_found() -> Response:
    response = jsonify(error=ErrorCode.NOT_FOUND, message="No such model.")
    response.status_code = 404
    response.headers["Cache-Control"] = "no-store"
    return _cors(response)


def _bytes(data: bytes, mimetype: str, cache: str) -> Response:
    response = Response(data, mimetype=mimetype)
    response.headers["Cache-Control"] = cache
    response.add_etag()
    return _cors(response.make_conditional(request))


def _run_for(session: Session, token: str) -> TrainingRun | None:
    if not _TOKEN.match(token):
        return None
    run = session.scalar(select(TrainingRun).where(TrainingRun.export_token == token))
    try:
        return check_exportable(session, run)
    except (NotFound, FailedPrecondition):
        return None


@bp.route(f"{PATH_PREFIX}{SHARED}/<name>", methods=["GET", "HEAD", "OPTIONS"])
def shared_file(name: str):
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    if not _SHARED_NAME.match(name):
        return _not_found()
    data = _shared_cache.get(name)
    if data is None:
        try:
            data = current_app.extensions["pictolab.storage"].get_bytes(shared_export_key(name))
        except ObjectNotFound:
            return _not_found()
        if len(_shared_cache) >= 2:  # one file per backbone; named by content, never stale
            _shared_cache.clear()
        _shared_cache[name] = data
    return _bytes(data, "application/octet-stream", SHARED_FILE_CACHE)


@bp.route(f"{PATH_PREFIX}<token>/", methods=["GET", "HEAD", "OPTIONS"], defaults={"name": "index.html"})
@bp.route(f"{PATH_PREFIX}<token>/<name>", methods=["GET", "HEAD", "OPTIONS"])
def export_file(token: str, name: str):
    if request.method == "OPTIONS":
        return _cors(Response(status=204))
    session = db.session()
    run = _run_for(session, token)
    if run is None or (name not in FILES and name not in ("index.html", "sw.js")):
        return _not_found()
    if name == "index.html":
        response = _bytes(MODEL_PAGE.encode(), "text/html", "no-cache")
        response.headers["Content-Security-Policy"] = MODEL_PAGE_CSP
        response.headers["Permissions-Policy"] = "camera=(self), microphone=(), geolocation=()"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    if name == "sw.js":
        response = _bytes(SERVICE_WORKER.encode(), "text/javascript", "no-cache")
        return response
    storage = current_app.extensions["pictolab.storage"]
    try:
        data = storage.get_bytes(export_key(run.id, name))
        if name == "metadata.json" and _metadata_stale(session, run, data):
            try:
                ensure_export(session, run)
                data = storage.get_bytes(export_key(run.id, name))
            except (NotFound, Unavailable, FailedPrecondition, ObjectNotFound):
                # The old names and reactions still run the model: better than no page.
                log.warning("model export metadata not rewritten", exc_info=True, extra={"runId": run.id})
    except ObjectNotFound:
        try:
            ensure_export(session, run)
            data = storage.get_bytes(export_key(run.id, name))
        except NotFound:
            return _not_found()
        except Unavailable:
            response = jsonify(error=ErrorCode.UNAVAILABLE, message="Try again in a moment.")
            response.status_code = 503
            response.headers["Retry-After"] = "5"
            return _cors(response)
        except (FailedPrecondition, ObjectNotFound):
            log.warning("model export failed", exc_info=True, extra={"runId": run.id})
            response = jsonify(error=ErrorCode.FAILED_PRECONDITION, message="This model cannot be exported.")
            response.status_code = 409
            return _cors(response)
    # metadata.json changes with a renamed class or a new reaction: revalidated (by its ETag) on
    # every load; the model's files never change.
    response = _bytes(data, FILES[name], "no-cache" if name == "metadata.json" else RUN_FILE_CACHE)
    if name == "model.zip":
        response.headers["Content-Disposition"] = 'attachment; filename="model.zip"'
    return response


@bp.before_request
def _rate_limit():
    """Per client address: the link is open to the internet (a Cloud Armor rule limits it
    first in the cloud; this holds on any deployment, the laptop's too)."""
    from flask import g

    limiter = current_app.extensions["pictolab.export_limiter"]
    if limiter.allow(getattr(g, "client_ip", None) or request.remote_addr or ""):
        return None
    response = jsonify(error=ErrorCode.RATE_LIMITED, message="Too many requests; try again in a minute.")
    response.status_code = 429
    response.headers["Retry-After"] = "60"
    return _cors(response)


def init_app(app) -> None:
    from .ratelimit import RateLimiter

    # A model's first load is ~6 requests (page, metadata, model, weights, shared weights,
    # worker): a whole class behind one venue NAT opening theirs at once stays under this default.
    per_minute = float(app.config.get("EXPORT_REQUESTS_PER_MINUTE", 600))
    app.extensions["pictolab.export_limiter"] = RateLimiter(per_minute / 60, per_minute)
    app.register_blueprint(bp)


# The model page: static, the same for every run; it reads ./metadata.json and ./model.json
# itself. Its script (TF.js bundled in, no CDN) comes from the frontend build.
MODEL_PAGE = f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>PictoLab AI</title>
</head>
<body>
<main id="model-page">
<h1>PictoLab AI</h1>
<p>よみこみ中… / Loading…</p>
<noscript>JavaScript が ひつようです / This page needs JavaScript.</noscript>
</main>
<script type="module" src="{PAGE_SCRIPT}"></script>
</body>
</html>
"""

# 'wasm-unsafe-eval': the page runs TF.js on its WebAssembly backend (compiling WebAssembly,
# never evaluating script text).
MODEL_PAGE_CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
                  "img-src 'self' blob: data:; media-src 'self' blob: mediastream:; connect-src 'self'; "
                  "worker-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; "
                  "frame-ancestors 'none'")

# Works offline once loaded: network first (a purged model's 404 reaches the page while
# online), the last good answer from the cache when the network is gone.
SERVICE_WORKER = """const CACHE = "pictolab-model-v1";
self.addEventListener("install", (event) => { self.skipWaiting(); });
self.addEventListener("activate", (event) => { event.waitUntil(self.clients.claim()); });
self.addEventListener("fetch", (event) => {
  if (event.request.method !== "GET") return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    try {
      const response = await fetch(event.request);
      if (response.ok) await cache.put(event.request, response.clone());
      return response;
    } catch (error) {
      const cached = await cache.match(event.request);
      if (cached) return cached;
      throw error;
    }
  })());
});
"""
