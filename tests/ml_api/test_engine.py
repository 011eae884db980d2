"""engine.score/evaluate: the numbers the scoreboard shows, checked against scikit-learn."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, confusion_matrix

from ml_api.engine import evaluate, score

LABELS = ["cat", "cup", "shoe"]


def test_score_matches_scikit_learn():
    rng = np.random.default_rng(0)
    probabilities = rng.dirichlet(np.ones(3), size=40)
    truth = rng.integers(0, 2, size=40)  # "shoe" never appears: its accuracy is None, not 0
    result = score(probabilities, truth, LABELS)
    predicted = probabilities.argmax(1)
    assert result.accuracy == pytest.approx(accuracy_score(truth, predicted))
    expected = confusion_matrix(truth, predicted, labels=[0, 1, 2])
    assert result.confusion == expected.tolist()
    for i, row in enumerate(result.per_class):
        assert row["label"] == LABELS[i] and row["count"] == expected[i].sum()
        assert row["accuracy"] == (pytest.approx(expected[i, i] / expected[i].sum()) if expected[i].sum() else None)
    assert result.misclassified == [i for i in range(40) if predicted[i] != truth[i]]
    assert result.predicted == [LABELS[p] for p in predicted]


def test_evaluate_scores_the_models_probabilities():
    class Model:
        classes = LABELS

        def probabilities(self, storage, items, *, use_cache, max_pixels):
            assert use_cache is True and len(items) == 3
            return np.eye(3)[[0, 2, 2]]

    result = evaluate(Model(), None, [("u0", "k0"), ("u1", "k1"), ("u2", "k2")], ["cat", "cup", "shoe"])
    assert result.accuracy == pytest.approx(2 / 3) and result.misclassified == [1]
    assert result.predicted == ["cat", "shoe", "shoe"] and result.confusion == [[1, 0, 0], [0, 0, 1], [0, 0, 1]]
