"""Staffing per matter and hour (issue 17) from outside: GET /api/staffing
against web/README.md "## Staffing (窗口配置建议)" and REFERENCE.md's
"Staffing and simulation — formulas and test vectors".

Every figure is computed HERE, independently of the daemon, from the
configuration and what the test wrote or did:

- arrivals per matter and hour: the forecast (tickets a day × the hour's
  share × the matter's share) or, with history, the same weekday's tickets
  per hour of issue ÷ the number of such days;
- lagged SIPP: the hourly rate averaged over the hour shifted back by the
  matter's mean service time (services of over an hour reach two hours back);
- windows: the fewest c with ρ < 1 and P(Wq ≤ target) = 1 − C(c,a)·e^{−(cμ−λ)t}
  ≥ level_pct, Erlang C by the Erlang B recursion;
- recommended: their sum; pooled: all matters as one queue (λ = the lagged
  rates' sum, mean service = the work ÷ that rate);
- open_windows: the windows open by their hours at the middle of the hour
  (a lunch-time window, a 延时 window open after the hall closes, a window
  closed on Wednesdays, one that closes at 17:00, a make-up Saturday worked
  with Monday's hours, a holiday), or without hours those configured open.

1. Forecast, no history (Tuesday, Wednesday, make-up Saturday): every hour
   and every matter; `source` "forecast", `history_days` [].
2. A holiday, a Sunday and an ordinary Saturday: `working_day` false, no
   arrivals.
3. History: tickets written into the SQLite file for the same weekday 1, 2
   and 3 weeks back (none 4 weeks back; other weekdays as distractors):
   `source` "history", `history_days` those three, arrivals = counts ÷ 3.
4. Bad days → 400; tokens: none/unknown 401, kiosk/clerk/display 403.
5. The learned mean (`service_min`) follows finished services (EWMA α 0.2,
   each call-to-finish under a second clamped to 10 s: exact), live and as
   rebuilt at start from today's rows (5 ms → 10 s, 5 h → 4 h; a service of
   0 ms is a short one too, clamped to 10 s).
6. The hour's `arrivals` is the sum of its matters' `arrivals`; a matter
   with arrivals in an hour is listed in it (even when its lagged rate there
   is still 0).
7. No staffing section: `source` "none", the defaults 15 min / 80 %.
"""
import datetime
import math
import sqlite3
import time

from harness import ClockHallCase, Hall, HallCase, hall_ms, hours_over, MATTERS

# ------------------------------------------------------------- the theory


def erlang_b(c, a):
    b = 1.0
    for k in range(1, c + 1):
        b = a * b / (k + a * b)
    return b


def erlang_c(c, a):
    b = erlang_b(c, a)
    return c * b / (c - a * (1 - b))


def p_within(c, lam, mu, t):
    """P(Wq <= t) for M/M/c, rates per minute, t in minutes."""
    a = lam / mu
    if a >= c:
        return 0.0
    return 1.0 - erlang_c(c, a) * math.exp(-(c * mu - lam) * t)


def fewest_windows(lam_per_h, service_min, target_min, level_pct):
    """The fewest windows reaching level_pct within target_min (0 without
    arrivals)."""
    if lam_per_h <= 0:
        return 0
    lam = lam_per_h / 60.0
    mu = 1.0 / service_min
    c = int(math.floor(lam / mu)) + 1
    for _ in range(10000):
        if p_within(c, lam, mu, target_min) >= level_pct / 100.0:
            return c
        c += 1
    raise AssertionError("no c found")


def lagged_rate(arr, service_min, h):
    """The rate of hour h (per hour) averaged over [h − s, h + 1 − s], s the
    mean service in hours; arr(hour) the hourly rate (0 before midnight)."""
    s = service_min / 60.0
    lo, hi = h - s, h + 1 - s
    tot = 0.0
    k = math.floor(lo)
    while k < hi:
        part = min(hi, k + 1) - max(lo, k)
        if part > 0 and 0 <= k <= 23:
            tot += arr(k) * part
        k += 1
    return tot


def check_vectors():
    """REFERENCE.md's V1–V4: the test's own formulas are right."""
    assert abs(erlang_c(5, 4.0) - 0.554113) < 1e-6
    assert abs(erlang_c(12, 10.0) - 0.449388) < 1e-6
    assert abs(erlang_c(14, 10.0) - 0.174132) < 1e-5
    assert abs(p_within(14, 10.0 / 3, 1.0 / 3, 20.0 / 60) - 0.888350) < 1e-5
    assert abs(erlang_c(1, 5.0 / 8) - 0.625) < 1e-9


# --------------------------------------------------------------- the hall

DAY = "2026-12-01"                  # a Tuesday
WED = "2026-12-02"
HOLIDAY = "2026-12-03"              # harness: a holiday (Thursday)
MAKEUP = "2026-12-05"               # harness: a 调休 Saturday (Monday's hours)
SUNDAY = "2026-12-06"
SATURDAY = "2026-12-12"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

PRIOR_S = {"SB01": 600, "SB02": 300, "YB01": 600, "YB02": 2700, "BDC01": 1200,
           "BDC02": 4500}
TARGET_MIN = 10
LEVEL_PCT = 90
PER_DAY = 600
PROFILE = {"08": 0.08, "09": 0.18, "10": 0.2, "11": 0.12, "12": 0.04, "13": 0.08,
           "14": 0.14, "15": 0.1, "16": 0.05, "17": 0.01}
SHARES = {"SB01": 0.3, "SB02": 0.15, "YB01": 0.2, "YB02": 0.1, "BDC01": 0.15,
          "BDC02": 0.1}


def t(hh, mm, ss=0, day=1):
    return hall_ms(2026, 12, day, hh, mm, ss)


def staffing_over(forecast=True, **extra):
    """The hours hall of the harness with its windows varied: window 5 is
    closed on Wednesdays, window 6 is a 延时 window (weekdays 13:30–19:00),
    and a staffing section (target 10 min at 90%)."""
    over = hours_over()
    for m in over["matters"]:
        m["service_s"] = PRIOR_S[m["code"]]
    w5 = [w for w in over["windows"] if w["number"] == 5][0]
    w5["hours"] = dict(w5["hours"])
    w5["hours"]["wed"] = []
    late = {d: [["13:30", "19:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    over["windows"].append({"number": 6, "name": "延时窗口", "hours": late,
                            "state": "open", "tiers": [["SB01", "YB01", "BDC01"]]})
    st = {"target_wait_min": TARGET_MIN, "level_pct": LEVEL_PCT, "history_weeks": 4}
    if forecast:
        st["forecast"] = {"tickets_per_day": PER_DAY, "profile": dict(PROFILE),
                          "shares": dict(SHARES)}
    over["staffing"] = st
    over.update(extra)
    return over


def hm(s):
    hh, mm = s.split(":")
    return int(hh) * 60 + int(mm)


def expected_open(over, day):
    """{hour: windows open at hh:30} from the config's hours and calendar."""
    d = datetime.date.fromisoformat(day)
    cal = over.get("calendar", {})
    if "hours" not in over:
        n = sum(1 for w in over["windows"] if w.get("state", "open") == "open")
        return {h: n for h in range(24)}
    if day in cal.get("holidays", []):
        return {h: 0 for h in range(24)}
    wd = WEEKDAYS[d.weekday()]
    if day in cal.get("workdays", []):
        wd = "mon"
    out = {}
    for h in range(24):
        mid = h * 60 + 30
        n = 0
        for w in over["windows"]:
            wh = w.get("hours", {})
            periods = wh[wd] if wd in wh else over["hours"].get(wd, [])
            if any(hm(a) <= mid < hm(b) for a, b in periods):
                n += 1
        out[h] = n
    return out


def working(over, day):
    cal = over.get("calendar", {})
    if day in cal.get("holidays", []):
        return False
    if day in cal.get("workdays", []):
        return True
    return datetime.date.fromisoformat(day).weekday() < 5


def forecast_arrivals(code, h):
    return PER_DAY * PROFILE.get("%02d" % h, 0.0) * SHARES.get(code, 0.0)


def expected_plan(arr, service_min, target_min, level_pct, codes):
    """{hour: {"matters": {code: (arrivals, lagged, windows)}, "recommended",
    "pooled", "lagged_sum", "arrivals_sum"}} for hours 0..23."""
    plan = {}
    for h in range(24):
        ms = {}
        for c in codes:
            a = arr(c, h)
            lg = lagged_rate(lambda k, c=c: arr(c, k), service_min[c], h)
            ms[c] = (a, lg, fewest_windows(lg, service_min[c], target_min, level_pct))
        lam = sum(v[1] for v in ms.values())
        work = sum(v[1] * service_min[c] for c, v in ms.items())
        pooled = fewest_windows(lam, work / lam, target_min, level_pct) if lam > 0 else 0
        plan[h] = {"matters": ms, "recommended": sum(v[2] for v in ms.values()),
                   "pooled": pooled, "lagged_sum": lam,
                   "arrivals_sum": sum(v[0] for v in ms.values())}
    return plan


def near(got, want, tol=0.051):
    """A figure the daemon may round to one decimal."""
    return (isinstance(got, (int, float)) and not isinstance(got, bool)
            and abs(got - want) <= tol + 1e-9)


class StaffingMixin:
    """Fetch and compare a whole GET /api/staffing answer."""

    def staffing(self, h, day=None, token="m1", status=200):
        r = h.req("GET", "/api/staffing" + ("?day=%s" % day if day else ""), None, token)
        if r.status != status:
            self.fail("GET /api/staffing?day=%s as %s: %r\nhallqd's stderr:\n%s" %
                      (day, token, r, h.stderr_tail()))
        return r

    def compare(self, got, over, day, arr, service_min, source, history_days=(),
                unlisted=None):
        """Every hour and matter of `got` against the independent figures;
        returns the list of mismatches (empty when all agree).  A matter
        with arrivals in an hour but no lagged rate yet that is not listed
        goes to `unlisted` (see test_every_matter_with_arrivals_is_listed)."""
        bad = []
        if unlisted is None:
            unlisted = []
        self.assertEqual(got["day"], day)
        self.assertIs(got["working_day"], True, got)
        self.assertEqual(got["source"], source)
        self.assertEqual(sorted(got["history_days"]), sorted(history_days))
        self.assertEqual(got["target_wait_min"], TARGET_MIN)
        self.assertEqual(got["level_pct"], LEVEL_PCT)
        codes = [m["code"] for m in over["matters"]]
        plan = expected_plan(arr, service_min, TARGET_MIN, LEVEL_PCT, codes)
        opens = expected_open(over, day)
        hours = {}
        for hh in got["hours"]:
            self.assertNotIn(hh["hour"], hours, "hour %s listed twice" % hh["hour"])
            hours[hh["hour"]] = hh
        self.assertEqual([hh["hour"] for hh in got["hours"]], sorted(hours),
                         "hours in order")
        for h in range(24):
            p = plan[h]
            has = opens[h] > 0 or p["arrivals_sum"] > 0
            if h not in hours:
                if has:
                    bad.append("%s hour %d not listed: open %d, arrivals %.3f" %
                               (day, h, opens[h], p["arrivals_sum"]))
                continue
            hh = hours[h]
            if not has and p["lagged_sum"] <= 0:
                bad.append("%s hour %d listed with no arrivals and no open window" % (day, h))
            if hh["open_windows"] != opens[h]:
                bad.append("%s hour %d open_windows %r, want %d" %
                           (day, h, hh["open_windows"], opens[h]))
            if not isinstance(hh.get("over_max"), bool):
                bad.append("%s hour %d over_max %r is not a bool" % (day, h, hh.get("over_max")))
            ms = {}
            for m in hh["matters"]:
                if m["code"] in ms:
                    bad.append("%s hour %d matter %s twice" % (day, h, m["code"]))
                ms[m["code"]] = m
            for c in codes:
                a, lg, w = p["matters"][c]
                m = ms.get(c)
                if m is None:
                    if lg > 0.05:
                        bad.append("%s hour %d: %s missing (arrivals %.3f, lagged %.3f)" %
                                   (day, h, c, a, lg))
                    elif a > 0:
                        # arrivals but nothing to staff yet (a service of
                        # over an hour lags them out): test_every_matter_...
                        unlisted.append("%s hour %d: %s not listed (arrivals %.3f, "
                                        "lagged %.3f)" % (day, h, c, a, lg))
                    continue
                if not near(m["arrivals"], a):
                    bad.append("%s %02d:00 %s arrivals %r, want %.4f" % (day, h, c, m["arrivals"], a))
                if not near(m["lagged"], lg):
                    bad.append("%s %02d:00 %s lagged %r, want %.4f" % (day, h, c, m["lagged"], lg))
                if not near(m["service_min"], service_min[c]):
                    bad.append("%s %02d:00 %s service_min %r, want %.4f" %
                               (day, h, c, m["service_min"], service_min[c]))
                if m["windows"] != w:
                    bad.append("%s %02d:00 %s windows %r, want %d (λ %.4f/h, service %.3f min)" %
                               (day, h, c, m["windows"], w, lg, service_min[c]))
            unknown = set(ms) - set(codes)
            if unknown:
                bad.append("%s hour %d: unknown matters %s" % (day, h, sorted(unknown)))
            if hh["recommended"] != p["recommended"]:
                bad.append("%s %02d:00 recommended %r, want %d" % (day, h, hh["recommended"],
                                                                    p["recommended"]))
            if hh["recommended"] != sum(m["windows"] for m in hh["matters"]):
                bad.append("%s %02d:00 recommended %r is not the sum of its matters' windows" %
                           (day, h, hh["recommended"]))
            if hh["pooled"] != p["pooled"]:
                bad.append("%s %02d:00 pooled %r, want %d (λ %.4f/h)" %
                           (day, h, hh["pooled"], p["pooled"], p["lagged_sum"]))
        return bad


class Forecast(StaffingMixin, ClockHallCase):
    """A staffing.forecast and no history."""

    hall_over = staffing_over()
    clock = t(10, 0)

    def test_theory_of_the_test(self):
        check_vectors()

    def test_forecast_hour_by_hour(self):
        check_vectors()
        h = self.hall
        over = self.hall_over
        service = {c: s / 60.0 for c, s in PRIOR_S.items()}
        bad = []
        for day in (DAY, WED, MAKEUP):
            got = self.staffing(h, day).json
            bad += self.compare(got, over, day, forecast_arrivals, service, "forecast")
        # today by default
        got = self.staffing(h).json
        self.assertEqual(got["day"], DAY)
        bad += self.compare(got, over, DAY, forecast_arrivals, service, "forecast")
        self.assertEqual(bad, [], "\n".join(bad))
        # the config's hours as this test reads them (guards the test itself)
        o = expected_open(over, DAY)
        self.assertEqual([o[x] for x in (8, 11, 12, 13, 16, 17, 18, 19)],
                         [5, 5, 1, 6, 6, 1, 1, 0])
        self.assertEqual(expected_open(over, WED)[9], 4)
        self.assertEqual(expected_open(over, MAKEUP)[10], 5)

    def test_non_working_days(self):
        h = self.hall
        for day in (HOLIDAY, SUNDAY, SATURDAY):
            got = self.staffing(h, day).json
            self.assertEqual(got["day"], day)
            self.assertIs(got["working_day"], False, got)
            for hh in got["hours"]:
                self.assertEqual(hh["recommended"], 0, (day, hh))
                self.assertEqual(hh["pooled"], 0, (day, hh))
                self.assertFalse(hh["arrivals"], (day, hh))
                self.assertEqual(hh["open_windows"], 0, (day, hh))
                for m in hh["matters"]:
                    self.assertFalse(m["arrivals"], (day, hh))
                    self.assertFalse(m["lagged"], (day, hh))
                    self.assertEqual(m["windows"], 0, (day, hh))
        # the make-up Saturday is worked
        self.assertIs(self.staffing(h, MAKEUP).json["working_day"], True)

    def test_bad_days_and_tokens(self):
        h = self.hall
        for q in ("2026-13-01", "2026-02-30", "20261201", "abc", "2026-12-01x",
                  "2026-12-01T10:00", "-1"):
            r = h.req("GET", "/api/staffing?day=%s" % q, None, "m1")
            self.assertEqual(r.status, 400, (q, r))
            err = r.json.get("error")
            self.assertIsInstance(err, dict, r)
            self.assertIsInstance(err.get("code"), str, r)
        for tok, st in ((None, 401), ("nope", 401), ("k1", 403), ("c-all", 403),
                        ("c3", 403), ("d1", 403)):
            r = h.req("GET", "/api/staffing?day=%s" % DAY, None, tok)
            self.assertEqual(r.status, st, (tok, r))
            self.assertIsInstance(r.json.get("error"), dict, r)
        for tok in ("m1", "a1"):
            r = h.req("GET", "/api/staffing?day=%s" % DAY, None, tok)
            self.assertEqual(r.status, 200, (tok, r))

    def test_learned_service_follows_finished_tickets(self):
        """EWMA α 0.2 of call-to-finish, clamped to ≥ 10 s: a service of
        well under a second counts as 10 s, so the means are exact:
        SB01 600 s → 482 s → 387.6 s; other matters keep their prior."""
        h = self.hall
        over = self.hall_over
        ids = [h.issue_ok("SB01")["id"] for _ in range(2)]
        means = [600.0]
        for tid in ids:
            r = h.win(1, "call-next")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["ticket"]["id"], tid)
            # at least a ms between call and finish (a service of 0 ms is
            # test_zero_length_service_counts_as_ten_seconds)
            time.sleep(0.02)
            r = h.win(1, "finish")
            self.assertEqual(r.status, 200, r)
            tk = h.ticket(tid)
            d = tk["ended_at"] - tk["called_at"]
            self.assertTrue(0 < d < 10000, "the test needs a call-to-finish under 10 s: %d" % d)
            means.append((4 * means[-1] * 1000 + 10000) / 5 / 1000)
            service = {c: s / 60.0 for c, s in PRIOR_S.items()}
            service["SB01"] = means[-1] / 60.0
            got = self.staffing(h, DAY).json
            bad = self.compare(got, over, DAY, forecast_arrivals, service, "forecast")
            self.assertEqual(bad, [], "after %d finished:\n%s" % (len(means) - 1, "\n".join(bad)))
            # the same mean as the matter load says
            r = h.req("GET", "/api/hall", None, "m1")
            load = {m["code"]: m for m in r.json["matters"]}
            self.assertLessEqual(abs(load["SB01"]["service_s"] - means[-1]), 1, load["SB01"])
        # it moved down, as the services were short
        sm = [m["service_min"] for hh in got["hours"] for m in hh["matters"]
              if m["code"] == "SB01"]
        self.assertTrue(sm and all(x < 7 for x in sm), sm)

    def test_every_matter_with_arrivals_is_listed(self):
        """BDC02 (75 min a service) expects 4.8 tickets at 08:00 but its
        lagged rate there is 0 (the hour shifted back 75 min is before the
        first arrivals): the hour lists it all the same, with its arrivals
        and 0 windows — a matter's tickets that hour are part of the answer."""
        got = self.staffing(self.hall, DAY).json
        service = {c: s / 60.0 for c, s in PRIOR_S.items()}
        unlisted = []
        bad = self.compare(got, self.hall_over, DAY, forecast_arrivals, service,
                           "forecast", unlisted=unlisted)
        self.assertEqual(bad, [], "\n".join(bad))
        self.assertEqual(unlisted, [], "\n".join(unlisted))

    def test_hour_arrivals_is_the_sum_of_its_matters(self):
        """The hour's `arrivals` beside its matters' `arrivals` (tickets that
        hour): the same figure for the whole hall, i.e. their sum."""
        got = self.staffing(self.hall, DAY).json
        bad = []
        for hh in got["hours"]:
            s = sum(m["arrivals"] for m in hh["matters"])
            if not near(hh["arrivals"], s, 0.051 * max(1, len(hh["matters"]))):
                bad.append("hour %d: arrivals %r, its matters' arrivals sum to %.2f "
                           "(their lagged to %.2f)" %
                           (hh["hour"], hh["arrivals"], s, sum(m["lagged"] for m in hh["matters"])))
        self.assertEqual(bad, [], "\n".join(bad))


class NoHours(StaffingMixin, ClockHallCase):
    """Without hours: open_windows are the windows configured open (the
    harness hall: 1–4 open, 5 and 6 closed)."""

    hall_over = {"staffing": {"target_wait_min": TARGET_MIN, "level_pct": LEVEL_PCT,
                              "forecast": {"tickets_per_day": PER_DAY,
                                           "profile": dict(PROFILE),
                                           "shares": dict(SHARES)}}}
    clock = t(10, 0)

    def test_configured_open_windows(self):
        h = self.hall
        over = {"windows": h.config()["windows"], "matters": MATTERS}
        self.assertEqual(expected_open(over, DAY)[10], 4)
        service = {m["code"]: 600 / 60.0 for m in MATTERS}
        got = self.staffing(h, DAY).json
        bad = self.compare(got, over, DAY, forecast_arrivals, service, "forecast")
        self.assertEqual(bad, [], "\n".join(bad))


class NoForecast(StaffingMixin, ClockHallCase):
    """No staffing section and no history: `source` "none", the defaults
    (15 min at 80%), no arrivals, and without hours every hour has the
    configured open windows (1–4)."""

    hall_over = {}
    clock = t(10, 0)

    def test_source_none(self):
        got = self.staffing(self.hall, DAY).json
        self.assertEqual((got["day"], got["working_day"], got["source"], got["history_days"],
                          got["target_wait_min"], got["level_pct"]),
                         (DAY, True, "none", [], 15, 80))
        self.assertEqual([hh["hour"] for hh in got["hours"]], list(range(24)))
        for hh in got["hours"]:
            self.assertEqual((hh["open_windows"], hh["recommended"], hh["pooled"]), (4, 0, 0), hh)
            self.assertFalse(hh["arrivals"], hh)
            for m in hh["matters"]:
                self.assertFalse(m["arrivals"] or m["lagged"] or m["windows"], hh)


# ------------------------------------------------------------- history

def fill_history(db_path, rows):
    """Insert ticket rows (dicts) into the daemon's schema as it stands."""
    db = sqlite3.connect(db_path)
    try:
        cols = {c[1]: c for c in db.execute("PRAGMA table_info(tickets)")}
        names = [c for c in ("id", "day", "number", "prefix", "seqno", "matter", "class",
                             "channel", "state", "window", "issued_at", "arrival",
                             "called_at", "serving_at", "ended_at", "no_show_at",
                             "first_called_at", "finished_by", "token") if c in cols]
        for c, info in cols.items():
            if info[3] and info[4] is None and c not in names and not info[5]:
                raise AssertionError("tickets.%s is NOT NULL without a default: the "
                                     "test does not know it" % c)
        sql = "INSERT INTO tickets (%s) VALUES (%s)" % (", ".join(names),
                                                        ", ".join("?" * len(names)))
        db.executemany(sql, [[x.get(c) for c in names] for x in rows])
        db.commit()
    finally:
        db.close()


PREFIX = {m["code"]: m["prefix"] for m in MATTERS}


class History(StaffingMixin, HallCase):
    """Tuesdays 2026-11-24, 11-17 and 11-10 written into the database
    (nothing on 11-03), a Monday and a Wednesday as distractors."""

    def setUp(self):
        self.over = staffing_over()
        self.hall = Hall(**self.over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(9, 0))
        self.hall.start()          # the schema
        self.hall.stop()

    def test_same_weekday_history(self):
        h = self.hall
        past = ["2026-11-24", "2026-11-17", "2026-11-10"]
        # (matter, hour) -> tickets on each of the three days
        plan = {("SB01", 9): (5, 7, 6), ("SB01", 10): (10, 12, 9), ("SB01", 14): (4, 0, 3),
                ("SB02", 9): (2, 2, 3), ("YB01", 8): (3, 1, 1), ("YB01", 11): (6, 5, 7),
                ("YB02", 10): (2, 3, 3), ("YB02", 13): (1, 0, 0), ("BDC01", 9): (3, 4, 2),
                ("BDC01", 15): (2, 2, 2), ("BDC02", 10): (4, 2, 1), ("BDC02", 16): (1, 1, 0)}
        rows = []
        tid = [5000]
        seq = {}

        def add(day, code, hour, i, state):
            d = datetime.date.fromisoformat(day)
            k = (day, PREFIX[code])
            seq[k] = seq.get(k, 0) + 1
            iss = hall_ms(d.year, d.month, d.day, hour, (7 * i + 3) % 60, i % 60)
            x = {"id": tid[0], "day": day, "number": "%s%03d" % (PREFIX[code], seq[k]),
                 "prefix": PREFIX[code], "seqno": seq[k], "matter": code, "class": "normal",
                 "channel": "kiosk", "state": state, "issued_at": iss, "arrival": iss,
                 "token": "%032x" % tid[0]}
            if state in ("done", "no_show"):
                x.update(window=1, called_at=iss + 60000, first_called_at=iss + 60000)
            if state == "done":
                x.update(serving_at=iss + 70000, ended_at=iss + 400000, finished_by="张三")
            if state == "no_show":
                x["no_show_at"] = iss + 120000
            if state == "cancelled":
                x["ended_at"] = iss + 30000
            tid[0] += 1
            rows.append(x)

        for (code, hour), counts in plan.items():
            for di, day in enumerate(past):
                for i in range(counts[di]):
                    state = "done"
                    if i == 1:
                        state = "no_show"
                    elif i == 2:
                        state = "cancelled"
                    add(day, code, hour, i, state)
        # distractors: other weekdays near by, heavy
        for day in ("2026-11-30", "2026-11-25", "2026-11-26"):
            for i in range(30):
                add(day, "SB01", 9 + i % 6, i, "done")
                add(day, "YB02", 10, i, "done")
        fill_history(h.db_path, rows)
        h.restart()
        service = {c: s / 60.0 for c, s in PRIOR_S.items()}

        def arr(code, hour):
            return sum(plan.get((code, hour), (0, 0, 0))) / 3.0

        for q in (DAY, None):
            got = self.staffing(h, q).json
            bad = self.compare(got, self.over, DAY, arr, service, "history", past)
            self.assertEqual(bad, [], "\n".join(bad))
        # Wednesday's history is the one Wednesday written (2026-11-25)
        got = self.staffing(h, WED).json
        self.assertEqual((got["source"], got["history_days"]), ("history", ["2026-11-25"]))


class LearnedAtStart(StaffingMixin, HallCase):
    """The learned means rebuilt at start from today's finished tickets
    (written into the database): d = ended_at − called_at clamped to
    10 s … 4 h, mean ← (4·mean + d) / 5 from the prior."""

    def setUp(self):
        self.over = staffing_over()
        self.hall = Hall(**self.over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(15, 0))
        self.hall.start()          # the schema
        self.hall.stop()

    def done_row(self, i, code, called, d):
        return {"id": 100 + i, "day": DAY, "number": "%s%03d" % (PREFIX[code], i + 1),
                "prefix": PREFIX[code], "seqno": i + 1, "matter": code, "class": "normal",
                "channel": "kiosk", "state": "done", "window": 1,
                "issued_at": called - 60000, "arrival": called - 60000,
                "called_at": called, "first_called_at": called, "serving_at": called,
                "ended_at": called + d, "finished_by": "张三", "token": "%032x" % (100 + i)}

    def learned(self, rows, want_s):
        h = self.hall
        fill_history(h.db_path, rows)
        h.restart()
        r = h.req("GET", "/api/hall", None, "m1")
        self.assertEqual(r.status, 200, r)
        load = {m["code"]: m["service_s"] for m in r.json["matters"]}
        got = self.staffing(h, DAY).json
        bad = []
        for code, want in want_s.items():
            if abs(load[code] - want) > 1:
                bad.append("%s: service_s %r, want %.1f" % (code, load[code], want))
            for hh in got["hours"]:
                for m in hh["matters"]:
                    if m["code"] == code and not near(m["service_min"], want / 60.0):
                        bad.append("%s %02d:00: service_min %r, want %.3f" %
                                   (code, hh["hour"], m["service_min"], want / 60.0))
        return bad

    def test_rebuilt_with_the_clamps(self):
        base = t(8, 40)
        rows = [self.done_row(0, "YB01", base, 5),                  # 5 ms → 10 s
                self.done_row(1, "BDC01", base + 1000, 5 * 3600000),  # 5 h → 4 h
                self.done_row(2, "YB02", base + 2000, 123456),
                self.done_row(3, "SB01", base + 3000, 5),
                self.done_row(4, "SB01", base + 4000, 2 * 3600000)]
        want = {"YB01": (4 * 600 + 10) / 5, "BDC01": (4 * 1200 + 14400) / 5,
                "YB02": (4 * 2700 + 123.456) / 5,
                "SB01": (4 * ((4 * 600 + 10) / 5) + 7200) / 5,
                "SB02": 300, "BDC02": 4500}
        bad = self.learned(rows, want)
        self.assertEqual(bad, [], "\n".join(bad))

    def test_zero_length_service_is_not_learned(self):
        """A ticket called and finished within the same millisecond is no
        service (a finish pressed with the call, by mistake): the estimator
        learns nothing from it (estimate.c), so SB02's mean stays 300 s."""
        rows = [self.done_row(0, "SB02", t(9, 0), 0)]
        bad = self.learned(rows, {"SB02": 300})
        self.assertEqual(bad, [], "\n".join(bad))
