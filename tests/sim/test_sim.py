#!/usr/bin/python3
"""test_sim.py — hallq-sim against queueing theory and on the demo hall.

Ciw's way (REFERENCE.md, "Staffing and simulation"): seeded replications
(20), a warm-up discarded, arrivals counted only inside the observation
window; the theory's value must lie inside the measured 95% interval.
Little's law is checked on every run (the time-average queue length, from
the dispatcher's own count, against arrivals per time times their mean
wait).  A few seeded outputs are pinned as regression values.  The exact
timelines are tests/unit/test_sim.c's.  Runs in a few seconds; prints
"N passed, N failed" and exits 1 on a failure.
"""
import json
import os
import subprocess
import tempfile
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SIM = os.environ.get("HALLQ_SIM", os.path.join(ROOT, "build", "hallq-sim"))
CONFIG = os.path.join(ROOT, "etc", "hallq.json")
WORKLOAD = os.environ.get("HALLQ_WORKLOAD",
                          os.path.join(ROOT, "..", "shared", "data",
                                       "hall-workload.json"))
REPS = 20
SEED = 20261201

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAILED: " + what, file=sys.stderr)


def sim(*args, expect=0):
    p = subprocess.run([SIM, *args], capture_output=True, text=True, timeout=120)
    check(p.returncode == expect,
          "hallq-sim %s: exit %d, want %d: %s" % (" ".join(args), p.returncode,
                                                   expect, p.stderr.strip()))
    if expect != 0 or p.returncode != 0:
        return None
    return json.loads(p.stdout)


def within(ci, value, what):
    ok = ci is not None and ci[0] <= value <= ci[1]
    check(ok, "%s: theory %.6f outside the 95%% interval %s" % (what, value, ci))
    return ok


# REFERENCE.md's vectors: (name, --mmc, P(wait), Wq min, per-class Wq, P(Wq <= 20 s))
VECTORS = [
    ("V1", "0.5,8,5", 0.554113, 4.432900, None, None),
    ("V2", "1.0,10,12", 0.449388, 2.246941, None, None),
    ("V3", "3.3333333333,3,14", 0.174132, 0.130599, None, 0.888350),
    ("V4", "5,0.125,1", 0.625, 0.208333, None, None),
    ("P1", "0.8,1,1,0.25", None, None, (1.0, 5.0), None),
    ("P2", "0.4,8,4,0.125", None, None, (1.325405, 6.627027), None),
]

results = {}


def test_theory():
    # One seed per vector, so that their errors are independent (one seed
    # for all would give every vector the same uniforms).
    for k, (name, spec, pw, wq, cls, sl) in enumerate(VECTORS):
        d = sim("--mmc", spec, "--reps", str(REPS), "--seed", str(SEED + k), "--json")
        if d is None:
            continue
        results[name] = d
        a = d["all"]
        # The staffing formulas the binary prints agree with REFERENCE.md.
        if pw is not None:
            check(abs(a["theory"]["p_wait"] - pw) < 2e-6, name + " Erlang C")
            check(abs(a["theory"]["wq_min"] - wq) < 2e-6, name + " Wq formula")
            within(a["p_wait_ci95"], pw, name + " P(wait)")
            within(a["ci95"], wq, name + " Wq")
        if sl is not None:
            check(abs(a["theory"]["sl_20s"] - sl) < 2e-6, name + " P(Wq<=20s) formula")
            within(a["sl_20s_ci95"], sl, name + " P(Wq<=20s)")
        if cls is not None:
            check(set(d["classes"]) == {"green", "normal"}, name + " two classes")
            for k, want in zip(("green", "normal"), cls):
                c = d["classes"][k]
                check(abs(c["theory_wq_min"] - want) < 2e-6, name + " " + k + " formula")
                within(c["ci95"], want, name + " " + k + " Wq")
        else:
            check(set(d["classes"]) == {"normal"}, name + " one class")
        # Little's law on every replication: L = lambda W within 2%
        # (what is left is the observation window's edges).
        check(a["little_max_rel_err"] < 0.02,
              "%s Little: off by %.4f" % (name, a["little_max_rel_err"]))
        check(d["reps"] == REPS and d["arrivals_per_rep"] == 20000, name + " shape")


def test_pinned():
    # Regression values: a seed names one run exactly.
    d = sim("--mmc", "0.5,8,5", "--reps", "2", "--arrivals", "1000", "--seed", "42",
            "--json")
    if d is not None:
        a = d["all"]
        check(abs(a["p_wait"] - PIN["mmc_p_wait"]) < 1e-7,
              "pinned M/M/5 p_wait %.9f" % a["p_wait"])
        check(abs(a["wq_min"] - PIN["mmc_wq_min"]) < 1e-6,
              "pinned M/M/5 wq_min %.9f" % a["wq_min"])
        check(a["tickets"] == PIN["mmc_tickets"], "pinned M/M/5 tickets %s" % a["tickets"])
    d = sim("-f", CONFIG, "-w", WORKLOAD, "--seed", "1", "--json")
    if d is not None:
        a = d["all"]
        check(a["tickets"]["mean"] == PIN["hall_tickets"],
              "pinned hall tickets %s" % a["tickets"]["mean"])
        check(abs(a["wait_mean_s"]["mean"] - PIN["hall_wait_mean_s"]) < 1e-3,
              "pinned hall wait %.4f" % a["wait_mean_s"]["mean"])
        check(a["refused"]["mean"] == PIN["hall_refused"],
              "pinned hall refused %s" % a["refused"]["mean"])


# From `test_sim.py --print-pins`; a change here is a change of the model
# or of the random streams: say so in the commit.
PIN = {
    "mmc_p_wait": 0.59507101,
    "mmc_wq_min": 5.3086925,
    "mmc_tickets": 1038,
    "hall_tickets": 2283,
    "hall_wait_mean_s": 7205.3514,
    "hall_refused": 72,
}


def test_hall():
    # The demo hall with recommended staffing, 5 seeded days: at least 80%
    # of tickets called within 10 minutes, on every day; nobody passed by a
    # ticket that arrived more than the largest head start after it.
    d = sim("-f", CONFIG, "-w", WORKLOAD, "--staff", "--reps", "5", "--seed",
            str(SEED), "--json")
    if d is None:
        return
    a = d["all"]
    check(a["within_10min"]["min"] >= 0.80,
          "demo hall, staffed: within 10 min %.3f on the worst day" %
          a["within_10min"]["min"])
    check(a["passover_max_s"]["max"] <= d["max_head_start_s"],
          "demo hall: passed by one %.0f s later, more than the head start %d s" %
          (a["passover_max_s"]["max"], d["max_head_start_s"]))
    check(d["max_head_start_s"] == 900, "the largest head start is green's 900 s")
    check(d["little_max_rel_err"] < 1e-9, "demo hall: Little's law, exactly")
    check(a["tickets"]["min"] > 2000, "demo hall: a day's tickets")
    check(len(d["matters"]) == 23 and "SB01" in d["matters"], "per matter")
    check("10" in d["hours"] and "tickets" in d["hours"]["10"], "per hour")
    check(0 < a["utilisation"]["mean"] < 1, "utilisation")
    check(any(g["clones"] > 0 for g in d["plan"]["groups"]),
          "the demo workload needs more windows than the hall has")
    # The same days without staffing: the 28 windows cannot carry them
    # (392 window-hours of work a day against 28 x 8), which is why the
    # staffed run is the one asserted.
    d = sim("-f", CONFIG, "-w", WORKLOAD, "--seed", str(SEED), "--json")
    if d is not None:
        check(d["all"]["within_10min"]["mean"] < 0.5, "28 windows are overloaded")
        check(d["all"]["passover_max_s"]["max"] <= 900, "bound holds overloaded too")
    # Every policy runs; the days are the same people (same seed).
    p = subprocess.run([SIM, "--list-policies"], capture_output=True, text=True)
    pols = p.stdout.split()
    check("default" in pols and "strict_aging" in pols, "policies listed")
    for pol in pols:
        d = sim("-f", CONFIG, "-w", WORKLOAD, "--staff", "--policy", pol,
                "--seed", str(SEED), "--json")
        if d is not None:
            check(d["policy"] == pol, "policy " + pol)


def test_errors():
    sim("--mmc", "1,10,5", expect=2)              # lambda x service >= windows
    sim("--mmc", "1,10", expect=2)
    sim("--mmc", "0.5,8,5,1.5", expect=2)
    sim("-f", CONFIG, "-w", WORKLOAD, "--policy", "nope", expect=1)
    sim("-f", CONFIG, "-w", "/nonexistent.json", expect=1)
    sim("-f", CONFIG, expect=2)
    # a workload out of bounds is refused, saying which value
    base = {"tickets_per_day": 100, "arrival_profile_per_hour": {"09": 1},
            "matters": [{"code": "SB01", "share": 1}]}
    bad = [
        ({"tickets_per_day": 5e6}, '"tickets_per_day" is a number from 0'),
        ({"no_show_rate": 1.5}, '"no_show_rate" is a number from 0 to 1'),
        ({"green_channel_share": 0.7, "appointment_share": 0.6}, "together are over 1"),
        ({"arrival_profile_per_hour": {"9am": 1}}, 'bad hour "9am"'),
        ({"arrival_profile_per_hour": {"09": -1}}, 'bad hour "09"'),
        ({"matters": [{"code": "SB01", "share": 0.5}, {"code": "SB01", "share": 0.5}]},
         "SB01 is given twice"),
        ({"matters": [{"code": "SB01", "share": 0}]}, "shares are all 0"),
        ({"matters": [{"code": "SB01", "share": 1, "cv": -1}]}, '"cv" is a number'),
    ]
    with tempfile.TemporaryDirectory() as d:
        for over, words in bad:
            w = dict(base)
            w.update(over)
            path = os.path.join(d, "w.json")
            with open(path, "w") as f:
                json.dump(w, f)
            p = subprocess.run([SIM, "-f", CONFIG, "-w", path], capture_output=True,
                               text=True, timeout=60)
            check(p.returncode == 1 and words in p.stderr,
                  "workload %r: exit %d, %r" % (over, p.returncode, p.stderr))


def main():
    if "--print-pins" in sys.argv:
        d = subprocess.run([SIM, "--mmc", "0.5,8,5", "--reps", "2", "--arrivals",
                            "1000", "--seed", "42", "--json"], capture_output=True,
                           text=True, check=True)
        a = json.loads(d.stdout)["all"]
        h = json.loads(subprocess.run([SIM, "-f", CONFIG, "-w", WORKLOAD, "--seed",
                                       "1", "--json"], capture_output=True,
                                      text=True, check=True).stdout)["all"]
        print(json.dumps({"mmc_p_wait": a["p_wait"], "mmc_wq_min": a["wq_min"],
                          "mmc_tickets": a["tickets"],
                          "hall_tickets": h["tickets"]["mean"],
                          "hall_wait_mean_s": h["wait_mean_s"]["mean"],
                          "hall_refused": h["refused"]["mean"]}))
        return 0
    test_theory()
    test_pinned()
    test_hall()
    test_errors()
    for name, d in results.items():
        a = d["all"]
        line = "  %-3s p_wait %.4f  wq %.4f min  [%.4f, %.4f]" % (
            name, a["p_wait"], a["wq_min"], a["ci95"][0], a["ci95"][1])
        if len(d["classes"]) == 2:
            line += "  green %.4f  normal %.4f" % (d["classes"]["green"]["wq_min"],
                                                  d["classes"]["normal"]["wq_min"])
        if os.environ.get("VERBOSE"):
            print(line)
    print("test_sim.py: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
