#!/usr/bin/python3
"""bench_backup.py — what a backup costs the hall; prints figures, asserts
nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_backup.py

A hall with 100,000 tickets of earlier days and 5,000 of today waiting
(copied rows, as bench_core does).  POST /api/windows/N/call-next latency
(p50 / p99 / max, windows 1-4 each called, started and finished in turn on
one keep-alive connection): first with nothing else running, then while
`hallqd --backup FILE` copies the database again and again from a process
of its own (the same copy, steps and sleeps as the daily backup's worker
thread).  Also: how long one copy takes and its size, and what the
PRAGMA quick_check of every start costs on this database.

Runs the real daemon through the e2e harness (127.0.0.1, a free port, a temp
directory); every loop is bounded.
"""
import os
import sqlite3
import subprocess
import threading
import time

from benchlib import Hall, copy_ticket, pct, row

HALLQD = os.environ.get("HALLQD", "build/hallqd")
PAST, TODAY = 100000, 5000
CALLS = 600


def fill(h):
    r = h.issue("SB01")
    tid = r.json["ticket"]["id"]
    h.stop()
    db = sqlite3.connect(h.db_path)
    today = db.execute("SELECT day FROM tickets WHERE id = ?", (tid,)).fetchone()[0]
    db.close()
    return copy_ticket(h.db_path, tid, (
        {"id": tid + i, "number": "Z%06d" % i, "token": "%032x" % i,
         "day": "2020-01-%02d" % (1 + i % 28) if i <= PAST else today,
         "state": "done" if i <= PAST else "waiting"}
        for i in range(1, PAST + TODAY + 1)))


def calls(h, n):
    c = h.http(timeout=30)
    out = []
    try:
        for i in range(n):
            w = 1 + i % 4
            t0 = time.perf_counter()
            r = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
            out.append(time.perf_counter() - t0)
            if r.status != 200:
                raise RuntimeError("call-next: %s %r" % (r.status, r.body[:120]))
            c.req("POST", "/api/windows/%d/start" % w, None, "c-all")
            c.req("POST", "/api/windows/%d/finish" % w, None, "c-all")
    finally:
        c.close()
    return out


def fmt(v):
    return "p50 %.2f ms, p99 %.2f ms, max %.2f ms (%d calls)" % (
        pct(v, 0.5) * 1000, pct(v, 0.99) * 1000, max(v) * 1000, len(v))


def main():
    h = Hall()
    try:
        h.start()
        n = fill(h)
        h.start(timeout=120)
        size = os.path.getsize(h.db_path)
        row("database", "%d tickets, %.1f MB" % (n, size / 1e6))
        db = sqlite3.connect("file:%s?mode=ro" % h.db_path, uri=True)
        t0 = time.monotonic()
        qc = db.execute("PRAGMA quick_check").fetchall()
        row("PRAGMA quick_check (what every start adds)", "%.2f s (%s)" % (
            time.monotonic() - t0, qc[0][0]))
        db.close()
        calls(h, 40)                        # warm
        base = calls(h, CALLS)
        row("call-next, nothing else running", fmt(base))

        dst = os.path.join(h.dir, "bench-backup.db")
        stop = threading.Event()
        took = []
        fails = []

        def backups():
            for _ in range(1000):
                if stop.is_set():
                    return
                t0 = time.monotonic()
                p = subprocess.run([HALLQD, "--backup", dst, "-f", h.config_path],
                                   stdin=subprocess.DEVNULL, capture_output=True,
                                   timeout=300, cwd=h.dir)
                if p.returncode != 0:
                    fails.append(p.stderr.decode("utf-8", "replace"))
                    return
                took.append(time.monotonic() - t0)

        th = threading.Thread(target=backups, daemon=True)
        th.start()
        time.sleep(0.2)
        during = calls(h, CALLS)
        stop.set()
        th.join(600)
        if fails:
            raise RuntimeError("backup failed: %s" % fails[0])
        row("call-next while hallqd --backup copies again and again", fmt(during))
        row("one hallqd --backup (%.1f MB, integrity_check included)" %
            (os.path.getsize(dst) / 1e6),
            "median %.2f s over %d copies" % (pct(took, 0.5), len(took)))
        h.stop()
    finally:
        h.cleanup()


if __name__ == "__main__":
    print("backup: call-next latency while the database is copied")
    main()
