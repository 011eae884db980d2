"""Pin an overlay's images to the digests a release pushed (run by cloudbuild.yaml's last
step, or by hand): in k8s/overlays/<env>/kustomization.yaml, each `- name: pictolab/<target>`
entry gets `digest: sha256:...` (kustomize then deploys <repository>/<target>@sha256:..., the
exact bytes; the tag line stays for people). Comments and layout are kept.

    python k8s/pin_digests.py production frontend=sha256:... bff=sha256:... ml-api=sha256:...
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

TARGETS = ("frontend", "bff", "ml-api")
DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")


def pin(text: str, digests: dict[str, str]) -> str:
    if set(digests) != set(TARGETS):
        raise ValueError(f"need a digest for each of {', '.join(TARGETS)}")
    for target, digest in digests.items():
        if not DIGEST.match(digest):
            raise ValueError(f"{target}: {digest!r} is not a sha256 digest")
        entry = re.compile(rf"(\n  - name: pictolab/{re.escape(target)}\n(?:    (?!digest:)\w+: .*\n)*)"
                           r"(    digest: .*\n)?")
        text, count = entry.subn(lambda m, d=digest: m.group(1) + f"    digest: {d}\n", text, count=1)
        if count != 1:
            raise ValueError(f"no images entry for pictolab/{target}")
    return text


def main(argv: list[str]) -> int:
    if len(argv) != 1 + len(TARGETS):
        print(__doc__, file=sys.stderr)
        return 2
    env, pairs = argv[0], dict(a.split("=", 1) for a in argv[1:])
    path = Path(__file__).resolve().parent / "overlays" / env / "kustomization.yaml"
    path.write_text(pin(path.read_text(), pairs))
    print(f"{path}: pinned {', '.join(f'{t}@{d[:19]}' for t, d in pairs.items())}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
