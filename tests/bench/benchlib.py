"""benchlib.py — what the Python benchmarks share: the e2e harness on the
path, the figure line, percentiles, a one-shot raw request, and many ticket
rows made from one in SQLite (for figures at sizes no test would issue)."""
import os
import socket
import sqlite3
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "e2e"))

from harness import Hall  # noqa: E402,F401  (re-exported)

DAY_MS = 86400 * 1000


def row(label, value):
    print("  %-62s %s" % (label, value), flush=True)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(len(v) * p))]


def once(port, data, src=None, timeout=10):
    """One request on its own connection, read to the close: (seconds, bytes)."""
    s = socket.socket()
    s.settimeout(timeout)
    if src:
        s.bind((src, 0))
    t0 = time.perf_counter()
    s.connect(("127.0.0.1", port))
    s.sendall(data)
    out = b""
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
    dt = time.perf_counter() - t0
    s.close()
    return dt, out


def copy_ticket(db_path, tid, items):
    """Insert a copy of ticket `tid` for each dict of `items`, with the
    columns it names replaced (id, number, day, state, token ...)."""
    db = sqlite3.connect(db_path)
    try:
        cols = [c[1] for c in db.execute("PRAGMA table_info(tickets)")]
        first = None
        for it in items:
            if first is None:
                first = sorted(it)
                sel = ", ".join("?" if c in first else c for c in cols)
                sql = "INSERT INTO tickets (%s) SELECT %s FROM tickets WHERE id = %d" % (
                    ", ".join(cols), sel, tid)
                batch = []
            batch.append([it[c] for c in cols if c in first])
            if len(batch) == 5000:
                db.executemany(sql, batch)
                batch = []
        if first is not None and batch:
            db.executemany(sql, batch)
        db.commit()
        return db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0]
    finally:
        db.close()
