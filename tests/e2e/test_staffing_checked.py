"""test_staffing_checked.py — GET /api/staffing's plan checked by simulation
(issue 17 item 3, web/README.md "## Staffing (窗口配置建议)"): Erlang C per
matter ignores that the hall's windows pool matters; the daemon simulates
the day on its real dispatcher with the forecast arrivals and adjusts the
plan hour by hour until each hour reaches the level where it can.

The demo hall (etc/hallq.json: 28 windows, its workload's forecast of 2,400
tickets a day, 15 minutes for 80%), on Tuesday 2026-12-01 with no history:

1. Every field the README lists is there (the Erlang C ones untouched);
   `checked_by` "simulation", a seed and replications.
2. In the busy hours (the forecast's 09, 10, 14, 15) the checked windows
   lie between `pooled` (every window serving everything) and
   `recommended` (every matter on windows of its own), and the hour
   reached the level in the simulation; `windows` is the sum over the
   planned groups, `beyond` the copies past the hall's windows.
3. The same answer twice (a fixed seed).
4. The core still answers while plans are being made: call-next and
   status between and during staffing requests (correctness only).
"""
import json
import os
import threading

from harness import REPO, Hall, HallCase

T0 = 1796090400000          # 2026-12-01 10:00 hall time, a Tuesday
DAY = "2026-12-01"
BUSY = (9, 10, 14, 15)


def demo_hall():
    h = Hall()
    with open(os.path.join(REPO, "etc", "hallq.json"), encoding="utf-8") as f:
        conf = json.load(f)
    conf["listen"] = "127.0.0.1:%d" % h.port
    conf["database"] = h.db_path
    conf["web"] = {"root": os.path.join(REPO, "web")}
    conf["devices"] = []
    conf.setdefault("voice", {})["languages"] = []
    h.write_config(conf)
    h.set_clock(T0)
    return h, conf


class StaffingChecked(HallCase):

    def setUp(self):
        self.hall, self.conf = demo_hall()
        self.addCleanup(self.hall.cleanup)
        self.hall.start()

    def staffing(self):
        """On a client of its own: threads ask at once."""
        c = self.hall.http(timeout=120)
        try:
            r = c.req("GET", "/api/staffing?day=" + DAY, None, "m1")
        finally:
            c.close()
        self.assertEqual(r.status, 200, r)
        return r.json

    def test_checked_plan(self):
        s = self.staffing()
        self.assertEqual(s["source"], "forecast")
        self.assertEqual(s["checked_by"], "simulation", s)
        self.assertIsInstance(s["seed"], int)
        self.assertGreaterEqual(s["reps"], 1)
        level = s["level_pct"]
        hours = {h["hour"]: h for h in s["hours"]}
        groups = {}
        for w in self.conf["windows"]:
            groups.setdefault(json.dumps(w["tiers"]), []).append(w["number"])
        for h in s["hours"]:
            # The Erlang C figures are all still there.
            for k in ("open_windows", "recommended", "pooled", "over_max",
                      "arrivals", "matters"):
                self.assertIn(k, h)
            c = h["checked"]
            for k in ("windows", "groups", "beyond", "level_pct_reached"):
                self.assertIn(k, c, h)
            planned = [g for g in c["groups"] if g["planned"]]
            self.assertEqual(c["windows"], sum(g["open"] for g in planned), h)
            self.assertEqual(c["beyond"], sum(g["beyond"] for g in planned), h)
            for g in c["groups"]:
                # A group is windows with the same tiers, as configured.
                self.assertIn(g["windows"], list(groups.values()), g)
                self.assertGreaterEqual(g["open"], 1)
                self.assertLessEqual(g["beyond"], g["open"])
                self.assertLessEqual(g["open"] - g["beyond"], len(g["windows"]))
                self.assertIsInstance(g["kind"], str)
        for hr in BUSY:
            h = hours[hr]
            c = h["checked"]
            self.assertLessEqual(h["pooled"], c["windows"], h)
            self.assertLessEqual(c["windows"], h["recommended"], h)
            self.assertLess(c["windows"], h["recommended"], h)  # pooling pays
            self.assertGreaterEqual(c["level_pct_reached"], level, h)
            # Far beyond the hall's 28 windows: said as copies.
            self.assertGreater(c["beyond"], 0, h)
            print("  %02d:00 pooled %d, checked %d (%d beyond), recommended %d,"
                  " level %.1f%%" % (hr, h["pooled"], c["windows"], c["beyond"],
                                     h["recommended"], c["level_pct_reached"]))

    def test_stable(self):
        a = self.staffing()
        b = self.staffing()
        self.assertEqual([h["checked"] for h in a["hours"]],
                         [h["checked"] for h in b["hours"]])
        self.assertEqual(a, b)

    def test_core_answers_meanwhile(self):
        h = self.hall
        open_ = [n for n in range(1, 15) if h.req(
            "GET", "/api/windows/%d" % n, None, "m1").json["window"]["state"]
            == "open"]
        self.assertGreaterEqual(len(open_), 5, open_)
        out = []

        def ask():
            out.append(self.staffing())

        threads = [threading.Thread(target=ask) for _ in range(3)]
        for t in threads:
            t.start()
        # While plans are being made the core issues, calls and answers.
        for n in open_[:5]:
            r = h.issue("SB01")
            self.assertEqual(r.status, 201, r)
            r = h.win(n, "call-next")
            self.assertEqual(r.status, 200, r)
            self.assertEqual(r.json["ticket"]["number"], h.req(
                "GET", "/api/windows/%d" % n, None, "m1").json["window"][
                "ticket"]["number"])
            self.assertEqual(h.req("GET", "/api/status").status, 200)
        for t in threads:
            t.join(180)
        self.assertEqual(len(out), 3)
        for s in out:
            self.assertEqual(s["checked_by"], "simulation")

    def test_a_plan_past_the_simulator_is_said_not_fatal(self):
        """A forecast so large that the plan needs more than the
        simulator's 1024 windows: the Erlang C figures come back, unchecked
        with the reason, and the hall serves on (it used to exit)."""
        h = self.hall
        h.stop()
        conf = json.loads(json.dumps(self.conf))
        conf["staffing"]["forecast"]["tickets_per_day"] = 60000
        h.write_config(conf)
        h.start()
        s = self.staffing()
        self.assertIsNone(s["checked_by"], s)
        self.assertIn("more windows than the simulator takes (1024)",
                      s["check_error"])
        self.assertTrue(s["hours"])
        self.assertGreater(max(x["recommended"] for x in s["hours"]), 1024)
        self.assertTrue(all("checked" not in x for x in s["hours"]))
        h.assert_serving()

    def test_bad_day_and_tokens(self):
        h = self.hall
        self.assertError(h.req("GET", "/api/staffing?day=2026-13-01", None,
                               "m1"), 400)
        self.assertEqual(h.req("GET", "/api/staffing", None, "c-all").status,
                         403)
        # A holiday: nothing to plan, nothing simulated past the windows.
        r = h.req("GET", "/api/staffing?day=2026-10-01", None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertFalse(r.json["working_day"])
        for hr in r.json["hours"]:
            self.assertEqual(hr["checked"]["windows"], 0, hr)


if __name__ == "__main__":
    import unittest
    unittest.main()
