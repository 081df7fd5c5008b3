"""Holes found from outside in the hall core and in main (issue 10), each
driven by the request that broke it, checked as a user sees it: statuses,
JSON replies, events and the database's rows.

- reads of an earlier day's tickets with a wrong token kept them in memory,
  and the timers then wrote "not rated" records for them;
- `slot_start` was taken from any kiosk: the appointment head start for the
  asking;
- hallqd detached after opening SQLite: the daemon held none of its POSIX
  locks, and any other process that opened the database deleted the
  write-ahead log under it;
- a window closed while it held tickets stranded them, and no manager could
  cancel them;
- a transfer to a closed window was accepted, and a ticket of a matter no
  open window serves said it would wait 0 s.
"""
import os
import signal
import socket
import sqlite3
import subprocess
import time
import unittest

from harness import HALLQD, Hall, HallCase

DAY_MS = 24 * 3600 * 1000


def db_ro(hall):
    return sqlite3.connect("file:%s?mode=ro" % hall.db_path, uri=True, timeout=10)


class PastReads(HallCase):
    """GET /api/tickets/{id} of an earlier day's ticket with a wrong token."""

    def serve_and_age(self, n=3):
        """n tickets served and never rated, moved three days back (as if
        served then): a start loads none of them."""
        h = self.hall
        served = []
        for _ in range(n):
            r = h.issue("SB01")
            self.assertEqual(r.status, 201, r)
            t, tok = r.json["ticket"], r.json["token"]
            self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], t["id"])
            self.assertEqual(h.win(1, "finish").status, 200)
            served.append((t, tok))
        h.stop()
        db = sqlite3.connect(h.db_path)
        back = 3 * DAY_MS
        db.execute("UPDATE tickets SET day = '2020-01-02', issued_at = issued_at - ?, "
                   "arrival = arrival - ?, called_at = called_at - ?, "
                   "ended_at = ended_at - ?", (back, back, back, back))
        db.commit()
        self.assertEqual(db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0], 0)
        db.close()
        h.restart()
        return served

    def test_wrong_token_reads_leave_no_trace(self):
        h = self.hall
        served = self.serve_and_age()
        seq = h.status()["seq"]
        wrong = "0123456789abcdef" * 2
        ids = [t["id"] for t, _ in served]
        # The exact request: a wrong (well-formed) token, over and over.
        for i in range(300):
            r = h.req("GET", "/api/tickets/%d" % ids[i % len(ids)], None, wrong)
            self.assertError(r, 401, "unauthorized")
        # No token, an unknown word, another ticket's own token.
        for tid in ids:
            self.assertError(h.req("GET", "/api/tickets/%d" % tid), 401, "unauthorized")
            self.assertError(h.req("GET", "/api/tickets/%d" % tid, None, "nope"), 401)
        self.assertError(h.req("GET", "/api/tickets/%d" % ids[1], None, served[0][1]), 401)
        # Reads that are allowed answer from the row.
        r = h.req("GET", "/api/tickets/%d" % ids[0], None, served[0][1])
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["ticket"]["state"], r.json["ticket"]["business_day"]),
                         ("done", "2020-01-02"))
        self.assertEqual(h.ticket(ids[2], token="m1")["number"], served[2][0]["number"])
        # The timers run every second: give them a few.  Nothing happens to
        # these tickets: no "not rated" event, no rating row.
        time.sleep(3)
        self.assertEqual(h.status()["seq"], seq)
        self.assertEqual(h.events(since=seq), [])
        db = db_ro(h)
        try:
            self.assertEqual(db.execute("SELECT COUNT(*) FROM ratings").fetchone()[0], 0)
            self.assertEqual([r[0] for r in db.execute("SELECT rated FROM tickets")],
                             [0, 0, 0])
        finally:
            db.close()
        # Their time to be rated is over all the same.
        r = h.req("POST", "/api/ratings", {"ticket": ids[0], "score": 5}, served[0][1])
        self.assertError(r, 409, "rating_closed")
        self.assertEqual(h.status()["seq"], seq)


class SlotStart(HallCase):
    """POST /api/tickets with a slot_start of the kiosk's own choosing."""

    def test_kiosk_cannot_claim_a_slot(self):
        h = self.hall
        first = h.issue_ok("SB01")
        seq = h.status()["seq"]
        now = int(time.time() * 1000)
        r = h.req("POST", "/api/tickets",
                  {"matter": "SB01", "class": "appointment", "slot_start": now}, "k1")
        self.assertError(r, 400, "slot_start_not_allowed")
        self.assertIn("booking", r.json["error"]["message"])
        # From any role, in any shape: refused, nothing issued.
        for body in ({"matter": "SB01", "slot_start": now + 3600 * 1000},
                     {"matter": "SB01", "slot_start": None},
                     {"matter": "SB01", "slot_start": "soon"}):
            self.assertError(h.req("POST", "/api/tickets", body, "m1"), 400,
                             "slot_start_not_allowed")
        self.assertEqual(h.status()["seq"], seq)
        db = db_ro(h)
        try:
            self.assertEqual(db.execute("SELECT COUNT(*), MAX(slot_start) FROM tickets")
                             .fetchone(), (1, None))
        finally:
            db.close()
        # "appointment" without a booking waits as normal: behind the first.
        t = h.issue_ok("SB01", **{"class": "appointment"})
        self.assertNotIn("slot_start", t)
        self.assertEqual(t["number"], "A002")
        self.assertEqual(t["ahead"], 1)
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], first["id"])
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], t["id"])


class Detached(unittest.TestCase):
    """hallqd without -d: it detaches before it opens anything."""

    def setUp(self):
        self.hall = Hall()
        self.pid = None
        self.addCleanup(self.hall.cleanup)
        self.addCleanup(self.kill_daemon)

    def argv(self):
        return [HALLQD, "-f", self.hall.config_path]

    def detach(self):
        """Run hallqd as a service manager would without -d: the command
        returns once the daemon serves (0) or cannot (1)."""
        return subprocess.run(self.argv(), cwd=self.hall.dir, stdin=subprocess.DEVNULL,
                              capture_output=True, timeout=30)

    def find_daemon(self):
        want = "\0".join(self.argv()) + "\0"
        for d in os.listdir("/proc"):
            if not d.isdigit():
                continue
            try:
                with open("/proc/%s/cmdline" % d) as f:
                    if f.read() == want:
                        return int(d)
            except OSError:
                pass
        return None

    def running(self, pid):
        try:
            with open("/proc/%d/stat" % pid) as f:
                return f.read().rsplit(")", 1)[1].split()[0] != "Z"
        except OSError:
            return False

    def kill_daemon(self):
        """Whatever this test left running (also one it never found)."""
        pid = self.pid if self.pid is not None else self.find_daemon()
        if pid is not None and self.running(pid):
            os.kill(pid, signal.SIGKILL)

    def stop_daemon(self):
        os.kill(self.pid, signal.SIGTERM)
        for _ in range(400):
            if not self.running(self.pid):
                break
            time.sleep(0.05)
        self.assertFalse(self.running(self.pid), "the daemon did not stop on SIGTERM")
        self.pid = None

    def test_detached_daemon_holds_its_locks(self):
        h = self.hall
        p = self.detach()
        self.assertEqual(p.returncode, 0, p.stderr)
        self.pid = self.find_daemon()
        self.assertIsNotNone(self.pid, "no detached hallqd")
        h.status()
        # The daemon itself holds SQLite's POSIX locks (WAL: on the -shm).
        inodes = set()
        for suffix in ("", "-shm"):
            inodes.add(os.stat(h.db_path + suffix).st_ino)
        held = []
        with open("/proc/locks") as f:
            for line in f:
                w = line.split()
                if "POSIX" in w and str(self.pid) in w:
                    ino = int(w[w.index(str(self.pid)) + 1].split(":")[2])
                    if ino in inodes:
                        held.append(line.strip())
        self.assertTrue(held, "hallqd %d holds no lock on its database" % self.pid)
        # Another process opens the database and goes (a backup, the sqlite3
        # shell): the daemon's log stays, and what it answers is on disk.
        t1 = h.issue_ok("SB01")
        db = sqlite3.connect(h.db_path)
        self.assertEqual(db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0], 1)
        db.close()
        self.assertTrue(os.path.exists(h.db_path + "-wal"),
                        "the write-ahead log was deleted under the running daemon")
        t2 = h.issue_ok("SB01")
        db = sqlite3.connect(h.db_path)
        ids = [r[0] for r in db.execute("SELECT id FROM tickets ORDER BY id")]
        db.close()
        self.assertEqual(ids, [t1["id"], t2["id"]])
        self.stop_daemon()
        db = db_ro(h)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchone()[0], "ok")
            self.assertEqual(db.execute("SELECT COUNT(*) FROM tickets").fetchone()[0], 2)
        finally:
            db.close()

    def test_startup_errors_reach_the_caller(self):
        h = self.hall
        # Its port is taken: the command says so and fails, no daemon stays.
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", h.port))
        s.listen(1)
        try:
            p = self.detach()
        finally:
            s.close()
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, err)
        self.assertIn("127.0.0.1:%d" % h.port, err)
        self.assertIn("not started", err)
        time.sleep(0.2)
        self.assertIsNone(self.find_daemon())
        # The database cannot be opened: said too.
        h.write_config(h.config(database=os.path.join(h.dir, "missing", "hallq.db")))
        p = self.detach()
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 1, err)
        self.assertIn("database", err)
        self.assertIsNone(self.find_daemon())
        # A good start still answers 0 with nothing on stderr.
        h.write_config()
        p = self.detach()
        self.assertEqual((p.returncode, p.stderr), (0, b""))
        self.pid = self.find_daemon()
        self.assertIsNotNone(self.pid)
        self.assertTrue(h.status()["ok"])
        self.stop_daemon()


class HeldAtClose(HallCase):
    """POST /api/windows/{n}/close while the window holds tickets (挂起)."""

    def test_close_hands_held_tickets_back(self):
        h = self.hall
        a = h.issue_ok("SB01")
        b = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a["id"])
        self.assertEqual(h.win(1, "start").status, 200)
        self.assertEqual(h.win(1, "hold").json["ticket"]["state"], "held")
        seq = h.status()["seq"]
        # The exact request: close the window that holds a.
        r = h.win(1, "close")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["window"]["state"], r.json["window"]["held"]),
                         ("closed", []))
        evs = h.events(since=seq)
        self.assertEqual([e["type"] for e in evs], ["ticket.requeued", "window.closed"])
        self.assertEqual((evs[0]["ticket"]["id"], evs[0]["ticket"]["state"],
                          evs[0]["ticket"]["window"], evs[0]["window"], evs[0]["reason"]),
                         (a["id"], "waiting", None, 1, "window_closed"))
        # It waits again in its old place: before b, which came after it.
        t = h.ticket(a["id"])
        self.assertEqual((t["state"], t["ahead"]), ("waiting", 0))
        self.assertEqual(h.ticket(b["id"])["ahead"], 1)
        db = db_ro(h)
        try:
            self.assertEqual(db.execute("SELECT state, window, held_by FROM tickets "
                                        "WHERE id = ?", (a["id"],)).fetchone(),
                             ("waiting", None, None))
        finally:
            db.close()
        # Another window calls it (once: "409 held_by_other_window").
        r = h.win(2, "call", {"ticket": a["id"]})
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["ticket"]["state"], r.json["ticket"]["window"]),
                         ("called", 2))
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], b["id"])

    def test_close_hands_back_tickets_transferred_to_it(self):
        h = self.hall
        a = h.issue_ok("SB01")
        b = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a["id"])
        self.assertEqual(h.win(1, "transfer", {"window": 2}).status, 200)
        seq = h.status()["seq"]
        self.assertEqual(h.win(2, "close").status, 200)
        evs = h.events(since=seq)
        self.assertEqual([e["type"] for e in evs], ["ticket.requeued", "window.closed"])
        t = evs[0]["ticket"]
        self.assertEqual((t["id"], t["state"], t["target_window"], t["ahead"]),
                         (a["id"], "transferred", None, 0))
        self.assertEqual(h.win(3, "call-next").json["ticket"]["id"], a["id"])
        self.assertEqual(h.win(4, "call-next").json["ticket"]["id"], b["id"])

    def test_manager_cancels_any_open_ticket(self):
        h = self.hall
        held = h.issue_ok("SB01")
        called = h.issue_ok("SB01")
        serving = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], held["id"])
        self.assertEqual(h.win(1, "hold").status, 200)
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], called["id"])
        self.assertEqual(h.win(2, "call-next").json["ticket"]["id"], serving["id"])
        self.assertEqual(h.win(2, "start").status, 200)
        # A kiosk cancels waiting tickets only.
        for t in (held, called, serving):
            self.assertError(h.req("DELETE", "/api/tickets/%d" % t["id"], None, "k1"),
                             409, "illegal_transition")
        # The exact request: DELETE with a manager token.
        # (window 1 still has `called` when its held ticket goes)
        for t, win, token, left in ((held, 1, "m1", called["id"]), (called, 1, "m1", None),
                                    (serving, 2, "a1", None)):
            seq = h.status()["seq"]
            r = h.req("DELETE", "/api/tickets/%d" % t["id"], None, token)
            self.assertEqual(r.status, 200, r)
            self.assertEqual((r.json["ticket"]["state"], r.json["ticket"]["window"]),
                             ("cancelled", win))
            evs = h.events(since=seq)
            self.assertEqual([e["type"] for e in evs][:2], ["ticket.cancelled", "window.released"])
            # a manager's or admin's change: audited, by the token's name
            self.assertEqual([e["type"] for e in evs][2:], ["audit"])
            self.assertEqual((evs[2]["op"], evs[2]["by"], evs[2]["window"]),
                             ("cancel", {"m1": "manager1", "a1": "admin1"}[token], win))
            self.assertEqual(evs[0]["window"], win)
            w = evs[1]["window"]
            self.assertEqual((w["number"], w["ticket"] and w["ticket"]["id"], w["held"]),
                             (win, left, []))
        for n in (1, 2):
            w = h.req("GET", "/api/windows/%d" % n, None, "m1").json["window"]
            self.assertEqual((w["ticket"], w["held"]), (None, []))
        db = db_ro(h)
        try:
            self.assertEqual([r[0] for r in db.execute("SELECT state FROM tickets ORDER BY id")],
                             ["cancelled"] * 3)
            self.assertEqual([r[0] for r in db.execute("SELECT ticket FROM windows "
                                                       "WHERE number IN (1, 2)")], [None, None])
        finally:
            db.close()
        # Gone for good: never called again.
        self.assertError(h.win(1, "call", {"ticket": held["id"]}), 409, "illegal_transition")
        self.assertEqual(h.win(1, "call-next").status, 204)


class NoWindow(HallCase):
    """A transfer to a closed window; a ticket no open window serves."""

    def test_transfer_to_closed_window_refused(self):
        h = self.hall
        a = h.issue_ok("SB01")
        self.assertEqual(h.win(1, "call-next").json["ticket"]["id"], a["id"])
        seq = h.status()["seq"]
        # Window 5 is closed (the exact request, with the test hall's number).
        r = h.win(1, "transfer", {"window": 5})
        self.assertError(r, 409, "window_closed")
        self.assertEqual(h.status()["seq"], seq)
        w = h.req("GET", "/api/windows/1", None, "m1").json["window"]
        self.assertEqual((w["ticket"]["id"], w["ticket"]["state"]), (a["id"], "called"))
        # Paused windows come back: a transfer to one is taken.
        self.assertEqual(h.win(2, "pause").status, 200)
        r = h.win(1, "transfer", {"window": 2})
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["target_window"], 2)

    def test_no_open_window_no_estimate(self):
        h = self.hall
        # BDC01 is served by windows 1 and 2 (open) and 5 (closed).
        self.assertEqual(h.win(1, "close").status, 200)
        self.assertEqual(h.win(2, "close").status, 200)
        r = h.issue("BDC01")
        self.assertEqual(r.status, 201, r)
        t = r.json["ticket"]
        self.assertIsNone(t["eta_s"])
        self.assertIs(t["no_open_window"], True)
        self.assertEqual(t["ahead"], 0)
        ev = [e for e in h.events() if e["type"] == "ticket.issued"][-1]
        self.assertIsNone(ev["ticket"]["eta_s"])
        self.assertIs(ev["ticket"]["no_open_window"], True)
        # GET with its own token (the status page) and the hall's loads.
        r2 = h.req("GET", "/api/tickets/%d" % t["id"], None, r.json["token"])
        self.assertEqual((r2.json["ticket"]["eta_s"], r2.json["ticket"]["no_open_window"]),
                         (None, True))
        load = {m["code"]: m for m in h.req("GET", "/api/hall", None, "d1").json["matters"]}
        self.assertEqual((load["BDC01"]["open_windows"], load["BDC01"]["eta_s"]), (0, None))
        self.assertEqual((load["BDC02"]["waiting"], load["BDC02"]["eta_s"]), (0, None))
        self.assertIsInstance(load["SB01"]["eta_s"], int)
        # A served matter's ticket says a number and no flag.
        s = h.issue_ok("SB01")
        self.assertIsInstance(s["eta_s"], int)
        self.assertIs(s["no_open_window"], False)
        # A window opens: the estimate comes back.
        self.assertEqual(h.win(5, "open").status, 200)
        t = h.ticket(t["id"])
        self.assertEqual((t["eta_s"], t["no_open_window"]), (0, False))
