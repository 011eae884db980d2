"""Fixtures for the deployment checks: the built kustomize overlays and the parsed Terraform."""

from __future__ import annotations

import pytest
import yaml

from tests.deploy import terraform
from tests.deploy.tools import ENVIRONMENTS, REPO, kustomize_build


@pytest.fixture(scope="session")
def built_overlays() -> dict[str, str]:
    """Each overlay built once per session: environment -> rendered YAML."""
    return {env: kustomize_build(REPO / "k8s" / "overlays" / env) for env in ENVIRONMENTS}


@pytest.fixture(scope="session")
def manifests(built_overlays) -> dict[str, list[dict]]:
    """environment -> the rendered objects."""
    return {env: [doc for doc in yaml.safe_load_all(text) if doc] for env, text in built_overlays.items()}


@pytest.fixture(scope="session")
def tf() -> terraform.Config:
    return terraform.load(REPO / "infra")


@pytest.fixture(scope="session")
def tfvars() -> dict[str, dict]:
    """environment -> the values of infra/<env>.tfvars.example."""
    return {env: terraform.load_tfvars(REPO / "infra" / f"{env}.tfvars.example") for env in ENVIRONMENTS}
