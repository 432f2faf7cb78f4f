"""numpy's best way to the top-K of every user, training items excluded, for the ranking benchmark.

Usage: python3 bench/numpy_topk.py '<json>' with
  {"users": "<raw float32 file, nUsers×d>", "items": "<raw float32 file, nItems×d>", "d": 64, "k": 20,
   "indptr": "<raw int32 file, nUsers+1>", "indices": "<raw int32 file>", "threads": 2, "repeats": 3}
Tries each configuration once (BLAS threads × Python threads over user blocks × block size), then
runs the fastest `repeats` more times, and prints one JSON object: numpy/BLAS versions, every
configuration's seconds, the best one and its median. Each block: S = U_b·Qᵀ (BLAS), S[training] =
-inf, argpartition for the K best, argsort of those K. argpartition and the scatter release the GIL,
so Python threads over blocks use several cores beside BLAS's own threads.
"""
import json
import os
import sys
import time

spec = json.loads(sys.argv[1])
threads = int(spec.get("threads", 2))
# BLAS's thread count is fixed when numpy loads: each configuration runs in its own process.
if "blas" in spec:
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS"):
        os.environ[var] = str(spec["blas"])

import numpy as np  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402


def load():
    d = spec["d"]
    U = np.fromfile(spec["users"], dtype=np.float32).reshape(-1, d)
    Q = np.fromfile(spec["items"], dtype=np.float32).reshape(-1, d)
    indptr = np.fromfile(spec["indptr"], dtype=np.int32)
    indices = np.fromfile(spec["indices"], dtype=np.int32)
    return U, np.ascontiguousarray(Q.T), indptr, indices


def run(U, QT, indptr, indices, k, block, py_threads):
    m = QT.shape[1]
    n = U.shape[0]
    out = np.empty((n, k), dtype=np.int64)

    def one(s):
        e = min(n, s + block)
        S = U[s:e] @ QT
        rows = np.repeat(np.arange(e - s), np.diff(indptr[s:e + 1]))
        S[rows, indices[indptr[s]:indptr[e]]] = -np.inf
        top = np.argpartition(S, m - k, axis=1)[:, m - k:]
        order = np.argsort(-np.take_along_axis(S, top, 1), axis=1, kind="stable")
        out[s:e] = np.take_along_axis(top, order, 1)

    t0 = time.perf_counter()
    if py_threads == 1:
        for s in range(0, n, block):
            one(s)
    else:
        with ThreadPoolExecutor(py_threads) as pool:
            list(pool.map(one, range(0, n, block)))
    return time.perf_counter() - t0


if "blas" in spec:
    U, QT, indptr, indices = load()
    print(json.dumps([run(U, QT, indptr, indices, spec["k"], spec["block"], spec["py_threads"]) for _ in range(spec.get("times", 1))]))
    sys.exit(0)

import subprocess  # noqa: E402


def measure(config, times):
    child = dict(spec, **config, times=times)
    r = subprocess.run([sys.executable, __file__, json.dumps(child)], capture_output=True, text=True, check=True)
    return json.loads(r.stdout.strip().splitlines()[-1])


configs = []
for blas, py in ((1, threads), (threads, 1), (1, 1)):
    for block in (128, 512, 2048):
        if blas == py == 1 and block != 512:
            continue
        configs.append({"blas": blas, "py_threads": py, "block": block})
tried = [dict(c, seconds=measure(c, 1)[0]) for c in configs]
best = min(tried, key=lambda c: c["seconds"])
again = sorted(measure({k: best[k] for k in ("blas", "py_threads", "block")}, int(spec.get("repeats", 3))))
try:
    blas_name = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    blas_name = f"{blas_name.get('name', '?')} {blas_name.get('version', '')}".strip()
except Exception:  # older numpy
    blas_name = "unknown"
print(json.dumps({"numpy": np.__version__, "blas": blas_name, "configs": tried, "best": {k: best[k] for k in ("blas", "py_threads", "block")},
                  "bestSeconds": again, "median": again[len(again) // 2]}))
