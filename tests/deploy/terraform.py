"""Reading infra/ with python-hcl2 into plain Python, and resolving the simple name
templates ("${local.prefix}-pg") that the k8s overlays must agree with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import hcl2


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1]
    return value


def _plain(node: Any) -> Any:
    """python-hcl2 (8.x) keeps quotes and adds __comments__/__is_block__: strip them."""
    if isinstance(node, dict):
        return {_unquote(k): _plain(v) for k, v in node.items() if not (k.startswith("__") and k.endswith("__"))}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if isinstance(node, str):
        return _unquote(node)
    return node


def _parse(path: Path) -> dict:
    with path.open() as fh:
        return _plain(hcl2.load(fh))


@dataclass
class Config:
    files: dict[str, dict] = field(default_factory=dict)
    resources: dict[str, dict[str, dict]] = field(default_factory=dict)  # type -> name -> body
    variables: dict[str, dict] = field(default_factory=dict)
    locals: dict[str, Any] = field(default_factory=dict)
    outputs: dict[str, dict] = field(default_factory=dict)
    terraform: list[dict] = field(default_factory=list)

    def resource(self, type_: str, name: str) -> dict:
        assert name in self.resources.get(type_, {}), f"infra/ has no {type_}.{name}"
        return self.resources[type_][name]

    def resolve(self, template: str, values: dict[str, Any]) -> str:
        """Substitutes ${var.X} (from ``values`` or the variable's default) and ${local.X};
        fails on anything else, so a name built from an expression cannot pass unnoticed."""

        def one(match: re.Match) -> str:
            kind, name = match.group(1), match.group(2)
            if kind == "var":
                if name in values:
                    return str(values[name])
                assert "default" in self.variables[name], f"var.{name} has no value and no default"
                return str(self.variables[name]["default"])
            return self.resolve(str(self.locals[name]), values)

        resolved = re.sub(r"\$\{(var|local)\.([A-Za-z0-9_]+)\}", one, template)
        assert "${" not in resolved, f"cannot resolve {template!r} statically"
        return resolved


def load(directory: Path) -> Config:
    config = Config()
    for path in sorted(directory.glob("*.tf")):
        parsed = _parse(path)
        config.files[path.name] = parsed
        for block in parsed.get("resource", []):
            for type_, named in block.items():
                config.resources.setdefault(type_, {}).update(named)
        for block in parsed.get("variable", []):
            config.variables.update(block)
        for block in parsed.get("locals", []):
            config.locals.update(block)
        for block in parsed.get("output", []):
            config.outputs.update(block)
        config.terraform.extend(parsed.get("terraform", []))
    return config


def load_tfvars(path: Path) -> dict:
    return _parse(path)


def block(body: dict, name: str) -> dict:
    """The single nested block ``name`` of a resource body (hcl2 gives blocks as lists)."""
    value = body.get(name)
    assert isinstance(value, list) and len(value) == 1, f"expected one {name} block, got {value!r}"
    return value[0]
