"""Shutdown and load: SIGTERM with clients connected and under a burst of
issues (exit 0, nothing acknowledged lost), HTTP pipelining and chunked
bodies, a full command queue (503 with the error shape), many WebSocket
clients, and web.max_clients."""
import asyncio
import socket
import sqlite3
import threading

import websockets

from harness import HallCase, ws_open, ws_send, ws_recv, run_async


def read_responses(sock, n, timeout=10):
    """Read up to n HTTP responses (Content-Length bodies) from sock."""
    sock.settimeout(timeout)
    buf, out = b"", []
    for _ in range(10000):
        while b"\r\n\r\n" in buf and len(out) < n:
            head, rest = buf.split(b"\r\n\r\n", 1)
            cl = 0
            for line in head.split(b"\r\n")[1:]:
                k, _, v = line.partition(b":")
                if k.strip().lower() == b"content-length":
                    cl = int(v.strip())
            if len(rest) < cl:
                break
            out.append((int(head.split(b" ", 2)[1]), rest[:cl]))
            buf = rest[cl:]
        if len(out) >= n:
            break
        try:
            d = sock.recv(65536)
        except (socket.timeout, ConnectionResetError):
            break
        if not d:
            break
        buf += d
    return out


class Load(HallCase):

    def test_sigterm_with_clients_connected(self):
        h = self.hall
        h.issue_ok("SB01")
        idle = socket.create_connection(("127.0.0.1", h.port), timeout=5)
        half = socket.create_connection(("127.0.0.1", h.port), timeout=5)
        half.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{")
        keep = h.http()
        self.assertEqual(keep.req("GET", "/api/status").status, 200)

        async def go():
            wss = []
            for _ in range(5):
                ws = await ws_open(h, "d1")
                await ws_send(ws, {"op": "subscribe", "since": 0})
                self.assertEqual((await ws_recv(ws))["seq"], 1)
                wss.append(ws)
            # SIGTERM while they are all connected: exit 0 (stop() checks)
            await asyncio.get_running_loop().run_in_executor(None, h.stop)
            for ws in wss:
                try:
                    await asyncio.wait_for(ws.recv(), 5)
                except (websockets.exceptions.ConnectionClosed, asyncio.TimeoutError):
                    pass
                await ws.close()

        try:
            run_async(go(), 60)
        finally:
            idle.close()
            half.close()
            keep.close()
        h.start()
        self.assertEqual(h.status()["seq"], 1)

    def test_sigterm_during_issues_loses_nothing(self):
        h = self.hall
        acked, lock = [], threading.Lock()
        started = threading.Event()

        def worker(k):
            c = h.http(timeout=10)
            try:
                for i in range(100):
                    r = c.req("POST", "/api/tickets", {"matter": ("SB01", "YB01")[i % 2]},
                              "k1", retry=False)
                    if r.status == 201:
                        with lock:
                            acked.append((r.json["ticket"]["id"], r.json["ticket"]["number"]))
                        if len(acked) > 50:
                            started.set()
                    elif r.status != 503:
                        return
            except Exception:
                pass
            finally:
                c.close()

        ths = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(8)]
        for t in ths:
            t.start()
        started.wait(30)
        h.stop()        # SIGTERM mid-burst: must exit 0
        for t in ths:
            t.join(30)
        self.assertGreater(len(acked), 50)
        h.start()
        for tid, number in acked:
            self.assertEqual(h.ticket(tid)["number"], number)
        h.stop()
        db = sqlite3.connect("file:%s?mode=ro" % h.db_path, uri=True)
        try:
            for p in ("A", "B"):
                seqs = sorted(r[0] for r in db.execute(
                    "SELECT seqno FROM tickets WHERE prefix = ?", (p,)))
                self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
            # A clean stop answers every command it ran: each ticket on disk
            # was told to its kiosk (none issued and never answered).
            self.assertEqual(db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0],
                             len(acked))
        finally:
            db.close()

    def wedged(self, what):
        """Fail fast if the daemon stopped serving (and cannot be stopped)."""
        try:
            self.hall.assert_serving(timeout=5)
        except AssertionError as e:
            self.hall.kill9()
            self.fail("%s: the daemon stopped serving everyone: %s" % (what, e))

    def test_pipelined_requests(self):
        h = self.hall
        body = b'{"matter":"SB01"}'
        post = (b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k1\r\n"
                b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n%s"
                % (len(body), body))
        get = b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n"
        nposts = 0
        for seq, want in (((get, get), [200, 200]),
                          ((get, post), [200, 201]),
                          ((post, get, post, get, post), [201, 200, 201, 200, 201])):
            s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
            try:
                s.sendall(b"".join(seq))
                out = read_responses(s, len(seq), timeout=5)
            finally:
                s.close()
            self.wedged("pipelined %s" % b" + ".join(x.split(b" ", 1)[0] for x in seq))
            # all in order, or the server closed after some complete ones
            self.assertGreaterEqual(len(out), 1)
            self.assertEqual([o[0] for o in out], want[:len(out)], out)
            for o in out:
                if o[0] == 201:
                    nposts += 1
                    self.assertIn(b'"A%03d"' % nposts, o[1])
            if len(out) < len(seq):
                print("  [pipelining: %d of %d answered, then closed]" %
                      (len(out), len(seq)))
            # nothing was done that was not answered
            self.assertEqual(h.status()["seq"], nposts)

    def test_chunked_body(self):
        h = self.hall
        s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
        try:
            s.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer k1\r\n"
                      b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                      b"5\r\n{\"mat\r\nc\r\nter\":\"YB01\"}\r\n0\r\n\r\n")
            out = read_responses(s, 1, timeout=5)
        finally:
            s.close()
        self.wedged("a chunked body")
        # taken (201), or refused (411 Length Required, 400): never no answer
        self.assertEqual(len(out), 1, "no answer to a chunked POST")
        if out[0][0] == 201:
            self.assertIn(b'"B001"', out[0][1])
        else:
            self.assertIn(out[0][0], (400, 411), out)
            self.assertEqual(self.hall.status()["seq"], 0)
        print("  [chunked body: %d]" % out[0][0])

    def test_many_websocket_clients(self):
        h = self.hall
        n = 100

        async def go():
            wss = []
            try:
                for i in range(n):
                    ws = await ws_open(h, "d1")
                    await ws_send(ws, {"op": "subscribe"})
                    snap = await ws_recv(ws)
                    assert snap["type"] == "hall.snapshot"
                    wss.append(ws)
                await asyncio.get_running_loop().run_in_executor(
                    None, lambda: [h.issue_ok("SB01") for _ in range(3)])
                for ws in wss:
                    seqs = [(await ws_recv(ws))["seq"] for _ in range(3)]
                    self.assertEqual(seqs, [1, 2, 3])
            finally:
                for ws in wss:
                    await ws.close()

        run_async(go(), 90)


class FullQueue(HallCase):
    hall_over = {"web.command_queue": 16}

    def test_full_command_queue_answers_503(self):
        h = self.hall
        results, lock = [], threading.Lock()

        def worker():
            c = h.http()
            try:
                for _ in range(15):
                    r = c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
                    with lock:
                        results.append(r)
            finally:
                c.close()

        ths = [threading.Thread(target=worker, daemon=True) for _ in range(40)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(60)
        self.assertEqual(len(results), 600)
        ok = [r for r in results if r.status == 201]
        busy = [r for r in results if r.status != 201]
        for r in busy:
            self.assertError(r, 503, "busy")
        numbers = sorted(r.json["ticket"]["number"] for r in ok)
        self.assertEqual(numbers, ["A%03d" % i for i in range(1, len(ok) + 1)])
        print("  [command queue 16: %d issued, %d answered 503]" % (len(ok), len(busy)))
        h.assert_serving()


class MaxClients(HallCase):
    hall_over = {"web.max_clients": 5}

    def test_max_clients(self):
        h = self.hall

        async def go():
            wss = []
            try:
                for _ in range(5):
                    wss.append(await ws_open(h, "d1"))
                refused = False
                try:
                    extra = await ws_open(h, "d1")
                    try:
                        await ws_send(extra, {"op": "subscribe"})
                        await ws_recv(extra, 5)
                    except websockets.exceptions.ConnectionClosed:
                        refused = True
                    await extra.close()
                except (websockets.exceptions.InvalidHandshake, OSError, EOFError):
                    refused = True
                self.assertTrue(refused, "a 6th WebSocket client was served")
                # REST is not a WebSocket client
                await asyncio.get_running_loop().run_in_executor(None, h.assert_serving)
                # one leaves, another may come
                await wss.pop().close()
                ws = None
                for _ in range(50):
                    try:
                        ws = await ws_open(h, "d1")
                        break
                    except (websockets.exceptions.InvalidHandshake, OSError):
                        await asyncio.sleep(0.05)
                self.assertIsNotNone(ws)
                await ws_send(ws, {"op": "subscribe"})
                self.assertEqual((await ws_recv(ws))["type"], "hall.snapshot")
                wss.append(ws)
            finally:
                for ws in wss:
                    await ws.close()

        run_async(go(), 60)
