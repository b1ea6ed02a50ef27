"""numpy doing gemm-error's whole job, end to end: the second yardstick of
bench_dot (beside numpy_dot.py, which times only np.dot over operands it is
given). For each of REPS runs it

  1. draws TRIALS x K operands a and b, np.random.default_rng(SEED) normal, float32;
  2. rounds them to fp16 (astype(np.float16)); fp8 cannot be done in numpy
     (it has no fp8 dtype), so this yardstick exists for fp16 inputs only;
  3. computes each trial's float32 dot (np.dot per trial, as numpy_dot.py)
     and a float64 reference (np.dot of the float64 operands: the fp16
     products are exact in float64, the float64 sum is not exact, unlike
     gemm-error's exact reference);
  4. the relative error |dot32 - ref| / |ref| per trial, and its median, p95
     and max (numpy's percentile, linear interpolation: not gemm-error's
     order statistics; numpy's stream is not gemm-error's either).

The like-for-like gemm-error run is `--in fp16 --acc seq:fp32` (the nearest
of its accumulators to a float32 dot; numpy's dot sums with SIMD partial sums,
not sequentially, and gets no bits right about any accumulator).

    /usr/bin/python3 bench/numpy_gemm_error.py TRIALS K REPS [SEED]

Prints the median wall seconds of the REPS runs, the numpy version, the median
CPU seconds (process time: steadier on a shared machine) and the last run's
median, p95 and max relative error.
"""
import sys
import time

import numpy as np


def run(trials, k, seed):
    rng = np.random.default_rng(seed)
    a = rng.standard_normal((trials, k), dtype=np.float32).astype(np.float16)
    b = rng.standard_normal((trials, k), dtype=np.float32).astype(np.float16)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    dot32 = np.empty(trials, dtype=np.float32)
    ref = np.empty(trials, dtype=np.float64)
    for t in range(trials):
        dot32[t] = np.dot(a32[t], b32[t])
        ref[t] = np.dot(a64[t], b64[t])
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(dot32.astype(np.float64) - ref) / np.abs(ref)
    rel = rel[np.isfinite(rel)]
    return np.median(rel), np.percentile(rel, 95), rel.max()


def main():
    if len(sys.argv) not in (4, 5):
        print("usage: numpy_gemm_error.py TRIALS K REPS [SEED]", file=sys.stderr)
        sys.exit(2)
    trials, k, reps = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    seed = int(sys.argv[4]) if len(sys.argv) == 5 else 1
    times, cpu = [], []
    stats = None
    for _ in range(max(1, reps)):
        t0, c0 = time.perf_counter(), time.process_time()
        stats = run(trials, k, seed)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    times.sort()
    cpu.sort()
    print(f"{times[len(times) // 2]:.9f} numpy-{np.__version__} {cpu[len(cpu) // 2]:.9f} "
          f"{stats[0]:.6e} {stats[1]:.6e} {stats[2]:.6e}", flush=True)


if __name__ == "__main__":
    main()
