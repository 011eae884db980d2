"""Warm-service predict latency, memory with 20 models cached, concurrent QUICK jobs.

    .venv/bin/python bench/predict.py [--requests 60] [--device auto] [--models 20] [--concurrent 30]

Starts a real `pictolab ml-api` (gunicorn) on a temp data dir and talks HTTP to it, as the
BFF does. Prints a table and writes bench/results/predict.json.
Targets: predict p50 <= 150 ms on the CPU and <= 20 ms on the GPU (1-megapixel
JPEG); ML API RSS <= 1.5 GB on the CPU with 20 models cached; 30 concurrent QUICK jobs on one
GPU all finished within 10 s.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psutil
import requests
from ml_data import insert_succeeded_run, photo_jpegs, store
from PIL import Image

from pictolab.storage import open_storage

PICTOLAB = str(Path(sys.executable).with_name("pictolab"))
JOB = "query($r: ID!) { trainingJob(runId: $r) { status error } }"
JOBS = "query($r: [ID!]!) { trainingJobs(runIds: $r) { runId status error } }"
START = "mutation($i: StartTrainingInput!) { startTraining(input: $i) { runId status } }"
PREDICT = "mutation($i: PredictInput!) { predict(input: $i) { label confidence } }"
HEALTH = "{ health { device deviceName } }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Service:
    def __init__(self, data_dir: Path, device: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("PICTOLAB_")}
        env.update(PICTOLAB_DATA_DIR=str(data_dir), PICTOLAB_ML_DEVICE=device, PICTOLAB_LOG_LEVEL="WARNING")
        self.log = open(data_dir / "ml-api.log", "ab")  # noqa: SIM115 (the child writes to it until stop())
        self.proc = subprocess.Popen([PICTOLAB, "ml-api", "--port", str(self.port)], env=env,
                                     stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/readyz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("ml-api exited; see " + str(data_dir / "ml-api.log"))
            time.sleep(0.2)
        self.session = requests.Session()

    def gql(self, query: str, **variables):
        body = self.session.post(self.url + "/graphql", json={"query": query, "variables": variables},
                                 timeout=300).json()
        if body.get("errors"):
            raise RuntimeError(body["errors"])
        return body["data"]

    def rss_mb(self) -> dict:
        master = psutil.Process(self.proc.pid)
        workers = master.children(recursive=True)
        return {"worker_mb": sum(w.memory_info().rss for w in workers) / 2**20,
                "total_mb": (master.memory_info().rss + sum(w.memory_info().rss for w in workers)) / 2**20}

    def wait(self, run_id: str, timeout: float = 600) -> float:
        started = time.perf_counter()
        while time.perf_counter() - started < timeout:
            job = self.gql(JOB, r=run_id)["trainingJob"]
            if job["status"] == "SUCCEEDED":
                return time.perf_counter() - started
            if job["status"] == "FAILED":
                raise RuntimeError(job["error"])
            time.sleep(0.25)  # like the BFF (0.5 s): 30 pollers must not starve the service itself
        raise TimeoutError(run_id)

    def wait_all(self, run_ids: list[str], timeout: float = 600) -> float:
        """As the BFF's reconciler: one batched ask for every unfinished run per pass (0.5 s)."""
        started = time.perf_counter()
        pending = set(run_ids)
        while pending and time.perf_counter() - started < timeout:
            for job in self.gql(JOBS, r=sorted(pending))["trainingJobs"]:
                if job["status"] == "FAILED":
                    raise RuntimeError(job["error"])
                if job["status"] == "SUCCEEDED":
                    pending.discard(job["runId"])
            if pending:
                time.sleep(0.5)
        if pending:
            raise TimeoutError(sorted(pending))
        return time.perf_counter() - started

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        self.proc.wait(timeout=90)
        self.log.close()


def one_megapixel_jpeg() -> bytes:
    data, _ = photo_jpegs(4, 1, size=(1155, 866), seed=3)[-1]  # 1.0 MP
    buffer = io.BytesIO()
    Image.open(io.BytesIO(data)).save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def latency(service: Service, storage, run_id: str, n: int) -> dict:
    key = f"tmp/predict/{uuid.uuid4().hex}.jpg"
    storage.put_bytes(key, one_megapixel_jpeg(), "image/jpeg")
    uri = storage.uri(key)
    for _ in range(5):
        service.gql(PREDICT, i={"runId": run_id, "imageUri": uri})
    times = []
    for _ in range(n):
        started = time.perf_counter()
        service.gql(PREDICT, i={"runId": run_id, "imageUri": uri})
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    if not times:
        return {}
    return {"p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * (len(times) - 1))],
            "mean_ms": statistics.fmean(times), "n": n}


def write_deep_models(storage, database_url: str, run_ids, classes) -> None:
    """DEEP models in the real saved format (pretrained backbone + a fresh head, not trained:
    training 20 on this CPU would take an hour; for memory and latency the weights' values
    do not matter), each with its job's row SUCCEEDED in the service's queue, as the job
    would have left it."""
    from ml_api.backbones import get_spec
    from ml_api.models import DeepClassifier, save_deep_model
    from ml_api.training_request import TrainingRequest

    spec = get_spec("efficientnet_lite0")
    model = DeepClassifier(spec.build(True), spec.feature_dim, len(classes))
    for run_id in run_ids:
        request = TrainingRequest(run_id=run_id, classes=tuple(classes), examples=(), mode="DEEP")
        key = save_deep_model(storage, request, model, spec, 224)
        insert_succeeded_run(database_url, run_id, request.to_json(), storage.uri(key))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--models", type=int, default=20)
    parser.add_argument("--concurrent", type=int, default=30, help="QUICK jobs started at once")
    args = parser.parse_args()
    result: dict = {"bench": "predict", "time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "loadavg_1m_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        data_dir = Path(tmp)
        service = Service(data_dir, args.device)
        storage = open_storage((data_dir / "storage").as_uri())
        try:
            health = service.gql(HEALTH)["health"]
            result.update(device=health["device"], device_name=health["deviceName"], cpus=len(os.sched_getaffinity(0)))
            result["rss_after_boot"] = service.rss_mb()

            photos = photo_jpegs(3, 10)
            classes = sorted({label for _, label in photos})
            examples = store(storage, photos)
            quick_runs = [uuid.uuid4().hex for _ in range(args.models)]
            for run_id in quick_runs:  # the first computes the embeddings, the rest reuse them
                service.gql(START, i={"runId": run_id, "classes": classes, "examples": examples})
                service.wait(run_id)
            result["predict_quick"] = latency(service, storage, quick_runs[0], args.requests)
            for run_id in quick_runs:
                latency(service, storage, run_id, 0)  # load every model into the LRU
            result["rss_20_quick_models"] = service.rss_mb()

            deep_runs = [uuid.uuid4().hex for _ in range(args.models)]
            write_deep_models(storage, f"sqlite:///{data_dir / 'ml-queue.db'}", deep_runs, classes)
            for run_id in deep_runs:
                latency(service, storage, run_id, 0)
            result["rss_20_deep_models"] = service.rss_mb()
            result["predict_deep"] = latency(service, storage, deep_runs[0], args.requests)

            # Concurrent QUICK jobs: on a GPU 30 groups with their own (cold) photos, the
            # target; on the CPU the same 30 jobs with cached embeddings (the queue, not the GPU).
            groups = args.concurrent
            cold = health["device"] == "cuda"
            group_examples = [store(storage, photo_jpegs(3, 20, seed=100 + g)) if cold else examples
                              for g in range(groups)]
            runs = [uuid.uuid4().hex for _ in range(groups)]
            started = time.perf_counter()
            with ThreadPoolExecutor(groups) as pool:
                list(pool.map(lambda a: service.gql(START, i={"runId": a[0], "classes": classes,
                                                              "examples": a[1]}), zip(runs, group_examples)))
            service.wait_all(runs)
            result["concurrent_quick"] = {"jobs": groups, "embeddings": "cold" if cold else "cached",
                                          "photos_per_job": len(group_examples[0]),
                                          "all_done_s": time.perf_counter() - started}
        finally:
            service.stop()

    targets = {"cpu": {"p50_ms": 150, "rss_mb": 1536}, "cuda": {"p50_ms": 20}}[result["device"]]
    result["loadavg_1m_after"] = os.getloadavg()[0]
    print(f"device: {result['device_name']}; load average before/after "
          f"{result['loadavg_1m_before']:.1f}/{result['loadavg_1m_after']:.1f}")
    print(f"{'measure':38} {'value':>10} {'target':>8}")
    for name in ("predict_quick", "predict_deep"):
        row = result[name]
        print(f"{name + ' p50 (1 MP JPEG, HTTP)':38} {row['p50_ms']:8.1f}ms {targets['p50_ms']:>6}ms")
        print(f"{name + ' p95':38} {row['p95_ms']:8.1f}ms")
    for name in ("rss_after_boot", "rss_20_quick_models", "rss_20_deep_models"):
        print(f"{name + ' (worker+master)':38} {result[name]['total_mb']:8.0f}MB "
              f"{str(targets.get('rss_mb', '-')) + 'MB':>8}")
    c = result["concurrent_quick"]
    label = f"{c['jobs']} concurrent QUICK ({c['embeddings']} emb.)"
    print(f"{label:38} {c['all_done_s']:9.2f}s "
          f"{'10s' if result['device'] == 'cuda' else '(GPU)':>8}")
    out = Path(__file__).resolve().parent / "results" / "predict.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
