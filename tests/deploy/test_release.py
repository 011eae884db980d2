"""One image, deployed by digest: cloudbuild.yaml builds each runtime target once into the one
registry, and k8s/pin_digests.py pins both overlays to the pushed digests (run for real here
on a copy of the overlays, then built with kustomize)."""

from __future__ import annotations

import importlib.util
import shutil

import pytest
import yaml

from tests.deploy.tools import ENVIRONMENTS, REPO, kustomize_build

DIGESTS = {"frontend": "sha256:" + "a" * 64, "bff": "sha256:" + "b" * 64, "ml-api": "sha256:" + "c" * 64}


def _pin_module():
    spec = importlib.util.spec_from_file_location("pin_digests", REPO / "k8s" / "pin_digests.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cloud_build_builds_each_target_once_into_one_registry():
    build = yaml.safe_load((REPO / "cloudbuild.yaml").read_text())
    steps = {s["id"]: s for s in build["steps"]}
    builds = [s for s in build["steps"] if s.get("args", [""])[0] == "build"]
    targets = [s["args"][s["args"].index("--target") + 1] for s in builds]
    assert sorted(targets) == ["bff", "frontend", "ml-api"]
    registry = "${_REGION}-docker.pkg.dev/${_REGISTRY_PROJECT}/pictolab/"
    for step in builds:
        tag = step["args"][step["args"].index("-t") + 1]
        assert tag.startswith(registry), tag
    assert "docker push" in steps["push"]["args"][-1] and "RepoDigests" in steps["push"]["args"][-1]
    assert "k8s/pin_digests.py" in steps["pin"]["args"][-1]
    assert all(f"{env}" in steps["pin"]["args"][-1] or "sandbox production" in steps["pin"]["args"][-1]
               for env in ENVIRONMENTS)
    # Both overlays pull from that one registry (the production project's).
    for env in ENVIRONMENTS:
        text = (REPO / "k8s" / "overlays" / env / "kustomization.yaml").read_text()
        assert text.count("newName: asia-northeast1-docker.pkg.dev/" + build["substitutions"]["_REGISTRY_PROJECT"]
                          + "/pictolab/") == 3, env


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_pinned_overlay_deploys_by_digest(tmp_path, env):
    shutil.copytree(REPO / "k8s", tmp_path / "k8s")
    kustomization = tmp_path / "k8s" / "overlays" / env / "kustomization.yaml"
    pin = _pin_module().pin
    original = kustomization.read_text()
    pinned = pin(original, DIGESTS)
    assert pin(pinned, DIGESTS) == pinned, "pinning twice changes nothing"
    assert [line for line in original.splitlines() if line.strip().startswith("#")] == \
        [line for line in pinned.splitlines() if line.strip().startswith("#")], "comments kept"
    kustomization.write_text(pinned)
    docs = [d for d in yaml.safe_load_all(kustomize_build(tmp_path / "k8s" / "overlays" / env)) if d]
    images = {c["image"] for d in docs if d["kind"] in ("Deployment", "Job")
              for c in d["spec"]["template"]["spec"].get("initContainers", []) + d["spec"]["template"]["spec"]["containers"]}
    ours = {i for i in images if "/pictolab/" in i}
    # <repository>/<target>:<tag>@<digest>: the digest decides what runs, the tag is for people.
    assert ours and all(i.split("@")[1] == DIGESTS[i.split("@")[0].rsplit("/", 1)[1].split(":")[0]]
                        for i in ours), ours


def test_pinning_refuses_what_is_not_a_digest():
    pin = _pin_module().pin
    text = (REPO / "k8s" / "overlays" / "sandbox" / "kustomization.yaml").read_text()
    with pytest.raises(ValueError):
        pin(text, {**DIGESTS, "bff": "0.2.0"})
    with pytest.raises(ValueError):
        pin(text, {"bff": DIGESTS["bff"]})
