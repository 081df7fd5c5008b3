"""Reports (issue 15) from outside: GET /api/reports against web/README.md
"## 好差评 cases, rating records and reports" ("Reports").

1. A scripted day in three sittings of the real hallqd on one database
   (Tuesday 2026-12-01 10:00, 10:50 and 11:20 hall time, HALLQ_CLOCK_START,
   `-a` so the clock moves no window): windows opened, paused and closed by
   their named clerks, tickets on every channel and of two classes, called,
   started, finished, no-showed and cancelled with short sleeps between so
   waits differ, bookings checked in on time and late, one missed and one
   cancelled, ratings of every level, 差评 cases stepped, one struck by an
   appeal, a 办不成事 ledger entry.  Every field of every group of
   group=matter, window, clerk, day, hour, channel and the total is computed
   here FROM THE EVENT LOG (GET /api/events) and what the test itself did
   (which clerk finished, what a verify step found), never from the
   database, and compared exactly: times in whole seconds rounded to the
   nearest from the ms values (a mean of the ms, then rounded; p90 the
   nearest rank ⌈0.9 n⌉; a tie at .5 may go either way), shares with one
   decimal.  The CSV of each: BOM, CRLF, the README's header, Chinese names,
   one row per group and 合计, equal to the JSON; its Content-Disposition.
2. 90 past days written into the SQLite file before the daemon starts: the
   day groups count what was written.
3. Ranges and tokens: 400 bad_range (to < from, over 400 days, bad dates),
   400 for an unknown group or format, 401/403 for non-managers.
4. A big report does not hold up the hall: call-next answers while it runs
   (correctness only, never timing).
"""
import csv
import datetime
import io
import json
import math
import sqlite3
import threading
import time
import unittest
from fractions import Fraction

from harness import (HALL_TZ, Hall, HallCase, MATTERS, hall_day, hall_ms, hours_over,
                     id_number, mobile)

MIN = 60 * 1000
DAY = "2026-12-01"                     # a Tuesday

CSV_HEADER = ("分组,名称,取号,绿色通道,叫号,办结,过号,取消,平均等候(秒),P90等候(秒),"
              "最长等候(秒),目标内等候(%),平均办理(秒),窗口开放(秒),窗口忙碌(秒),"
              "窗口利用率(%),预约,预约签到,准时,迟到,预约爽约,预约取消,非常不满意,不满意,"
              "基本满意,满意,非常满意,评价数,主动评价率(%),差评,申诉撤销,差评工单,未办结,"
              "超期,整改率(%),回访率(%),办不成事").split(",")
# The FIELDS in the CSV's column order (ratings as five columns).
CSV_FIELDS = ["issued", "green", "called", "served", "no_shows", "cancelled",
              "wait_mean_s", "wait_p90_s", "wait_max_s", "wait_within_target_pct",
              "handle_mean_s", "open_s", "busy_s", "utilisation_pct", "booked",
              "checked_in", "on_time", "late", "appointment_no_shows",
              "appointments_cancelled", "ratings.0", "ratings.1", "ratings.2",
              "ratings.3", "ratings.4", "rated", "active_rating_pct", "bad_ratings",
              "struck", "cases", "cases_open", "cases_overdue", "rectified_pct",
              "revisited_pct", "ledger"]
FIELDS = [f for f in CSV_FIELDS if not f.startswith("ratings.")] + ["ratings"]
GROUPS = ("matter", "window", "clerk", "day", "hour", "channel")
CHANNEL_NAMES = {"kiosk": "现场取号", "reception": "窗口代取", "appointment": "预约签到",
                 "web": "网上取号", "mobile": "手机取号"}

CLERKS = {1: ("c1", "张三"), 2: ("c2", "赵六"), 3: ("c3", "王芳"), 4: ("c4", "钱七"),
          5: ("c5", "孙八"), 28: ("c28", "李四")}
WINDOW_NAMES = {1: "1号窗口", 2: "2号窗口", 3: "3号窗口", 4: "4号窗口", 5: "5号窗口",
                28: "28号窗口"}
MATTER_NAMES = {m["code"]: m["name"] for m in MATTERS}
TARGET_S = {m["code"]: 1800 for m in MATTERS}
TARGET_S["YB01"] = 2                    # a target short enough to be missed here


def t(hh, mm, ss=0, day=1):
    return hall_ms(2026, 12, day, hh, mm, ss)


def report_over():
    over = hours_over(window_state="closed")
    for m in over["matters"]:
        if m["code"] == "YB01":
            m["target_wait_s"] = TARGET_S["YB01"]
    over["windows"].append({"number": 28, "name": "28号窗口", "kind": "办不成事反映窗口",
                            "state": "closed", "tiers": [["SB01"]], "ledger": True})
    tokens = over["tokens"]
    tokens["clerk"] = {tok: {"windows": [n], "name": name}
                       for n, (tok, name) in CLERKS.items()}
    tokens["clerk"]["c-all"] = "*"
    tokens["evaluator"] = {"e%d" % n: [n] for n in (1, 2, 3, 4, 5)}
    return over


def get_report(tc, h, query, status=200):
    """GET /api/reports?query as the manager; anything but `status` fails
    with the daemon's last words (its stderr says why a report failed)."""
    r = h.req("GET", "/api/reports?" + query, None, "m1")
    if r.status != status:
        tc.fail("GET /api/reports?%s: %r\nhallqd's stderr:\n%s" % (query, r, h.stderr_tail()))
    return r


# ------------------------------------------------------------- arithmetic

def hall_hour(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, HALL_TZ).hour


def sec_options(ms):
    """Whole seconds of a ms value (int or Fraction), rounded to the nearest;
    both neighbours on an exact .5."""
    x = Fraction(ms) / 1000
    lo = math.floor(x)
    if x - lo == Fraction(1, 2):
        return {lo, lo + 1}
    return {math.floor(x + Fraction(1, 2))}


def pct_options(num, den):
    """100·num/den with one decimal, rounded to the nearest (both on a tie)."""
    x = Fraction(100 * num, den) * 10
    lo = math.floor(x)
    if x - lo == Fraction(1, 2):
        return {Fraction(lo, 10), Fraction(lo + 1, 10)}
    return {Fraction(math.floor(x + Fraction(1, 2)), 10)}


class Opt:
    """An expected value: one of a few (ties of rounding)."""

    def __init__(self, values, kind):
        self.values = values
        self.kind = kind            # "s" (int seconds) or "pct" (one decimal)

    def match(self, got):
        if isinstance(got, bool) or not isinstance(got, (int, float)):
            return False
        if self.kind == "s":
            return isinstance(got, int) and got in self.values
        return any(abs(got - float(v)) < 1e-6 for v in self.values)

    def csv_match(self, cell):
        if self.kind == "s":
            return cell in {str(v) for v in self.values}
        return cell in {"%.1f" % float(v) for v in self.values}

    def __repr__(self):
        vs = sorted(float(v) if self.kind == "pct" else v for v in self.values)
        return "/".join(str(v) for v in vs)


def secs(ms):
    return Opt(sec_options(ms), "s")


def pct(num, den):
    return None if den == 0 else Opt(pct_options(num, den), "pct")


def mean_s(values):
    return None if not values else secs(Fraction(sum(values), len(values)))


def p90_s(values):
    if not values:
        return None
    v = sorted(values)
    return secs(v[math.ceil(0.9 * len(v)) - 1])


def clip(intervals, lo, hi):
    return sum(max(0, min(e, hi) - max(s, lo)) for s, e in intervals)


# ------------------------------------------------------------ the replay

class Replay:
    """The hall as the event log tells it, plus what the test did."""

    def __init__(self, events, finished_by, founded, now):
        self.now = now
        self.tickets = {}
        self.ratings = {}
        self.struck = set()
        self.cases = {}
        self.appts = {}
        self.opens = {}                  # window -> [(from, to)]
        self.busy = {}                   # window -> [(from, to)]
        self.finished_by = finished_by   # ticket -> clerk name (the test knows)
        self.founded = founded           # case -> bool (the test's verify steps)
        open_since = {}
        for e in events:
            ty = e["type"]
            if ty.startswith("ticket."):
                tk = e["ticket"]
                tid = tk["id"]
                if ty == "ticket.issued":
                    self.tickets[tid] = {
                        "id": tid, "issued_at": tk["issued_at"], "matter": tk["matter"],
                        "class": tk["class"], "channel": tk["channel"],
                        "day": tk["business_day"], "first_call": None, "last_call": None,
                        "window": None, "state": "waiting", "serving_at": None,
                        "ended_at": None}
                    continue
                x = self.tickets[tid]
                if ty == "ticket.called":
                    if x["first_call"] is None:
                        x["first_call"] = tk["called_at"]
                    x["last_call"] = tk["called_at"]
                    x["window"] = e["window"]
                    x["serving_at"] = None
                    x["state"] = "called"
                elif ty == "ticket.serving":
                    x["serving_at"] = tk["serving_at"]
                    x["state"] = "serving"
                elif ty in ("ticket.done", "ticket.no_show"):
                    end = tk["ended_at"] if ty == "ticket.done" else e["at"]
                    x["ended_at"] = end
                    x["state"] = ty[7:]
                    self.busy.setdefault(e["window"], []).append((x["last_call"], end))
                elif ty == "ticket.cancelled":
                    x["state"] = "cancelled"
                else:
                    raise AssertionError("the script does not do %s" % ty)
            elif ty in ("window.opened", "window.resumed"):
                open_since[e["window"]["number"]] = e["at"]
            elif ty in ("window.paused", "window.closed"):
                n = e["window"]["number"]
                if n in open_since:
                    self.opens.setdefault(n, []).append((open_since.pop(n), e["at"]))
            elif ty == "rating.recorded":
                if e.get("score") is not None:
                    self.ratings[e["ticket"]] = e["score"]
            elif ty == "rating.struck":
                self.struck.add(e["ticket"])
            elif ty == "case.opened":
                c = e["case"]
                self.cases[c["id"]] = {"id": c["id"], "kind": c["kind"], "ticket": c["ticket"],
                                       "window": c["window"], "matter": c["matter"],
                                       "opened_at": c["opened_at"], "due_at": c["due_at"],
                                       "actions": [], "closed_at": None, "struck": False}
            elif ty == "case.step":
                self.cases[e["case"]]["actions"].append(e["action"])
            elif ty == "case.closed":
                c = self.cases[e["case"]]
                c["closed_at"] = e["at"]
                c["struck"] = bool(e["struck"])
            elif ty.startswith("appointment."):
                a = e["appointment"]
                self.appts[a["code"]] = {"matter": a["matter"], "start": a["start"],
                                         "channel": a["channel"], "state": a["state"],
                                         "late": bool(a.get("late")), "ticket": a.get("ticket")}
        for n, since in open_since.items():
            self.opens.setdefault(n, []).append((since, now))

    # -- who belongs where
    def ticket_key(self, group, x):
        if group == "matter":
            return x["matter"]
        if group == "window":
            return x["window"]
        if group == "clerk":
            return self.finished_by.get(x["id"]) if x["state"] == "done" else None
        if group == "day":
            return x["day"]
        if group == "hour":
            return hall_hour(x["issued_at"])
        if group == "channel":
            return x["channel"]
        return "total"

    def appt_key(self, group, a):
        if group == "matter":
            return a["matter"]
        if group in ("window", "clerk"):
            x = self.tickets.get(a["ticket"]) if a["ticket"] else None
            return self.ticket_key(group, x) if x else None
        if group == "day":
            return hall_day(a["start"])
        if group == "hour":
            return hall_hour(a["start"])
        if group == "channel":
            return a["channel"]
        return "total"

    def ledger_key(self, group, c):
        if group == "window":
            return c["window"]
        if group == "matter":
            return c["matter"]
        if group == "day":
            return hall_day(c["opened_at"])
        if group == "hour":
            return hall_hour(c["opened_at"])
        if group == "total":
            return "total"
        return None

    def window_time(self, group, key, lo, hi):
        """(open ms, busy ms) of the group within [lo, hi), or None."""
        if group == "window":
            return (clip(self.opens.get(key, []), lo, hi), clip(self.busy.get(key, []), lo, hi))
        if group in ("day", "hour", "total"):
            if group == "day":
                d = datetime.date.fromisoformat(key)
                a = hall_ms(d.year, d.month, d.day)
                lo, hi = max(lo, a), min(hi, a + 86400000)
            elif group == "hour":
                # every sitting of the script is on DAY
                a = t(key, 0)
                lo, hi = max(lo, a), min(hi, a + 3600000)
            ops = sum(clip(v, lo, hi) for v in self.opens.values())
            bsy = sum(clip(v, lo, hi) for v in self.busy.values())
            return (ops, bsy)
        return None

    # -- the figures
    def expected(self, group, frm, to):
        d0 = datetime.date.fromisoformat(frm)
        d1 = datetime.date.fromisoformat(to)
        lo = hall_ms(d0.year, d0.month, d0.day)
        hi = hall_ms(d1.year, d1.month, d1.day) + 86400000
        days = {(d0 + datetime.timedelta(days=i)).isoformat()
                for i in range((d1 - d0).days + 1)}
        members = {}

        def put(key, kind, obj):
            if key is None:
                return
            members.setdefault(key, {"t": [], "a": [], "l": []})[kind].append(obj)

        for x in self.tickets.values():
            if x["day"] in days:
                put(self.ticket_key(group, x), "t", x)
        for a in self.appts.values():
            if hall_day(a["start"]) in days:
                put(self.appt_key(group, a), "a", a)
        for c in self.cases.values():
            if c["kind"] == "ledger" and hall_day(c["opened_at"]) in days:
                put(self.ledger_key(group, c), "l", c)
        if group == "window":
            for n in set(self.opens) | set(self.busy):
                if self.window_time(group, n, lo, hi)[0] or self.window_time(group, n, lo, hi)[1]:
                    members.setdefault(n, {"t": [], "a": [], "l": []})
        out = {}
        for key, m in members.items():
            out[key] = self.fields(m["t"], m["a"], m["l"],
                                   self.window_time(group, key, lo, hi))
        return out

    def fields(self, ts, appts, ledgers, wt):
        called = [x for x in ts if x["first_call"] is not None]
        waits = [x["first_call"] - x["issued_at"] for x in called]
        served = [x for x in ts if x["state"] == "done"]
        handles = [x["ended_at"] - (x["serving_at"] if x["serving_at"] is not None
                                    else x["last_call"]) for x in served]
        within = sum(1 for x in called
                     if x["first_call"] - x["issued_at"] <= TARGET_S[x["matter"]] * 1000)
        scores = [self.ratings[x["id"]] for x in ts
                  if x["id"] in self.ratings and x["id"] not in self.struck]
        nstruck = sum(1 for x in ts if x["id"] in self.struck)
        ids = {x["id"] for x in ts}
        cases = [c for c in self.cases.values()
                 if c["kind"] == "rating" and c["ticket"] in ids and not c["struck"]
                 and c["ticket"] not in self.struck]
        f = {
            "issued": len(ts),
            "green": sum(1 for x in ts if x["class"] == "green"),
            "called": len(called),
            "served": len(served),
            "no_shows": sum(1 for x in ts if x["state"] == "no_show"),
            "cancelled": sum(1 for x in ts if x["state"] == "cancelled"),
            "wait_mean_s": mean_s(waits),
            "wait_p90_s": p90_s(waits),
            "wait_max_s": secs(max(waits)) if waits else None,
            "wait_within_target_pct": pct(within, len(called)),
            "handle_mean_s": mean_s(handles),
            "open_s": None, "busy_s": None, "utilisation_pct": None,
            "booked": sum(1 for a in appts if a["state"] != "cancelled"),
            "checked_in": sum(1 for a in appts if a["state"] == "checked_in"),
            "on_time": sum(1 for a in appts if a["state"] == "checked_in" and not a["late"]),
            "late": sum(1 for a in appts if a["state"] == "checked_in" and a["late"]),
            "appointment_no_shows": sum(1 for a in appts if a["state"] == "no_show"),
            "appointments_cancelled": sum(1 for a in appts if a["state"] == "cancelled"),
            "ratings": [scores.count(s) for s in (1, 2, 3, 4, 5)],
            "rated": len(scores),
            "active_rating_pct": pct(len(scores), len(served)),
            "bad_ratings": sum(1 for s in scores if s <= 2),
            "struck": nstruck,
            "cases": len(cases),
            "cases_open": sum(1 for c in cases if c["closed_at"] is None),
            "cases_overdue": sum(1 for c in cases
                                 if (c["closed_at"] is None and c["due_at"] < self.now) or
                                 (c["closed_at"] is not None and c["closed_at"] > c["due_at"])),
            "rectified_pct": pct(sum(1 for c in cases if "rectify" in c["actions"] or
                                     self.founded.get(c["id"]) is False), len(cases)),
            "revisited_pct": pct(sum(1 for c in cases if "revisit" in c["actions"]),
                                 len(cases)),
            "ledger": len(ledgers),
        }
        if wt is not None:
            f["open_s"] = secs(wt[0])
            f["busy_s"] = secs(wt[1])
            f["utilisation_pct"] = pct(wt[1], wt[0])
        return f


def group_name(group, key):
    if group == "matter":
        return MATTER_NAMES[key]
    if group == "window":
        return WINDOW_NAMES[key]
    if group in ("clerk", "day"):
        return key
    if group == "hour":
        return "%02d:00–%02d:00" % (key, key + 1)
    if group == "channel":
        return CHANNEL_NAMES.get(key)
    return None


# ------------------------------------------------------------ the script

class ScriptedDay(unittest.TestCase):
    """One database, three sittings; the reports read in the last."""

    @classmethod
    def setUpClass(cls):
        cls.hall = Hall(**report_over())
        cls.hall.args = ["-a"]
        cls.finished_by = {}
        cls.founded = {}
        cls.did = []                     # what the script did, for messages
        try:
            cls.script()
        except Exception:
            cls.hall.cleanup()
            raise

    @classmethod
    def tearDownClass(cls):
        try:
            if cls.hall.proc is not None:
                cls.hall.stop()
        finally:
            cls.hall.cleanup()

    # -- the script's steps (each must succeed)
    @classmethod
    def ok(cls, r, status, what):
        if r.status != status:
            raise AssertionError("%s: expected %d, got %r" % (what, status, r))
        cls.did.append(what)
        return r.json if r.body else None

    @classmethod
    def w(cls, n, cmd, body=None):
        return cls.ok(cls.hall.win(n, cmd, body, token=CLERKS[n][0]), 200,
                      "window %d %s %s" % (n, cmd, body or ""))

    @classmethod
    def issue(cls, matter, token="k1", **kw):
        body = {"matter": matter}
        body.update(kw)
        j = cls.ok(cls.hall.req("POST", "/api/tickets", body, token), 201,
                   "issue %s %s" % (matter, kw))
        return j["ticket"]["id"], j["token"]

    @classmethod
    def serve(cls, n, tid, start=True, pause_s=0.0, end="finish"):
        cls.w(n, "call", {"ticket": tid})
        if start:
            cls.w(n, "start")
        if pause_s:
            time.sleep(pause_s)
        cls.w(n, end)
        if end == "finish":
            cls.finished_by[tid] = CLERKS[n][1]

    @classmethod
    def rate(cls, tid, score, token):
        cls.ok(cls.hall.req("POST", "/api/ratings", {"ticket": tid, "score": score}, token),
               201, "rate %d %d" % (tid, score))

    @classmethod
    def case_of(cls, tid):
        r = cls.hall.req("GET", "/api/cases", None, "m1")
        got = [c for c in cls.ok(r, 200, "cases")["cases"] if c["ticket"] == tid]
        if len(got) != 1:
            raise AssertionError("cases of ticket %d: %r" % (tid, got))
        return got[0]["id"]

    @classmethod
    def step(cls, cid, action, **kw):
        body = {"action": action, "note": "记录", "by": "王科长"}
        body.update(kw)
        cls.ok(cls.hall.req("POST", "/api/cases/%d/steps" % cid, body, "m1"), 200,
               "case %d %s" % (cid, action))
        if action == "verify":
            cls.founded[cid] = kw["founded"]

    @classmethod
    def book(cls, start, n, matter="SB01", token="k1"):
        j = cls.ok(cls.hall.req("POST", "/api/appointments",
                                {"matter": matter, "start": start, "phone": mobile(n),
                                 "id_number": id_number(n)}, token),
                   201, "book %s %d" % (matter, n))
        return j["appointment"]["code"], j["token"]

    @classmethod
    def sitting(cls, clock):
        h = cls.hall
        if h.proc is not None:
            h.stop()
        h.set_clock(clock)
        if h.nstarts:
            h.restart()
        else:
            h.start()

    @classmethod
    def script(cls):
        h = cls.hall
        # ---- 10:00
        cls.sitting(t(10, 0))
        for n in (1, 2, 3, 4):
            cls.w(n, "open")
        a_code, _ = cls.book(t(10, 30), 1)                    # kiosk: on time
        cls.b_code, _ = cls.book(t(10, 30), 2, token=None)    # web: late
        cls.book(t(10, 30), 3, token="m1")                    # counter: missed
        d_code, d_tok = cls.book(t(11, 0), 4, matter="SB02")
        cls.ok(h.req("DELETE", "/api/appointments/%s" % d_code, None, d_tok), 200,
               "cancel booking")
        ta = cls.ok(h.req("POST", "/api/tickets", {"appointment": a_code}, "k1"), 201,
                    "check in on time")["ticket"]["id"]
        cls.ta = ta
        t1, _ = cls.issue("SB01")
        t2, _ = cls.issue("SB01", **{"class": "green"})
        t3, own3 = cls.issue("YB01", channel="reception")
        t4, _ = cls.issue("YB01", token="m1", channel="web")
        t5, _ = cls.issue("BDC01", channel="mobile")
        t6, _ = cls.issue("SB02")
        t7, _ = cls.issue("YB02")
        cls.t8, cls.own8 = cls.issue("SB01", id_number=id_number(50), phone=mobile(50))
        time.sleep(1.1)
        cls.serve(1, t2, pause_s=0.8)
        cls.ok(h.req("DELETE", "/api/tickets/%d" % t6, None, "k1"), 200, "cancel")
        cls.serve(2, ta, start=False, pause_s=0.2)
        time.sleep(0.6)
        cls.serve(3, t3, pause_s=0.6)
        cls.serve(4, t5, pause_s=0.1)
        cls.serve(3, t7, start=False, end="no-show")
        cls.serve(1, t1, pause_s=1.3)
        time.sleep(0.3)
        cls.serve(2, t4, pause_s=0.15)
        cls.w(2, "pause")
        time.sleep(0.5)
        cls.w(2, "resume")
        cls.rate(t2, 5, "e1")
        cls.rate(t1, 1, "c1")
        cls.rate(t3, 2, own3)
        cls.rate(ta, 4, "c2")
        cls.rate(t5, 3, "e4")
        cls.rate(t4, 1, "c2")
        c1 = cls.case_of(t1)
        cls.step(c1, "verify", founded=True)
        cls.step(c1, "rectify")
        cls.step(c1, "revisit", way="phone", result="satisfied")
        c3 = cls.case_of(t3)
        cls.step(c3, "verify", founded=False)
        c4 = cls.case_of(t4)
        cls.step(c4, "appeal")
        cls.step(c4, "review", upheld=True)
        cls.ok(h.req("POST", "/api/cases", {"window": 28, "problem": "跨部门材料无法办理",
                                            "by": "李四", "matter": "YB01"}, "c28"),
               201, "ledger")
        time.sleep(0.2)
        for n in (1, 2, 3, 4):
            cls.w(n, "close")
        # ---- 10:50
        cls.sitting(t(10, 50))
        cls.w(1, "open")
        cls.w(3, "open")
        tb = cls.ok(h.req("POST", "/api/tickets", {"appointment": cls.b_code}, "k1"), 201,
                    "check in late")["ticket"]["id"]
        t9, _ = cls.issue("YB01")
        time.sleep(1.5)
        cls.serve(1, cls.t8, pause_s=0.2)
        cls.serve(1, tb, pause_s=0.1)
        cls.serve(3, t9, pause_s=0.3)
        cls.rate(cls.t8, 5, cls.own8)
        cls.rate(t9, 2, "e3")
        time.sleep(0.2)
        cls.w(1, "close")
        cls.w(3, "close")
        # ---- 11:20: the third booking was missed (no_show at 11:15)
        cls.sitting(t(11, 20))
        h.wait_event(lambda e: e["type"] == "appointment.no_show", timeout=20)
        cls.w(4, "open")
        t10, _ = cls.issue("BDC01")
        time.sleep(0.7)
        cls.serve(4, t10, pause_s=0.2)
        cls.rate(t10, 3, "c4")
        cls.w(4, "close")
        cls.events = h.events(token="m1")

    # -- the tests
    def report(self, group=None, frm=DAY, to=DAY, fmt=None):
        q = ["from=%s" % frm, "to=%s" % to]
        if group:
            q.append("group=%s" % group)
        if fmt:
            q.append("format=%s" % fmt)
        return get_report(self, self.hall, "&".join(q))

    def replay(self):
        return Replay(self.events, self.finished_by, self.founded, self.hall.now())

    def compare(self, what, got, want):
        bad = []
        for f in FIELDS:
            if f not in got:
                bad.append("%s: missing" % f)
                continue
            w, g = want[f], got[f]
            if isinstance(w, Opt):
                if not w.match(g):
                    bad.append("%s: got %r, expected %r" % (f, g, w))
            elif g != w or type(g) is not type(w):
                bad.append("%s: got %r, expected %r" % (f, g, w))
        return ["%s %s" % (what, b) for b in bad]

    def test_json_groups_from_the_event_log(self):
        rp = self.replay()
        problems = []
        for group in GROUPS:
            r = self.report(group)
            self.assertEqual(r.status, 200, r)
            j = r.json
            self.assertEqual((j["from"], j["to"], j["group"]), (DAY, DAY, group))
            self.assertIsInstance(j["generated_at"], int)
            self.assertEqual(j["hall"], "测试县政务服务中心")
            want = rp.expected(group, DAY, DAY)
            keys = [g["key"] for g in j["groups"]]
            self.assertEqual(keys, sorted(keys), "%s: groups sorted by key" % group)
            if sorted(keys, key=str) != sorted(want, key=str):
                problems.append("%s: groups %r, expected %r; extra: %r" % (
                    group, keys, sorted(want, key=str),
                    [g for g in j["groups"] if g["key"] not in want]))
            for g in j["groups"]:
                if g["key"] not in want:
                    continue
                if group != "channel" or g["key"] in CHANNEL_NAMES:
                    self.assertEqual(g["name"], group_name(group, g["key"]),
                                     "%s %r name" % (group, g["key"]))
                problems += self.compare("%s %r" % (group, g["key"]), g, want[g["key"]])
            tot = rp.expected("total", DAY, DAY)["total"]
            problems += self.compare("%s total" % group, j["total"], tot)
        self.assertEqual(problems, [], "\n".join(problems))

    def test_the_script_is_what_it_says(self):
        """The replay sees the day the script made (a guard on the test)."""
        rp = self.replay()
        tot = rp.expected("total", DAY, DAY)["total"]
        self.assertEqual((tot["issued"], tot["green"], tot["served"], tot["no_shows"],
                          tot["cancelled"], tot["called"]), (12, 1, 10, 1, 1, 11))
        self.assertEqual((tot["booked"], tot["checked_in"], tot["on_time"], tot["late"],
                          tot["appointment_no_shows"], tot["appointments_cancelled"]),
                         (3, 2, 1, 1, 1, 1))
        self.assertEqual((tot["ratings"], tot["struck"], tot["cases"], tot["ledger"]),
                         ([1, 2, 2, 1, 2], 1, 3, 1))
        self.assertEqual(sorted(rp.expected("hour", DAY, DAY)), [10, 11])
        self.assertEqual(sorted(rp.expected("clerk", DAY, DAY)),
                         sorted(["张三", "赵六", "王芳", "钱七"]))
        self.assertEqual(sorted(rp.expected("window", DAY, DAY)), [1, 2, 3, 4, 28])

    def test_checked_in_ticket_rated_as_real_name(self):
        """A ticket of a check-in carries its booking's ID: its rating record
        is real-name, masked; a walk-in without an ID is not."""
        r = self.hall.req("GET", "/api/ratings?from=%s&to=%s" % (DAY, DAY), None, "m1")
        self.assertEqual(r.status, 200, r)
        by = {x["ticket"]: x for x in r.json["ratings"]}
        rec = by[self.ta]
        self.assertEqual((rec["rater"]["real_name"], rec["rater"]["phone_masked"]),
                         (True, mobile(1)[:3] + "****" + mobile(1)[-4:]))
        self.assertEqual(rec["rater"]["id_masked"],
                         id_number(1)[:3] + "*" * 11 + id_number(1)[-4:], rec)
        self.assertNotIn(id_number(1), json.dumps(r.json))
        rec8 = by[self.t8]
        self.assertEqual(rec8["rater"]["real_name"], True)
        self.assertEqual(rec8["channel"], "qr")
        walkin = [x for x in r.json["ratings"] if x["ticket"] not in (self.ta, self.t8)
                  and x["rater"]["real_name"]]
        # the late check-in (an ordinary ticket) still came with the booking's ID
        self.assertLessEqual(len(walkin), 1, walkin)
        self.assertEqual(len(r.json["ratings"]), 9)
        self.assertEqual(sum(1 for x in r.json["ratings"] if x["struck"]), 1)

    def test_default_group_is_matter_and_today_by_default(self):
        r = self.hall.req("GET", "/api/reports", None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["group"], r.json["from"], r.json["to"]), ("matter", DAY, DAY))
        r2 = self.report("matter")
        self.assertEqual([g["key"] for g in r.json["groups"]],
                         [g["key"] for g in r2.json["groups"]])

    def test_csv(self):
        for group in GROUPS:
            j = self.report(group).json
            r = self.report(group, fmt="csv")
            self.assertEqual(r.status, 200, r)
            self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"), r.body[:20])
            ctype = r.header("Content-Type") or ""
            self.assertIn("csv", ctype.lower(), ctype)
            self.assertEqual(r.header("Content-Disposition"),
                             'attachment; filename="hallq-report-%s-%s-%s.csv"' %
                             (group, DAY, DAY))
            text = r.body[3:].decode("utf-8")
            self.assertTrue(text.endswith("\r\n"), repr(text[-20:]))
            self.assertNotIn("\n", text.replace("\r\n", ""), "bare LF in the CSV")
            rows = list(csv.reader(io.StringIO(text, newline="")))
            self.assertEqual(rows[0], CSV_HEADER)
            self.assertEqual(len(rows), 1 + len(j["groups"]) + 1,
                             "%s: one row per group and 合计" % group)
            self.assertEqual(rows[-1][0], "合计")
            for row, g in zip(rows[1:-1], j["groups"]):
                self.assertEqual(len(row), len(CSV_HEADER), row)
                self.assertEqual(row[0], str(g["key"]))
                self.assertEqual(row[1], g["name"] if g["name"] is not None else "")
                self.check_cells(group, g, row)
            self.check_cells(group, j["total"], rows[-1])
            if group == "matter":
                self.assertIn("社保参保登记", [r_[1] for r_ in rows])
                self.assertIn("医保参保登记", [r_[1] for r_ in rows])

    def check_cells(self, group, g, row):
        for i, f in enumerate(CSV_FIELDS):
            cell = row[2 + i]
            if f.startswith("ratings."):
                v = g["ratings"][int(f[-1])]
            else:
                v = g[f]
            if v is None:
                want = ""
            elif f.endswith("_pct"):
                want = "%.1f" % v
            else:
                want = str(v)
            self.assertEqual(cell, want, "%s %r %s (%s)" % (group, row[0], f, CSV_HEADER[2 + i]))


# ------------------------------------------------------- written past days

def fill_tickets(db_path, rows):
    """Insert ticket rows (dicts) and, for those with a "score", rating
    rows, into the daemon's schema as it stands (read by PRAGMA)."""
    db = sqlite3.connect(db_path)
    try:
        tcols = {c[1]: c for c in db.execute("PRAGMA table_info(tickets)")}
        rcols = {c[1]: c for c in db.execute("PRAGMA table_info(ratings)")}
        tnames = [c for c in ("id", "day", "number", "prefix", "seqno", "matter", "class",
                              "channel", "state", "window", "issued_at", "arrival",
                              "called_at", "serving_at", "ended_at", "no_show_at",
                              "finished_by", "rated", "token") if c in tcols]
        extra_t = [c for c in tcols if "first_call" in c]
        for c, info in tcols.items():
            if info[3] and info[4] is None and c not in tnames + extra_t and not info[5]:
                raise AssertionError("tickets.%s is NOT NULL without a default: the "
                                     "test does not know it" % c)
        rnames = [c for c in ("ticket", "day", "window", "clerk", "matter", "score",
                              "source", "comment", "at") if c in rcols]
        for c, info in rcols.items():
            if info[3] and info[4] is None and c not in rnames and not info[5]:
                raise AssertionError("ratings.%s is NOT NULL without a default" % c)
        tsql = "INSERT INTO tickets (%s) VALUES (%s)" % (
            ", ".join(tnames + extra_t), ", ".join("?" * (len(tnames) + len(extra_t))))
        rsql = "INSERT INTO ratings (%s) VALUES (%s)" % (", ".join(rnames),
                                                         ", ".join("?" * len(rnames)))
        tb, rb = [], []
        for x in rows:
            tb.append([x.get(c) for c in tnames] + [x.get("called_at") for _ in extra_t])
            if x.get("score"):
                rb.append([{"ticket": x["id"], "source": "clerk", "comment": None,
                            "clerk": x.get("finished_by"), "score": x["score"],
                            "at": x["ended_at"] + 30000}.get(c, x.get(c)) for c in rnames])
            if len(tb) >= 20000:
                db.executemany(tsql, tb)
                db.executemany(rsql, rb)
                tb, rb = [], []
        db.executemany(tsql, tb)
        db.executemany(rsql, rb)
        db.commit()
    finally:
        db.close()


def make_day(day, n, first_id, prefix="A", matter="SB01", window=1, clerk="张三",
             scores=()):
    """n tickets of `day`: the last one no_show when n is odd else cancelled,
    the rest done; scores on the first done ones."""
    d = datetime.date.fromisoformat(day)
    base = hall_ms(d.year, d.month, d.day, 9, 0)
    step = min(137000, 8 * 3600 * 1000 // n)
    out = []
    for i in range(n):
        iss = base + i * step
        x = {"id": first_id + i, "day": day, "number": "%s%03d" % (prefix, i + 1),
             "prefix": prefix, "seqno": i + 1, "matter": matter, "class": "normal",
             "channel": "kiosk", "window": window, "issued_at": iss, "arrival": iss,
             "token": "%032x" % (first_id + i), "rated": 0}
        if i == n - 1 and n > 1:
            if n % 2:
                x.update(state="no_show", called_at=iss + 60000, no_show_at=iss + 120000)
            else:
                x.update(state="cancelled", window=None, ended_at=iss + 30000)
        else:
            x.update(state="done", called_at=iss + 90000, serving_at=iss + 100000,
                     ended_at=iss + 400000, finished_by=clerk)
            if i < len(scores):
                x["score"] = scores[i]
                x["rated"] = 1
        out.append(x)
    return out


class PastDays(HallCase):
    """90 days of rows written before the daemon starts."""

    hall_over = {"tokens.clerk": {"c1": {"windows": [1], "name": "张三"}, "c-all": "*"}}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(10, 0))
        self.hall.start()            # the schema
        self.hall.stop()

    def test_ninety_days_by_day(self):
        h = self.hall
        d0 = datetime.date(2026, 9, 2)
        days = [(d0 + datetime.timedelta(days=i)).isoformat() for i in range(90)]
        rows, want = [], {}
        tid = 1000
        for i, day in enumerate(days):
            if datetime.date.fromisoformat(day).weekday() >= 5:
                continue
            n = 3 + i % 7
            scores = [(i + j) % 5 + 1 for j in range(i % 4)]
            got = make_day(day, n, tid, scores=scores)
            tid += n
            rows += got
            scores = [x["score"] for x in got if x.get("score")]
            want[day] = {"issued": n,
                         "served": sum(1 for x in got if x["state"] == "done"),
                         "no_shows": sum(1 for x in got if x["state"] == "no_show"),
                         "cancelled": sum(1 for x in got if x["state"] == "cancelled"),
                         "ratings": [scores.count(s) for s in (1, 2, 3, 4, 5)],
                         "rated": len(scores),
                         "bad_ratings": sum(1 for s in scores if s <= 2)}
        fill_tickets(h.db_path, rows)
        h.restart()
        frm, to = days[0], days[-1]
        r = h.req("GET", "/api/reports?from=%s&to=%s&group=day" % (frm, to), None, "m1")
        self.assertEqual(r.status, 200, r)
        groups = {g["key"]: g for g in r.json["groups"]}
        self.assertEqual(sorted(groups), sorted(want), "the days with rows, and only them")
        bad = []
        for day, w in want.items():
            g = groups[day]
            self.assertEqual(g["name"], day)
            for k, v in w.items():
                if g[k] != v:
                    bad.append("%s %s: got %r, wrote %r" % (day, k, g[k], v))
            # the waits of the written rows: 90 s (done), 60 s (no-show)
            if g["wait_max_s"] != 90:
                bad.append("%s wait_max_s %r, wrote 90" % (day, g["wait_max_s"]))
            if g["handle_mean_s"] != 300:
                bad.append("%s handle_mean_s %r, wrote 300" % (day, g["handle_mean_s"]))
        self.assertEqual(bad, [], "\n".join(bad))
        tot = r.json["total"]
        self.assertEqual(tot["issued"], sum(w["issued"] for w in want.values()))
        self.assertEqual(tot["served"], sum(w["served"] for w in want.values()))
        self.assertEqual(tot["ratings"], [sum(w["ratings"][i] for w in want.values())
                                          for i in range(5)])
        # a sub-range: only its days
        r = h.req("GET", "/api/reports?from=%s&to=%s&group=day" % (days[10], days[19]),
                  None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(sorted(g["key"] for g in r.json["groups"]),
                         sorted(d for d in want if days[10] <= d <= days[19]))
        # CSV of the 90 days: one row per day with rows + 合计
        r = h.req("GET", "/api/reports?from=%s&to=%s&group=day&format=csv" % (frm, to),
                  None, "m1")
        self.assertEqual(r.status, 200, r)
        rows_csv = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
        self.assertEqual(len(rows_csv), 1 + len(want) + 1)
        self.assertEqual([x[0] for x in rows_csv[1:-1]], sorted(want))
        self.assertEqual(r.header("Content-Disposition"),
                         'attachment; filename="hallq-report-day-%s-%s.csv"' % (frm, to))


class Ranges(HallCase):
    hall_over = {}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(10, 0))
        self.hall.start()

    def test_bad_ranges_groups_formats_and_tokens(self):
        h = self.hall

        def get(q, tok="m1"):
            return h.req("GET", "/api/reports" + q, None, tok)

        self.assertError(get("?from=2026-12-01&to=2026-11-30"), 400, "bad_range")
        self.assertError(get("?from=2025-10-26&to=2026-12-01"), 400, "bad_range")   # 402 days
        self.assertError(get("?from=2025-10-27&to=2026-12-01"), 400, "bad_range")   # 401 days
        r = get("?from=2025-10-28&to=2026-12-01")                                   # 400 days
        self.assertEqual(r.status, 200, r)
        self.assertEqual((r.json["from"], r.json["to"]), ("2025-10-28", "2026-12-01"))
        for q in ("?from=2026-02-30&to=2026-03-01", "?from=2026-13-01&to=2026-12-01",
                  "?from=x&to=2026-12-01", "?from=2026-1-01&to=2026-12-01",
                  "?from=2026-12-01&to=tomorrow", "?from=20261201&to=20261201",
                  "?from=2026-12-01T00:00&to=2026-12-01", "?to=2026-12-32"):
            r = get(q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertIn(self.assertError(r, 400)["code"], ("bad_range", "bad_request"),
                          (q, r))
        for q in ("?group=matters", "?group=ticket", "?format=xlsx",
                  "?format=CSV2", "?group=day&format=pdf"):
            r = get(q)
            self.assertEqual(r.status, 400, (q, r))
            self.assertError(r, 400)
        r = get("?from=2026-12-01&to=2026-12-01&group=hour&format=csv")
        self.assertEqual(r.status, 200, r)
        self.assertTrue(r.body.startswith(b"\xef\xbb\xbf"))
        for tok, st in ((None, 401), ("nope", 401), ("k1", 403), ("c3", 403), ("d1", 403)):
            self.assertError(get("", tok), st)
            self.assertError(get("?format=csv", tok), st)
        # an empty day: no groups, a total of zeros and nulls
        r = get("?from=2026-11-01&to=2026-11-01")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["groups"], [])
        tot = r.json["total"]
        self.assertEqual((tot["issued"], tot["wait_mean_s"], tot["ratings"],
                          tot["active_rating_pct"]), (0, None, [0, 0, 0, 0, 0], None))
        r = get("?from=2026-11-01&to=2026-11-01&format=csv")
        self.assertEqual(r.status, 200, r)
        rows = list(csv.reader(io.StringIO(r.body[3:].decode("utf-8"), newline="")))
        self.assertEqual([x[0] for x in rows], ["分组", "合计"])


class BigReport(HallCase):
    """A report over 400 days of 200,000 written tickets runs on its worker
    thread while the hall calls: every call-next answers, and so does the
    report (correctness only; no timing is asserted)."""

    hall_over = {"tokens.clerk": {"c1": {"windows": [1], "name": "张三"},
                                  "c2": {"windows": [2], "name": "赵六"}, "c-all": "*"}}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(10, 0))
        self.hall.start()
        self.hall.stop()

    def test_call_next_while_a_big_report_runs(self):
        h = self.hall
        d0 = datetime.date(2025, 10, 28)
        rows = []
        tid = 10
        for i in range(399):
            day = (d0 + datetime.timedelta(days=i)).isoformat()
            got = make_day(day, 500, tid, prefix="A", window=1 + i % 2,
                           clerk=("张三", "赵六")[i % 2], scores=[5, 4, 1])
            tid += 500
            rows += got
        fill_tickets(h.db_path, rows)
        h.restart()
        for _ in range(40):
            h.issue_ok("SB01")
        out = {}

        def big():
            c = h.http(timeout=120)
            try:
                out["r"] = c.req("GET", "/api/reports?from=2025-10-28&to=2026-12-01&group=clerk",
                                 None, "m1")
            finally:
                c.close()

        th = threading.Thread(target=big, daemon=True)
        th.start()
        answers = []
        for _ in range(40):
            r = h.win(1, "call-next", token="c1")
            answers.append(r.status)
            if r.status == 200:
                self.assertEqual(h.win(1, "finish", token="c1").status, 200)
            if not th.is_alive():
                break
        th.join(120)
        self.assertFalse(th.is_alive(), "the report did not answer in 120 s")
        self.assertTrue(answers)
        self.assertEqual(set(answers), {200}, answers)
        r = out["r"]
        self.assertEqual(r.status, 200, r)
        tot = r.json["total"]
        self.assertEqual(tot["issued"], 399 * 500 + 40)
        groups = {g["key"]: g for g in r.json["groups"]}
        self.assertEqual(sorted(groups), sorted(["张三", "赵六"]))
        # eight at once: each made, or 503 busy (four running or waiting)
        outs = [None] * 8

        def one(k):
            c = h.http(timeout=120)
            try:
                outs[k] = c.req("GET", "/api/reports?from=2025-10-28&to=2026-12-01&group=%s"
                                % ("matter", "day", "hour", "clerk")[k % 4], None, "m1")
            finally:
                c.close()

        ths = [threading.Thread(target=one, args=(k,), daemon=True) for k in range(8)]
        for x in ths:
            x.start()
        for x in ths:
            x.join(120)
        self.assertFalse(any(x.is_alive() for x in ths))
        for r in outs:
            self.assertIn(r.status, (200, 503), r)
            if r.status == 503:
                self.assertError(r, 503, "busy")
            else:
                self.assertEqual(r.json["total"]["issued"], 399 * 500 + 40)
        # the hall still calls
        self.assertIn(h.win(1, "call-next", token="c1").status, (200, 204))
        # clerk groups count the tickets each finished
        self.assertEqual(groups["赵六"]["issued"], 199 * 499)
        self.assertEqual(groups["赵六"]["ratings"], [199, 0, 0, 199, 199])


class AcrossMidnight(HallCase):
    """A window open at a range's start counts from it; one open at its end
    or now, to it: window 5 opened at 23:59:55 and still open after
    midnight."""

    hall_over = {"tokens.clerk": {"c5": {"windows": [5], "name": "孙八"}, "c-all": "*"}}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(23, 59, 54))
        self.hall.start()

    def test_open_time_split_at_midnight(self):
        h = self.hall
        r = h.win(5, "open", token="c5")
        self.assertEqual(r.status, 200, r)
        opened = [e for e in h.events() if e["type"] == "window.opened"][-1]["at"]
        tk = h.issue_ok("BDC01")
        self.assertEqual(h.win(5, "call", {"ticket": tk["id"]}, token="c5").status, 200)
        self.assertEqual(h.win(5, "finish", token="c5").status, 200)
        h.wait_clock(t(0, 0, 2, day=2))
        tk2 = h.issue_ok("BDC01")
        self.assertEqual(h.win(5, "call", {"ticket": tk2["id"]}, token="c5").status, 200)
        self.assertEqual(h.win(5, "finish", token="c5").status, 200)
        midnight = t(0, 0, day=2)
        r = get_report(self, h, "from=2026-12-01&to=2026-12-01&group=window")
        g = {x["key"]: x for x in r.json["groups"]}
        self.assertIn(5, g, r.json)
        self.assertIn(g[5]["open_s"], sec_options(midnight - opened), (opened, g[5]))
        r = get_report(self, h, "from=2026-12-02&to=2026-12-02&group=window")
        g = {x["key"]: x for x in r.json["groups"]}
        self.assertIn(5, g, r.json)
        gen = r.json["generated_at"]
        # open to now: the report's moment, within a second of generated_at
        self.assertLessEqual(abs(g[5]["open_s"] - (gen - midnight) / 1000), 1.0,
                             (gen, g[5]))
        # both days at once: the whole stretch
        r = get_report(self, h, "from=2026-12-01&to=2026-12-02&group=window")
        g = {x["key"]: x for x in r.json["groups"]}
        self.assertLessEqual(abs(g[5]["open_s"] - (r.json["generated_at"] - opened) / 1000),
                             1.0, g[5])


class Rules(HallCase):
    """The rules of a ticket's figures: a no-show called back and served
    counts as served (its wait from the first call); the hour is the hour of
    issue; window and clerk groups count where a ticket ended (a transfer
    counts at the window that served it) and who finished it; a ticket
    transferred to another matter counts under the matter it ended as."""

    hall_over = {"tokens.clerk": {"c1": {"windows": [1], "name": "张三"},
                                  "c2": {"windows": [2], "name": "赵六"},
                                  "c3": {"windows": [3], "name": "王芳"}, "c-all": "*"}}

    def setUp(self):
        self.hall = Hall(**self.hall_over)
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(10, 59, 57))
        self.hall.start()

    def ok(self, r, status=200):
        self.assertEqual(r.status, status, r)
        return r.json if r.body else None

    def test_no_show_called_back_transfers_and_the_hour_of_issue(self):
        h = self.hall
        seq = h.status()["seq"]
        ta = h.issue_ok("SB01")
        self.assertEqual(hall_hour(ta["issued_at"]), 10, "the test began too late")
        h.wait_clock(t(11, 0, 0) + 500)
        self.ok(h.win(1, "call", {"ticket": ta["id"]}, token="c1"))
        self.ok(h.win(1, "no-show", token="c1"))
        time.sleep(0.3)
        self.ok(h.win(1, "call", {"ticket": ta["id"]}, token="c1"))
        self.ok(h.win(1, "start", token="c1"))
        time.sleep(0.2)
        self.ok(h.win(1, "finish", token="c1"))
        tb = h.issue_ok("SB01")
        self.ok(h.win(1, "call", {"ticket": tb["id"]}, token="c1"))
        self.ok(h.win(1, "transfer", {"window": 2}, token="c1"))
        self.ok(h.win(2, "call", {"ticket": tb["id"]}, token="c2"))
        self.ok(h.win(2, "finish", token="c2"))
        tc = h.issue_ok("YB01")
        self.ok(h.win(3, "call", {"ticket": tc["id"]}, token="c3"))
        self.ok(h.win(3, "transfer", {"matter": "SB02"}, token="c3"))
        self.ok(h.win(1, "call", {"ticket": tc["id"]}, token="c1"))
        self.ok(h.win(1, "finish", token="c1"))
        evs = h.events(since=seq)
        first = {}
        for e in evs:
            if e["type"] == "ticket.called":
                first.setdefault(e["ticket"]["id"], e["ticket"]["called_at"])
        wait_a = first[ta["id"]] - ta["issued_at"]

        def rep(group):
            r = get_report(self, h, "group=%s" % group)
            return {g["key"]: g for g in r.json["groups"]}, r.json["total"]

        g, tot = rep("hour")
        self.assertEqual(sorted(g), [10, 11])
        self.assertEqual((g[10]["issued"], g[10]["served"], g[10]["no_shows"], g[10]["called"]),
                         (1, 1, 0, 1), "a no-show called back and served is served")
        self.assertIn(g[10]["wait_max_s"], sec_options(wait_a), "the wait is to the first call")
        self.assertEqual((g[11]["issued"], g[11]["served"]), (2, 2))
        self.assertEqual((tot["issued"], tot["served"], tot["no_shows"]), (3, 3, 0))
        g, _ = rep("window")
        # (windows 3 and 4 are there too, for their open time)
        self.assertEqual({k: v["issued"] for k, v in g.items() if v["issued"]}, {1: 2, 2: 1},
                         "a ticket counts at the window it ended at")
        g, _ = rep("clerk")
        self.assertEqual({k: v["issued"] for k, v in g.items()}, {"张三": 2, "赵六": 1})
        g, _ = rep("matter")
        self.assertEqual({k: v["issued"] for k, v in g.items()}, {"SB01": 2, "SB02": 1},
                         "a ticket transferred to a matter counts under it")


class AcrossAnHour(HallCase):
    """Open time in hour groups is split at the hour: window 5 (the only
    window ever open) opened at 10:59:5x and closed at 11:00:0x."""

    def setUp(self):
        from harness import WINDOWS
        ws = [dict(w, state="closed") for w in WINDOWS]
        self.hall = Hall(windows=ws,
                         **{"tokens.clerk": {"c5": {"windows": [5], "name": "孙八"},
                                             "c-all": "*"}})
        self.addCleanup(self.hall.cleanup)
        self.hall.set_clock(t(10, 59, 55))
        self.hall.start()

    def test_open_and_busy_split_at_the_hour(self):
        h = self.hall
        seq = h.status()["seq"]
        self.assertEqual(h.win(5, "open", token="c5").status, 200)
        tk = h.issue_ok("BDC01")
        self.assertEqual(h.win(5, "call", {"ticket": tk["id"]}, token="c5").status, 200)
        h.wait_clock(t(11, 0, 2))
        self.assertEqual(h.win(5, "finish", token="c5").status, 200)
        self.assertEqual(h.win(5, "close", token="c5").status, 200)
        evs = h.events(since=seq)
        opened = [e["at"] for e in evs if e["type"] == "window.opened"][0]
        closed = [e["at"] for e in evs if e["type"] == "window.closed"][0]
        called = [e["at"] for e in evs if e["type"] == "ticket.called"][0]
        done = [e["at"] for e in evs if e["type"] == "ticket.done"][0]
        self.assertLess(called, t(11, 0), "the test was too slow to call before 11:00")
        r = get_report(self, h, "group=hour")
        g = {x["key"]: x for x in r.json["groups"]}
        self.assertIn(10, g, r.json)
        self.assertIn(g[10]["open_s"], sec_options(t(11, 0) - opened), g[10])
        if 11 in g:
            self.assertIn(g[11]["open_s"], sec_options(closed - t(11, 0)), g[11])
        else:
            self.fail("hour 11 has open time (%d ms) but no group" % (closed - t(11, 0)))
        busy = [g[k]["busy_s"] for k in (10, 11)]
        self.assertIn(busy[0], sec_options(t(11, 0) - called), ("busy split at the hour", busy))
        self.assertIn(busy[1], sec_options(done - t(11, 0)), ("busy split at the hour", busy))
        tot = r.json["total"]
        self.assertIn(tot["open_s"], sec_options(closed - opened), tot)
        self.assertIn(tot["busy_s"], sec_options(done - called), tot)
