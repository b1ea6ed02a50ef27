"""numpy's fp32 -> fp16 conversion, timed for bench_kernels (which runs this
as a co-process so numpy and the C++ kernels are timed in the same rounds).

    /usr/bin/python3 bench/numpy_fp16.py INPUT.f32 OURS.f16

Loads the fp32 array once and checks that numpy's fp16 bits equal ours
(numpy's float16 is IEEE binary16 with round to nearest even), then prints
"ready <numpy version> mismatches=<k>" and answers each line on stdin:
  astype  -> seconds for x.astype(np.float16) (allocates its result, as users do)
  copyto  -> seconds for np.copyto(out, x, casting="unsafe") into a reused array
  quit    -> exits
"""
import sys
import time

import numpy as np


def main():
    x = np.fromfile(sys.argv[1], dtype=np.float32)
    ours = np.fromfile(sys.argv[2], dtype=np.uint16)
    theirs = x.astype(np.float16).view(np.uint16)
    mismatches = int(np.count_nonzero(theirs != ours))
    out = np.empty(x.shape, dtype=np.float16)
    np.copyto(out, x, casting="unsafe")
    print(f"ready numpy-{np.__version__} mismatches={mismatches}", flush=True)
    for line in sys.stdin:
        what = line.strip()
        if what == "astype":
            t0 = time.perf_counter()
            y = x.astype(np.float16)
            t1 = time.perf_counter()
            del y
        elif what == "copyto":
            t0 = time.perf_counter()
            np.copyto(out, x, casting="unsafe")
            t1 = time.perf_counter()
        else:
            return
        print(f"{t1 - t0:.9f}", flush=True)


if __name__ == "__main__":
    main()
