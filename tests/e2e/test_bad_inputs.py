"""Bad inputs answer 4xx with the error shape and the daemon stays up:
bodies, JSON, paths, methods, headers, WebSocket frames, the config check
(-n) and SIGHUP with a bad and a good config."""
import asyncio
import json
import os
import re
import signal
import socket
import subprocess
import time

import websockets

from harness import (HALLQD, HallCase, SharedHallCase, RawWS, raw_http, ws_open,
                     ws_send, ws_recv, ws_reply, run_async)


class BadRest(SharedHallCase):

    def tearDown(self):
        # after every bad input the daemon still serves, a ticket included
        self.hall.assert_serving()
        self.assertEqual(self.hall.issue("SB01").status, 201)

    def post(self, path, raw, token="k1", ctype="application/json"):
        return self.hall.req("POST", path, None, token, raw=raw,
                             headers={"Content-Type": ctype})

    def test_body_too_large(self):
        body = json.dumps({"matter": "SB01", "pad": "x" * 70000}).encode()
        self.assertError(self.post("/api/tickets", body), 413, "body_too_large")
        # a big non-JSON body, and one on a window command
        self.assertError(self.post("/api/tickets", b"[" * 200000), 413, "body_too_large")
        self.assertError(self.hall.req("POST", "/api/windows/1/call-next", None, "c-all",
                                       raw=b" " * 66000), 413, "body_too_large")
        # exactly 64 KiB of valid JSON is not too large (it is an unknown field)
        pad = 65536 - len(json.dumps({"matter": "SB01", "pad": ""}).encode())
        body = json.dumps({"matter": "SB01", "pad": "y" * pad}).encode()
        self.assertEqual(len(body), 65536)
        self.assertError(self.post("/api/tickets", body), 400, "unknown_field")

    def test_malformed_json(self):
        for raw in (b'{"matter": ', b'{matter: "SB01"}', b'{"matter":"SB01",}',
                    b"nul", b'{"matter":"SB01"} trailing', b'{"a":1,"a":2}'):
            self.assertError(self.post("/api/tickets", raw), 400, "malformed_json")

    def test_invalid_utf8(self):
        self.assertError(self.post("/api/tickets", b'{"matter":"SB01\xff\xfe"}'), 400,
                         "malformed_json")
        self.assertError(self.post("/api/tickets", b'{"matter":"\xc3"}'), 400,
                         "malformed_json")
        # \u0000 inside a string
        r = self.post("/api/tickets", b'{"matter":"SB\\u000001"}')
        self.assertIn(r.status, (400, 404), r)
        self.assertError(r, r.status)

    def test_non_object_body(self):
        for raw in (b"[1,2]", b'"SB01"', b"42", b"null", b"true"):
            r = self.post("/api/tickets", raw)
            self.assertError(r, 400)
            self.assertIn(r.json["error"]["code"], ("bad_request", "malformed_json"))

    def test_wrong_types(self):
        for body in ({"matter": 5}, {"matter": ""}, {"matter": None},
                     {"matter": ["SB01"]}, {}, {"matter": "SB01", "class": 1},
                     {"matter": "SB01", "phone": "abc"}):
            r = self.hall.req("POST", "/api/tickets", body, "k1")
            self.assertError(r, 400)
        self.assertError(self.hall.issue("SB01", **{"class": "vip"}), 400, "unknown_class")
        self.assertError(self.hall.issue("SB01", channel="fax"), 400, "unknown_channel")
        self.assertError(self.hall.win(1, "call", {"ticket": -1}), 400)
        self.assertError(self.hall.win(1, "call", {"ticket": 1.5}), 400)

    def test_unknown_matter_window_field(self):
        self.assertError(self.hall.issue("ZZ99"), 404, "unknown_matter")
        self.assertError(self.hall.win(99, "call-next"), 404, "unknown_window")
        self.assertError(self.hall.win(99, "pause", token="m1"), 404, "unknown_window")
        self.assertError(self.hall.req("GET", "/api/windows/99", None, "m1"), 404,
                         "unknown_window")
        self.assertError(self.hall.issue("SB01", colour="red"), 400, "unknown_field")
        self.assertError(self.hall.win(1, "call-next", {"ticket": 1}), 400,
                         "unknown_field")
        self.assertError(self.hall.win(1, "pause", {"why": "lunch"}), 400, "unknown_field")

    def test_unknown_path_and_method(self):
        h = self.hall
        for path in ("/api/nope", "/api/tickets/abc", "/api/tickets/0",
                     "/api/windows/1/explode", "/api/windows/x/call-next",
                     "/api/windows/-1/call-next", "/api/tickets/1/2",
                     "/api/windows/99999999999999999999/call-next"):
            self.assertError(h.req("GET", path, None, "m1"), 404)
            self.assertError(h.req("POST", path, {}, "m1"), 404)
        self.assertError(h.req("GET", "/api/nope", None, "m1"), 404, "not_found")
        self.assertError(h.req("GET", "/api/tickets", None, "m1"), 405,
                         "method_not_allowed")
        self.assertError(h.req("PUT", "/api/hall", {}, "m1"), 405, "method_not_allowed")
        self.assertError(h.req("DELETE", "/api/hall", None, "m1"), 405)
        self.assertError(h.req("GET", "/api/windows/1/call-next", None, "c-all"), 405)
        self.assertError(h.req("POST", "/api/status", {}, None), 405)
        # DELETE with a body: refused and not applied, or the body ignored
        # and applied, never half of each
        t = h.issue_ok("SB01")
        r = h.req("DELETE", "/api/tickets/%d" % t["id"], {"x": 1}, "k1")
        state = h.ticket(t["id"])["state"]
        if r.status == 400:
            self.assertEqual(state, "waiting")
        else:
            self.assertEqual((r.status, state), (200, "cancelled"))
        # not built yet: a plain answer, not a crash
        r = h.req("GET", "/api/public/queue")
        self.assertTrue(r.status in (200, 501), r)

    def test_huge_and_garbage_headers(self):
        port = self.hall.port
        big = b"GET /api/status HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 200000 + \
            b"\r\n\r\n"
        many = b"GET /api/status HTTP/1.1\r\nHost: x\r\n" + \
            b"".join(b"X-H%d: v\r\n" % i for i in range(5000)) + b"\r\n"
        auth = b"GET /api/hall HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + \
            b"t" * 100000 + b"\r\n\r\n"
        for data in (big, many, auth):
            status, out = raw_http(port, data)
            # a 4xx, or the connection dropped: never a 200, never a crash
            self.assertTrue(status is None or 400 <= status < 500, out[:200])
            self.hall.assert_serving()
        # garbage: whatever the HTTP parser makes of it (lws is lenient with
        # some, e.g. an unknown HTTP version), never a 5xx, never a crash
        for data in (b"\x00\x01\x02garbage\r\n\r\n",
                     b"GET /api/status HTTP/1.1\r\nNoColonHere\r\n\r\n",
                     b"GET /api/status HTTP/9.9\r\n\r\n",
                     b"FOO /api/status HTTP/1.1\r\nHost: x\r\n\r\n",
                     b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
                     b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999"
                     b"\r\n\r\n{}",
                     b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
                     b"\xff\xfe\xfd" * 1000 + b"\r\n\r\n"):
            status, out = raw_http(port, data, timeout=3)
            self.assertTrue(status is None or status < 500, out[:300])
            self.hall.assert_serving()
        # a request that stops in the middle, many times over: past 64 held
        # over a second by one address, more are turned away (429); other
        # addresses are served
        socks = []
        try:
            for _ in range(80):
                s = socket.create_connection(("127.0.0.1", port), timeout=5)
                s.sendall(b"POST /api/tickets HTTP/1.1\r\nHost: x\r\nContent-Length: 100"
                          b"\r\n\r\n{\"matt")
                socks.append(s)
            time.sleep(1.2)     # held over a second: they count
            status, out = raw_http(port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n",
                                   timeout=5)
            self.assertEqual(status, 429, out[:200])
            status, out = raw_http(port, b"GET /api/status HTTP/1.1\r\nHost: x\r\n\r\n",
                                   timeout=5, source="127.0.0.2")
            self.assertEqual(status, 200, out[:200])
        finally:
            for s in socks:
                s.close()
        # closed, they no longer count: this address is served at once

    def test_no_path_traversal(self):
        for path in (b"/../etc/passwd", b"/..%2f..%2fetc/passwd",
                     b"/%2e%2e/%2e%2e/etc/passwd", b"//etc/passwd",
                     b"/index.html/../../../etc/passwd", b"/./../../etc/passwd",
                     b"/%2e%2e%5c%2e%2e%5cetc%5cpasswd", b"/web/../../../../etc/passwd"):
            status, out = raw_http(self.hall.port,
                                   b"GET " + path + b" HTTP/1.1\r\nHost: x\r\n\r\n", timeout=3)
            self.assertNotIn(b"root:", out, path)
            self.assertTrue(status is None or 400 <= status < 500, (path, out[:200]))

    def test_error_content_type(self):
        r = self.hall.issue("ZZ99")
        self.assertTrue((r.header("Content-Type") or "").startswith("application/json"),
                        r.headers)


class BadWebSocket(SharedHallCase):

    def tearDown(self):
        self.hall.assert_serving()
        self.good_client_works()

    def good_client_works(self):
        async def go():
            ws = await ws_open(self.hall, "m1")
            try:
                await ws_send(ws, {"op": "issue", "matter": "YB01", "req": "ok"})
                rep = await ws_reply(ws, "ok")
                self.assertEqual(rep["status"], 201)
            finally:
                await ws.close()
        run_async(go(), 30)

    def outcome(self, ws, max_frames=20):
        """What the server did next: ('msg', obj) for a text message,
        ('closed', code) for a close frame, ('eof', None) for a drop."""
        try:
            for _ in range(max_frames):
                op, p = ws.recv_frame()
                if op == 0x1:
                    m = json.loads(p.decode("utf-8"))
                    if isinstance(m, dict) and m.get("type") == "auth":
                        continue    # the greeting for a token on the URL
                    return "msg", m
                if op == 0x8:
                    return "closed", int.from_bytes(p[:2], "big") if len(p) >= 2 else None
            return "other", None
        except (EOFError, ConnectionResetError):
            return "eof", None
        except socket.timeout:
            return "silence", None

    def test_garbage_text(self):
        for junk in ("not json", "{", "[1,2,3]", '"op"', '{"op":42}', '{"op":"explode"}',
                     '{"op":"subscribe","since":"x"}', '{"op":"subscribe","since":-5}',
                     '{"op":"call-next","window":"one"}', '{"op":"issue"}', "{}" * 1000):
            ws = RawWS(self.hall.port, "/ws?token=m1", timeout=5)
            try:
                ws.send_text(junk)
                kind, val = self.outcome(ws)
                if kind == "msg":
                    self.assertIn("error", val, (junk, val))
                    # and the connection still takes a good command
                    ws.send_json({"op": "issue", "matter": "SB02", "req": "after"})
                    for _ in range(20):
                        m = ws.recv_json()
                        if m.get("req") == "after":
                            break
                    self.assertEqual(m.get("status"), 201, m)
                else:
                    self.assertIn(kind, ("closed", "eof"), junk)
            finally:
                ws.close()
        # invalid UTF-8 in a text frame: the protocol says close (1007)
        ws = RawWS(self.hall.port, "/ws?token=m1", timeout=5)
        try:
            ws.send_frame(0x1, b'{"op":"issue","matter":"SB01\xff"}')
            kind, val = self.outcome(ws)
            self.assertTrue(kind in ("closed", "eof") or "error" in val, (kind, val))
        finally:
            ws.close()

    def test_binary_and_odd_frames(self):
        frames = [
            (0x2, os.urandom(300), {}),                 # binary
            (0x2, b'{"op":"issue","matter":"SB01"}', {}),
            (0x1, b'{"op":"su', {"fin": False}),        # fragment, never finished
            (0x3, b"reserved", {}),                     # reserved opcode
            (0x1, b'{"op":"status"}', {"mask": False}),  # unmasked client frame
            # (RFC 6455 says close; lws 4.1 lets it through: tolerated below)
            (0x9, b"p" * 200, {}),                      # control frame > 125
        ]
        for op, payload, kw in frames:
            ws = RawWS(self.hall.port, "/ws?token=m1", timeout=5)
            try:
                ws.send_frame(op, payload, **kw)
                if op == 0x1 and kw.get("fin") is False:
                    ws.send_frame(0x1, b"second start")     # a new message mid-fragment
                kind, val = self.outcome(ws)
                # closed, dropped, an error message or nothing at all; never a crash
                self.assertTrue(kind in ("closed", "eof", "silence") or "error" in val or
                                not kw.get("mask", True), (op, kind, val))
            finally:
                ws.close()
            self.hall.assert_serving()

    def test_oversized_frame(self):
        ws = RawWS(self.hall.port, "/ws?token=m1", timeout=10)
        try:
            big = json.dumps({"op": "issue", "matter": "SB01", "pad": "x" * (2 << 20)})
            try:
                ws.send_text(big)
            except (BrokenPipeError, ConnectionResetError):
                pass
            kind, val = self.outcome(ws)
            self.assertTrue(kind in ("closed", "eof") or "error" in val, (kind, val))
        finally:
            ws.close()
        # a frame header that announces 2^62 bytes
        ws = RawWS(self.hall.port, "/ws?token=m1", timeout=5)
        try:
            ws.send_frame(0x1, b"{}", length=1 << 62)
            kind, val = self.outcome(ws)
            self.assertIn(kind, ("closed", "eof", "silence"))
        finally:
            ws.close()

    def test_bad_token_and_protocol(self):
        async def go():
            try:
                ws = await websockets.connect(self.hall.ws_url("nope"),
                                              subprotocols=["hallq.v1"],
                                              ping_interval=None, open_timeout=10)
            except websockets.exceptions.InvalidStatusCode as e:
                self.assertIn(e.status_code, (401, 403))
                return
            try:
                await ws_send(ws, {"op": "subscribe"})
                m = await ws_recv(ws)
                self.assertNotEqual(m.get("type"), "hall.snapshot", m)
                self.assertIn("error", m)
            except websockets.exceptions.ConnectionClosed:
                pass
            finally:
                await ws.close()
        run_async(go(), 30)
        # a handshake on an unknown path is not a WebSocket
        try:
            ws = RawWS(self.hall.port, "/nope?token=d1", timeout=5)
            ws.close()
            self.fail("a WebSocket was accepted on /nope")
        except (AssertionError, EOFError, ConnectionResetError) as e:
            if "accepted" in str(e):
                raise

    def test_many_clients_connect_and_vanish(self):
        socks = []
        try:
            for _ in range(60):
                ws = RawWS(self.hall.port, "/ws?token=d1", timeout=5)
                ws.send_json({"op": "subscribe"})
                socks.append(ws)
            for i, ws in enumerate(socks):
                if i % 2:
                    ws.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
                ws.close()
        finally:
            for ws in socks:
                ws.close()
        for _ in range(20):
            self.hall.issue("SB01")


class ConfigCheck(HallCase):
    """hallqd -n, and SIGHUP."""

    def check(self, text, name="bad.json"):
        path = os.path.join(self.hall.dir, name)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([HALLQD, "-n", "-f", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace"), path

    def good_text(self, **over):
        return json.dumps(self.hall.config(**over), ensure_ascii=False, indent=2)

    def locate(self, text, needle):
        """1-based line and column (in characters) of needle in text."""
        i = text.index(needle)
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        return line, col

    def test_check_good_and_broken(self):
        code, out, path = self.check(self.good_text(), "good.json")
        self.assertEqual(code, 0, out)

        # a semantic error: a lower-case prefix; it points at the value
        text = self.good_text().replace('"prefix": "B"', '"prefix": "b"', 1)
        code, out, path = self.check(text)
        self.assertEqual(code, 1, out)
        line, col = self.locate(text, '"b"')
        self.assertIn("%s:%d:%d:" % (path, line, col), out)

        # an unknown matter in a window's tier
        text = self.good_text().replace('"YB02"\n', '"YB99"\n', 1)
        self.assertIn("YB99", text)
        code, out, path = self.check(text)
        self.assertEqual(code, 1, out)
        line, col = self.locate(text, '"YB99"')
        self.assertIn("%s:%d:%d:" % (path, line, col), out)

        # a syntax error: a missing comma
        text = self.good_text()
        line, _ = self.locate(text, '"listen"')
        lines = text.split("\n")
        lines[line - 2] = lines[line - 2].rstrip(",")
        text = "\n".join(lines)
        code, out, path = self.check(text)
        self.assertEqual(code, 1, out)
        m = re.search(re.escape(path) + r":(\d+):(\d+):", out)
        self.assertIsNotNone(m, out)
        self.assertIn(int(m.group(1)), (line - 1, line))

        # an unknown key, a missing key, an empty file, a missing file
        code, out, path = self.check(self.good_text().replace('"listen"', '"lisen"'))
        self.assertEqual(code, 1, out)
        self.assertRegex(out, re.escape(path) + r":\d+:\d+:")
        code, out, path = self.check("")
        self.assertEqual(code, 1, out)
        self.assertRegex(out, re.escape(path) + r":\d+:\d+:")
        p = subprocess.run([HALLQD, "-n", "-f", "/nonexistent/hallq.json"],
                           capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 1)
        self.assertIn("/nonexistent/hallq.json:", (p.stdout + p.stderr).decode())
        # the running daemon did not care
        self.hall.assert_serving()

    def wait_hall_name(self, name, tries=100):
        for _ in range(tries):
            if self.hall.status().get("hall") == name:
                return True
            time.sleep(0.05)
        return False

    def test_sighup(self):
        h = self.hall
        old = h.status()["hall"]
        t = h.issue_ok("SB01")
        # an invalid config: the old one keeps running
        good = h.config()
        h.write_config(text=self.good_text().replace('"listen"', '"listen" "oops"'))
        h.signal(signal.SIGHUP)
        time.sleep(0.5)
        h.assert_serving()
        self.assertEqual(h.status()["hall"], old)
        self.assertEqual(h.issue_ok("SB01")["number"], "A002")
        # semantically invalid (unknown matter in a tier)
        bad = h.config()
        bad["windows"][0]["tiers"] = [["NOPE"]]
        bad["hall"]["name"] = "不该出现"
        h.write_config(bad)
        h.signal(signal.SIGHUP)
        time.sleep(0.5)
        h.assert_serving()
        self.assertEqual(h.status()["hall"], old)
        # a valid one with a new hall name and window 5 serving 社保 too
        good["hall"]["name"] = "改名后的政务服务中心"
        good["windows"][4]["tiers"] = [["BDC01", "BDC02", "SB01"]]
        h.write_config(good)
        h.signal(signal.SIGHUP)
        self.assertTrue(self.wait_hall_name("改名后的政务服务中心"),
                        "SIGHUP with a valid config was not applied:\n" + h.stderr_tail())
        # state survived the reload
        self.assertEqual(h.ticket(t["id"])["state"], "waiting")
        w5 = h.req("GET", "/api/windows/5", None, "m1").json["window"]
        self.assertEqual(w5["tiers"], [["BDC01", "BDC02", "SB01"]])
        h.win(5, "open")
        self.assertEqual(h.win(5, "call-next").json["ticket"]["id"], t["id"])
        self.assertEqual(h.issue_ok("SB01")["number"], "A003")


class Reconfigure(HallCase):
    """SIGHUP with a valid config that takes away what tickets stand on."""

    def test_sighup_removes_matter_and_window(self):
        h = self.hall
        y = h.issue_ok("YB02")                  # its matter goes away
        s = h.issue_ok("SB01")
        self.assertEqual(h.win(4, "call-next").json["ticket"]["id"], y["id"])
        h.win(4, "transfer", {"matter": "YB02"})    # waiting again, YB02
        c = h.win(4, "call-next").json["ticket"]   # window 4 goes away with it
        self.assertEqual(c["id"], y["id"])
        conf = h.config()
        conf["matters"] = [m for m in conf["matters"] if m["code"] != "YB02"]
        for w in conf["windows"]:
            w["tiers"] = [[m for m in t if m != "YB02"] for t in w["tiers"]]
        conf["windows"] = [w for w in conf["windows"] if w["number"] != 4]
        conf["hall"]["name"] = "少了一个窗口"
        h.write_config(conf)
        h.signal(signal.SIGHUP)
        for _ in range(100):
            if h.status()["hall"] == "少了一个窗口":
                break
            time.sleep(0.05)
        self.assertEqual(h.status()["hall"], "少了一个窗口", h.stderr_tail())
        # everything still answers
        self.assertEqual(h.ticket(y["id"])["number"], y["number"])
        r = h.req("GET", "/api/hall", None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(w["number"] for w in r.json["windows"]), [1, 2, 3, 5, 6])
        self.assertNotIn("YB02", [m["code"] for m in r.json["matters"]])
        self.assertError(h.win(4, "finish"), 404, "unknown_window")
        self.assertError(h.issue("YB02"), 404, "unknown_matter")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], s["id"])
        self.assertEqual(h.win(1, "finish").status, 200)
        self.assertEqual(h.win(1, "call-next").status, 204)
        self.assertEqual(h.issue_ok("YB01")["number"], "B002")
        self.assertIsInstance(h.events(), list)
        # and after a restart on the same database
        h.restart()
        self.assertEqual(h.ticket(y["id"])["number"], y["number"])
        self.assertEqual(h.req("GET", "/api/hall", None, "m1").status, 200)
