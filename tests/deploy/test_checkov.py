"""checkov over infra/ and over the BUILT overlays: no failed check, except the repository's
explicit skip list (.checkov.yaml), where every skip carries its reason."""

from __future__ import annotations

import json
import re
import subprocess

import yaml

from tests.deploy.tools import REPO, find_tool

CONFIG = REPO / ".checkov.yaml"


def run_checkov(directory, framework: str) -> dict:
    result = subprocess.run(
        [find_tool("checkov"), "--config-file", str(CONFIG), "--directory", str(directory),
         "--framework", framework, "--output", "json"],
        check=False, capture_output=True, text=True, timeout=300, cwd=REPO,
        env={"PATH": "/usr/bin:/bin", "BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false",
             "LOG_LEVEL": "WARNING"})
    assert result.returncode in (0, 1), f"checkov crashed ({result.returncode}):\n{result.stderr[-3000:]}"
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    (ours,) = [r for r in reports if r["check_type"] == framework]
    return ours


def failures(report: dict) -> list[str]:
    return [f"{f['check_id']} {f['resource']} ({f['file_path']}): {f['check_name']}"
            for f in report["results"]["failed_checks"]]


def test_skip_list_gives_a_reason_for_every_skip():
    skips = yaml.safe_load(CONFIG.read_text())["skip-check"]
    assert skips, "expected an explicit skip list"
    lines = {m.group(1): m.group(2) for m in
             re.finditer(r"^\s*-\s*(CKV2?_[A-Z0-9]+_\d+)\s*#\s*(.*)$", CONFIG.read_text(), re.MULTILINE)}
    for check in skips:
        assert re.fullmatch(r"CKV2?_[A-Z0-9]+_\d+", check), f"skip {check!r} is not one check id"
        assert len(lines.get(check, "").split()) >= 8, f"skip {check} needs its reason as a comment on its line"


def test_checkov_passes_on_terraform():
    report = run_checkov(REPO / "infra", "terraform")
    assert report["summary"]["resource_count"] >= 30 and report["summary"]["passed"] >= 50
    assert not failures(report), "\n".join(failures(report))


def test_checkov_passes_on_the_built_overlays(tmp_path, built_overlays):
    for env, text in built_overlays.items():
        (tmp_path / f"{env}.yaml").write_text(text)
    report = run_checkov(tmp_path, "kubernetes")
    assert report["summary"]["resource_count"] >= 40 and report["summary"]["passed"] >= 300
    assert not failures(report), "\n".join(failures(report))


def test_checkov_catches_an_insecure_manifest(tmp_path, built_overlays):
    """The scan really bites: a privileged, root container fails it."""
    docs = [d for d in yaml.safe_load_all(built_overlays["sandbox"]) if d and d["kind"] == "Deployment"]
    pod = docs[0]["spec"]["template"]["spec"]
    pod["securityContext"] = {}
    pod["containers"][0]["securityContext"] = {"privileged": True, "runAsUser": 0}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(docs[0]))
    report = run_checkov(tmp_path, "kubernetes")
    failed = {f["check_id"] for f in report["results"]["failed_checks"]}
    assert {"CKV_K8S_16", "CKV_K8S_20"} <= failed, failed

