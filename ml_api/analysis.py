"""After a successful run: which of the group's own photos confuse its AI, and how sure the AI
is of each class, from k-fold cross-validation of the QUICK head on the frozen embeddings.

Every photo is scored by a head trained *without* it (its fold held out), so a photo the
group put in the wrong class, or one that shows something else, is predicted as another
class. The k-fold split is repeated :data:`REPEATS` times with different folds and the held-out
probabilities averaged (one split's luck no longer decides); a photo is "confusing" only when
that averaged prediction is a different class with probability at least
:data:`CONFUSING_CONFIDENCE` (the AI is confidently sure of another class), and at most
:data:`MAX_CONFUSING_PER_CLASS` per class are listed, the surest first: a child may act on
each one, so a right photo must rarely be listed. "How sure" per class is the mean held-out probability of
the photos' own class (and the held-out accuracy). QUICK heads fit in milliseconds, so the
whole check costs a few fits on embeddings that are already cached; DEEP runs get the same
check on the frozen backbone's embeddings (a proxy for the fine-tuned network, said so in
``method``). Only the group's training photos are used: hidden test photos never reach it.

Kept in the run's queue row (ml_api.queue, ``result.analysis``) as
``{"version", "method", "folds", "threshold", "confusing": [{uri, label, predicted,
confidence}], "perClass": [{label, count, sure, accuracy}]}`` (``sure``/``accuracy`` are None
for a class with a single photo: there is nothing to cross-validate it with).
"""

from __future__ import annotations

import logging

import numpy as np
import torch

from .quick import fit_linear_head

log = logging.getLogger(__name__)

ANALYSIS_VERSION = 2
MAX_FOLDS = 5
REPEATS = 3
# Chosen on 48 digits photos with 3 filed in a wrong class, 24 draws (bench/accuracy.py
# --confusing): one 5-fold split flagging from 0.6 flagged 2.2 of the 45 right photos a draw
# (over 2 in 9 draws) and found 2.8 of the 3 wrong ones; 3 splits averaged, from 0.9, flag 0.4
# (never over 2) and find 2.4 (under 2 in 2 draws).
CONFUSING_CONFIDENCE = 0.9
MAX_CONFUSING_PER_CLASS = 3


def stratified_folds(labels: np.ndarray, n_folds: int, seed: int = 0) -> np.ndarray:
    """Fold number of each example; each class's examples dealt round-robin in a shuffled order
    (a local generator: no global RNG state touched, same folds for the same photos)."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=int)
    offset = 0
    for label in np.unique(labels):
        members = rng.permutation(np.flatnonzero(labels == label))
        # Start each class where the previous left off, so small classes spread over all folds.
        folds[members] = (np.arange(len(members)) + offset) % n_folds
        offset += len(members)
    return folds


def cross_validated_probabilities(features: np.ndarray, labels: np.ndarray, n_classes: int, *,
                                  max_folds: int = MAX_FOLDS, repeats: int = 1) -> tuple[np.ndarray, int]:
    """Held-out class probabilities (N, C) of every example, averaged over ``repeats``
    different k-fold splits, and the number of folds used."""
    counts = np.bincount(labels, minlength=n_classes)
    n_folds = int(min(max_folds, counts.max()))
    probabilities = np.full((len(labels), n_classes), np.nan, dtype=np.float32)
    if n_folds < 2:
        return probabilities, n_folds
    total = np.zeros((len(labels), n_classes), dtype=np.float64)
    for repeat in range(max(1, repeats)):
        folds = stratified_folds(labels, n_folds, seed=repeat)
        for fold in range(n_folds):
            held_out = folds == fold
            if not held_out.any():
                continue
            fit = fit_linear_head(features[~held_out], labels[~held_out], n_classes)
            with torch.no_grad():
                logits = fit.head(torch.as_tensor(features[held_out], dtype=torch.float32))
            total[held_out] += torch.softmax(logits, 1).numpy()
    probabilities[:] = total / max(1, repeats)
    return probabilities, n_folds


def pick_confusing(probabilities: np.ndarray, labels: np.ndarray, judged: np.ndarray, *,
                   threshold: float = CONFUSING_CONFIDENCE,
                   per_class: int = MAX_CONFUSING_PER_CLASS) -> list[tuple[int, int, float]]:
    """[(index, predicted class, confidence)] of the photos to show, surest first: held out,
    the AI is at least ``threshold`` sure of a class other than the photo's own; at most
    ``per_class`` of each (own) class."""
    chosen: list[tuple[int, int, float]] = []
    taken = np.zeros(probabilities.shape[1], dtype=int)
    candidates = []
    for index in np.flatnonzero(judged):
        predicted = int(np.argmax(probabilities[index]))
        confidence = float(probabilities[index, predicted])
        if predicted != labels[index] and confidence >= threshold:
            candidates.append((index, predicted, confidence))
    for index, predicted, confidence in sorted(candidates, key=lambda row: (-row[2], row[0])):
        if taken[labels[index]] < per_class:
            taken[labels[index]] += 1
            chosen.append((int(index), predicted, confidence))
    return chosen


def analyse(features: np.ndarray, labels: np.ndarray, classes: list[str], uris: list[str], *,
            threshold: float = CONFUSING_CONFIDENCE, method: str = "QUICK head, frozen embeddings") -> dict:
    """The analysis dict (see the module doc) of one run's training photos."""
    labels = np.asarray(labels, dtype=int)
    probabilities, n_folds = cross_validated_probabilities(features, labels, len(classes), repeats=REPEATS)
    counts = np.bincount(labels, minlength=len(classes))
    # A photo whose class has no other photo cannot be judged by a head that never saw the class.
    judged = counts[labels] >= 2
    if n_folds < 2:
        judged[:] = False
    confusing = [{"uri": uris[index], "label": classes[labels[index]], "predicted": classes[predicted],
                  "confidence": round(confidence, 4)}
                 for index, predicted, confidence in pick_confusing(probabilities, labels, judged,
                                                                   threshold=threshold)]
    per_class = []
    for c, label in enumerate(classes):
        members = np.flatnonzero((labels == c) & judged)
        if len(members):
            sure = float(probabilities[members, c].mean())
            accuracy = float((probabilities[members].argmax(1) == c).mean())
        else:
            sure = accuracy = None
        per_class.append({"label": label, "count": int(counts[c]),
                          "sure": None if sure is None else round(sure, 4),
                          "accuracy": None if accuracy is None else round(accuracy, 4)})
    return {"version": ANALYSIS_VERSION,
            "method": f"{n_folds}-fold cross-validation ({REPEATS} splits averaged), {method}",
            "folds": n_folds, "threshold": threshold, "confusing": confusing, "perClass": per_class}


def analyse_run(job, result: dict) -> dict:
    """The analysis of a finished run's training photos (``job``: ml_api.workers.JobContext,
    ``result``: its trainer's). QUICK hands over the photos and features it trained on; for
    DEEP the frozen embeddings come from the cache or are computed once, skipping photos
    deleted since the run was asked for, as training did."""
    from .data import present_examples
    from .embeddings import embed_images

    request = job.request
    examples, features = result.get("examples"), result.get("features")
    if examples is None or features is None:
        missing: list[int] = []
        features = embed_images(job.storage, [(e.uri, e.key) for e in request.examples], request.backbone,
                                job.device, max_pixels=job.max_image_pixels, missing=missing)
        examples = present_examples(request, missing)
    labels = np.array([request.classes.index(e.label) for e in examples])
    method = "QUICK head, frozen embeddings" if request.mode == "QUICK" else \
        "QUICK head on the frozen backbone's embeddings (a proxy for the fine-tuned DEEP model)"
    return analyse(features, labels, list(request.classes), [e.uri for e in examples], method=method)
