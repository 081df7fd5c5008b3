#!/usr/bin/python3
"""run.py — runs every end-to-end test module in tests/e2e/ (test_*.py)
against the daemon named by $HALLQD and prints `N passed, N failed`.

    HALLQD=/abs/build/hallqd /usr/bin/python3 tests/e2e/run.py [-v] [NAME...]

Without NAME, each module runs in a process of its own, E2E_JOBS (3) at a
time: the tests mostly wait on daemons, brokers and clocks, and each picks
its own ports and temp dirs.  E2E_JOBS=1 runs everything in one process.

NAME picks modules, classes or tests by substring of their id
(e.g. `test_ws` or `Commands.test_hold`).  Each test is bounded by an alarm
(E2E_TEST_TIMEOUT seconds, default 150); a stuck test fails, the run goes on.
E2E_KEEP=1 keeps each test's temp dir (config, database, the daemon's stderr).
"""
import faulthandler
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

TEST_TIMEOUT = int(os.environ.get("E2E_TEST_TIMEOUT", "150"))


class TestTimeout(Exception):
    pass


def _alarm(signum, frame):
    raise TestTimeout("test took longer than %d s" % TEST_TIMEOUT)


class Result(unittest.TextTestResult):
    def startTest(self, test):
        self._t0 = time.monotonic()
        signal.alarm(TEST_TIMEOUT)
        super().startTest(test)

    def stopTest(self, test):
        signal.alarm(0)
        super().stopTest(test)
        if self.showAll:
            self.stream.writeln("    (%.1f s)" % (time.monotonic() - self._t0))
            self.stream.flush()


def flatten(suite):
    for t in suite:
        if isinstance(t, unittest.TestSuite):
            yield from flatten(t)
        else:
            yield t


# The modules known to take longest go first, so the parallel run ends
# together (the rest follow in name order).
SLOW_FIRST = ["test_uplink", "test_uplink_bridge", "test_notify", "test_reports",
              "test_cases", "test_appointments", "test_hours", "test_crash",
              "test_hammer", "test_load", "test_devices", "test_holes_web",
              "test_ws", "test_staffing_checked"]

PASS_FAIL = re.compile(r"^(\d+) passed, (\d+) failed$", re.M)


def parallel(jobs, verbose):
    """Each module in a process of its own, `jobs` at a time (the tests
    mostly wait on daemons, brokers and clocks); each module's output is
    printed whole when it ends, then the sum."""
    mods = sorted(f[:-3] for f in os.listdir(HERE)
                  if f.startswith("test_") and f.endswith(".py"))
    order = [m for m in SLOW_FIRST if m in mods] + \
        [m for m in mods if m not in SLOW_FIRST]
    print("e2e: %d modules, %d at a time, daemon %s" %
          (len(order), jobs, os.environ["HALLQD"]), flush=True)
    t0 = time.monotonic()
    running, npassed, nfailed, bad = [], 0, 0, []
    queue = list(order)
    while queue or running:
        while queue and len(running) < jobs:
            m = queue.pop(0)
            out = tempfile.TemporaryFile(mode="w+")
            args = [sys.executable, os.path.abspath(__file__), "--module", m]
            if verbose:
                args.append("-v")
            running.append((m, out, subprocess.Popen(
                args, stdout=out, stderr=subprocess.STDOUT), time.monotonic()))
        time.sleep(0.2)
        for r in list(running):
            m, out, proc, started = r
            if proc.poll() is None:
                continue
            running.remove(r)
            out.seek(0)
            text = out.read()
            out.close()
            got = PASS_FAIL.findall(text)
            if got:
                npassed += int(got[-1][0])
                nfailed += int(got[-1][1])
            if proc.returncode != 0 or not got:
                bad.append(m)
                if not got:
                    nfailed += 1
            print("--- %s (%.0f s)" % (m, time.monotonic() - started))
            print(text.rstrip(), flush=True)
    print("e2e took %.1f s" % (time.monotonic() - t0))
    if bad:
        print("modules with failures: %s" % " ".join(bad))
    print("%d passed, %d failed" % (npassed, nfailed))
    return 1 if nfailed or bad else 0


def main(argv):
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    module = None
    if "--module" in argv:
        module = argv[argv.index("--module") + 1]
        names = [n for n in names if n != module]
    jobs = int(os.environ.get("E2E_JOBS", "3"))
    if not os.environ.get("HALLQD"):
        os.environ["HALLQD"] = os.path.join(os.path.dirname(os.path.dirname(HERE)),
                                            "build", "hallqd")
    if module is None and not names and jobs > 1:
        return parallel(jobs, verbose)
    faulthandler.enable()
    # A last resort if something blocks signals: dump stacks and die.
    faulthandler.dump_traceback_later(900, exit=True)
    signal.signal(signal.SIGALRM, _alarm)

    loader = unittest.TestLoader()
    if module is not None:
        suite = loader.loadTestsFromName(module)
    else:
        suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    if names:
        picked = [t for t in flatten(suite) if any(n in t.id() for n in names)]
        suite = unittest.TestSuite(picked)
    ntests = suite.countTestCases()
    real_ids = {t.id() for t in flatten(suite)}
    print("e2e: %d tests, daemon %s" % (ntests, os.environ["HALLQD"]), flush=True)

    t0 = time.monotonic()
    runner = unittest.TextTestRunner(stream=sys.stdout, verbosity=2 if verbose else 1,
                                     resultclass=Result)
    res = runner.run(suite)
    failed_ids = set()
    for t, _ in res.failures + res.errors:
        failed_ids.add(t.id())
    for t in res.unexpectedSuccesses:
        failed_ids.add(t.id())
    # Class/module set-up or tear-down errors are not test cases of their
    # own; their tests count as failed (set-up) or one extra failure (tear-down).
    extra = [i for i in failed_ids if i not in real_ids]
    failed_real = [i for i in failed_ids if i in real_ids]
    nfailed = len(failed_real)
    for i in extra:
        if "setUpClass" in i or "setUpModule" in i:
            # every test of that class did not run
            owner = i.split("(")[-1].rstrip(")")
            nfailed += sum(1 for t in real_ids if t.startswith(owner + ".") and
                           t not in failed_ids)
        else:
            nfailed += 1
    npassed = res.testsRun - len(failed_real) - len(res.skipped)
    npassed = max(npassed, 0)
    # skipped tests did not show anything works: count them as failed
    nfailed += len(res.skipped)
    print("e2e took %.1f s" % (time.monotonic() - t0))
    if res.skipped:
        for t, why in res.skipped:
            print("skipped (counted as failed): %s: %s" % (t.id(), why))
    print("%d passed, %d failed" % (npassed, nfailed))
    return 1 if nfailed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
