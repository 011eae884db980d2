"""The BFF's request class: photo file parts stay in memory up to a few megabytes.

Werkzeug spools every file part over 500 kB to a temporary file on disk; a phone photo is
2-5 MB, so each upload would be written to disk and read back before we decode it. The
whole body is already capped by MAX_CONTENT_LENGTH, so memory per request stays bounded:
werkzeug checks a Content-Length up front and counts a chunked body's bytes as it reads
them (gunicorn sets ``wsgi.input_terminated``; without it a chunked body reads as empty).
JSON bodies have a far smaller cap of their own (pictolab/graphql.py, also counted as read).
tests/bff/test_limits.py holds both.
"""

from __future__ import annotations

from tempfile import SpooledTemporaryFile

from flask import Request

IN_MEMORY_FILE_BYTES = 8 * 1024 * 1024


class BffRequest(Request):
    def _get_file_stream(self, total_content_length, content_type, filename=None, content_length=None):
        return SpooledTemporaryFile(max_size=IN_MEMORY_FILE_BYTES, mode="rb+")


def init_app(app) -> None:
    app.request_class = BffRequest
