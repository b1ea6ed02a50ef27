#!/usr/bin/python3
"""Yardstick for bench_train: one epoch of the same MLP (64-32-10, ReLU,
softmax cross-entropy, SGD lr 0.1 momentum 0.9, batch 32) on the 1437
training digits, in numpy float32 (matrix products by numpy's BLAS).

Usage: numpy_mlp.py DIGITS_CSV -> prints "SECONDS NUMPY_VERSION" for one
epoch (after one warm-up epoch), the loss kept so nothing is optimised away.
"""
import sys
import time

import numpy as np

data = np.loadtxt(sys.argv[1], delimiter=",", dtype=np.float32)
x_all, y_all = data[:, :64] / np.float32(16), data[:, 64].astype(np.int64)
rng = np.random.default_rng(0)
order = rng.permutation(len(y_all))
x, y = x_all[order[360:]], y_all[order[360:]]
sizes = [64, 32, 10]
w = [(rng.standard_normal((o, i)) * np.sqrt(2.0 / i)).astype(np.float32) for i, o in zip(sizes, sizes[1:])]
b = [np.zeros(o, np.float32) for o in sizes[1:]]
vw = [np.zeros_like(a) for a in w]
vb = [np.zeros_like(a) for a in b]
lr, mu, batch = np.float32(0.1), np.float32(0.9), 32


def epoch():
    total = 0.0
    for start in range(0, len(y), batch):
        xb, yb = x[start:start + batch], y[start:start + batch]
        n = len(yb)
        h1 = xb @ w[0].T + b[0]
        a1 = np.maximum(h1, 0)
        z = a1 @ w[1].T + b[1]
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        p = e / e.sum(axis=1, keepdims=True)
        total += float(-np.log(p[np.arange(n), yb]).mean())
        dz = p
        dz[np.arange(n), yb] -= 1
        dz /= np.float32(n)
        gw1, gb1 = dz.T @ a1, dz.sum(axis=0)
        da1 = (dz @ w[1]) * (h1 > 0)
        gw0, gb0 = da1.T @ xb, da1.sum(axis=0)
        for k, (gw, gb) in enumerate(((gw0, gb0), (gw1, gb1))):
            vw[k] = mu * vw[k] + gw
            vb[k] = mu * vb[k] + gb
            w[k] -= lr * vw[k]
            b[k] -= lr * vb[k]
    return total


epoch()
t0, c0 = time.perf_counter(), time.process_time()
loss = epoch()
secs, cpu = time.perf_counter() - t0, time.process_time() - c0
assert np.isfinite(loss)
# Wall seconds, the version, then the process's CPU seconds (every BLAS thread counted).
print(f"{secs:.6f} numpy-{np.__version__} {cpu:.6f}")
