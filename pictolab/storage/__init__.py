"""Object storage behind one interface: a local folder (``file://``) or GCS (``gs://``).

Keys are relative, slash-separated paths such as ``photos/<workshop>/<sha256>.jpg``. Every
object also has a full URI (``file:///abs/root/key`` or ``gs://bucket/prefix/key``), which is
what the BFF hands the ML API; :meth:`Storage.key_for_uri` refuses URIs outside the store.
"""

from __future__ import annotations

from .base import ObjectNotFound, Storage, StorageError, validate_key


def open_storage(url: str) -> Storage:
    """The storage backend for a ``PICTOLAB_STORAGE_URL``."""
    if url.startswith("file://"):
        from .local import LocalStorage

        return LocalStorage.from_url(url)
    if url.startswith("gs://"):
        from .gcs import GCSStorage

        return GCSStorage.from_url(url)
    raise StorageError(f"unsupported storage URL {url!r}: use file:///abs/path or gs://bucket/prefix")


__all__ = ["ObjectNotFound", "Storage", "StorageError", "open_storage", "validate_key"]
