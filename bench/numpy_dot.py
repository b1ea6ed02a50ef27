"""numpy's float32 dot loop, the yardstick of bench_dot's gemm-error ratio
(numpy gets no bits right about tensor cores; it only sets the pace).

    /usr/bin/python3 bench/numpy_dot.py A.f32 B.f32 TRIALS K REPS

A and B hold TRIALS x K float32 values (the same trials gemm-error draws).
Prints the median seconds of REPS runs of `for t: np.dot(a[t], b[t])`, the
numpy version, and the median CPU seconds of the same runs (process time: on a
machine shared with other jobs it varies less than the wall clock).
"""
import sys
import time

import numpy as np


def main():
    trials, k, reps = int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    a = np.fromfile(sys.argv[1], dtype=np.float32).reshape(trials, k)
    b = np.fromfile(sys.argv[2], dtype=np.float32).reshape(trials, k)
    times, cpu = [], []
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        for t in range(trials):
            np.dot(a[t], b[t])
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    times.sort()
    cpu.sort()
    print(f"{times[len(times) // 2]:.9f} numpy-{np.__version__} {cpu[len(cpu) // 2]:.9f}", flush=True)


if __name__ == "__main__":
    main()
