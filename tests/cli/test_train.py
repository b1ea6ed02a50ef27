#!/usr/bin/python3
"""`mantissa train` through the real binary.

Checks: the data file scripts/setup extracted has the pinned SHA-256 and
the digits' known shape (Python's own gzip/csv readers, independent of the
C++ parser); the --json report's shape and its agreement with --csv and the
text summary; determinism; the seed matters; bad options exit 2 with one
line on stderr and nothing on stdout.

Run by ctest as `python3 test_train.py <path to mantissa>`.
"""
import csv
import gzip
import hashlib
import io
import json
import math
import os
import subprocess
import sys

MANTISSA = sys.argv[1] if len(sys.argv) > 1 else "build/native/mantissa"
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run(*args):
    return subprocess.run([MANTISSA, "train", *args], capture_output=True, text=True, timeout=300)


def ok_json(*args):
    r = run(*args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def fails(args, message):
    r = run(*args)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert r.stdout == "", r.stdout
    lines = r.stderr.strip().split("\n")
    assert len(lines) == 1 and lines[0].startswith("mantissa: "), r.stderr
    assert message in lines[0], (message, lines[0])


def data_file():
    gz = os.path.join(ROOT, "build", "_deps", "digits", "digits.csv.gz")
    if not os.path.exists(gz):
        print("skip: no build/_deps/digits (run scripts/setup)")
        return
    raw = open(gz, "rb").read()
    assert hashlib.sha256(raw).hexdigest() == "46abec6b12486ad9e51943373abcf22bbea1b5a51a1619b361570d8893f1464a"
    rows = list(csv.reader(io.StringIO(gzip.decompress(raw).decode())))
    assert len(rows) == 1797 and all(len(r) == 65 for r in rows)
    counts = [0] * 10
    for r in rows:
        counts[int(r[64])] += 1
        assert all(0 <= int(v) <= 16 for v in r[:64])
    assert counts == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180], counts


def report_shape():
    recipes = "fp32,fp16,fp16-amp,fp16-master-noscale,bf16,bf16-kahan,bf16-sr,fp8,fp8-noscale"
    args = ["--recipes", recipes, "--epochs", "2", "--batch", "32", "--train-subset", "160", "--seed", "3"]
    d = ok_json(*args)
    assert d["data"] == "digits" and d["model"] == "64-32-10" and d["loss_weight"] == 1
    assert d["train_size"] == 160 and d["test_size"] == 360
    assert d["steps_per_epoch"] == 5 and d["steps"] == 10 and d["steps_done"] == 10
    assert [r["name"] for r in d["recipes"]] == recipes.split(",")
    for r in d["recipes"]:
        s = r["steps"]
        assert len(s["loss"]) == len(s["accuracy"]) == len(s["log2_scale"]) == len(s["skipped"]) == 10
        assert len(s["lost"]) == 2 and all(len(l) == 10 for l in s["lost"])
        assert len(s["underflow"]) == 2 and all(len(l) == 10 for l in s["underflow"])
        assert all(0 <= x <= 1 for l in s["lost"] + s["underflow"] for x in l)
        assert len(r["epochs"]["test_accuracy"]) == 2
        # Accuracy is a count over 360 test samples.
        for a in r["epochs"]["test_accuracy"]:
            assert abs(a * 360 - round(a * 360)) < 1e-9
        assert len(r["weight_histogram"]) == 2
        h = r["weight_histogram"][0]
        assert sum(h["counts"]) + h["zero"] + h["nonfinite"] == 64 * 32
        assert r["final_loss"] == s["loss"][-1]
    amp = d["recipes"][2]
    assert amp["loss_scale"] == "dynamic" and amp["steps"]["log2_scale"][0] == 16
    assert d["recipes"][0]["steps"]["log2_scale"] == [0] * 10
    assert d["recipes"][7]["fp8_scaling"] and not d["recipes"][8]["fp8_scaling"]
    # Deterministic, and the seed matters.
    assert ok_json(*args) == d
    other = ok_json(*args[:-1], "4")
    assert other["recipes"][0]["steps"]["loss"] != d["recipes"][0]["steps"]["loss"]
    # --csv carries the same per-step figures (17 significant digits).
    r = run(*args, "--csv")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 10 * 9
    for row in rows:
        rec = next(x for x in d["recipes"] if x["name"] == row["recipe"])
        i = int(row["step"]) - 1
        want = rec["steps"]["loss"][i]
        got = float(row["loss"])
        assert (math.isnan(got) and want is None) or got == want, (row, want)
        assert float(row["lost_1"]) == rec["steps"]["lost"][1][i]
    # The text summary names every recipe.
    r = run(*args)
    assert r.returncode == 0 and all(name in r.stdout for name in recipes.split(","))


def synthetic():
    d = ok_json("--data", "spiral", "--epochs", "3", "--recipes", "fp32,bf16")
    assert d["model"] == "2-16-16-2" and d["train_size"] == 400 and d["test_size"] == 200
    d = ok_json("--data", "xor", "--model", "2-8-2", "--epochs", "1", "--recipes",
                "custom:w=bf16/a=bf16/g=fp16/acc=tc:a100/master=on/ls=dynamic")
    assert d["recipes"][0]["accumulator"].startswith("tc:a100")


def bad_options():
    fails(["--optimizer", "sgd:lr=0"], "lr must be > 0")
    fails(["--optimizer", "adam:lr=-0.1"], "lr must be > 0")
    fails(["--optimizer", "rmsprop:lr=1"], "--optimizer takes")
    fails(["--recipes", "fp32,fp9"], "unknown recipe 'fp9'")
    fails(["--recipes", "fp32,fp32"], "listed twice")
    fails(["--recipes", "custom:w=fp16/x=1"], "unknown field")
    fails(["--model", "64-4096-4096-4096-4096-4096-4096-10", "--recipes", "fp32,fp16,bf16,fp8"], "MiB")
    fails(["--model", "2-16-2"], "start with the data's 64 features")
    fails(["--model", "64-0-10"], "every width must be 1 to 4096")
    fails(["--epochs", "99999999"], "--epochs must be 1 to 10000")
    fails(["--batch", "0"], "--batch must be 1")
    fails(["--data", "imagenet"], "unknown data set")
    fails(["--dot-kernel", "gpu"], "--dot-kernel takes")
    fails(["--loss-weight", "0"], "--loss-weight takes a number from 1e-12 to 1")
    fails(["--loss-weight", "2"], "--loss-weight takes a number from 1e-12 to 1")
    fails(["--loss-weight", "1e-3x"], "--loss-weight takes a number from 1e-12 to 1")
    fails(["extra"], "no positional arguments")
    fails(["--bogus", "1"], "unknown option")


data_file()
report_shape()
synthetic()
bad_options()
print("ok")
