#!/usr/bin/python3
"""`mantissa simulate` and `mantissa accumulate` through the real binary.

Run as `python3 tests/cli/test_simulate.py <path to mantissa>`.
"""
import json
import subprocess
import sys
import unittest

MANTISSA = None


def run(*args, stdin=None):
    return subprocess.run([MANTISSA, *args], capture_output=True, text=True, input=stdin, timeout=120)


def simulate_json(*args):
    r = run("simulate", *args, "--json")
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


class Simulate(unittest.TestCase):
    def test_tutorial_small_increment_fp16_stays_fp32_master_moves(self):
        j = simulate_json("--w0", "1.125", "--inc", "0.00041999", "--steps", "101", "--strategies", "fp16,fp32-master")
        self.assertEqual(j["steps"], 101)
        self.assertEqual(j["increment"]["stored_bits"], "0x0ee2")
        self.assertEqual(j["strategies"]["fp16"]["final"], "1.125")
        self.assertEqual(j["strategies"]["fp16"]["final_bits"], "0x3c80")
        self.assertEqual(j["strategies"]["fp16"]["lost_updates"], 101)
        self.assertEqual(j["strategies"]["fp32-master"]["final"], "1.167429447174072265625")
        self.assertEqual(j["reference"]["final"], "1.167429447174072265625")

    def test_tutorial_large_increment(self):
        j = simulate_json("--w0", "1.125", "--inc", "0.12457275190625", "--steps", "101",
                          "--strategies", "fp16,fp32-master", "--trajectory")
        self.assertEqual(j["strategies"]["fp16"]["final"], "13.75")
        self.assertEqual(j["strategies"]["fp32-master"]["final"], "13.70684814453125")
        self.assertEqual(j["strategies"]["fp16"]["max_abs_error"], "0.04315185546875")
        self.assertEqual(len(j["strategies"]["fp16"]["trajectory"]), 101)
        self.assertEqual(j["strategies"]["fp16"]["trajectory"][-1], 13.75)

    def test_text_output_is_readable(self):
        r = run("simulate", "--w0", "1.125", "--inc", "0.00041999", "--steps", "101", "--strategies", "fp16,fp32-master")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("1.167429447174072265625", r.stdout)
        self.assertIn("fp64 (reference)", r.stdout)
        self.assertEqual(r.stderr, "")

    def test_csv_has_a_row_per_step(self):
        r = run("simulate", "--w0", "1.125", "--inc", "0.12457275190625", "--steps", "101",
                "--strategies", "fp16,fp32-master", "--csv")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.strip().splitlines()
        self.assertEqual(lines[0], "step,fp64,fp16,fp32-master")
        self.assertEqual(len(lines), 102)
        self.assertTrue(lines[-1].startswith("101,"))

    def test_loss_scaling_rescues_underflowing_gradients(self):
        j = simulate_json("--w0", "0.001", "--inc", "1e-8", "--steps", "100", "--strategies", "fp32-master",
                          "--loss-scale", "dynamic")
        self.assertEqual(j["strategies"]["fp32-master"]["underflowed"], 100)
        ls = j["strategies"]["fp32-master+ls-dynamic"]
        self.assertEqual(ls["underflowed"], 0)
        self.assertNotEqual(ls["final"], j["strategies"]["fp32-master"]["final"])

    def test_gaussian_population_is_deterministic(self):
        args = ("--grad", "normal:0:1", "--lr", "0.001", "--seed", "3", "--steps", "20", "--population", "1000",
                "--init", "normal:0:1", "--strategies", "fp16,bf16-sr,fp32-master")
        a, b = simulate_json(*args), simulate_json(*args)
        self.assertEqual(a, b)
        self.assertEqual(a["population"], 1000)
        self.assertEqual(len(a["strategies"]["fp16"]["rel_error_histogram"]["counts"]), 80)

    def test_bad_input_is_one_line_exit_2_nothing_on_stdout(self):
        bad = [
            ("--steps", "0", "--inc", "1"),
            ("--steps", "10", "--inc", "nan"),
            ("--steps", "10", "--inc", "inf"),
            ("--steps", "-5", "--inc", "1"),
            ("--steps", "10", "--inc", "1", "--strategies", "fp16,fp99"),
            ("--steps", "10", "--inc", "1", "--loss-scale", "static:1000"),
            ("--steps", "10", "--inc", "1", "--population", "99999999999"),
            ("--steps", "1", "--inc", "1", "--population", "10000000", "--strategies",
             "fp16,bf16,fp8-e4m3,fp16-sr,fp16-kahan,bf16-kahan,fp64,e6m9,e5m3,e4m5,tf32,fp8-e5m2"),
            ("--steps", "10"),
            ("--steps", "10", "--inc", "1", "--grad", "normal:0:1"),
            ("--steps", "10", "--grad", "normal:0:-1"),
            ("--steps", "10", "--inc", "1", "--bogus"),
        ]
        for args in bad:
            with self.subTest(args=args):
                r = run("simulate", *args)
                self.assertEqual(r.returncode, 2, r.stdout)
                self.assertEqual(r.stdout, "")
                lines = r.stderr.splitlines()
                self.assertEqual(len(lines), 1, r.stderr)
                self.assertTrue(lines[0].startswith("mantissa: "), lines[0])

    def test_memory_refusal_names_the_largest_population(self):
        r = run("simulate", "--steps", "1", "--inc", "1", "--population", "10000000", "--strategies",
                "fp16,bf16,fp8-e4m3,fp16-sr,fp16-kahan,bf16-kahan,fp64,e6m9,e5m3,e4m5,tf32,fp8-e5m2")
        self.assertIn("memory budget", r.stderr)
        self.assertIn("largest allowed population", r.stderr)


class Accumulate(unittest.TestCase):
    def test_fp16_weight_loses_every_tutorial_update(self):
        r = run("accumulate", "--format", "fp16", "--w0", "1.125", "--json", stdin="0.00041999\n" * 101)
        self.assertEqual(r.returncode, 0, r.stderr)
        j = json.loads(r.stdout)
        self.assertEqual(j["final"], "1.125")
        self.assertEqual(j["final_bits"], "0x3c80")
        self.assertEqual(j["lost_updates"], 101)
        self.assertEqual(j["last_change_step"], 0)

    def test_fp32_weight_with_fp16_increments_matches_the_tutorial(self):
        r = run("accumulate", "--format", "fp32", "--inc-format", "fp16", "--w0", "1.125", "--json",
                stdin="0.12457275190625\n" * 101)
        j = json.loads(r.stdout)
        self.assertEqual(j["final"], "13.70684814453125")
        self.assertEqual(j["last_change_step"], 101)

    def test_kahan_and_sr_run(self):
        for strategy in ("kahan", "sr"):
            r = run("accumulate", "--format", "fp16", "--strategy", strategy, "--seed", "1", "--w0", "1.125",
                    "--json", stdin="0.00041999\n" * 101)
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotEqual(json.loads(r.stdout)["final"], "1.125")

    def test_bad_line_is_one_line_exit_2(self):
        for args, stdin in ((("--format", "fp16"), "1\nabc\n"), (("--format", "fp16"), "inf\n"),
                            (("--format", "fp99"), "1\n"), ((), "1\n"), (("--format", "fp16", "--strategy", "x"), "")):
            with self.subTest(args=args):
                r = run("accumulate", *args, stdin=stdin)
                self.assertEqual(r.returncode, 2)
                self.assertEqual(r.stdout, "")
                self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
                self.assertTrue(r.stderr.startswith("mantissa: "))


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=1)
