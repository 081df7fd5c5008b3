#!/usr/bin/python3
"""bench_core.py — the core after its split into subsystems; prints figures,
asserts nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_core.py

1. time from start to the first answered GET /api/status with 100,000
   tickets in the database (90,000 of earlier days, 10,000 of today waiting:
   those are loaded and queued);
2. POST /api/windows/N/call-next latency (p50 / p99, 300 calls, one
   connection each) with no WebSocket subscriber, then with 200 subscribers
   that receive every event: the one who asked is answered first.

Runs the real daemon through the e2e harness (127.0.0.1, a free port, a temp
directory); every loop is bounded.
"""
import sqlite3
import subprocess
import sys
import time

from benchlib import Hall, copy_ticket, once, pct, row


def restart_with_tickets(past=90000, today=10000):
    h = Hall()
    try:
        h.start()
        r = h.issue("SB01")
        tid = r.json["ticket"]["id"]
        h.stop()
        db = sqlite3.connect(h.db_path)
        day_today = db.execute("SELECT day FROM tickets WHERE id = ?", (tid,)).fetchone()[0]
        db.close()
        n = copy_ticket(h.db_path, tid, (
            {"id": tid + i, "number": "Z%06d" % i, "token": "%032x" % i,
             "day": "2020-01-%02d" % (1 + i % 28) if i <= past else day_today,
             "state": "done" if i <= past else "waiting"}
            for i in range(1, past + today + 1)))
        t0 = time.monotonic()
        h.start(timeout=120)
        dt = time.monotonic() - t0
        st = h.status()
        row("start to serving with %d tickets in the database" % n,
            "%.2f s (%d of today waiting, rss %d kB)" % (dt, today + 1, h.rss_kb()))
        if st.get("ok") is not True:
            raise RuntimeError("status %r" % st)
        h.stop()
    finally:
        h.cleanup()


def call_next_once(port):
    dt, out = once(port, b"POST /api/windows/1/call-next HTTP/1.1\r\nHost: x\r\n"
                   b"Authorization: Bearer c-all\r\nContent-Length: 0\r\n\r\n")
    if not out.startswith(b"HTTP/1.1 200 "):
        raise RuntimeError("call-next: %r" % out[:120])
    return dt


SUBSCRIBERS = r"""
import asyncio, sys, websockets
url, n = sys.argv[1], int(sys.argv[2])
async def one(ready):
    async with websockets.connect(url, subprotocols=["hallq.v1"], max_size=None,
                                  open_timeout=30) as ws:
        await ws.send('{"op":"subscribe"}')
        await ws.recv()
        ready.append(1)
        if len(ready) == n:
            print("ready", flush=True)
        async for _ in ws:
            pass
async def main():
    ready = []
    await asyncio.gather(*(one(ready) for _ in range(n)), return_exceptions=True)
asyncio.run(main())
"""


def subscribers(h, n):
    """n WebSocket clients, in a process of their own (so their reading
    does not slow the clerk measured here), subscribed and reading all."""
    p = subprocess.Popen([sys.executable, "-c", SUBSCRIBERS, h.ws_url("d1"), str(n)],
                         stdout=subprocess.PIPE, text=True)
    line = p.stdout.readline()
    if line.strip() != "ready":
        p.kill()
        raise RuntimeError("subscribers did not come up")
    return p


def call_next_latency(nsubs, ncalls=300):
    h = Hall()
    try:
        h.start()
        c = h.http()
        for _ in range(ncalls + 10):
            c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
        c.close()
        lat = []
        if nsubs == 0:
            for _ in range(ncalls):
                lat.append(call_next_once(h.port))
                h.win(1, "finish")
        else:
            p = subscribers(h, nsubs)
            try:
                for _ in range(ncalls):
                    lat.append(call_next_once(h.port))
                    h.win(1, "finish")
            finally:
                p.kill()
                p.wait(10)
        row("call-next reply with %d WebSocket subscribers (p50 / p99)" % nsubs,
            "%.2f / %.2f ms" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3))
        h.stop()
    finally:
        h.cleanup()


def main():
    print("core (after the split)")
    restart_with_tickets()
    call_next_latency(0)
    call_next_latency(200)


if __name__ == "__main__":
    main()
