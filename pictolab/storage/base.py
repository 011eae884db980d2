from __future__ import annotations

import abc
import json
import re
from collections.abc import Iterator
from typing import Any

_KEY_RE = re.compile(r"^[A-Za-z0-9._\-]+(/[A-Za-z0-9._\-]+)*$")


class StorageError(Exception):
    """The storage backend failed or was asked for something it must not do."""


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
