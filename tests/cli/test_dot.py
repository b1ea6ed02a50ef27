#!/usr/bin/python3
"""`mantissa dot` and `mantissa gemm-error` through the real binary.

The oracles are independent of the C++ core: Python's exact fractions for
the exact value, and the tensor-core block model's six steps written out
again here in fractions. --batch output is checked line by line (bits and
value agree, and equal the oracle), and bad input exits 2.

Run by ctest as `python3 test_dot.py <path to mantissa>`; plain asserts, a
non-zero exit on the first failure.
"""
import json
import random
import struct
import subprocess
import sys
import time
from fractions import Fraction

MANTISSA = sys.argv[1] if len(sys.argv) > 1 else "build/native/mantissa"


def run(*args, stdin=None):
    return subprocess.run([MANTISSA, *args], capture_output=True, text=True, timeout=120, input=stdin)


def ok_json(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def fails(args, message, stdin=None):
    r = run(*args, stdin=stdin)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert r.stdout == "", r.stdout
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("mantissa: "), r.stderr
    assert message in lines[0], (message, lines[0])


# Formats as (exponent bits, mantissa bits, has_inf); values as Fractions.
FORMATS = {"fp16": (5, 10, True), "bf16": (8, 7, True), "fp8-e4m3": (4, 3, False), "fp8-e5m2": (5, 2, True)}


def emin(fmt):
    e, _, _ = FORMATS[fmt]
    return 2 - (1 << (e - 1))


def floor_log2(x):
    x = abs(x)
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    return e


def random_value(fmt, rng, scale_exp=0):
    """A random normal value of fmt (both signs), as a Fraction."""
    _, m, _ = FORMATS[fmt]
    sig = (1 << m) + rng.randrange(1 << m)
    e = max(rng.randint(-4, 3) + scale_exp, emin(fmt))
    return (-1 if rng.random() < 0.5 else 1) * Fraction(sig, 1 << m) * Fraction(2) ** e


def trunc(x):
    return Fraction(int(x))  # toward zero


def tc_oracle(a, b, c, fmt, fma, neab):
    """The tensor-core model's steps, fp32 output, round toward zero."""
    out_frac = 23 + min(neab, 0)
    for start in range(0, len(a), fma):
        blk = [(x, y) for x, y in zip(a[start:start + fma], b[start:start + fma]) if x != 0 and y != 0]
        exps = [max(floor_log2(x), emin(fmt)) + max(floor_log2(y), emin(fmt)) for x, y in blk]
        if c != 0:
            exps.append(max(floor_log2(c), -126))
        if not exps:
            c = Fraction(0)
            continue
        unit = Fraction(2) ** (max(exps) - 23 - neab)
        s = sum(trunc(x * y / unit) * unit for x, y in blk)
        if c != 0:
            s += trunc(c / unit) * unit
        if s == 0:
            c = Fraction(0)
            continue
        q = Fraction(2) ** (max(floor_log2(s), -126) - out_frac)
        c = trunc(s / q) * q
    return c


def hexf(x):
    """A Fraction that is a binary float as a hex-float string."""
    return float(x).hex()


def fp32_of_bits(h):
    return Fraction(struct.unpack(">f", bytes.fromhex(h[2:].rjust(8, "0")))[0])


def test_exact_equals_fractions():
    rng = random.Random(1)
    for fmt in FORMATS:
        for _ in range(10):
            k = rng.randint(1, 30)
            a = [random_value(fmt, rng) for _ in range(k)]
            b = [random_value(fmt, rng) for _ in range(k)]
            c = Fraction(rng.randint(-1000, 1000), 64)
            j = ok_json("dot", "--a", ",".join(map(hexf, a)), "--b", ",".join(map(hexf, b)), "--c", hexf(c),
                        "--in", fmt, "--acc", "exact")
            assert Fraction(j["exact"]) == c + sum(x * y for x, y in zip(a, b)), (fmt, j)
            assert j["error_abs"] is None


def test_tensor_core_models_equal_the_fraction_oracle_via_batch():
    rng = random.Random(2)
    cases = [("fp16", "tc:v100", 4, 0), ("fp16", "tc:h100", 16, 2), ("bf16", "tc:a100", 8, 1),
             ("fp8-e4m3", "tc:h100", 32, -10), ("fp8-e5m2", "tc:ada", 16, -10), ("fp8-e4m3", "tc:b200", 32, 2),
             ("fp16", "tc:fma=3,neab=-3", 3, -3)]
    for fmt, acc, fma, neab in cases:
        lines, expected = [], []
        for _ in range(60):
            k = rng.randint(1, 70)
            a = [random_value(fmt, rng) if rng.random() > 0.1 else Fraction(0) for _ in range(k)]
            b = [random_value(fmt, rng, rng.randint(-3, 3)) for _ in range(k)]
            c = Fraction(rng.randint(-(1 << 20), 1 << 20), 1 << rng.randint(0, 30))
            lines.append(" ".join(map(hexf, a)) + " ; " + ", ".join(map(hexf, b)) + " ; " + hexf(c))
            expected.append(tc_oracle(a, b, c, fmt, fma, neab))
        r = run("dot", "--batch", "-", "--in", fmt, "--acc", acc, stdin="# comment\n\n" + "\n".join(lines) + "\n")
        assert r.returncode == 0, r.stderr
        out = r.stdout.strip().split("\n")
        assert len(out) == len(lines), (acc, len(out))
        for i, (line, want) in enumerate(zip(out, expected)):
            bits, value = line.split(" ")
            assert fp32_of_bits(bits) == Fraction(value), line  # the two halves of a line agree
            assert Fraction(value) == want, (acc, i, lines[i], line, float(want))


def test_batch_round_trips_bits_and_json():
    # fp32 bit patterns as inputs (0x3f800000 = 1.0), the result's bits read back as input.
    r = run("dot", "--batch", "-", "--in", "fp16", "--acc", "seq:fp32", stdin="0x3f800000 0x40000000 ; 0.5 0.25 ; 1\n")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "0x40000000 2\n", r.stdout  # 1*0.5 + 2*0.25 + 1
    # The printed bits, fed back as an fp32 bit pattern, are the printed value.
    bits = r.stdout.split()[0]
    back = run("dot", "--batch", "-", "--in", "bf16", "--acc", "exact", stdin=f"{bits};1\n")
    assert back.stdout == "0x40000000 2\n", back.stdout
    j = run("dot", "--batch", "-", "--in", "fp16", "--acc", "seq:fp32", "--json", stdin="1 2 ; 0.5 0.25 ; 1\n")
    assert json.loads(j.stdout) == {"format": "fp32", "bits": "0x40000000", "value": "2"}, j.stdout


def test_batch_speed_thousands_of_lines_per_second():
    rng = random.Random(3)
    lines = []
    for _ in range(5000):
        a = [hexf(random_value("fp8-e4m3", rng)) for _ in range(16)]
        b = [hexf(random_value("fp8-e4m3", rng)) for _ in range(16)]
        lines.append(" ".join(a) + ";" + " ".join(b) + ";0")
    t0 = time.monotonic()
    r = run("dot", "--batch", "-", "--in", "fp8-e4m3", "--acc", "tc:h100", stdin="\n".join(lines))
    elapsed = time.monotonic() - t0
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.strip().split("\n")) == 5000
    print(f"  --batch: 5000 lines of K=16 in {elapsed:.2f} s ({5000 / elapsed:.0f} lines/s)")


def test_published_behaviours_on_the_command_line():
    ones = ",".join(["1"] * 4096)
    assert ok_json("dot", "--a", ones, "--b", ones, "--in", "fp16", "--acc", "seq:fp16")["value"] == "2048"
    assert ok_json("dot", "--a", ones, "--b", ones, "--in", "bf16", "--acc", "seq:bf16")["value"] == "256"
    j = ok_json("dot", "--a", "1,0x1p-7", "--b", "1,0x1p-6", "--in", "fp8-e4m3", "--acc", "tc:h100")
    assert j["value"] == "1.0001220703125" and j["error_abs"] == "0"
    j = ok_json("dot", "--a", "1,0x1p-8", "--b", "1,0x1p-6", "--in", "fp8-e4m3", "--acc", "tc:h100")
    assert j["value"] == "1" and j["exact"] == "1.00006103515625" and j["error_abs"] == "-0.00006103515625"


def test_gemm_error_is_deterministic_and_shaped():
    args = ["gemm-error", "--k", "16,256", "--in", "fp8-e4m3", "--dist", "uniform:0:1",
            "--acc", "tc:h100,blocked:tc:h100:128,tc:fma=8,neab=1,seq:fp32", "--trials", "50", "--seed", "9"]
    a, b = run(*args, "--json"), run(*args, "--json")
    assert a.returncode == 0, a.stderr
    assert a.stdout == b.stdout
    j = json.loads(a.stdout)
    accs = [r["acc"] for r in j["rows"]]
    assert accs == ["tc:h100", "blocked:tc:h100:128", "tc:fma=8,neab=1,round=rz", "seq:fp32"] * 2, accs
    for r in j["rows"]:
        assert 0 <= r["median"] <= r["p95"] <= r["max"], r
        assert r["trials"] == 50
    # With positive inputs no cancellation: the fp8 tensor core's error grows with K.
    h = {(r["k"], r["acc"]): r for r in j["rows"]}
    assert h[(256, "tc:h100")]["median"] > h[(16, "tc:h100")]["median"]
    assert h[(256, "seq:fp32")]["max"] < 1e-6
    csv = run(*args, "--csv")
    assert csv.stdout.split("\n")[0] == "k,acc,median,p95,max,trials,exact_zero"
    assert len(csv.stdout.strip().split("\n")) == 9


def test_explain_dot_walks_through_one_block():
    args = ["explain", "dot", "--a", "1,0x1p-8,0x1p-7", "--b", "1,0x1p-6,-0x1p-6", "--c", "0.75", "--in", "fp8-e4m3",
            "--acc", "tc:h100"]
    j = ok_json(*args)
    assert j["max_exponent"] == 0 and j["unit_exp"] == -13, j
    assert [t["label"] for t in j["terms"]] == ["a1*b1", "a2*b2", "a3*b3", "c"]
    assert j["terms"][1]["dropped_bits"] == "1" and j["terms"][1]["kept_value"] == "0"
    assert j["value"] == "1.7498779296875" and j["exact"] == "1.74993896484375"
    same = ok_json("dot", *args[2:])
    assert same["bits"] == j["bits"]
    text = run(*args).stdout
    for step in ("1. The products are exact", "2. The largest exponent is E = 0", "3. The aligned terms",
                 "4. Normalised once", "5. Rounded toward zero to 13 fraction bits"):
        assert step in text, text
    fails(["explain", "dot", "--a", "1,1,1,1,1", "--b", "1,1,1,1,1", "--in", "fp16", "--acc", "tc:v100"],
          "one block of 4")
    fails(["explain", "dot", "--a", "1", "--b", "1", "--in", "fp16", "--acc", "seq:fp32"], "tensor-core block")


def test_bad_input_exits_2():
    fails(["dot", "--a", "1,2", "--b", "1", "--in", "fp16", "--acc", "exact"], "same length K")
    fails(["dot", "--a", "1", "--b", "1", "--in", "fp16", "--acc", "tc:h900"], "unknown tensor-core preset")
    fails(["dot", "--a", "1", "--b", "1", "--in", "bf16", "--acc", "tc:v100"], "no published model")
    fails(["dot", "--a", "nan", "--b", "1", "--in", "fp16", "--acc", "exact"], "finite inputs")
    fails(["dot", "--a", "inf", "--b", "1", "--in", "fp16", "--acc", "exact"], "finite inputs")
    fails(["dot", "--a", "1e6", "--b", "1", "--in", "fp16", "--acc", "exact"], "overflows fp16")
    fails(["dot", "--a", "1", "--b", "1", "--in", "fp64", "--acc", "exact"], "must fit in fp32")
    fails(["dot", "--a", "1", "--b", "1", "--in", "fp16", "--acc", "seq:fp99"], "fp99")
    fails(["dot", "--a", "1", "--b", "1", "--in", "fp16"], "needs --acc")
    fails(["dot", "--batch", "-", "--in", "fp16", "--acc", "exact"], "line 2", stdin="1;1\n1 2;1\n")
    fails(["gemm-error", "--k", "1000000000", "--in", "fp8-e4m3", "--acc", "tc:h100", "--trials", "1"], "--k")
    fails(["gemm-error", "--k", "4096", "--in", "fp8-e4m3", "--acc", "tc:h100", "--trials", "99999999999"],
          "--trials")
    fails(["gemm-error", "--k", "16777216", "--in", "fp8-e4m3", "--acc", "tc:h100", "--trials", "1000"],
          "the limit is")
    fails(["gemm-error", "--k", "16", "--in", "fp8-e4m3", "--acc", "tc:h100", "--trials", "10", "--dist",
           "cauchy:0:1"], "--dist")


def main():
    tests = [v for k, v in globals().items() if k.startswith("test_")]
    for t in tests:
        t()
        print("ok", t.__name__)
    print(f"{len(tests)} dot tests passed")


if __name__ == "__main__":
    main()
