"""A real hidden test set is scored, and a permanent refusal by the ML API is final at once.

The BFF talks real HTTP to the real ML API app (its GraphQL view, request limits and
schema), served in this process; only the model maths is stubbed (a real evaluation of 400
photos is what bench/venue_day.py measures)."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from werkzeug.serving import make_server

from bff.models import Phase, Photo, RunStatus, TrainingRun, Workshop
from bff.training import RunReconciler
from pictolab.contract import storage_keys

CLASSES = ["cat", "cup", "shoe", "book"]


class LiveMl:
    """The ML API app on a loopback port; counts the evaluate requests that reach it."""

    def __init__(self, storage_url: str, data_dir, **settings):
        from ml_api import create_app

        self.app = create_app({"ML_HANDLE_SIGNALS": False, "ML_LOAD_BACKBONE": False,
                               "storage_url": storage_url, "data_dir": str(data_dir), "ml_device": "cpu",
                               **settings})
        self.evaluate_requests = 0

        def counting(environ, start_response):
            body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
            if b"evaluate(" in body:
                self.evaluate_requests += 1
            import io
            environ["wsgi.input"] = io.BytesIO(body)
            return self.app(environ, start_response)

        self.server = make_server("127.0.0.1", 0, counting, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.app.extensions["ml_api"].shutdown(wait=True)


@pytest.fixture
def live_ml(tmp_path, monkeypatch):
    servers = []

    def make(**settings) -> LiveMl:
        server = LiveMl((tmp_path / "storage").as_uri(), tmp_path / "ml", **settings)
        servers.append(server)
        return server

    # The model maths, stubbed: every test photo is predicted right.
    import ml_api.schema

    def fake_model(service, run_id):
        return SimpleNamespace(classes=sorted(CLASS_IDS))

    def fake_evaluate(model, storage, items, labels, **kwargs):
        from ml_api.engine import score
        import numpy as np

        probabilities = np.eye(len(model.classes))[[model.classes.index(label) for label in labels]]
        return score(probabilities, [model.classes.index(label) for label in labels], model.classes)

    monkeypatch.setattr(ml_api.schema, "_finished_model", fake_model)
    monkeypatch.setattr(ml_api.schema, "evaluate", fake_evaluate)
    yield make
    for server in servers:
        server.close()


CLASS_IDS: list[str] = []


def trained_run_with_test_set(app, db_session, make_workshop, per_class: int) -> str:
    """A finished run whose hidden test set changed (``rescore_due``: scored again with one
    evaluate), in a workshop with ``per_class`` hidden test photos per class (rows only: the
    stub never reads them)."""
    summary = make_workshop(phase=Phase.COMPETE, classes=CLASSES, groups=1)
    CLASS_IDS[:] = [c["id"] for c in summary["classes"]]
    for class_id in CLASS_IDS:
        for i in range(per_class):
            photo_id = f"{class_id[:24]}{i:08d}"
            db_session.add(Photo(id=photo_id, workshop_id=summary["id"], group_id=None, class_id=class_id,
                                 is_test=True, storage_key=storage_keys.photo_key(summary["id"], photo_id),
                                 content_hash=photo_id, width=64, height=48, byte_size=1000))
    run = TrainingRun(workshop_id=summary["id"], group_id=summary["groups"][0]["id"], status=RunStatus.SUCCEEDED,
                      progress=1.0, rescore_due=True)
    db_session.add(run)
    db_session.commit()
    return run.id


def reconcile(app) -> None:
    reconciler: RunReconciler = app.extensions["pictolab.reconciler"]
    with app.app_context():
        reconciler.run_once()


def test_400_hidden_test_photos_are_scored(make_app, tmp_path, live_ml, db_session, make_workshop):
    ml = live_ml()
    app = make_app(storage_url=(tmp_path / "storage").as_uri(), ml_api_url=ml.url)
    run_id = trained_run_with_test_set(app, db_session, make_workshop, per_class=100)
    reconcile(app)
    db_session.expire_all()
    run = db_session.get(TrainingRun, run_id)
    assert run.status == RunStatus.SUCCEEDED, (run.status, run.error)
    assert run.test_accuracy == 1.0 and run.error is None
    assert sorted(c["count"] for c in run.per_class_accuracy) == [100] * 4
    assert ml.evaluate_requests == 1


def test_a_refused_evaluation_is_final_at_once_with_a_sentence_to_act_on(make_app, tmp_path, live_ml,
                                                                         db_session, make_workshop):
    # An ML API configured for smaller test sets than this workshop has: it refuses (413).
    ml = live_ml(max_test_photos=1, max_photos_per_class=1)  # a cap of 77 KB
    app = make_app(storage_url=(tmp_path / "storage").as_uri(), ml_api_url=ml.url)
    run_id = trained_run_with_test_set(app, db_session, make_workshop, per_class=200)
    for _ in range(3):
        db_session.execute(TrainingRun.__table__.update().values(next_attempt_at=None))
        db_session.commit()
        reconcile(app)
    assert ml.evaluate_requests == 1  # not retried as if it were transient
    db_session.expire_all()
    run = db_session.get(TrainingRun, run_id)
    assert run.status == RunStatus.SUCCEEDED and run.test_accuracy is None  # the model still works for "try it"
    assert run.error_code == "NOT_SCORED" and run.next_attempt_at is None
    assert "800 hidden test photos" in run.error and "remove" in run.error.lower()
