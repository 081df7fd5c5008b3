"""The audit trail (issue 18 item 3) from outside, checked against
web/README.md "Who did it: token names", "Audit trail — GET /api/audit…",
the `audit` row of the Events table and the errors table:

- every change made with a manager's or an admin's token (window moves,
  tiers, cancel, issue, case entries and steps, slot blocks, bookings,
  advice-auto, learn; REST and WebSocket) is exactly one `audit` event with
  `by` the token's configured name (object form `{"TOKEN": "王主任"}`, list
  form `manager1`…), `role`, `window`, `ticket`, `status`, `detail`, right
  after the change's own events in the same transaction (same `at`), seen
  alike in the log, on the WebSocket, in `GET /api/audit` and in the
  SQLite file;
- never a token, phone, ID number, name or note in it;
- clerk, kiosk, integration and public actions, and refused commands,
  are not audited;
- `GET /api/audit`: newest first, `limit`, `before`/`next` paging,
  `from`/`to`, roles, bad parameters;
- SIGHUP: `op` "reload", `by` "SIGHUP", `role` "system";
- kill -9 right after an audited change's 200: its audit is there after
  the restart.

Tokens here are long and distinctive so that a search of the whole reply
text for them means something (a two-letter token would match anywhere).
"""
import asyncio
import json
import signal
import socket
import sqlite3
import threading
import time

from harness import (ClockHallCase, Hall, HallCase, hall_day, hall_ms, hours_over,
                     id_number, mobile, run_async, ws_open, ws_recv, ws_reply,
                     ws_send)

MGR = "mgr-7f3a9c21e5d0"
MGR2 = "mgr-b84d06aa13f9"
ADM = "adm-5c2e9f7713ab"
NAMES = {MGR: "王主任", MGR2: "值班长", ADM: "信息科李工"}
SECRETS = [MGR, MGR2, ADM]

TOKENS = {
    "kiosk": ["k1"],
    "clerk": {"c3": [3], "c-all": "*"},
    "manager": {MGR: "王主任", MGR2: "值班长"},
    "admin": {ADM: "信息科李工"},
    "display": ["d1"],
    "integration": ["i1"],
}

AUDIT_KEYS = {"seq", "type", "at", "op", "by", "role", "window", "ticket",
              "status", "detail"}
DETAIL_KEYS = {"matter", "class", "channel", "tiers", "outcome", "day", "start",
               "action", "case", "founded", "upheld", "way", "result", "enabled",
               "max_windows", "min_gain_min", "hold_min", "appointment", "device",
               "number", "changed", "version", "previous"}

CLOCK = hall_ms(2026, 12, 1, 9, 20)        # Tuesday, the hours hall open
DAY = "2026-12-01"
ANY = object()                             # "do not check this member"


def masked(v):
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def ledger_window():
    return {"number": 28, "name": "28号窗口", "kind": "办不成事反映窗口",
            "state": "closed", "tiers": [["SB01", "SB02"]], "ledger": True}


def audit_over(rx_port=None, tokens=TOKENS):
    over = hours_over()
    over["tokens"] = json.loads(json.dumps(tokens))
    over["windows"] = over["windows"] + [ledger_window()]
    # no rating.recorded "not rated" in the middle of the checks
    over["hall.rating_timeout_s"] = 3600
    if rx_port is not None:
        over["devices"] = [{"name": "rx", "role": "remote_receiver",
                            "protocol": "ev1527",
                            "transport": "tcp:127.0.0.1:%d" % rx_port}]
    return over


def db_ro(hall):
    return sqlite3.connect("file:%s?mode=ro" % hall.db_path, uri=True, timeout=10)


class WsWatch(threading.Thread):
    """A display's live subscription (snapshot, then every event), on a
    thread of its own while the test drives REST."""

    def __init__(self, hall, token="d1"):
        super().__init__(daemon=True)
        self.hall = hall
        self.token = token
        self.events = []
        self.error = None
        self.ready = threading.Event()
        self.done = threading.Event()
        self.lock = threading.Lock()

    def run(self):
        try:
            asyncio.run(asyncio.wait_for(self.main(), 170))
        except Exception as e:          # reported by until()
            self.error = e
        finally:
            self.ready.set()

    async def main(self):
        ws = await ws_open(self.hall, self.token)
        try:
            await ws_send(ws, {"op": "subscribe"})
            snap = await ws_recv(ws)
            if snap.get("type") != "hall.snapshot":
                raise AssertionError("no snapshot first: %r" % snap)
            self.ready.set()
            for _ in range(10 ** 6):
                if self.done.is_set():
                    break
                try:
                    m = await asyncio.wait_for(ws.recv(), 0.2)
                except asyncio.TimeoutError:
                    continue
                m = json.loads(m)
                if "seq" in m and m.get("type") not in ("reply", "auth", "error",
                                                        "hall.snapshot"):
                    with self.lock:
                        self.events.append(m)
        finally:
            await ws.close()

    def until(self, seq, timeout=20):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 1):
            if self.error is not None:
                raise AssertionError("WebSocket watcher failed: %r" % self.error)
            with self.lock:
                if self.events and self.events[-1]["seq"] >= seq:
                    return list(self.events)
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        raise AssertionError("the WebSocket did not bring seq %d within %ss" % (seq, timeout))

    def stop(self):
        self.done.set()
        self.join(10)


class AuditBase(ClockHallCase):

    def run(self, result=None):
        self.detail_problems = []
        return super().run(result)

    def assertDetailsClean(self):
        self.assertEqual(self.detail_problems, [],
                         "an audit's detail holds only the members the contract lists")

    def seq(self, h=None):
        return (h or self.hall).status()["seq"]

    def audits(self, since=0, h=None):
        return [e for e in (h or self.hall).events(since) if e["type"] == "audit"]

    def assertNoAudit(self, since, what, h=None):
        got = self.audits(since, h)
        self.assertEqual(got, [], "%s: no audit event expected, got %r" % (what, got))

    def audited(self, method, path, body=None, token=MGR, status=200, op=None,
                window=None, ticket=ANY, types=None, contains=(), detail=None,
                by=None, role="manager", h=None):
        """Run one command; it must answer `status` and be exactly one audit
        event, the last of its transaction.  `types`: the change's own
        events, exactly, in order, before the audit (None: not checked
        beyond `contains`).  Returns (reply, audit event)."""
        h = h or self.hall
        s0 = self.seq(h)
        r = h.req(method, path, body, token)
        self.assertEqual(r.status, status, "%s %s: %r" % (method, path, r))
        evs = h.events(s0)
        audits = [e for e in evs if e["type"] == "audit"]
        self.assertEqual(len(audits), 1, "%s %s by %s: one audit event, got %r" %
                         (method, path, token, audits))
        a = audits[0]
        i = evs.index(a)
        own = evs[:i]
        label = "%s %s" % (method, path)
        if types is not None:
            self.assertEqual([e["type"] for e in own], list(types),
                             "%s: the change's events, then its audit" % label)
        for t in contains:
            self.assertIn(t, [e["type"] for e in own], label)
        if own:
            # the same transaction: the same commit time, right before it
            self.assertEqual(own[-1]["seq"] + 1, a["seq"], label)
            for e in own:
                self.assertEqual(e["at"], a["at"], "%s: %s and its audit in one commit"
                                 % (label, e["type"]))
        self.assertEqual(set(a), AUDIT_KEYS, "%s: the audit's members" % label)
        self.assertEqual(a["op"], op, label)
        self.assertEqual(a["by"], by if by is not None else NAMES[token], label)
        self.assertEqual(a["role"], role, label)
        self.assertEqual(a["status"], status, label)
        if window is not ANY:
            self.assertEqual(a["window"], window, "%s: audit window" % label)
        if ticket is not ANY:
            self.assertEqual(a["ticket"], ticket, "%s: audit ticket" % label)
        self.assertIsInstance(a["detail"], dict, label)
        extra = set(a["detail"]) - DETAIL_KEYS
        if extra:
            # collected, so that the rest of the test still runs; failed at
            # the end by assertDetailsClean()
            self.detail_problems.append("%s: detail members %s not in the contract: %r"
                                        % (label, sorted(extra), a["detail"]))
        for k, v in (detail or {}).items():
            self.assertEqual(a["detail"].get(k), v, "%s: detail.%s in %r" %
                             (label, k, a["detail"]))
        return r, a

    def win_path(self, n, cmd):
        return "/api/windows/%d/%s" % (n, cmd)


class AuditEveryChange(AuditBase):
    """The hours hall (harness.hours_over) on Tuesday 09:20, a ledger
    window 28, a 433 MHz receiver `rx` on a TCP line the test listens on."""

    clock = CLOCK

    def setUp(self):
        self.rx = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.rx.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.rx.bind(("127.0.0.1", 0))
        self.rx.listen(8)
        self.addCleanup(self.rx.close)
        self.hall = self.new_hall(self.clock, audit_over(self.rx.getsockname()[1]))
        # the receiver's line is up before anything is counted
        self.hall.wait_event(lambda e: e["type"] == "device.up" and e["device"] == "rx")

    def test_each_manager_change_is_one_audit_event_with_the_token_name(self):
        h = self.hall
        start_seq = self.seq()
        watch = WsWatch(h)
        watch.start()
        self.addCleanup(watch.stop)
        self.assertTrue(watch.ready.wait(15))
        self.assertIsNone(watch.error, watch.error)

        phone1, phone2, phone3 = mobile(11112222), mobile(33334444), mobile(55556666)
        idn = id_number(417)
        secrets = SECRETS + [phone1, phone2, phone3, masked(phone1), masked(phone2),
                             masked(phone3), idn, masked(idn), "张三", "张*", "李四",
                             "核实属实，已约谈", "窗口材料清单不一致"]

        # -- tickets at window 3 (YB01, YB02), every window move by the manager
        s = self.seq()
        t1 = h.issue_ok("YB01")                         # the kiosk: not audited
        self.assertNoAudit(s, "a kiosk's issue")
        r, a = self.audited("POST", "/api/tickets", {"matter": "YB02", "phone": phone1},
                            status=201, op="issue", window=None,
                            types=["ticket.issued"], detail={"matter": "YB02"})
        t2 = r.json["ticket"]
        self.assertEqual(a["ticket"], t2["id"])
        r, a = self.audited("POST", self.win_path(3, "call-next"), op="call-next",
                            window=3, ticket=t1["id"], types=["ticket.called"])
        self.assertEqual(r.json["ticket"]["id"], t1["id"])
        self.audited("POST", self.win_path(3, "recall"), op="recall", window=3,
                     ticket=t1["id"], types=["ticket.recalled"])
        self.audited("POST", self.win_path(3, "start"), op="start", window=3,
                     ticket=t1["id"], types=["ticket.serving"])
        self.audited("POST", self.win_path(3, "hold"), op="hold", window=3,
                     ticket=t1["id"], types=["ticket.held"])
        self.audited("POST", self.win_path(3, "call"), {"ticket": t1["id"]}, op="call",
                     window=3, ticket=t1["id"], types=["ticket.called"])
        self.audited("POST", self.win_path(3, "transfer"), {"matter": "YB01"},
                     op="transfer", window=3, ticket=t1["id"],
                     types=["ticket.transferred"], detail={"matter": "YB01"})
        r, a = self.audited("POST", self.win_path(3, "call-next"), op="call-next",
                            window=3, types=["ticket.called"])
        first = r.json["ticket"]["id"]
        self.assertEqual(a["ticket"], first)
        self.audited("POST", self.win_path(3, "finish"), {"outcome": "done"},
                     op="finish", window=3, ticket=first, types=["ticket.done"],
                     detail={"outcome": "done"})
        r, a = self.audited("POST", self.win_path(3, "call-next"), op="call-next",
                            window=3, types=["ticket.called"])
        second = r.json["ticket"]["id"]
        self.assertEqual({first, second}, {t1["id"], t2["id"]})
        self.audited("POST", self.win_path(3, "no-show"), op="no-show", window=3,
                     ticket=second, types=["ticket.no_show"])

        self.audited("POST", self.win_path(2, "pause"), op="pause", window=2,
                     ticket=None, types=["window.paused"])
        self.audited("POST", self.win_path(2, "resume"), op="resume", window=2,
                     ticket=None, types=["window.resumed"])
        self.audited("POST", self.win_path(4, "close"), op="close", window=4,
                     ticket=None, types=["window.closed"])
        self.audited("POST", self.win_path(4, "open"), op="open", window=4,
                     ticket=None, types=["window.opened"])
        tiers = [["SB02", "SB01", "YB01"]]
        self.audited("POST", self.win_path(2, "tiers"), {"tiers": tiers}, op="tiers",
                     window=2, ticket=None, types=["window.tiers"],
                     detail={"tiers": tiers})

        # -- cancel: a waiting ticket, and one a window is on
        t3 = h.issue_ok("SB01")
        self.audited("DELETE", "/api/tickets/%d" % t3["id"], op="cancel",
                     ticket=t3["id"], window=None, types=["ticket.cancelled"])
        t4 = h.issue_ok("SB01")
        s = self.seq()
        r = h.win(1, "call-next", token="c-all")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["id"], t4["id"])
        self.assertNoAudit(s, "a clerk's call-next")
        # The window that let go of it is named by window.released; the
        # audit's `window` is not pinned by the contract for a cancel.
        self.audited("DELETE", "/api/tickets/%d" % t4["id"], op="cancel",
                     ticket=t4["id"], window=ANY,
                     types=["ticket.cancelled", "window.released"])

        # -- a 办不成事 ledger entry and a case step
        r, a = self.audited("POST", "/api/cases",
                            {"window": 28, "problem": "窗口材料清单不一致",
                             "by": "王主任", "matter": "SB01", "citizen": "李四",
                             "phone": phone2},
                            status=201, op="case-new", window=28, ticket=None,
                            contains=["case.opened"])
        case_id = r.json["case"]["id"]
        # The contract's detail is "the command's members": a new entry's
        # case id is not one of them, so it is not required here.
        self.assertIn(a["detail"].get("case"), (None, case_id), a)
        self.audited("POST", "/api/cases/%d/steps" % case_id,
                     {"action": "verify", "founded": True, "note": "核实属实，已约谈",
                      "by": "王主任"},
                     op="case-step", window=ANY, ticket=None, types=["case.step"],
                     detail={"case": case_id, "action": "verify", "founded": True})

        # -- slots: block and unblock one slot and a whole day; a booking
        r = h.req("GET", "/api/public/slots?matter=SB01&from=%s&days=1" % DAY)
        self.assertEqual(r.status, 200, r)
        starts = [x["start"] for x in r.json["slots"]]
        self.assertGreaterEqual(len(starts), 2, r.json)
        self.audited("POST", "/api/slots/block", {"start": starts[1], "matter": "SB01"},
                     op="block", window=None, ticket=None, types=["slots.blocked"],
                     detail={"start": starts[1], "matter": "SB01"})
        self.audited("POST", "/api/slots/unblock", {"start": starts[1], "matter": "SB01"},
                     op="unblock", window=None, ticket=None, types=["slots.unblocked"],
                     detail={"start": starts[1], "matter": "SB01"})
        self.audited("POST", "/api/slots/block", {"day": "2026-12-02"}, op="block",
                     window=None, ticket=None, types=["slots.blocked"],
                     detail={"day": "2026-12-02"})
        self.audited("POST", "/api/slots/unblock", {"day": "2026-12-02"}, op="unblock",
                     window=None, ticket=None, types=["slots.unblocked"],
                     detail={"day": "2026-12-02"})
        r, a = self.audited("POST", "/api/appointments",
                            {"matter": "SB01", "start": starts[0], "phone": phone3,
                             "id_number": idn, "name": "张三"},
                            status=201, op="book", window=None, ticket=None,
                            types=["appointment.booked"],
                            detail={"matter": "SB01", "start": starts[0]})
        self.assertIn(a["detail"].get("appointment"), (None, r.json["appointment"]["code"]))

        # -- the automatic mode, on (bounds no move reaches) and off
        self.audited("POST", "/api/advice/auto",
                     {"enabled": True, "max_windows": 1, "min_gain_min": 120,
                      "hold_min": 10},
                     op="advice-auto", window=None, ticket=None, types=["advice.auto"],
                     detail={"enabled": True, "max_windows": 1, "min_gain_min": 120,
                             "hold_min": 10})
        self.audited("POST", "/api/advice/auto", {"enabled": False}, op="advice-auto",
                     window=None, ticket=None, types=["advice.auto"],
                     detail={"enabled": False})

        # -- learning a remote: no event of its own, the audit alone
        self.audited("POST", "/api/devices/rx/learn", {"window": 3}, status=202,
                     op="learn", window=3, ticket=None, types=[],
                     detail={"device": "rx"})

        # -- other names: the admin and the second manager
        self.audited("POST", self.win_path(5, "pause"), token=ADM, op="pause",
                     window=5, ticket=None, role="admin", types=["window.paused"])
        self.audited("POST", self.win_path(5, "resume"), token=MGR2, op="resume",
                     window=5, ticket=None, types=["window.resumed"])

        # -- over the WebSocket, with the manager's token
        s = self.seq()

        async def ws_pause():
            ws = await ws_open(h, MGR)
            try:
                await ws_send(ws, {"op": "pause", "window": 2, "req": "p1"})
                return await ws_reply(ws, "p1")
            finally:
                await ws.close()
        rep = run_async(ws_pause(), 30)
        self.assertEqual(rep["status"], 200, rep)
        evs = h.events(s)
        self.assertEqual([e["type"] for e in evs], ["window.paused", "audit"], evs)
        self.assertEqual((evs[1]["op"], evs[1]["by"], evs[1]["role"], evs[1]["window"]),
                         ("pause", "王主任", "manager", 2))
        self.assertEqual(evs[1]["at"], evs[0]["at"])
        self.audited("POST", self.win_path(2, "resume"), op="resume", window=2,
                     ticket=None, types=["window.resumed"])

        # -- seen alike: the log, the WebSocket, GET /api/audit, the file
        last = self.seq()
        log = [e for e in h.events(start_seq)]
        log_audits = [e for e in log if e["type"] == "audit"]
        self.assertEqual(len(log_audits), 32, [a["op"] for a in log_audits])
        live = watch.until(last)
        self.assertEqual([e for e in live if e["type"] == "audit"], log_audits,
                         "the WebSocket brings the same audit events")
        r = h.req("GET", "/api/audit?limit=500", None, MGR)
        self.assertEqual(r.status, 200, r)
        self.assertIsNone(r.json["next"], r.json)
        want = [{k: v for k, v in e.items() if k != "type"} for e in reversed(log_audits)]
        self.assertEqual(r.json["audit"], want, "GET /api/audit: newest first, as logged")
        text = r.body.decode("utf-8")
        evtext = json.dumps([e for e in log if e["type"] == "audit"], ensure_ascii=False)
        for sec in secrets:
            self.assertNotIn(sec, text, "GET /api/audit shows %r" % sec)
            self.assertNotIn(sec, evtext, "an audit event shows %r" % sec)
        # no event at all carries a manager's or admin's token
        alltext = json.dumps(log, ensure_ascii=False)
        for sec in SECRETS:
            self.assertNotIn(sec, alltext)

        db = db_ro(h)
        try:
            rows = db.execute("SELECT seq, at, type, body FROM events WHERE type = 'audit' "
                              "AND seq > ? ORDER BY seq", (start_seq,)).fetchall()
            bodies = [r[0] for r in db.execute("SELECT body FROM events WHERE type = 'audit'")]
        finally:
            db.close()
        self.assertEqual([(x[0], x[1]) for x in rows],
                         [(e["seq"], e["at"]) for e in log_audits])
        for (seq, at, typ, body), e in zip(rows, log_audits):
            b = json.loads(body)
            for k in ("op", "by", "role", "window", "ticket", "status", "detail"):
                self.assertEqual(b.get(k), e[k], "row %d member %s" % (seq, k))
        dbtext = "\n".join(bodies)
        for sec in secrets:
            self.assertNotIn(sec, dbtext, "an audit row in the database shows %r" % sec)
        self.assertDetailsClean()

    def test_clerks_others_and_refusals_leave_no_audit(self):
        h = self.hall
        s = self.seq()
        # clerk, kiosk, integration and the public
        t = h.issue_ok("SB01", token="c-all")
        self.assertEqual(h.win(1, "call-next", token="c-all").status, 200)
        self.assertEqual(h.win(1, "start", token="c-all").status, 200)
        self.assertEqual(h.win(1, "finish", token="c-all").status, 200)
        self.assertEqual(h.win(3, "pause", token="c3").status, 200)
        self.assertEqual(h.win(3, "resume", token="c3").status, 200)
        k = h.issue_ok("SB02")
        self.assertEqual(h.req("DELETE", "/api/tickets/%d" % k["id"], None, "k1").status, 200)
        r = h.req("GET", "/api/public/slots?matter=SB01&from=%s&days=1" % DAY)
        starts = [x["start"] for x in r.json["slots"]]
        r = h.req("POST", "/api/appointments",
                  {"matter": "SB01", "start": starts[0], "phone": mobile(1),
                   "id_number": id_number(1), "channel": "phone"}, "i1")
        self.assertEqual(r.status, 201, r)
        r = h.req("POST", "/api/appointments",
                  {"matter": "SB01", "start": starts[0], "phone": mobile(2),
                   "id_number": id_number(2)})
        self.assertEqual(r.status, 201, r)
        r = h.req("POST", "/api/appointments",
                  {"matter": "SB01", "start": starts[1], "phone": mobile(3),
                   "id_number": id_number(3)}, "k1")
        self.assertEqual(r.status, 201, r)
        # reads by the manager change nothing
        for path in ("/api/hall", "/api/windows/1", "/api/tickets/%d" % t["id"],
                     "/api/stats", "/api/audit", "/api/appointments?day=" + DAY,
                     "/api/cases", "/api/advice", "/api/devices"):
            r = h.req("GET", path, None, MGR)
            self.assertEqual(r.status, 200, "%s: %r" % (path, r))
        self.assertNoAudit(s, "clerk, kiosk, integration, public actions and reads")

        # refused commands of a manager or admin
        s = self.seq()
        refused = [
            ("POST", self.win_path(2, "start"), None, MGR, 409),     # no_current_ticket
            ("POST", self.win_path(2, "resume"), None, MGR, 409),    # not paused
            ("POST", self.win_path(9, "pause"), None, MGR, 404),     # unknown_window
            ("POST", self.win_path(2, "tiers"), {"tiers": [["NOPE"]]}, MGR, 400),
            ("POST", self.win_path(2, "tiers"), {"tiers": []}, ADM, 400),
            ("POST", self.win_path(2, "pause"), {"bogus": 1}, MGR, 400),
            ("DELETE", "/api/tickets/%d" % t["id"], None, MGR, 409),  # done: final
            ("DELETE", "/api/tickets/99999", None, MGR, 404),
            ("POST", "/api/tickets", {"matter": "NOPE", "phone": mobile(9)}, MGR, 404),
            ("POST", "/api/tickets", {"matter": "SB01", "phone": "12"}, MGR, 400),
            ("POST", "/api/slots/block", {"start": 12345}, MGR, 400),  # not_a_slot
            ("POST", "/api/slots/unblock", {"day": "2026-12-02"}, MGR, 404),  # no_block
            ("POST", "/api/cases/999/steps", {"action": "close", "note": "x", "by": "y"},
             MGR, 404),
            ("POST", "/api/cases", {"window": 1, "problem": "x", "by": "y"}, MGR, 403),
            ("POST", "/api/advice/auto", {"enabled": True, "max_windows": 99}, MGR, 400),
            ("POST", "/api/devices/nope/learn", {"window": 3}, MGR, 404),
            ("POST", "/api/devices/rx/learn", {"window": 99}, MGR, 404),
            ("POST", "/api/appointments", {"matter": "SB01", "start": 1, "phone": mobile(4),
                                           "id_number": id_number(4)}, MGR, 400),
            # the clerk of window 3 at window 1; a kiosk's window command
            ("POST", self.win_path(1, "pause"), None, "c3", 403),
            ("POST", self.win_path(1, "pause"), None, "k1", 403),
        ]
        for method, path, body, token, st in refused:
            r = h.req(method, path, body, token)
            self.assertEqual(r.status, st, "%s %s by %s: %r" % (method, path, token, r))
        self.assertNoAudit(s, "refused commands")
        # a case step its state does not allow: 409 illegal_step
        r = h.req("POST", "/api/cases", {"window": 28, "problem": "x", "by": "王主任"}, MGR)
        self.assertEqual(r.status, 201, r)
        cid = r.json["case"]["id"]
        s = self.seq()
        r = h.req("POST", "/api/cases/%d/steps" % cid,
                  {"action": "close", "note": "x", "by": "王主任"}, MGR)
        self.assertError(r, 409, "illegal_step")
        self.assertNoAudit(s, "an illegal case step")
        # Assumed: a call-next that finds nobody (204) changed nothing, so it
        # is not listed ("Only changes that took place are recorded").
        s = self.seq()
        r = h.win(2, "call-next", token=MGR)
        self.assertEqual(r.status, 204, r)
        self.assertNoAudit(s, "a call-next that found nobody (204)")


class AuditListForm(AuditBase):
    """Tokens in the list form are named manager1, manager2, admin1."""

    clock = CLOCK
    hall_over = audit_over(tokens={"kiosk": ["k1"], "clerk": {"c-all": "*"},
                                   "manager": ["m-list-9d3e7a01", "m-list-4c88b2f6"],
                                   "admin": ["a-list-e1f05b37"], "display": ["d1"]})

    def test_list_form_names(self):
        for token, name, role in (("m-list-4c88b2f6", "manager2", "manager"),
                                  ("m-list-9d3e7a01", "manager1", "manager"),
                                  ("a-list-e1f05b37", "admin1", "admin")):
            self.audited("POST", self.win_path(2, "pause"), token=token, op="pause",
                         window=2, ticket=None, by=name, role=role,
                         types=["window.paused"])
            self.audited("POST", self.win_path(2, "resume"), token=token, op="resume",
                         window=2, ticket=None, by=name, role=role,
                         types=["window.resumed"])
        r = self.hall.req("GET", "/api/audit", None, "m-list-9d3e7a01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual([a["by"] for a in r.json["audit"]],
                         ["admin1", "admin1", "manager1", "manager1", "manager2", "manager2"])
        for tok in ("m-list-9d3e7a01", "m-list-4c88b2f6", "a-list-e1f05b37"):
            self.assertNotIn(tok.encode(), r.body)
        self.assertDetailsClean()


class AuditListing(AuditBase):
    """GET /api/audit: order, paging, roles, bad parameters, from/to."""

    clock = hall_ms(2026, 12, 1, 10, 0)
    hall_over = {"tokens": TOKENS, "hall.rating_timeout_s": 3600}

    def make(self, n, token=MGR):
        """n audited changes: window 1 paused and resumed in turn."""
        h = self.hall
        for i in range(n):
            state = h.req("GET", "/api/windows/1", None, "d1").json["window"]["state"]
            r = h.win(1, "resume" if state == "paused" else "pause", token=token)
            self.assertEqual(r.status, 200, r)

    def get(self, query="", token=MGR):
        return self.hall.req("GET", "/api/audit" + query, None, token)

    def test_newest_first_paging_roles_and_bad_parameters(self):
        h = self.hall
        self.make(23)
        log = [e for e in self.audits() if e["type"] == "audit"]
        self.assertEqual(len(log), 23)
        want = [{k: v for k, v in e.items() if k != "type"} for e in reversed(log)]

        r = self.get()
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.header("Content-Type").split(";")[0], "application/json")
        self.assertEqual(set(r.json), {"audit", "next"})
        self.assertEqual(r.json["audit"], want, "default limit 100: all, newest first")
        self.assertIsNone(r.json["next"])

        # limit=5: pages of 5, 5, 5, 5, 3, each `next` the `before` of the next
        pages, got, before = [], [], None
        for _ in range(20):
            q = "?limit=5" + ("&before=%d" % before if before is not None else "")
            r = self.get(q)
            self.assertEqual(r.status, 200, (q, r))
            page = r.json["audit"]
            pages.append(len(page))
            got.extend(page)
            self.assertLessEqual(len(page), 5)
            if before is not None:
                self.assertTrue(all(a["seq"] < before for a in page), (q, page))
            if r.json["next"] is None:
                break
            self.assertEqual(r.json["next"], page[-1]["seq"],
                             "next is the before of the next (older) page")
            before = r.json["next"]
        else:
            self.fail("paging did not end")
        self.assertEqual(got, want, "paging through all of them")
        self.assertEqual(pages[:4], [5, 5, 5, 5], pages)
        self.assertIn(pages[4:], ([3], [3, 0]), pages)

        # before alone
        mid = want[9]["seq"]
        r = self.get("?before=%d" % mid)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["audit"], want[10:])
        self.assertEqual(self.get("?limit=500").status, 200)
        self.assertEqual(self.get("?limit=1").json["audit"], want[:1])

        # roles
        self.assertEqual(self.get(token=ADM).status, 200)
        self.assertEqual(self.get(token=ADM).json["audit"], want)
        for tok in ("c-all", "c3", "k1", "d1"):
            self.assertError(self.get(token=tok), 403)
        self.assertError(self.get(token=None), 401, "unauthorized")
        self.assertError(self.get(token="no-such-token"), 401, "unauthorized")

        # bad parameters
        for q in ("?limit=0", "?limit=501", "?limit=abc", "?limit=-1", "?limit=",
                  "?before=abc", "?before=-5", "?before=1.5"):
            r = self.get(q)
            err = self.assertError(r, 400)
            self.assertIn(err["code"], ("bad_request",), (q, r))

    def test_from_to_bound_by_the_halls_day(self):
        h = self.hall
        self.make(2)
        day1 = hall_day(h.now())
        self.assertEqual(day1, "2026-12-01")
        self.later(hall_ms(2026, 12, 2, 9, 0))
        self.make(3)
        log = self.audits()
        self.assertEqual(len(log), 5)
        self.assertEqual([hall_day(a["at"]) for a in log], [day1] * 2 + ["2026-12-02"] * 3)
        newest = [{k: v for k, v in e.items() if k != "type"} for e in reversed(log)]
        for q, want in (("?from=2026-12-01&to=2026-12-01", newest[3:]),
                        ("?to=2026-12-01", newest[3:]),
                        ("?from=2026-12-02", newest[:3]),
                        ("?from=2026-12-02&to=2026-12-02", newest[:3]),
                        ("?from=2026-12-01&to=2026-12-02", newest),
                        ("?from=2026-12-03", []),
                        ("?to=2026-11-30", []),
                        ("?from=2026-12-01&to=2026-12-02&limit=2", newest[:2])):
            r = self.get(q)
            self.assertEqual(r.status, 200, (q, r))
            self.assertEqual(r.json["audit"], want, q)
        # paging inside a range
        r = self.get("?from=2026-12-02&limit=2")
        self.assertEqual(r.json["audit"], newest[:2])
        self.assertIsNotNone(r.json["next"])
        r = self.get("?from=2026-12-02&limit=2&before=%d" % r.json["next"])
        self.assertEqual(r.json["audit"], newest[2:3])

    def test_sighup_reload_is_audited_by_the_system(self):
        h = self.hall
        s = self.seq()
        h.signal(signal.SIGHUP)
        a = h.wait_event(lambda e: e["type"] == "audit", since=s)
        self.assertEqual(set(a), AUDIT_KEYS, a)
        self.assertEqual((a["op"], a["by"], a["role"], a["window"], a["ticket"]),
                         ("reload", "SIGHUP", "system", None, None), a)
        self.assertIsInstance(a["detail"], dict)
        self.assertEqual(a["detail"]["changed"], [], "the same file again")
        time.sleep(0.3)
        self.assertEqual(len(self.audits(s)), 1, "one reload, one audit")
        # a reload that changes something: window 4's tiers
        conf = h.config()
        conf["windows"][3]["tiers"] = [["BDC01", "BDC02"], ["SB01", "SB02"]]
        h.write_config(conf)
        s = self.seq()
        h.signal(signal.SIGHUP)
        a = h.wait_event(lambda e: e["type"] == "audit", since=s)
        self.assertEqual((a["op"], a["by"], a["role"]), ("reload", "SIGHUP", "system"))
        self.assertEqual(a["detail"]["changed"], ["windows"])
        deadline = time.monotonic() + 10
        for _ in range(200):
            tiers = h.req("GET", "/api/windows/4", None, "d1").json["window"]["tiers"]
            if tiers == [["BDC01", "BDC02"], ["SB01", "SB02"]] or \
                    time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.assertEqual(tiers, [["BDC01", "BDC02"], ["SB01", "SB02"]])
        r = self.get()
        self.assertEqual([(x["op"], x["by"]) for x in r.json["audit"][:2]],
                         [("reload", "SIGHUP"), ("reload", "SIGHUP")])
        self.assertNotIn(MGR.encode(), r.body)
        self.assertNotIn(ADM.encode(), r.body)


class AuditCrash(AuditBase):
    """kill -9 right after an audited change's 200."""

    clock = hall_ms(2026, 12, 1, 10, 0)
    hall_over = {"tokens": TOKENS, "hall.rating_timeout_s": 3600}

    def test_kill9_right_after_the_200_keeps_the_audit(self):
        h = self.hall
        t = h.issue_ok("SB01")
        r = h.win(1, "call-next", token=MGR)
        self.assertEqual(r.status, 200, r)
        r = h.win(2, "pause", token=ADM)
        self.assertEqual(r.status, 200, r)
        h.kill9()                               # right after the 200
        h.set_clock(h.clock_guess())
        h.restart()
        evs = h.events()
        kinds = [(e["type"], e.get("op")) for e in evs if e["type"] != "device.up"]
        i = kinds.index(("ticket.called", None))
        self.assertEqual(kinds[i:], [("ticket.called", None), ("audit", "call-next"),
                                     ("window.paused", None), ("audit", "pause")], kinds)
        a = [e for e in evs if e["type"] == "audit"]
        self.assertEqual((a[0]["by"], a[0]["ticket"], a[0]["window"]), ("王主任", t["id"], 1))
        self.assertEqual((a[1]["by"], a[1]["role"], a[1]["window"]), ("信息科李工", "admin", 2))
        r = h.req("GET", "/api/audit", None, MGR)
        self.assertEqual([x["seq"] for x in r.json["audit"]], [a[1]["seq"], a[0]["seq"]])

    def test_kill9_during_audited_changes_loses_no_acknowledged_one(self):
        h = self.hall
        acked = {1: 0, 2: 0, 3: 0}
        odd = []
        lock = threading.Lock()
        stop = threading.Event()

        def mover(n):
            c = h.http(timeout=5)
            try:
                state = "open"
                for _ in range(5000):
                    if stop.is_set():
                        break
                    cmd = "pause" if state == "open" else "resume"
                    try:
                        r = c.req("POST", "/api/windows/%d/%s" % (n, cmd), None, MGR,
                                  retry=False)
                    except OSError:
                        break
                    if r.status == 200:
                        state = "paused" if cmd == "pause" else "open"
                        with lock:
                            acked[n] += 1
                    else:
                        with lock:
                            odd.append(r)
                        break
            finally:
                c.close()

        ths = [threading.Thread(target=mover, args=(n,), daemon=True) for n in (1, 2, 3)]
        for t in ths:
            t.start()
        deadline = time.monotonic() + 10
        for _ in range(1000):
            with lock:
                if sum(acked.values()) >= 30 or time.monotonic() > deadline:
                    break
            time.sleep(0.01)
        h.kill9()
        stop.set()
        for t in ths:
            t.join(15)
        self.assertFalse(any(t.is_alive() for t in ths))
        self.assertGreater(sum(acked.values()), 0)
        h.set_clock(h.clock_guess())
        h.restart()
        evs = h.events()
        for n in (1, 2, 3):
            moves = [e for e in evs if e["type"] in ("window.paused", "window.resumed")
                     and e["window"]["number"] == n]
            audits = [e for e in evs if e["type"] == "audit" and e["window"] == n]
            self.assertGreaterEqual(len(moves), acked[n], "window %d" % n)
            self.assertEqual(len(audits), len(moves),
                             "window %d: every change its audit" % n)
            for m in moves:
                nxt = [e for e in evs if e["seq"] == m["seq"] + 1]
                self.assertTrue(nxt and nxt[0]["type"] == "audit" and
                                nxt[0]["at"] == m["at"], (m, nxt))
        self.assertEqual([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
