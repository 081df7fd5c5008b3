"""Live window adjustment (窗口动态调整, issue 17) from outside: GET
/api/advice against web/README.md "### `GET /api/advice`".

The halls here have no staffing forecast unless said (so the projection is
the backlog alone) and services at the prior mean (600 s): with FIFO calls
on identical windows the waits are known exactly — n tickets on one window
wait (n − 1)·300 s on average, on two windows 600·Σ⌊i/2⌋/n — and the test
checks the daemon's "before" figures against them.

1. A backlog of 40 BDC01 tickets on one open window, another BDC01 window
   closed and one paused: BDC01 is late (waiting, eta, target, open windows,
   projected mean = the suggestions' "before"), its suggestions lower its
   wait (after < before; "open" exactly to the two-window figure), requests
   name the window and its command.  Applying suggestions one after the
   other (the request exactly as given, manager token): 200, the window
   opens / resumes / takes the matter in tier 0 keeping its other matters,
   the event is in GET /api/events, the next advice does not repeat the
   move, and its "before" is the previous "after".
2. A hall with nothing late: `late: []`, `suggestions: []`.
3. Two matters sharing: a big backlog on YB01 (one open window) and a small
   one on SB01 (target 120 s): lending YB01's window to SB01 would slow
   YB01 more than it helps SB01 — not suggested; every suggestion gains a
   minute net (its gain less the others' increases), others move ≥ 60 s.
4. Five late matters and six closed 无差别 windows: at most three
   suggestions per matter, eight in all, best first; one baseline per
   matter across all suggestions.
5. Hours: a window closed by hand inside its hours is suggested to open;
   one past its hours (17:10, window 5 closes at 17:00) is not.
6. The oldest wait alone makes a matter late; a heavy forecast alone makes
   a matter late (its projected mean wait from the next hour's arrivals).
7. Tokens: none/unknown 401, kiosk/clerk/display 403; manager and admin 200.
"""
import json
import time

from harness import ALL, ClockHallCase, MATTERS, hall_ms, hours_over
from test_staffing import PREFIX, fill_history

TOL = 5          # seconds: the tickets of a test waited a few ms already


def t(hh, mm, ss=0, day=1):
    """December 2026, hall time (the 1st is a Tuesday)."""
    return hall_ms(2026, 12, day, hh, mm, ss)


def fifo_mean(n, windows, service=600):
    """Mean wait of n tickets waiting now, called in order by `windows`
    identical free windows, each service `service` s."""
    return sum((i // windows) * service for i in range(n)) / n


def net_gain(s):
    e = s["effect"]
    gain = e["wait_mean_s_before"] - e["wait_mean_s_after"]
    loss = sum(max(0, o["wait_mean_s_after"] - o["wait_mean_s_before"])
               for o in e.get("others", []))
    return gain - loss


class AdviceCase(ClockHallCase):
    clock = t(10, 0)

    def advice(self, h=None, token="m1", status=200):
        h = h or self.hall
        r = h.req("GET", "/api/advice", None, token)
        if r.status != status:
            self.fail("GET /api/advice as %s: %r\nhallqd's stderr:\n%s" %
                      (token, r, h.stderr_tail()))
        if status == 200:
            self.check_shape(h, r.json)
        return r.json

    def check_shape(self, h, a):
        """What every answer must be, whatever the hall."""
        self.assertEqual(a["horizon_min"], 60, a)
        self.assertLessEqual(abs(a["at"] - h.now()), 5000, a["at"])
        late = {}
        for l in a["late"]:
            for k in ("matter", "name", "waiting", "eta_s", "oldest_wait_s", "target_s",
                      "projected_wait_s", "open_windows"):
                self.assertIn(k, l, l)
            late[l["matter"]] = l
        sugg = a["suggestions"]
        self.assertLessEqual(len(sugg), 8, "at most eight suggestions")
        per = {}
        base = {}
        for s in sugg:
            self.assertIn(s["action"], ("open", "resume", "tiers"), s)
            self.assertIn(s["matter"], late, "a suggestion for a matter that is not late: %r" % s)
            per[s["matter"]] = per.get(s["matter"], 0) + 1
            req = s["request"]
            self.assertEqual(req["method"], "POST", s)
            self.assertEqual(req["path"], "/api/windows/%d/%s" % (s["window"], s["action"]), s)
            self.assertIsInstance(req["body"], dict, s)
            if s["action"] == "tiers":
                tiers = req["body"]["tiers"]
                self.assertIn(s["matter"], tiers[0], s)
            e = s["effect"]
            self.assertEqual(e["matter"], s["matter"], s)
            self.assertLess(e["wait_mean_s_after"], e["wait_mean_s_before"], s)
            # the late matter's gain less the others' increases: a minute at least
            self.assertGreaterEqual(net_gain(s), 60, "a move with a net gain under a minute: %s"
                                    % json.dumps(s, ensure_ascii=False))
            for o in e.get("others", []):
                self.assertNotEqual(o["matter"], s["matter"], s)
                self.assertGreaterEqual(abs(o["wait_mean_s_after"] - o["wait_mean_s_before"]),
                                        60, "others lists only matters moved by a minute: %r" % s)
            # one baseline ("doing nothing") for every suggestion
            for m, v in [(s["matter"], e["wait_mean_s_before"])] + \
                    [(o["matter"], o["wait_mean_s_before"]) for o in e.get("others", [])]:
                if m in base:
                    self.assertLessEqual(abs(base[m] - v), 1,
                                         "two baselines for %s: %r and %r" % (m, base[m], v))
                base[m] = v
        for m, n in per.items():
            self.assertLessEqual(n, 3, "at most three suggestions for %s" % m)
        nets = [net_gain(s) for s in sugg]
        self.assertEqual(nets, sorted(nets, reverse=True), "best first: %r" % nets)
        # a late matter's projected mean wait is the baseline of its moves
        for m, v in base.items():
            if m in late:
                self.assertLessEqual(abs(late[m]["projected_wait_s"] - v), 1,
                                     (m, late[m], v))

    def window(self, n, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/windows/%d" % n, None, "m1")
        self.assertEqual(r.status, 200, r)
        return r.json["window"]

    def key(self, s):
        return (s["action"], s["window"], s["matter"])


# -------------------------------------------------------------- 1. backlog

BACKLOG_WINDOWS = [
    {"number": 1, "name": "1号窗口", "state": "open", "tiers": [["SB01", "SB02"]]},
    {"number": 2, "name": "2号窗口", "state": "open", "tiers": [["YB01", "YB02"]]},
    {"number": 3, "name": "3号窗口", "state": "open", "tiers": [["BDC01"]]},
    {"number": 4, "name": "4号窗口", "state": "closed", "tiers": [["BDC01"]]},
    {"number": 5, "name": "5号窗口", "state": "open", "tiers": [["BDC01", "BDC02"]]},
    {"number": 6, "name": "6号窗口", "state": "open", "tiers": [["SB01"]]},
]


class Backlog(AdviceCase):
    hall_over = {"windows": BACKLOG_WINDOWS}

    def setUp(self):
        super().setUp()
        h = self.hall
        r = h.win(5, "pause", token="m1")
        self.assertEqual(r.status, 200, r)
        for _ in range(40):
            h.issue_ok("BDC01")
        h.issue_ok("SB01")

    def test_backlog_is_late_and_suggestions_lower_its_wait(self):
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertEqual(sorted(late), ["BDC01"], a["late"])
        l = late["BDC01"]
        self.assertEqual(l["name"], "不动产登记")
        self.assertEqual(l["waiting"], 40)
        self.assertEqual(l["open_windows"], 1)
        self.assertEqual(l["eta_s"], 40 * 600)
        self.assertEqual(l["target_s"], 1800)
        self.assertLessEqual(l["oldest_wait_s"], TOL)
        before = fifo_mean(40, 1)                       # 11700
        self.assertLessEqual(abs(l["projected_wait_s"] - before), TOL, l)
        sugg = a["suggestions"]
        self.assertTrue(1 <= len(sugg) <= 3, sugg)
        serving = {4: "open", 5: "resume", 1: "tiers", 2: "tiers", 6: "tiers"}
        for s in sugg:
            self.assertEqual(s["matter"], "BDC01", s)
            self.assertEqual(serving.get(s["window"]), s["action"],
                             "window %d cannot be moved by %r: %r" % (s["window"], s["action"], s))
            e = s["effect"]
            self.assertLessEqual(abs(e["wait_mean_s_before"] - before), TOL, s)
            # any of these moves gives BDC01 a second window now (SB01's one
            # ticket is called by the other SB01 window): 600·Σ⌊i/2⌋/40
            self.assertLessEqual(abs(e["wait_mean_s_after"] - fifo_mean(40, 2)), TOL, s)
            self.assertEqual(e["others"], [], s)
            if s["action"] == "tiers":
                old = [m for tier in self.window(s["window"])["tiers"] for m in tier]
                new = [m for tier in s["request"]["body"]["tiers"] for m in tier]
                self.assertEqual(sorted(new), sorted(old + ["BDC01"]),
                                 "the window keeps its other matters: %r" % s)
            else:
                self.assertEqual(s["request"]["body"], {}, s)

    def test_apply_one_after_the_other(self):
        """Apply the first suggestion, again and again (at most six rounds),
        until an open, a resume and a tiers move have each been applied."""
        h = self.hall
        applied = []
        kinds = set()
        prev_after = None
        for rnd in range(6):
            a = self.advice()
            late = {l["matter"] for l in a["late"]}
            if "BDC01" not in late:
                break
            mine = [s for s in a["suggestions"] if s["matter"] == "BDC01"]
            self.assertTrue(mine, "BDC01 late (waiting %r) and moves left, but no "
                            "suggestion: %r" % (self.waiting(), a))
            for k in applied:
                self.assertNotIn(k, [self.key(s) for s in mine],
                                 "round %d: the applied move %r is suggested again" % (rnd, k))
            s = mine[0]
            if prev_after is not None:
                # the hall as applied is what the last suggestion predicted
                self.assertLessEqual(abs(s["effect"]["wait_mean_s_before"] - prev_after), 60,
                                     (rnd, s, prev_after))
            seq = h.status()["seq"]
            old = self.window(s["window"])
            req = s["request"]
            r = h.req(req["method"], req["path"], req["body"], "m1")
            self.assertEqual(r.status, 200, (req, r))
            w = self.window(s["window"])
            if s["action"] == "open":
                self.assertEqual(old["state"], "closed")
                self.assertEqual(w["state"], "open", w)
                ev = "window.opened"
            elif s["action"] == "resume":
                self.assertEqual(old["state"], "paused")
                self.assertEqual(w["state"], "open", w)
                ev = "window.resumed"
            else:
                self.assertIn("BDC01", w["tiers"][0], w)
                self.assertLessEqual({m for tier in old["tiers"] for m in tier},
                                     {m for tier in w["tiers"] for m in tier},
                                     "the window keeps its other matters")
                self.assertEqual(w["tiers"], req["body"]["tiers"], w)
                ev = "window.tiers"
            evs = [e for e in h.events(since=seq) if e["type"] == ev and
                   e["window"]["number"] == s["window"]]
            self.assertEqual(len(evs), 1, (ev, h.events(since=seq)))
            self.assertEqual(evs[0]["window"]["state"], w["state"])
            self.assertEqual(evs[0]["window"]["tiers"], w["tiers"])
            applied.append(self.key(s))
            kinds.add(s["action"])
            prev_after = s["effect"]["wait_mean_s_after"]
            if kinds == {"open", "resume", "tiers"}:
                break
        self.assertEqual(kinds, {"open", "resume", "tiers"}, applied)
        # the hall as it now stands: every applied move is taken
        a = self.advice()
        for s in a["suggestions"]:
            self.assertNotIn(self.key(s), applied, s)

    def waiting(self):
        r = self.hall.req("GET", "/api/hall", None, "m1")
        return {m["code"]: m["waiting"] for m in r.json["matters"]}

    def test_tokens(self):
        h = self.hall
        for tok, st in ((None, 401), ("nope", 401), ("k1", 403), ("c-all", 403),
                        ("c3", 403), ("d1", 403)):
            r = h.req("GET", "/api/advice", None, tok)
            self.assertEqual(r.status, st, (tok, r))
            self.assertIsInstance(r.json.get("error"), dict, r)
        for tok in ("m1", "a1"):
            self.advice(token=tok)


# ----------------------------------------------------------- 2. nothing late

class NothingLate(AdviceCase):
    hall_over = {}

    def test_empty_hall(self):
        a = self.advice()
        self.assertEqual((a["late"], a["suggestions"]), ([], []))

    def test_a_few_tickets(self):
        h = self.hall
        for m in ("SB01", "SB01", "YB01", "BDC01"):
            h.issue_ok(m)
        # window 1 on one of them
        self.assertEqual(h.win(1, "call-next").status, 200)
        a = self.advice()
        self.assertEqual((a["late"], a["suggestions"]), ([], []))


# ------------------------------------------------- 3. no move at a net loss

def sharing_over():
    ms = json.loads(json.dumps(MATTERS))
    for m in ms:
        if m["code"] == "SB01":
            m["target_wait_s"] = 120
    wins = [{"number": 1, "state": "open", "tiers": [["YB01"]]},
            {"number": 2, "state": "closed", "tiers": [["YB01"]]},
            {"number": 3, "state": "open", "tiers": [["SB01"]]},
            {"number": 4, "state": "closed", "tiers": [["SB01"]]}]
    return {"windows": wins, "matters": ms}


class NetLoss(AdviceCase):
    """SB01: 2 tickets on window 3 (target 120 s); YB01: 30 tickets on
    window 1.  Giving window 1 SB01 in tier 0 would take SB01's older second
    ticket first: SB01 gains 300 s on its mean, YB01 loses about 600 s on
    each of its 30 — a net loss, never suggested.  Opening window 4 for
    SB01 (no loss) and window 2 for YB01 are."""

    hall_over = sharing_over()

    def test_no_net_loss(self):
        h = self.hall
        for _ in range(2):
            h.issue_ok("SB01")
        time.sleep(0.01)
        for _ in range(30):
            h.issue_ok("YB01")
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertEqual(sorted(late), ["SB01", "YB01"], a["late"])
        self.assertLessEqual(abs(late["SB01"]["projected_wait_s"] - fifo_mean(2, 1)), TOL)
        self.assertLessEqual(abs(late["YB01"]["projected_wait_s"] - fifo_mean(30, 1)), TOL)
        keys = [self.key(s) for s in a["suggestions"]]
        self.assertNotIn(("tiers", 1, "SB01"), keys, a["suggestions"])
        self.assertIn(("open", 4, "SB01"), keys, a["suggestions"])
        self.assertIn(("open", 2, "YB01"), keys, a["suggestions"])
        for s in a["suggestions"]:
            if s["window"] == 1:
                self.fail("window 1 (YB01's only open window) lent: %r" % s)


# --------------------------------------------------- 4. three and eight

class ManyLate(AdviceCase):
    """Windows 1–6 each serve one matter; 10–15 serve everything and are
    closed.  SB01 25, SB02 20, YB01 15, YB02 10, BDC01 30 waiting (late),
    BDC02 2 (not late)."""

    hall_over = {"windows": [{"number": n, "state": "open", "tiers": [[c]]}
                             for n, c in enumerate(ALL, 1)] +
                            [{"number": 10 + k, "state": "closed", "tiers": [ALL]}
                             for k in range(6)]}
    counts = {"SB01": 25, "SB02": 20, "YB01": 15, "YB02": 10, "BDC01": 30, "BDC02": 2}

    def test_three_per_matter_eight_in_all_best_first(self):
        h = self.hall
        for c, n in self.counts.items():
            for _ in range(n):
                h.issue_ok(c)
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertEqual(sorted(late), sorted(c for c, n in self.counts.items() if n >= 4),
                         a["late"])
        for c, l in late.items():
            self.assertEqual(l["waiting"], self.counts[c])
            self.assertEqual(l["open_windows"], 1)
            self.assertLessEqual(abs(l["projected_wait_s"] - fifo_mean(self.counts[c], 1)),
                                 TOL, l)
        sugg = a["suggestions"]
        # 5 late matters, each with 6 windows to open and 5 to lend: the
        # caps bind
        self.assertEqual(len(sugg), 8, sugg)
        per = {}
        for s in sugg:
            per[s["matter"]] = per.get(s["matter"], 0) + 1
        self.assertEqual(max(per.values()), 3, per)


# ------------------------------------------------------------- 5. hours

class Hours(AdviceCase):
    """The hours hall (harness): window 5 serves BDC02 only, 08:30–12:00
    and 13:30–17:00 on weekdays."""

    hall_over = hours_over()

    def test_open_inside_its_hours(self):
        h = self.hall
        self.assertEqual(h.win(5, "close", token="m1").status, 200)
        for _ in range(20):
            h.issue_ok("BDC02")
        a = self.advice()
        keys = [self.key(s) for s in a["suggestions"]]
        self.assertIn(("open", 5, "BDC02"), keys, a)
        s = [s for s in a["suggestions"] if self.key(s) == ("open", 5, "BDC02")][0]
        self.assertLessEqual(abs(s["effect"]["wait_mean_s_after"] - fifo_mean(20, 1)), TOL, s)

    def test_not_opened_past_its_hours(self):
        h = self.new_hall(t(17, 10))
        if self.window(5, h)["state"] != "closed":
            self.assertEqual(h.win(5, "close", token="m1").status, 200)
        h.stop()
        # 20 BDC02 tickets taken before 17:00 (the matter's issuing has
        # ended by now), still waiting
        rows = []
        for i in range(20):
            iss = t(16, 40, i)
            rows.append({"id": 900 + i, "day": "2026-12-01", "number": "A%03d" % (i + 1),
                         "prefix": PREFIX["BDC02"], "seqno": i + 1, "matter": "BDC02",
                         "class": "normal", "channel": "kiosk", "state": "waiting",
                         "issued_at": iss, "arrival": iss, "token": "%032x" % (900 + i)})
        fill_history(h.db_path, rows)
        h.set_clock(t(17, 11))
        h.restart()
        self.assertEqual(self.window(5, h)["state"], "closed")
        a = self.advice(h)
        late = {l["matter"]: l for l in a["late"]}
        self.assertIn("BDC02", late, a)
        self.assertEqual(late["BDC02"]["waiting"], 20)
        for s in a["suggestions"]:
            self.assertNotEqual(s["window"], 5, "window 5 is past its hours: %r" % s)


# ------------------------------------------------ 6. other reasons to be late

class OldestWait(AdviceCase):
    hall_over = {}

    def test_oldest_wait_alone(self):
        """One SB01 ticket waiting 40 min with windows open: its estimate is
        600 s, under the 1800 s target, but its wait is past it."""
        h = self.hall
        tk = h.issue_ok("SB01")
        self.assertLessEqual(tk["eta_s"], 600)
        h.stop()
        h.set_clock(t(10, 40))
        h.restart()
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertEqual(sorted(late), ["SB01"], a)
        self.assertLessEqual(abs(late["SB01"]["oldest_wait_s"] - 2400), TOL, late)
        self.assertEqual(late["SB01"]["waiting"], 1)


def forecast_over():
    over = hours_over()
    over["staffing"] = {"forecast": {"tickets_per_day": 1000,
                                     "profile": {"10": 0.5, "11": 0.5},
                                     "shares": {"BDC01": 1.0}}}
    return over


class ForecastLate(AdviceCase):
    """500 BDC01 tickets an hour forecast at 10 and 11 o'clock, one window
    for BDC01 (20 min a service): the next hour's arrivals alone push its
    projected mean wait far past the target."""

    hall_over = forecast_over()

    def test_forecast_counts_in_the_projection(self):
        h = self.hall
        r = h.issue("BDC01", accept_wait=True)
        self.assertEqual(r.status, 201, r)
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertIn("BDC01", late, a)
        # one ticket alone would be called at once: the wait is the forecast's
        self.assertGreater(late["BDC01"]["projected_wait_s"], 1800, late)

    def test_forecast_alone_makes_a_matter_late(self):
        """Nothing waits yet: the projected mean wait of the tickets arriving
        within the hour is past the target all the same."""
        a = self.advice()
        late = {l["matter"]: l for l in a["late"]}
        self.assertIn("BDC01", late, "nothing waits, 500 BDC01 tickets an hour are "
                      "forecast for one window, and BDC01 is not late: %r" % a)
        self.assertGreater(late["BDC01"]["projected_wait_s"], 1800, late)
