"""Every error code the services can send is an ``ErrorCode`` member and in the SPA's union.

The codes are collected from the source with ``ast`` rather than by running the services, so a
code in a branch no test reaches counts too. Collected: every ``ErrorCode.X`` referenced, every
``DomainError`` subclass's ``default_code``, and every code still spelled as a string where a
code goes (``code=``/``error=`` arguments, ``"code"``/``"error"`` keys, a comparison with a
``code``, a set of codes next to ``ErrorCode`` members, a code passed to an error's
constructor or an error-body helper).
"""

from __future__ import annotations

import ast
import functools
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest

from pictolab.contract.errors import TYPESCRIPT_COMMAND, DomainError, ErrorCode, typescript

REPO = Path(__file__).resolve().parents[3]
GENERATED = REPO / "frontend" / "src" / "lib" / "errorCodes.generated.ts"
CODE = re.compile(r"[A-Z][A-Z0-9_]+")        # a code passed positionally
WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]*")  # an `error=` value that is a code, not a sentence


def service_files() -> list[Path]:
    files = [path for package in ("bff", "ml_api", "pictolab", "pictolab_cli")
             for path in (REPO / package).rglob("*.py")]
    return sorted(files + list((REPO / "frontend").glob("*.py")))


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _is_code(node: ast.AST) -> bool:
    """``code``, ``exc.code``, ``body["code"]``: something holding an error code."""
    if isinstance(node, ast.Subscript):
        return _string(node.slice) == "code"
    return _name(node) == "code"


def _mentions_error_code(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Name) and n.id == "ErrorCode" for n in ast.walk(node))


def _domain_error_names(trees: dict[Path, ast.Module]) -> set[str]:
    """DomainError and every class deriving from it, by name, across the files."""
    names = {"DomainError"}
    bases = {node.name: {_name(b) for b in node.bases}
             for tree in trees.values() for node in ast.walk(tree) if isinstance(node, ast.ClassDef)}
    while True:
        more = {name for name, parents in bases.items() if parents & names} - names
        if not more:
            return names
        names |= more


class Site(NamedTuple):
    code: str
    where: str  # path:line
    literal: bool  # spelled as a string, not ErrorCode.X


def _spelled_codes(node: ast.AST, constructors: set[str]) -> Iterator[tuple[ast.AST, re.Pattern | None]]:
    """The nodes at a code site directly under ``node`` (strings among them are codes), each
    with the pattern a string there must match to count as a code (None: any string)."""
    if isinstance(node, ast.Assign):
        targets = [_name(t) for t in node.targets]
        if "default_code" in targets:
            yield node.value, None
        if any(t.endswith("_CODES") for t in targets) and _mentions_error_code(node.value):
            yield from ((item, None) for item in ast.walk(node.value))
    elif isinstance(node, ast.Call):
        callee = _name(node.func)
        for keyword in node.keywords:
            if keyword.arg in ("code", "error"):
                yield keyword.value, None if keyword.arg == "code" else WORD
        if callee == "ErrorCode" or callee in constructors or "error" in callee.lower():
            yield from ((arg, None if callee == "ErrorCode" else CODE) for arg in node.args)
    elif isinstance(node, ast.Dict):
        for key, value in zip(node.keys, node.values, strict=True):
            if _string(key) in ("code", "error"):
                yield value, None if _string(key) == "code" else WORD
    elif isinstance(node, ast.arguments):  # def f(message, code="X")
        positional = [*node.posonlyargs, *node.args]
        defaults = [*[None] * (len(positional) - len(node.defaults)), *node.defaults, *node.kw_defaults]
        for arg, default in zip([*positional, *node.kwonlyargs], defaults, strict=True):
            if arg.arg == "code" and default is not None:
                yield default, None
    elif isinstance(node, ast.Compare):
        operands = [node.left, *node.comparators]
        if any(_is_code(operand) for operand in operands):
            for operand in operands:
                items = operand.elts if isinstance(operand, (ast.Set, ast.Tuple, ast.List)) else [operand]
                yield from ((item, None) for item in items)


def collect_codes(files: list[Path]) -> list[Site]:
    """Every error code the files can emit, and where."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8"), str(path)) for path in files}
    constructors = _domain_error_names(trees)
    found: list[Site] = []
    for path, tree in trees.items():
        where = str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and _name(node.value) == "ErrorCode":
                found.append(Site(node.attr, f"{where}:{node.lineno}", literal=False))
            for site, pattern in _spelled_codes(node, constructors):
                code = _string(site)
                if code is not None and (pattern is None or pattern.fullmatch(code)):
                    found.append(Site(code, f"{where}:{site.lineno}", literal=True))
    return found


@functools.cache
def tree_sites() -> tuple[Site, ...]:
    return tuple(collect_codes(service_files()))


def by_code(sites: list[Site]) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {}
    for site in sites:
        codes.setdefault(site.code, []).append(site.where)
    return codes


def typescript_union(text: str) -> set[str]:
    match = re.search(r"export type ServerErrorCode =([^;]*);", text)
    assert match, "no `export type ServerErrorCode = ...;` in the generated file"
    return set(re.findall(r'"([A-Z0-9_]+)"', match.group(1)))


def unknown_codes(sites: list[Site], typescript_codes: set[str]) -> dict[str, str]:
    """The codes missing from the Python enum or from the TypeScript union, and where they are."""
    python_codes = {code.value for code in ErrorCode}
    problems = {}
    for code, places in sorted(by_code(sites).items()):
        missing = [name for name, codes in (("ErrorCode", python_codes), ("the TypeScript union", typescript_codes))
                   if code not in codes]
        if missing:
            problems[code] = f"not in {' nor '.join(missing)}; at {', '.join(places)}"
    return problems


# ---- the tree ------------------------------------------------------------------------------------
def test_the_generated_typescript_union_is_up_to_date():
    assert GENERATED.exists(), f"{GENERATED.relative_to(REPO)} is missing; generate it: {TYPESCRIPT_COMMAND}"
    assert GENERATED.read_text(encoding="utf-8") == typescript(), (
        f"{GENERATED.relative_to(REPO)} is stale (pictolab.contract.errors.ErrorCode changed); "
        f"regenerate it: {TYPESCRIPT_COMMAND}")


def test_the_regenerate_command_prints_the_same_file():
    result = subprocess.run([sys.executable, "-m", "pictolab.contract.errors", "--typescript"], cwd=REPO,
                            capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout == typescript()


def test_every_code_the_services_emit_is_in_the_enum_and_the_typescript_union():
    assert unknown_codes(list(tree_sites()), typescript_union(GENERATED.read_text(encoding="utf-8"))) == {}


def test_every_code_in_the_enum_is_emitted_somewhere():
    # Also keeps the collector honest: it must find the codes the services are known to send
    # (BUSY only from the ML API's busy hook, QUERY_TOO_COMPLEX only from the cost limit...).
    found = by_code(list(tree_sites()))
    assert {code.value for code in ErrorCode} - found.keys() == set()
    assert any(place.startswith("ml_api/concurrency.py:") for place in found["BUSY"])
    assert any(place.startswith("pictolab/graphql.py:") for place in found["QUERY_TOO_COMPLEX"])


def test_no_service_spells_a_code_as_a_string():
    """Service code names ErrorCode members (or raises a DomainError subclass): a string at a
    code site is the drift this file exists to stop, even while it matches a member."""
    assert [site for site in tree_sites() if site.literal] == []


# ---- the collector on a tiny offender ------------------------------------------------------------
OFFENDER = '''
from flask import jsonify
from pictolab.contract.errors import DomainError, ErrorCode, NotFound
from pictolab.graphql import ApiError


class Teapot(DomainError):
    default_code = "TEAPOT"

    def __init__(self, message, code="DEFAULT_ARG", *, extra=None):
        super().__init__(message, code)


class Kettle(Teapot):
    pass


RETRY_CODES = frozenset({ErrorCode.INTERNAL, "IN_A_SET"})
PHOTO_CODES = ("BLURRY",)  # not error codes: no ErrorCode beside them


def resolve(exc):
    ErrorCode.NOT_A_MEMBER
    ErrorCode("CALLED")
    jsonify(error="lower_word", message="A sentence is a message, not a code.")
    if exc.code == "COMPARED" or exc.code in {"IN_A_LITERAL_SET"}:
        return {"errors": [{"message": "x", "extensions": {"code": "IN_A_DICT"}}]}
    NotFound("Gone.", code=ErrorCode.NOT_FOUND)
    Kettle("Hot.", "SUBCLASS_ARG")
    raise ApiError("No.", "POSITIONAL")
'''


def test_the_collector_reports_each_kind_of_offender(tmp_path):
    offender = tmp_path / "offender.py"
    offender.write_text(OFFENDER)
    sites = collect_codes([offender])
    assert unknown_codes(sites, {"INTERNAL", "NOT_FOUND"}).keys() == {
        "TEAPOT", "IN_A_SET", "NOT_A_MEMBER", "CALLED", "lower_word", "COMPARED", "IN_A_LITERAL_SET",
        "IN_A_DICT", "SUBCLASS_ARG", "POSITIONAL", "DEFAULT_ARG"}
    assert by_code(sites)["TEAPOT"] == [f"{offender}:8"]
    assert "BLURRY" not in by_code(sites)
    assert {site.code for site in sites if not site.literal} == {"INTERNAL", "NOT_A_MEMBER", "NOT_FOUND"}


def test_a_member_missing_from_the_typescript_union_is_reported():
    union = typescript().replace('\n  | "BUSY"', "")
    problems = unknown_codes([Site("BUSY", "ml_api/concurrency.py:1", False)], typescript_union(union))
    assert problems == {"BUSY": "not in the TypeScript union; at ml_api/concurrency.py:1"}


@pytest.mark.parametrize("code", ["NOPE", "busy"])
def test_a_domain_error_refuses_a_code_outside_the_enum(code):
    with pytest.raises(ValueError):
        DomainError("x", code=code)
