#!/usr/bin/python3
"""The `mantissa` tool's global behaviour: --version, --help, bad usage.

Run by ctest as `python3 test_basics.py <path to mantissa>`.
"""
import re
import subprocess
import sys
import unittest

MANTISSA = None


def run(*args):
    return subprocess.run([MANTISSA, *args], capture_output=True, text=True, timeout=60)


class Basics(unittest.TestCase):
    def test_version_prints_name_and_semver(self):
        r = run("--version")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertRegex(r.stdout.strip(), r"^mantissa \d+\.\d+\.\d+$")
        self.assertEqual(r.stderr, "")

    def test_help_shows_usage(self):
        r = run("--help")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("Usage: mantissa", r.stdout)
        self.assertEqual(r.stderr, "")

    def test_unknown_command_is_bad_usage_with_one_line(self):
        r = run("no-such-command")
        self.assertEqual(r.returncode, 2)
        self.assertEqual(r.stdout, "")
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(lines[0].startswith("mantissa: "), lines[0])
        self.assertIn("no-such-command", lines[0])

    def test_unknown_flag_is_bad_usage_with_one_line(self):
        r = run("--no-such-flag")
        self.assertEqual(r.returncode, 2)
        lines = r.stderr.splitlines()
        self.assertEqual(len(lines), 1, r.stderr)
        self.assertTrue(re.match(r"^mantissa: ", lines[0]), lines[0])


if __name__ == "__main__":
    MANTISSA = sys.argv.pop(1)
    unittest.main(verbosity=2)
