from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlparse

from .base import ObjectNotFound, Storage, StorageError, validate_key, validate_prefix


def _make_client():
    from google.cloud import storage

    if os.environ.get("STORAGE_EMULATOR_HOST"):
        # A local emulator (tests, docker compose) takes no credentials.
        from google.auth.credentials import AnonymousCredentials

        return storage.Client(project=os.environ.get("GOOGLE_CLOUD_PROJECT", "pictolab-local"),
                              credentials=AnonymousCredentials())
    # In GKE: Workload Identity through Application Default Credentials.
    return storage.Client()


class GCSStorage(Storage):
    """``gs://bucket/prefix`` through the real google-cloud-storage client. GCS object
    writes are atomic by nature: a reader sees the previous generation until the upload ends."""

    def __init__(self, bucket: str, prefix: str = "", client=None):
        from google.api_core import exceptions as gexc

        self._gexc = gexc
        self.client = client or _make_client()
        self.bucket_name = bucket
        self.bucket = self.client.bucket(bucket)
        self.prefix = validate_prefix(prefix)
        self.url = f"gs://{bucket}/{self.prefix}" if self.prefix else f"gs://{bucket}"

    @classmethod
    def from_url(cls, url: str, client=None) -> GCSStorage:
        parsed = urlparse(url)
        if parsed.scheme != "gs" or not parsed.netloc:
            raise StorageError(f"not a gs://bucket/prefix URL: {url!r}")
        return cls(parsed.netloc, parsed.path.strip("/"), client=client)

    def _name(self, key: str) -> str:
        key = validate_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    def put_bytes(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        blob = self.bucket.blob(self._name(key))
        try:
            blob.upload_from_string(data, content_type=content_type)
        except self._gexc.GoogleAPICallError as exc:
            raise StorageError(f"upload of {key!r} failed: {exc}") from exc

    def get_bytes(self, key: str) -> bytes:
        try:
            return self.bucket.blob(self._name(key)).download_as_bytes()
        except self._gexc.NotFound:
            raise ObjectNotFound(f"no object {key!r}") from None
        except self._gexc.GoogleAPICallError as exc:
            raise StorageError(f"download of {key!r} failed: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self.bucket.blob(self._name(key)).exists()

    def delete(self, key: str) -> bool:
        try:
            self.bucket.blob(self._name(key)).delete()
        except self._gexc.NotFound:
            return False
        return True

    def list(self, prefix: str = "") -> Iterator[str]:
        prefix = validate_prefix(prefix)
        full = "/".join(p for p in (self.prefix, prefix) if p)
        strip = len(self.prefix) + 1 if self.prefix else 0
        names = (b.name for b in self.client.list_blobs(self.bucket_name, prefix=f"{full}/" if full else None))
        return iter(sorted(name[strip:] for name in names))

    def uri(self, key: str) -> str:
        return f"gs://{self.bucket_name}/{self._name(key)}"

    def key_for_uri(self, uri: str) -> str:
        base = self.url.rstrip("/") + "/"
        if not isinstance(uri, str) or not uri.startswith(base):
            raise StorageError(f"URI {uri!r} is outside storage {self.url}")
        return validate_key(uri[len(base):])
