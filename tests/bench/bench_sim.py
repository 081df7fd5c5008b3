#!/usr/bin/python3
"""bench_sim.py — hallq-sim's figures for `make bench`: simulated tickets per
second, the theory vectors with many replications, and each dispatch
policy's table on the demo hall.  Prints; asserts nothing."""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIM = os.environ.get("HALLQ_SIM", os.path.join(ROOT, "build", "hallq-sim"))
CONFIG = os.path.join(ROOT, "etc", "hallq.json")
WORKLOAD = os.path.join(ROOT, "..", "shared", "data", "hall-workload.json")
REPS = int(os.environ.get("BENCH_SIM_REPS", "100"))
SEED = "20261201"


def run(*args):
    t0 = time.monotonic()
    p = subprocess.run([SIM, *args, "--json"], capture_output=True, text=True,
                       check=True, timeout=3600)
    return json.loads(p.stdout), time.monotonic() - t0


def speed():
    print("hallq-sim: speed (one process, wall time, startup included)")
    for label, extra in (("recommended staffing", ["--staff"]),
                         ("the 28 windows by their hours", [])):
        days = 50
        d, wall = run("-f", CONFIG, "-w", WORKLOAD, "--days", str(days),
                      "--seed", SEED, *extra)
        n = d["all"]["tickets"]["mean"]
        print("  demo hall, %-30s %d days, %d tickets: %.3f s, %.0f tickets/s, "
              "%.1f ms a day" % (label, days, n, wall, n / wall, 1000 * wall / days))
    d, wall = run("--mmc", "3.3333333333,3,14", "--reps", "10", "--arrivals",
                  "200000", "--seed", SEED)
    n = 10 * 200000 * 1.2
    print("  M/M/14 (V3), 10 x 220,000 arrivals: %.3f s, %.0f tickets/s" %
          (wall, n / wall))


VECTORS = [
    ("V1", "0.5,8,5", 0.554113, 4.432900, None, None),
    ("V2", "1.0,10,12", 0.449388, 2.246941, None, None),
    ("V3", "3.3333333333,3,14", 0.174132, 0.130599, None, 0.888350),
    ("V4", "5,0.125,1", 0.625, 0.208333, None, None),
    ("P1", "0.8,1,1,0.25", 0.8, 4.0, (1.0, 5.0), None),
    ("P2", "0.4,8,4,0.125", None, None, (1.325405, 6.627027), None),
]


def ci(x, ci95):
    return "%.6f ± %.6f" % (x, (ci95[1] - ci95[0]) / 2)


def theory():
    # One seed per vector: with one seed for all, every vector would draw
    # the same uniforms (common random numbers) and their errors would move
    # together, one unlucky seed pushing all of them the same way.
    print("\nhallq-sim --mmc against REFERENCE.md: %d replications x 100,000 "
          "arrivals observed (10%% warm-up discarded), seeds %s + 0..%d" % (
              REPS, SEED, len(VECTORS) - 1))
    print("  %-3s %-10s %-28s %-10s %-28s %-10s %s" % (
        "", "quantity", "measured (95%)", "theory", "", "", "in"))
    inside = total = 0
    for k, (name, spec, pw, wq, cls, sl) in enumerate(VECTORS):
        d, wall = run("--mmc", spec, "--reps", str(REPS), "--arrivals", "100000",
                      "--seed", str(int(SEED) + k))
        a = d["all"]
        rows = []
        if pw is not None and cls is None:
            rows.append(("P(wait)", a["p_wait"], a["p_wait_ci95"], pw))
        if wq is not None:
            rows.append(("Wq min", a["wq_min"], a["ci95"], wq))
        if sl is not None:
            rows.append(("P(Wq<=20s)", a["sl_20s"], a["sl_20s_ci95"], sl))
        if cls is not None:
            for k, want in zip(("green", "normal"), cls):
                c = d["classes"][k]
                rows.append(("Wq " + k, c["wq_min"], c["ci95"], want))
        for q, m, c, want in rows:
            total += 1
            inside += c[0] <= want <= c[1]
            print("  %-3s %-10s %-28s %-10.6f %s" % (
                name, q, ci(m, c), want, "yes" if c[0] <= want <= c[1] else "NO"))
        print("  %-3s Little: Lq %.6f, lambda*Wq %.6f, worst replication off by %.2g"
              "  (%.1f s)" % (name, a["lq"], a["lambda_wq"], a["little_max_rel_err"],
                              wall))
    print("  theory inside the 95%% interval: %d of %d" % (inside, total))


def policies():
    p = subprocess.run([SIM, "--list-policies"], capture_output=True, text=True,
                       check=True)
    pols = p.stdout.split()
    reps = max(10, REPS // 5)
    for label, extra in (("recommended staffing (--staff)", ["--staff"]),
                         ("the 28 windows by their hours, no staffing", [])):
        print("\nDemo hall (etc/hallq.json + ../shared/data/hall-workload.json), %s, %d days "
              "each, the same people for every policy:" % (label, reps))
        print("| policy | wait mean | wait p90 | wait max | called within 10 min "
              "| within target (30 min) | worst pass-over | green wait | "
              "appointment wait | normal wait | never called |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for pol in pols:
            d, wall = run("-f", CONFIG, "-w", WORKLOAD, "--reps", str(reps),
                          "--seed", SEED, "--policy", pol, *extra)
            a, c = d["all"], d["classes"]

            def f(x, fmt="%.0f s"):
                return fmt % x["mean"]
            print("| %s | %s | %s | %s | %s | %s | %.0f s | %s | %s | %s | %s |" % (
                pol, f(a["wait_mean_s"]), f(a["wait_p90_s"]), f(a["wait_max_s"]),
                "%.1f%%" % (100 * a["within_10min"]["mean"]),
                "%.1f%%" % (100 * a["within_target"]["mean"]),
                a["passover_max_s"]["max"],
                f(c["green"]["wait_mean_s"]), f(c["appointment"]["wait_mean_s"]),
                f(c["normal"]["wait_mean_s"]), "%.1f" % a["unserved"]["mean"]))


def main():
    if not os.access(SIM, os.X_OK):
        print("bench_sim: no %s (make all)" % SIM, file=sys.stderr)
        return 1
    speed()
    theory()
    policies()
    return 0


if __name__ == "__main__":
    sys.exit(main())
