"""Opening hours, the working-day calendar and the issuing cutoff (issue 13)
from outside: the real hallqd, its clock started by HALLQ_CLOCK_START at a
known moment of the hours hall (harness hours_over: weekdays 08:30-12:00
and 13:30-17:30; window 1 a lunch-time window 08:30-17:30, window 5 closes
at 17:00; Thursday 2026-12-03 a holiday, Saturday 2026-12-05 a 调休 make-up
day), checked as the kiosk and the screens see it: statuses, the error's
next_open / closes_at / eta_s, window events "by": "hours", GET /api/hours.
Also `hallqd -n` on bad hours, calendar and appointments sections:
file:line:col.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time

from harness import (HALLQD, ClockHallCase, base_config, hall_ms, hours_over,
                     run_async, ws_open, ws_recv, ws_send)

MIN = 60 * 1000


def t(hh, mm, ss=0, day=1):
    """A moment of December 2026 in the hall's zone (the 1st is a Tuesday)."""
    return hall_ms(2026, 12, day, hh, mm, ss)


class HoursCase(ClockHallCase):
    hall_over = hours_over()
    clock = t(10, 0)

    def hours(self, day=None, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/hours" + ("?day=%s" % day if day else ""), None, "d1")
        self.assertEqual(r.status, 200, r)
        return r.json

    def window_events(self, h, since, type_, by="hours"):
        return {e["window"]["number"]: e for e in h.events(since=since)
                if e["type"] == type_ and (by is None or e.get("by") == by)}

    def wait_windows(self, h, since, type_, numbers, timeout=15):
        """Wait (bounded) until each window of `numbers` has a `type_` event
        with "by": "hours" after `since`; returns them by number."""
        deadline = time.monotonic() + timeout
        got = {}
        for _ in range(int(timeout / 0.1) + 2):
            got = self.window_events(h, since, type_)
            if set(numbers) <= set(got) or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertLessEqual(set(numbers), set(got),
                             "%s by hours: got %s" % (type_, sorted(got)))
        return got

    def state(self, h, n):
        r = h.req("GET", "/api/windows/%d" % n, None, "d1")
        self.assertEqual(r.status, 200, r)
        return r.json["window"]


class HallClosed(HoursCase):
    """POST /api/tickets outside hours: 409 hall_closed with the next
    opening; open on a make-up day; -a issues at every hour."""

    clock = t(7, 0)

    def test_closed_moments(self):
        moments = [
            (t(7, 0), t(8, 30), "before opening"),
            (t(18, 0), t(8, 30, day=2), "after closing"),
            (t(17, 40, day=2), t(8, 30, day=4), "Wednesday evening (Thursday a holiday)"),
            (t(10, 0, day=3), t(8, 30, day=4), "a holiday"),
            (t(10, 0, day=12), t(8, 30, day=14), "a Saturday"),
            (t(10, 0, day=6), t(8, 30, day=7), "a Sunday"),
        ]
        for i, (clock, nxt, what) in enumerate(moments):
            h = self.hall if i == 0 else self.new_hall(clock)
            for tok in ("k1", "m1"):
                r = h.issue("SB01", token=tok)
                self.assertError(r, 409, "hall_closed")
                self.assertEqual(r.json.get("next_open"), nxt,
                                 "%s: next_open %r" % (what, r.json.get("next_open")))
            hr = self.hours(h=h)
            self.assertEqual((hr["open"], hr["next_open"], hr["closes_at"], hr["enforced"]),
                             (False, nxt, None, True), what)
            r = h.req("GET", "/api/public/hall")
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["open"], r.json["next_open"]), (False, nxt), what)
            r = h.req("GET", "/api/hall", None, "d1")
            self.assertEqual((r.json["open"], r.json["next_open"], r.json["hours_enforced"]),
                             (False, nxt, True), what)
            h.assert_serving()
            if h is not self.hall:
                h.stop()

    def test_open_on_a_makeup_day(self):
        h = self.new_hall(t(10, 0, day=5))
        tk = h.issue_ok("SB01", accept_wait=True)
        self.assertEqual(tk["business_day"], "2026-12-05")
        hr = self.hours(h=h)
        self.assertEqual((hr["day"], hr["working_day"], hr["holiday"], hr["makeup"],
                          hr["open"], hr["next_open"], hr["closes_at"]),
                         ("2026-12-05", True, False, True, True, None,
                          t(17, 30, day=5)))     # open through lunch: window 1
        self.assertEqual(hr["hall"], [[t(8, 30, day=5), t(12, 0, day=5)],
                                      [t(13, 30, day=5), t(17, 30, day=5)]])
        h.stop()

    def test_hours_of_days(self):
        h = self.hall
        hr = self.hours("2026-12-01")
        self.assertEqual((hr["day"], hr["working_day"], hr["holiday"], hr["makeup"]),
                         ("2026-12-01", True, False, False))
        self.assertEqual(hr["hall"], [[t(8, 30), t(12, 0)], [t(13, 30), t(17, 30)]])
        w = {x["number"]: x["periods"] for x in hr["windows"]}
        self.assertEqual(sorted(w), [1, 2, 3, 4, 5])
        self.assertEqual(w[1], [[t(8, 30), t(17, 30)]])
        self.assertEqual(w[2], hr["hall"])
        self.assertEqual(w[5], [[t(8, 30), t(12, 0)], [t(13, 30), t(17, 0)]])
        hr = self.hours("2026-12-03")
        self.assertEqual((hr["working_day"], hr["holiday"], hr["makeup"], hr["hall"]),
                         (False, True, False, []))
        self.assertTrue(all(x["periods"] == [] for x in hr["windows"]), hr)
        hr = self.hours("2026-12-06")
        self.assertEqual((hr["working_day"], hr["holiday"], hr["makeup"], hr["hall"]),
                         (False, False, False, []))
        # today by default
        self.assertEqual(self.hours()["day"], "2026-12-01")
        for q in ("2026-13-01", "x", "2026-12-1", "", "9" * 300):
            r = h.req("GET", "/api/hours?day=%s" % q, None, "d1")
            if q == "":
                self.assertIn(r.status, (200, 400), r)
            else:
                self.assertTrue(400 <= r.status < 500, (q[:20], r))
                self.assertError(r, r.status)
        self.assertIn(h.req("GET", "/api/hours").status, (401, 403))

    def test_not_enforced_with_a(self):
        h = self.new_hall(t(7, 0), args=("-a",))
        tk = h.issue_ok("SB01")
        self.assertEqual(tk["state"], "waiting")
        hr = self.hours(h=h)
        self.assertEqual(hr["enforced"], False)
        self.assertEqual(h.req("GET", "/api/hall", None, "d1").json["hours_enforced"], False)
        # windows are not moved by the clock: still as configured
        self.assertEqual(self.state(h, 2)["state"], "open")
        h.stop()


class Lunch(HoursCase):
    """12:30: the lunch-time window 1 keeps the hall open."""

    hall_over = hours_over(window_state={1: "open", 2: "closed", 3: "closed",
                                         4: "closed", 5: "closed"})
    clock = t(12, 30)

    def test_lunch_time(self):
        h = self.hall
        hr = self.hours()
        self.assertEqual((hr["open"], hr["next_open"]), (True, None))
        self.assertEqual(hr["closes_at"], t(17, 30))
        # a matter of the lunch window: issued, with a wait
        tk = h.issue_ok("SB01")
        self.assertEqual((tk["no_open_window"], tk["eta_s"]), (False, 0))
        # a matter no window serves until 13:30: the contract's cutoff counts
        # its wait from the next opening today (13:30), which is before 17:30:
        # issued, and it says nobody calls it now
        r = h.issue("YB01")
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["ticket"]["no_open_window"], r.json["ticket"]["eta_s"]),
                         (True, None))
        r = h.issue("BDC02")             # window 5: 13:30-17:00
        self.assertEqual(r.status, 201, r)
        ml = {m["code"]: m for m in h.req("GET", "/api/hall", None, "d1").json["matters"]}
        self.assertEqual((ml["SB01"]["accepting"], ml["SB01"]["closes_at"],
                          ml["SB01"]["near_close"]), (True, t(17, 30), False))
        self.assertEqual((ml["YB01"]["accepting"], ml["YB01"]["closes_at"]),
                         (True, t(17, 30)))
        self.assertEqual(ml["BDC02"]["closes_at"], t(17, 0))
        self.assertEqual(h.req("GET", "/api/hall", None, "d1").json["open"], True)


class Closing(HoursCase):
    """17:20, closing_notice_min 30: closing_soon, then accept_wait; a
    matter whose windows closed at 17:00, or whose wait runs past 17:30:
    matter_closed_for_today."""

    clock = t(17, 20)

    def test_issuing_cutoff(self):
        h = self.hall
        seq = h.status()["seq"]
        r = h.issue("SB01")
        self.assertError(r, 409, "closing_soon")
        self.assertEqual(r.json["closes_at"], t(17, 30))
        self.assertEqual(r.json["eta_s"], 0)
        self.assertEqual(h.status()["seq"], seq, "closing_soon issued something")
        r = h.issue("SB01", accept_wait=True)
        self.assertEqual(r.status, 201, r)
        # window 5 (BDC02 alone) closed at 17:00
        for extra in ({}, {"accept_wait": True}):
            r = h.issue("BDC02", **extra)
            self.assertError(r, 409, "matter_closed_for_today")
            self.assertEqual(r.json["closes_at"], t(17, 0))
            self.assertEqual(r.json["next_open"], t(8, 30, day=2))
        # BDC01: one window, 1200 s a ticket: the first is called by 17:30,
        # the second would be called at 17:40
        r = h.issue("BDC01")
        self.assertError(r, 409, "closing_soon")
        self.assertEqual(h.issue("BDC01", accept_wait=True).status, 201)
        r = h.issue("BDC01", accept_wait=True)
        self.assertError(r, 409, "matter_closed_for_today")
        self.assertEqual(r.json["closes_at"], t(17, 30))
        self.assertEqual(r.json["next_open"], t(8, 30, day=2))
        ml = {m["code"]: m for m in h.req("GET", "/api/hall", None, "d1").json["matters"]}
        self.assertEqual((ml["SB01"]["near_close"], ml["SB01"]["closes_at"]),
                         (True, t(17, 30)))
        self.assertEqual(ml["BDC02"]["accepting"], False)
        self.assertEqual(ml["BDC01"]["accepting"], False)
        # the screens' snapshot says the same
        async def snap():
            ws = await ws_open(h)
            try:
                await ws_send(ws, {"op": "subscribe"})
                return await ws_recv(ws)
            finally:
                await ws.close()
        m = run_async(snap(), 30)
        self.assertEqual(m["type"], "hall.snapshot")
        self.assertEqual((m["open"], m["next_open"], m["hours_enforced"]), (True, None, True))
        sm = {x["code"]: x for x in m["matters"]}
        self.assertEqual((sm["SB01"]["near_close"], sm["BDC02"]["accepting"],
                          sm["BDC02"]["closes_at"]), (True, False, t(17, 0)))
        # the clock's start is logged
        with open(h.stderr_path, "rb") as f:
            self.assertIn(b"HALLQ_CLOCK_START", f.read())
        # accept_wait is a boolean
        self.assertError(h.issue("SB01", accept_wait="yes"), 400)
        h.assert_serving()


class WindowsByHours(HoursCase):

    def test_windows_open_at_0830(self):
        h = self.new_hall(t(8, 29, 57), hours_over(window_state="closed"))
        seq = h.status()["seq"]
        self.assertError(h.issue("SB01"), 409, "hall_closed")
        got = self.wait_windows(h, seq, "window.opened", [1, 2, 3, 4, 5])
        for n, e in got.items():
            self.assertEqual(e["window"]["state"], "open")
            self.assertGreaterEqual(e["at"], t(8, 30))
        for n in range(1, 6):
            self.assertEqual(self.state(h, n)["state"], "open")
        self.assertEqual(h.issue("SB01").status, 201)
        h.stop()

    def test_lunch_closes_all_but_the_lunch_window(self):
        h = self.new_hall(t(11, 59, 57))
        seq = h.status()["seq"]
        got = self.wait_windows(h, seq, "window.closed", [2, 3, 4, 5])
        for n, e in got.items():
            self.assertEqual(e["window"]["state"], "closed")
            self.assertGreaterEqual(e["at"], t(12, 0))
        self.assertNotIn(1, self.window_events(h, seq, "window.closed", by=None))
        self.assertEqual(self.state(h, 1)["state"], "open")
        # the hall is open (window 1): SB01 issued
        self.assertEqual(h.issue("SB01").status, 201)
        h.stop()

    def test_busy_window_closes_when_its_ticket_is_done(self):
        h = self.new_hall(t(17, 29, 54))
        a = h.issue("SB01", accept_wait=True)
        self.assertEqual(a.status, 201, a)
        b = h.issue("YB02", accept_wait=True)
        self.assertEqual(b.status, 201, b)
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a.json["ticket"]["id"])
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], b.json["ticket"]["id"])
        self.assertEqual(h.win(3, "start").status, 200)
        seq = h.status()["seq"]
        self.wait_windows(h, seq, "window.closed", [2, 4])
        # 1 and 3 are busy: open until their tickets are done / held
        h.wait_clock(t(17, 30, 1))
        closed = self.window_events(h, seq, "window.closed", by=None)
        self.assertNotIn(1, closed)
        self.assertNotIn(3, closed)
        self.assertEqual(self.state(h, 1)["state"], "open")
        self.assertEqual(self.state(h, 3)["state"], "open")
        self.assertError(h.issue("SB01"), 409, "hall_closed")
        self.assertEqual(h.win(1, "finish").status, 200)
        got = self.wait_windows(h, seq, "window.closed", [1], timeout=10)
        self.assertEqual(got[1]["window"]["ticket"], None)
        self.assertEqual(h.win(3, "hold").status, 200)
        self.wait_windows(h, seq, "window.closed", [3], timeout=10)
        # a person may still open a window after hours
        r = h.win(2, "open", token="m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["state"], "open")
        ev = [e for e in h.events(since=seq) if e["type"] == "window.opened"]
        self.assertEqual(len(ev), 1)
        self.assertNotEqual(ev[0].get("by"), "hours")
        h.stop()


class HoursAtStart(HoursCase):
    """Hours act at their edges, and once at start for a daemon that was
    down across one; a person's open or close in between stands."""

    clock = t(11, 59, 0)

    def test_down_across_an_edge(self):
        h = self.hall
        for n in range(1, 6):
            self.assertEqual(self.state(h, n)["state"], "open")
        # down across 12:00
        self.later(t(12, 10))
        seq = 0
        self.wait_windows(h, seq, "window.closed", [2, 3, 4, 5])
        self.assertEqual(self.state(h, 1)["state"], "open")
        # down across 13:30
        seq = h.status()["seq"]
        self.later(t(13, 40))
        self.wait_windows(h, seq, "window.opened", [2, 3, 4, 5])
        for n in range(1, 6):
            self.assertEqual(self.state(h, n)["state"], "open")

    def test_a_person_decides_between_the_edges(self):
        h = self.new_hall(t(10, 0))
        h.wait_clock(t(10, 0, 3))          # past the start's own look at the hours
        seq = h.status()["seq"]
        r = h.win(2, "close", token="m1")
        self.assertEqual(r.status, 200, r)
        r = h.win(3, "pause", token="m1")
        self.assertEqual(r.status, 200, r)
        # a few timer ticks: nothing moves them back
        h.wait_clock(t(10, 0, 6))
        self.assertEqual(self.state(h, 2)["state"], "closed")
        self.assertEqual(self.state(h, 3)["state"], "paused")
        self.assertEqual([e["type"] for e in h.events(since=seq)],
                         ["window.closed", "audit", "window.paused", "audit"])
        h.stop()

    def test_start_without_an_edge_moves_nothing(self):
        """Down from 10:00 to 10:05 (no edge), or a window closed in the
        first second after start: the hours do not reopen it."""
        h = self.new_hall(t(10, 0))
        r = h.win(2, "close", token="m1")         # at once after start
        self.assertEqual(r.status, 200, r)
        h.wait_clock(t(10, 0, 3))
        self.assertEqual(self.state(h, 2)["state"], "closed",
                         "a window closed right after start was reopened: %r" %
                         [(e["type"], e.get("by")) for e in h.events()])
        seq = h.status()["seq"]
        self.later(t(10, 5), h)
        h.wait_clock(t(10, 5, 3))
        self.assertEqual(self.state(h, 2)["state"], "closed",
                         "reopened after a restart with no edge while down: %r" %
                         [(e["type"], e.get("by")) for e in h.events(since=seq)])
        h.stop()


def conf_text(conf):
    """The config with one top-level member a line (so a test knows where
    each value is)."""
    return "{\n" + ",\n".join("%s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                              for k, v in conf.items()) + "\n}\n"


class ConfigErrors(HoursCase):
    """`hallqd -n -f file`: bad hours, calendar and appointments exit 1 with
    file:line:col of the value."""

    def setUp(self):
        pass

    def tearDown(self):
        pass

    def check(self, dirpath, name, conf, key, needle, offset=0, col=True):
        """conf fails with file:LINE:COL where LINE is the line of top-level
        `key` and COL the character where `needle` (+ offset) begins."""
        path = os.path.join(dirpath, name + ".json")
        text = conf_text(conf)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([HALLQD, "-n", "-f", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        out = (p.stdout + p.stderr).decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, "%s: exit %s, %r" % (name, p.returncode, out))
        lines = text.split("\n")
        lineno = [i for i, ln in enumerate(lines) if ln.startswith(json.dumps(key) + ":")][0]
        pos = "%s:%d:" % (path, lineno + 1)
        if col:
            pos += "%d:" % (lines[lineno].index(needle) + offset + 1)
        self.assertIn(pos, out, "%s: %r" % (name, out))
        return out

    def test_bad_sections_named_by_line_and_column(self):
        d = tempfile.mkdtemp(prefix="hallq-e2e-conf-")
        self.addCleanup(shutil.rmtree, d, True)
        ok = base_config(d, 1, **hours_over())

        def conf(**over):
            c = json.loads(json.dumps(ok))
            for k, v in over.items():
                parts = k.split(".")
                x = c
                for p in parts[:-1]:
                    x = x[int(p)] if isinstance(x, list) else x.setdefault(p, {})
                if v is None:
                    del x[parts[-1]]
                else:
                    x[parts[-1]] = v
            return c

        path = os.path.join(d, "good.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf_text(ok))
        p = subprocess.run([HALLQD, "-n", "-f", path], capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)

        self.check(d, "hhmm", conf(**{"hours.tue": [["08:30", "25:00"]]}),
                   "hours", '"25:00"')
        self.check(d, "hhmm2", conf(**{"hours.tue": [["8:3x", "12:00"]]}),
                   "hours", '"8:3x"')
        self.check(d, "overlap", conf(**{"hours.wed": [["08:30", "12:00"], ["11:00", "13:00"]]}),
                   "hours", '["11:00"')
        self.check(d, "backwards", conf(**{"hours.thu": [["12:00", "08:30"]]}),
                   "hours", '["12:00", "08:30"]')
        self.check(d, "weekday", conf(**{"hours.mon2": []}), "hours", '"mon2": ', 8)
        self.check(d, "period", conf(**{"hours.fri": "08:30-17:30"}), "hours",
                   '"08:30-17:30"')
        self.check(d, "holiday", conf(**{"calendar.holidays": ["2026-02-30"]}),
                   "calendar", '"2026-02-30"')
        self.check(d, "workday", conf(**{"calendar.workdays": ["2026-12-5"]}),
                   "calendar", '"2026-12-5"')
        self.check(d, "makeup", conf(**{"calendar.makeup_weekday": "sat"}),
                   "calendar", '"sat"')
        self.check(d, "slot_min", conf(**{"appointments.slot_min": 0}),
                   "appointments", '"slot_min": 0', 12)
        self.check(d, "share", conf(**{"appointments.share_pct": 95}),
                   "appointments", '"share_pct": 95', 13)
        self.check(d, "horizon", conf(**{"appointments.horizon_days": "7"}),
                   "appointments", '"horizon_days": "7"', 16)
        self.check(d, "purge", conf(**{"appointments.purge_days": 10,
                                       "appointments.suspend": {"no_shows": 3,
                                                                "within_days": 30,
                                                                "days": 30}}),
                   "appointments", '"purge_days": 10', 14)
        self.check(d, "unknown", conf(**{"appointments.slots_min": 30}),
                   "appointments", "", col=False)
        self.check(d, "capacity", conf(**{"matters.0.appointment": {"capacity_per_slot": -1}}),
                   "matters", '"capacity_per_slot": -1', 21)
        self.check(d, "no_section", conf(**{"appointments": None}),
                   "matters", '"appointment": {', 15)
        no_hours = conf(**{"hours": None})
        for m in no_hours["matters"]:
            m.pop("appointment", None)
        self.check(d, "window_hours", no_hours, "windows", '"hours": {', 9)
        self.check(d, "notice", conf(**{"hall.closing_notice_min": 100000}),
                   "hall", '"closing_notice_min": 100000', 22)
