"""One typed settings object per process.

Order of precedence (flask tutorial style): embedded defaults, then the ``PICTOLAB_*``
environment, then an explicit override mapping (tests). Outside development the processes
that use the secret key and admin password refuse to start with default or weak ones
(:meth:`Settings.require_secrets`).
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ENV_PREFIX = "PICTOLAB_"
DEVELOPMENT = "development"
ML_DEVICES = ("auto", "cuda", "cpu")

# Values that must never protect a real deployment.
_WEAK_SECRETS = {"", "dev", "secret", "changeme", "change-me", "password", "admin", "pictolab"}


# A workshop's most classes (bff.workshops.MAX_CLASSES enforces it): with
# max_photos_per_class it bounds the examples of one startTraining.
MAX_CLASSES_PER_WORKSHOP = 20
# One example in an ML API request, JSON-encoded: {"uri": "<storage URI>", "label": "<32 hex>"}.
# A BFF photo URI is ~60 characters plus the storage URL (a bucket and prefix, or a path);
# 640 bytes leaves a storage URL of ~500 characters.
ML_EXAMPLE_JSON_BYTES = 640
# The rest of an ML API request: the query text and the other variables.
ML_REQUEST_OVERHEAD_BYTES = 64 * 1024


class SettingsError(ValueError):
    """A setting is missing, malformed or unsafe for the environment."""


IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def _parse_cidrs(raw: str) -> tuple[IPNetwork, ...]:
    nets = []
    for part in raw.split(","):
        part = part.strip()
        if not part:
            continue
        try:
            nets.append(ipaddress.ip_network(part, strict=False))
        except ValueError as exc:
            raise SettingsError(f"PICTOLAB_ALLOWED_CIDRS: {part!r} is not an IP network") from exc
    return tuple(nets)


def _parse_bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise SettingsError(f"expected a boolean, got {raw!r}")


def _env(name: str, *, parse=str, doc: str = "", default: Any = None, **kwargs):
    """A settings field read from ``PICTOLAB_<NAME>``; ``parse`` turns the string into the type."""
    metadata = {"env": ENV_PREFIX + name, "parse": parse, "doc": doc}
    if "default_factory" in kwargs:
        return field(default_factory=kwargs["default_factory"], metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass(frozen=True)
class Settings:
    env: str = _env("ENV", default=DEVELOPMENT, doc="development or production")
    data_dir: Path = _env("DATA_DIR", parse=lambda v: Path(v).expanduser().resolve(),
                          default=None, doc="root of the embedded defaults")
    database_url: str = _env("DATABASE_URL", default="", doc="SQLAlchemy URL")
    # Per process (gunicorn worker): the sum over every pod must fit Cloud SQL's
    # max_connections (docs/deploy.md, connection budget).
    db_pool_size: int = _env("DB_POOL_SIZE", parse=int, default=5,
                             doc="PostgreSQL connections each BFF process keeps open")
    db_max_overflow: int = _env("DB_MAX_OVERFLOW", parse=int, default=5,
                                doc="extra PostgreSQL connections a BFF process may open under load")
    # The ML API's job queue: its own database (never the BFF's), which every replica pulls from.
    ml_database_url: str = _env("ML_DATABASE_URL", default="",
                                doc="ML API: SQLAlchemy URL of its job queue (default: a SQLite file in the data dir)")
    ml_lease_seconds: float = _env("ML_LEASE_SECONDS", parse=float, default=30.0,
                                   doc="ML API: a worker silent this long loses its job to another worker")
    storage_url: str = _env("STORAGE_URL", default="", doc="file:///abs/path or gs://bucket/prefix")
    ml_api_url: str = _env("ML_API_URL", default="http://127.0.0.1:8002", doc="base URL of the ML API (any replica serves any job: in GKE its Service); "
                                "a comma list is tried in order for failover only")
    bff_url: str = _env("BFF_URL", default="",
                        doc="frontend server only: forward /graphql and /media here (pictolab up)")
    public_url: str = _env("PUBLIC_URL", default="http://localhost:8000",
                           doc="URL the iPads open; login URLs are built on it")
    secret_key: str = _env("SECRET_KEY", default="", doc="signs sessions and login tokens")
    admin_password: str = _env("ADMIN_PASSWORD", default="", doc="instructors' password")
    allowed_cidrs: tuple[IPNetwork, ...] = _env("ALLOWED_CIDRS", parse=_parse_cidrs, default=(),
                                                doc="comma list; empty allows all")
    trusted_proxy_hops: int = _env("TRUSTED_PROXY_HOPS", parse=int, default=0,
                                   doc="X-Forwarded-For entries appended by trusted proxies")
    ml_device: str = _env("ML_DEVICE", default="auto", doc="auto|cuda|cpu")
    ml_backbone: str = _env("ML_BACKBONE", default="efficientnet_lite0", doc="default backbone id")
    ml_deep_epochs: int = _env("ML_DEEP_EPOCHS", parse=int, default=5,
                               doc="ML API: epochs of a DEEP run (fewer: shorter runs on a busy day)")
    ml_model_cache_size: int = _env("ML_MODEL_CACHE_SIZE", parse=int, default=20,
                                    doc="models kept in memory per ML API process")
    ml_gpu_concurrency: int = _env("ML_GPU_CONCURRENCY", parse=int, default=2,
                                   doc="training jobs run at once per ML API process")
    max_upload_bytes: int = _env("MAX_UPLOAD_BYTES", parse=int, default=20 * 1024 * 1024,
                                 doc="largest accepted request body")
    max_image_pixels: int = _env("MAX_IMAGE_PIXELS", parse=int, default=50_000_000,
                                 doc="decompression-bomb guard")
    decode_memory_bytes: int = _env("DECODE_MEMORY_BYTES", parse=int, default=0,
                                    doc="BFF: image decode memory per process; 0 = the container's "
                                        "memory limit / worker processes, less 192 MiB each")
    max_photos_per_class: int = _env("MAX_PHOTOS_PER_CLASS", parse=int, default=60,
                                     doc="per group and class")
    max_test_photos: int = _env("MAX_TEST_PHOTOS", parse=int, default=1000,
                                doc="hidden test photos per workshop (each run is scored on all of them)")
    min_photos_per_class: int = _env("MIN_PHOTOS_PER_CLASS", parse=int, default=5,
                                     doc="needed before training")
    retention_days: int = _env("RETENTION_DAYS", parse=int, default=30,
                               doc="closed workshops older than this are purged at `pictolab up`")
    graphiql: bool = _env("GRAPHIQL", parse=_parse_bool, default=None,
                          doc="serve GraphiQL (default: on in development)")
    log_level: str = _env("LOG_LEVEL", default="INFO", doc="Python log level")

    # ---- derived -------------------------------------------------------------------------
    @property
    def is_development(self) -> bool:
        return self.env == DEVELOPMENT

    @property
    def max_examples_per_request(self) -> int:
        """The most examples one ML API request carries: ``startTraining`` sends a group's
        photos and the workshop's hidden test photos (the job scores the model it trained)."""
        return self.max_photos_per_class * MAX_CLASSES_PER_WORKSHOP + self.max_test_photos

    @property
    def ml_max_request_bytes(self) -> int:
        """The ML API's body cap, sized by what its requests carry (its only client is the
        BFF): the most examples x the bytes of one, plus the query. 1.5 MB by default."""
        return ML_REQUEST_OVERHEAD_BYTES + self.max_examples_per_request * ML_EXAMPLE_JSON_BYTES

    @property
    def is_local(self) -> bool:
        """True when cookies may be sent over plain HTTP (a laptop, tests)."""
        return self.is_development or self.public_url.startswith("http://localhost") or \
            self.public_url.startswith("http://127.")

    # ---- construction --------------------------------------------------------------------
    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None,
                 overrides: Mapping[str, Any] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            raw = environ.get(f.metadata["env"])
            if raw is None:
                continue
            try:
                values[f.name] = f.metadata["parse"](raw)
            except SettingsError:
                raise
            except (TypeError, ValueError) as exc:
                raise SettingsError(f"{f.metadata['env']}: {exc}") from exc
        unknown = set(overrides or ()) - {f.name for f in dataclasses.fields(cls)}
        if unknown:
            raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
        values.update(overrides or {})
        return cls(**values)._with_embedded_defaults()._validated()

    def replace(self, **changes: Any) -> Settings:
        return dataclasses.replace(self, **changes)._validated()

    def _with_embedded_defaults(self) -> Settings:
        data_dir = Path(self.data_dir or Path.cwd() / ".pictolab").resolve()
        changes: dict[str, Any] = {"data_dir": data_dir}
        if not self.database_url:
            changes["database_url"] = f"sqlite:///{data_dir / 'pictolab.db'}"
        if not self.ml_database_url:
            changes["ml_database_url"] = f"sqlite:///{data_dir / 'ml-queue.db'}"
        if not self.storage_url:
            changes["storage_url"] = (data_dir / "storage").as_uri()
        if self.graphiql is None:
            changes["graphiql"] = self.is_development
        if self.is_development:
            # A laptop workshop keeps working across restarts: generated once, kept in data_dir.
            if not self.secret_key:
                changes["secret_key"] = _load_or_create(data_dir / "secret_key", lambda: secrets.token_hex(32))
            if not self.admin_password:
                changes["admin_password"] = _load_or_create(
                    data_dir / "admin_password", lambda: secrets.token_urlsafe(9))
        return dataclasses.replace(self, **changes)

    def _validated(self) -> Settings:
        if self.ml_device not in ML_DEVICES:
            raise SettingsError(f"PICTOLAB_ML_DEVICE must be one of {', '.join(ML_DEVICES)}")
        if self.trusted_proxy_hops < 0:
            raise SettingsError("PICTOLAB_TRUSTED_PROXY_HOPS must be >= 0")
        if not self.storage_url.startswith(("file://", "gs://")):
            raise SettingsError("PICTOLAB_STORAGE_URL must start with file:// or gs://")
        if self.ml_lease_seconds <= 0:
            raise SettingsError("PICTOLAB_ML_LEASE_SECONDS must be > 0")
        if self.decode_memory_bytes < 0:
            raise SettingsError("PICTOLAB_DECODE_MEMORY_BYTES must be >= 0 (0: derived)")
        if self.db_pool_size < 1 or self.db_max_overflow < 0:
            raise SettingsError("PICTOLAB_DB_POOL_SIZE must be >= 1 and PICTOLAB_DB_MAX_OVERFLOW >= 0")
        for name in ("max_upload_bytes", "max_image_pixels", "max_photos_per_class",
                     "ml_model_cache_size", "ml_gpu_concurrency", "ml_deep_epochs", "retention_days", "max_test_photos"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"PICTOLAB_{name.upper()} must be positive")
        return self

    def require_secrets(self) -> Settings:
        """For the processes that sign sessions and check the admin password (the BFF and
        the CLI): outside development, refuse missing, default or weak values. The ML API
        and the frontend server never see them, so they don't ask for them."""
        if not self.is_development:
            if self.secret_key.lower() in _WEAK_SECRETS or len(self.secret_key) < 32:
                raise SettingsError(
                    "refusing to start outside development without PICTOLAB_SECRET_KEY "
                    "(at least 32 random characters)")
            if self.admin_password.lower() in _WEAK_SECRETS or len(self.admin_password) < 10:
                raise SettingsError(
                    "refusing to start outside development without a strong PICTOLAB_ADMIN_PASSWORD "
                    "(at least 10 characters)")
        return self

    @classmethod
    def documented(cls) -> list[tuple[str, str]]:
        """(env var, description) pairs, for the README and `pictolab --help`."""
        return [(f.metadata["env"], f.metadata["doc"]) for f in dataclasses.fields(cls)]


def _load_or_create(path: Path, make) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    value = make()
    # Write a private temp file, then hard-link it into place: link() fails if another
    # process won the race, and nobody ever reads a half-written file.
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    try:
        os.link(tmp, path)
    except FileExistsError:
        value = path.read_text().strip()
    finally:
        tmp.unlink()
    return value
