#!/usr/bin/python3
"""bench_staffing.py — the staffing computation for a day (issue 17): GET
/api/staffing on the demo hall (etc/hallq.json, its forecast of 2,400
tickets a day, no history), the Erlang C plan checked by simulation on the
reporter's thread; and hallq-sim --staff --check, the same planner from the
command line.  Prints figures, asserts nothing about speed.

    HALLQD=build/hallqd HALLQ_SIM=build/hallq-sim /usr/bin/python3 \\
        tests/bench/bench_staffing.py

Printed: the wall time of GET /api/staffing (10 requests, one after the
other: p50 and max), the plans simulated, the busy hours' checked windows
against Erlang C's per-matter sum and the pooled figure, and the latency of
GET /api/status while plans are being made (the core is not held up).
"""
import json
import os
import subprocess
import threading
import time

from benchlib import Hall, pct, row

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
T0 = 1796090400000          # 2026-12-01 10:00 hall time, a Tuesday
N = 10


def demo_hall():
    h = Hall()
    with open(os.path.join(REPO, "etc", "hallq.json"), encoding="utf-8") as f:
        conf = json.load(f)
    conf["listen"] = "127.0.0.1:%d" % h.port
    conf["database"] = h.db_path
    conf["web"] = {"root": os.path.join(REPO, "web")}
    conf["devices"] = []
    conf.setdefault("voice", {})["languages"] = []
    h.write_config(conf)
    h.set_clock(T0)
    return h


def main():
    print("staffing: a day of the demo hall, checked by simulation")
    h = demo_hall()
    h.start()
    try:
        c = h.http(timeout=120)
        times, s = [], None
        for _ in range(N):
            t0 = time.perf_counter()
            r = c.req("GET", "/api/staffing?day=2026-12-01", None, "m1")
            times.append(time.perf_counter() - t0)
            assert r.status == 200, r
            s = r.json
        row("GET /api/staffing, a day (p50 / max)", "%.0f / %.0f ms" % (
            pct(times, 0.5) * 1000, max(times) * 1000))
        row("plans simulated (x %d replications of the day)" % s["reps"],
            s.get("evals"))
        for hr in s["hours"]:
            if hr["hour"] in (9, 10, 14, 15):
                ck = hr["checked"]
                row("%02d:00 per-matter sum / checked (beyond) / pooled" %
                    hr["hour"], "%d / %d (%d) / %d, level %.1f%%" % (
                        hr["recommended"], ck["windows"], ck["beyond"],
                        hr["pooled"], ck["level_pct_reached"]))
        # The core meanwhile: status latency while plans are made.
        stop, lat = [], []

        def plans():
            cc = h.http(timeout=120)
            while not stop:
                cc.req("GET", "/api/staffing?day=2026-12-01", None, "m1")

        th = threading.Thread(target=plans)
        th.start()
        c2 = h.http()
        for _ in range(200):
            t0 = time.perf_counter()
            c2.req("GET", "/api/status")
            lat.append(time.perf_counter() - t0)
        stop.append(1)
        th.join(60)
        row("GET /api/status while plans are made (p50 / p99)", "%.2f / %.2f ms"
            % (pct(lat, 0.5) * 1000, pct(lat, 0.99) * 1000))
    finally:
        h.stop()
        h.cleanup()
    sim = os.environ.get("HALLQ_SIM")
    if sim:
        t0 = time.perf_counter()
        subprocess.run([sim, "-f", os.path.join(REPO, "etc", "hallq.json"), "-w",
                        os.path.join(os.path.dirname(REPO), "shared", "data",
                                     "hall-workload.json"), "--staff", "--check"],
                       check=True, stdout=subprocess.DEVNULL)
        row("hallq-sim --staff --check (plan, check and one day)",
            "%.0f ms" % ((time.perf_counter() - t0) * 1000))


if __name__ == "__main__":
    main()
