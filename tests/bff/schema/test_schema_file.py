"""The committed bff/schema.graphql is the schema the BFF serves.

The frontend's GraphQL types are generated from that file, so a resolver change that is not
written back to it would leave the browser checked against a schema nobody runs.
"""

from __future__ import annotations

import difflib

from bff.schema_dump import REGENERATE, SCHEMA_FILE, main, schema_sdl


def test_committed_schema_matches_the_running_schema():
    committed = SCHEMA_FILE.read_text(encoding="utf-8")
    running = schema_sdl()
    if committed != running:
        diff = "".join(difflib.unified_diff(committed.splitlines(True), running.splitlines(True),
                                            "bff/schema.graphql (committed)", "running schema", n=1))
        raise AssertionError(f"bff/schema.graphql is out of date; regenerate it with: {REGENERATE}\n"
                             "then `cd frontend && npm run codegen`\n" + diff[:4000])


def test_dump_prints_the_schema_sdl(capsys):
    assert main([]) == 0
    printed = capsys.readouterr().out
    assert printed == schema_sdl()
    assert "type Query {" in printed and "type Mutation {" in printed
    assert "scalar Upload" in printed
