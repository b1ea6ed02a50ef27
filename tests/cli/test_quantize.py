#!/usr/bin/python3
"""`mantissa quantize` against oracles written here: Python fractions for the
MX rules (OCP MX v1.0 section 6.3 and the ceil rule), numpy float32 for the
steps NVIDIA's NVFP4 recipe does in fp32. Every element, scale and
dequantized value is compared exactly (the CLI prints exact decimals).

Run by ctest as `python3 test_quantize.py <path to mantissa>`.
"""
import json
import math
import os
import random
import subprocess
import sys
import tempfile
import unittest
from fractions import Fraction

import numpy as np

MANTISSA = None


def run(*args):
    return subprocess.run([MANTISSA, "quantize", *args], capture_output=True, text=True, timeout=60)


def quantize(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def float_values(e, m, finite_top):
    """Non-negative values of a sign/exponent/mantissa format, by code, from
    the definition: bias 2^(e-1)-1, subnormals at 1-bias. finite_top: how the
    top binade is used ('all': OCP FP6/FP4; 'fn': all but the all-ones code;
    'ieee': none of it)."""
    bias = 2 ** (e - 1) - 1
    out = []
    for code in range(2 ** (e + m)):
        E, M = code >> m, code & (2**m - 1)
        if E == 2**e - 1 and (finite_top == "ieee" or (finite_top == "fn" and M == 2**m - 1)):
            continue
        if E == 0:
            v = Fraction(M, 2**m) * Fraction(2) ** (1 - bias)
        else:
            v = (1 + Fraction(M, 2**m)) * Fraction(2) ** (E - bias)
        out.append((code, v))
    return out


ELEMENTS = {
    "mxfp4": (float_values(2, 1, "all"), 2),
    "mxfp6-e2m3": (float_values(2, 3, "all"), 2),
    "mxfp6-e3m2": (float_values(3, 2, "all"), 4),
    "mxfp8-e4m3": (float_values(4, 3, "fn"), 8),
    "mxfp8-e5m2": (float_values(5, 2, "ieee"), 15),
    "mxint8": ([(k, Fraction(k, 64)) for k in range(128)], 0),
}
E4M3 = float_values(4, 3, "fn")


def round_rne(values, x):
    """Nearest of the (code, value) list to |x| (ties: even code), clamped to the
    largest; the sign is put back."""
    mag = abs(x)
    best = None
    for code, v in values:
        d = abs(v - mag)
        if best is None or d < best[0] or (d == best[0] and code % 2 == 0):
            best = (d, code, v)
    top = max(v for _, v in values)
    v = top if mag > top else best[2]
    return -v if x < 0 else v


def floor_log2(x):
    x = abs(Fraction(x))
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if Fraction(2) ** e > x:
        e -= 1
    return e


def mx_oracle(fmt, xs, rule):
    values, emax = ELEMENTS[fmt]
    amax = max(abs(Fraction(x)) for x in xs)
    top = max(v for _, v in values)
    if amax == 0:
        k = -127
    else:
        k = floor_log2(amax) - emax
        if rule == "ceil" and amax / Fraction(2) ** k > top:
            k += 1
        k = max(k, -127)
    s = Fraction(2) ** k
    return k, [round_rne(values, Fraction(x) / s) * s for x in xs]


def block_values(block):
    return [Fraction(e["dequantized"]) for e in block["elements"]]


def values_arg(xs):
    return ",".join(repr(float(x)) for x in xs)


class MxRules(unittest.TestCase):
    def test_random_blocks_match_the_fraction_oracle_for_every_format_and_rule(self):
        rng = random.Random(14)
        for fmt in ELEMENTS:
            for rule in ("ocp", "ceil"):
                for trial in range(4):
                    scale = 2.0 ** rng.randint(-20, 20)
                    xs = [rng.gauss(0, 1) * scale for _ in range(32)]
                    if trial == 1:
                        xs[5] *= 100  # one outlier
                    if trial == 2:
                        xs[3] = 1.99 * 2.0 ** rng.randint(-5, 5)  # amax just below a power of two
                    with self.subTest(fmt=fmt, rule=rule, trial=trial):
                        out = quantize("--format", fmt, "--scale-rule", rule, "--values", values_arg(xs))
                        k, want = mx_oracle(fmt, xs, rule)
                        b = out["blocks"][0]
                        self.assertEqual(b["scale_exp"], k)
                        self.assertEqual(int(b["scale_bits"], 16), k + 127)
                        self.assertEqual(Fraction(b["scale"]), Fraction(2) ** k)
                        self.assertEqual(block_values(b), want)
                        for e, x in zip(b["elements"], xs):
                            self.assertEqual(Fraction(e["input"]), Fraction(x))
                            self.assertEqual(Fraction(e["error"]), Fraction(e["dequantized"]) - Fraction(x))

    def test_ocp_clips_the_largest_value_just_below_a_power_of_two_and_ceil_does_not(self):
        # amax 7.9: ocp scale 2^(2-2) = 1, 7.9 > 6 clips to 6; ceil takes 2: 7.9/2 = 3.95 -> 4.
        xs = [7.9, 1.0, 0.5, -3.0]
        ocp = quantize("--format", "mxfp4", "--block", "4", "--values", values_arg(xs))
        self.assertEqual(ocp["blocks"][0]["scale_exp"], 0)
        self.assertTrue(ocp["blocks"][0]["elements"][0]["clipped"])
        self.assertEqual(Fraction(ocp["blocks"][0]["elements"][0]["dequantized"]), 6)
        self.assertEqual(ocp["clipped"], 1)
        ceil = quantize("--format", "mxfp4", "--block", "4", "--scale-rule", "ceil", "--values", values_arg(xs))
        self.assertEqual(ceil["blocks"][0]["scale_exp"], 1)
        self.assertEqual(ceil["clipped"], 0)
        self.assertEqual(Fraction(ceil["blocks"][0]["elements"][0]["dequantized"]), 8)

    def test_amax_exactly_a_power_of_two_is_exact_under_both_rules(self):
        for rule in ("ocp", "ceil"):
            out = quantize("--format", "mxfp4", "--block", "2", "--scale-rule", rule, "--values", "4,-1")
            self.assertEqual(out["blocks"][0]["scale_exp"], 0)
            self.assertEqual(block_values(out["blocks"][0]), [4, -1])
            self.assertIsNone(out["sqnr_db"])  # exact: infinite SQNR is null in JSON

    def test_ceil_never_clips(self):
        rng = random.Random(7)
        for fmt in ELEMENTS:
            xs = [rng.uniform(-1, 1) * 2.0 ** rng.randint(-30, 30) for _ in range(256)]
            out = quantize("--format", fmt, "--scale-rule", "ceil", "--values", values_arg(xs))
            self.assertEqual(out["clipped"], 0, fmt)
            top = max(v for _, v in ELEMENTS[fmt][0])
            for b in out["blocks"]:
                amax = max(abs(Fraction(e["input"])) for e in b["elements"])
                self.assertLessEqual(amax / Fraction(b["scale"]), top)
                self.assertGreater(amax / (Fraction(b["scale"]) / 2), top)  # the smallest such power

    def test_amax_exactly_max_elem_keeps_its_binade_under_ceil(self):
        for fmt, (values, emax) in ELEMENTS.items():
            top = max(v for _, v in values)
            xs = [float(top * 8), 1.0]
            with self.subTest(fmt=fmt):
                out = quantize("--format", fmt, "--block", "2", "--scale-rule", "ceil", "--values", values_arg(xs))
                self.assertEqual(out["blocks"][0]["scale_exp"], 3)
                self.assertEqual(out["clipped"], 0)

    def test_mxint8_never_produces_minus_128(self):
        # -1.999 / 2^0 rounds to -128/64: clamped to -127/64 (symmetric, as microxcaling does).
        out = quantize("--format", "mxint8", "--block", "1", "--values", "-1.999")
        e = out["blocks"][0]["elements"][0]
        self.assertEqual(e["bits"], "0x81")
        self.assertEqual(Fraction(e["dequantized"]), Fraction(-127, 64))
        self.assertTrue(e["clipped"])

    def test_all_zeros_take_the_smallest_scale_and_zero_elements(self):
        out = quantize("--format", "mxfp8-e4m3", "--block", "4", "--values", "0,0,-0,0")
        b = out["blocks"][0]
        self.assertEqual(b["scale_bits"], "0x00")
        self.assertEqual(block_values(b), [0, 0, 0, 0])
        self.assertEqual(out["flushed"], 0)

    def test_a_nan_or_inf_makes_its_block_nan_and_leaves_the_others(self):
        for bad in ("nan", "inf", "-inf"):
            out = quantize("--format", "mxfp4", "--block", "2", "--values", "1,2," + bad + ",3")
            self.assertEqual(out["blocks"][0]["scale_bits"], "0x7e")  # amax 2: 2^(1 - 2)
            self.assertEqual(out["blocks"][1]["scale_bits"], "0xff")
            self.assertTrue(out["blocks"][1]["non_finite"])
            self.assertTrue(all(e["dequantized"] == "nan" for e in out["blocks"][1]["elements"]))

    def test_e8m0_range_limits(self):
        # The smallest fp32 subnormal 2^-149: ocp wants 2^(-149-8), below e8m0's 2^-127: clamped, flushed.
        out = quantize("--format", "mxfp8-e4m3", "--block", "1", "--values", "1.401298464324817e-45")
        b = out["blocks"][0]
        self.assertEqual(b["scale_bits"], "0x00")
        self.assertTrue(b["scale_clamped"])
        self.assertTrue(b["elements"][0]["flushed"])
        # fp32's largest binade: 2^127 * 1.5 under mxint8 (emax 0) needs 2^127 exactly: the top scale.
        out = quantize("--format", "mxint8", "--block", "1", "--values", repr(1.5 * 2.0**127))
        self.assertEqual(out["blocks"][0]["scale_bits"], "0xfe")
        self.assertEqual(Fraction(out["blocks"][0]["elements"][0]["dequantized"]), Fraction(3, 2) * 2**127)
        # Beyond every e8m0 scale (an fp64 input): the block is NaN.
        out = quantize("--format", "mxfp4", "--block", "1", "--values", "1e300")
        self.assertEqual(out["blocks"][0]["scale_bits"], "0xff")

    def test_subnormal_elements_are_marked(self):
        out = quantize("--format", "mxfp8-e4m3", "--block", "2", "--values", "448,0.01")
        e = out["blocks"][0]["elements"]
        self.assertFalse(e[0]["subnormal"])
        self.assertTrue(e[1]["subnormal"])

    def test_stochastic_rounding_is_reproducible_and_lands_on_a_neighbour(self):
        xs = [0.3 + i / 100 for i in range(32)]
        a = quantize("--format", "mxfp4", "--round", "stochastic", "--seed", "5", "--values", values_arg(xs))
        b = quantize("--format", "mxfp4", "--round", "stochastic", "--seed", "5", "--values", values_arg(xs))
        self.assertEqual(a, b)
        values = sorted(v for _, v in ELEMENTS["mxfp4"][0])
        s = Fraction(a["blocks"][0]["scale"])
        for e, x in zip(a["blocks"][0]["elements"], xs):
            q = Fraction(e["dequantized"]) / s
            lo = max(v for v in values if v <= Fraction(x) / s)
            hi = min(v for v in values if v >= Fraction(x) / s)
            self.assertIn(q, (lo, hi))

    def test_a_short_last_block_needs_pad_zero_and_equals_zero_padding(self):
        self.assertEqual(run("--format", "mxfp4", "--block", "4", "--values", "1,2,3,4,5").returncode, 2)
        short = quantize("--format", "mxfp4", "--block", "4", "--pad", "zero", "--values", "1,2,3,4,5,6")
        padded = quantize("--format", "mxfp4", "--block", "4", "--values", "1,2,3,4,5,6,0,0")
        self.assertEqual(short["blocks"][1]["scale_bits"], padded["blocks"][1]["scale_bits"])
        self.assertEqual(block_values(short["blocks"][1]), block_values(padded["blocks"][1])[:2])


def f32(x):
    return np.float32(x)


def nvfp4_oracle(xs):
    """NVIDIA's NVFP4 recipe: s_enc = 6*448/amax (fp32); per block of 16 the
    E4M3 scale round_to_e4m3(fp32(fp32(amax_b / 6) * s_enc)), saturating; the
    element encode scale fp32(1 / fp32(scale * s_dec)), s_dec = fp32(1/s_enc);
    elements E2M1 (RNE, clamped to 6) of x * encode_scale; x' = q * scale * s_dec."""
    xs = [f32(x) for x in xs]
    amax = max(abs(x) for x in xs)
    s_enc = f32(1) if amax == 0 else f32(f32(6 * 448) / amax)
    s_dec = f32(f32(1) / s_enc)
    fp4 = ELEMENTS["mxfp4"][0]
    out = []
    for i in range(0, len(xs), 16):
        blk = xs[i : i + 16]
        amax_b = max(abs(x) for x in blk)
        stored = f32(f32(amax_b / f32(6)) * s_enc)
        scale = round_rne(E4M3, Fraction(float(stored)))
        enc = f32(0) if scale == 0 else f32(f32(1) / f32(f32(float(scale)) * s_dec))
        q = [round_rne(fp4, Fraction(float(x)) * Fraction(float(enc))) for x in blk]
        out.append((scale, [v * scale * Fraction(float(s_dec)) for v in q]))
    return Fraction(float(s_enc)), out


class Nvfp4(unittest.TestCase):
    def test_nvfp4_matches_the_published_formula(self):
        rng = random.Random(4)
        for trial in range(6):
            xs = [rng.gauss(0, 1) * 2.0 ** rng.randint(-8, 8) for _ in range(64)]
            if trial % 2:
                xs[17] *= 1000
            with self.subTest(trial=trial):
                out = quantize("--format", "nvfp4", "--values", values_arg(xs))
                s_enc, blocks = nvfp4_oracle(xs)
                self.assertEqual(Fraction(out["tensor_scale"]), s_enc)
                self.assertEqual(len(out["blocks"]), 4)
                for b, (scale, want) in zip(out["blocks"], blocks):
                    self.assertEqual(Fraction(b["scale"]), scale)
                    self.assertEqual(block_values(b), want)

    def test_nvfp4_block_scale_ties_to_even_in_e4m3(self):
        # Tensor amax 2688 makes s_enc exactly 1; block amax 63 gives 63/6 = 10.5,
        # halfway between the E4M3 values 10 and 11: RNE picks 10 (even mantissa).
        xs = [2688.0] + [1.0] * 15 + [63.0] + [1.0] * 15
        out = quantize("--format", "nvfp4", "--values", values_arg(xs))
        self.assertEqual(Fraction(out["tensor_scale"]), 1)
        self.assertEqual(Fraction(out["blocks"][1]["scale"]), 10)
        self.assertEqual(out["blocks"][0]["scale_bits"], "0x7e")  # 2688/6 = 448

    def test_nvfp4_largest_value_maps_to_6_times_448(self):
        xs = [100.0] + [1.0] * 15
        out = quantize("--format", "nvfp4", "--values", values_arg(xs))
        b = out["blocks"][0]
        self.assertEqual(b["scale_bits"], "0x7e")  # 448
        self.assertEqual(b["elements"][0]["bits"], "0x7")  # 6


def read(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, data):
    with open(path, "wb") as f:
        f.write(data)


class Files(unittest.TestCase):
    def test_npy_f4_f8_f2_and_raw_f32_give_the_values_themselves(self):
        xs = np.array([0.5, -1.25, 3.0, 0.0078125] * 8)
        want = quantize("--format", "mxfp8-e5m2", "--values", values_arg(xs))
        with tempfile.TemporaryDirectory() as d:
            for dtype in ("<f4", "<f8", "<f2"):
                p = os.path.join(d, "x.npy")
                np.save(p, xs.astype(dtype).reshape(4, 8))
                with self.subTest(dtype=dtype):
                    self.assertEqual(quantize("--format", "mxfp8-e5m2", "--file", p), want)
            p = os.path.join(d, "x.raw")
            xs.astype("<f4").tofile(p)
            self.assertEqual(quantize("--format", "mxfp8-e5m2", "--file", p), want)

    def test_bad_files_are_refused_with_exit_2(self):
        with tempfile.TemporaryDirectory() as d:
            cases = {
                "int dtype": lambda p: np.save(p, np.arange(32, dtype="<i4")),
                "big endian": lambda p: np.save(p, np.arange(32, dtype=">f4")),
                "truncated data": lambda p: write(p, read(self._npy(d))[:-3]),
                "raw not a multiple of 4": lambda p: write(p, b"\x00" * 7),
                "huge shape": lambda p: write(p, self._header("(99999999999, 99999999999)")),
                "header longer than file": lambda p: write(p, b"\x93NUMPY\x01\x00\xff\xff{"),
            }
            for name, make in cases.items():
                with self.subTest(name):
                    p = os.path.join(d, "bad.npy")
                    make(p)
                    r = run("--format", "mxfp4", "--file", p)
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertTrue(r.stderr.startswith("mantissa: "), r.stderr)
                    self.assertEqual(r.stdout, "")

    @staticmethod
    def _npy(d):
        p = os.path.join(d, "good.npy")
        np.save(p, np.ones(32, dtype="<f4"))
        return p

    @staticmethod
    def _header(shape):
        h = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % shape
        h += " " * ((64 - (10 + len(h) + 1) % 64) % 64) + "\n"
        return b"\x93NUMPY\x01\x00" + len(h).to_bytes(2, "little") + h.encode()


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=1)
