from __future__ import annotations

import abc
import json
import re
from collections.abc import Iterator
from typing import Any

_KEY_RE = re.compile(r"^[A-Za-z0-9._\-]+(/[A-Za-z0-9._\-]+)*$")


class StorageError(Exception):
    """The storage backend failed or was asked for something it must not do."""


class PreconditionFailed(StorageError):
    """A conditional write found the object changed (or present, or absent) since it was read."""


class ObjectNotFound(StorageError, KeyError):
    """No object under that key."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else "object not found"


def validate_key(key: str) -> str:
    """Refuse keys that could escape the store (``..``, absolute paths, odd characters)."""
    if not isinstance(key, str) or not _KEY_RE.match(key) or any(p in (".", "..") for p in key.split("/")):
        raise StorageError(f"invalid storage key {key!r}")
    return key


def validate_prefix(prefix: str) -> str:
    prefix = prefix.strip("/")
    if prefix:
        validate_key(prefix)
    return prefix


class Storage(abc.ABC):
    """What both services need from object storage; small on purpose."""

    url: str

    @abc.abstractmethod
    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        """Write the whole object; readers see the old or the new bytes, never a mix."""

    @abc.abstractmethod
    def get_bytes(self, key: str) -> bytes:
        """The object's bytes; :class:`ObjectNotFound` when absent."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def delete(self, key: str) -> bool:
        """Delete one object; False when it was not there."""

    @abc.abstractmethod
    def list(self, prefix: str = "") -> Iterator[str]:
        """Keys under ``prefix`` (a folder-like prefix, without trailing slash), sorted."""

    @abc.abstractmethod
    def uri(self, key: str) -> str:
        """The full object URI that another service can pass back to :meth:`key_for_uri`."""

    @abc.abstractmethod
    def key_for_uri(self, uri: str) -> str:
        """The key of a full object URI inside this store; :class:`StorageError` otherwise."""

    # ---- conditional writes (compare-and-swap) ----------------------------------------------
    # A *generation* is an opaque string naming one version of an object (GCS: its generation
    # number; local: a digest of its bytes). Two writers that read the same generation and both
    # write conditionally on it: exactly one succeeds, the other gets PreconditionFailed. The ML
    # API takes over a stale run this way, so two replicas never train one run at once.
    def get_bytes_and_generation(self, key: str) -> tuple[bytes, str]:
        """The object's bytes and their generation; :class:`ObjectNotFound` when absent."""
        raise NotImplementedError(f"{type(self).__name__} has no conditional writes")

    def put_bytes_if_generation(self, key: str, data: bytes, generation: str | None,
                                content_type: str = "application/octet-stream") -> str:
        """Write only if the object is still at ``generation`` (``None``: only if it does not
        exist); returns the new generation. :class:`PreconditionFailed` otherwise."""
        raise NotImplementedError(f"{type(self).__name__} has no conditional writes")

    def get_json_and_generation(self, key: str) -> tuple[Any, str | None]:
        """(value, generation), or (None, None) when absent: pass the generation straight
        to :meth:`put_json_if_generation` (None there means "create only")."""
        try:
            data, generation = self.get_bytes_and_generation(key)
        except ObjectNotFound:
            return None, None
        return json.loads(data), generation

    def put_json_if_generation(self, key: str, value: Any, generation: str | None) -> str:
        return self.put_bytes_if_generation(key, json.dumps(value, sort_keys=True).encode(), generation,
                                            "application/json")

    # ---- conveniences built on the primitives -------------------------------------------
    def delete_prefix(self, prefix: str) -> int:
        """Delete everything under ``prefix``; returns how many objects went."""
        prefix = validate_prefix(prefix)
        if not prefix:
            raise StorageError("refusing to delete the whole store")
        return sum(1 for key in list(self.list(prefix)) if self.delete(key))

    def put_json(self, key: str, value: Any) -> None:
        self.put_bytes(key, json.dumps(value, sort_keys=True).encode(), "application/json")

    def get_json(self, key: str) -> Any:
        return json.loads(self.get_bytes(key))

    def get_json_or_none(self, key: str) -> Any:
        try:
            return self.get_json(key)
        except ObjectNotFound:
            return None
