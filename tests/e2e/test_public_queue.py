"""GET /api/public/queue, the hall's public figures (issue 14, "Public
figures"): no token, nothing personal, CORS *, an ETag and 304 for
If-None-Match, figures that follow the hall within the copy's refresh
bound and agree with GET /api/hall's matter loads, answered while the core
is busy, and bad methods and queries answered in the error shape."""
import json
import threading
import time

from harness import ClockHallCase, HallCase, hall_ms, hours_over, id_number, mobile, raw_http

PATH = "/api/public/queue"

# What the contract names (web/README.md, "GET /api/public/queue").
TOP = {"hall", "hall_en", "at", "open", "next_open", "q_url", "book_url", "matters"}
MATTER = {"code", "name", "name_en", "domain", "domain_name", "domain_name_en",
          "waiting", "eta_s", "open_windows", "accepting", "bookable"}
# What the daemon adds beside them: the hall's clock (as GET /api/hall).
EXTRA_TOP = {"timezone", "utc_offset_s", "hours_enforced"}

REFRESH_S = 2.5     # the copy follows a change within ~1 s; bounded waits use this


def total(f):
    return sum(m["waiting"] for m in f["matters"])


class PublicQueueCase(HallCase):

    def get(self, headers=None, path=PATH, client=None):
        c = client or self.hall.http()
        try:
            return c.req("GET", path, headers=headers)
        finally:
            if client is None:
                c.close()

    def figures(self):
        r = self.get()
        self.assertEqual(r.status, 200, r)
        return r

    def until(self, pred, what, timeout=REFRESH_S):
        """The first answer r with pred(r) (bounded); returns (r, seconds)."""
        t0 = time.monotonic()
        deadline = t0 + timeout
        last = None
        for _ in range(int(timeout / 0.05) + 2):
            last = self.get()
            if last.status == 200 and pred(last):
                return last, time.monotonic() - t0
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise AssertionError("not within %ss: %s; last %r" % (timeout, what, last))

    def hall_loads(self):
        r = self.hall.req("GET", "/api/hall", None, "d1")
        self.assertEqual(r.status, 200, r)
        return {m["code"]: m for m in r.json["matters"]}


class PublicQueue(PublicQueueCase):

    def test_no_token_shape_cors_etag(self):
        h = self.hall
        r = self.figures()
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertEqual(r.header("Access-Control-Allow-Origin"), "*")
        self.assertEqual(r.header("Access-Control-Expose-Headers"), "ETag")
        self.assertEqual(r.header("Cache-Control"), "no-cache")
        etag = r.header("ETag")
        self.assertRegex(etag or "", r'^"[^"]+"$', "a strong, quoted ETag")
        f = r.json
        self.assertTrue(TOP <= set(f), "missing: %s" % (TOP - set(f)))
        self.assertEqual(set(f) - TOP - EXTRA_TOP, set(), "members the contract does not name")
        self.assertEqual(f["hall"], "测试县政务服务中心")
        self.assertIsNone(f["hall_en"])
        self.assertIsInstance(f["at"], int)
        self.assertIsInstance(f["open"], bool)
        self.assertEqual(f["q_url"], "http://127.0.0.1:%d/q" % h.port)
        self.assertIsNone(f["book_url"], "nothing is bookable in this hall")
        self.assertEqual([m["code"] for m in f["matters"]],
                         ["SB01", "SB02", "YB01", "YB02", "BDC01", "BDC02"])
        for m in f["matters"]:
            self.assertEqual(set(m), MATTER, m)
            self.assertEqual((m["waiting"], m["bookable"]), (0, False), m)
            self.assertIsInstance(m["accepting"], bool)
        sb = f["matters"][0]
        self.assertEqual((sb["name"], sb["domain"], sb["domain_name"]), ("社保参保登记", "SB", "社会保险"))
        # Windows 1-4 open: SB01 by 1, 2, 3 (tier 1) and 4 (tier 2); BDC by 1, 2.
        self.assertEqual(sb["open_windows"], 4)
        self.assertEqual(f["matters"][4]["open_windows"], 2)
        # A token is neither needed nor in the way: a bad one, a good one.
        for tok in ("nope", "k1", "m1"):
            r2 = h.http().req("GET", PATH, token=tok)
            self.assertEqual(r2.status, 200, (tok, r2))
            self.assertEqual(r2.header("ETag"), etag)
        # A trailing slash is the same resource.
        self.assertEqual(self.get(path=PATH + "/").header("ETag"), etag)

    def test_if_none_match_304_and_changes_after_a_ticket(self):
        h = self.hall
        r = self.figures()
        etag = r.header("ETag")
        # The current tag: 304, no body, the same tag, CORS.
        for inm in (etag, '"nope", ' + etag):
            n = self.get({"If-None-Match": inm})
            self.assertEqual(n.status, 304, (inm, n))
            self.assertEqual(n.body, b"")
            self.assertEqual(n.header("ETag"), etag)
            self.assertEqual(n.header("Access-Control-Allow-Origin"), "*")
            self.assertIn(n.header("Content-Length"), (None, "0"))
        # On the wire too: a 304 carries no body.
        status, raw = raw_http(h.port, ("GET %s HTTP/1.1\r\nHost: hall\r\nIf-None-Match: %s\r\n"
                                        "Connection: close\r\n\r\n" % (PATH, etag)).encode(), timeout=5)
        self.assertEqual(status, 304, raw)
        self.assertEqual(raw.split(b"\r\n\r\n", 1)[1], b"")
        # Another tag: the figures.
        other = self.get({"If-None-Match": '"0000000000000000"'})
        self.assertEqual(other.status, 200)
        self.assertEqual(json.loads(other.body), r.json)
        # A ticket: a new tag and one more waiting, within the refresh bound.
        h.issue_ok("YB02", phone=mobile(1))
        r2, took = self.until(lambda x: x.header("ETag") != etag, "a new ETag after the ticket")
        self.assertEqual(total(r2.json), total(r.json) + 1)
        self.assertEqual([m["waiting"] for m in r2.json["matters"] if m["code"] == "YB02"], [1])
        self.assertEqual(self.get({"If-None-Match": etag}).status, 200, "the old tag is stale")
        self.assertEqual(self.get({"If-None-Match": r2.header("ETag")}).status, 304)
        print("  [the public figures followed a ticket in %.2f s]" % took)

    def test_the_tag_stands_while_the_figures_do(self):
        """The copy is remade every 10 s for the hours: the same figures keep
        their ETag, so a phone's poll is a 304."""
        r = self.figures()
        etag = r.header("ETag")
        time.sleep(11)
        n = self.get({"If-None-Match": etag})
        self.assertEqual(n.status, 304, "the ETag changed with nothing changed: %r" % n)
        again = self.figures().json
        for f in (again, r.json):
            f.pop("now", None)      # the daemon's clock is not part of the figures
        self.assertEqual(again, r.json)

    def test_nothing_personal(self):
        h = self.hall
        secrets = []
        for i, m in enumerate(("SB01", "SB01", "YB01", "BDC01")):
            phone, idn = mobile(12345670 + i), id_number(100 + i)
            r = h.issue(m, phone=phone, id_number=idn)
            self.assertEqual(r.status, 201, r)
            secrets += [phone, idn, r.json["token"]]
            t = r.json["ticket"]
            for k in ("phone", "id_number"):     # the masked forms too
                if t.get(k):
                    secrets.append(t[k])
        self.assertEqual(h.win(1, "call-next").status, 200)
        f, _ = self.until(lambda x: total(x.json) == 3, "three waiting")
        body = f.body.decode("utf-8")
        for s in secrets + [phone[-4:] + '"', idn[-6:]]:
            self.assertNotIn(s, body)
        # Nor a token of the configuration, as any value.
        tokens = {"k1", "m1", "a1", "d1", "c3", "c-all"}

        def walk(v):
            if isinstance(v, dict):
                for x in v.values():
                    walk(x)
            elif isinstance(v, list):
                for x in v:
                    walk(x)
            else:
                self.assertNotIn(v, tokens)
        walk(f.json)
        # Nothing of a ticket at all: no numbers, no ticket members.
        self.assertNotRegex(body, r'"[AB]\d{3}"')
        for k in ("ticket", "tickets", "number", "phone", "id_number", "token", "clerk", "windows"):
            self.assertNotIn('"%s"' % k, body)

    def test_waiting_and_eta_match_the_hall(self):
        h = self.hall
        for m in ("SB01", "SB01", "SB02", "YB01", "YB01", "YB02", "BDC01", "BDC02", "SB01"):
            h.issue_ok(m)
        self.assertEqual(h.win(2, "call-next").status, 200)
        self.assertEqual(h.win(4, "call-next").status, 200)
        self.assertEqual(h.win(4, "finish").status, 200)
        self.assertEqual(h.win(1, "close", token="m1").status, 200)   # fewer windows for BDC
        # The figures and the hall's loads agree once the copy has followed.
        want = {}

        def agree(r):
            loads = self.hall_loads()
            want.clear()
            want.update(loads)
            return all((m["waiting"], m["eta_s"], m["open_windows"], m["accepting"]) ==
                       (loads[m["code"]]["waiting"], loads[m["code"]]["eta_s"],
                        loads[m["code"]]["open_windows"], loads[m["code"]]["accepting"])
                       for m in r.json["matters"])
        f, took = self.until(agree, "the public figures agree with GET /api/hall")
        self.assertEqual(total(f.json), 7)
        for m in f.json["matters"]:
            hl = want[m["code"]]
            for k in ("name", "name_en", "domain", "domain_name", "domain_name_en"):
                self.assertEqual(m[k], hl[k], (m["code"], k))
        bdc = [m for m in f.json["matters"] if m["code"] == "BDC01"][0]
        self.assertEqual(bdc["open_windows"], 1)
        # Every window of BDC02 closed: no estimate (null), never "no wait".
        self.assertEqual(h.win(2, "finish").status, 200)
        self.assertEqual(h.win(2, "close", token="m1").status, 200)
        f, _ = self.until(lambda x: [m for m in x.json["matters"] if m["code"] == "BDC02"][0]["open_windows"] == 0,
                          "BDC02 without an open window")
        bdc2 = [m for m in f.json["matters"] if m["code"] == "BDC02"][0]
        self.assertEqual((bdc2["waiting"], bdc2["eta_s"]), (1, None))
        self.assertIsNone(self.hall_loads()["BDC02"]["eta_s"])
        print("  [figures agreed with GET /api/hall %.2f s after the last change]" % took)

    def test_bad_methods_and_queries(self):
        h = self.hall
        for method in ("POST", "PUT", "DELETE", "PATCH"):
            r = h.http().req(method, PATH, body={} if method in ("POST", "PUT", "PATCH") else None)
            self.assertError(r, 405, "method_not_allowed")
            self.assertEqual(r.header("Allow"), "GET, POST, PUT, DELETE")
        for q in ("?x=1", "?lang=en", "?"):
            self.assertError(self.get(path=PATH + q), 400)
        self.assertError(self.get(path="/api/public/queues"), 404, "not_found")
        self.assertError(self.get(path=PATH + "/x"), 404, "not_found")
        # Still serving, unchanged.
        self.assertEqual(self.figures().json["hall"], "测试县政务服务中心")


class PublicQueueHours(PublicQueueCase):
    """The hours hall (bookable SB01 and SB02) with a public address."""
    hall_over = hours_over(**{"hall.public_url": "https://zwfw.example.cn/hall/"})

    def test_public_url_book_url_and_bookable(self):
        f = self.figures().json
        self.assertEqual(f["q_url"], "https://zwfw.example.cn/hall/q")
        self.assertEqual(f["book_url"], "https://zwfw.example.cn/hall/book")
        self.assertEqual({m["code"]: m["bookable"] for m in f["matters"]},
                         {"SB01": True, "SB02": True, "YB01": False, "YB02": False,
                          "BDC01": False, "BDC02": False})
        self.assertIsInstance(f["open"], bool)
        if f["open"]:
            self.assertIsNone(f["next_open"])
        else:
            self.assertIsInstance(f["next_open"], int)
            self.assertGreater(f["next_open"], f["at"])


class PublicQueueClock(PublicQueueCase, ClockHallCase):
    """The hours hall with its hours enforced, on Tuesday 2026-12-01."""
    hall_over = hours_over()
    clock = hall_ms(2026, 12, 1, 17, 10)

    def test_closing_and_closed(self):
        # 17:10: the hall is open till 17:30, window 5 (BDC02's only one)
        # closed at 17:00: BDC02 takes no more numbers today.
        f, _ = self.until(lambda x: x.json["open"] is True and
                          [m for m in x.json["matters"] if m["code"] == "BDC02"][0]["open_windows"] == 0,
                          "the hall open, window 5 closed")
        self.assertIsNone(f.json["next_open"])
        loads = self.hall_loads()
        acc = {m["code"]: m["accepting"] for m in f.json["matters"]}
        self.assertEqual(acc, {c: m["accepting"] for c, m in loads.items()})
        self.assertFalse(acc["BDC02"])
        self.assertTrue(acc["SB01"])
        bdc2 = [m for m in f.json["matters"] if m["code"] == "BDC02"][0]
        self.assertIsNone(bdc2["eta_s"])
        # Sunday 10:00 (the same database): closed; open again on Monday at 08:30.
        self.later(hall_ms(2026, 12, 6, 10, 0))
        f, _ = self.until(lambda x: x.json["open"] is False and
                          all(m["open_windows"] == 0 for m in x.json["matters"]), "the hall closed")
        self.assertEqual(f.json["next_open"], hall_ms(2026, 12, 7, 8, 30))
        r = self.hall.req("GET", "/api/hall", None, "d1").json
        self.assertEqual((r["open"], r["next_open"]), (f.json["open"], f.json["next_open"]))
        self.assertEqual({m["code"]: (m["accepting"], m["eta_s"]) for m in f.json["matters"]},
                         {m["code"]: (m["accepting"], m["eta_s"]) for m in r["matters"]})
        self.assertFalse(any(m["accepting"] for m in f.json["matters"]))


class PublicQueueBusy(PublicQueueCase):
    """A short command queue flooded with tickets: the public figures are
    the web thread's copy and answer at once, never 503."""
    hall_over = {"web.command_queue": 16}

    def test_answered_while_the_core_is_busy(self):
        h = self.hall
        etag0 = self.figures().header("ETag")
        issued, lock, stop = [], threading.Lock(), threading.Event()

        def worker():
            c = h.http()
            try:
                for _ in range(15):
                    r = c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
                    with lock:
                        issued.append(r.status)
            finally:
                c.close()

        answers = []

        def reader():
            c = h.http()
            try:
                while not stop.is_set() and len(answers) < 5000:
                    t0 = time.monotonic()
                    r = c.req("GET", PATH)
                    answers.append((r.status, time.monotonic() - t0, r.header("ETag")))
            finally:
                c.close()

        rd = threading.Thread(target=reader, daemon=True)
        rd.start()
        ths = [threading.Thread(target=worker, daemon=True) for _ in range(40)]
        for t in ths:
            t.start()
        for t in ths:
            t.join(60)
        stop.set()
        rd.join(30)
        self.assertFalse(rd.is_alive())
        self.assertEqual(len(issued), 600)
        ok = issued.count(201)
        busy = issued.count(503)
        self.assertEqual(ok + busy, 600, set(issued))
        self.assertGreater(len(answers), 10)
        self.assertEqual({s for s, _, _ in answers}, {200}, "the public figures answered otherwise while busy")
        worst = max(d for _, d, _ in answers)
        self.assertLess(worst, 2.0, "a public answer took %.2f s while the core was busy" % worst)
        # Then the figures follow: every ticket issued is waiting.
        f, _ = self.until(lambda x: total(x.json) == ok, "%d waiting after the flood" % ok, timeout=5)
        self.assertNotEqual(f.header("ETag"), etag0)
        print("  [%d public answers during the flood (%d issued, %d answered 503), the slowest %.0f ms]" %
              (len(answers), ok, busy, worst * 1000))
