"""The per-request log line (pictolab/logging.py): one JSON line per request, and never a
login token (a card's token is a password)."""

from __future__ import annotations

import io
import json
import logging

import pytest
from flask import Flask

from pictolab.logging import configure_logging, init_request_logging, loggable_path

TOKEN = "q2VbUeXv0pYl1J5bO3nJmBKxD7X3i3eF8aYg2Kd1w5c"


@pytest.mark.parametrize("path,expected", [
    (f"/join/{TOKEN}", "/join/[redacted]"),
    (f"/join/{TOKEN}/", "/join/[redacted]/"),
    (f"/join/{TOKEN}/extra", "/join/[redacted]/extra"),
    ("/join", "/join"),
    # Percent-encoded or upper-case spellings reach the same route: redacted all the same.
    (f"/%6Aoin/{TOKEN}", "/join/[redacted]"),
    (f"/%6a%6F%69%6e%2F{TOKEN}", "/join/[redacted]"),
    (f"/JOIN/{TOKEN}", "/join/[redacted]"),
    ("/joint/abc", "/joint/abc"),
    ("/graphql", "/graphql"),
    ("/media/photos/abc", "/media/photos/abc"),
])
def test_loggable_path(path, expected):
    assert loggable_path(path) == expected


def test_a_legacy_join_path_is_logged_redacted():
    app = Flask(__name__)

    @app.get("/join/<token>")
    def join(token):
        return "app"

    stream = io.StringIO()
    configure_logging("test", "INFO", stream=stream)
    init_request_logging(app)
    assert app.test_client().get(f"/join/{TOKEN}").status_code == 200
    assert app.test_client().get(f"/join/{TOKEN}x/nope").status_code == 404
    output = stream.getvalue()
    assert TOKEN not in output
    lines = [json.loads(line) for line in output.splitlines() if '"httpRequest"' in line]
    assert [line["httpRequest"]["requestUrl"] for line in lines] == ["/join/[redacted]", "/join/[redacted]/nope"]
    assert all("[redacted]" in line["message"] for line in lines)


def test_every_json_line_is_redacted_whoever_logs_it():
    # gunicorn's access log (pictolab/serve.py hands it this formatter) writes the request line.
    from pictolab.logging import JsonFormatter

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("frontend"))
    access = logging.getLogger("test.gunicorn.access")
    access.addHandler(handler)
    access.propagate = False
    try:
        access.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /join/{TOKEN}?x=1 HTTP/1.1", "s": "200"})
        access.info("referer %s", f"http://venue.example/join/{TOKEN}")
        # The request line as sent: an encoded path is not decoded before gunicorn logs it.
        access.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /%6Aoin/{TOKEN} HTTP/1.1", "s": "200"})
        access.info('%(h)s "%(r)s" %(s)s', {"h": "10.0.0.1", "r": f"GET /%6a%6f%69%6e%2f{TOKEN} HTTP/1.1",
                                            "s": "404"})
    finally:
        access.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert output.count("/join/[redacted]") == 4
