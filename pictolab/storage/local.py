from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from .base import ObjectNotFound, Storage, StorageError, validate_key, validate_prefix


class LocalStorage(Storage):
    """A folder on disk. Writes go to a temp file in the same folder and are renamed into
    place, so a crash never leaves a half-written photo or model behind."""

    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        self.root.mkdir(parents=True, exist_ok=True)
        self.url = self.root.as_uri()

    @classmethod
    def from_url(cls, url: str) -> LocalStorage:
        parsed = urlparse(url)
        if parsed.scheme != "file" or parsed.netloc not in ("", "localhost"):
            raise StorageError(f"not a local file URL: {url!r}")
        path = Path(unquote(parsed.path))
        if not path.is_absolute():
            raise StorageError(f"storage path must be absolute: {url!r}")
        return cls(path)

    def _path(self, key: str) -> Path:
        return self.root / validate_key(key)

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except FileNotFoundError:
                pass
            raise

    def get_bytes(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound(f"no object {key!r}") from None

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def delete(self, key: str) -> bool:
        path = self._path(key)
        try:
            path.unlink()
        except (FileNotFoundError, IsADirectoryError):
            return False
        # Tidy empty folders up to the root so a purged workshop leaves nothing behind.
        self._tidy_parents(path)
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        prefix = validate_prefix(prefix)
        base = self.root / prefix if prefix else self.root
        if not base.is_dir():
            return iter(())
        keys = []
        for dirpath, _dirs, files in os.walk(base):
            for name in files:
                if name.startswith(".") and name.endswith(".tmp"):
                    continue  # an in-flight atomic write
                keys.append(Path(dirpath, name).relative_to(self.root).as_posix())
        return iter(sorted(keys))

    def delete_prefix(self, prefix: str) -> int:
        """Everything under the prefix, including temp files of writes that a crash cut off
        (list() hides those): a purge must leave no photo bytes behind."""
        count = super().delete_prefix(prefix)
        base = self.root / validate_prefix(prefix)
        if base.is_dir():
            for dirpath, _dirs, files in os.walk(base, topdown=False):
                for name in files:
                    Path(dirpath, name).unlink(missing_ok=True)
                    count += 1
                try:
                    Path(dirpath).rmdir()
                except OSError:
                    pass
            self._tidy_parents(base)
        return count

    def _tidy_parents(self, path: Path) -> None:
        """Remove the empty folders from ``path``'s parent up to the root."""
        parent = path.parent
        while parent != self.root and self.root in parent.parents:
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent

    def uri(self, key: str) -> str:
        return self._path(key).as_uri()

    def key_for_uri(self, uri: str) -> str:
        prefix = self.url.rstrip("/") + "/"
        if not isinstance(uri, str) or not uri.startswith(prefix):
            raise StorageError(f"URI {uri!r} is outside storage {self.url}")
        return validate_key(unquote(uri[len(prefix):]))
