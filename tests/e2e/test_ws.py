"""WebSocket /ws: snapshot first, resume with `since` (from the ring and
from the database), no gaps and no duplicates under load, commands with
"req", and a client too slow to read is cut off while others are served."""
import asyncio
import json
import socket

import websockets

from harness import (ALL, MATTERS, WINDOWS, HallCase, RawWS, ws_open, ws_send,
                     ws_recv, ws_reply, ws_events_until, run_async)
from test_hammer import issue_many


def contiguous(tc, evs, first, last):
    tc.assertEqual([e["seq"] for e in evs], list(range(first, last + 1)),
                   "events must come in order, without gaps or duplicates")


class Subscribe(HallCase):

    def test_snapshot_first(self):
        h = self.hall
        h.issue_ok("SB01")
        h.win(1, "call-next")

        async def go():
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe"})
                snap = await ws_recv(ws)
                self.assertEqual(snap.get("type"), "hall.snapshot", snap)
                self.assertEqual(snap["seq"], 2)
                self.assertEqual(len(snap["matters"]), 6)
                wins = {w["number"]: w for w in snap["windows"]}
                self.assertEqual(wins[1]["ticket"]["number"], "A001")
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: h.issue_ok("YB01"))
                ev = await ws_recv(ws)
                self.assertEqual(ev["seq"], 3)
                self.assertEqual(ev["type"], "ticket.issued")
                self.assertEqual(ev["ticket"]["number"], "B001")
                self.assertIsInstance(ev["at"], int)
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: h.win(1, "finish"))
                ev = await ws_recv(ws)
                self.assertEqual((ev["seq"], ev["type"], ev["window"]),
                                 (4, "ticket.done", 1))
            finally:
                await ws.close()

        run_async(go())

    def test_since_ahead_gets_a_snapshot(self):
        """A since past the newest event (a client of an older database) is
        told so and starts again from a snapshot; nothing is skipped."""
        h = self.hall
        h.issue_ok("SB01")

        async def go():
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe", "since": 10000})
                err = await ws_recv(ws)
                self.assertEqual(err.get("type"), "error", err)
                self.assertEqual(err["error"]["code"], "since_ahead")
                snap = await ws_recv(ws)
                self.assertEqual(snap.get("type"), "hall.snapshot", snap)
                self.assertEqual(snap["seq"], 1)
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: h.issue_ok("SB01"))
                ev = await ws_recv(ws)
                self.assertEqual((ev["seq"], ev["type"]), (2, "ticket.issued"))
            finally:
                await ws.close()
        asyncio.run(go())
        r = h.req("GET", "/api/events?since=10000", token="d1")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json["error"]["code"], "since_ahead")

    def test_resume_with_since(self):
        h = self.hall
        h.issue_ok("SB01")

        async def go():
            loop = asyncio.get_running_loop()
            ws = await ws_open(h, "d1")
            await ws_send(ws, {"op": "subscribe"})
            snap = await ws_recv(ws)
            self.assertEqual(snap["type"], "hall.snapshot")
            s0 = snap["seq"]
            await loop.run_in_executor(None, lambda: [h.issue_ok("SB02") for _ in range(3)])
            evs, _ = await ws_events_until(ws, s0 + 3)
            contiguous(self, evs, s0 + 1, s0 + 3)
            last = evs[-1]["seq"]
            await ws.close()

            # while away: issues, a call, a finish, a window pause
            def away():
                for m in ("YB01", "BDC01", "SB01", "YB02", "SB02"):
                    h.issue_ok(m)
                h.win(1, "call-next")
                h.win(1, "start")
                h.win(1, "finish")
                h.win(2, "pause")
                h.win(2, "resume")
                return h.status()["seq"]
            s1 = await loop.run_in_executor(None, away)
            self.assertEqual(s1, last + 10)

            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe", "since": last})
                missed, others = await ws_events_until(ws, s1)
                contiguous(self, missed, last + 1, s1)
                self.assertEqual(others, [])
                # exactly what the log holds
                log = await loop.run_in_executor(None, lambda: h.events(since=last))
                self.assertEqual(missed, log)
                # then the live ones, continuing without a duplicate
                await loop.run_in_executor(None, lambda: h.issue_ok("SB01"))
                ev = await ws_recv(ws)
                self.assertEqual(ev["seq"], s1 + 1)
                await loop.run_in_executor(None, lambda: h.win(3, "call-next", token="c3"))
                ev = await ws_recv(ws)
                self.assertEqual((ev["seq"], ev["type"]), (s1 + 2, "ticket.called"))
            finally:
                await ws.close()

            # since = the current seq: nothing replayed, live next
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe", "since": s1 + 2})
                await loop.run_in_executor(None, lambda: h.issue_ok("YB01"))
                ev = await ws_recv(ws)
                self.assertEqual(ev["seq"], s1 + 3)
            finally:
                await ws.close()

        run_async(go())

    def test_resume_while_events_flow(self):
        """Subscribing (with and without since) while another client issues:
        the replay hands over to the live stream without a gap or a
        duplicate."""
        h = self.hall
        for _ in range(20):
            h.issue_ok("SB01")

        async def reader(since, out):
            ws = await ws_open(h, "d1")
            try:
                if since is None:
                    await ws_send(ws, {"op": "subscribe"})
                    snap = await ws_recv(ws)
                    assert snap.get("type") == "hall.snapshot", snap
                    out.append(snap["seq"])
                else:
                    await ws_send(ws, {"op": "subscribe", "since": since})
                    out.append(since)
                # read up to the marker: the one BDC02 ticket, issued last
                for _ in range(10000):
                    m = await ws_recv(ws, 30)
                    out.append(m)
                    if m.get("ticket", {}).get("matter") == "BDC02":
                        return
            finally:
                await ws.close()

        async def go():
            loop = asyncio.get_running_loop()

            def writer():
                c = h.http()
                try:
                    for _ in range(200):
                        r = c.req("POST", "/api/tickets", {"matter": "YB01"}, "k1")
                        assert r.status == 201, r
                finally:
                    c.close()

            fut = loop.run_in_executor(None, writer)
            await asyncio.sleep(0.05)
            outs = [[] for _ in range(4)]
            readers = [asyncio.ensure_future(reader(s, o))
                       for s, o in zip((5, None, 0, 15), outs)]
            await fut
            await loop.run_in_executor(None, lambda: h.issue_ok("BDC02"))
            await asyncio.wait_for(asyncio.gather(*readers), 60)
            return outs

        outs = run_async(go())
        last = h.status()["seq"]
        self.assertEqual(last, 221)
        for o in outs:
            first = o[0]
            evs = [m for m in o[1:] if "seq" in m]
            self.assertEqual(len(evs), len(o) - 1, "only events expected: %r" %
                             [m for m in o[1:] if "seq" not in m][:2])
            contiguous(self, evs, first + 1, last)

    def test_commands_with_req(self):
        h = self.hall

        async def go():
            ws = await ws_open(h, "m1")
            try:
                await ws_send(ws, {"op": "issue", "matter": "SB01", "req": "r1"})
                rep = await ws_reply(ws, "r1")
                self.assertEqual(rep["type"], "reply")
                self.assertEqual(rep["status"], 201)
                self.assertEqual(rep["ticket"]["number"], "A001")
                self.assertIn("eta_s", rep["ticket"])
                await ws_send(ws, {"op": "issue", "matter": "YB01", "class": "green",
                                   "req": "r1b"})
                rep = await ws_reply(ws, "r1b")
                self.assertEqual((rep["status"], rep["ticket"]["class"]), (201, "green"))
                # now subscribed: events and replies interleave, replies keep req
                # (each issue and its audit: seq 1 to 4)
                await ws_send(ws, {"op": "subscribe", "since": 4})
                await ws_send(ws, {"op": "call-next", "window": 1, "req": "r2"})
                seen = []
                rep = await ws_reply(ws, "r2", keep=seen)
                self.assertEqual(rep["status"], 200)
                called = rep["ticket"]
                self.assertEqual(called["window"], 1)
                await ws_send(ws, {"op": "call-next", "window": 99, "req": "r3"})
                rep = await ws_reply(ws, "r3", keep=seen)
                self.assertEqual(rep["status"], 404)
                self.assertEqual(rep["error"]["code"], "unknown_window")
                await ws_send(ws, {"op": "transfer", "window": 1, "matter": "YB02",
                                   "req": "r4"})
                rep = await ws_reply(ws, "r4", keep=seen)
                self.assertEqual(rep["status"], 200, rep)
                self.assertEqual(rep["ticket"]["matter"], "YB02")
                await ws_send(ws, {"op": "issue", "matter": "NOPE", "req": "r5"})
                rep = await ws_reply(ws, "r5", keep=seen)
                self.assertEqual((rep["status"], rep["error"]["code"]),
                                 (404, "unknown_matter"))
                await ws_send(ws, {"op": "call-next", "window": 1, "req": "r6"})
                rep = await ws_reply(ws, "r6", keep=seen)
                self.assertEqual(rep["status"], 200)
                await ws_send(ws, {"op": "finish", "window": 1, "req": "r7"})
                rep = await ws_reply(ws, "r7", keep=seen)
                self.assertEqual(rep["status"], 200)
                # the green B001 went first (head start); A001 is next
                self.assertEqual(called["number"], "B001")
                await ws_send(ws, {"op": "call-next", "window": 1, "req": "r8"})
                rep = await ws_reply(ws, "r8", keep=seen)
                self.assertEqual((rep["status"], rep["ticket"]["number"]), (200, "A001"))
                await ws_send(ws, {"op": "finish", "window": 1, "req": "r9"})
                rep = await ws_reply(ws, "r9", keep=seen)
                await ws_send(ws, {"op": "call-next", "window": 1, "req": "r10"})
                rep = await ws_reply(ws, "r10", keep=seen)
                self.assertEqual(rep["status"], 204)
                self.assertEqual(rep["req"], "r10")
                # events: called, transferred, called, done, each a
                # manager's and followed by its audit
                evs = [m for m in seen if "seq" in m and m.get("type") != "reply"]
                for _ in range(20):
                    if len(evs) >= 8:
                        break
                    evs.append(await ws_recv(ws))
                self.assertEqual([e["seq"] for e in evs[:8]], list(range(5, 13)))
                self.assertEqual([e["type"] for e in evs[:8]],
                                 ["ticket.called", "audit", "ticket.transferred",
                                  "audit", "ticket.called", "audit",
                                  "ticket.done", "audit"])
                self.assertEqual({e["by"] for e in evs[1:8:2]}, {"manager1"})
            finally:
                await ws.close()

            # a clerk bound to window 3 over WebSocket
            ws = await ws_open(h, "c3")
            try:
                await ws_send(ws, {"op": "call-next", "window": 4, "req": "x1"})
                rep = await ws_reply(ws, "x1")
                self.assertEqual((rep["status"], rep["error"]["code"]), (403, "forbidden"))
                await ws_send(ws, {"op": "pause", "window": 3, "req": "x2"})
                rep = await ws_reply(ws, "x2")
                self.assertEqual(rep["status"], 200)
                self.assertEqual(rep["window"]["state"], "paused")
            finally:
                await ws.close()

            # the token as the first message
            ws = await websockets.connect(h.ws_url(None), subprotocols=["hallq.v1"],
                                          ping_interval=None, open_timeout=10)
            try:
                await ws_send(ws, {"op": "auth", "token": "k1"})
                await ws_send(ws, {"op": "issue", "matter": "BDC01", "req": "a1"})
                rep = await ws_reply(ws, "a1")
                self.assertEqual(rep["status"], 201, rep)
                self.assertEqual(rep["ticket"]["number"], "A002")
            finally:
                await ws.close()

        run_async(go())

    def test_resume_across_restart(self):
        """The ring is gone after a restart: a client resumes from the
        database, then goes live."""
        h = self.hall
        for m in ("SB01", "YB01", "SB02"):
            h.issue_ok(m)

        async def first():
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe", "since": 1})
                evs, _ = await ws_events_until(ws, 3)
                contiguous(self, evs, 2, 3)
            finally:
                await ws.close()
        run_async(first())
        h.win(1, "call-next")
        h.stop()
        h.start()
        h.win(1, "finish")
        h.issue_ok("BDC01")
        last = h.status()["seq"]
        self.assertEqual(last, 6)

        async def second():
            loop = asyncio.get_running_loop()
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe", "since": 3})
                evs, _ = await ws_events_until(ws, last)
                contiguous(self, evs, 4, last)
                self.assertEqual([e["type"] for e in evs],
                                 ["ticket.called", "ticket.done", "ticket.issued"])
                await loop.run_in_executor(None, lambda: h.issue_ok("SB01"))
                ev = await ws_recv(ws)
                self.assertEqual(ev["seq"], last + 1)
            finally:
                await ws.close()
        run_async(second())

    def test_many_commands_in_flight(self):
        """40 commands sent without waiting: every reply carries its req;
        those refused say so (the daemon bounds what one client has in
        flight), those taken got contiguous numbers."""
        h = self.hall

        async def go():
            ws = await ws_open(h, "m1")
            try:
                for i in range(40):
                    await ws_send(ws, {"op": "issue", "matter": "YB01", "req": "q%d" % i})
                reps = {}
                for _ in range(40):
                    m = await ws_recv(ws)
                    self.assertEqual(m.get("type"), "reply", m)
                    self.assertNotIn(m["req"], reps)
                    reps[m["req"]] = m
                return reps
            finally:
                await ws.close()

        reps = run_async(go())
        self.assertEqual(set(reps), {"q%d" % i for i in range(40)})
        ok = [r for r in reps.values() if r["status"] == 201]
        for r in reps.values():
            if r["status"] != 201:
                self.assertIsInstance(r["error"]["code"], str, r)
                self.assertIsInstance(r["error"]["message"], str, r)
        self.assertGreaterEqual(len(ok), 1)
        self.assertEqual(sorted(r["ticket"]["number"] for r in ok),
                         ["B%03d" % i for i in range(1, len(ok) + 1)])
        # each issue and its audit (a manager's token)
        self.assertEqual(h.status()["seq"], 2 * len(ok))

    def test_commands_need_a_token(self):
        h = self.hall

        async def go():
            try:
                ws = await websockets.connect(h.ws_url(None), subprotocols=["hallq.v1"],
                                              ping_interval=None, open_timeout=10)
            except websockets.exceptions.InvalidStatusCode:
                return "refused"
            try:
                await ws_send(ws, {"op": "issue", "matter": "SB01", "req": "n1"})
                try:
                    rep = await ws_reply(ws, "n1")
                except websockets.exceptions.ConnectionClosed:
                    return "closed"
                self.assertEqual(rep["status"], 401, rep)
                self.assertEqual(rep["error"]["code"], "unauthorized")
                return "401"
            finally:
                await ws.close()

        run_async(go())
        self.assertEqual(h.status()["seq"], 0, "nothing was issued without a token")


class SmallRing(HallCase):
    hall_over = {"web.event_ring": 64}

    def test_replay_older_than_ring(self):
        h = self.hall

        async def go():
            loop = asyncio.get_running_loop()
            ws = await ws_open(h, "d1")
            await ws_send(ws, {"op": "subscribe"})
            snap = await ws_recv(ws)
            self.assertEqual((snap["type"], snap["seq"]), ("hall.snapshot", 0))
            await loop.run_in_executor(None, lambda: [h.issue_ok("SB01") for _ in range(2)])
            evs, _ = await ws_events_until(ws, 2)
            contiguous(self, evs, 1, 2)
            await ws.close()

            await loop.run_in_executor(None, lambda: issue_many(h, ["SB01", "YB01"], 250))
            s1 = h.status()["seq"]
            self.assertEqual(s1, 252)
            log = await loop.run_in_executor(None, lambda: h.events(since=0))

            for since in (2, 0, 150, 200):
                ws = await ws_open(h, "d1")
                try:
                    await ws_send(ws, {"op": "subscribe", "since": since})
                    missed, others = await ws_events_until(ws, s1)
                    contiguous(self, missed, since + 1, s1)
                    self.assertEqual(missed, log[since:])
                    if since == 2:
                        await loop.run_in_executor(None, lambda: h.issue_ok("YB02"))
                        ev = await ws_recv(ws)
                        self.assertEqual(ev["seq"], s1 + 1)
                        s1 += 1
                        log.append(ev)
                finally:
                    await ws.close()

        run_async(go())


def wide_hall():
    """The test hall with 300 more matters (long codes) on window 2, so
    that each window.paused/resumed event of window 2 is about 11 kB."""
    extra = [{"code": "X%031d" % i, "name": "附加事项%d" % i, "domain": "BDC",
              "prefix": "C"} for i in range(300)]
    wins = [dict(w) for w in WINDOWS]
    wins[1]["tiers"] = [ALL + [m["code"] for m in extra]]
    return {"web.event_ring": 64, "matters": MATTERS + extra, "windows": wins}


class SlowClient(HallCase):
    hall_over = wide_hall()

    def test_slow_client_is_cut_off(self):
        """A client that never reads, with a tiny receive buffer, while
        ~15 MB of events go by (more than the kernel's socket buffers can
        take): the server closes it; a reading client sees every event and
        the daemon serves on."""
        h = self.hall
        rss0 = h.rss_kb()
        slow = RawWS(h.port, "/ws?token=d1", rcvbuf=2048)
        slow.send_json({"op": "subscribe"})
        npairs = 700
        n = 4 * npairs		# each pause and resume, and its audit (m1)

        def generate():
            c = h.http()
            try:
                for _ in range(npairs):
                    for cmd in ("pause", "resume"):
                        r = c.req("POST", "/api/windows/2/" + cmd, None, "m1")
                        assert r.status == 200, r
            finally:
                c.close()

        async def go():
            loop = asyncio.get_running_loop()
            good = await ws_open(h, "d1")
            try:
                await ws_send(good, {"op": "subscribe", "since": 0})
                fut = loop.run_in_executor(None, generate)
                evs, _ = await ws_events_until(good, n, timeout=90)
                await fut
                contiguous(self, evs, 1, n)
                self.assertGreater(len(json.dumps(
                    [e for e in evs if e["type"] != "audit"][-1])), 10000)
            finally:
                await good.close()

        run_async(go(), 120)
        rss1 = h.rss_kb()
        # now read what the slow client was sent: it must end, and early
        slow.sock.settimeout(10)
        got, close_code, ended = 0, None, None
        try:
            for _ in range(n + 100):
                op, p = slow.recv_frame()
                if op == 0x1 and b'"seq"' in p and b"hall.snapshot" not in p \
                        and b'"auth"' not in p:
                    got += 1
                elif op == 0x8:
                    close_code = int.from_bytes(p[:2], "big") if len(p) >= 2 else None
                    ended = "close frame"
                    break
        except EOFError:
            ended = "eof"
        except ConnectionResetError:
            ended = "reset"
        except socket.timeout:
            ended = None
        finally:
            slow.close()
        self.assertIsNotNone(ended, "the slow client was not disconnected "
                             "(got %d messages for %d events, then silence)" % (got, n))
        self.assertLess(got, n, "the slow client got everything: it was buffered")
        if close_code is not None:
            self.assertEqual(close_code, 1008)
        print("  [slow client: %d messages for %d events, then %s %s; rss %d -> %d kB]" %
              (got, n, ended, close_code or "", rss0, rss1))
        # the daemon serves others
        h.assert_serving()

        async def after():
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe"})
                snap = await ws_recv(ws)
                self.assertEqual(snap["type"], "hall.snapshot")
                self.assertEqual(snap["seq"], n)
            finally:
                await ws.close()
        run_async(after())
