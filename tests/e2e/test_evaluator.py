"""The `evaluator` token role: a window's 好差评 tablet (/rate?window=N).

Bound to windows like a clerk token (`tokens.evaluator: {"e3": [3]}`), it
rates tickets finished at its windows (source "evaluator", the rating row
with the window and the finishing clerk), reads the hall and its events
(REST and WebSocket), and nothing else: no window command, no issue, no
ticket read by id, no rating of another window's ticket."""
import asyncio
import json
import os
import sqlite3
import subprocess

from harness import HALLQD, HallCase, run_async, ws_open, ws_recv, ws_send

TOKENS_OVER = {
    "tokens.clerk": {"c3": {"windows": [3], "name": "王芳"}, "c-all": "*"},
    "tokens.evaluator": {"e3": [3], "e-all": "*"},
}


class Evaluator(HallCase):
    hall_over = TOKENS_OVER

    def served(self, window=3, token="c3"):
        h = self.hall
        r = h.issue("SB01")
        self.assertEqual(r.status, 201, r)
        t = r.json["ticket"]
        r = h.win(window, "call", {"ticket": t["id"]}, token=token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(h.win(window, "finish", token=token).status, 200)
        return t

    def rate(self, tid, score, token, **extra):
        body = {"ticket": tid, "score": score}
        body.update(extra)
        return self.hall.req("POST", "/api/ratings", body, token)

    def test_rates_its_window_with_window_and_clerk(self):
        h = self.hall
        t = self.served()
        r = self.rate(t["id"], 5, "e3", comment="很好")
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json, {"ticket": t["id"], "score": 5, "source": "evaluator"})
        # One per ticket, whoever asks next.
        self.assertError(self.rate(t["id"], 4, "e3"), 409, "already_rated")
        self.assertError(self.rate(t["id"], 4, "c3"), 409, "already_rated")
        evs = [e for e in h.events(token="m1") if e["type"] == "rating.recorded"]
        self.assertEqual(len(evs), 1, evs)
        ev = evs[0]
        self.assertEqual((ev["ticket"], ev["window"], ev["clerk"], ev["score"],
                          ev["source"], ev["comment"]),
                         (t["id"], 3, "王芳", 5, "evaluator", "很好"))
        h.stop()
        db = sqlite3.connect(h.db_path)
        try:
            row = db.execute("SELECT window, clerk, score, source, comment FROM ratings "
                             "WHERE ticket = ?", (t["id"],)).fetchone()
        finally:
            db.close()
        self.assertEqual(row, (3, "王芳", 5, "evaluator", "很好"))

    def test_only_its_windows(self):
        t1 = self.served(window=1, token="c-all")
        self.assertError(self.rate(t1["id"], 3, "e3"), 403, "forbidden")
        # Bound to every window: "*".
        self.assertEqual(self.rate(t1["id"], 3, "e-all").status, 201)

    def test_not_served_and_not_yet(self):
        h = self.hall
        t = h.issue_ok("SB01")
        self.assertError(self.rate(t["id"], 5, "e3"), 409, "not_served")
        self.assertError(self.rate(t["id"], 6, "e3"), 400)

    def test_nothing_else(self):
        h = self.hall
        t = h.issue_ok("SB01")
        self.assertError(h.issue("SB01", token="e3"), 403, "forbidden")
        for cmd in ("call-next", "pause", "open", "close"):
            self.assertError(h.win(3, cmd, token="e3"), 403, "forbidden")
        self.assertError(h.req("DELETE", "/api/tickets/%d" % t["id"], None, "e3"),
                         403, "forbidden")
        # Tickets are not read by id with it (the citizen's data stays on
        # the citizen's own page); the hall and its events are.
        self.assertError(h.req("GET", "/api/tickets/%d" % t["id"], None, "e3"),
                         403, "forbidden")
        self.assertError(h.req("GET", "/api/stats", None, "e3"), 403, "forbidden")
        r = h.req("GET", "/api/hall", None, "e3")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(h.req("GET", "/api/windows/3", None, "e3").status, 200)
        self.assertEqual(h.req("GET", "/api/events?since=0", None, "e3").status, 200)
        self.assertEqual(h.req("GET", "/api/status", None, "e3").status, 200)
        # The other roles keep what they had.
        self.assertEqual(h.req("GET", "/api/tickets/%d" % t["id"], None, "d1").status, 200)
        self.assertError(self.rate(t["id"], 5, "k1"), 403, "forbidden")
        self.assertError(self.rate(t["id"], 5, "m1"), 403, "forbidden")

    def test_websocket(self):
        h = self.hall

        async def go():
            ws = await ws_open(h, None)
            try:
                await ws_send(ws, {"op": "auth", "token": "e3"})
                a = json.loads(await ws.recv())
                self.assertEqual((a["type"], a["role"]), ("auth", "evaluator"), a)
                await ws_send(ws, {"op": "subscribe"})
                snap = await ws_recv(ws)
                self.assertEqual(snap["type"], "hall.snapshot", snap)
                t = await asyncio.get_running_loop().run_in_executor(
                    None, self.served)
                done = None
                for _ in range(20):
                    ev = await ws_recv(ws)
                    if ev.get("type") == "ticket.done":
                        done = ev
                        break
                self.assertIsNotNone(done)
                self.assertEqual((done["window"], done["ticket"]["id"]), (3, t["id"]))
                await ws_send(ws, {"op": "rate", "ticket": t["id"], "score": 4, "req": "r1"})
                for _ in range(20):
                    m = await ws_recv(ws)
                    if m.get("req") == "r1":
                        break
                self.assertEqual((m["status"], m["source"]), (201, "evaluator"), m)
                await ws_send(ws, {"op": "call-next", "window": 3, "req": "r2"})
                for _ in range(20):
                    m = await ws_recv(ws)
                    if m.get("req") == "r2":
                        break
                self.assertEqual(m["status"], 403, m)
            finally:
                await ws.close()
        run_async(go())


class EvaluatorConfig(HallCase):

    def check(self, tokens):
        conf = self.hall.config()
        conf["tokens"]["evaluator"] = tokens
        path = os.path.join(self.hall.dir, "ev.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(conf, f, ensure_ascii=False, indent=2)
        p = subprocess.run([HALLQD, "-n", "-f", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")

    def test_shapes(self):
        self.assertEqual(self.check({"e3": [3], "e4": [3, 4], "e-all": "*"})[0], 0)
        code, out = self.check({"e9": [9]})
        self.assertEqual(code, 1, out)
        self.assertIn("no window 9", out)
        code, out = self.check({"e3": 3})
        self.assertEqual(code, 1, out)
        self.assertIn("an evaluator token maps to", out)
        code, out = self.check({"c3": [3]})	# a clerk's token again
        self.assertEqual(code, 1, out)
        self.assertIn('token "c3" is given twice', out)
        code, out = self.check(["e3"])
        self.assertEqual(code, 1, out)
