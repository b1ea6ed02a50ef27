#!/usr/bin/python3
"""`mantissa explain` through the real binary: the tutorial's walkthroughs,
the JSON keys, and bad input.

Run by ctest as `python3 test_explain.py <path to mantissa>`; plain asserts,
a non-zero exit on the first failure.
"""
import json
import subprocess
import sys

MANTISSA = sys.argv[1] if len(sys.argv) > 1 else "build/native/mantissa"


def run(*args):
    return subprocess.run([MANTISSA, "explain", *args], capture_output=True, text=True, timeout=60)


def explain_json(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    assert r.stderr == "", r.stderr
    return json.loads(r.stdout)


def convert_json(*args):
    r = subprocess.run([MANTISSA, "convert", *args, "--json"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def steps(j, kind):
    return [s for s in j["steps"] if s["kind"] == kind]


def test_fp16_plus_fp16_is_1_25():
    j = explain_json("add", "1.125", "0.12457275190625", "--format", "fp16")
    assert j["op"] == "add" and j["format"] == "fp16"
    assert [o["bits"] for o in j["operands"]] == ["0x3c80", "0x2ff9"]
    (align,) = steps(j, "align")
    assert align["shift"] == 4 and align["operand"] == 1
    assert align["after"]["bits"] == "00001111111"
    assert j["result"]["binary"] == "0 01111 0100000000"
    assert j["result"]["value"] == "1.25"
    assert j["result"]["input"] == "1.24957275390625"  # the exact sum
    assert j["update_lost"] is False


def test_fp32_plus_fp16_widens_and_is_exact():
    j = explain_json("add", "1.125", "0.12457275190625", "--format", "fp32", "--b-format", "fp16")
    (conv,) = steps(j, "convert")
    assert conv["rebias"] == 112 and conv["pad_bits"] == 13 and conv["exact"] is True
    assert conv["binary"] == "0 01111011 11111110010000000000000"
    assert j["result"]["value"] == "1.24957275390625"
    assert j["result"]["rounding"]["inexact"] is False


def test_fp16_update_is_lost():
    j = explain_json("add", "1.125", "0.00041999", "--format", "fp16")
    assert j["result"]["value"] == "1.125"
    assert j["update_lost"] is True
    lost = [s for s in steps(j, "special") if s["special"] == "update_lost"]
    assert len(lost) == 1
    assert lost[0]["half_ulp"] == "0.00048828125"
    assert lost[0]["rule_ratio"] == "2048"
    assert lost[0]["ratio"] > 2048


def test_fp32_weight_keeps_the_update():
    j = explain_json("add", "1.125", "0.00041999", "--format", "fp32", "--b-format", "fp16")
    assert j["result"]["value"] == "1.125420093536376953125"
    assert j["update_lost"] is False


def test_bit_patterns_need_their_operand_format():
    j = explain_json("add", "0x3c80", "0x2ff9", "--format", "fp32", "--a-format", "fp16", "--b-format", "fp16")
    assert j["result"]["value"] == "1.24957275390625"
    assert [o["format"] for o in j["operands"]] == ["fp16", "fp16"]


def test_json_keys():
    j = explain_json("fma", "1.5", "2", "-3", "--format", "bf16", "--round", "stochastic", "--seed", "5")
    assert set(j) >= {"op", "format", "operands", "steps", "result", "update_lost"}
    assert len(j["operands"]) == 3
    for o in j["operands"]:
        assert set(o) >= {"format", "bits", "binary", "value", "input", "rounding"}
    assert set(j["result"]) >= {"format", "bits", "binary", "sign", "exponent", "mantissa", "class", "value",
                                "input", "rounding", "next_up", "next_down"}
    kinds = {s["kind"] for s in j["steps"]}
    assert kinds >= {"decode", "mul", "result"}
    assert all(s["kind"] in {"decode", "convert", "align", "add", "sub", "mul", "normalize", "round", "result",
                             "special"} for s in j["steps"])
    (rnd,) = steps(j, "round")
    assert rnd["mode"] == "stochastic" and rnd["seed"] == 5 and rnd["counter"] == 0
    assert j["result"]["value"] == "0"


def test_specials():
    j = explain_json("sub", "inf", "inf", "--format", "fp16")
    assert j["invalid"] is True and j["result"]["class"] == "nan"
    j = explain_json("add", "1.5", "-1.5", "--format", "fp16", "--round", "down")
    assert j["result"]["value"] == "-0"
    j = explain_json("mul", "448", "2", "--format", "fp8-e4m3", "--saturate")
    assert j["result"]["value"] == "448"


def test_text_reads_like_the_walkthrough():
    r = run("add", "1.125", "0.00041999", "--format", "fp16")
    assert r.returncode == 0 and r.stderr == ""
    for phrase in ("decode a", "align", "shifts right 12 places", "round", "update lost", "2048", "result: 1.125"):
        assert phrase in r.stdout, phrase


# Independent oracles for the MX grids, from the OCP MX v1.0 definitions:
# int8-mx is k/64 for |k| <= 127 (round to nearest even multiple of 1/64,
# clamp beyond +-127/64); e8m0 is 2^e for -127 <= e <= 127 (nearest power of
# two; the tie 1.5 x 2^k goes up; below 2^-127 gives 2^-127; <= 0 is NaN).
def int8_mx_oracle(x):
    from fractions import Fraction as F

    k = x * 64
    n = k.numerator // k.denominator
    rest = k - n
    if rest > F(1, 2) or (rest == F(1, 2) and n % 2 == 1):
        n += 1
    return F(max(-127, min(127, n)), 64)


def e8m0_oracle(x):
    from fractions import Fraction as F

    if x <= 0:
        return None  # NaN
    e = x.numerator.bit_length() - x.denominator.bit_length()
    if F(2) ** e > x:
        e -= 1
    if x >= F(3, 2) * F(2) ** e:
        e += 1
    if e < -127:
        return F(2) ** -127
    if e > 127:
        return None
    return F(2) ** e


MX_PAIRS = [
    ("1.5", "0.515625"), ("1", "1"), ("-1", "-1.5"), ("1.984375", "0.0078125"), ("0.0078125", "0"),
    ("0.0234375", "0"), ("0.0390625", "0"), ("-0.0078125", "0"), ("-0.0234375", "0"), ("1.9921875", "0"),
    ("-1.9921875", "0"), ("100", "-99"), ("0.3", "0.1"), ("-0.7", "0.2"), ("3", "0"), ("0.75", "0"),
    ("0.375", "0.375"), ("6", "0"), ("1e-40", "0"), ("2e38", "2e38"), ("-3", "4"),
]


def test_int8_mx_and_e8m0_results_match_convert_and_oracle():
    from fractions import Fraction as F

    for fmt, oracle in (("int8-mx", int8_mx_oracle), ("e8m0", e8m0_oracle)):
        for a, b in MX_PAIRS:
            # The operands stay exact in fp64 (or round to fp64 first; the exact
            # sum of the stored fp64 values is what gets rounded to the grid).
            j = explain_json("add", a, b, "--format", fmt, "--a-format", "fp64", "--b-format", "fp64")
            # Each operand is first brought into the arithmetic format, then the
            # exact sum of those is rounded once.
            conv = [oracle(F(o["value"])) for o in j["operands"]]
            if None in conv:
                assert j["result"]["class"] == "nan", (fmt, a, b)
                continue
            x = sum(conv)
            assert F(j["result"]["input"]) == x, (fmt, a, b, j["result"]["input"], x)
            c = convert_json(j["result"]["input"], "--to", fmt)
            assert j["result"]["bits"] == c["bits"], (fmt, a, b, j["result"], c)
            want = oracle(x)
            if want is None:
                assert j["result"]["class"] == "nan", (fmt, a, b)
            else:
                assert F(j["result"]["value"]) == want, (fmt, a, b, j["result"]["value"], want)
            assert [s["kind"] for s in j["steps"]][-1] == "result"
            assert not steps(j, "align") and not steps(j, "normalize")


def test_int8_mx_clamp_and_e8m0_rules_in_text():
    j = explain_json("add", "1.5", "0.515625", "--format", "int8-mx")
    assert j["result"]["bits"] == "0x7f" and j["result"]["rounding"]["saturated"] is True
    assert [s["special"] for s in steps(j, "special")] == ["saturated"]
    t = run("add", "1.5", "0.515625", "--format", "int8-mx").stdout
    assert "multiple of 2^-6" in t and "clamps to ±1.984375" in t and "hidden bit" in t
    t = run("mul", "3", "0.75", "--format", "e8m0").stdout
    assert "(a was typed as 3 and stored as 4 in e8m0)" in t
    assert "no sign bit" in t and "power of two" in t and "tie 1.5 × 2^k goes up" in t
    j = explain_json("sub", "1", "2", "--format", "e8m0")
    assert j["result"]["class"] == "nan" and j["invalid"] is True
    # A typed zero has no e8m0 encoding: refused as `convert` refuses it.
    r = run("add", "0", "1", "--format", "e8m0")
    assert r.returncode == 2 and "no zero, no sign" in r.stderr and r.stdout == ""
    # Below the range is no error: 1e-40 rounds up to 2^-127, the nearest scale.
    j = explain_json("add", "1e-40", "1e-40", "--format", "e8m0")
    assert j["operands"][0]["bits"] == "0x00" and j["result"]["bits"] == "0x01"
    # An fp64 zero converted into e8m0 (no zero) is NaN, and the NaN propagates.
    j = explain_json("add", "0", "1", "--format", "e8m0", "--a-format", "fp64")
    assert steps(j, "convert")[0]["bits"] == "0xff" and j["result"]["class"] == "nan"


def test_bad_input():
    cases = [
        [],
        ["div", "1", "2", "--format", "fp16"],
        ["add", "1", "--format", "fp16"],
        ["add", "1", "2"],
        ["add", "1", "2", "--format", "fp99"],
        ["add", "1", "abc", "--format", "fp16"],
        ["add", "1", "0x12345", "--format", "fp16"],
        ["add", "1", "2", "--format", "fp16", "--round", "sideways"],
        ["add", "1", "2", "--format", "fp16", "--round", "stochastic"],
        ["add", "1", "2", "--format", "fp16", "--bogus"],
        ["add", "1", "2", "--format", "fp16", "--c-format", "fp32"],
    ]
    for args in cases:
        r = run(*args)
        assert r.returncode == 2, (args, r.returncode, r.stdout, r.stderr)
        assert r.stdout == "", (args, r.stdout)
        lines = r.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("mantissa: "), (args, r.stderr)


def main():
    tests = [v for k, v in sorted(globals().items()) if k.startswith("test_") and callable(v)]
    for t in tests:
        t()
        print("ok", t.__name__)
    print(f"{len(tests)} explain tests passed")


if __name__ == "__main__":
    main()
