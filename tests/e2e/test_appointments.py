"""Appointments (预约, issue 13) from outside: the real hallqd on a clock
started by HALLQ_CLOCK_START at a known moment of the hours hall (harness
hours_over: Tuesday 2026-12-01, 08:30-12:00 and 13:30-17:30, SB01 three
places a slot, SB02 two, 30-minute slots, 5 minutes' lead, early 30 / late
15 minutes), driven through REST as the booking page, the kiosk, the counter
and the city's portal would, and checked as they see it: statuses, replies,
the event log and the database's rows.

Moments that lie after a booking (a late check-in, a no-show) are reached by
restarting the daemon on the same database with a later clock.
"""
import json
import re
import sqlite3
import threading
import time

from harness import (ClockHallCase, SourceClient, hall_day, hall_hm, hall_ms,
                     hours_over, id_number, mobile)

MIN = 60 * 1000
DAY = "2026-12-01"
CODE_RE = re.compile(r"^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$")
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")


def t(hh, mm, ss=0, day=1):
    """A moment of December 2026 in the hall's zone."""
    return hall_ms(2026, 12, day, hh, mm, ss)


def masked(v):
    """The contract's mask: first three and last four shown."""
    return v[:3] + "*" * (len(v) - 7) + v[-4:]


def body(start, n, matter="SB01", **kw):
    b = {"matter": matter, "start": start, "phone": mobile(n), "id_number": id_number(n)}
    b.update(kw)
    return b


def db_ro(hall):
    return sqlite3.connect("file:%s?mode=ro" % hall.db_path, uri=True, timeout=10)


class ClockCase(ClockHallCase):
    """A fresh hours hall for each test, its clock at Tuesday 09:20."""

    hall_over = hours_over()
    clock = t(9, 20)

    # -- helpers
    def book(self, start, n, matter="SB01", token="k1", h=None, **kw):
        h = h or self.hall
        return h.req("POST", "/api/appointments", body(start, n, matter, **kw), token)

    def book_ok(self, start, n, matter="SB01", token="k1", h=None, **kw):
        r = self.book(start, n, matter, token, h, **kw)
        self.assertEqual(r.status, 201, "booking %s at %s for #%d: %r" %
                         (matter, hall_hm(start), n, r))
        return r.json["appointment"], r.json["token"]

    def slots(self, matter="SB01", day=DAY, days=1, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/public/slots?matter=%s&from=%s&days=%d" % (matter, day, days))
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["matter"], matter)
        return r.json["slots"]

    def slot(self, start, matter="SB01", h=None):
        """The public slot starting at `start` (None when not listed)."""
        for s in self.slots(matter, hall_day(start), 1, h):
            if s["start"] == start:
                return s
        return None

    def day_view(self, day=DAY, h=None):
        h = h or self.hall
        r = h.req("GET", "/api/appointments?day=%s" % day, None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["day"], day)
        return r.json

    def get_appt(self, code, token, h=None):
        h = h or self.hall
        return h.req("GET", "/api/appointments/%s" % code, None, token)

    def checkin(self, what, token="k1", h=None):
        h = h or self.hall
        return h.req("POST", "/api/tickets", {"appointment": what}, token)

    def assertAppointment(self, a, matter="SB01", start=None, state="booked"):
        self.assertRegex(a["code"], CODE_RE)
        self.assertEqual(a["matter"], matter)
        self.assertEqual(a["state"], state)
        if start is not None:
            self.assertEqual(a["start"], start)
            self.assertEqual(a["end"], start + 30 * MIN)
        for k in ("matter_name", "matter_name_en", "channel", "ticket", "late",
                  "phone", "id_number", "name", "booked_at", "checked_in_at"):
            self.assertIn(k, a)


class Slots(ClockCase):
    """GET /api/public/slots across the week: working days, hours, lead time."""

    def test_slots_follow_the_calendar(self):
        h = self.hall
        sl = self.slots("SB01", DAY, 7)
        days = sorted({hall_day(s["start"]) for s in sl})
        # Tuesday, Wednesday, (Thursday a holiday), Friday, Saturday a 调休
        # make-up day, (Sunday closed), Monday.
        self.assertEqual(days, ["2026-12-01", "2026-12-02", "2026-12-04",
                                "2026-12-05", "2026-12-07"])
        today = [s for s in sl if hall_day(s["start"]) == DAY]
        # From 09:30 (09:00 starts before now + 5 min), none over lunch.
        self.assertEqual([hall_hm(s["start"])[11:16] for s in today],
                         ["09:30", "10:00", "10:30", "11:00", "11:30",
                          "13:30", "14:00", "14:30", "15:00", "15:30", "16:00",
                          "16:30", "17:00"])
        wed = [s for s in sl if hall_day(s["start"]) == "2026-12-02"]
        self.assertEqual(len(wed), 15)
        self.assertEqual(wed[0]["start"], t(8, 30, day=2))
        sat = [s for s in sl if hall_day(s["start"]) == "2026-12-05"]
        self.assertEqual(len(sat), 15, "a make-up day works with Monday's hours")
        for s in sl:
            self.assertEqual(s["end"] - s["start"], 30 * MIN, s)
            self.assertEqual((s["capacity"], s["free"], s["blocked"]), (3, 3, False), s)
        self.assertEqual({s["capacity"] for s in self.slots("SB02", DAY, 7)}, {2})
        # the default: from today, horizon_days days
        r = h.req("GET", "/api/public/slots?matter=SB01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["slots"], sl)
        self.assertEqual(r.json["slot_min"], 30)
        # non-bookable and unknown matters
        self.assertError(h.req("GET", "/api/public/slots?matter=YB01"), 400, "not_bookable")
        self.assertError(h.req("GET", "/api/public/slots?matter=XX99"), 404, "unknown_matter")
        # /api/public/hall says which are bookable, without a token
        r = h.req("GET", "/api/public/hall")
        self.assertEqual(r.status, 200, r)
        book = {m["code"]: m["bookable"] for m in r.json["matters"]}
        self.assertEqual(book["SB01"], True)
        self.assertEqual(book["SB02"], True)
        self.assertEqual(book["YB01"], False)
        ap = r.json["appointments"]
        self.assertEqual((ap["slot_min"], ap["horizon_days"], ap["min_lead_min"],
                          ap["early_min"], ap["late_min"]), (30, 7, 5, 30, 15))
        self.assertEqual(r.json["open"], True)


class Booking(ClockCase):

    def test_book_fill_refuse(self):
        h = self.hall
        start = t(10, 0)
        seq0 = h.status()["seq"]
        got = []
        for n, tok in ((1, "k1"), (2, None), (3, "m1")):
            r = self.book(start, n, token=tok)
            self.assertEqual(r.status, 201, r)
            a = r.json["appointment"]
            self.assertAppointment(a, start=start)
            self.assertRegex(r.json["token"], TOKEN_RE)
            self.assertEqual(a["channel"], {"k1": "kiosk", None: "web", "m1": "counter"}[tok])
            self.assertEqual(a["phone"], masked(mobile(n)))
            self.assertEqual(a["id_number"], masked(id_number(n)))
            self.assertEqual((a["ticket"], a["late"], a["checked_in_at"]), (None, False, None))
            self.assertGreaterEqual(a["booked_at"], t(9, 20))
            got.append(a["code"])
            self.assertEqual(self.slot(start)["free"], 3 - n)
        self.assertEqual(len(set(got)), 3)
        # the fourth is refused, nothing changes
        seq = h.status()["seq"]
        self.assertError(self.book(start, 4), 409, "slot_full")
        self.assertError(self.book(start, 5, token="i1", channel="phone"), 409, "slot_full")
        self.assertEqual(h.status()["seq"], seq)
        self.assertEqual(self.slot(start)["free"], 0)
        # the other slots are untouched
        self.assertEqual(self.slot(t(10, 30))["free"], 3)
        # the integration token books by phone (the 12345 hotline)
        a, _ = self.book_ok(t(10, 30), 6, token="i1", channel="phone")
        self.assertEqual(a["channel"], "phone")
        # events: one appointment.booked for each 201
        evs = [e for e in h.events(since=seq0) if e["type"] == "appointment.booked"]
        self.assertEqual([e["appointment"]["code"] for e in evs], got + [a["code"]])
        # the manager's day view
        v = self.day_view()
        rows = [x for x in v["appointments"] if x["start"] == start]
        self.assertEqual(sorted(x["code"] for x in rows), sorted(got))
        sl = [s for s in v["slots"] if s["start"] == start and s["matter"] == "SB01"]
        self.assertEqual(len(sl), 1, v["slots"])
        self.assertEqual((sl[0]["capacity"], sl[0]["booked"], sl[0]["blocked"]),
                         (3, 3, False))

    def test_ten_clients_at_once_never_exceed_capacity(self):
        h = self.hall
        start = t(10, 30)
        go = threading.Barrier(10, timeout=30)
        out = [None] * 10

        def one(k):
            c = h.http(timeout=20)
            try:
                c.req("GET", "/api/status")          # connected before the barrier
                go.wait()
                tok = ("k1", None, "m1", "i1")[k % 4]
                out[k] = c.req("POST", "/api/appointments", body(start, 100 + k), tok,
                               retry=False)
            finally:
                c.close()

        ths = [threading.Thread(target=one, args=(k,), daemon=True) for k in range(10)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(40)
        self.assertFalse(any(th.is_alive() for th in ths))
        statuses = sorted(r.status for r in out)
        self.assertEqual(statuses, [201] * 3 + [409] * 7, out)
        for r in out:
            if r.status == 409:
                self.assertError(r, 409, "slot_full")
        won = {r.json["appointment"]["code"] for r in out if r.status == 201}
        v = self.day_view()
        rows = [x for x in v["appointments"] if x["start"] == start and x["state"] == "booked"]
        self.assertEqual({x["code"] for x in rows}, won)
        sl = [s for s in v["slots"] if s["start"] == start and s["matter"] == "SB01"]
        self.assertEqual(sl[0]["booked"], 3, sl)
        self.assertEqual(self.slot(start)["free"], 0)
        # and in the database
        db = db_ro(h)
        try:
            n = db.execute("SELECT COUNT(*) FROM appointments WHERE start = ? AND "
                           "state = 'booked'", (start,)).fetchone()[0]
        finally:
            db.close()
        self.assertEqual(n, 3)
        h.assert_serving()

    def test_one_person_ten_clients_at_once(self):
        """per_person_per_day 1: ten bookings of one ID at once in ten
        slots of the day: one stands."""
        h = self.hall
        starts = [t(13, 30) + i * 30 * MIN for i in range(8)] + [t(10, 0), t(10, 30)]
        go = threading.Barrier(10, timeout=30)
        out = [None] * 10

        def one(k):
            c = h.http(timeout=20)
            try:
                c.req("GET", "/api/status")
                go.wait()
                out[k] = c.req("POST", "/api/appointments",
                               body(starts[k], 1, phone=mobile(50 + k)), "k1", retry=False)
            finally:
                c.close()

        ths = [threading.Thread(target=one, args=(k,), daemon=True) for k in range(10)]
        for th in ths:
            th.start()
        for th in ths:
            th.join(40)
        self.assertFalse(any(th.is_alive() for th in ths))
        self.assertEqual(sorted(r.status for r in out), [201] + [409] * 9, out)
        for r in out:
            if r.status == 409:
                self.assertError(r, 409, "too_many_appointments")
        v = self.day_view()
        self.assertEqual(len([x for x in v["appointments"] if x["state"] == "booked"]), 1)

    def test_cancel_frees_the_place(self):
        h = self.hall
        start = t(11, 0)
        a1, tok1 = self.book_ok(start, 1)
        a2, tok2 = self.book_ok(start, 2)
        a3, tok3 = self.book_ok(start, 3)
        self.assertEqual(self.slot(start)["free"], 0)
        seq = h.status()["seq"]
        r = h.req("DELETE", "/api/appointments/%s" % a2["code"], None, tok2)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["appointment"]["state"], "cancelled")
        self.assertEqual(self.slot(start)["free"], 1)
        evs = h.events(since=seq)
        self.assertEqual([e["type"] for e in evs], ["appointment.cancelled"])
        self.assertEqual(evs[0]["appointment"]["code"], a2["code"])
        # twice: closed
        self.assertError(h.req("DELETE", "/api/appointments/%s" % a2["code"], None, tok2),
                         409, "appointment_closed")
        # the place is someone else's now
        self.book_ok(start, 4)
        self.assertError(self.book(start, 5), 409, "slot_full")
        # a manager cancels any booking
        r = h.req("DELETE", "/api/appointments/%s" % a1["code"], None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.slot(start)["free"], 1)
        self.assertEqual(self.get_appt(a2["code"], tok2).json["appointment"]["state"],
                         "cancelled")
        # a cancelled booking does not check in
        self.assertError(self.checkin(a2["code"]), 409, "appointment_closed")

    def test_reschedule(self):
        h = self.hall
        a, tok = self.book_ok(t(10, 0), 1)
        seq = h.status()["seq"]
        r = h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                  {"start": t(14, 0)}, tok)
        self.assertEqual(r.status, 200, r)
        b = r.json["appointment"]
        self.assertEqual((b["code"], b["start"], b["state"]), (a["code"], t(14, 0), "booked"))
        self.assertEqual(self.slot(t(10, 0))["free"], 3)
        self.assertEqual(self.slot(t(14, 0))["free"], 2)
        evs = h.events(since=seq)
        self.assertEqual([e["type"] for e in evs], ["appointment.rescheduled"])
        self.assertEqual(evs[0]["appointment"]["start"], t(14, 0))
        self.assertIn("from", evs[0])
        # into a full slot: refused, the booking stays where it was
        for n in (2, 3, 4):
            self.book_ok(t(15, 0), n)
        self.assertError(h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                               {"start": t(15, 0)}, tok), 409, "slot_full")
        self.assertError(h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                               {"start": t(15, 7)}, tok), 400, "not_a_slot")
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["start"], t(14, 0))
        # its own full slot: its place does not count against it
        for n in (5, 6):
            self.book_ok(t(14, 0), n)
        self.assertEqual(self.slot(t(14, 0))["free"], 0)
        r = h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                  {"start": t(14, 0)}, tok)
        self.assertIn(r.status, (200, 409), r)      # a no-op or refused, never over
        self.assertEqual(self.slot(t(14, 0))["free"], 0)
        # the manager moves it to another day
        r = h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                  {"start": t(9, 0, day=2)}, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.slot(t(14, 0))["free"], 1)
        self.assertEqual(self.slot(t(9, 0, day=2))["free"], 2)
        # a wrong token: 404, nothing moves
        self.assertError(h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                               {"start": t(16, 0)}, "0" * 32), 404, "unknown_appointment")
        self.assertEqual(self.slot(t(16, 0))["free"], 3)

    def test_per_person_limits(self):
        h = self.hall
        a, tok = self.book_ok(t(10, 0), 1)
        # the same person, the same slot: already_booked
        self.assertError(self.book(t(10, 0), 1), 409, "already_booked")
        # the same ID with another phone, the same day: per_person_per_day 1
        r = self.book(t(11, 0), 1, phone=mobile(77))
        self.assertError(r, 409, "too_many_appointments")
        self.assertError(self.book(t(14, 0), 1, matter="SB02"), 409, "too_many_appointments")
        # another day is fine
        self.book_ok(t(10, 0, day=2), 1)
        # cancelling frees the day for that person
        self.assertEqual(h.req("DELETE", "/api/appointments/%s" % a["code"], None,
                               tok).status, 200)
        self.book_ok(t(11, 0), 1)
        self.assertEqual(self.slot(t(10, 0))["free"], 3)

    def test_own_token_reads_and_cancels_only_its_booking(self):
        h = self.hall
        a, tok_a = self.book_ok(t(10, 0), 1)
        b, tok_b = self.book_ok(t(10, 0), 2, token=None)
        r = self.get_appt(a["code"], tok_a)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["appointment"]["code"], a["code"])
        self.assertEqual(r.json["appointment"]["id_number"], masked(id_number(1)))
        self.assertEqual(self.get_appt(b["code"], tok_b).json["appointment"]["code"],
                         b["code"])
        # another booking's token, a wrong one, a ticket's: 404 (tells nothing)
        for tok in (tok_b, "0" * 32, "f" * 32, "nope"):
            self.assertError(self.get_appt(a["code"], tok), 404, "unknown_appointment")
            self.assertError(h.req("DELETE", "/api/appointments/%s" % a["code"], None, tok),
                             404, "unknown_appointment")
        tr = h.issue("SB01")
        self.assertEqual(tr.status, 201, tr)
        self.assertError(self.get_appt(a["code"], tr.json["token"]), 404,
                         "unknown_appointment")
        # without a token
        r = self.get_appt(a["code"], None)
        self.assertIn(r.status, (401, 404), r)
        self.assertError(r, r.status)
        # the manager reads any
        self.assertEqual(self.get_appt(a["code"], "m1").status, 200)
        # a code that does not exist, the same answer as a wrong token
        self.assertError(self.get_appt("ZZZZ2345", tok_a), 404, "unknown_appointment")
        self.assertError(self.get_appt("ZZZZ2345", "m1"), 404, "unknown_appointment")
        # nothing was cancelled
        self.assertEqual(self.get_appt(a["code"], "m1").json["appointment"]["state"], "booked")
        self.assertEqual(self.slot(t(10, 0))["free"], 1)
        # the own token cancels its own
        self.assertEqual(h.req("DELETE", "/api/appointments/%s" % b["code"], None,
                               tok_b).status, 200)
        self.assertEqual(self.get_appt(a["code"], "m1").json["appointment"]["state"], "booked")

    def test_personal_data_masked_everywhere(self):
        h = self.hall
        phone, idn = "13812345678", id_number(424, birth="19751224")
        r = h.req("POST", "/api/appointments",
                  {"matter": "SB01", "start": t(9, 30), "phone": phone, "id_number": idn,
                   "name": "张三"})
        self.assertEqual(r.status, 201, r)
        a = r.json["appointment"]
        self.assertEqual(a["phone"], "138****5678")
        self.assertEqual(a["id_number"], masked(idn))
        self.assertEqual(a["name"], "张*")
        # a one-character name shows nothing of itself
        r1 = h.req("POST", "/api/appointments",
                   {"matter": "SB01", "start": t(9, 30), "phone": "13912345678",
                    "id_number": id_number(425), "name": "李"})
        self.assertEqual(r1.status, 201, r1)
        self.assertEqual(r1.json["appointment"]["name"], "*")
        self.assertNotIn("李".encode(), r1.body)
        tok = r.json["token"]
        # every way it is shown: its own read, the manager's, the day view,
        # check-in (the ticket too), the hall, the event log
        shown = [r.body, self.get_appt(a["code"], tok).body,
                 self.get_appt(a["code"], "m1").body,
                 h.req("GET", "/api/appointments?day=%s" % DAY, None, "m1").body]
        c = self.checkin(a["code"])
        self.assertEqual(c.status, 201, c)
        shown.append(c.body)
        shown.append(h.req("GET", "/api/tickets/%d" % c.json["ticket"]["id"], None,
                           "m1").body)
        shown.append(h.req("GET", "/api/hall", None, "m1").body)
        ev = h.req("GET", "/api/events?since=0&limit=1000", None, "d1")
        self.assertEqual(ev.status, 200)
        shown.append(ev.body)
        self.assertIn(b"appointment.booked", ev.body)
        self.assertIn(b"appointment.checked_in", ev.body)
        self.assertNotIn(tok.encode(), ev.body, "an event carries the booking's token")
        for raw in shown:
            self.assertNotIn(phone.encode(), raw)
            self.assertNotIn(idn.encode(), raw)
            self.assertNotIn("张三".encode(), raw)
        h.stop()
        # the daemon's log
        with open(h.stderr_path, "rb") as f:
            log = f.read()
        self.assertNotIn(phone.encode(), log)
        self.assertNotIn(idn.encode(), log)
        # the database: once, in the booking's row, nowhere else
        db = db_ro(h)
        try:
            tables = [x[0] for x in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            found = []
            for tb in tables:
                for row in db.execute('SELECT * FROM "%s"' % tb):
                    text = " ".join(str(v) for v in row)
                    if phone in text or idn in text or "张三" in text:
                        found.append(tb)
        finally:
            db.close()
        self.assertEqual(found, ["appointments"],
                         "full personal data in the rows of %r" % found)


class CheckIn(ClockCase):

    def test_on_time_by_code_and_by_id(self):
        h = self.hall
        a, tok = self.book_ok(t(9, 30), 1)
        b, _ = self.book_ok(t(9, 30), 2)
        seq = h.status()["seq"]
        r = self.checkin(a["code"])
        self.assertEqual(r.status, 201, r)
        tk = r.json["ticket"]
        self.assertEqual((tk["class"], tk["matter"], tk["slot_start"], tk["state"]),
                         ("appointment", "SB01", t(9, 30), "waiting"))
        self.assertRegex(r.json["token"], TOKEN_RE)
        self.checkin_token = r.json["token"]
        ap = r.json["appointment"]
        self.assertEqual((ap["code"], ap["state"], ap["ticket"], ap["late"]),
                         (a["code"], "checked_in", tk["id"], False))
        self.assertIsNotNone(ap["checked_in_at"])
        evs = h.events(since=seq)
        self.assertEqual([e["type"] for e in evs],
                         ["appointment.checked_in", "ticket.issued"])
        self.assertEqual(evs[0]["appointment"]["code"], a["code"])
        self.assertEqual(evs[0]["appointment"]["ticket"], tk["id"])
        self.assertEqual(evs[1]["ticket"]["id"], tk["id"])
        # its own read says so
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"],
                         "checked_in")
        # twice: closed, nothing issued
        seq = h.status()["seq"]
        self.assertError(self.checkin(a["code"]), 409, "appointment_closed")
        self.assertEqual(h.status()["seq"], seq)
        # by ID number
        r = self.checkin(id_number(2))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(r.json["appointment"]["code"], b["code"])
        self.assertEqual(r.json["ticket"]["class"], "appointment")
        # the manager checks in too; codes that do not exist
        self.assertError(self.checkin("ZZZZ2345"), 404, "unknown_appointment")
        self.assertError(self.checkin(id_number(3)), 404, "unknown_appointment")
        # a cancelled booking does not check in
        c, ctok = self.book_ok(t(9, 30), 3)
        h.req("DELETE", "/api/appointments/%s" % c["code"], None, ctok)
        self.assertError(self.checkin(c["code"]), 409, "appointment_closed")
        # the day view counts the arrivals
        sl = [s for s in self.day_view()["slots"] if s["start"] == t(9, 30)]
        self.assertEqual((sl[0]["checked_in"], sl[0]["cancelled"]), (2, 1), sl)
        # the ticket's own token reads its ticket
        r = h.req("GET", "/api/tickets/%d" % tk["id"], None,
                  self.checkin_token)
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["slot_start"], t(9, 30))
        # a checked-in booking is neither cancelled nor moved
        self.assertError(h.req("DELETE", "/api/appointments/%s" % a["code"], None, tok),
                         409, "appointment_closed")
        self.assertError(h.req("POST", "/api/appointments/%s/reschedule" % a["code"],
                               {"start": t(14, 0)}, tok), 409, "appointment_closed")
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"],
                         "checked_in")

    def test_too_early_and_wrong_day(self):
        h = self.hall
        a, _ = self.book_ok(t(10, 0), 1)
        b, _ = self.book_ok(t(10, 30), 2)
        c, _ = self.book_ok(t(10, 0, day=2), 3)
        seq = h.status()["seq"]
        r = self.checkin(a["code"])
        self.assertError(r, 409, "too_early")
        self.assertEqual(r.json["come_back_at"], t(9, 30))
        r = self.checkin(b["code"])
        self.assertError(r, 409, "too_early")
        self.assertEqual(r.json["come_back_at"], t(10, 0))
        r = self.checkin(id_number(2))          # by ID: the same answer
        self.assertError(r, 409, "too_early")
        self.assertEqual(r.json["come_back_at"], t(10, 0))
        r = self.checkin(c["code"])
        self.assertError(r, 409, "wrong_day")
        self.assertEqual(r.json["start"], t(10, 0, day=2))
        self.assertEqual(h.status()["seq"], seq)
        # still booked, still checks in later
        self.assertEqual(self.get_appt(a["code"], "m1").json["appointment"]["state"], "booked")

    def test_tomorrows_booking_checks_in_tomorrow(self):
        h = self.hall
        a, tok = self.book_ok(t(9, 30, day=2), 1)
        # today passes (across 10:15 and midnight): no no-show for it
        self.later(t(23, 59, 58))
        h.wait_clock(t(0, 0, 1, day=2))
        self.later(t(9, 10, day=2))
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"], "booked")
        self.assertEqual([e for e in h.events() if e["type"] == "appointment.no_show"], [])
        r = self.checkin(id_number(1))
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["ticket"]["class"], r.json["ticket"]["slot_start"],
                          r.json["ticket"]["business_day"]),
                         ("appointment", t(9, 30, day=2), "2026-12-02"))

    def test_late_checkin_is_an_ordinary_ticket(self):
        a, tok = self.book_ok(t(9, 30), 1)
        # 09:50: past the start + 15 min, before the end + 15 min
        self.later(t(9, 50))
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"], "booked")
        r = self.checkin(a["code"])
        self.assertEqual(r.status, 201, r)
        tk = r.json["ticket"]
        self.assertNotEqual(tk["class"], "appointment", tk)
        self.assertIsNone(tk.get("slot_start"), tk)
        self.assertEqual(tk["matter"], "SB01")
        self.assertEqual(r.json["appointment"]["late"], True)
        self.assertEqual(r.json["appointment"]["state"], "checked_in")
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["late"], True)


class Priority(ClockCase):
    """The dispatcher's head start (appointment 600 s): an on-time booking
    goes before walk-ins who came less than 10 minutes before its slot, after
    one who came more than 10 minutes before it."""

    clock = t(9, 19, 50)

    def test_head_start_serves_near_the_slot_and_never_beyond(self):
        h = self.hall
        slot = t(9, 30)
        a, _ = self.book_ok(slot, 1)
        early = h.issue_ok("SB01")                       # before 09:20:00
        self.assertLess(early["issued_at"], slot - 600 * 1000,
                        "the test was too slow to place its first walk-in")
        h.wait_clock(slot - 600 * 1000 + 500)
        mid = h.issue_ok("SB01")                         # after 09:20:00
        r = self.checkin(a["code"])
        self.assertEqual(r.status, 201, r)
        appt = r.json["ticket"]
        self.assertEqual(appt["class"], "appointment")
        self.assertLess(early["issued_at"], mid["issued_at"])
        self.assertLess(mid["issued_at"], appt["issued_at"])
        order = []
        for _ in range(3):
            r = h.win(2, "call-next")
            self.assertEqual(r.status, 200, r)
            order.append(r.json["ticket"]["id"])
            self.assertEqual(h.win(2, "finish").status, 200)
        self.assertEqual(order, [early["id"], appt["id"], mid["id"]],
                         "expected walk-in 09:19:5x, then the 09:30 booking, then "
                         "the walk-in of 09:20:0x")
        self.assertEqual(h.win(2, "call-next").status, 204)


class NoShow(ClockCase):

    def test_no_show_after_the_slot(self):
        h = self.hall
        a, tok = self.book_ok(t(9, 30), 1)      # no-show at 10:15
        b, tokb = self.book_ok(t(10, 0), 2)     # no-show at 10:45
        self.later(t(10, 14, 56))
        seq = h.status()["seq"]
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"], "booked")
        ev = h.wait_event(lambda e: e["type"] == "appointment.no_show", since=seq,
                          timeout=20)
        self.assertEqual(ev["appointment"]["code"], a["code"])
        self.assertEqual(ev["appointment"]["state"], "no_show")
        self.assertGreaterEqual(ev["at"], t(10, 15))
        self.assertNotIn(id_number(1).encode(), json.dumps(ev).encode())
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"], "no_show")
        self.assertError(self.checkin(a["code"]), 409, "appointment_closed")
        # the other one is still booked (late: an ordinary ticket if it came)
        self.assertEqual(self.get_appt(b["code"], tokb).json["appointment"]["state"],
                         "booked")
        # down across its no-show time: at start (or the first tick)
        self.later(t(10, 50))
        ev = h.wait_event(lambda e: e["type"] == "appointment.no_show" and
                          e["appointment"]["code"] == b["code"], since=seq,
                          timeout=20)
        self.assertEqual(self.get_appt(b["code"], tokb).json["appointment"]["state"],
                         "no_show")
        sl = [s for s in self.day_view()["slots"] if s["matter"] == "SB01"]
        self.assertEqual(sum(s["no_show"] for s in sl), 2, sl)


class Suspension(ClockCase):
    hall_over = hours_over(**{
        "appointments.per_person_per_day": 2,
        "appointments.suspend": {"no_shows": 2, "within_days": 30, "days": 30}})

    def test_no_shows_suspend_booking(self):
        h = self.hall
        self.book_ok(t(9, 30), 1)
        self.book_ok(t(10, 0), 1)
        self.book_ok(t(10, 0), 2)
        self.later(t(10, 46))
        for _ in range(200):
            sl = [s for s in self.day_view()["slots"] if s["matter"] == "SB01"]
            if sum(s["no_show"] for s in sl) == 3:
                break
            time.sleep(0.1)
        self.assertEqual(sum(s["no_show"] for s in sl), 3, sl)
        now = h.now()
        r = self.book(t(10, 0, day=2), 1)
        self.assertError(r, 403, "booking_suspended")
        self.assertGreaterEqual(r.json["until"], now + 29 * 86400 * 1000)
        self.assertLessEqual(r.json["until"], now + 31 * 86400 * 1000)
        # one no-show is not enough
        self.book_ok(t(10, 0, day=2), 2)
        self.book_ok(t(10, 0, day=2), 3)


class NoSuspensionByDefault(ClockCase):
    hall_over = hours_over(**{"appointments.per_person_per_day": 3})

    def test_off_unless_configured(self):
        for hm in ((9, 30), (10, 0), (10, 30)):
            self.book_ok(t(*hm), 1)
        self.later(t(11, 16))
        for _ in range(200):
            sl = [s for s in self.day_view()["slots"] if s["matter"] == "SB01"]
            if sum(s["no_show"] for s in sl) == 3:
                break
            time.sleep(0.1)
        self.assertEqual(sum(s["no_show"] for s in sl), 3, sl)
        self.book_ok(t(10, 0, day=2), 1)


class Crash(ClockCase):

    def test_kill9_right_after_the_201(self):
        h = self.hall
        acked = []
        lock = threading.Lock()
        go = threading.Barrier(6, timeout=30)
        slots = [t(10, 0), t(10, 30), t(11, 0)]

        def worker(k):
            c = h.http(timeout=10)
            try:
                c.req("GET", "/api/status")
                go.wait()
                for i in range(4):
                    n = 10 * k + i
                    r = c.req("POST", "/api/appointments",
                              body(slots[(k + i) % 3], n), "k1", retry=False)
                    if r.status == 201:
                        with lock:
                            acked.append((r.json["appointment"], r.json["token"]))
            except Exception:
                pass            # killed under us
            finally:
                c.close()

        ths = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(5)]
        for th in ths:
            th.start()
        go.wait()
        for _ in range(2000):
            with lock:
                if acked or not any(th.is_alive() for th in ths):
                    break
            time.sleep(0.001)
        h.kill9()                    # right after the first 201
        for th in ths:
            th.join(30)
        self.assertFalse(any(th.is_alive() for th in ths))
        self.assertTrue(acked)
        h.set_clock(h.clock_guess() + 1000)
        h.restart()
        for a, tok in acked:
            r = self.get_appt(a["code"], tok)
            self.assertEqual(r.status, 200, "booking %s acknowledged before kill -9: %r" %
                             (a["code"], r))
            self.assertEqual((r.json["appointment"]["start"], r.json["appointment"]["state"]),
                             (a["start"], "booked"))
        v = self.day_view()
        for s in slots:
            rows = [x for x in v["appointments"] if x["start"] == s and x["state"] == "booked"]
            self.assertLessEqual(len(rows), 3)
            self.assertGreaterEqual(len(rows), sum(1 for a, _ in acked if a["start"] == s))
            self.assertEqual(self.slot(s)["free"], 3 - len(rows))
        # it goes on
        self.book_ok(t(14, 0), 99)


class BadInput(ClockCase):

    def test_slots_query_bounded(self):
        h = self.hall
        seq = h.status()["seq"]
        cases = [
            ("", 400, "bad_request"),
            ("?from=2026-12-01", 400, "bad_request"),
            ("?matter=", 400, None),
            ("?matter=XX99", 404, "unknown_matter"),
            ("?matter=YB01", 400, "not_bookable"),
            ("?matter=SB01&from=2026-13-01", 400, "bad_request"),
            ("?matter=SB01&from=2026-02-30", 400, "bad_request"),
            ("?matter=SB01&from=20261201", 400, "bad_request"),
            ("?matter=SB01&from=2026-12-1", 400, "bad_request"),
            ("?matter=SB01&from=2027-06-01", 400, "outside_horizon"),
            ("?matter=SB01&from=2026-12-09", 400, "outside_horizon"),
            ("?matter=SB01&from=2026-11-20", 400, None),
            ("?matter=SB01&days=0", 400, "bad_request"),
            ("?matter=SB01&days=8", 400, None),
            ("?matter=SB01&days=-1", 400, "bad_request"),
            ("?matter=SB01&days=abc", 400, "bad_request"),
            ("?matter=SB01&days=99999999999999999999", 400, "bad_request"),
            ("?matter=SB01&days=1.5", 400, "bad_request"),
            ("?matter=" + "S" * 5000, None, None),
        ]
        for q, st, code in cases:
            r = h.req("GET", "/api/public/slots" + q)
            if st is None:
                self.assertTrue(400 <= r.status < 500, (q[:40], r))
                if r.body:
                    self.assertError(r, r.status)
            else:
                self.assertError(r, st, code)
        self.assertEqual(h.status()["seq"], seq)
        h.assert_serving()

    def test_booking_fields_bounded(self):
        h = self.hall
        seq = h.status()["seq"]
        ok = body(t(10, 0), 1)
        bad_check = id_number(1)[:17] + ("0" if id_number(1)[17] != "0" else "1")
        cases = [
            ({}, 400, "bad_request"),
            ({k: v for k, v in ok.items() if k != "matter"}, 400, "bad_request"),
            ({k: v for k, v in ok.items() if k != "start"}, 400, "bad_request"),
            ({k: v for k, v in ok.items() if k != "phone"}, 400, None),
            ({k: v for k, v in ok.items() if k != "id_number"}, 400, None),
            (dict(ok, matter="XX99"), 404, "unknown_matter"),
            (dict(ok, matter="YB01"), 400, "not_bookable"),
            (dict(ok, matter=5), 400, "bad_request"),
            (dict(ok, matter="x" * 10000), None, None),
            (dict(ok, start="10:00"), 400, "bad_request"),
            (dict(ok, start=str(t(10, 0))), 400, "bad_request"),
            (dict(ok, start=t(10, 0) + 0.5), 400, None),
            (dict(ok, start=None), 400, "bad_request"),
            (dict(ok, start=[t(10, 0)]), 400, "bad_request"),
            (dict(ok, start=-1), 400, None),
            (dict(ok, start=0), 400, None),
            (dict(ok, start=2 ** 63 - 1), 400, None),
            (dict(ok, start=2 ** 64), 400, None),
            (dict(ok, start=1e300), 400, None),
            (dict(ok, start=t(10, 7)), 400, "not_a_slot"),
            (dict(ok, start=t(10, 0) + 1), 400, "not_a_slot"),
            (dict(ok, start=t(12, 30)), 400, "not_a_slot"),          # lunch
            (dict(ok, start=t(18, 0)), 400, "not_a_slot"),           # closed
            (dict(ok, start=t(10, 0, day=3)), 400, "not_a_slot"),    # holiday
            (dict(ok, start=t(10, 0, day=6)), 400, "not_a_slot"),    # Sunday
            (dict(ok, start=t(10, 0, day=9)), 400, "outside_horizon"),
            (dict(ok, start=hall_ms(2027, 3, 1, 10, 0)), 400, "outside_horizon"),
            (dict(ok, start=t(9, 0)), 400, None),                    # past
            (dict(ok, start=hall_ms(2026, 11, 30, 10, 0)), 400, None),
            (dict(ok, phone="1391234567"), 400, "bad_phone"),
            (dict(ok, phone="139123456789"), 400, ("bad_phone", "bad_request")),
            (dict(ok, phone="12912345678"), 400, "bad_phone"),
            (dict(ok, phone="23912345678"), 400, "bad_phone"),
            (dict(ok, phone="+8613912345678"), 400, "bad_phone"),
            (dict(ok, phone="139-1234-5678"), 400, "bad_phone"),
            (dict(ok, phone="1391234567a"), 400, "bad_phone"),
            (dict(ok, phone=""), 400, None),
            (dict(ok, phone="１３９１２３４５６７８"), 400, ("bad_phone", "bad_request")),
            (dict(ok, phone=13912345678), 400, None),
            (dict(ok, phone="1" * 5000), None, None),
            (dict(ok, id_number=bad_check), 400, "bad_id_number"),
            (dict(ok, id_number=id_number(1)[:17]), 400, "bad_id_number"),
            (dict(ok, id_number=id_number(1) + "1"), 400, ("bad_id_number", "bad_request")),
            (dict(ok, id_number="110101900101001"), 400, "bad_id_number"),  # 15 digits
            (dict(ok, id_number="11010119900101001A"), 400, "bad_id_number"),
            (dict(ok, id_number=""), 400, None),
            (dict(ok, id_number="1101011990010100 5"), 400, "bad_id_number"),
            (dict(ok, id_number=110101199001010015), 400, None),
            (dict(ok, id_number="\u0000" * 18), 400, None),
            (dict(ok, name=""), 400, None),
            (dict(ok, name="张" * 11), 400, None),                    # 33 bytes
            (dict(ok, name=5), 400, None),
            (dict(ok, channel="fax"), 400, None),
            (dict(ok, extra=1), 400, "unknown_field"),
            (dict(ok, peer="10.1.2.3"), 400, "unknown_field"),   # never from the body
            (dict(ok, channel="counter"), 400, "unknown_channel"),  # kiosk, public
            (dict(ok, channel="phone"), 400, "unknown_channel"),
        ]
        for b, st, code in cases:
            for tok in ("k1", None):
                r = h.req("POST", "/api/appointments", b, tok)
                what = json.dumps(b, ensure_ascii=False)[:120]
                if st is None:
                    self.assertTrue(400 <= r.status < 500, (what, r))
                    self.assertError(r, r.status)
                elif isinstance(code, tuple):
                    self.assertEqual(r.status, st, (what, tok, r))
                    self.assertIn(self.assertError(r, st)["code"], code, (what, r))
                else:
                    self.assertEqual(r.status, st, (what, tok, r))
                    self.assertError(r, st, code)
        # not JSON, not an object, too large
        for raw in (b"{", b"[]", b"\"x\"", b"null", b"{\"matter\": \"SB01\",}",
                    b"\xff\xfe{}"):
            r = h.req("POST", "/api/appointments", None, "k1", raw=raw)
            self.assertTrue(400 <= r.status < 500, (raw, r))
            self.assertError(r, r.status)
        r = h.req("POST", "/api/appointments", None, "k1",
                  raw=json.dumps(dict(ok, name="x" * 2000000)).encode())
        self.assertTrue(400 <= r.status < 500, r)
        self.assertEqual(h.status()["seq"], seq, "a refused booking made an event")
        self.assertEqual(self.slot(t(10, 0))["free"], 3)
        # and after all that the good one books
        self.book_ok(t(10, 0), 1)
        h.assert_serving()

    def test_codes_and_paths_bounded(self):
        h = self.hall
        a, tok = self.book_ok(t(10, 0), 1)
        for code in ("ZZZZ2345", "zzzz2345", "A", "0OIL0OIL",
                     "X" * 64, "X" * 3000, "%00", a["code"] + "A"):
            for tk in (tok, "m1"):
                r = self.get_appt(code, tk)
                self.assertTrue(400 <= r.status < 500, (code[:20], r))
                if r.body:
                    self.assertError(r, r.status)
                self.assertNotEqual(r.status, 200)
        for what in ("ZZZZ2345", "X" * 200, "", "1101011990", id_number(5), 5, None,
                     {"code": a["code"]}):
            r = h.req("POST", "/api/tickets", {"appointment": what}, "k1")
            self.assertTrue(400 <= r.status < 500, (what, r))
            self.assertError(r, r.status)
        self.assertError(h.req("POST", "/api/tickets", {"appointment": "ZZZZ2345"}, "k1"),
                         404, "unknown_appointment")
        # reschedule bodies
        for b in ({}, {"start": "x"}, {"start": t(10, 1)}, {"start": t(10, 0, day=20)},
                  {"start": t(10, 30), "matter": "SB02"}, {"start": 2 ** 70}):
            r = h.req("POST", "/api/appointments/%s/reschedule" % a["code"], b, tok)
            self.assertTrue(400 <= r.status < 500, (b, r))
            self.assertError(r, r.status)
        # the day view
        for q in ("", "?day=", "?day=2026-13-01", "?day=yesterday", "?day=" + "9" * 300):
            r = h.req("GET", "/api/appointments" + q, None, "m1")
            if q == "":
                self.assertIn(r.status, (200, 400), r)
            else:
                self.assertTrue(400 <= r.status < 500, (q[:20], r))
                self.assertError(r, r.status)
        # the day view is a manager's
        self.assertIn(h.req("GET", "/api/appointments?day=%s" % DAY, None, "k1").status,
                      (401, 403))
        self.assertIn(h.req("GET", "/api/appointments?day=%s" % DAY).status, (401, 403))
        # the integration token books by web or phone only
        for i, (ch, st) in enumerate((("web", 201), ("phone", 201), ("kiosk", 400),
                                      ("counter", 400))):
            r = self.book(t(14, 0), 300 + i, token="i1", channel=ch)
            self.assertEqual(r.status, st, (ch, r))
        # the integration token books, nothing else
        self.assertIn(h.req("POST", "/api/tickets", {"matter": "SB01"}, "i1").status,
                      (401, 403))
        self.assertIn(h.req("GET", "/api/appointments?day=%s" % DAY, None, "i1").status,
                      (401, 403))
        self.assertIn(h.req("GET", "/api/hall", None, "i1").status, (401, 403))
        # a kiosk, a clerk, a display do not read a booking by its code
        for tk in ("k1", "c-all", "d1"):
            r = self.get_appt(a["code"], tk)
            self.assertIn(r.status, (401, 403, 404), (tk, r))
        # only the manager blocks slots
        self.assertIn(h.req("POST", "/api/slots/block", {"day": DAY}, "k1").status,
                      (401, 403))
        self.assertEqual(self.get_appt(a["code"], tok).json["appointment"]["state"], "booked")
        h.assert_serving()

    def test_too_soon(self):
        # 09:26 is past 09:30 - 5 min: the 09:30 slot is too soon
        self.later(t(9, 26))
        self.assertIsNone(self.slot(t(9, 30)))
        self.assertError(self.book(t(9, 30), 1), 400, "too_soon")
        self.book_ok(t(10, 0), 1)


class RateLimit(ClockCase):
    hall_over = hours_over(**{"appointments.public_per_minute": 10})

    def test_public_booking_limited_per_address(self):
        h = self.hall
        src = SourceClient(h.port, "127.0.0.2")
        slots = [t(13, 30) + i * 30 * MIN for i in range(8)]
        for i in range(10):
            r = src.req("POST", "/api/appointments", body(slots[i // 3], 200 + i))
            self.assertEqual(r.status, 201, (i, r))
        r = src.req("POST", "/api/appointments", body(slots[4], 211))
        self.assertError(r, 429, "too_many_requests")
        r = src.req("POST", "/api/appointments", body(slots[4], 212))
        self.assertError(r, 429, "too_many_requests")
        # a kiosk at that address still books, and so does the next address
        r = src.req("POST", "/api/appointments", body(slots[4], 213), "k1")
        self.assertEqual(r.status, 201, r)
        other = SourceClient(h.port, "127.0.0.3")
        r = other.req("POST", "/api/appointments", body(slots[4], 214))
        self.assertEqual(r.status, 201, r)
        self.assertEqual(self.slot(slots[4])["free"], 1)
        h.assert_serving()


class Blocks(ClockCase):

    def test_block_a_slot_and_a_day(self):
        h = self.hall
        a, _ = self.book_ok(t(10, 0), 1)
        seq = h.status()["seq"]
        r = h.req("POST", "/api/slots/block", {"start": t(10, 0), "matter": "SB01"}, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["bookings"], 1)
        s = self.slot(t(10, 0))
        self.assertEqual((s["blocked"], s["free"]), (True, 0))
        self.assertError(self.book(t(10, 0), 2), 409, "slot_blocked")
        self.assertEqual(self.get_appt(a["code"], "m1").json["appointment"]["state"], "booked")
        r = h.req("POST", "/api/slots/block", {"day": "2026-12-02"}, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(all(s["blocked"] for s in self.slots("SB01", "2026-12-02")))
        self.assertTrue(all(s["blocked"] for s in self.slots("SB02", "2026-12-02")))
        self.assertError(self.book(t(9, 0, day=2), 2, matter="SB02"), 409, "slot_blocked")
        r = h.req("POST", "/api/slots/unblock", {"start": t(10, 0), "matter": "SB01"}, "m1")
        self.assertEqual(r.status, 200, r)
        self.book_ok(t(10, 0), 2)
        # (each a manager's change, audited right after it)
        types = [e["type"] for e in h.events(since=seq) if e["type"] != "audit"]
        self.assertEqual(types[:3], ["slots.blocked", "slots.blocked", "slots.unblocked"])


class Capacity(ClockCase):
    """A slot's capacity: min(capacity_per_slot, 50% x the windows serving
    the matter open for the whole slot x 30 min / service time)."""

    hall_over = hours_over()
    for m in hall_over["matters"]:
        if m["code"] == "SB01":
            m["appointment"] = {"capacity_per_slot": 100}
        if m["code"] == "BDC02":
            m["appointment"] = {"capacity_per_slot": 10}
        if m["code"] == "BDC01":
            m["appointment"] = {"capacity_per_slot": 5}
    del m

    def test_capacity_follows_the_windows(self):
        # SB01: windows 1 and 2, 600 s: 3 a slot, whatever capacity_per_slot
        self.assertEqual({s["capacity"] for s in self.slots("SB01", DAY, 7)}, {3})
        # BDC02: window 5 alone (to 17:00): 1 a slot, none at 17:00
        sl = self.slots("BDC02", DAY, 1)
        self.assertEqual({s["capacity"] for s in sl}, {1})
        hm = [hall_hm(s["start"])[11:16] for s in sl]
        self.assertIn("16:30", hm)
        self.assertNotIn("17:00", hm)
        self.assertEqual(len(sl), 12)
        self.book_ok(t(16, 30), 1, matter="BDC02")
        self.assertError(self.book(t(16, 30), 2, matter="BDC02"), 409, "slot_full")
        self.assertError(self.book(t(17, 0), 2, matter="BDC02"), 400, "not_a_slot")
        # BDC01: one window, 1200 s: less than one place a slot, no slot at all
        self.assertEqual(self.slots("BDC01", DAY, 7), [])
        self.assertError(self.book(t(10, 0), 3, matter="BDC01"), 400, "not_a_slot")


class Purge(ClockCase):
    hall_over = hours_over(**{"appointments.purge_days": 1})

    def test_personal_data_emptied_after_purge_days(self):
        h = self.hall
        phone, idn = "13812345678", id_number(7, birth="19660606")
        r = h.req("POST", "/api/appointments",
                  {"matter": "SB01", "start": t(9, 30), "phone": phone, "id_number": idn,
                   "name": "李四"}, "k1")
        self.assertEqual(r.status, 201, r)
        code, tok = r.json["appointment"]["code"], r.json["token"]
        b, btok = self.book_ok(t(10, 0, day=4), 2)        # not due yet
        self.later(t(11, 0, day=4))
        a = None
        for _ in range(150):
            a = self.get_appt(code, "m1").json["appointment"]
            if a["phone"] is None:
                break
            time.sleep(0.1)
        self.assertEqual((a["phone"], a["id_number"], a["name"]), (None, None, None), a)
        self.assertEqual(a["state"], "no_show")
        self.assertEqual(self.get_appt(code, tok).status, 200)
        # the one not due keeps its data
        self.assertEqual(self.get_appt(b["code"], btok).json["appointment"]["phone"],
                         masked(mobile(2)))
        h.stop()
        db = db_ro(h)
        try:
            found = []
            for tb in [x[0] for x in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'")]:
                for row in db.execute('SELECT * FROM "%s"' % tb):
                    text = " ".join(str(v) for v in row)
                    if phone in text or idn in text or "李四" in text:
                        found.append(tb)
        finally:
            db.close()
        self.assertEqual(found, [], "personal data still in %r" % found)


class Night(ClockCase):
    """The booking page works at night (the hall closed), across midnight;
    the first slot checks in before the hall opens (early_min)."""

    clock = t(23, 59, 50)

    def test_book_at_night_check_in_before_opening(self):
        h = self.hall
        self.assertError(h.issue("SB01"), 409, "hall_closed")
        r = h.req("POST", "/api/appointments", body(t(8, 30, day=2), 1))
        self.assertEqual(r.status, 201, r)
        code, tok = r.json["appointment"]["code"], r.json["token"]
        h.wait_event(lambda e: e["type"] == "day.rollover", timeout=20)
        self.assertEqual(self.get_appt(code, tok).json["appointment"]["state"], "booked")
        v = self.day_view("2026-12-02")
        self.assertEqual([x["code"] for x in v["appointments"]], [code])
        r = h.req("GET", "/api/public/slots?matter=SB01&days=1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["slots"][0]["start"], r.json["slots"][0]["free"]),
                         (t(8, 30, day=2), 2))
        self.later(t(8, 5, day=2))
        r = self.checkin(code)
        self.assertEqual(r.status, 201, r)
        self.assertEqual((r.json["ticket"]["class"], r.json["ticket"]["slot_start"]),
                         ("appointment", t(8, 30, day=2)))


class BlockInput(ClockCase):
    """POST /api/slots/block {"start": ms} names one slot: a moment that is
    no slot start blocks nothing (400), and never two slots."""

    def test_block_takes_slot_starts_only(self):
        h = self.hall
        seq = h.status()["seq"]
        for b in ({"start": t(11, 7)}, {"start": t(11, 7), "matter": "SB01"},
                  {"start": t(12, 30)}, {"start": 0}, {"start": t(11, 0), "matter": "YB01"}):
            r = h.req("POST", "/api/slots/block", b, "m1")
            self.assertTrue(400 <= r.status < 500, (b, r))
            self.assertError(r, r.status)
        self.assertEqual([s["blocked"] for s in self.slots("SB01", DAY)], [False] * 13)
        self.assertEqual(h.status()["seq"], seq)
