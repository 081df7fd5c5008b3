"""GET /metrics (issue 18, "Metrics"): the Prometheus text format 0.0.4,
parsed by a real Prometheus text parser (Debian's python3-prometheus-client),
whose figures are what a scripted run did: tickets issued, called and served
by matter, waiting per matter, the wait histogram, commands by op and status
(a refused one among them), the group commit's batches, a WebSocket client,
a device up and one down, the log's seq.  Every histogram is consistent
(buckets cumulative, +Inf = _count), every family has HELP and TYPE, matter
labels are the configured codes only, and only manager and admin tokens
read it (401 without or with an unknown token, 403 for the others)."""
import asyncio
import socket
import time

from prometheus_client.parser import text_string_to_metric_families
import websockets

import devsim
from harness import ALL, Hall, HallCase, run_async

CTYPE = "text/plain; version=0.0.4; charset=utf-8"


def parse(text):
    """{family name: Metric}; a sample outside any declared family would be
    yielded as an untyped family of its own: none may be."""
    fams = {}
    for f in text_string_to_metric_families(text):
        assert f.type != "untyped", "untyped family %s: %r" % (f.name, f.samples[:3])
        assert f.name not in fams, "family %s declared twice" % f.name
        fams[f.name] = f
    return fams


def value(fams, family, sample=None, **labels):
    """The one sample of `family` (named `sample`, default the family's own
    or its _total) with exactly these labels."""
    f = fams[family]
    names = [sample] if sample else [family, family + "_total"]
    got = [s.value for s in f.samples if s.name in names and s.labels == labels]
    assert len(got) == 1, "%s%r: %d samples of %r" % (family, labels, len(got), f.samples[:6])
    return got[0]


def by_label(fams, family, label):
    f = fams[family]
    return {s.labels[label]: s.value for s in f.samples
            if s.name in (family, family + "_total")}


def check_histograms(test, text, fams):
    for f in fams.values():
        if f.type != "histogram":
            continue
        series = {}
        for s in f.samples:
            key = tuple(sorted((k, v) for k, v in s.labels.items() if k != "le"))
            series.setdefault(key, {"buckets": []})
            if s.name.endswith("_bucket"):
                series[key]["buckets"].append((float(s.labels["le"]), s.value))
            elif s.name.endswith("_count"):
                series[key]["count"] = s.value
            elif s.name.endswith("_sum"):
                series[key]["sum"] = s.value
        test.assertTrue(series, f.name)
        for key, h in series.items():
            b = h["buckets"]
            test.assertEqual([le for le, _ in b], sorted(le for le, _ in b), (f.name, key))
            test.assertEqual(b[-1][0], float("inf"), (f.name, key))
            counts = [v for _, v in b]
            test.assertEqual(counts, sorted(counts), "%s%r not cumulative" % (f.name, key))
            test.assertEqual(b[-1][1], h["count"], (f.name, key))
            test.assertGreaterEqual(h["sum"], 0, (f.name, key))
    # As written: every family has its HELP and TYPE, counters end _total.
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, typ = line.split(" ", 3)
            test.assertIn("# HELP %s " % name, text)
            test.assertTrue(name.startswith("hallq_"), name)
            if typ == "counter":
                test.assertTrue(name.endswith("_total"), name)


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Metrics(HallCase):

    def setUp(self):
        self.board = devsim.TcpListener()
        self.addCleanup(self.board.close)
        self.hall = Hall(devices=[
            {"name": "board", "role": "hall_board", "protocol": "bx", "rows": 3,
             "width": 24, "reply_ms": 0, "transport": "tcp:127.0.0.1:%d" % self.board.port},
            {"name": "gone", "role": "hall_board", "protocol": "bx", "rows": 3,
             "width": 24, "reply_ms": 0, "transport": "tcp:127.0.0.1:%d" % closed_port()},
        ])
        self.addCleanup(self.hall.cleanup)
        self.hall.start()
        self.board.wait_connected(10)

    def scrape(self, token="m1"):
        c = self.hall.http()
        try:
            r = c.req("GET", "/metrics", token=token)
        finally:
            c.close()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("content-type"), CTYPE)
        text = r.body.decode("utf-8")
        return text, parse(text)

    def cmds(self, fams):
        out = {}
        for s in fams["hallq_commands"].samples:
            out[(s.labels["op"], s.labels["status"])] = s.value
        return out

    def test_the_figures_are_what_the_run_did(self):
        h = self.hall
        _, base = self.scrape()
        base_cmds = self.cmds(base)
        base_batch = value(base, "hallq_commit_batch_commands",
                           "hallq_commit_batch_commands_sum")
        for m, n in (("SB01", 3), ("YB01", 2), ("BDC01", 1)):
            for _ in range(n):
                h.issue_ok(m)
        # Window 1 takes the oldest (SB01) and serves it to the end; window
        # 2 calls the next SB01 and keeps it.
        for cmd in ("call-next", "start", "finish"):
            r = h.win(1, cmd)
            self.assertEqual(r.status, 200, r)
        self.assertEqual(h.win(2, "call-next").status, 200)
        # Refused: a kiosk cannot call (403); window 3 has nothing to finish
        # (409, inside its transaction).
        self.assertError(h.win(1, "call-next", token="k1"), 403, "forbidden")
        self.assertError(h.win(3, "finish"), 409, "no_current_ticket")

        async def with_client():
            async with websockets.connect(h.ws_url("d1"), subprotocols=["hallq.v1"]) as ws:
                await ws.send('{"op":"subscribe"}')
                snap = None
                while snap is None or snap.get("type") != "hall.snapshot":
                    import json
                    snap = json.loads(await asyncio.wait_for(ws.recv(), 10))
                return await asyncio.get_running_loop().run_in_executor(None, self.scrape)
        text, fams = run_async(with_client())
        check_histograms(self, text, fams)

        # Tickets by matter: every configured code, and only those.
        self.assertEqual(set(by_label(fams, "hallq_tickets_issued", "matter")), set(ALL))
        self.assertEqual(set(by_label(fams, "hallq_tickets_waiting", "matter")), set(ALL))
        issued = by_label(fams, "hallq_tickets_issued", "matter")
        self.assertEqual(issued, {m: {"SB01": 3, "YB01": 2, "BDC01": 1}.get(m, 0) for m in ALL})
        self.assertEqual(by_label(fams, "hallq_tickets_called", "matter"),
                         {m: 2 if m == "SB01" else 0 for m in ALL})
        self.assertEqual(by_label(fams, "hallq_tickets_served", "matter"),
                         {m: 1 if m == "SB01" else 0 for m in ALL})
        self.assertEqual(by_label(fams, "hallq_tickets_waiting", "matter"),
                         {m: {"SB01": 1, "YB01": 2, "BDC01": 1}.get(m, 0) for m in ALL})
        # Two first calls of SB01, within the minute.
        self.assertEqual(value(fams, "hallq_ticket_wait_seconds",
                               "hallq_ticket_wait_seconds_count", matter="SB01"), 2)
        self.assertEqual(value(fams, "hallq_ticket_wait_seconds",
                               "hallq_ticket_wait_seconds_bucket", matter="SB01", le="60"), 2)
        self.assertEqual(value(fams, "hallq_ticket_wait_seconds",
                               "hallq_ticket_wait_seconds_count", matter="YB01"), 0)

        # Commands: what this run sent, over what the baseline had (the
        # first scrape is counted once it is answered).
        cmds = self.cmds(fams)
        delta = {k: v - base_cmds.get(k, 0) for k, v in cmds.items()}
        want = {("issue", "201"): 6, ("call-next", "200"): 2, ("start", "200"): 1,
                ("finish", "200"): 1, ("call-next", "403"): 1, ("finish", "409"): 1,
                ("metrics", "200"): 1}
        for k, n in want.items():
            self.assertEqual(delta.get(k), n, (k, delta))
        self.assertGreaterEqual(delta.get(("auth", "200"), 0), 1, delta)
        self.assertGreaterEqual(delta.get(("snapshot", "200"), 0), 1, delta)
        # The group commits carried the 11 commands that wrote (the 403 never
        # reached a transaction; the 409 did, and was undone alone).
        self.assertEqual(value(fams, "hallq_commit_batch_commands",
                               "hallq_commit_batch_commands_sum") - base_batch, 11)
        self.assertGreaterEqual(value(fams, "hallq_commit_seconds", "hallq_commit_seconds_count"),
                                value(fams, "hallq_commit_batch_commands",
                                      "hallq_commit_batch_commands_count"))

        # The WebSocket client was there; one board up, the other down.
        self.assertEqual(value(fams, "hallq_websocket_clients"), 1)
        self.assertEqual(value(fams, "hallq_websocket_dropped_slow"), 0)
        self.assertEqual(value(fams, "hallq_device_up", device="board", role="hall_board"), 1)
        self.assertEqual(value(fams, "hallq_device_up", device="gone", role="hall_board"), 0)
        self.assertGreaterEqual(value(fams, "hallq_device_errors", device="gone"), 0)
        self.assertEqual(value(fams, "hallq_outbox_messages", state="queued"), 0)
        self.assertEqual(value(fams, "hallq_uplink_configured"), 0)
        self.assertEqual(value(fams, "hallq_uplink_connected"), 0)
        self.assertEqual(value(fams, "hallq_windows", state="open"), 4)
        self.assertEqual(value(fams, "hallq_windows", state="closed"), 2)
        self.assertGreater(value(fams, "hallq_process_resident_memory_bytes"), 1 << 20)
        self.assertGreater(value(fams, "hallq_process_open_fds"), 3)
        self.assertLessEqual(abs(value(fams, "hallq_process_start_time_seconds") - time.time()),
                             120)
        # The log's last seq: between the log's end before and after.
        seq = value(fams, "hallq_event_seq")
        self.assertGreaterEqual(seq, 6 + 4 + 1)
        self.assertLessEqual(seq, h.events()[-1]["seq"])

        # The client gone, its gauge goes back to 0.
        deadline = time.monotonic() + 5
        while True:
            _, fams = self.scrape("a1")
            if value(fams, "hallq_websocket_clients") == 0 or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(value(fams, "hallq_websocket_clients"), 0)

    def test_tokens(self):
        c = self.hall.http()
        try:
            for tok, status in ((None, 401), ("nope", 401), ("k1", 403), ("c-all", 403),
                                ("d1", 403), ("m1", 200), ("a1", 200)):
                r = c.req("GET", "/metrics", token=tok)
                self.assertEqual(r.status, status, (tok, r))
                if status != 200:
                    self.assertEqual(r.header("content-type"), "application/json", r)
                    self.assertIn("error", r.json)
            self.assertError(c.req("POST", "/metrics", body={}, token="m1"), 405)
        finally:
            c.close()

    def test_not_over_the_websocket(self):
        async def go():
            async with websockets.connect(self.hall.ws_url("m1"),
                                          subprotocols=["hallq.v1"]) as ws:
                await ws.send('{"op":"metrics","req":"m"}')
                import json
                while True:
                    m = json.loads(await asyncio.wait_for(ws.recv(), 10))
                    if m.get("req") == "m":
                        return m
        m = run_async(go())
        self.assertEqual(m["status"], 400, m)
        self.assertEqual(m["error"]["code"], "bad_request", m)
        self.hall.assert_serving()
