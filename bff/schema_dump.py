"""Print the BFF's GraphQL schema in SDL: the committed ``bff/schema.graphql``.

The frontend's operations and types are generated from that file (``npm run codegen`` in
``frontend/``), so it must be the schema the BFF really serves: ``tests/bff/schema/
test_schema_file.py`` fails when the two differ. Regenerate it with ``make schema``, i.e.::

    .venv/bin/python -m bff.schema_dump --write
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graphql import print_schema

SCHEMA_FILE = Path(__file__).resolve().parent / "schema.graphql"
REGENERATE = "make schema  (or: .venv/bin/python -m bff.schema_dump --write)"


def schema_sdl() -> str:
    """The SDL of the schema the running BFF serves (the same ``build_schema()`` its view uses)."""
    from .schema import build_schema

    return print_schema(build_schema().graphql_schema) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bff.schema_dump", description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help=f"write {SCHEMA_FILE.name} instead of printing")
    args = parser.parse_args(argv)
    sdl = schema_sdl()
    if args.write:
        SCHEMA_FILE.write_text(sdl, encoding="utf-8")
    else:
        sys.stdout.write(sdl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
