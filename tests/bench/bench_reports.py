#!/usr/bin/python3
"""bench_reports.py — reports over a year of a busy hall (issue 15); prints
figures, asserts nothing about speed.

    HALLQD=build/hallqd /usr/bin/python3 tests/bench/bench_reports.py

The hall: the demo hall of etc/hallq.json (its 23 matters, 28 windows,
tokens and calendar), the daemon run with -a, its clock on Monday
2026-11-30 10:00 (HALLQ_CLOCK_START).  A year behind it is written into the
database before it starts (the daemon makes the schema first; rows follow
its columns as PRAGMA table_info gives them): 600,000 tickets over the
working days from 2025-12-01 to 2026-11-27 of the demo calendar, each
served at a window that serves its matter by that window's clerk, with
waits drawn from an exponential of 9 minutes (capped at 3 hours) and
handling around each matter's service_s; 4% no-shows, 3% cancelled; about
30% of the served rated, 2% of those ratings 差评, each with its case row
(most closed after verify, rectify, revisit).

Printed: the time of GET /api/reports for the whole year by matter and by
clerk (JSON; by matter also CSV), the daemon's peak RSS (VmHWM) before and
after them, and the latency of POST /api/windows/N/call-next (tickets
waiting; each call finished before the next) p50 / p99 / max without a
report and while reports of the year run one after the other.  The client
is Python: figures are what it gets through.  Every loop is bounded.
"""
import datetime
import json
import os
import random
import sqlite3
import threading
import time

from benchlib import Hall, pct, row
from harness import REPO, hall_ms

SEED = 15
TICKETS = 600000
CLOCK = hall_ms(2026, 11, 30, 10, 0)
YEAR_FROM, YEAR_TO = "2025-12-01", "2026-11-30"
LAST_DAY = datetime.date(2026, 11, 27)
SAMPLES = 400
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟",
         "涛", "明", "超", "秀英", "霞", "平", "刚", "桂英", "华", "建国", "晓东", "海燕",
         "志强", "玉兰"]


def demo():
    with open(os.path.join(REPO, "etc", "hallq.json"), encoding="utf-8") as f:
        return json.load(f)


def bench_hall(conf):
    tokens = conf["tokens"]
    clerks = {}
    for n in range(1, 29):
        clerks["c%d" % n] = {"windows": [n], "name": clerk_name(n)}
    clerks["c-all"] = "*"
    tokens = dict(tokens, clerk=clerks)
    over = {"hall": {"name": conf["hall"]["name"], "timezone": "Asia/Shanghai"},
            "domains": conf["domains"], "matters": conf["matters"],
            "windows": conf["windows"], "classes": conf["classes"], "tokens": tokens,
            "calendar": conf["calendar"], "hours": conf["hours"],
            "appointments": conf["appointments"]}
    h = Hall(**over)
    h.set_clock(CLOCK)
    h.args = ["-a"]
    return h


def clerk_name(n):
    return SURNAMES[n % len(SURNAMES)] + GIVEN[n % len(GIVEN)]


def working_days(cal, first, last):
    hol, work = set(cal["holidays"]), set(cal["workdays"])
    d, out = first, []
    for _ in range(800):
        if d > last:
            break
        s = d.isoformat()
        if s in work or (s not in hol and d.weekday() < 5):
            out.append(d)
        d += datetime.timedelta(days=1)
    return out


def due_at(cal, ms, n=15):
    hol, work = set(cal["holidays"]), set(cal["workdays"])
    d = datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone(
        datetime.timedelta(hours=8))).date()
    k = 0
    for _ in range(400):
        d += datetime.timedelta(days=1)
        s = d.isoformat()
        if s in work or (s not in hol and d.weekday() < 5):
            k += 1
            if k == n:
                return hall_ms(d.year, d.month, d.day) + 86400000 - 1
    return ms + 21 * 86400000


def columns(db, table):
    return {c[1]: c for c in db.execute("PRAGMA table_info(%s)" % table)}


class Writer:
    """Batched inserts into the columns the schema has (NOT NULL columns
    without a default that it does not know are an error)."""

    def __init__(self, db, table, names):
        cols = columns(db, table)
        if not cols:
            raise RuntimeError("no table %s" % table)
        self.names = [c for c in names if c in cols]
        for c, info in cols.items():
            if info[3] and info[4] is None and not info[5] and c not in self.names:
                raise RuntimeError("%s.%s is NOT NULL without a default" % (table, c))
        self.sql = "INSERT INTO %s (%s) VALUES (%s)" % (
            table, ", ".join(self.names), ", ".join("?" * len(self.names)))
        self.db = db
        self.rows = []
        self.count = 0

    def add(self, d):
        self.rows.append([d.get(c) for c in self.names])
        if len(self.rows) >= 50000:
            self.flush()

    def flush(self):
        if self.rows:
            self.db.executemany(self.sql, self.rows)
            self.count += len(self.rows)
            self.rows = []


def generate(db_path, conf):
    rnd = random.Random(SEED)
    matters = conf["matters"]
    serves = {m["code"]: [] for m in matters}
    for w in conf["windows"]:
        for tier in w["tiers"]:
            for code in tier:
                if w["number"] not in serves[code]:
                    serves[code].append(w["number"])
    weights = [1.0 / (m["service_s"] ** 0.5) for m in matters]
    prefix = {m["code"]: m["prefix"] for m in matters}
    days = working_days(conf["calendar"], datetime.date(2025, 12, 1), LAST_DAY)
    per_day = TICKETS // len(days)
    extra = TICKETS - per_day * len(days)
    channels = (["kiosk"] * 70 + ["mobile"] * 12 + ["web"] * 10 + ["appointment"] * 5 +
                ["reception"] * 3)
    db = sqlite3.connect(db_path)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    tw = Writer(db, "tickets", ["id", "day", "number", "prefix", "seqno", "matter", "class",
                                "channel", "state", "window", "issued_at", "arrival",
                                "called_at", "first_called_at", "serving_at", "ended_at",
                                "no_show_at", "finished_by", "rated", "token"])
    rw = Writer(db, "ratings", ["ticket", "day", "window", "clerk", "matter", "score",
                                "source", "comment", "at", "channel", "terminal",
                                "real_name", "struck"])
    has_cases = bool(columns(db, "cases"))
    cw = Writer(db, "cases", ["kind", "ticket", "day", "number", "matter", "window",
                              "clerk", "channel", "score", "comment", "opened_at",
                              "due_at", "state", "founded", "struck", "overdue",
                              "closed_at", "steps"]) if has_cases else None
    tid = 0
    counts = {"done": 0, "no_show": 0, "cancelled": 0, "rated": 0, "bad": 0, "cases": 0}
    for di, d in enumerate(days):
        day = d.isoformat()
        n = per_day + (1 if di < extra else 0)
        open_ms = hall_ms(d.year, d.month, d.day, 8, 30)
        seq = {}
        for i in range(n):
            tid += 1
            # arrivals: 08:30-12:00 and 13:30-17:00, busier in the morning
            u = rnd.random()
            if u < 0.6:
                iss = open_ms + int(rnd.random() * 3.5 * 3600000)
            else:
                iss = open_ms + 5 * 3600000 + int(rnd.random() * 3.5 * 3600000)
            m = rnd.choices(matters, weights)[0]
            code = m["code"]
            p = prefix[code]
            seq[p] = seq.get(p, 0) + 1
            w = rnd.choice(serves[code])
            x = {"id": tid, "day": day, "number": "%s%03d" % (p, seq[p]), "prefix": p,
                 "seqno": seq[p], "matter": code,
                 "class": "green" if rnd.random() < 0.03 else "normal",
                 "channel": rnd.choice(channels), "issued_at": iss, "arrival": iss,
                 "token": "%032x" % rnd.getrandbits(128), "rated": 0}
            r = rnd.random()
            if r < 0.03:
                x.update(state="cancelled", ended_at=iss + int(rnd.expovariate(1 / 600000)))
                counts["cancelled"] += 1
            else:
                call = iss + min(int(rnd.expovariate(1 / 540000)), 3 * 3600000)
                x.update(window=w, called_at=call, first_called_at=call)
                if r < 0.07:
                    x.update(state="no_show", no_show_at=call + 120000)
                    counts["no_show"] += 1
                else:
                    srv = call + 30000 + int(rnd.random() * 90000)
                    handle = max(60000, int(rnd.gauss(m["service_s"], m["service_s"] / 3)
                                            * 1000))
                    end = srv + handle
                    clerk = clerk_name(w)
                    x.update(state="done", serving_at=srv, ended_at=end, finished_by=clerk)
                    counts["done"] += 1
                    if rnd.random() < 0.30:
                        q = rnd.random()
                        score = (1 if q < 0.008 else 2 if q < 0.02 else 3 if q < 0.08
                                 else 4 if q < 0.20 else 5)
                        at = end + int(rnd.random() * 60000)
                        x["rated"] = 1
                        rw.add({"ticket": tid, "day": day, "window": w, "clerk": clerk,
                                "matter": code, "score": score, "source": "evaluator",
                                "at": at, "channel": "evaluator",
                                "terminal": "w%d-eval" % w, "real_name": 0, "struck": 0})
                        counts["rated"] += 1
                        if score <= 2:
                            counts["bad"] += 1
                            if cw is not None:
                                due = due_at(conf["calendar"], at)
                                closed = rnd.random() < 0.9 and at + 10 * 86400000 < CLOCK
                                steps = [{"at": at + 86400000, "action": "verify",
                                          "note": "已核实", "by": "王科长", "founded": True}]
                                if closed:
                                    steps += [
                                        {"at": at + 3 * 86400000, "action": "rectify",
                                         "note": "已整改", "by": "王科长"},
                                        {"at": at + 5 * 86400000, "action": "revisit",
                                         "note": "电话回访", "by": "王科长", "way": "phone",
                                         "result": "satisfied"},
                                        {"at": at + 6 * 86400000, "action": "close",
                                         "note": "办结", "by": "王科长"}]
                                cw.add({"kind": "rating", "ticket": tid, "day": day,
                                        "number": x["number"], "matter": code, "window": w,
                                        "clerk": clerk, "channel": "evaluator",
                                        "score": score, "opened_at": at, "due_at": due,
                                        "state": "closed" if closed else "verified",
                                        "founded": 1, "struck": 0,
                                        "overdue": 0 if closed or due > CLOCK else 1,
                                        "closed_at": at + 6 * 86400000 if closed else None,
                                        "steps": json.dumps(steps, ensure_ascii=False)})
                                counts["cases"] += 1
            tw.add(x)
    for w_ in (tw, rw) + ((cw,) if cw else ()):
        w_.flush()
    db.commit()
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return len(days), counts, has_cases


def vm(pid, key):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    return 0


def timed_get(h, path, token="m1", timeout=300):
    c = h.http(timeout=timeout)
    try:
        t0 = time.perf_counter()
        r = c.req("GET", path, None, token)
        return time.perf_counter() - t0, r
    finally:
        c.close()


def call_next_latency(h, windows, n):
    """call-next (then finish) on the windows in turn, n times: latencies
    of call-next alone."""
    c = h.http(timeout=60)
    lat = []
    try:
        for i in range(n):
            w = windows[i % len(windows)]
            tok = "c%d" % w
            t0 = time.perf_counter()
            r = c.req("POST", "/api/windows/%d/call-next" % w, None, tok)
            dt = time.perf_counter() - t0
            if r.status != 200:
                raise RuntimeError("call-next %d: %r" % (w, r))
            lat.append(dt)
            r = c.req("POST", "/api/windows/%d/finish" % w, None, tok)
            if r.status != 200:
                raise RuntimeError("finish %d: %r" % (w, r))
    finally:
        c.close()
    return lat


def lat_row(label, lat):
    row(label, "%.2f / %.2f / %.2f ms (%d)" % (pct(lat, .5) * 1e3, pct(lat, .99) * 1e3,
                                               max(lat) * 1e3, len(lat)))


def main():
    print("reports")
    conf = demo()
    h = bench_hall(conf)
    try:
        h.start()          # the schema
        h.stop()
        t0 = time.perf_counter()
        ndays, counts, has_cases = generate(h.db_path, conf)
        dt = time.perf_counter() - t0
        row("written: %d tickets over %d working days" % (TICKETS, ndays),
            "%.1f s (%d served, %d no-shows, %d cancelled)" % (
                dt, counts["done"], counts["no_show"], counts["cancelled"]))
        row("ratings written (差评, case rows)",
            "%d (%d, %d%s)" % (counts["rated"], counts["bad"], counts["cases"],
                               "" if has_cases else ": no cases table"))
        row("database size", "%.1f MiB" % (os.path.getsize(h.db_path) / 1048576))
        h.restart()
        pid = h.proc.pid
        row("daemon peak RSS (VmHWM) before reports", "%d kB" % vm(pid, "VmHWM"))
        year = "/api/reports?from=%s&to=%s" % (YEAR_FROM, YEAR_TO)
        for group, fmt in (("matter", "json"), ("clerk", "json"), ("matter", "csv"),
                           ("matter", "json"), ("clerk", "json")):
            dt, r = timed_get(h, "%s&group=%s&format=%s" % (year, group, fmt))
            if r.status != 200:
                raise RuntimeError("report %s: %r" % (group, r))
            extra = ""
            if fmt == "json":
                tot = r.json["total"]
                extra = ", %d groups, issued %s, rated %s" % (
                    len(r.json["groups"]), tot.get("issued"), tot.get("rated"))
            row("GET /api/reports, the year by %s (%s)" % (group, fmt),
                "%.2f s (%d bytes%s)" % (dt, len(r.body), extra))
        row("daemon peak RSS (VmHWM) after reports", "%d kB (VmRSS %d kB)" % (
            vm(pid, "VmHWM"), vm(pid, "VmRSS")))

        # call-next: tickets waiting for every general window
        windows = list(range(1, 21))
        c = h.http(timeout=30)
        try:
            codes = [m["code"] for m in conf["matters"]]
            for i in range(3 * SAMPLES + 100):
                r = c.req("POST", "/api/tickets", {"matter": codes[i % len(codes)]}, "k1")
                if r.status != 201:
                    raise RuntimeError("issue: %r" % r)
        finally:
            c.close()
        # the windows' own first call (the dispatcher warm)
        call_next_latency(h, windows, len(windows))
        lat = call_next_latency(h, windows, SAMPLES)
        lat_row("call-next p50 / p99 / max, no report running", lat)

        stop = threading.Event()
        reports = []

        def reporter():
            for i in range(200):
                if stop.is_set():
                    return
                group = ("matter", "clerk")[i % 2]
                dt_, r_ = timed_get(h, "%s&group=%s" % (year, group))
                reports.append((dt_, r_.status))

        th = threading.Thread(target=reporter, daemon=True)
        th.start()
        time.sleep(0.05)
        lat = call_next_latency(h, windows, SAMPLES)
        running = th.is_alive()
        stop.set()
        th.join(600)
        lat_row("call-next p50 / p99 / max, reports of the year running", lat)
        row("reports run meanwhile (statuses)", "%d %s%s" % (
            len(reports), sorted({s for _, s in reports}),
            "" if running else " (the last one ended before the calls did)"))
        row("daemon peak RSS (VmHWM) at the end", "%d kB" % vm(pid, "VmHWM"))
        h.stop()
    finally:
        h.cleanup()


if __name__ == "__main__":
    main()
