"""Two clients hammering call-next on windows that share matters: every
ticket is called exactly once, by the replies and by the event log."""
import asyncio
import threading

from harness import HallCase, ALL, ws_open, ws_send, ws_reply, run_async


def issue_many(hall, matters, n, nthreads=4):
    """Issue n tickets from nthreads keep-alive clients; returns tickets."""
    out, errors = [], []
    lock = threading.Lock()

    def worker(k):
        c = hall.http()
        try:
            for i in range(k, n, nthreads):
                r = c.req("POST", "/api/tickets", {"matter": matters[i % len(matters)]},
                          "k1")
                if r.status != 201:
                    with lock:
                        errors.append(r)
                    return
                with lock:
                    out.append(r.json["ticket"])
        except Exception as e:
            with lock:
                errors.append(e)
        finally:
            c.close()

    ths = [threading.Thread(target=worker, args=(k,), daemon=True)
           for k in range(nthreads)]
    for t in ths:
        t.start()
    for t in ths:
        t.join(120)
    if errors or any(t.is_alive() for t in ths):
        raise AssertionError("issuing failed: %r" % errors[:3])
    return out


class Hammer(HallCase):

    def test_two_windows_call_next_1000(self):
        h = self.hall
        tickets = issue_many(h, ALL, 1000)
        self.assertEqual(len(tickets), 1000)
        ids = {t["id"] for t in tickets}
        self.assertEqual(len(ids), 1000)
        called = {1: [], 2: []}
        errors = []
        start = threading.Barrier(2, timeout=30)

        def clerk(window):
            c = h.http()
            try:
                start.wait()
                for _ in range(1100):
                    r = c.req("POST", "/api/windows/%d/call-next" % window, None, "c-all")
                    if r.status == 204:
                        return
                    if r.status != 200:
                        errors.append((window, "call-next", r))
                        return
                    t = r.json["ticket"]
                    called[window].append(t["id"])
                    if t["window"] != window or t["state"] != "called":
                        errors.append((window, "bad ticket", t))
                        return
                    r = c.req("POST", "/api/windows/%d/finish" % window, None, "c-all")
                    if r.status != 200:
                        errors.append((window, "finish", r))
                        return
                errors.append((window, "never got 204"))
            except Exception as e:
                errors.append((window, e))
            finally:
                c.close()

        ths = [threading.Thread(target=clerk, args=(w,), daemon=True) for w in (1, 2)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(150)
        self.assertFalse(any(t.is_alive() for t in ths), "clerks still running")
        self.assertEqual(errors, [])
        both = called[1] + called[2]
        self.assertEqual(len(both), len(set(both)), "a ticket was called twice")
        self.assertEqual(set(both), ids)
        # both windows did work (shared matters, really concurrent)
        self.assertGreater(len(called[1]), 0)
        self.assertGreater(len(called[2]), 0)
        # the event log agrees
        evs = h.events()
        self.assertEqual([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        calls = [e for e in evs if e["type"] == "ticket.called"]
        self.assertEqual(len(calls), 1000)
        by_ticket = {}
        for e in calls:
            tid = e["ticket"]["id"]
            self.assertNotIn(tid, by_ticket, "ticket.called twice for %d" % tid)
            by_ticket[tid] = e["window"]
        for w in (1, 2):
            for tid in called[w]:
                self.assertEqual(by_ticket[tid], w)
        self.assertEqual(sum(1 for e in evs if e["type"] == "ticket.done"), 1000)
        # FIFO per window within one matter: each window's calls of one matter
        # come in issue order
        order = {t["id"]: i for i, t in enumerate(sorted(tickets, key=lambda t: t["id"]))}
        for w in (1, 2):
            seen = {}
            matter_of = {t["id"]: t["matter"] for t in tickets}
            for tid in called[w]:
                m = matter_of[tid]
                self.assertGreater(order[tid], seen.get(m, -1))
                seen[m] = order[tid]

    def test_two_websocket_clerks(self):
        """The same over WebSocket commands, windows 3 and 4 (分领域: 社保 and
        医保 in opposite tier order)."""
        h = self.hall
        tickets = issue_many(h, ["SB01", "YB01", "SB02", "YB02"], 300)
        ids = {t["id"] for t in tickets}

        async def clerk(window, log):
            ws = await ws_open(h, "c-all")
            try:
                for i in range(400):
                    rq = "w%d-%d" % (window, i)
                    await ws_send(ws, {"op": "call-next", "window": window, "req": rq})
                    rep = await ws_reply(ws, rq)
                    if rep["status"] == 204:
                        return
                    assert rep["status"] == 200, rep
                    log.append(rep["ticket"]["id"])
                    rq = "f%d-%d" % (window, i)
                    await ws_send(ws, {"op": "finish", "window": window, "req": rq})
                    rep = await ws_reply(ws, rq)
                    assert rep["status"] == 200, rep
                raise AssertionError("window %d never got 204" % window)
            finally:
                await ws.close()

        async def both():
            a, b = [], []
            await asyncio.gather(clerk(3, a), clerk(4, b))
            return a, b

        a, b = run_async(both(), 150)
        self.assertEqual(len(a + b), len(set(a + b)), "a ticket was called twice")
        self.assertEqual(set(a + b), ids)
        calls = [e["ticket"]["id"] for e in h.events() if e["type"] == "ticket.called"]
        self.assertEqual(sorted(calls), sorted(ids))


