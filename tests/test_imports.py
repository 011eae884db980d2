"""Dependencies point one way: the shared ``pictolab`` package imports no service, and
no module of ours takes part in an import cycle, function-local imports included.

Imports are read with ``ast`` rather than by importing the modules, so an import that only runs
inside a function (the usual way a cycle is hidden) counts like a top-level one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Every Python package of ours; the frontend's Python files sit beside its node_modules.
PACKAGES = ("pictolab", "pictolab_cli", "bff", "ml_api", "frontend")
SERVICES = ("bff", "ml_api", "frontend", "pictolab_cli")
SKIP_DIRS = {"node_modules", "dist", "src", "__pycache__"}


def _module_files() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        root = REPO / package
        for path in root.rglob("*.py"):
            if SKIP_DIRS & set(path.relative_to(root).parts[:-1]):
                continue
            parts = list(path.relative_to(REPO).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _is_type_checking_block(node: ast.AST) -> bool:
    test = getattr(node, "test", None)
    return isinstance(node, ast.If) and (
        (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING")
        or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"))


def _import_nodes(tree: ast.AST):
    """Every Import/ImportFrom at any depth, except under ``if TYPE_CHECKING:`` (never run)."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if _is_type_checking_block(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules of ours that module ``name`` imports (resolved to the deepest known module)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    targets: set[str] = set()

    def add(dotted: str) -> None:
        # `import a.b.c` runs a.b.c; attribute imports (`from a import f`) land on module `a`.
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        if dotted and dotted != name:
            targets.add(dotted)

    for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name)
            continue
        if node.level:
            base = package.split(".")
            base = base[: len(base) - (node.level - 1)]
            origin = ".".join(base + ([node.module] if node.module else []))
        else:
            origin = node.module or ""
        for alias in node.names:
            submodule = f"{origin}.{alias.name}"
            add(submodule if submodule in known else origin)
    return targets


def import_graph() -> dict[str, set[str]]:
    files = _module_files()
    known = set(files)
    return {name: imports_of(name, path, known) for name, path in files.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


# ---- the checker itself can fail ----------------------------------------------------------------

def test_the_checker_sees_function_local_imports_and_cycles(tmp_path):
    (tmp_path / "a.py").write_text("def f():\n    from .b import g\n    return g\n")
    (tmp_path / "b.py").write_text("from . import a\nfrom typing import TYPE_CHECKING\n"
                                   "if TYPE_CHECKING:\n    from .c import T\n")
    (tmp_path / "c.py").write_text("import p.b\n")
    (tmp_path / "__init__.py").write_text("")
    known = {"p", "p.a", "p.b", "p.c"}
    graph = {name: imports_of(name, tmp_path / f"{name.rpartition('.')[2] if '.' in name else '__init__'}.py",
                              known) for name in known}
    assert graph["p.a"] == {"p.b"}
    assert graph["p.b"] == {"p.a"}  # the TYPE_CHECKING import never runs
    assert graph["p.c"] == {"p.b"}
    assert cycles(graph) == [["p.a", "p.b"]]
    assert cycles({"x": {"y"}, "y": {"z"}, "z": set()}) == []


def test_the_graph_covers_every_package():
    graph = import_graph()
    for package in PACKAGES:
        assert package in graph, f"{package} not scanned"
    assert "ml_api.workers" in graph and "bff.training" in graph
    # A known edge, so an empty graph cannot pass the tests below.
    assert "pictolab.storage" in graph["ml_api.workers"]


# ---- the rules -----------------------------------------------------------------------------------

def test_no_import_cycles():
    found = cycles(import_graph())
    assert found == [], "import cycles (break them by moving the shared piece down):\n" + \
        "\n".join(" <-> ".join(c) for c in found)


@pytest.mark.parametrize("service", ["bff", "ml_api"])
def test_services_import_each_other_never(service):
    other = {"bff": "ml_api", "ml_api": "bff"}[service]
    offenders = {name: sorted(t for t in targets if t.split(".")[0] in (other, "frontend", "pictolab_cli"))
                 for name, targets in import_graph().items() if name.split(".")[0] == service}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_shared_package_imports_no_service():
    offenders = {name: sorted(t for t in targets if t.split(".")[0] in SERVICES)
                 for name, targets in import_graph().items() if name.split(".")[0] == "pictolab"}
    assert {k: v for k, v in offenders.items() if v} == {}



def conftest_imports(paths) -> list[tuple[Path, int]]:
    """(file, line) of every import from a conftest module: pytest loads conftest files
    itself, so importing one as a module runs it twice under two names. Helpers belong in
    a helpers module (tests/helpers.py, tests/<package>/helpers.py), fixtures in conftest."""
    found = []
    for path in paths:
        for node in _import_nodes(ast.parse(path.read_text(), str(path))):
            names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
            if any(name == "conftest" or name.endswith(".conftest") for name in names):
                found.append((path, node.lineno))
    return sorted(found)


def test_no_test_or_bench_imports_from_a_conftest(tmp_path):
    offender = tmp_path / "test_offender.py"
    offender.write_text("from .conftest import x\n\n\ndef f():\n    from tests.bff.conftest import login\n")
    assert conftest_imports([offender]) == [(offender, 1), (offender, 5)]  # the checker can fail
    files = sorted((REPO / "tests").rglob("*.py")) + sorted((REPO / "bench").glob("*.py"))
    assert [f"{path.relative_to(REPO)}:{line}" for path, line in conftest_imports(files)] == []
