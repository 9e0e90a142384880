"""Test driver behind tests/run.

Unit tests are the cmocka binaries in $ALBATROSS_BUILD/tests (build/ by
default); integration tests are the unittest modules in tests/integration.
Arguments filter both by substring of the test file name.
"""

import os
import re
import subprocess
import sys
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, os.environ.get("ALBATROSS_BUILD", "build"))


def wanted(name, filters):
    return not filters or any(f in name for f in filters)


def run_unit(filters):
    passed = failed = 0
    unit_dir = os.path.join(BUILD, "tests")
    if not os.path.isdir(unit_dir):
        return 0, 0
    for name in sorted(os.listdir(unit_dir)):
        path = os.path.join(unit_dir, name)
        if not name.startswith("test_") or name.endswith(".d") or not os.access(path, os.X_OK) or not wanted(name, filters):
            continue
        res = subprocess.run([path], cwd=ROOT, capture_output=True, text=True)
        out = res.stdout + res.stderr
        ok = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
        bad = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
        if res.returncode != 0 and bad == 0:
            bad = 1  # crashed or exited early: count the binary as a failure
        passed += ok
        failed += bad
        print("unit %-32s %d passed, %d failed" % (name, ok, bad))
        if bad:
            sys.stdout.write(out)
    return passed, failed


class CountingResult(unittest.TextTestResult):
    pass


def run_integration(filters):
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    for name in sorted(os.listdir(os.path.join(ROOT, "tests", "integration"))):
        if name.startswith("test_") and name.endswith(".py") and wanted(name, filters):
            suite.addTests(loader.loadTestsFromName(name[:-3]))
    if suite.countTestCases() == 0:
        return 0, 0
    result = unittest.TextTestRunner(verbosity=2, stream=sys.stdout,
                                     resultclass=CountingResult).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    return passed, failed


def main():
    filters = sys.argv[1:]
    unit_passed, unit_failed = run_unit(filters)
    int_passed, int_failed = run_integration(filters)
    passed = unit_passed + int_passed
    failed = unit_failed + int_failed
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or passed == 0 else 0


if __name__ == "__main__":
    sys.exit(main())
