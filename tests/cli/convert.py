#!/usr/bin/python3
"""`mantissa convert` and `mantissa formats` through the real binary.

Run by ctest as `python3 convert.py <path to mantissa>`. numpy (Debian's
python3-numpy) is an independent oracle for fp16 and fp32 rounding.
"""
import json
import random
import struct
import subprocess
import sys
import unittest

MANTISSA = None


def run(*args):
    return subprocess.run([MANTISSA, *args], capture_output=True, text=True, timeout=60)


def convert_json(*args):
    r = run("convert", *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class Tutorial(unittest.TestCase):
    def test_fp32_then_fp16(self):
        j = convert_json("1.12156456132", "--to", "fp16", "--via", "fp32")
        self.assertEqual(j["via"], {"format": "fp32", "bits": "0x3f8f8f6d", "value": "1.12156450748443603515625"})
        self.assertEqual(j["bits"], "0x3c7c")
        self.assertEqual(j["value"], "1.12109375")
        self.assertEqual(j["binary"], "0 01111 0001111100")
        self.assertEqual(j["input"], "1.12156456132")
        self.assertTrue(j["input_binary"].startswith("1.000111110001111011011010111001110011100011010100000111001111"))

    def test_keys_and_types(self):
        j = convert_json("0.00041999", "--to", "half")
        for key in ("format", "bits", "binary", "sign", "exponent", "mantissa", "class", "value", "input",
                    "input_binary", "error_abs", "error_rel", "error_ulp", "ulp", "next_up", "next_down", "rounding"):
            self.assertIn(key, j)
        self.assertEqual(j["format"], "fp16")
        self.assertEqual(j["bits"], "0x0ee2")
        self.assertEqual(j["value"], "0.000420093536376953125")
        self.assertEqual(j["error_abs"], "0.000000103536376953125")
        self.assertIsInstance(j["error_rel"], float)
        self.assertEqual(set(j["rounding"]) >= {"mode", "guard", "round", "sticky", "direction", "overflow",
                                                 "underflow"}, True)
        self.assertEqual(j["rounding"]["direction"], "up")

    def test_bits_input_and_special_values(self):
        j = convert_json("0x3c00", "--from", "fp16", "--to", "fp32")
        self.assertEqual(j["bits"], "0x3f800000")
        j = convert_json("0b0011110000000000", "--from", "fp16", "--to", "fp16")
        self.assertEqual(j["value"], "1")
        j = convert_json("-0", "--to", "fp16")
        self.assertEqual((j["bits"], j["value"]), ("0x8000", "-0"))
        j = convert_json("1e400", "--to", "fp32")
        self.assertEqual((j["value"], j["rounding"]["overflow"]), ("inf", True))
        self.assertNotIn("error_abs", j)
        j = convert_json("500", "--to", "e4m3")
        self.assertEqual(j["class"], "nan")
        j = convert_json("500", "--to", "e4m3", "--saturate")
        self.assertEqual(j["value"], "448")
        j = convert_json("1e-6", "--to", "fp16", "--ftz")
        self.assertEqual(j["value"], "0")

    def test_stochastic_is_seeded(self):
        a = convert_json("1.0001", "--to", "fp16", "--round", "stochastic", "--seed", "7")
        b = convert_json("1.0001", "--to", "fp16", "--round", "stochastic", "--seed", "7")
        self.assertEqual(a["bits"], b["bits"])

    def test_text_report_explains(self):
        r = run("convert", "1.12156456132", "--to", "fp16")
        self.assertEqual(r.returncode, 0)
        self.assertIn("0 01111 0001111100", r.stdout)
        self.assertIn("1.12109375", r.stdout)
        self.assertIn("guard", r.stdout)


class AgainstOracles(unittest.TestCase):
    def test_fp32_patterns_to_fp16_match_numpy(self):
        try:
            import numpy as np
        except ImportError:
            self.skipTest("python3-numpy missing")
        rng = random.Random(5)
        for _ in range(100):
            bits = rng.getrandbits(32)
            if (bits >> 23) & 0xFF == 0xFF:
                continue  # NaN payload rules differ between libraries; the C++ suite covers them
            with np.errstate(over="ignore"):
                ref = np.array([bits], dtype=np.uint32).view(np.float32).astype(np.float16).view(np.uint16)[0]
            j = convert_json(f"0x{bits:08x}", "--from", "fp32", "--to", "fp16")
            self.assertEqual(int(j["bits"], 16), int(ref), hex(bits))

    def test_decimals_to_fp64_match_python_float(self):
        rng = random.Random(6)
        for _ in range(100):
            s = f"{rng.random():.{rng.randint(1, 20)}f}e{rng.randint(-320, 308)}"
            j = convert_json(s, "--to", "fp64")
            ref = struct.unpack("<Q", struct.pack("<d", float(s)))[0]
            self.assertEqual(int(j["bits"], 16), ref, s)


class BadInput(unittest.TestCase):
    def assert_bad(self, *args, contains):
        r = run(*args)
        self.assertEqual(r.returncode, 2, (args, r.stdout, r.stderr))
        self.assertEqual(r.stdout, "")
        lines = r.stderr.strip().split("\n")
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("mantissa: "), r.stderr)
        self.assertIn(contains, lines[0])

    def test_messages(self):
        self.assert_bad("convert", "1.5", "--to", "fp17", contains="unknown format 'fp17'")
        self.assert_bad("convert", "1,5", "--to", "fp16", contains="decimal separator")
        self.assert_bad("convert", "0x13c00", "--from", "fp16", "--to", "fp32", contains="wider than fp16")
        self.assert_bad("convert", "0x3c00", "--to", "fp32", contains="--from")
        self.assert_bad("convert", "1.1", "--to", "fp16", "--round", "stochastic", contains="--seed")
        self.assert_bad("convert", "1.1", "--to", "fp16", "--bogus", contains="unknown option '--bogus'")
        self.assert_bad("convert", "1.1", contains="--to")
        self.assert_bad("convert", "1.1", "--to", "fp16", "--round", "sideways", contains="unknown rounding mode")
        self.assert_bad("convert", "", "--to", "fp16", contains="empty value")
        self.assert_bad("formats", "extra", contains="no arguments")


class Formats(unittest.TestCase):
    def test_json_lists_landmarks(self):
        r = run("formats", "--json")
        self.assertEqual(r.returncode, 0)
        table = {f["format"]: f for f in json.loads(r.stdout)}
        self.assertEqual(table["fp16"]["max_finite"], "65504")
        self.assertEqual(table["fp16"]["min_subnormal"], "0.000000059604644775390625")
        self.assertEqual(table["fp8-e4m3"]["max_finite"], "448")
        self.assertEqual(table["fp8-e5m2"]["max_finite"], "57344")
        self.assertEqual(table["bf16"]["epsilon"], "0.0078125")
        self.assertEqual(table["fp32"]["bias"], 127)

    def test_mx_formats_listed_with_spec_landmarks(self):
        # OCP MX v1.0 (sections 5.3.3, 5.4.1 and 5.5), as exact rationals.
        from fractions import Fraction as F

        table = {f["format"]: f for f in json.loads(run("formats", "--json").stdout)}
        spec = {
            "fp6-e2m3": ("no-specials", F(15, 2), F(1), F(1, 8)),
            "fp6-e3m2": ("no-specials", F(28), F(1, 4), F(1, 16)),
            "fp4-e2m1": ("no-specials", F(6), F(1), F(1, 2)),
        }
        for name, (kind, mx, mn, sub) in spec.items():
            f = table[name]
            self.assertEqual(f["kind"], kind)
            self.assertEqual((F(f["max_finite"]), F(f["min_normal"]), F(f["min_subnormal"])), (mx, mn, sub), name)
        self.assertEqual(F(table["int8-mx"]["max_finite"]), F(127, 64))
        self.assertEqual(F(table["int8-mx"]["min_subnormal"]), F(1, 64))  # the grid's step
        self.assertEqual(table["int8-mx"]["min_normal"], "")
        self.assertEqual(F(table["e8m0"]["max_finite"]), F(2) ** 127)
        self.assertEqual(F(table["e8m0"]["min_normal"]), F(1, 2**127))
        self.assertEqual(table["e8m0"]["min_subnormal"], "")
        text = run("formats").stdout
        for name in ("fp6-e2m3", "fp6-e3m2", "fp4-e2m1", "int8-mx", "e8m0", "nvfp4"):
            self.assertIn(name, text)


class MxGridCodes(unittest.TestCase):
    """Every code of int8-mx and e8m0 read back exactly, against rationals
    built here from the OCP MX v1.0 definitions (not from Mantissa)."""

    def test_int8_mx_every_code(self):
        from fractions import Fraction as F

        for code in range(256):
            j = convert_json(f"0x{code:02x}", "--from", "int8-mx", "--to", "int8-mx")
            signed = code - 256 if code >= 128 else code
            self.assertEqual(F(j["input"]), F(signed, 64), hex(code))
            if code == 0x80:  # -128/64 is readable but never produced: the MX clamp gives -127/64
                self.assertEqual(j["bits"], "0x81")
                self.assertTrue(j["rounding"]["saturated"])
            else:
                self.assertEqual(int(j["bits"], 16), code)
                self.assertEqual(F(j["value"]), F(signed, 64))

    def test_e8m0_every_code(self):
        from fractions import Fraction as F

        for code in range(256):
            j = convert_json(f"0x{code:02x}", "--from", "e8m0", "--to", "e8m0")
            if code == 0xFF:
                self.assertEqual(j["class"], "nan")
                continue
            self.assertEqual(int(j["bits"], 16), code)
            self.assertEqual(F(j["value"]), F(2) ** (code - 127), hex(code))


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=1)
