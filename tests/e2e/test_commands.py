"""Every window command over REST, the ticket's life, window states, auth,
numbering, estimates, the hall snapshot and the event log."""
import time

from harness import HallCase, ALL, WINDOWS


class Commands(HallCase):

    # ------------------------------------------------------------ issuing

    def test_issue_numbers_per_prefix(self):
        h = self.hall
        a1 = h.issue_ok("SB01")
        a2 = h.issue_ok("SB02")      # same prefix A, another matter
        b1 = h.issue_ok("YB01")      # prefix B
        a3 = h.issue_ok("BDC01")     # prefix A again
        b2 = h.issue_ok("YB02")
        self.assertEqual([a1["number"], a2["number"], a3["number"]],
                         ["A001", "A002", "A003"])
        self.assertEqual([b1["number"], b2["number"]], ["B001", "B002"])
        ids = [t["id"] for t in (a1, a2, b1, a3, b2)]
        self.assertEqual(len(set(ids)), 5)
        for t in (a1, a2, b1, a3, b2):
            self.assertEqual(t["state"], "waiting")
            self.assertIsNone(t["window"])
            self.assertIsInstance(t["issued_at"], int)
            self.assertIsNone(t["called_at"])
            self.assertEqual(t["class"], "normal")
            self.assertEqual(t["channel"], "kiosk")
        self.assertEqual(a1["matter"], "SB01")
        # the status carries the day and the seq of the last event
        st = h.status()
        self.assertTrue(st["ok"])
        self.assertIsInstance(st["version"], str)
        self.assertEqual(st["seq"], 5)
        self.assertRegex(st["business_day"], r"^\d{4}-\d{2}-\d{2}$")
        self.assertEqual(a1["business_day"], st["business_day"])

    def test_issue_reply_and_get(self):
        h = self.hall
        r = h.issue("SB01", **{"class": "green", "channel": "reception",
                                "phone": "13812345678"})
        self.assertEqual(r.status, 201, r)
        self.assertTrue(r.header("Content-Type").startswith("application/json"), r.headers)
        t = r.json["ticket"]
        self.assertEqual(t["class"], "green")
        self.assertEqual(t["channel"], "reception")
        self.assertNotIn("13812345678", r.body.decode())  # never echoed in full
        g = h.ticket(t["id"], token="k1")
        self.assertEqual(g["number"], t["number"])
        self.assertEqual(g["issued_at"], t["issued_at"])
        self.assertError(h.req("GET", "/api/tickets/999999", None, "m1"), 404,
                         "unknown_ticket")

    def test_ahead_and_eta(self):
        h = self.hall
        ts = [h.issue_ok("SB01") for _ in range(4)]
        self.assertEqual([t["ahead"] for t in ts], [0, 1, 2, 3])
        etas = [t["eta_s"] for t in ts]
        for e in etas:
            self.assertIsInstance(e, int)
            self.assertGreaterEqual(e, 0)
        self.assertEqual(etas, sorted(etas), "eta grows with the queue")
        self.assertGreater(etas[-1], etas[0])
        # another matter has its own queue
        y = h.issue_ok("YB01")
        self.assertEqual(y["ahead"], 0)
        # GET shows the current position; it moves when the head is called
        r = h.win(1, "call-next")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["id"], ts[0]["id"])
        self.assertEqual(h.ticket(ts[3]["id"])["ahead"], 2)
        # matter loads in the hall snapshot
        hall = h.req("GET", "/api/hall", None, "d1")
        self.assertEqual(hall.status, 200, hall)
        loads = {m["code"]: m for m in hall.json["matters"]}
        self.assertEqual(set(loads), set(ALL))
        sb = loads["SB01"]
        for k in ("code", "name", "domain", "waiting", "oldest_wait_s", "eta_s",
                  "open_windows"):
            self.assertIn(k, sb)
        self.assertEqual(sb["waiting"], 3)
        self.assertEqual(sb["domain"], "SB")
        self.assertIsInstance(sb["eta_s"], int)
        self.assertGreater(sb["eta_s"], 0)
        self.assertEqual(loads["YB01"]["waiting"], 1)
        self.assertEqual(loads["BDC01"]["waiting"], 0)
        # SB01 is served by windows 1, 2, 3 (tier 0) and 4 (tier 1): all open
        self.assertGreaterEqual(sb["open_windows"], 3)
        self.assertEqual(loads["BDC01"]["open_windows"], 2)   # 5 is closed

    # ------------------------------------------------------------ the life

    def test_call_next_start_recall_finish(self):
        h = self.hall
        r = h.win(1, "call-next")
        self.assertEqual(r.status, 204, r)
        self.assertEqual(r.body, b"")
        t = h.issue_ok("SB01")
        r = h.win(1, "call-next")
        self.assertEqual(r.status, 200, r)
        c = r.json["ticket"]
        self.assertEqual(c["id"], t["id"])
        self.assertEqual(c["state"], "called")
        self.assertEqual(c["window"], 1)
        self.assertIsInstance(c["called_at"], int)
        self.assertEqual(c["issued_at"], t["issued_at"])
        # the window shows it
        w = h.req("GET", "/api/windows/1", None, "d1")
        self.assertEqual(w.status, 200, w)
        self.assertEqual(w.json["window"]["ticket"]["id"], t["id"])
        # busy: no second call
        h.issue_ok("SB01")
        self.assertError(h.win(1, "call-next"), 409, "window_busy")
        r = h.win(1, "recall")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "called")
        self.assertEqual(r.json["ticket"]["recalls"], 1)
        r = h.win(1, "start")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "serving")
        self.assertError(h.win(1, "start"), 409, "illegal_transition")
        self.assertError(h.win(1, "recall"), 409, "illegal_transition")
        self.assertError(h.win(1, "no-show"), 409, "illegal_transition")
        r = h.win(1, "finish", {"outcome": "done"})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "done")
        self.assertEqual(h.ticket(t["id"])["state"], "done")
        # nothing current now
        for cmd in ("recall", "start", "finish", "no-show", "hold"):
            self.assertError(h.win(1, cmd), 409, "no_current_ticket")
        self.assertError(h.win(1, "transfer", {"matter": "YB01"}), 409,
                         "no_current_ticket")
        # the next one; finish straight from called is fine
        r = h.win(1, "call-next")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(h.win(1, "finish").status, 200)
        self.assertEqual(h.win(1, "call-next").status, 204)
        # events in order
        types = [e["type"] for e in h.events()]
        self.assertEqual(types, ["ticket.issued", "ticket.called", "ticket.issued",
                                 "ticket.recalled", "ticket.serving", "ticket.done",
                                 "ticket.called", "ticket.done"])

    def test_call_specific_ticket(self):
        h = self.hall
        t1 = h.issue_ok("SB01")
        t2 = h.issue_ok("SB01")
        b = h.issue_ok("BDC01")
        r = h.win(1, "call", {"ticket": t2["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["id"], t2["id"])
        self.assertEqual(r.json["ticket"]["state"], "called")
        h.win(1, "finish")
        # window 3 does not serve 不动产
        self.assertError(h.win(3, "call", {"ticket": b["id"]}), 409,
                         "not_for_this_window")
        # a done ticket cannot be called
        self.assertError(h.win(1, "call", {"ticket": t2["id"]}), 409,
                         "illegal_transition")
        self.assertError(h.win(1, "call", {"ticket": 424242}), 404, "unknown_ticket")
        self.assertError(h.win(1, "call", {}), 400)
        self.assertError(h.win(1, "call", {"ticket": "x"}), 400)
        # the one left is t1
        r = h.win(1, "call-next")
        self.assertEqual(r.json["ticket"]["id"], t1["id"])

    def test_no_show_then_call_back(self):
        h = self.hall
        t = h.issue_ok("SB01")
        other = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], t["id"])
        r = h.win(1, "no-show")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "no_show")
        # the window is free; the no-show ticket is not dispatched again
        r = h.win(1, "call-next")
        self.assertEqual(r.json["ticket"]["id"], other["id"])
        self.assertError(h.win(1, "call", {"ticket": t["id"]}), 409, "window_busy")
        h.win(1, "finish")
        self.assertEqual(h.win(1, "call-next").status, 204)
        # within the grace period it can be called back
        r = h.win(1, "call", {"ticket": t["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "called")
        self.assertEqual(h.win(1, "start").status, 200)
        self.assertEqual(h.win(1, "finish").json["ticket"]["state"], "done")
        types = [e["type"] for e in h.events()]
        self.assertIn("ticket.no_show", types)

    def test_hold_then_call_back_same_window(self):
        h = self.hall
        t = h.issue_ok("SB01")
        u = h.issue_ok("SB02")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], t["id"])
        h.win(1, "start")
        r = h.win(1, "hold")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "held")
        w = h.req("GET", "/api/windows/1", None, "m1").json["window"]
        self.assertIsNone(w["ticket"])
        self.assertIn(t["id"], w["held"])
        # held tickets are not dispatched; the window serves the next one
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], u["id"])
        h.win(1, "finish")
        # another window may not take it
        self.assertError(h.win(2, "call", {"ticket": t["id"]}), 409,
                         "held_by_other_window")
        self.assertEqual(h.win(2, "call-next").status, 204)
        # the same window calls it back
        r = h.win(1, "call", {"ticket": t["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "called")
        self.assertEqual(r.json["ticket"]["window"], 1)
        self.assertEqual(h.win(1, "finish").json["ticket"]["state"], "done")

    def test_transfer_to_matter_keeps_arrival(self):
        h = self.hall
        t = h.issue_ok("SB01")
        time.sleep(0.01)
        later = [h.issue_ok("YB01") for _ in range(2)]
        # window 3 (社保 first) calls the 社保 ticket and sends it to 医保
        r = h.win(3, "call-next", token="c3")
        self.assertEqual(r.json["ticket"]["id"], t["id"])
        r = h.win(3, "transfer", {"matter": "YB01"}, token="c3")
        self.assertEqual(r.status, 200, r)
        x = r.json["ticket"]
        self.assertEqual(x["state"], "transferred")
        self.assertEqual(x["matter"], "YB01")
        self.assertEqual(x["number"], t["number"])
        self.assertEqual(x["issued_at"], t["issued_at"])
        self.assertEqual(x["transfers"], 1)
        self.assertEqual(x["ahead"], 0, "it keeps its place: ahead of later tickets")
        self.assertEqual(h.ticket(later[0]["id"])["ahead"], 1)
        # window 3 is free again
        self.assertIsNone(h.req("GET", "/api/windows/3", None, "m1")
                          .json["window"]["ticket"])
        # 医保 window 4 takes the transferred ticket before the later ones
        r = h.win(4, "call-next")
        self.assertEqual(r.json["ticket"]["id"], t["id"])
        self.assertEqual(r.json["ticket"]["issued_at"], t["issued_at"])
        h.win(4, "finish")
        self.assertEqual(h.win(4, "call-next").json["ticket"]["id"], later[0]["id"])
        h.win(4, "finish")
        self.assertEqual(h.win(4, "call-next").json["ticket"]["id"], later[1]["id"])
        ev = [e for e in h.events() if e["type"] == "ticket.transferred"]
        self.assertEqual(len(ev), 1)
        self.assertEqual(ev[0]["ticket"]["id"], t["id"])

    def test_transfer_to_window(self):
        h = self.hall
        a = h.issue_ok("SB01")
        b = h.issue_ok("SB01")
        c = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a["id"])
        h.win(1, "start")
        r = h.win(1, "transfer", {"window": 2})
        self.assertEqual(r.status, 200, r)
        x = r.json["ticket"]
        self.assertEqual(x["state"], "transferred")
        self.assertEqual(x["target_window"], 2)
        self.assertEqual(x["issued_at"], a["issued_at"])
        # window 1 does not get it back; window 2 gets it before b and c
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], b["id"])
        r = h.win(2, "call-next")
        self.assertEqual(r.json["ticket"]["id"], a["id"])
        self.assertEqual(r.json["ticket"]["window"], 2)
        h.win(2, "finish")
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], c["id"])
        # bad transfers
        h.win(1, "finish")
        h.issue_ok("SB01")
        h.win(1, "call-next")
        self.assertError(h.win(1, "transfer", {"matter": "NOPE"}), 404, "unknown_matter")
        self.assertError(h.win(1, "transfer", {"window": 77}), 404, "unknown_window")
        self.assertError(h.win(1, "transfer", {}), 400)
        self.assertError(h.win(1, "transfer", {"matter": "YB01", "window": 2}), 400)

    def test_cancel_via_delete(self):
        h = self.hall
        t = h.issue_ok("SB01")
        u = h.issue_ok("SB01")
        self.assertError(h.req("DELETE", "/api/tickets/%d" % t["id"]), 401,
                         "unauthorized")
        r = h.req("DELETE", "/api/tickets/%d" % t["id"], None, "k1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["state"], "cancelled")
        self.assertEqual(h.ticket(t["id"])["state"], "cancelled")
        self.assertError(h.req("DELETE", "/api/tickets/%d" % t["id"], None, "k1"),
                         409, "illegal_transition")
        self.assertError(h.req("DELETE", "/api/tickets/987654", None, "k1"), 404,
                         "unknown_ticket")
        self.assertEqual(h.ticket(u["id"])["ahead"], 0)
        # a cancelled ticket is never called
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], u["id"])
        self.assertEqual(h.win(2, "call-next").status, 204)
        # a kiosk cannot cancel a called ticket; a manager can (and the
        # window lets go of it)
        self.assertError(h.req("DELETE", "/api/tickets/%d" % u["id"], None, "k1"),
                         409, "illegal_transition")
        r = h.req("DELETE", "/api/tickets/%d" % u["id"], None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["ticket"]["state"], r.json["ticket"]["window"]),
                         ("cancelled", 1))
        self.assertIsNone(h.req("GET", "/api/windows/1", None, "m1").json["window"]["ticket"])

    # ------------------------------------------------------------ windows

    def test_window_states(self):
        h = self.hall
        self.assertError(h.win(1, "resume"), 409, "illegal_transition")
        self.assertError(h.win(1, "open"), 409, "illegal_transition")
        r = h.win(1, "pause")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["state"], "paused")
        self.assertEqual(r.json["window"]["number"], 1)
        self.assertError(h.win(1, "pause"), 409, "illegal_transition")
        h.issue_ok("SB01")
        self.assertError(h.win(1, "call-next"), 409, "window_paused")
        r = h.win(1, "resume")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["state"], "open")
        r = h.win(1, "close")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["state"], "closed")
        self.assertError(h.win(1, "close"), 409, "illegal_transition")
        self.assertError(h.win(1, "pause"), 409, "illegal_transition")
        self.assertError(h.win(1, "resume"), 409, "illegal_transition")
        self.assertError(h.win(1, "call-next"), 409, "window_closed")
        r = h.win(1, "open")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["window"]["state"], "open")
        # a window with a ticket cannot close
        self.assertEqual(h.win(1, "call-next").status, 200)
        self.assertError(h.win(1, "close"), 409, "window_busy")
        h.win(1, "finish")
        self.assertEqual(h.win(1, "close").status, 200)
        # a configured-closed window opens
        self.assertError(h.win(5, "call-next"), 409, "window_closed")
        self.assertEqual(h.win(5, "open").json["window"]["state"], "open")
        types = [e["type"] for e in h.events() if e["type"].startswith("window.")]
        self.assertEqual(types, ["window.paused", "window.resumed", "window.closed",
                                 "window.opened", "window.closed", "window.opened"])
        ev = [e for e in h.events() if e["type"] == "window.paused"][0]
        self.assertEqual(ev["window"]["number"], 1)

    def test_green_window_tiers_and_classes(self):
        h = self.hall
        h.win(6, "open")
        n = h.issue_ok("SB01")
        self.assertEqual(h.win(6, "call-next").status, 204, "green window: green only")
        g = h.issue_ok("SB01", **{"class": "green"})
        r = h.win(6, "call-next")
        self.assertEqual(r.json["ticket"]["id"], g["id"])
        # green has a head start: it was issued later but goes first elsewhere
        g2 = h.issue_ok("SB02", **{"class": "green"})
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], g2["id"])
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], n["id"])

    def test_domain_window_lower_tier(self):
        h = self.hall
        y = h.issue_ok("YB01")
        s = h.issue_ok("SB02")
        # window 3: 社保 first even though the 医保 ticket is older
        self.assertEqual(h.win(3, "call-next", token="c3").json["ticket"]["id"], s["id"])
        h.win(3, "finish", token="c3")
        # 社保 empty: the lower tier is looked at
        self.assertEqual(h.win(3, "call-next", token="c3").json["ticket"]["id"], y["id"])
        h.win(3, "finish", token="c3")
        self.assertEqual(h.win(3, "call-next", token="c3").status, 204)
        # 不动产 is not served by window 3 at all
        h.issue_ok("BDC02")
        self.assertEqual(h.win(3, "call-next", token="c3").status, 204)

    # ------------------------------------------------------------ auth

    def test_auth(self):
        h = self.hall
        self.assertError(h.req("POST", "/api/tickets", {"matter": "SB01"}), 401,
                         "unauthorized")
        self.assertError(h.issue("SB01", token="nope"), 401, "unauthorized")
        self.assertError(h.win(1, "call-next", token=None), 401, "unauthorized")
        self.assertError(h.req("GET", "/api/hall"), 401, "unauthorized")
        self.assertError(h.req("GET", "/api/events?since=0"), 401, "unauthorized")
        # clerk c3 is bound to window 3 only
        h.issue_ok("SB01")
        self.assertError(h.win(4, "call-next", token="c3"), 403, "forbidden")
        self.assertError(h.win(1, "pause", token="c3"), 403, "forbidden")
        self.assertEqual(h.win(3, "call-next", token="c3").status, 200)
        # roles
        self.assertError(h.win(1, "call-next", token="k1"), 403, "forbidden")
        self.assertError(h.win(1, "call-next", token="d1"), 403, "forbidden")
        self.assertError(h.issue("SB01", token="d1"), 403, "forbidden")
        self.assertEqual(h.win(1, "pause", token="m1").status, 200)
        self.assertEqual(h.req("GET", "/api/hall", None, "d1").status, 200)
        # status needs no token
        self.assertEqual(h.req("GET", "/api/status").status, 200)
        # a wrong auth scheme is no token
        r = h.req("GET", "/api/hall", headers={"Authorization": "Basic ZDE6"})
        self.assertError(r, 401, "unauthorized")

    # ------------------------------------------------------------ reads

    def test_hall_snapshot(self):
        h = self.hall
        h.issue_ok("SB01")
        h.win(1, "call-next")
        r = h.req("GET", "/api/hall", None, "d1")
        self.assertEqual(r.status, 200, r)
        j = r.json
        self.assertEqual(j["seq"], 2)
        wins = {w["number"]: w for w in j["windows"]}
        self.assertEqual(sorted(wins), [1, 2, 3, 4, 5, 6])
        self.assertEqual(wins[1]["state"], "open")
        self.assertEqual(wins[5]["state"], "closed")
        self.assertEqual(wins[1]["ticket"]["number"], "A001")
        self.assertIsNone(wins[2]["ticket"])
        self.assertEqual(wins[3]["tiers"], [["SB01", "SB02"], ["YB01", "YB02"]])
        self.assertEqual(len(j["matters"]), 6)

    def test_events_log(self):
        h = self.hall
        for m in ("SB01", "YB01", "SB02", "BDC01", "YB02"):
            h.issue_ok(m)
        h.win(1, "call-next")
        h.win(1, "finish")
        r = h.req("GET", "/api/events?since=0&limit=3", None, "d1")
        self.assertEqual(r.status, 200, r)
        evs = r.json["events"]
        self.assertEqual([e["seq"] for e in evs], [1, 2, 3])
        self.assertEqual(r.json["next"], 3)
        e = evs[0]
        self.assertEqual(e["type"], "ticket.issued")
        self.assertIsInstance(e["at"], int)
        self.assertEqual(e["ticket"]["number"], "A001")
        r = h.req("GET", "/api/events?since=3&limit=3", None, "d1")
        self.assertEqual([e["seq"] for e in r.json["events"]], [4, 5, 6])
        r = h.req("GET", "/api/events?since=6", None, "d1")
        self.assertEqual([e["seq"] for e in r.json["events"]], [7])
        self.assertEqual(r.json["next"], 7)
        r = h.req("GET", "/api/events?since=7", None, "d1")
        self.assertEqual(r.json["events"], [])
        self.assertEqual(r.json["next"], 7)
        allev = h.events()
        self.assertEqual([e["seq"] for e in allev], list(range(1, 8)))
        self.assertEqual(allev[5]["type"], "ticket.called")
        self.assertEqual(allev[5]["window"], 1)
        self.assertError(h.req("GET", "/api/events?since=-1", None, "d1"), 400)
        self.assertError(h.req("GET", "/api/events?since=x", None, "d1"), 400)
        self.assertError(h.req("GET", "/api/events?limit=0", None, "d1"), 400)
        self.assertError(h.req("GET", "/api/events?limit=100000", None, "d1"), 400)

    def test_web_root_page(self):
        r = self.hall.req("GET", "/")
        self.assertEqual(r.status, 200, r)
        ct = r.header("Content-Type") or ""
        self.assertTrue(ct.startswith("text/html"), ct)

    def test_state_survives_restart(self):
        h = self.hall
        t = h.issue_ok("SB01")
        u = h.issue_ok("SB01")
        h.win(1, "call-next")
        h.win(2, "pause")
        seq = h.status()["seq"]
        h.restart()
        self.assertEqual(h.status()["seq"], seq)
        self.assertEqual(h.ticket(t["id"])["state"], "called")
        self.assertEqual(h.ticket(u["id"])["ahead"], 0)
        w = h.req("GET", "/api/hall", None, "m1").json
        wins = {x["number"]: x for x in w["windows"]}
        self.assertEqual(wins[1]["ticket"]["id"], t["id"])
        self.assertEqual(wins[2]["state"], "paused")
        self.assertEqual(h.issue_ok("SB01")["number"], "A003")
        self.assertEqual(h.win(1, "finish").status, 200)
        # the event log goes on from where it was
        evs = h.events()
        self.assertEqual([e["seq"] for e in evs], list(range(1, seq + 3)))
        self.assertEqual([e["type"] for e in evs[seq:]], ["ticket.issued", "ticket.done"])


class ShortGrace(HallCase):
    hall_over = {"hall.no_show_grace_s": 0}

    def test_no_show_grace_expired(self):
        h = self.hall
        t = h.issue_ok("SB01")
        h.win(1, "call-next")
        h.win(1, "no-show")
        time.sleep(0.05)
        self.assertError(h.win(1, "call", {"ticket": t["id"]}), 409, "grace_expired")




class Rollover(HallCase):
    """A new business day, made by restarting the hall 26 hours further
    east (Etc/GMT+12 is UTC-12, Etc/GMT-14 is UTC+14: always another date)."""
    hall_over = {"hall.timezone": "Etc/GMT+12"}

    def test_day_rollover(self):
        h = self.hall
        d1 = h.status()["business_day"]
        a1 = h.issue_ok("SB01")
        a2 = h.issue_ok("SB01")
        b1 = h.issue_ok("YB01")
        waiting = h.issue_ok("SB02")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a1["id"])
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], a2["id"])
        h.win(2, "start")
        h.win(2, "finish")
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], b1["id"])
        h.win(2, "no-show")
        h.stop()
        h.over["hall.timezone"] = "Etc/GMT-14"
        h.write_config()
        h.start()
        # rolled over before the first answer: the hall and its pages say
        # the new day at once, and nothing of the old day waits
        st = h.status()
        self.assertGreater(st["business_day"], d1)
        self.assertEqual([e["type"] for e in h.events(since=st["seq"] - 1)],
                         ["day.rollover"])
        hall = h.req("GET", "/api/hall", None, "m1").json
        self.assertTrue(hall["matters"])
        self.assertEqual(sum(m["waiting"] for m in hall["matters"]), 0)
        t = h.issue_ok("YB02")
        self.assertEqual(t["number"], "B001", "numbering restarts each day")
        d2 = t["business_day"]
        self.assertGreater(d2, d1)
        self.assertEqual(h.status()["business_day"], d2)
        self.assertEqual(h.issue_ok("SB01")["number"], "A001")
        ev = [e for e in h.events() if e["type"] == "day.rollover"]
        self.assertEqual(len(ev), 1, ev)
        self.assertEqual((ev[0]["from"], ev[0]["to"]), (d1, d2))
        # open tickets of the old day ended: the called one, the waiting one,
        # the no-show still in its grace period; the finished one stays done
        self.assertEqual(ev[0]["expired"], 3)
        for x in (a1, b1, waiting):
            self.assertEqual(h.ticket(x["id"])["state"], "expired", x["number"])
        self.assertEqual(h.ticket(a2["id"])["state"], "done")
        w1 = h.req("GET", "/api/windows/1", None, "m1").json["window"]
        self.assertIsNone(w1["ticket"])
        # the old day's tickets are not dispatched; the new ones are
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], t["id"])
        self.assertError(h.win(2, "call", {"ticket": b1["id"]}), 409)


class Overflow(HallCase):
    """Window 3's lower tier (医保) opens early once its oldest ticket has
    waited past overflow_s (1 s here)."""
    hall_over = {"windows": [dict(w, overflow_s=[0, 1]) if w["number"] == 3 else w
                             for w in WINDOWS]}

    def test_lower_tier_overflow(self):
        h = self.hall
        y = h.issue_ok("YB01")
        time.sleep(1.3)
        s = h.issue_ok("SB01")
        # the 医保 ticket waited over 1 s: it is older, window 3 takes it first
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], y["id"])
        h.win(3, "finish")
        # a fresh 医保 ticket has not waited long enough: 社保 goes first
        y2 = h.issue_ok("YB02")
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], s["id"])
        h.win(3, "finish")
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], y2["id"])
