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
