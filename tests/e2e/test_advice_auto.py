"""test_advice_auto.py — the automatic window adjustment (高峰应急, issue
17): within the manager's bounds the daemon gives a late matter to open
windows as tier 0, never more windows than allowed, logged as window.tiers
"by": "advice", taken back when turned off or when its time is up (across a
restart too).  The test hall (harness.py): windows 1–4 open (1 and 2 serve
every matter, 3 and 4 社保/医保 first), window 5 (不动产) closed; a backlog
of 不动产登记 (BDC01) is what is late.
"""
import unittest

from harness import WINDOWS, Hall, HallCase

T0 = 1796090400000          # 2026-12-01 10:00 hall time, a Tuesday


class AutoMode(HallCase):

    def setUp(self):
        self.hall = Hall()
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(T0)
        self.hall.start()

    def backlog(self, n=40):
        for _ in range(n):
            r = self.hall.req("POST", "/api/tickets", {"matter": "BDC01"}, "k1")
            self.assertEqual(r.status, 201, r)

    def auto(self, **body):
        r = self.hall.req("POST", "/api/advice/auto", body, "m1")
        self.assertEqual(r.status, 200, r)
        return r.json["auto"]

    def advice_events(self, since=0):
        return [e for e in self.hall.events(since)
                if e["type"] == "window.tiers" and e.get("by") == "advice"]

    def tiers(self, n):
        r = self.hall.req("GET", "/api/windows/%d" % n, None, "m1")
        return r.json["window"]["tiers"]

    def test_within_bounds_logged_and_reversible(self):
        h = self.hall
        self.backlog()
        adv = h.req("GET", "/api/advice", None, "m1").json
        self.assertEqual([m["matter"] for m in adv["late"]], ["BDC01"])
        self.assertFalse(adv["auto"]["enabled"])
        moves = [s for s in adv["suggestions"] if s["action"] == "tiers"]
        self.assertTrue(moves, adv)
        before = {n: self.tiers(n) for n in (3, 4)}

        # On, one window at most: one change, on a window that did not serve
        # BDC01 first, with its event.
        a = self.auto(enabled=True, max_windows=1, min_gain_min=1, hold_min=30)
        self.assertTrue(a["enabled"])
        ev = h.wait_event(lambda e: e["type"] == "window.tiers" and
                          e.get("by") == "advice")
        self.assertEqual(ev["matter"], "BDC01")
        self.assertFalse(ev["revert"])
        self.assertEqual(ev["until"] - ev["at"], 30 * 60 * 1000)
        w = ev["window"]["number"]
        self.assertIn(w, (3, 4))
        self.assertEqual(self.tiers(w)[0][0], "BDC01")
        st = h.req("GET", "/api/advice", None, "m1").json["auto"]
        self.assertEqual([x["window"] for x in st["active"]], [w])
        self.assertEqual(st["active"][0]["previous"], before[w])
        toggles = [e for e in h.events() if e["type"] == "advice.auto"]
        self.assertEqual(toggles[-1]["by"], "manager1")	# the token's name
        self.assertTrue(toggles[-1]["enabled"])

        # Asked again with the same bound: still one window.
        self.auto(enabled=True, max_windows=1, min_gain_min=1, hold_min=30)
        h.wait_event(lambda e: e["type"] == "advice.auto" and e["seq"] >
                     toggles[-1]["seq"])
        seq = h.status()["seq"]
        self.assertEqual(len(self.advice_events()), 1)
        self.assertEqual(len(h.req("GET", "/api/advice", None, "m1")
                             .json["auto"]["active"]), 1)

        # Two allowed: a second window, never the same one twice.
        self.auto(enabled=True, max_windows=2, min_gain_min=1, hold_min=30)
        ev2 = h.wait_event(lambda e: e["type"] == "window.tiers" and
                           e.get("by") == "advice", since=seq)
        self.assertNotEqual(ev2["window"]["number"], w)
        active = h.req("GET", "/api/advice", None, "m1").json["auto"]["active"]
        self.assertEqual(sorted(x["window"] for x in active),
                         sorted([w, ev2["window"]["number"]]))

        # Off: both taken back at once, each with its event.
        seq = h.status()["seq"]
        a = self.auto(enabled=False)
        self.assertEqual(a["active"], [])
        back = [e for e in self.advice_events(seq) if e["revert"]]
        self.assertEqual(sorted(e["window"]["number"] for e in back),
                         sorted(x["window"] for x in active))
        for n in (3, 4):
            self.assertEqual(self.tiers(n), before[n])

    def test_a_high_bar_changes_nothing(self):
        h = self.hall
        self.backlog()
        self.auto(enabled=True, max_windows=3, min_gain_min=120, hold_min=30)
        toggles = [e for e in h.events() if e["type"] == "advice.auto"]
        h.wait_clock(h.now() + 2500)
        self.assertEqual(self.advice_events(), [])
        # nothing after the toggle but its audit
        self.assertEqual([e["type"] for e in h.events(since=toggles[-1]["seq"])],
                         ["audit"])

    def test_the_ledger_window_is_never_lent_by_itself(self):
        """Windows 3 and 4 as 办不成事 windows: the advice still offers them
        (a manager may move one by hand), the automatic mode never takes
        them — and here no other window can take BDC01 as tier 0."""
        h = self.hall
        h.stop()
        wins = [dict(w) for w in WINDOWS]
        for w in wins:
            if w["number"] in (3, 4):
                w["ledger"] = True
        h.over["windows"] = wins
        h.write_config()
        h.start()
        self.assertTrue(h.req("GET", "/api/windows/3", None, "m1").json["window"]["ledger"])
        self.backlog()
        adv = h.req("GET", "/api/advice", None, "m1").json
        offered = {s["window"] for s in adv["suggestions"] if s["action"] == "tiers"}
        self.assertTrue(offered & {3, 4}, adv)
        self.auto(enabled=True, max_windows=2, min_gain_min=1, hold_min=30)
        h.wait_clock(h.now() + 2500)
        self.assertEqual(self.advice_events(), [])
        self.assertEqual(h.req("GET", "/api/advice", None, "m1")
                         .json["auto"]["active"], [])
        for n in (3, 4):
            self.assertEqual(self.tiers(n), [w["tiers"] for w in WINDOWS
                                             if w["number"] == n][0])

    def test_kept_across_restart_and_taken_back_when_due(self):
        h = self.hall
        self.backlog()
        self.auto(enabled=True, max_windows=1, min_gain_min=1, hold_min=10)
        ev = h.wait_event(lambda e: e["type"] == "window.tiers" and
                          e.get("by") == "advice")
        w = ev["window"]["number"]
        prev = h.req("GET", "/api/advice", None, "m1").json["auto"]["active"][0][
            "previous"]
        # A restart within the hold: still in force.
        h.stop()
        h.set_clock(h.clock_guess() + 60000)
        h.start()
        st = h.req("GET", "/api/advice", None, "m1").json["auto"]
        self.assertTrue(st["enabled"])
        self.assertEqual([x["window"] for x in st["active"]], [w])
        self.assertEqual(self.tiers(w)[0][0], "BDC01")
        # Past its time: taken back at the first tick, with its event.
        seq = h.status()["seq"]
        h.stop()
        h.set_clock(ev["until"] + 5000)
        h.start()
        back = h.wait_event(lambda e: e["type"] == "window.tiers" and
                            e.get("by") == "advice" and e["revert"], since=seq)
        self.assertEqual(back["window"]["number"], w)
        self.assertEqual(self.tiers(w), prev)

    def test_bad_bodies_and_tokens(self):
        h = self.hall
        for body in ({}, {"enabled": "yes"}, {"enabled": True, "max_windows": 0},
                     {"enabled": True, "max_windows": 11},
                     {"enabled": True, "hold_min": 5},
                     {"enabled": True, "min_gain_min": 0},
                     {"enabled": True, "extra": 1}):
            r = h.req("POST", "/api/advice/auto", body, "m1")
            self.assertEqual(r.status, 400, (body, r))
        for tok, st in ((None, 401), ("k1", 403), ("c3", 403), ("d1", 403)):
            r = h.req("POST", "/api/advice/auto", {"enabled": True}, tok)
            self.assertEqual(r.status, st, (tok, r))
            r = h.req("GET", "/api/advice", None, tok)
            self.assertEqual(r.status, st, (tok, r))
        st = h.req("GET", "/api/advice", None, "m1").json["auto"]
        self.assertFalse(st["enabled"])


if __name__ == "__main__":
    unittest.main()
