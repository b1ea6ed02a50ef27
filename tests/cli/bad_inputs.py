#!/usr/bin/python3
"""Every entry of tests/bad_inputs/catalogue.json through the real binary.

Errors: exit 2, nothing on stdout, one stderr line starting "mantissa: " that
contains the entry's message. Accepted inputs: exit 0 and the expected bits.
Each run must finish within the entry's time limit plus process start-up.

Run by ctest as `python3 bad_inputs.py <path to mantissa>`.
"""
import json
import os
import subprocess
import sys
import time
import unittest

MANTISSA = None
CATALOGUE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bad_inputs", "catalogue.json")
STARTUP_MS = 400  # process start-up and Python overhead, generous under sanitizers


def command_for(entry):
    field = entry["field"]
    if field == "cli":
        return entry["cli"]
    if field == "value":
        args = ["convert", entry["input"], "--to", entry.get("to", "fp16")]
        if "from" in entry:
            args += ["--from", entry["from"]]
        return args
    if field == "format":
        return ["convert", "1.5", "--to", entry["input"]]
    if field == "mode":
        return ["convert", "1.5", "--to", "fp16", "--round", entry["input"]]
    raise ValueError(field)


class Catalogue(unittest.TestCase):
    def test_every_entry(self):
        with open(CATALOGUE, encoding="utf-8") as f:
            entries = json.load(f)["entries"]
        self.assertGreaterEqual(len(entries), 20)
        for entry in entries:
            with self.subTest(entry["name"]):
                args = command_for(entry) + (["--json"] if entry["expect"] == "ok" else [])
                t0 = time.monotonic()
                r = subprocess.run([MANTISSA, *args], capture_output=True, text=True, timeout=60)
                ms = (time.monotonic() - t0) * 1000
                if entry["expect"] == "error":
                    self.assertEqual(r.returncode, 2, r.stderr)
                    self.assertEqual(r.stdout, "")
                    lines = r.stderr.rstrip("\n").split("\n")
                    self.assertEqual(len(lines), 1, r.stderr)
                    self.assertTrue(lines[0].startswith("mantissa: "), r.stderr)
                    self.assertIn(entry["message"], lines[0])
                else:
                    self.assertEqual(r.returncode, 0, r.stderr)
                    self.assertEqual(json.loads(r.stdout)["bits"], entry["bits"])
                limit = entry.get("max_ms", 100) + STARTUP_MS
                if "ASAN_OPTIONS" not in os.environ and "asan" not in MANTISSA:
                    self.assertLess(ms, limit, f"{entry['name']} took {ms:.0f} ms")


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=1)
