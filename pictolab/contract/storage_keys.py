"""Every key and prefix of the shared object storage (keys are relative to
``PICTOLAB_STORAGE_URL``; ids are the BFF's 32-hex ids).

=====================================================  =======  =================================
key                                                    writer   what
=====================================================  =======  =================================
``photos/<workshopId>/<photoId>.jpg``                  bff      sanitised JPEG (group or hidden test photo)
``tmp/predict/<workshopId>/<uuid>.jpg``                bff      a "try it" photo, deleted after ``predict``
``runs/<runId>/checkpoint.pt``                         ml_api   DEEP: model, optimiser, scheduler, epoch, classes, args
``runs/<runId>/model.pt``                              ml_api   the finished model
``runs/<runId>/export/<file>``                         ml_api   TF.js export: model.json, weights.bin, metadata.json, model.zip
``exports/shared/<backbone>-<sha>.bin``                ml_api   the frozen backbone's weights every QUICK export shares
``cache/embeddings/<imageKey>/<backbone>/<sha>.npy``   ml_api   QUICK: frozen embedding of one image
=====================================================  =======  =================================

The embedding cache is keyed by the image's key first: everything cached for one photo sits
under :func:`embeddings_prefix` of its key, whatever the backbone, so deleting a photo or
purging a workshop deletes a prefix instead of listing the whole cache. ``<sha>`` is the
first 32 hex digits of the image content's SHA-256, so a replaced photo never reuses a stale
embedding.
"""

from __future__ import annotations

PHOTOS = "photos"
TMP_PREDICT = "tmp/predict"
RUNS = "runs"
EMBEDDINGS = "cache/embeddings"


# ---- photos (bff) -----------------------------------------------------------------------
def workshop_photos_prefix(workshop_id: str) -> str:
    return f"{PHOTOS}/{workshop_id}"


def photo_key(workshop_id: str, photo_id: str) -> str:
    return f"{workshop_photos_prefix(workshop_id)}/{photo_id}.jpg"


def predict_tmp_prefix(workshop_id: str) -> str:
    return f"{TMP_PREDICT}/{workshop_id}"


def predict_tmp_key(workshop_id: str, name: str) -> str:
    """A "try it" photo; ``name`` is unique per request (a uuid hex)."""
    return f"{predict_tmp_prefix(workshop_id)}/{name}.jpg"


# ---- runs (ml_api) ----------------------------------------------------------------------
def run_prefix(run_id: str) -> str:
    return f"{RUNS}/{run_id}"


def checkpoint_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}/checkpoint.pt"


def model_key(run_id: str) -> str:
    return f"{run_prefix(run_id)}/model.pt"


# ---- model export (ml_api writes, bff serves; ml_api/export) ------------------------------
EXPORT_FILES = ("model.json", "weights.bin", "metadata.json", "model.zip")
EXPORTS_SHARED = "exports/shared"


def export_prefix(run_id: str) -> str:
    """A run's Teachable-Machine-style export, under the run's folder: a purge deletes it."""
    return f"{run_prefix(run_id)}/export"


def export_key(run_id: str, name: str) -> str:
    if name not in EXPORT_FILES:
        raise ValueError(f"not an export file: {name!r}")
    return f"{export_prefix(run_id)}/{name}"


def shared_export_key(name: str) -> str:
    """A file every export of one backbone references (its frozen weights, named by content
    hash). Outside every run and workshop on purpose: a workshop's purge must not break other
    workshops' exports, and the file holds public pretrained weights only, nothing of a group."""
    return f"{EXPORTS_SHARED}/{name}"


# ---- embedding cache (ml_api writes, bff deletes) ---------------------------------------
def embeddings_prefix(image_key: str) -> str:
    """Everything cached for the image at ``image_key``, every backbone. Also works for a
    folder of images (e.g. ``photos/<workshopId>``): keys nest under their image's key."""
    return f"{EMBEDDINGS}/{image_key.strip('/')}"


def embedding_key(image_key: str, backbone_id: str, sha: str) -> str:
    return f"{embeddings_prefix(image_key)}/{backbone_id}/{sha}.npy"


# ---- purge (bff) ------------------------------------------------------------------------
def workshop_purge_prefixes(workshop_id: str, run_ids: list[str] | tuple[str, ...]) -> list[str]:
    """Every prefix that holds data of a workshop: its photos, its leftover "try it" photos,
    the embeddings cached for its photos and the folder of each of its runs."""
    return [workshop_photos_prefix(workshop_id), predict_tmp_prefix(workshop_id),
            embeddings_prefix(workshop_photos_prefix(workshop_id)),
            *(run_prefix(run_id) for run_id in run_ids)]
