"""Single-thread numpy/BLAS matmul speed for the shapes the kernel benchmark times.

Usage: python3 bench/numpy_matmul.py '<json>' where <json> is
  {"repeats": 5, "shapes": [{"name": ..., "M": .., "N": .., "K": .., "transA": bool, "transB": bool}, ...]}
or, to time one product at a time on request (the benchmark's alternating wasm/numpy pairs),
  {"serve": true, "shapes": [one shape]}
which prints {"ready": true, ...} once set up, then for every line "run" on stdin runs the product
twice and prints the seconds of the second as {"seconds": s}, until "quit" or end of input.
Each shape times C[M×N] = op(A)·op(B) into a preallocated C, with A stored K×M when transA and
B stored N×K when transB (exactly the layouts the wasm kernels read). Prints one JSON object on
stdout: numpy/BLAS versions, the thread settings seen, and per shape the median seconds (wall clock
and process CPU time) and GFLOP/s.
The caller sets OPENBLAS_NUM_THREADS=1 (and the other thread variables) before numpy is imported.
"""
import json
import os
import sys
import time

import numpy as np


def blas_name():
    try:
        config = np.show_config(mode="dicts")
        blas = config.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def median(values):
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else 0.5 * (values[mid - 1] + values[mid])


def operands(shape, rng):
    m, n, k = shape["M"], shape["N"], shape["K"]
    a = rng.standard_normal((k, m) if shape.get("transA") else (m, k), dtype=np.float32)
    b = rng.standard_normal((n, k) if shape.get("transB") else (k, n), dtype=np.float32)
    op_a = a.T if shape.get("transA") else a
    op_b = b.T if shape.get("transB") else b
    return op_a, op_b, np.empty((m, n), dtype=np.float32)


def serve(shape):
    op_a, op_b, c = operands(shape, np.random.default_rng(0))
    for _ in range(2):  # warm-up, as in main()
        np.matmul(op_a, op_b, out=c)
    print(json.dumps({"ready": True, "numpy": np.__version__, "blas": blas_name()}), flush=True)
    for line in sys.stdin:
        if line.strip() != "run":
            break
        np.matmul(op_a, op_b, out=c)  # untimed: brings the operands back into cache
        t0 = time.perf_counter()
        np.matmul(op_a, op_b, out=c)
        print(json.dumps({"seconds": time.perf_counter() - t0}), flush=True)


def main():
    request = json.loads(sys.argv[1])
    if request.get("serve"):
        serve(request["shapes"][0])
        return
    repeats = int(request.get("repeats", 5))
    rng = np.random.default_rng(0)
    results = []
    for shape in request["shapes"]:
        m, n, k = shape["M"], shape["N"], shape["K"]
        op_a, op_b, c = operands(shape, rng)
        for _ in range(2):  # warm-up: page in C, let BLAS pick its kernels
            np.matmul(op_a, op_b, out=c)
        samples = []
        cpu_samples = []
        for _ in range(repeats):
            c0 = time.process_time()
            t0 = time.perf_counter()
            np.matmul(op_a, op_b, out=c)
            samples.append(time.perf_counter() - t0)
            cpu_samples.append(time.process_time() - c0)
        samples.sort()
        med = median(samples)
        flops = 2.0 * m * n * k
        results.append({
            "name": shape["name"], "M": m, "N": n, "K": k,
            "medianSeconds": med, "minSeconds": samples[0], "maxSeconds": samples[-1], "repeats": repeats,
            "gflops": flops / med / 1e9,
            "medianCpuSeconds": median(cpu_samples),
        })
    threads = {v: os.environ.get(v) for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    print(json.dumps({"numpy": np.__version__, "blas": blas_name(), "threads": threads, "results": results}))


if __name__ == "__main__":
    main()
