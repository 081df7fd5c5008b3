"""好差评 cases, the 办不成事 ledger and rating records (issue 15) from
outside: the real hallqd, its clock started by HALLQ_CLOCK_START on Friday
2026-09-18 10:00 (hall time), a calendar written into the test's config
(Mid-Autumn 09-25..27 and National Day 10-01..07 holidays, 调休 make-up
days Sunday 09-20 and Saturday 10-10), checked against web/README.md
"## 好差评 cases, rating records and reports":

- a rating of 1 or 2 opens a `rating` case in the rating's own commit
  (case.opened right after rating.recorded), due at the end (23:59:59.999
  hall time) of the 15th working day counted from the day after the rating,
  the deadline computed here from the calendar; 3-5 open none;
- the step table: every legal step answers 200 with the new state and the
  step recorded, every other one 409 illegal_step (naming the state), bad
  bodies 400, 404 unknown_case, manager only;
- appeal and review: upheld strikes the rating (case closed with struck,
  rating.struck, the rating leaves the report's figures, its record says
  struck), not upheld goes back to verified with founded;
- overdue across a restart with rectify_working_days 1;
- a 办不成事 ledger entry (window 28 "ledger": true), masked, listed by kind;
- rating records in the national shape, real-name and masked, the handling
  block from the case's steps, paging with after/next;
- kill -9 right after a 1-star rating's 201: the case is there after restart.
"""
import datetime
import json
import threading
import time

from harness import (ClockHallCase, MATTERS, WINDOWS, DOMAINS, HALL_NAME,
                     hall_day, hall_ms, id_number, mobile, run_async, ws_open, ws_recv,
                     ws_send)

DAY_MS = 86400 * 1000
CLOCK = hall_ms(2026, 9, 18, 10, 0)          # Friday
TODAY = "2026-09-18"
REGION = "110101000000"

HOLIDAYS = ["2026-09-25", "2026-09-26", "2026-09-27",
            "2026-10-01", "2026-10-02", "2026-10-03", "2026-10-04",
            "2026-10-05", "2026-10-06", "2026-10-07"]
WORKDAYS = ["2026-09-20", "2026-10-10"]

CLERKS = {"c1": {"windows": [1], "name": "张三"},
          "c2": {"windows": [2], "name": "赵六"},
          "c3": {"windows": [3], "name": "王芳"},
          "c4": {"windows": [4], "name": "钱七"},
          "c28": {"windows": [28], "name": "李四"},
          "c-all": "*"}
CLERK_OF = {1: "c1", 2: "c2", 3: "c3", 4: "c4", 28: "c28"}
NAME_OF = {1: "张三", 2: "赵六", 3: "王芳", 4: "钱七", 28: "李四"}

STATES = {"open", "verified", "rectifying", "revisited", "closed", "appealed"}
ACTIONS = ("verify", "rectify", "revisit", "close", "appeal", "review")
LEVEL_NAMES = {1: "非常不满意", 2: "不满意", 3: "基本满意", 4: "满意", 5: "非常满意"}
CHANNEL_NAMES = {"evaluator": "评价器", "window": "窗口", "qr": "扫码",
                 "kiosk": "自助终端", "web": "网站", "sms": "短信"}
# How a rating's source becomes a record's channel.  The README lists both
# sets but not the mapping; this is the evident one (the window's evaluator,
# the clerk's pad at the window, the ticket's QR page).
SOURCE_CHANNEL = {"evaluator": "evaluator", "clerk": "window", "ticket": "qr"}

CASE_KEYS = {"id", "kind", "ticket", "number", "matter", "matter_name", "window",
             "clerk", "channel", "score", "comment", "problem", "place", "citizen",
             "phone", "opened_at", "due_at", "state", "founded", "struck",
             "overdue", "closed_at", "steps"}
RECORD_KEYS = {"id", "ticket", "rated_at", "channel", "channel_name", "level",
               "level_name", "indicators", "indicator_version", "text",
               "matter_code", "matter_name", "case_number", "department",
               "region_code", "hall", "window", "terminal", "staff", "rater",
               "struck", "handling"}
HANDLING_KEYS = {"case", "classification", "founded", "verification", "appeal",
                 "appeal_result", "measures", "deadline", "done_at", "revisit_at",
                 "revisit_way", "revisit_result"}


def windows_conf():
    ws = json.loads(json.dumps(WINDOWS))
    ws.append({"number": 28, "name": "28号窗口", "kind": "办不成事反映窗口",
               "state": "closed", "tiers": [["SB01", "SB02"]], "ledger": True})
    return ws


def cases_over(**extra):
    tokens = {"kiosk": ["k1"], "clerk": json.loads(json.dumps(CLERKS)),
              "manager": ["m1"], "admin": ["a1"], "display": ["d1"],
              "evaluator": {"e1": [1], "e3": [3], "e4": [4]}}
    over = {"tokens": tokens, "windows": windows_conf(),
            "calendar": {"holidays": list(HOLIDAYS), "workdays": list(WORKDAYS)},
            "hall.region_code": REGION}
    over.update(extra)
    return over


# ------------------------------------------------------------ the calendar

def is_working(d):
    s = d.strftime("%Y-%m-%d")
    if s in WORKDAYS:
        return True
    if s in HOLIDAYS:
        return False
    return d.weekday() < 5


def due_at(rated_ms, n):
    """The end (23:59:59.999 hall time) of the n-th working day counted from
    the day after the hall day of `rated_ms`."""
    d = datetime.date.fromisoformat(hall_day(rated_ms))
    count = 0
    for _ in range(1000):
        d += datetime.timedelta(days=1)
        if is_working(d):
            count += 1
            if count == n:
                return hall_ms(d.year, d.month, d.day) + DAY_MS - 1
    raise AssertionError("no %d working days within 1000 days" % n)


def mask_phone(p):
    return p[:3] + "*" * (len(p) - 7) + p[-4:]


def mask_id18(v):
    """The rating record's mask of an ID number: as everywhere, the first
    three and last four shown (the README's 110***********1234)."""
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


class CasesBase(ClockHallCase):
    hall_over = cases_over()
    clock = CLOCK

    # -- helpers
    def serve(self, window=3, matter="SB01", h=None, start=True, **issue):
        """Issue (kiosk), call, start, finish at `window` by its clerk;
        returns (ticket as issued, its own token)."""
        h = h or self.hall
        r = h.issue(matter, **issue)
        self.assertEqual(r.status, 201, r)
        tk, own = r.json["ticket"], r.json["token"]
        tok = CLERK_OF[window]
        r = h.win(window, "call", {"ticket": tk["id"]}, token=tok)
        self.assertEqual(r.status, 200, r)
        if start:
            self.assertEqual(h.win(window, "start", token=tok).status, 200)
        r = h.win(window, "finish", token=tok)
        self.assertEqual(r.status, 200, r)
        return tk, own

    def rate(self, tid, score, token, h=None, **extra):
        h = h or self.hall
        body = {"ticket": tid, "score": score}
        body.update(extra)
        return h.req("POST", "/api/ratings", body, token)

    def rate_ok(self, tid, score, token, h=None, **extra):
        r = self.rate(tid, score, token, h, **extra)
        self.assertEqual(r.status, 201, r)
        return r.json

    def step(self, cid, action, note="说明", by="王科长", token="m1", h=None, **kw):
        h = h or self.hall
        body = {"action": action, "note": note, "by": by}
        body.update(kw)
        return h.req("POST", "/api/cases/%d/steps" % cid, body, token)

    def step_ok(self, cid, action, state, h=None, **kw):
        h = h or self.hall
        before = h.now()
        r = self.step(cid, action, h=h, **kw)
        self.assertEqual(r.status, 200, "%s on case %d: %r" % (action, cid, r))
        c = r.json["case"]
        self.assertCase(c)
        self.assertEqual(c["id"], cid)
        self.assertEqual(c["state"], state, "%s: %r" % (action, c))
        st = c["steps"][-1]
        self.assertEqual((st["action"], st["note"], st["by"]),
                         (action, kw.get("note", "说明"), kw.get("by", "王科长")), st)
        self.assertGreaterEqual(st["at"], before)
        self.assertLessEqual(st["at"], h.now())
        return c

    def cases(self, query="", h=None, token="m1"):
        h = h or self.hall
        r = h.req("GET", "/api/cases" + query, None, token)
        self.assertEqual(r.status, 200, r)
        for c in r.json["cases"]:
            self.assertCase(c)
        return r.json

    def get_case(self, cid, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/cases/%d" % cid, None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertCase(r.json["case"])
        return r.json["case"]

    def case_of(self, tid, h=None):
        got = [c for c in self.cases(h=h)["cases"] if c["ticket"] == tid]
        self.assertEqual(len(got), 1, "cases of ticket %d: %r" % (tid, got))
        return got[0]

    def assertCase(self, c):
        missing = CASE_KEYS - set(c)
        self.assertFalse(missing, "CASE without %s: %r" % (sorted(missing), c))
        self.assertIn(c["state"], STATES, c)
        self.assertIn(c["kind"], ("rating", "ledger"), c)
        self.assertIsInstance(c["struck"], bool, c)
        self.assertIsInstance(c["overdue"], bool, c)
        for s in c["steps"]:
            for k in ("at", "action", "note", "by"):
                self.assertIn(k, s, s)

    def events_of(self, since, types, h=None):
        h = h or self.hall
        return [e for e in h.events(since=since, token="m1") if e["type"] in types]

    def assertIllegal(self, r, state):
        err = self.assertError(r, 409, "illegal_step")
        self.assertIn(state, err["message"], "the message names the state: %r" % err)

    def report(self, query, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/reports?" + query, None, "m1")
        self.assertEqual(r.status, 200, r)
        return r.json

    def records(self, query="", h=None):
        h = h or self.hall
        r = h.req("GET", "/api/ratings" + query, None, "m1")
        self.assertEqual(r.status, 200, r)
        return r.json


class Opening(CasesBase):

    def test_one_star_opens_a_case_due_in_15_working_days(self):
        h = self.hall
        tk, _ = self.serve(3)
        seq = h.status()["seq"]
        t0 = h.now()
        self.rate_ok(tk["id"], 1, "e3", comment="态度很差")
        evs = [e for e in h.events(since=seq, token="m1")]
        types = [e["type"] for e in evs]
        self.assertIn("rating.recorded", types, types)
        self.assertIn("case.opened", types, types)
        i = types.index("rating.recorded")
        self.assertEqual(types[i + 1], "case.opened",
                         "case.opened in the rating's own commit, right after it: %s" % types)
        rec, op = evs[i], evs[i + 1]
        self.assertEqual(op["seq"], rec["seq"] + 1)
        self.assertEqual(op["at"], rec["at"])
        c = op["case"]
        self.assertNotIn("steps", c, "case.opened carries the case without steps")
        expected_due = due_at(t0, 15)
        # 09-18 Fri: 20 (make-up Sun), 21, 22, 23, 24, 28, 29, 30, 10-08, 09,
        # 10 (make-up Sat), 12, 13, 14, 15: due 2026-10-15 23:59:59.999
        self.assertEqual(expected_due, hall_ms(2026, 10, 15, 23, 59, 59) + 999)
        self.assertEqual(c["due_at"], expected_due,
                         "due %s, expected 2026-10-15 23:59:59.999" %
                         datetime.datetime.fromtimestamp(c["due_at"] / 1000,
                                                         datetime.timezone.utc))
        want = {"kind": "rating", "ticket": tk["id"], "number": tk["number"],
                "matter": "SB01", "matter_name": "社保参保登记", "window": 3,
                "clerk": "王芳", "channel": "evaluator", "score": 1,
                "comment": "态度很差", "state": "open", "founded": None,
                "struck": False, "overdue": False, "closed_at": None}
        self.assertEqual({k: c.get(k) for k in want}, want)
        self.assertEqual(c["opened_at"], rec["at"])
        # listed, counted, read alone
        lst = self.cases()
        self.assertEqual([x["id"] for x in lst["cases"]], [c["id"]])
        self.assertEqual((lst["open"], lst["overdue"]), (1, 0))
        got = lst["cases"][0]
        self.assertEqual(got["steps"], [])
        self.assertEqual({k: got[k] for k in want}, want)
        self.assertEqual((got["due_at"], got["opened_at"]), (expected_due, rec["at"]))
        self.assertEqual(self.get_case(c["id"]), got)
        for q in ("?state=open", "?kind=rating", "?from=%s&to=%s" % (TODAY, TODAY)):
            self.assertEqual([x["id"] for x in self.cases(q)["cases"]], [c["id"]], q)
        for q in ("?state=closed", "?state=overdue", "?kind=ledger",
                  "?from=2026-09-19&to=2026-09-30"):
            self.assertEqual(self.cases(q)["cases"], [], q)
        # the ticket's own rating: no second one, no second case
        self.assertError(self.rate(tk["id"], 2, "c3"), 409, "already_rated")
        self.assertEqual(len(self.cases()["cases"]), 1)

    def test_two_opens_a_case_three_to_five_none(self):
        h = self.hall
        seq = h.status()["seq"]
        t3, own3 = self.serve(1)
        t4, _ = self.serve(3)
        t5, _ = self.serve(4, matter="YB01")
        self.assertEqual(self.rate_ok(t3["id"], 3, own3)["source"], "ticket")
        self.assertEqual(self.rate_ok(t4["id"], 4, "c3")["source"], "clerk")
        self.assertEqual(self.rate_ok(t5["id"], 5, "e4")["source"], "evaluator")
        self.assertEqual(self.events_of(seq, ("case.opened",)), [])
        self.assertEqual(self.cases()["cases"], [])
        self.assertEqual((self.cases()["open"], self.cases()["overdue"]), (0, 0))
        # a 2 from each way of rating opens one
        for window, tok in ((1, None), (3, "c3"), (4, "e4")):
            tk, own = self.serve(window, matter="YB02" if window == 4 else "SB02")
            s = h.status()["seq"]
            self.rate_ok(tk["id"], 2, tok or own)
            ev = self.events_of(s, ("case.opened",))
            self.assertEqual(len(ev), 1, ev)
            c = ev[0]["case"]
            self.assertEqual((c["ticket"], c["score"], c["kind"], c["window"],
                              c["clerk"], c["state"]),
                             (tk["id"], 2, "rating", window, NAME_OF[window], "open"))
            # the case's channel: the rating's source or its record's
            # channel (the README's CASE example says only "evaluator")
            src = {None: "ticket", "c3": "clerk", "e4": "evaluator"}[tok]
            self.assertIn(c["channel"], (src, SOURCE_CHANNEL[src]), c)
        # and over the WebSocket (the tablet's op "rate")
        tk, _ = self.serve(3)
        s = h.status()["seq"]

        async def ws_rate():
            ws = await ws_open(h, "e3")
            try:
                await ws_send(ws, {"op": "rate", "ticket": tk["id"], "score": 1, "req": "r1"})
                for _ in range(50):
                    m = await ws_recv(ws)
                    if m.get("req") == "r1":
                        return m
            finally:
                await ws.close()

        m = run_async(ws_rate())
        self.assertEqual((m["status"], m.get("source")), (201, "evaluator"), m)
        ev = self.events_of(s, ("case.opened",))
        self.assertEqual([e["case"]["ticket"] for e in ev], [tk["id"]])
        lst = self.cases()
        self.assertEqual(len(lst["cases"]), 4)
        self.assertEqual(lst["open"], 4)
        # newest first
        opened = [x["opened_at"] for x in lst["cases"]]
        self.assertEqual(opened, sorted(opened, reverse=True))
        ids = [x["id"] for x in lst["cases"]]
        self.assertEqual(ids, sorted(ids, reverse=True))


class DeadlineDays(CasesBase):
    """The day of the rating is the hall's (UTC+8), not UTC's; a rating on
    a holiday counts from the day after it too."""

    clock = hall_ms(2026, 9, 18, 7, 30)          # Friday in the hall, Thursday in UTC

    def test_hall_day_and_holiday(self):
        for clock, due in ((hall_ms(2026, 9, 18, 7, 30), hall_ms(2026, 10, 15)),
                           (hall_ms(2026, 9, 17, 23, 59, 50), hall_ms(2026, 10, 14)),
                           (hall_ms(2026, 10, 3, 10, 0), hall_ms(2026, 10, 27))):
            h = self.hall if clock == self.clock else self.new_hall(clock)
            tk, _ = self.serve(3, h=h)
            t0 = h.now()
            self.rate_ok(tk["id"], 2, "c3", h=h)
            c = self.case_of(tk["id"], h=h)
            self.assertEqual(due_at(t0, 15), due + DAY_MS - 1)
            self.assertEqual(c["due_at"], due + DAY_MS - 1,
                             "rated %s (hall time): due %s, expected %s" % (
                                 hall_day(t0), hall_day(c["due_at"]), hall_day(due)))
            if h is not self.hall:
                h.stop()


class Steps(CasesBase):

    def opened(self, score=1, window=3):
        tk, _ = self.serve(window)
        self.rate_ok(tk["id"], score, CLERK_OF[window])
        return tk, self.case_of(tk["id"])

    def test_verify_rectify_revisit_close(self):
        h = self.hall
        tk, c = self.opened(2)
        cid = c["id"]
        seq = h.status()["seq"]
        # illegal from open
        self.assertIllegal(self.step(cid, "close"), "open")
        self.assertIllegal(self.step(cid, "rectify"), "open")
        self.assertIllegal(self.step(cid, "revisit", way="phone", result="satisfied"), "open")
        self.assertIllegal(self.step(cid, "review", upheld=True), "open")
        self.assertEqual(h.status()["seq"], seq, "a refused step wrote something")
        c = self.step_ok(cid, "verify", "verified", founded=True, note="经核实属实")
        self.assertEqual(c["founded"], True)
        self.assertEqual(c["steps"][-1].get("founded"), True)
        # a founded case is rectified before it is revisited; not closed yet
        self.assertIllegal(self.step(cid, "revisit", way="phone", result="satisfied"),
                           "verified")
        self.assertIllegal(self.step(cid, "close"), "verified")
        self.assertIllegal(self.step(cid, "verify", founded=False), "verified")
        self.assertIllegal(self.step(cid, "review", upheld=True), "verified")
        c = self.step_ok(cid, "rectify", "rectifying", note="批评教育，加强培训")
        c = self.step_ok(cid, "rectify", "rectifying", note="再次整改")
        self.assertIllegal(self.step(cid, "close"), "rectifying")
        self.assertIllegal(self.step(cid, "appeal"), "rectifying")
        self.assertIllegal(self.step(cid, "verify", founded=True), "rectifying")
        c = self.step_ok(cid, "revisit", "revisited", way="phone", result="satisfied",
                         note="电话回访，群众满意")
        self.assertEqual((c["steps"][-1].get("way"), c["steps"][-1].get("result")),
                         ("phone", "satisfied"))
        # revisited: rectify and revisit again are allowed
        c = self.step_ok(cid, "rectify", "rectifying", note="补充整改")
        c = self.step_ok(cid, "revisit", "revisited", way="visit",
                         result="basically_satisfied", note="上门回访")
        self.assertIllegal(self.step(cid, "verify", founded=True), "revisited")
        self.assertIllegal(self.step(cid, "appeal"), "revisited")
        t_close = h.now()
        c = self.step_ok(cid, "close", "closed", note="办结")
        self.assertGreaterEqual(c["closed_at"], t_close)
        self.assertEqual(c["closed_at"], c["steps"][-1]["at"])
        self.assertEqual((c["struck"], c["overdue"], c["founded"]), (False, False, True))
        self.assertEqual([s["action"] for s in c["steps"]],
                         ["verify", "rectify", "rectify", "revisit", "rectify",
                          "revisit", "close"])
        # after closed: nothing
        for a, kw in (("verify", {"founded": True}), ("rectify", {}),
                      ("revisit", {"way": "sms", "result": "satisfied"}), ("close", {}),
                      ("appeal", {}), ("review", {"upheld": True})):
            self.assertIllegal(self.step(cid, a, **kw), "closed")
        # events: one case.step per step, case.closed after the close
        evs = self.events_of(seq, ("case.step", "case.closed", "rating.struck"))
        steps = [e for e in evs if e["type"] == "case.step"]
        self.assertEqual([(e["case"], e["action"], e["state"]) for e in steps],
                         [(cid, "verify", "verified"), (cid, "rectify", "rectifying"),
                          (cid, "rectify", "rectifying"), (cid, "revisit", "revisited"),
                          (cid, "rectify", "rectifying"), (cid, "revisit", "revisited"),
                          (cid, "close", "closed")])
        self.assertEqual(steps[0]["by"], "王科长")
        self.assertEqual({e.get("kind") for e in steps}, {"rating"})
        self.assertEqual(steps[0]["note"], "经核实属实")
        closed = [e for e in evs if e["type"] == "case.closed"]
        self.assertEqual(len(closed), 1, evs)
        self.assertEqual((closed[0]["case"], closed[0]["struck"], closed[0].get("kind")),
                         (cid, False, "rating"))
        self.assertGreater(closed[0]["seq"], steps[-1]["seq"])
        self.assertEqual([e for e in evs if e["type"] == "rating.struck"], [])
        # listed by state
        self.assertEqual([x["id"] for x in self.cases("?state=closed")["cases"]], [cid])
        self.assertEqual(self.cases("?state=open")["cases"], [])
        self.assertEqual(self.cases()["open"], 0)
        self.assertEqual(self.get_case(cid), c)

    def test_not_founded_goes_to_revisit(self):
        tk, c = self.opened(1)
        cid = c["id"]
        c = self.step_ok(cid, "verify", "verified", founded=False, note="不属实")
        self.assertEqual(c["founded"], False)
        self.assertIllegal(self.step(cid, "rectify"), "verified")
        self.assertIllegal(self.step(cid, "close"), "verified")
        c = self.step_ok(cid, "revisit", "revisited", way="online",
                         result="unsatisfied", note="网上回访")
        c = self.step_ok(cid, "close", "closed")
        self.assertEqual((c["founded"], c["struck"]), (False, False))

    def test_bad_bodies_unknown_cases_and_tokens(self):
        h = self.hall
        tk, c = self.opened(1)
        cid = c["id"]
        path = "/api/cases/%d/steps" % cid
        seq = h.status()["seq"]
        bad = [
            {"action": "verify", "note": "x", "founded": True},                 # no by
            {"action": "verify", "note": "x", "by": "", "founded": True},       # empty by
            {"action": "verify", "note": "x", "by": "b" * 65, "founded": True},
            {"action": "verify", "by": "x", "founded": True},                   # no note
            {"action": "verify", "note": "", "by": "x", "founded": True},
            {"action": "verify", "note": "n" * 1001, "by": "x", "founded": True},
            {"note": "x", "by": "x", "founded": True},                          # no action
            {"action": "fly", "note": "x", "by": "x"},
            {"action": "VERIFY", "note": "x", "by": "x", "founded": True},
            {"action": 1, "note": "x", "by": "x"},
            {"action": "verify", "note": "x", "by": "x"},                       # no founded
            {"action": "verify", "note": "x", "by": "x", "founded": "yes"},
            {"action": "verify", "note": "x", "by": "x", "founded": None},
            {"action": "verify", "note": 5, "by": "x", "founded": True},
            # bytes, not characters: 334 × 3 bytes, 22 × 3 bytes
            {"action": "verify", "note": "字" * 334, "by": "x", "founded": True},
            {"action": "verify", "note": "x", "by": "王" * 22, "founded": True},
        ]
        for b in bad:
            r = h.req("POST", path, b, "m1")
            self.assertError(r, 400, "bad_request")
        r = h.req("POST", path, None, "m1", raw=b"{not json")
        self.assertEqual(r.status, 400, r)
        r = h.req("POST", path, None, "m1", raw=b"[]")
        self.assertEqual(r.status, 400, r)
        self.assertEqual(h.status()["seq"], seq, "a refused step wrote something")
        # the legal limits are taken (999 and 63 bytes of UTF-8)
        c = self.step_ok(cid, "verify", "verified", founded=True, note="字" * 333,
                         by="王" * 21)
        c = self.step_ok(cid, "rectify", "rectifying")
        for b in ({"action": "revisit", "note": "x", "by": "x", "result": "satisfied"},
                  {"action": "revisit", "note": "x", "by": "x", "way": "phone"},
                  {"action": "revisit", "note": "x", "by": "x", "way": "fax",
                   "result": "satisfied"},
                  {"action": "revisit", "note": "x", "by": "x", "way": "phone",
                   "result": "happy"}):
            self.assertError(h.req("POST", path, b, "m1"), 400, "bad_request")
        # review without upheld: refused (400 for the body, or 409 for the
        # state: either way nothing happens); with an appealed case below
        # unknown cases
        for p in ("/api/cases/999999/steps",):
            self.assertError(h.req("POST", p, {"action": "verify", "note": "x", "by": "x",
                                               "founded": True}, "m1"), 404, "unknown_case")
        self.assertError(h.req("GET", "/api/cases/999999", None, "m1"), 404, "unknown_case")
        # tokens: manager only
        body = {"action": "revisit", "note": "x", "by": "x", "way": "phone",
                "result": "satisfied"}
        for tok, codes in ((None, (401,)), ("nope", (401,)), ("k1", (403,)),
                           ("c3", (403,)), ("c-all", (403,)), ("d1", (403,)),
                           ("e3", (403,))):
            r = h.req("POST", path, body, tok)
            self.assertIn(r.status, codes, (tok, r))
            self.assertError(r, r.status)
            r = h.req("GET", "/api/cases", None, tok)
            self.assertIn(r.status, codes, (tok, r))
            r = h.req("GET", "/api/cases/%d" % cid, None, tok)
            self.assertIn(r.status, codes, (tok, r))
        self.assertEqual(self.get_case(cid)["state"], "rectifying")
        self.step_ok(cid, "revisit", "revisited", way="phone", result="satisfied")

    def test_appeal_review_and_struck(self):
        h = self.hall
        tk_bad, c = self.opened(1)
        cid = c["id"]
        tk_good, _ = self.serve(1)
        self.rate_ok(tk_good["id"], 5, "c1")
        # review before appeal
        self.assertIllegal(self.step(cid, "review", upheld=True), "open")
        before = self.report("group=matter")
        tot = before["total"]
        self.assertEqual((tot["ratings"], tot["bad_ratings"], tot["struck"], tot["rated"],
                          tot["cases"], tot["cases_open"]),
                         ([1, 0, 0, 0, 1], 1, 0, 2, 1, 1))
        rec = [x for x in self.records()["ratings"] if x["ticket"] == tk_bad["id"]]
        self.assertEqual(len(rec), 1)
        self.assertEqual(rec[0]["struck"], False)
        seq = h.status()["seq"]
        c = self.step_ok(cid, "appeal", "appealed", note="评价人误操作，申请复核")
        self.assertIllegal(self.step(cid, "appeal"), "appealed")
        self.assertIllegal(self.step(cid, "verify", founded=True), "appealed")
        self.assertIllegal(self.step(cid, "close"), "appealed")
        self.assertIllegal(self.step(cid, "rectify"), "appealed")
        self.assertError(self.step(cid, "review"), 400, "bad_request")       # no upheld
        self.assertError(self.step(cid, "review", upheld="yes"), 400, "bad_request")
        c = self.step_ok(cid, "review", "closed", upheld=True, note="复核属实，撤销差评")
        self.assertEqual((c["struck"], c["state"]), (True, "closed"))
        self.assertIsNotNone(c["closed_at"])
        evs = self.events_of(seq, ("case.step", "case.closed", "rating.struck"))
        self.assertEqual(sorted(e["type"] for e in evs),
                         ["case.closed", "case.step", "case.step", "rating.struck"], evs)
        self.assertEqual([(e["action"], e["state"]) for e in evs if e["type"] == "case.step"],
                         [("appeal", "appealed"), ("review", "closed")])
        cl = [e for e in evs if e["type"] == "case.closed"][0]
        self.assertEqual((cl["case"], cl["struck"]), (cid, True))
        rs = [e for e in evs if e["type"] == "rating.struck"][0]
        self.assertEqual((rs["ticket"], rs["case"]), (tk_bad["id"], cid))
        for a, kw in (("review", {"upheld": False}), ("appeal", {}), ("close", {})):
            self.assertIllegal(self.step(cid, a, **kw), "closed")
        # the rating leaves the figures; struck counts it
        after = self.report("group=matter")
        tot = after["total"]
        self.assertEqual((tot["ratings"], tot["bad_ratings"], tot["struck"], tot["rated"],
                          tot["cases"], tot["cases_open"]),
                         ([0, 0, 0, 0, 1], 0, 1, 1, 0, 0))
        g = {x["key"]: x for x in after["groups"]}
        self.assertEqual((g["SB01"]["ratings"], g["SB01"]["struck"], g["SB01"]["bad_ratings"]),
                         ([0, 0, 0, 0, 1], 1, 0))
        # its record says so, with the appeal in its handling
        rec = [x for x in self.records()["ratings"] if x["ticket"] == tk_bad["id"]][0]
        self.assertEqual(rec["struck"], True)
        self.assertEqual((rec["handling"]["case"], rec["handling"]["appeal"],
                          rec["handling"]["appeal_result"]),
                         (cid, "评价人误操作，申请复核", "upheld"))
        # the case list keeps it, closed and struck
        self.assertEqual([(x["id"], x["struck"]) for x in self.cases("?state=closed")["cases"]],
                         [(cid, True)])

    def test_review_not_upheld_back_to_verified(self):
        tk, c = self.opened(2)
        cid = c["id"]
        c = self.step_ok(cid, "verify", "verified", founded=True)
        c = self.step_ok(cid, "appeal", "appealed", note="窗口申诉")     # from verified
        c = self.step_ok(cid, "review", "verified", upheld=False, note="申诉不成立")
        self.assertEqual((c["founded"], c["struck"]), (True, False))
        rec = [x for x in self.records()["ratings"] if x["ticket"] == tk["id"]][0]
        self.assertEqual((rec["struck"], rec["handling"]["appeal_result"]), (False, "rejected"))
        c = self.step_ok(cid, "rectify", "rectifying")
        c = self.step_ok(cid, "revisit", "revisited", way="other", result="satisfied")
        c = self.step_ok(cid, "close", "closed")
        self.assertEqual(c["struck"], False)


class Overdue(CasesBase):
    hall_over = cases_over(**{"ratings": {"rectify_working_days": 1}})

    def test_overdue_after_restart(self):
        h = self.hall
        tk, _ = self.serve(3)
        t0 = h.now()
        self.rate_ok(tk["id"], 1, "e3")
        c = self.case_of(tk["id"])
        # Friday's next working day is Sunday 09-20, a 调休 make-up day
        self.assertEqual(c["due_at"], due_at(t0, 1))
        self.assertEqual(c["due_at"], hall_ms(2026, 9, 20, 23, 59, 59) + 999)
        self.assertEqual(c["overdue"], False)
        seq = h.status()["seq"]
        self.later(hall_ms(2026, 9, 21, 8, 0))
        ev = h.wait_event(lambda e: e["type"] == "case.overdue", since=seq, timeout=20,
                          token="m1")
        self.assertEqual((ev["case"], ev["due_at"], ev["kind"], ev.get("ticket")),
                         (c["id"], c["due_at"], "rating", tk["id"]))
        lst = self.cases("?state=overdue")
        self.assertEqual([(x["id"], x["overdue"]) for x in lst["cases"]], [(c["id"], True)])
        self.assertEqual((lst["open"], lst["overdue"]), (1, 1))
        self.assertEqual(self.get_case(c["id"])["overdue"], True)
        # the counts are of every case whatever the filter
        lst = self.cases("?state=closed")
        self.assertEqual((lst["cases"], lst["open"], lst["overdue"]), ([], 1, 1))
        # once: not again after another restart
        self.later(hall_ms(2026, 9, 21, 9, 0))
        h.wait_clock(hall_ms(2026, 9, 21, 9, 0, 2))
        evs = self.events_of(seq, ("case.overdue",))
        self.assertEqual(len(evs), 1, evs)
        # closed late: still overdue in the figures
        self.step_ok(c["id"], "verify", "verified", founded=False)
        self.step_ok(c["id"], "revisit", "revisited", way="phone", result="satisfied")
        c2 = self.step_ok(c["id"], "close", "closed")
        self.assertGreater(c2["closed_at"], c2["due_at"])
        lst = self.cases()
        self.assertEqual((lst["open"], lst["overdue"]), (0, 0))
        self.assertEqual(self.cases("?state=overdue")["cases"], [],
                         "a case closed late is closed, not overdue, in the list")
        rep = self.report("from=%s&to=%s" % (TODAY, TODAY))
        self.assertEqual((rep["total"]["cases"], rep["total"]["cases_open"],
                          rep["total"]["cases_overdue"]), (1, 0, 1))

    def test_overdue_while_running(self):
        """The due time passes while the daemon runs: case.overdue within a
        minute or so (checked every minute)."""
        h = self.hall
        tk, _ = self.serve(3)
        self.rate_ok(tk["id"], 1, "c3")
        c = self.case_of(tk["id"])
        seq = h.status()["seq"]
        self.later(c["due_at"] - 3000)               # 23:59:57 on Sunday 09-20
        self.assertEqual(self.get_case(c["id"])["overdue"], False)
        ev = h.wait_event(lambda e: e["type"] == "case.overdue", since=seq, timeout=75,
                          token="m1")
        self.assertEqual((ev["case"], ev["due_at"], ev["kind"]), (c["id"], c["due_at"], "rating"))
        self.assertGreater(ev["at"], c["due_at"])
        self.assertEqual(self.get_case(c["id"])["overdue"], True)
        self.assertEqual(self.cases()["overdue"], 1)

    def test_not_overdue_before_due(self):
        h = self.hall
        tk, _ = self.serve(3)
        self.rate_ok(tk["id"], 2, "c3")
        c = self.case_of(tk["id"])
        seq = h.status()["seq"]
        self.later(hall_ms(2026, 9, 20, 23, 59, 50))
        h.wait_clock(hall_ms(2026, 9, 20, 23, 59, 52))
        self.assertEqual(self.events_of(seq, ("case.overdue",)), [])
        self.assertEqual(self.get_case(c["id"])["overdue"], False)
        self.assertEqual(self.cases()["overdue"], 0)


class Ledger(CasesBase):

    def test_ledger_entry(self):
        h = self.hall
        body = {"window": 28, "problem": "办理公积金提取被要求提供无法开具的证明",
                "by": "李四", "matter": "SB01", "place": "社保窗口",
                "citizen": "张三丰", "phone": "13812345678"}
        seq = h.status()["seq"]
        t0 = h.now()
        r = h.req("POST", "/api/cases", body, "c28")
        self.assertEqual(r.status, 201, r)
        c = r.json["case"]
        self.assertCase(c)
        self.assertEqual((c["kind"], c["window"], c["matter"], c["problem"], c["place"],
                          c["score"], c["state"], c["struck"], c["overdue"]),
                         ("ledger", 28, "SB01", body["problem"], "社保窗口", None, "open",
                          False, False))
        self.assertEqual(c["phone"], "138****5678")
        self.assertIsNotNone(c["citizen"])
        self.assertTrue(c["citizen"].startswith("张") and "*" in c["citizen"]
                        and "三丰" not in c["citizen"], c["citizen"])
        self.assertEqual(c["due_at"], due_at(t0, 15))
        self.assertIn(c["ticket"], (None,))
        ev = self.events_of(seq, ("case.opened",))
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["case"]["id"], c["id"])
        self.assertEqual(ev[0]["case"]["kind"], "ledger")
        # the manager opens one too, with a ticket
        tk, _ = self.serve(1)
        r = h.req("POST", "/api/cases", {"window": 28, "problem": "材料不全无法办理",
                                         "by": "王科长", "ticket": tk["id"]}, "m1")
        self.assertEqual(r.status, 201, r)
        c2 = r.json["case"]
        self.assertEqual((c2["kind"], c2["ticket"], c2["citizen"], c2["phone"], c2["window"]),
                         ("ledger", tk["id"], None, None, 28))
        # who may not
        for tok, b, st in (("c3", {"window": 3}, 403), ("c3", {"window": 28}, 403),
                           ("c28", {"window": 3}, 403), ("k1", {"window": 28}, 403),
                           ("d1", {"window": 28}, 403), ("e3", {"window": 28}, 403),
                           ("m1", {"window": 3}, 403), (None, {"window": 28}, 401)):
            bb = {"problem": "问题", "by": "x"}
            bb.update(b)
            r = h.req("POST", "/api/cases", bb, tok)
            self.assertError(r, st)
        for bb, st, code in (
                ({"window": 28, "by": "x"}, 400, "bad_request"),
                ({"window": 28, "problem": "", "by": "x"}, 400, "bad_request"),
                ({"window": 28, "problem": "p" * 1001, "by": "x"}, 400, "bad_request"),
                ({"window": 28, "problem": "问" * 334, "by": "x"}, 400, "bad_request"),
                ({"window": 28, "problem": "p", "by": "x", "place": "处" * 67}, 400,
                 "bad_request"),
                ({"window": 28, "problem": "p"}, 400, "bad_request"),
                ({"window": 28, "problem": "p", "by": "x", "place": "p" * 201}, 400,
                 "bad_request"),
                ({"window": 28, "problem": "p", "by": "x", "citizen": "c" * 65}, 400,
                 "bad_request"),
                ({"window": 28, "problem": "p", "by": "x", "phone": "12"}, 400, None),
                ({"window": 28, "problem": "p", "by": "x", "matter": "XX99"}, 404,
                 "unknown_matter")):
            self.assertError(h.req("POST", "/api/cases", bb, "c28"), st, code)
        # a name of two characters: the README's 张* (the family name kept)
        r = h.req("POST", "/api/cases", {"window": 28, "problem": "证明开不出来", "by": "李四",
                                         "citizen": "王五", "phone": "13900001111"}, "c28")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["case"]["citizen"], r.json["case"]["phone"]),
                         ("王*", "139****1111"))
        self.assertEqual(r.json["case"]["matter"], None)
        c3 = r.json["case"]
        # the same steps; no appeal of a ledger case
        cid = c["id"]
        self.assertIllegal(self.step(cid, "appeal"), "open")
        self.step_ok(cid, "verify", "verified", founded=True)
        self.assertIllegal(self.step(cid, "appeal"), "verified")
        self.step_ok(cid, "rectify", "rectifying", note="协调部门出具证明")
        self.step_ok(cid, "revisit", "revisited", way="phone", result="satisfied")
        c = self.step_ok(cid, "close", "closed")
        self.assertEqual(c["kind"], "ledger")
        # listed by kind
        self.assertEqual(sorted(x["id"] for x in self.cases("?kind=ledger")["cases"]),
                         sorted([cid, c2["id"], c3["id"]]))
        self.assertEqual(self.cases("?kind=rating")["cases"], [])
        # the full phone number and name are nowhere: events, answers, rows
        text = json.dumps(h.events(token="m1"), ensure_ascii=False)
        text += json.dumps(self.cases(), ensure_ascii=False)
        self.assertNotIn("13812345678", text)
        self.assertNotIn("张三丰", text)
        h.stop()
        for suffix in ("", "-wal"):
            try:
                with open(h.db_path + suffix, "rb") as f:
                    data = f.read()
            except OSError:
                continue
            self.assertNotIn(b"13812345678", data, "the full phone in " + h.db_path + suffix)
            self.assertNotIn("张三丰".encode(), data, "the full name in the database")


class Records(CasesBase):

    def test_rating_records(self):
        h = self.hall
        idn, ph = id_number(7), mobile(12345678)
        t_id, own = self.serve(3, id_number=idn, phone=ph)
        t_plain, _ = self.serve(1, matter="YB01")
        t_qr, own_qr = self.serve(4, matter="YB02")
        rated = {}
        self.rate_ok(t_id["id"], 1, "e3", comment="等太久")
        rated[t_id["id"]] = h.now()
        self.rate_ok(t_plain["id"], 4, "c1")
        self.rate_ok(t_qr["id"], 5, own_qr, comment="很好")
        c = self.case_of(t_id["id"])
        # no handling steps yet
        recs = self.records()
        self.assertIsNone(recs["next"])
        by = {x["ticket"]: x for x in recs["ratings"]}
        self.assertEqual(list(by), [t_id["id"], t_plain["id"], t_qr["id"]], "oldest first")
        for x in recs["ratings"]:
            self.assertLessEqual(RECORD_KEYS, set(x), x)     # members may be added
            self.assertTrue(x["id"].endswith("-%d" % x["ticket"]), x["id"])
            self.assertEqual(x["level_name"], LEVEL_NAMES[x["level"]])
            self.assertEqual(x["channel_name"], CHANNEL_NAMES[x["channel"]], x)
            self.assertEqual((x["indicators"], x["indicator_version"]), ([], None))
            self.assertEqual((x["region_code"], x["hall"]), (REGION, HALL_NAME))
            self.assertEqual(x["case_number"], "%s-%s" % (TODAY, {
                t_id["id"]: t_id["number"], t_plain["id"]: t_plain["number"],
                t_qr["id"]: t_qr["number"]}[x["ticket"]]))
            self.assertEqual(x["rater"]["type"], "person")
            self.assertEqual(x["struck"], False)
        a = by[t_id["id"]]
        self.assertEqual((a["channel"], a["level"], a["text"], a["matter_code"],
                          a["matter_name"], a["department"], a["window"], a["staff"]),
                         ("evaluator", 1, "等太久", "SB01", "社保参保登记",
                          DOMAINS["SB"], 3, "王芳"))
        self.assertEqual(dict(a["rater"], id_masked=None),
                         {"type": "person", "id_masked": None,
                          "phone_masked": mask_phone(ph), "real_name": True})
        id_masked = a["rater"]["id_masked"]          # checked at the end
        self.assertLessEqual(a["rated_at"], rated[t_id["id"]])
        hd = a["handling"]
        self.assertIsNotNone(hd, "a 差评's record carries its handling")
        self.assertLessEqual(HANDLING_KEYS, set(hd), hd)
        self.assertEqual((hd["case"], hd["classification"], hd["founded"], hd["verification"],
                          hd["appeal"], hd["appeal_result"], hd["measures"], hd["deadline"],
                          hd["done_at"], hd["revisit_at"], hd["revisit_way"],
                          hd["revisit_result"]),
                         (c["id"], "rating", None, None, None, None, None, c["due_at"],
                          None, None, None, None))
        p = by[t_plain["id"]]
        self.assertEqual((p["channel"], p["level"], p["text"], p["matter_code"],
                          p["department"], p["window"], p["staff"], p["handling"]),
                         (SOURCE_CHANNEL["clerk"], 4, None, "YB01", DOMAINS["YB"], 1,
                          "张三", None))
        self.assertEqual(p["rater"], {"type": "person", "id_masked": None,
                                      "phone_masked": None, "real_name": False})
        q = by[t_qr["id"]]
        self.assertEqual((q["channel"], q["level"], q["text"], q["window"], q["staff"]),
                         (SOURCE_CHANNEL["ticket"], 5, "很好", 4, "钱七"))
        # handling filled from the case's steps
        v = self.step_ok(c["id"], "verify", "verified", founded=True, note="等候超时属实")
        m = self.step_ok(c["id"], "rectify", "rectifying", note="增开窗口")
        rv = self.step_ok(c["id"], "revisit", "revisited", way="sms",
                          result="basically_satisfied", note="短信回访")
        cl = self.step_ok(c["id"], "close", "closed")
        hd = [x for x in self.records()["ratings"] if x["ticket"] == t_id["id"]][0]["handling"]
        hd = {k: hd[k] for k in HANDLING_KEYS if k in hd}
        self.assertEqual(hd, {"case": c["id"], "classification": "rating", "founded": True,
                              "verification": "等候超时属实", "appeal": None,
                              "appeal_result": None, "measures": "增开窗口",
                              "deadline": c["due_at"], "done_at": cl["closed_at"],
                              "revisit_at": rv["steps"][-1]["at"], "revisit_way": "sms",
                              "revisit_result": "basically_satisfied"})
        self.assertEqual(v["steps"][0]["action"], "verify")
        self.assertEqual(m["steps"][-1]["note"], "增开窗口")
        # the range: another day has none; bad tokens
        self.assertEqual(self.records("?from=2026-09-17&to=2026-09-17")["ratings"], [])
        self.assertEqual(len(self.records("?from=%s&to=%s" % (TODAY, TODAY))["ratings"]), 3)
        for tok, st in ((None, 401), ("k1", 403), ("c3", 403), ("d1", 403), ("e3", 403)):
            self.assertError(h.req("GET", "/api/ratings", None, tok), st)
        # no full ID or phone anywhere in the records
        text = json.dumps(self.records(), ensure_ascii=False)
        self.assertNotIn(idn, text)
        self.assertNotIn(ph, text)
        # the README's mask of an ID in a record: 110***********1234
        self.assertEqual(id_masked, mask_id18(idn))

    def test_paging(self):
        """520 ratings (four windows at once): pages of at most 500 oldest
        first; after=next gives the rest; nothing twice, nothing lost."""
        h = self.hall
        n_per = 130
        errors = []
        rated = []
        lock = threading.Lock()

        def worker(window):
            c = h.http(timeout=20)
            tok = CLERK_OF[window]
            try:
                for i in range(n_per):
                    r = c.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
                    if r.status != 201:
                        errors.append(r)
                        return
                    tid = r.json["ticket"]["id"]
                    for cmd, body in (("call", {"ticket": tid}), ("finish", None)):
                        r = c.req("POST", "/api/windows/%d/%s" % (window, cmd), body, tok)
                        if r.status != 200:
                            errors.append(r)
                            return
                    r = c.req("POST", "/api/ratings",
                              {"ticket": tid, "score": 3 + (i % 3)}, tok)
                    if r.status != 201:
                        errors.append(r)
                        return
                    with lock:
                        rated.append(tid)
            finally:
                c.close()

        ths = [threading.Thread(target=worker, args=(w,), daemon=True) for w in (1, 2, 3, 4)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(120)
        self.assertFalse(any(th.is_alive() for th in ths))
        self.assertEqual(errors, [])
        self.assertEqual(len(rated), 4 * n_per)
        got = []
        nxt = None
        pages = 0
        for _ in range(10):
            q = "?from=%s&to=%s" % (TODAY, TODAY) + ("&after=%s" % nxt if nxt is not None
                                                     else "")
            page = self.records(q)
            pages += 1
            self.assertLessEqual(len(page["ratings"]), 500)
            got.extend(page["ratings"])
            nxt = page["next"]
            if nxt is None:
                break
        self.assertEqual(pages, 2, "520 ratings in two pages")
        tids = [x["ticket"] for x in got]
        self.assertEqual(len(tids), len(set(tids)), "a rating twice across pages")
        self.assertEqual(sorted(tids), sorted(rated))
        # oldest first: in the order of `after` (the ticket), which is the
        # order of rating but for ratings of one commit (the same ms or
        # one apart when four windows rate at once)
        self.assertEqual(tids, sorted(tids), "oldest first across pages")
        self.assertEqual(nxt, None)


class Crash(CasesBase):

    def test_kill9_right_after_the_201(self):
        h = self.hall
        acked = []
        for k in range(4):
            tk, _ = self.serve(3 if k % 2 else 1)
            r = self.rate(tk["id"], 1 + k % 2, CLERK_OF[3 if k % 2 else 1])
            self.assertEqual(r.status, 201, r)
            h.kill9()                      # right after the 201
            acked.append(tk)
            h.set_clock(h.clock_guess() + 1000)
            h.restart()
        for tk in acked:
            c = self.case_of(tk["id"])
            self.assertEqual((c["kind"], c["state"]), ("rating", "open"))
        evs = self.events_of(0, ("rating.recorded", "case.opened"))
        recs = {e["ticket"] for e in evs if e["type"] == "rating.recorded"}
        opened = {e["case"]["ticket"] for e in evs if e["type"] == "case.opened"}
        for tk in acked:
            self.assertIn(tk["id"], recs)
            self.assertIn(tk["id"], opened)
        self.assertEqual(self.cases()["open"], 4)
        # a step and a ledger entry answered, then kill -9: both stand
        cid = self.case_of(acked[0]["id"])["id"]
        c = self.step_ok(cid, "verify", "verified", founded=True, note="核实")
        h.kill9()
        h.set_clock(h.clock_guess() + 1000)
        h.restart()
        self.assertEqual(self.get_case(cid)["steps"], c["steps"])
        self.assertEqual(self.get_case(cid)["state"], "verified")
        r = h.req("POST", "/api/cases", {"window": 28, "problem": "无法办理", "by": "李四"}, "c28")
        self.assertEqual(r.status, 201, r)
        lid = r.json["case"]["id"]
        h.kill9()
        h.set_clock(h.clock_guess() + 1000)
        h.restart()
        self.assertEqual(self.get_case(lid)["kind"], "ledger")


class NotRated(CasesBase):
    hall_over = cases_over(**{"hall.rating_timeout_s": 10})

    def test_not_rated_is_no_record_and_no_case(self):
        h = self.hall
        tk, _ = self.serve(3)
        t2, _ = self.serve(1)
        self.rate_ok(t2["id"], 4, "c1")
        seq = h.status()["seq"]
        ev = h.wait_event(lambda e: e["type"] == "rating.recorded" and e["ticket"] == tk["id"],
                          since=seq, timeout=30, token="m1")
        self.assertEqual((ev["score"], ev["not_rated"]), (None, True))
        self.assertEqual(self.cases()["cases"], [])
        recs = self.records()["ratings"]
        self.assertEqual([x["ticket"] for x in recs], [t2["id"]],
                         "the not-rated ones are not rating records")
        rep = self.report("group=matter")
        self.assertEqual((rep["total"]["rated"], rep["total"]["ratings"], rep["total"]["served"]),
                         (1, [0, 0, 0, 1, 0], 2))
        self.assertEqual(rep["total"]["active_rating_pct"], 50.0)


class Purge(CasesBase):
    """The masked ID and phone of a rating record outlive the purge of the
    ticket's personal data (appointments.purge_days 1)."""

    hall_over = cases_over(**{
        "hours": {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "appointments": {"purge_days": 1}})
    hall_args = ("-a",)

    def test_masks_kept_after_the_purge(self):
        h = self.hall
        idn, ph = id_number(31, birth="19770707"), mobile(31313131)
        tk, _ = self.serve(3, id_number=idn, phone=ph)
        self.rate_ok(tk["id"], 2, "c3")
        rec = [x for x in self.records()["ratings"] if x["ticket"] == tk["id"]][0]
        # (the exact mask is test_rating_records's)
        self.assertEqual((rec["rater"]["real_name"], rec["rater"]["phone_masked"]),
                         (True, mask_phone(ph)))
        self.assertTrue(rec["rater"]["id_masked"] and "*" in rec["rater"]["id_masked"] and
                        rec["rater"]["id_masked"].endswith(idn[-4:]), rec["rater"])
        self.later(hall_ms(2026, 9, 22, 10, 0))
        # the purge runs at start or at the first tick of the day
        for _ in range(100):
            got = h.ticket(tk["id"])
            if got.get("id_number") is None and got.get("phone") is None:
                break
            time.sleep(0.1)
        self.assertIsNone(got.get("id_number"), got)
        self.assertIsNone(got.get("phone"), got)
        rec2 = [x for x in self.records("?from=%s&to=%s" % (TODAY, TODAY))["ratings"]
                if x["ticket"] == tk["id"]][0]
        self.assertEqual(rec2["rater"], rec["rater"])
        self.assertEqual(self.case_of(tk["id"])["score"], 2)


class RealNameCheckIn(CasesBase):
    """A ticket of a booking's check-in carries the booking's ID number: its
    rating record is real-name with the masked ID and phone."""

    hall_over = cases_over(**{
        "hours": {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "appointments": {"slot_min": 30, "horizon_days": 7, "min_lead_min": 5,
                         "early_min": 30, "late_min": 15},
        "matters": [dict(m, appointment={"capacity_per_slot": 3}) if m["code"] == "SB01"
                    else dict(m) for m in MATTERS]})
    hall_args = ("-a",)

    def test_check_in_rated_real_name(self):
        h = self.hall
        idn, ph = id_number(77, birth="19880808"), mobile(77007700)
        r = h.req("POST", "/api/appointments", {"matter": "SB01",
                                                "start": hall_ms(2026, 9, 18, 10, 30),
                                                "phone": ph, "id_number": idn}, "k1")
        self.assertEqual(r.status, 201, r)
        r = h.req("POST", "/api/tickets", {"appointment": r.json["appointment"]["code"]}, "k1")
        self.assertEqual(r.status, 201, r)
        tk = r.json["ticket"]
        self.assertEqual(h.win(3, "call", {"ticket": tk["id"]}, token="c3").status, 200)
        self.assertEqual(h.win(3, "finish", token="c3").status, 200)
        self.rate_ok(tk["id"], 1, "e3")
        rec = [x for x in self.records()["ratings"] if x["ticket"] == tk["id"]][0]
        self.assertEqual(rec["rater"], {"type": "person", "id_masked": mask_id18(idn),
                                        "phone_masked": mask_phone(ph), "real_name": True},
                         "a check-in carries an ID number: real-name (README)")


class ManyCases(CasesBase):

    def test_at_most_500_newest_first(self):
        h = self.hall
        ids = []
        c = h.http(timeout=20)
        try:
            for i in range(510):
                r = c.req("POST", "/api/cases", {"window": 28, "problem": "问题%d" % i,
                                                 "by": "李四"}, "c28")
                self.assertEqual(r.status, 201, r)
                ids.append(r.json["case"]["id"])
        finally:
            c.close()
        lst = self.cases()
        self.assertEqual(len(lst["cases"]), 500)
        self.assertEqual([x["id"] for x in lst["cases"]], sorted(ids, reverse=True)[:500])
        self.assertEqual((lst["open"], lst["overdue"]), (510, 0))
        self.assertEqual(len(self.cases("?kind=ledger&state=open")["cases"]), 500)
