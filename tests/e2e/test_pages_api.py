"""What the pages need from the API: a ticket read with its own token (the
status page), today's figures (the dashboard), a manager's tiers for the
day, and a window's waiting per tier and its clerk (the pad)."""
import time

from harness import HallCase


class PagesApi(HallCase):

    def test_ticket_with_its_own_token(self):
        h = self.hall
        r = h.issue("SB01")
        t1, tok1 = r.json["ticket"], r.json["token"]
        r = h.issue("SB01")
        t2, tok2 = r.json["ticket"], r.json["token"]
        r = h.req("GET", "/api/tickets/%d" % t1["id"], None, tok1)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["number"], t1["number"])
        self.assertNotIn("token", r.json["ticket"])
        # Nobody else's: another ticket's token, none, a made-up id.
        self.assertError(h.req("GET", "/api/tickets/%d" % t2["id"], None, tok1), 401)
        self.assertError(h.req("GET", "/api/tickets/%d" % t1["id"]), 401)
        self.assertError(h.req("GET", "/api/tickets/99999", None, tok1), 401)
        # Live: called, at window 3.
        self.assertEqual(h.win(3, "call-next").status, 200)
        r = h.req("GET", "/api/tickets/%d" % t1["id"], None, tok1)
        self.assertEqual((r.json["ticket"]["state"], r.json["ticket"]["window"]), ("called", 3))
        r = h.req("GET", "/api/tickets/%d" % t2["id"], None, tok2)
        self.assertEqual(r.json["ticket"]["ahead"], 0)
        # The page itself: /t/ID is the status page.
        for path in ("/t/%d" % t1["id"], "/t/123456"):
            r = h.req("GET", path)
            self.assertIn(r.status, (200,))
            self.assertIn("t.js", r.body if isinstance(r.body, str) else
                          r.body.decode("utf-8", "replace"))
        self.assertEqual(h.req("GET", "/t/abc").status, 404)

    def test_stats_of_the_day(self):
        h = self.hall
        s = h.req("GET", "/api/stats", None, "a1").json
        self.assertEqual((s["issued"], s["mean_wait_s"], s["p90_wait_s"]), (0, None, None))
        ids = [h.issue_ok("SB01")["id"] for _ in range(3)] + [h.issue_ok("YB01")["id"]]
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(3, "finish").status, 200)
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(3, "no-show").status, 200)
        r = h.req("DELETE", "/api/tickets/%d" % ids[2], None, "k1")
        self.assertEqual(r.status, 200)
        r = h.req("POST", "/api/ratings", {"ticket": ids[0], "score": 4}, "c3")
        self.assertEqual(r.status, 201)
        r = h.req("GET", "/api/stats", None, "m1")
        self.assertEqual(r.status, 200, r)
        s = r.json
        self.assertEqual((s["issued"], s["served"], s["no_shows"], s["cancelled"], s["waiting"]),
                         (4, 1, 1, 1, 1))
        self.assertGreaterEqual(s["mean_wait_s"], 0)
        self.assertGreaterEqual(s["p90_wait_s"], 0)
        self.assertEqual(s["ratings"]["count"], 1)
        self.assertEqual(s["ratings"]["by_score"], [0, 0, 0, 1, 0])
        self.assertEqual(s["ratings"]["mean"], 4)
        ser = s["series"]
        self.assertEqual(ser["bucket_s"], 600)
        sb = ser["matters"]["SB01"]["waiting"]
        self.assertEqual(sb[-1], 0, "nothing of SB01 waits now")
        self.assertEqual(ser["matters"]["YB01"]["waiting"][-1], 1)
        self.assertEqual(len(sb), len(ser["matters"]["SB01"]["mean_wait_s"]))
        self.assertError(h.req("GET", "/api/stats", None, "d1"), 403)

    def test_tiers_for_the_day_and_window_waiting(self):
        h = self.hall
        h.issue_ok("YB01")
        h.issue_ok("SB01")
        w = h.req("GET", "/api/windows/3", None, "m1").json["window"]
        self.assertEqual(w["tiers"], [["SB01", "SB02"], ["YB01", "YB02"]])
        self.assertEqual(w["waiting"], [1, 1])
        self.assertIsNone(w["clerk"])
        seq = h.status()["seq"]
        r = h.req("POST", "/api/windows/3/tiers", {"tiers": [["YB01"], ["SB01"]]}, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["tiers"], [["YB01"], ["SB01"]])
        evs = h.events(seq)
        self.assertEqual([e["type"] for e in evs], ["window.tiers", "audit"])
        self.assertEqual((evs[1]["op"], evs[1]["by"], evs[1]["window"]),
                         ("tiers", "manager1", 3))
        # The dispatcher follows: 医保 first now.
        r = h.win(3, "call-next", token="c3")
        self.assertEqual(r.json["ticket"]["matter"], "YB01")
        w = h.req("GET", "/api/windows/3", None, "m1").json["window"]
        self.assertEqual(w["clerk"], "clerk1")
        self.assertEqual(w["waiting"], [0, 1])
        # Bad tiers change nothing.
        for bad in ([], [[]], [["NOPE"]], [["SB01", "SB01"]], "x", [["SB01"]] * 9):
            self.assertError(h.req("POST", "/api/windows/3/tiers", {"tiers": bad}, "m1"),
                             400, "bad_tiers")
        self.assertError(h.req("POST", "/api/windows/3/tiers", {"tiers": [["SB01"]]}, "c3"), 403)
        # Kept across a restart (the same day).
        h.restart()
        w = h.req("GET", "/api/windows/3", None, "m1").json["window"]
        self.assertEqual(w["tiers"], [["YB01"], ["SB01"]])
