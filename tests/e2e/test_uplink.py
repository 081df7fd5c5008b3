"""The uplink to the city platform (issue 16) from outside: the real hallqd
publishing to Debian's real mosquitto (tests/e2e/mqtt.py: a broker of our
own on a loopback port with the persistence each test needs, never the
system service), read by a paho subscriber with a persistent session (QoS 1,
clean_session False), checked against web/README.md "## Uplink to the city
platform (MQTT)":

- every event of the log on {p}/{h}/events, one EVENT per message exactly as
  GET /api/events gives it; deduplicated by seq (the first kept), the seqs
  are the log's, in the order they first arrived — plain (no duplicates),
  with the broker stopped 30 s in the middle (the hall serves on; GET
  /api/uplink says connected false, a growing backlog, since, the away
  alert; afterwards the backlog returns to 0), with kill -9 of hallqd in the
  middle of a burst (inflight bounding the unacknowledged), and both (the
  cursor held, the backlog alert); MQTT 5 with topic_prefix and client_id;
  the ratings topic likewise deduplicated against the log's ratings and
  case events;
- {p}/{h}/public/queue retained: a late subscriber gets the figures of GET
  /api/public/queue at once; not sent more often than public_every_s, nor
  while they stand still; retained again after a broker restart that lost
  it;
- {p}/{h}/status retained: online after connect, offline as the will after
  kill -9 (within 1.5 × keepalive_s) and on a clean stop; online again after
  a restart, also when it follows a kill -9 at once;
- {p}/{h}/ratings: a rating with its national record, case.opened,
  case.step with the case's new state; nothing for a case-less 5; a ledger
  entry's case; an appeal upheld while the broker is away (each message
  carries the case as it stands when sent); no full phone or ID number on
  any topic; QoS 1 on every topic, only status and public/queue retained;
- {p}/{h}/reports/daily retained after the business day ends (the clock
  started a few seconds before midnight hall time), also when the broker
  was away at midnight, and when hallqd was killed (-9) meanwhile;
- GET /api/uplink: its members, manager only, {"configured": false} without
  an uplink section; hallqd -n refuses what the contract bounds;
- a "broker" that answers with garbage, one that refuses the credentials,
  one that accepts and never answers, an address that drops the SYN: the
  hall serves on, connected false, errors counting up, last_error saying
  why, the stderr log saying it once (not once per retry), no libevent
  complaint; then a real broker on that port gets every event.  The
  backoff between attempts: first_s doubling to max_s.  SIGTERM while a
  connect hangs: exit 0 at once.

The halls' clocks start on Tuesday 2026-12-01 10:00 hall time
(HALLQ_CLOCK_START) unless a test needs midnight.  keepalive_s is 5 and the
reconnect backoff 1–2 s so the tests are quick.  Every wait is bounded.
"""
import json
import os
import re
import subprocess
import threading
import time
import unittest

import mqtt
from harness import HALLQD, WINDOWS, Hall, hall_ms, id_number, mobile

CLOCK = hall_ms(2026, 12, 1, 10, 0)           # Tuesday, a working day
TODAY = "2026-12-01"
PREFIX = "hallq"
HALL_ID = "hall-440100-01"
KEEPALIVE = 5
BAD_PASSWORD = "Wr0ng-Passw0rd-16"

UPLINK_KEYS = {"configured", "connected", "broker", "protocol", "acked_seq", "seq",
               "backlog", "inflight", "since", "reconnects", "errors", "last_error",
               "published", "alert"}

RATING_TOPIC_CASE_EVENTS = ("case.opened", "case.step", "case.overdue", "case.closed",
                            "rating.struck")

MATTER_CYCLE = ["SB01", "YB01", "SB02", "YB02", "BDC01", "BDC02"]


def uplink_conf(url, **extra):
    u = {"url": url, "hall_id": HALL_ID, "keepalive_s": KEEPALIVE,
         "public_every_s": 1, "reconnect": {"first_s": 1, "max_s": 2}}
    u.update(extra)
    return u


def topic(name, hall_id=HALL_ID, prefix=PREFIX):
    return "%s/%s/%s" % (prefix, hall_id, name)


EVENTS = topic("events")
RATINGS = topic("ratings")
PUBLIC = topic("public/queue")
DAILY = topic("reports/daily")
STATUS = topic("status")


class UplinkCase(unittest.TestCase):
    maxDiff = None
    """Brokers, subscribers and halls made here are ended in every path
    (addCleanup); a hall still running at the end must stop with 0."""

    def setUp(self):
        why = mqtt.available()
        if why:
            self.fail(why)
        self.halls = []

    def tearDown(self):
        for h in self.halls:
            if h.proc is not None:
                h.stop()

    # -- fixtures
    def broker(self, start=True, **kw):
        b = mqtt.Broker(**kw)
        self.addCleanup(b.cleanup)
        if start:
            b.start()
        return b

    def subscriber(self, port, topics, start=True, **kw):
        s = mqtt.Subscriber(port, topics, **kw)
        self.addCleanup(s.stop)
        if start:
            s.start()
        return s

    def new_hall(self, url, clock=CLOCK, start=True, over=None, **uplink):
        o = dict(over or {})
        o["uplink"] = uplink_conf(url, **uplink)
        h = Hall(**o)
        self.addCleanup(h.cleanup)
        self.halls.append(h)
        if clock is not None:
            h.set_clock(clock)
        if start:
            h.start()
        return h

    def restart_after_kill(self, h):
        """Start again on the same database after kill9(), the clock
        going on from where it was; windows 1-4 let go of what a killed
        burst left at them (finish)."""
        h.set_clock(h.clock_guess())
        h.restart()
        for w in (1, 2, 3, 4):
            r = h.win(w, "finish")
            self.assertIn(r.status, (200, 409), r)

    # -- GET /api/uplink
    def uplink(self, h):
        r = h.req("GET", "/api/uplink", None, "m1")
        self.assertEqual(r.status, 200, r)
        u = r.json
        missing = UPLINK_KEYS - set(u)
        self.assertFalse(missing, "GET /api/uplink without %s: %r" % (sorted(missing), u))
        self.assertIs(u["configured"], True, u)
        self.assertIsInstance(u["connected"], bool, u)
        for k in ("acked_seq", "seq", "backlog", "inflight", "reconnects", "errors",
                  "published"):
            self.assertIsInstance(u[k], int, "%s: %r" % (k, u))
            self.assertGreaterEqual(u[k], 0, "%s: %r" % (k, u))
        self.assertLessEqual(u["acked_seq"], u["seq"], u)
        self.assertIn(u["alert"], (None, "backlog", "away"), u)
        self.assertTrue(u["last_error"] is None or isinstance(u["last_error"], str), u)
        self.assertTrue(u["since"] is None or isinstance(u["since"], int), u)
        return u

    def wait_uplink(self, h, pred, what, timeout=20):
        deadline = time.monotonic() + timeout
        u = None
        for _ in range(int(timeout / 0.1) + 2):
            u = self.uplink(h)
            if pred(u):
                return u
            if time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.fail("GET /api/uplink: no %s within %ss: %r\n%s" %
                  (what, timeout, u, h.stderr_tail(1500)))

    def wait_connected(self, h, timeout=20):
        return self.wait_uplink(h, lambda u: u["connected"], "connected", timeout)

    def wait_drained(self, h, timeout=60):
        """Backlog 0: every event of the log acknowledged by the broker."""
        def done(u):
            return u["connected"] and u["backlog"] == 0 and u["acked_seq"] == u["seq"]
        u = self.wait_uplink(h, done, "backlog 0", timeout)
        return u

    # -- the hall's work
    def round(self, h, k, client=None, check=True):
        """One round of the scripted run: four tickets issued, then windows
        1-4 each call-next, start, finish and rate what they called (scores
        cycling 1..5, so some open cases).  About twenty events."""
        c = client or h.client
        for i in range(4):
            r = c.req("POST", "/api/tickets",
                      {"matter": MATTER_CYCLE[(k * 4 + i) % len(MATTER_CYCLE)]}, "k1")
            if check:
                self.assertEqual(r.status, 201, r)
        for w in (1, 2, 3, 4):
            r = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
            if check:
                self.assertIn(r.status, (200, 204), r)
            if r.status != 200:
                continue
            tid = r.json["ticket"]["id"]
            for cmd in ("start", "finish"):
                r = c.req("POST", "/api/windows/%d/%s" % (w, cmd), None, "c-all")
                if check:
                    self.assertEqual(r.status, 200, r)
            r = c.req("POST", "/api/ratings", {"ticket": tid, "score": (k + w) % 5 + 1},
                      "c-all")
            if check:
                self.assertEqual(r.status, 201, r)

    def rounds(self, h, first, n):
        for k in range(first, first + n):
            self.round(h, k)

    def burst(self, h, nthreads=4):
        """Clients hammering the hall at once until stop() (or until the
        hall goes away: their errors end them quietly).  Returns
        (stop event, threads, counter of commands answered)."""
        stop = threading.Event()
        answered = [0]
        lock = threading.Lock()

        def client(w):
            c = h.http(timeout=10)
            try:
                for k in range(100000):
                    if stop.is_set():
                        return
                    r = c.req("POST", "/api/tickets",
                              {"matter": MATTER_CYCLE[(w + k) % len(MATTER_CYCLE)]}, "k1")
                    r2 = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
                    if r2.status == 200:
                        tid = r2.json["ticket"]["id"]
                        c.req("POST", "/api/windows/%d/finish" % w, None, "c-all")
                        c.req("POST", "/api/ratings",
                              {"ticket": tid, "score": (w + k) % 5 + 1}, "c-all")
                    with lock:
                        answered[0] += 1 if r.status == 201 else 0
            except Exception:
                return                    # the hall went away (kill -9)
            finally:
                c.close()
        threads = [threading.Thread(target=client, args=(w,), daemon=True)
                   for w in range(1, nthreads + 1)]
        for t in threads:
            t.start()
        return stop, threads, answered

    # -- what arrived
    def assert_every_event(self, h, sub, timeout=60, token="m1", ordered=True):
        """Wait for backlog 0, then: every event of the log arrived on
        {p}/{h}/events; deduplicated by seq (first kept) the subscriber's
        seqs are the log's in the order they first arrived (ordered=False:
        in any order — a mosquitto bridge that reconnects may pass on what
        it queued after newer messages); each message is the event exactly
        as GET /api/events has it."""
        u = self.wait_drained(h, timeout)
        log = h.events(token=token)
        self.assertTrue(log, "an empty event log")
        seqs = [e["seq"] for e in log]
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)), "the log's seqs")
        self.assertEqual(u["seq"], seqs[-1], u)
        try:
            sub.wait_seqs(EVENTS, seqs, timeout)
        except AssertionError as e:
            self.fail("%s\nuplink %r\n%s" % (e, self.uplink(h), h.stderr_tail(1500)))
        first = sub.first_by_seq(EVENTS)
        got = [s for s, _, _ in first]
        extra = sorted(set(got) - set(seqs))
        self.assertEqual(extra, [], "seqs on %s that the log does not hold" % EVENTS)
        if ordered:
            out_of_order = [(a, b) for a, b in zip(got, got[1:]) if b <= a]
            self.assertEqual(out_of_order[:10], [], "first arrivals not in ascending seq "
                             "order (first pairs shown)")
            self.assertEqual(got, seqs)
        else:
            self.assertEqual(sorted(got), seqs)
        by = {e["seq"]: e for e in log}
        for s, payload, m in first:
            self.assertEqual(payload, by[s], "seq %d on %s is not the log's event" % (s, EVENTS))
            self.assertEqual(m.qos, 1, m)
        for m in sub.messages(EVENTS):
            self.assertFalse(m.retain, "an event message retained: %r" % m)
        dups = sub.count(EVENTS) - len(first)
        if RATINGS in sub.topics:
            self.assert_ratings_topic(h, sub, log, timeout, ordered)
        return log, dups

    def assert_ratings_topic(self, h, sub, log, timeout=30, ordered=True):
        """On {p}/{h}/ratings, deduplicated by seq: one message for each
        rating.recorded with a score and each case event of the log, with
        that event's seq, nothing else."""
        want = [e["seq"] for e in log
                if (e["type"] == "rating.recorded" and e.get("score") is not None)
                or e["type"] in RATING_TOPIC_CASE_EVENTS]
        by = {e["seq"]: e for e in log}
        if want:
            sub.wait_seqs(RATINGS, want, timeout)
        first = sub.first_by_seq(RATINGS)
        got = [s for s, _, _ in first]
        if ordered:
            self.assertEqual(got, want, "seqs on %s" % RATINGS)
        else:
            self.assertEqual(sorted(got), want, "seqs on %s" % RATINGS)
        for s, p, m in first:
            e = by[s]
            if e["type"] == "rating.recorded":
                self.assertEqual((p.get("type"), p.get("ticket"), p.get("score")),
                                 ("rating", e["ticket"], e["score"]), p)
                self.assertEqual((p["record"]["ticket"], p["record"]["level"]),
                                 (e["ticket"], e["score"]), p)
            else:
                cid = e["case"]["id"] if isinstance(e["case"], dict) else e["case"]
                self.assertEqual((p.get("type"), p.get("event"), p["case"]["id"]),
                                 ("case", e["type"], cid), p)


# ------------------------------------------------------------ every event

class EveryEvent(UplinkCase):

    def test_a_plain_run(self):
        b = self.broker()
        sub = self.subscriber(b.port, [EVENTS, RATINGS])
        h = self.new_hall(b.url)
        u = self.wait_connected(h)
        self.assertEqual((u["broker"], u["protocol"]), (b.url, "3.1.1"), u)
        self.rounds(h, 0, 20)
        log, dups = self.assert_every_event(h, sub)
        self.assertGreaterEqual(len(log), 300, "a run of several hundred events")
        u = self.uplink(h)
        self.assertEqual((u["connected"], u["backlog"], u["inflight"], u["acked_seq"],
                          u["alert"]), (True, 0, 0, log[-1]["seq"], None), u)
        self.assertGreaterEqual(u["published"], len(log), u)
        self.assertIsInstance(u["since"], int, u)
        self.assertLessEqual(u["since"], h.now(), u)
        # a run without outages sends each event once
        self.assertEqual(dups, 0, "duplicates without any outage")

    def test_mqtt5_prefix_client_id(self):
        """protocol "5", topic_prefix and client_id of the configuration."""
        b = self.broker(persistence=False)
        pre, hid, cid = "city/gz", "hall-440106-07", "mqtt16-client-07"
        sub = self.subscriber(b.port, [topic("events", hid, pre), topic("status", hid, pre)])
        h = self.new_hall(b.url, protocol="5", topic_prefix=pre, hall_id=hid, client_id=cid)
        u = self.wait_connected(h)
        self.assertEqual(u["protocol"], "5", u)
        self.rounds(h, 0, 4)
        self.wait_drained(h)
        seqs = [e["seq"] for e in h.events(token="m1")]
        sub.wait_seqs(topic("events", hid, pre), seqs, 20)
        self.assertEqual([s for s, _, _ in sub.first_by_seq(topic("events", hid, pre))], seqs)
        sub.wait_messages(topic("status", hid, pre), 1, lambda m: m.payload == b"online", 10)
        self.assertIn(" as %s (p5," % cid, b.log(),
                      "the hall spoke MQTT 5 as its client_id:\n" + b.log_tail())

    def test_b_broker_away_30s(self):
        b = self.broker()
        sub = self.subscriber(b.port, [EVENTS, RATINGS])
        h = self.new_hall(b.url, away_alert_s=20)
        self.wait_connected(h)
        self.rounds(h, 0, 6)
        self.wait_drained(h)
        before = self.uplink(h)
        t_hall = h.now()
        b.stop()
        t0 = time.monotonic()
        u = self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        self.assertIsInstance(u["since"], int, u)
        self.assertGreaterEqual(u["since"], t_hall - 1000, "since: away since the stop %r" % u)
        self.assertLessEqual(u["since"], h.now(), u)
        # the hall serves on while the broker is away; the backlog grows
        backlogs = []
        k = 6
        for i in range(6):
            t_cmd = time.monotonic()
            self.rounds(h, k, 2)
            k += 2
            self.assertLess(time.monotonic() - t_cmd, 10,
                            "two rounds of commands took over 10 s with the broker away")
            u = self.uplink(h)
            self.assertFalse(u["connected"], u)
            self.assertEqual(u["backlog"], u["seq"] - u["acked_seq"], u)
            self.assertLessEqual(u["acked_seq"], h.status()["seq"], u)
            backlogs.append(u["backlog"])
            if time.monotonic() - t0 < 15:
                self.assertIsNone(u["alert"], "alert before away_alert_s: %r" % u)
            if i < 5:
                time.sleep(max(0, t0 + 5 * (i + 1) - time.monotonic()))
        self.assertEqual(backlogs, sorted(backlogs), "the backlog only grows while away")
        self.assertGreater(backlogs[-1], backlogs[0], backlogs)
        self.assertGreater(backlogs[0], 0, backlogs)
        time.sleep(max(0, t0 + 30 - time.monotonic()))
        u = self.uplink(h)
        self.assertEqual(u["alert"], "away", "away over away_alert_s (20 s): %r" % u)
        self.assertGreaterEqual(u["errors"], 1, u)
        self.assertIsInstance(u["last_error"], str, u)
        away_for = time.monotonic() - t0
        self.assertGreaterEqual(away_for, 30)
        b.start()
        self.wait_connected(h, 20)
        self.rounds(h, k, 3)
        log, dups = self.assert_every_event(h, sub, 90)
        u = self.uplink(h)
        self.assertEqual((u["backlog"], u["alert"]), (0, None), u)
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"online", True), m)
        self.assertGreaterEqual(u["reconnects"], before["reconnects"] + 1, u)
        self.assertGreater(u["published"], before["published"], u)

    def test_c_kill9_in_a_burst(self):
        b = self.broker()
        sub = self.subscriber(b.port, [EVENTS, RATINGS])
        h = self.new_hall(b.url, inflight=5)
        self.wait_connected(h)
        self.rounds(h, 0, 3)
        stop, threads, answered = self.burst(h)
        # kill -9 once the burst is well under way; meanwhile no more than
        # `inflight` events unacknowledged
        inflight = []
        deadline = time.monotonic() + 20
        while answered[0] < 60 and time.monotonic() < deadline:
            inflight.append(self.uplink(h)["inflight"])
            time.sleep(0.01)
        self.assertGreaterEqual(answered[0], 60, "60 tickets of the burst in 20 s")
        self.assertLessEqual(max(inflight), 5, "inflight 5: %r" % inflight)
        h.kill9()
        stop.set()
        for t in threads:
            t.join(15)
        self.restart_after_kill(h)
        self.wait_connected(h)
        self.rounds(h, 3, 3)
        log, dups = self.assert_every_event(h, sub, 60)
        self.assertGreaterEqual(len(log), 200)

    def test_d_broker_away_and_kill9(self):
        b = self.broker()
        sub = self.subscriber(b.port, [EVENTS, RATINGS])
        h = self.new_hall(b.url, backlog_alert=50)
        self.wait_connected(h)
        self.rounds(h, 0, 3)
        self.wait_drained(h)
        acked = self.uplink(h)["acked_seq"]
        b.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        # a burst while the broker is away, killed in the middle
        stop, threads, answered = self.burst(h)
        mqtt.wait_until(lambda: answered[0] >= 60, 20, "60 tickets of the burst")
        h.kill9()
        stop.set()
        for t in threads:
            t.join(15)
        self.restart_after_kill(h)
        # back on the same database, the broker still away: the cursor held
        u = self.uplink(h)
        self.assertFalse(u["connected"], u)
        self.assertEqual(u["acked_seq"], acked, "the cursor after kill -9: %r" % u)
        seq = h.status()["seq"]
        self.assertEqual((u["seq"], u["backlog"]), (seq, seq - acked), u)
        self.assertGreater(u["backlog"], 50, u)
        self.assertEqual(u["alert"], "backlog", "backlog over backlog_alert (50): %r" % u)
        self.rounds(h, 3, 2)
        time.sleep(3)
        b.start()
        self.wait_connected(h, 20)
        self.rounds(h, 5, 2)
        self.assert_every_event(h, sub, 90)
        self.assertIsNone(self.uplink(h)["alert"])


# ------------------------------------------------------------ retained topics

class Retained(UplinkCase):

    def public_now(self, h):
        r = h.req("GET", "/api/public/queue")
        self.assertEqual(r.status, 200, r)
        return r.json

    @staticmethod
    def figures(q):
        return {k: v for k, v in q.items() if k != "at"}

    def test_public_queue(self):
        b = self.broker(persistence=False)
        h = self.new_hall(b.url, public_every_s=1)
        self.wait_connected(h)
        for i in range(6):
            h.issue_ok(MATTER_CYCLE[i])
        self.assertEqual(h.win(1, "call-next").status, 200)
        # a late subscriber gets the latest figures at once, retained; they
        # are GET /api/public/queue's (once public_every_s has passed)
        time.sleep(2.5)
        got = want = None
        deadline = time.monotonic() + 15
        for _ in range(20):
            want = self.public_now(h)
            m = mqtt.late_retained(b.port, PUBLIC, timeout=3)
            self.assertIsNotNone(m, "no retained message on %s at once" % PUBLIC)
            self.assertTrue(m.retain, m)
            got = m.json()
            if self.figures(got) == self.figures(want):
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        self.assertEqual(self.figures(got), self.figures(want),
                         "the retained public queue is not GET /api/public/queue's")
        self.assertIsInstance(got.get("at"), int, got)
        waiting = {x["code"]: x["waiting"] for x in got["matters"]}
        self.assertEqual(sum(waiting.values()), 5, waiting)

        # changes: sent when the figures change, at most every public_every_s
        sub = self.subscriber(b.port, [PUBLIC], clean=True)
        sub.wait_messages(PUBLIC, 1, timeout=5)       # the retained one
        n0 = sub.count(PUBLIC)
        t0 = time.monotonic()
        for i in range(40):
            h.issue_ok("SB01")
            time.sleep(max(0, t0 + 0.1 * (i + 1) - time.monotonic()))
        span = time.monotonic() - t0
        time.sleep(2.5)
        live = sub.messages(PUBLIC)[n0:]
        self.assertGreaterEqual(len(live), 2, "the figures changed 40 times in %.1f s" % span)
        self.assertLessEqual(len(live), int(span / 1) + 3,
                             "%d messages in %.1f s with public_every_s 1" % (len(live), span))
        last = live[-1].json()
        self.assertEqual(self.figures(last), self.figures(self.public_now(h)))
        self.assertEqual(sum(x["waiting"] for x in last["matters"]), 45, last)
        # nothing changes: nothing sent
        n1 = sub.count(PUBLIC)
        time.sleep(4)
        self.assertEqual(sub.messages(PUBLIC)[n1:], [], "sent while the figures stood still")


    def test_public_queue_after_the_broker_lost_it(self):
        """A broker without persistence restarts and has lost the retained
        messages: once the hall is connected again a late subscriber gets
        status online and the public figures (which have not changed) at
        once, as before the restart."""
        b = self.broker(persistence=False)
        h = self.new_hall(b.url, public_every_s=1)
        self.wait_connected(h)
        for i in range(3):
            h.issue_ok(MATTER_CYCLE[i])
        time.sleep(2.5)
        m = mqtt.late_retained(b.port, PUBLIC, timeout=3)
        self.assertIsNotNone(m, "no retained message on %s" % PUBLIC)
        self.assertEqual(self.figures(m.json()), self.figures(self.public_now(h)))
        b.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        b.start()
        self.wait_connected(h, 20)
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"online", True), m)
        m = mqtt.late_retained(b.port, PUBLIC, timeout=3)
        self.assertIsNotNone(m, "after the broker's restart (no persistence) and the hall's "
                             "reconnection, nothing retained on %s: a late subscriber gets no "
                             "figures until they change" % PUBLIC)
        self.assertEqual(self.figures(m.json()), self.figures(self.public_now(h)))

    def test_status_online_offline(self):
        b = self.broker(persistence=False)
        sub = self.subscriber(b.port, [STATUS])
        h = self.new_hall(b.url)
        self.wait_connected(h)
        sub.wait_messages(STATUS, 1, lambda m: m.payload == b"online", 10)
        m = mqtt.late_retained(b.port, STATUS)
        self.assertIsNotNone(m, "nothing retained on %s" % STATUS)
        self.assertEqual((m.payload, m.retain), (b"online", True), m)

        # kill -9: the broker says the will, offline, within 1.5 × keepalive
        n = sub.last_n()
        t0 = time.monotonic()
        h.kill9()
        ms = sub.wait_messages(STATUS, 1, lambda m: m.n > n and m.payload == b"offline",
                               1.5 * KEEPALIVE + 6)
        took = ms[-1].at - t0
        self.assertLessEqual(took, 1.5 * KEEPALIVE + 2.5,
                             "the will came %.1f s after kill -9 (keepalive_s %d)" %
                             (took, KEEPALIVE))
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"offline", True), m)

        # back: online again
        n = sub.last_n()
        self.restart_after_kill(h)
        self.wait_connected(h)
        sub.wait_messages(STATUS, 1, lambda m: m.n > n and m.payload == b"online", 10)
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"online", True), m)

        # kill -9 and start again at once: the old connection's will must
        # not outlive the new "online"
        h.kill9()
        self.restart_after_kill(h)
        self.wait_connected(h)
        time.sleep(1.5 * KEEPALIVE + 2)
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"online", True),
                         "status after kill -9 and an immediate restart: %r" % m)
        self.assertTrue(self.uplink(h)["connected"])

        # a clean stop says offline at once
        n = sub.last_n()
        t0 = time.monotonic()
        h.stop()
        ms = sub.wait_messages(STATUS, 1, lambda m: m.n > n and m.payload == b"offline", 5)
        self.assertLess(ms[-1].at - t0, 3, "offline %.1f s after SIGTERM" % (ms[-1].at - t0))
        m = mqtt.late_retained(b.port, STATUS)
        self.assertEqual((m.payload, m.retain) if m else None, (b"offline", True), m)
        # QoS 1, the will too
        self.assertEqual([m for m in sub.messages(STATUS) if m.qos != 1], [])


# ------------------------------------------------------------ ratings, cases, reports

class RatingsAndCases(UplinkCase):

    def test_rating_and_case_messages(self):
        b = self.broker(persistence=False)
        sub = self.subscriber(b.port, ["%s/%s/#" % (PREFIX, HALL_ID)])
        windows = json.loads(json.dumps(WINDOWS))
        windows.append({"number": 28, "name": "28号窗口", "kind": "办不成事反映窗口",
                        "state": "closed", "tiers": [["SB01"]], "ledger": True})
        h = self.new_hall(b.url, over={"windows": windows})
        self.wait_connected(h)
        idn, ph = id_number(16, birth="19860716"), mobile(16161616)
        r = h.issue("SB01", id_number=idn, phone=ph)
        self.assertEqual(r.status, 201, r)
        tk, own = r.json["ticket"], r.json["token"]
        self.assertEqual(h.win(3, "call", {"ticket": tk["id"]}).status, 200)
        self.assertEqual(h.win(3, "start").status, 200)
        self.assertEqual(h.win(3, "finish").status, 200)
        seq0 = h.status()["seq"]
        r = h.req("POST", "/api/ratings", {"ticket": tk["id"], "score": 1,
                                           "comment": "等了很久"}, own)
        self.assertEqual(r.status, 201, r)
        evs = h.events(since=seq0, token="m1")
        rated = [e for e in evs if e["type"] == "rating.recorded"]
        opened = [e for e in evs if e["type"] == "case.opened"]
        self.assertEqual((len(rated), len(opened)), (1, 1), evs)
        cid = opened[0]["case"]["id"]

        ms = sub.wait_messages(RATINGS, 2, timeout=15)
        rating = [m.json() for m in ms if m.json().get("type") == "rating"]
        cases = [m.json() for m in ms if m.json().get("type") == "case"]
        self.assertEqual((len(rating), len(cases)), (1, 1), ms)
        rt = rating[0]
        self.assertEqual((rt.get("seq"), rt.get("ticket"), rt.get("score")),
                         (rated[0]["seq"], tk["id"], 1), rt)
        recs = h.req("GET", "/api/ratings?from=%s&to=%s" % (TODAY, TODAY), None, "m1")
        self.assertEqual(recs.status, 200, recs)
        rec = [x for x in recs.json["ratings"] if x["ticket"] == tk["id"]]
        self.assertEqual(len(rec), 1, recs.json)
        got_record = dict(rt.get("record") or {})
        want_record = dict(rec[0])
        # the handling block is the case's as it stood when sent
        gh = got_record.pop("handling", None)
        wh = want_record.pop("handling", None)
        self.assertTrue(gh is None or gh.get("case") == cid, gh)
        self.assertEqual(wh["case"], cid, wh)
        cs = cases[0]
        self.assertEqual((cs.get("seq"), cs.get("event")), (opened[0]["seq"], "case.opened"), cs)
        c = cs.get("case") or {}
        self.assertEqual((c.get("id"), c.get("kind"), c.get("ticket"), c.get("score"),
                          c.get("state")), (cid, "rating", tk["id"], 1, "open"), cs)
        api_case = h.req("GET", "/api/cases/%d" % cid, None, "m1").json["case"]
        for k in ("number", "matter", "window", "clerk", "channel", "comment", "opened_at",
                  "due_at", "founded", "struck", "overdue", "closed_at"):
            self.assertEqual(c.get(k), api_case[k], "case member %s: %r" % (k, cs))

        # a step: case.step with the case's new state
        r = h.req("POST", "/api/cases/%d/steps" % cid,
                  {"action": "verify", "founded": True, "note": "属实", "by": "王科长"}, "m1")
        self.assertEqual(r.status, 200, r)
        step_ev = h.wait_event(lambda e: e["type"] == "case.step", since=seq0, token="m1")
        ms = sub.wait_messages(RATINGS, 1, lambda m: m.json().get("event") == "case.step", 15)
        st = ms[0].json()
        self.assertEqual((st.get("type"), st.get("seq")), ("case", step_ev["seq"]), st)
        self.assertEqual((st["case"].get("id"), st["case"].get("state"),
                          st["case"].get("founded")), (cid, "verified", True), st)
        steps = st["case"].get("steps")
        if steps is not None:
            self.assertEqual([(s["action"], s["by"]) for s in steps][-1:],
                             [("verify", "王科长")], st)
        r = h.req("POST", "/api/cases/%d/steps" % cid,
                  {"action": "rectify", "note": "已整改", "by": "王科长"}, "m1")
        self.assertEqual(r.status, 200, r)
        ms = sub.wait_messages(RATINGS, 2, lambda m: m.json().get("event") == "case.step", 15)
        self.assertEqual(ms[-1].json()["case"]["state"], "rectifying", ms[-1])

        # a 5: a rating message, no case
        tk5 = h.issue_ok("SB02")
        self.assertEqual(h.win(1, "call", {"ticket": tk5["id"]}).status, 200)
        self.assertEqual(h.win(1, "finish").status, 200)
        r = h.req("POST", "/api/ratings", {"ticket": tk5["id"], "score": 5}, "c-all")
        self.assertEqual(r.status, 201, r)
        ms = sub.wait_messages(RATINGS, 1, lambda m: m.json().get("ticket") == tk5["id"], 15)
        r5 = ms[0].json()
        self.assertEqual((r5["type"], r5["score"], r5["record"]["level"],
                          r5["record"]["ticket"]), ("rating", 5, 5, tk5["id"]), r5)
        time.sleep(1)
        n_case_msgs = len([m for m in sub.messages(RATINGS) if m.json().get("type") == "case"])
        self.assertEqual(n_case_msgs, 3, "case.opened and two steps only")
        # all in order of seq, each once
        self.wait_drained(h)
        seqs = [m.json()["seq"] for m in sub.messages(RATINGS)]
        self.assertEqual(seqs, sorted(set(seqs)), seqs)

        # a 办不成事 ledger entry with the citizen's phone: a case message
        ph2 = mobile(28282828)
        r = h.req("POST", "/api/cases", {"window": 28, "problem": "无法办理社保转移",
                                         "by": "李四", "citizen": "张三丰", "phone": ph2},
                  "m1")
        self.assertEqual(r.status, 201, r)
        lid = r.json["case"]["id"]
        ms = sub.wait_messages(RATINGS, 1, lambda m: m.json().get("event") == "case.opened"
                               and m.json()["case"].get("id") == lid, 15)
        lc = ms[0].json()["case"]
        self.assertEqual((lc["kind"], lc["problem"], lc["phone"]),
                         ("ledger", "无法办理社保转移", ph2[:3] + "****" + ph2[-4:]), lc)

        # QoS 1 everywhere (the subscription asked for 1: what comes at 0
        # was published at 0); only status and public/queue retained
        self.wait_drained(h)
        for m in sub.messages():
            self.assertEqual(m.qos, 1, m)
        for t in (EVENTS, RATINGS):
            m = mqtt.late_retained(b.port, t, timeout=1.5)
            self.assertIsNone(m, "retained on %s: %r" % (t, m))

        # no full phone or ID number on any topic
        for m in sub.messages():
            t = m.text()
            self.assertNotIn(ph, t, "a full phone number on %s" % m.topic)
            self.assertNotIn(idn, t, "a full ID number on %s" % m.topic)
            self.assertNotIn(ph2, t, "a full phone number on %s" % m.topic)
        self.assertIn(ph[:3] + "****" + ph[-4:], json.dumps(rt, ensure_ascii=False),
                      "the record's masked phone")
        # last, so that everything else is known too
        self.assertEqual(got_record, want_record,
                         "the rating message's record is not GET /api/ratings'")


    def test_appeal_and_the_case_as_it_stands_when_sent(self):
        """Made while the broker is away: a 2-star rating, its case
        appealed and the appeal upheld.  Sent afterwards, each message of
        {p}/{h}/ratings carries the case as it stands when sent (closed,
        struck), with its own event's seq and name: case.opened, two
        case.step, case.closed, rating.struck."""
        b = self.broker()
        sub = self.subscriber(b.port, [RATINGS])
        h = self.new_hall(b.url)
        self.wait_connected(h)
        tk = h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call", {"ticket": tk["id"]}).status, 200)
        self.assertEqual(h.win(3, "finish").status, 200)
        self.wait_drained(h)
        seq0 = h.status()["seq"]
        b.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        r = h.req("POST", "/api/ratings", {"ticket": tk["id"], "score": 2}, "c-all")
        self.assertEqual(r.status, 201, r)
        cid = h.wait_event(lambda e: e["type"] == "case.opened", since=seq0,
                           token="m1")["case"]["id"]
        for body in ({"action": "appeal", "note": "申诉", "by": "王科长"},
                     {"action": "review", "upheld": True, "note": "撤销", "by": "李主任"}):
            r = h.req("POST", "/api/cases/%d/steps" % cid, body, "m1")
            self.assertEqual(r.status, 200, r)
        evs = [e for e in h.events(since=seq0, token="m1")
               if e["type"] == "rating.recorded" or e["type"] in RATING_TOPIC_CASE_EVENTS]
        self.assertEqual(sorted(e["type"] for e in evs),
                         sorted(["rating.recorded", "case.opened", "case.step", "case.step",
                                 "case.closed", "rating.struck"]), evs)
        b.start()
        self.wait_drained(h, 30)
        sub.wait_seqs(RATINGS, [e["seq"] for e in evs], 20)
        first = {s: p for s, p, _ in sub.first_by_seq(RATINGS)}
        for e in evs:
            p = first[e["seq"]]
            if e["type"] == "rating.recorded":
                self.assertEqual((p["type"], p["ticket"], p["score"]), ("rating", tk["id"], 2), p)
                continue
            self.assertEqual((p["type"], p["event"]), ("case", e["type"]), p)
            c = p["case"]
            self.assertEqual((c["id"], c["state"], c["struck"]), (cid, "closed", True),
                             "%s sent after the review: the case as it stands then: %r"
                             % (e["type"], p))
        self.assertEqual(sorted(first), sorted(e["seq"] for e in evs))


class DailyReport(UplinkCase):

    def test_daily_report_after_midnight(self):
        b = self.broker(persistence=False)
        day_before = "2026-12-01"
        h = self.new_hall(b.url, clock=hall_ms(2026, 12, 1, 23, 59, 42))
        self.wait_connected(h)
        # a little of the day: served, rated, no-show
        for i in range(3):
            h.issue_ok(MATTER_CYCLE[i])
        for w in (1, 2):
            r = h.win(w, "call-next")
            self.assertEqual(r.status, 200, r)
            tid = r.json["ticket"]["id"]
            self.assertEqual(h.win(w, "finish").status, 200)
            self.assertEqual(h.req("POST", "/api/ratings", {"ticket": tid, "score": 4 + w % 2},
                                   "c-all").status, 201)
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(3, "no-show").status, 200)
        self.assertEqual(h.status()["business_day"], day_before,
                         "the test's work must happen before midnight")
        sub = self.subscriber(b.port, [DAILY])
        h.wait_clock(hall_ms(2026, 12, 2, 0, 0, 1), timeout=40)
        h.issue_ok("SB01")                        # a change of the new day
        roll = h.wait_event(lambda e: e["type"] == "day.rollover", token="m1")
        self.assertEqual((roll["from"], roll["to"]), (day_before, "2026-12-02"), roll)
        ms = sub.wait_messages(DAILY, 1, timeout=20)
        got = ms[0].json()
        r = h.req("GET", "/api/reports?group=matter&from=%s&to=%s" % (day_before, day_before),
                  None, "m1")
        self.assertEqual(r.status, 200, r)
        want = r.json
        self.assertEqual((got.get("from"), got.get("to"), got.get("group")),
                         (day_before, day_before, "matter"), got)
        self.assertEqual(got.get("groups"), want["groups"])
        self.assertEqual(got.get("total"), want["total"])
        self.assertEqual(got.get("hall"), want["hall"])
        self.assertEqual((want["total"]["issued"], want["total"]["served"]), (3, 2),
                         want["total"])
        self.assertEqual(ms[0].qos, 1, ms[0])
        m = mqtt.late_retained(b.port, DAILY)
        self.assertIsNotNone(m, "the daily report is not retained")
        self.assertEqual((m.retain, m.json().get("from")), (True, day_before), m)
        time.sleep(1)
        self.assertEqual(len(sub.messages(DAILY)), 1, "one report for the day")


    def test_daily_report_when_the_broker_comes_back(self):
        """The broker away when the day ends: the report goes once it is
        back."""
        b = self.broker(persistence=False)
        day_before = "2026-12-01"
        h = self.new_hall(b.url, clock=hall_ms(2026, 12, 1, 23, 59, 52))
        self.wait_connected(h)
        h.issue_ok("SB01")
        r = h.win(1, "call-next")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(h.win(1, "finish").status, 200)
        self.assertEqual(h.status()["business_day"], day_before)
        b.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        h.wait_clock(hall_ms(2026, 12, 2, 0, 0, 1), timeout=30)
        h.issue_ok("SB01")
        h.wait_event(lambda e: e["type"] == "day.rollover", token="m1")
        time.sleep(2)
        b.start()
        sub = self.subscriber(b.port, [DAILY], clean=True)
        self.wait_connected(h, 20)
        ms = sub.wait_messages(DAILY, 1, timeout=20)
        got = ms[-1].json()
        r = h.req("GET", "/api/reports?group=matter&from=%s&to=%s" % (day_before, day_before),
                  None, "m1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual((got.get("from"), got.get("to"), got.get("groups"), got.get("total")),
                         (day_before, day_before, r.json["groups"], r.json["total"]))
        self.assertEqual(r.json["total"]["served"], 1, r.json["total"])

    def test_daily_report_after_kill9_while_the_broker_is_away(self):
        """The broker away when the day ends, and hallqd killed (-9) before
        it is back: started again on the same database, the hall still
        sends the day's report once the broker is back (nothing is lost:
        the day.rollover that asks for it is in the log beyond the
        uplink's cursor)."""
        b = self.broker(persistence=False)
        day_before = "2026-12-01"
        h = self.new_hall(b.url, clock=hall_ms(2026, 12, 1, 23, 59, 54))
        self.wait_connected(h)
        h.issue_ok("SB01")
        self.assertEqual(h.status()["business_day"], day_before)
        b.stop()
        self.wait_uplink(h, lambda u: not u["connected"], "connected false", 10)
        h.wait_clock(hall_ms(2026, 12, 2, 0, 0, 1), timeout=30)
        h.issue_ok("SB01")
        h.wait_event(lambda e: e["type"] == "day.rollover", token="m1")
        time.sleep(1)
        h.kill9()
        self.restart_after_kill(h)
        b.start()
        sub = self.subscriber(b.port, [DAILY], clean=True)
        self.wait_connected(h, 20)
        self.wait_drained(h, 20)
        try:
            ms = sub.wait_messages(DAILY, 1, timeout=10)
        except AssertionError:
            self.fail("no report of %s on %s after kill -9 during the outage" %
                      (day_before, DAILY))
        got = ms[-1].json()
        self.assertEqual((got.get("from"), got.get("to")), (day_before, day_before), got)
        self.assertEqual(got["total"]["issued"], 1, got["total"])


# ------------------------------------------------------------ GET /api/uplink, config

class UplinkApi(UplinkCase):

    def test_members_roles_and_unconfigured(self):
        b = self.broker(persistence=False)
        h = self.new_hall(b.url)
        u = self.wait_connected(h)
        self.assertEqual((u["broker"], u["protocol"], u["errors"], u["last_error"],
                          u["alert"]), (b.url, "3.1.1", 0, None, None), u)
        self.assertEqual(h.req("GET", "/api/uplink").status, 401)
        for tok in ("d1", "k1", "c-all"):
            self.assertEqual(h.req("GET", "/api/uplink", None, tok).status, 403, tok)
        self.assertEqual(h.req("GET", "/api/uplink", None, "a1").status, 200)
        # no uplink section
        plain = Hall()
        self.addCleanup(plain.cleanup)
        self.halls.append(plain)
        plain.start()
        r = plain.req("GET", "/api/uplink", None, "m1")
        self.assertEqual((r.status, r.json), (200, {"configured": False}), r)

    def test_config_check(self):
        h = self.new_hall("mqtt://127.0.0.1:1", start=False)

        def check(uplink):
            conf = h.config(uplink=uplink)
            path = os.path.join(h.dir, "check.json")
            with open(path, "w", encoding="utf-8") as f:
                json.dump(conf, f, ensure_ascii=False, indent=2)
            p = subprocess.run([HALLQD, "-n", "-f", path], stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=20)
            return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace")

        good = [
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "hall-440100-01"},
            {"url": "mqtt://broker.example", "hall_id": "h_1.a"},
            {"url": "mqtts://broker.example:8883", "hall_id": "a", "protocol": "5"},
            uplink_conf("mqtt://127.0.0.1:1883", username="hall01", password="secret",
                        topic_prefix="city/hallq", client_id="hallq-x", inflight=1000,
                        keepalive_s=3600, backlog_alert=1000, away_alert_s=120,
                        protocol="3.1.1"),
            uplink_conf("mqtt://127.0.0.1:1883", inflight=1, keepalive_s=5),
        ]
        for u in good:
            code, out = check(u)
            self.assertEqual(code, 0, "refused %r:\n%s" % (u, out))
        bad = [
            {"url": "http://127.0.0.1:1883", "hall_id": "h"},
            {"url": "mqtt://127.0.0.1:1883"},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": ""},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "bad id"},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "a/b"},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "x" * 65},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "h", "protocol": "4"},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "h", "protocol": "3.1"},
            {"url": "mqtt://127.0.0.1:1883", "hall_id": "h", "protocol": 5},
            uplink_conf("mqtt://127.0.0.1:1883", keepalive_s=4),
            uplink_conf("mqtt://127.0.0.1:1883", keepalive_s=3601),
            uplink_conf("mqtt://127.0.0.1:1883", inflight=0),
            uplink_conf("mqtt://127.0.0.1:1883", inflight=1001),
            uplink_conf("mqtt://127.0.0.1:1883", colour="blue"),
        ]
        for u in bad:
            code, out = check(u)
            self.assertEqual(code, 1, "accepted %r:\n%s" % (u, out))
            self.assertRegex(out, r"check\.json:\d+:\d+:", "where in the file: %r" % u)


# ------------------------------------------------------------ brokers that fail

def uplink_lines(h):
    """The daemon's stderr lines (this start) that speak of the uplink."""
    try:
        with open(h.stderr_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
    except OSError:
        return []
    return [line for line in text.splitlines()
            if re.search(r"uplink|mqtt|broker", line, re.I)]


class Failures(UplinkCase):
    """Each bad "broker" in turn on a port; the hall serves on, counts and
    says the error once; a real broker on that port afterwards gets every
    event."""

    def good_broker_session(self, port):
        """A real broker for later on `port` (persistence), with a
        subscriber's persistent session on it already: the subscriber
        gets what the hall sends as soon as the broker is back, even
        before it reconnects itself."""
        good = self.broker(port=port)
        s = self.subscriber(good.port, [EVENTS])
        s.stop()
        good.stop()
        return good, s.client_id

    def hall_serves(self, h, k):
        t0 = time.monotonic()
        self.round(h, k)
        self.assertLess(time.monotonic() - t0, 10, "a round of commands took over 10 s")

    def bad_then_good(self, h, good, sub_id, stop_bad, want_error,
                      min_errors=3, timeout=40):
        u = self.wait_uplink(h, lambda u: u["errors"] >= 1, "a first error", timeout)
        self.hall_serves(h, 0)
        time.sleep(0.5)
        lines1 = uplink_lines(h)
        e1 = self.uplink(h)["errors"]
        u = self.wait_uplink(h, lambda u: u["errors"] >= e1 + min_errors - 1,
                             "errors counting up", timeout)
        self.hall_serves(h, 1)
        u = self.uplink(h)
        self.assertFalse(u["connected"], u)
        self.assertEqual(u["acked_seq"], 0, u)
        self.assertEqual(u["backlog"], h.status()["seq"], u)
        self.assertIsInstance(u["last_error"], str, u)
        lines2 = uplink_lines(h)
        self.assertGreaterEqual(len(lines1), 1, "the daemon's log says nothing of the "
                                "uplink's failure:\n" + h.stderr_tail(2000))
        self.assertEqual(lines2, lines1, "logged again on later retries (errors %d → %d)"
                         % (e1, u["errors"]))
        self.assertLessEqual(len(lines1), 2, "once per kind: %r" % lines1)
        # the bad one goes; a real broker on that port gets every event
        stop_bad()
        good.start()
        sub = self.subscriber(good.port, [EVENTS], client_id=sub_id)
        self.wait_connected(h, 20)
        self.round(h, 2)
        self.assert_every_event(h, sub, 60)
        # checked last, so that all the rest is known too
        self.assertRegex(u["last_error"], want_error, "last_error says why: %r" % u)
        return u

    def test_garbage(self):
        fake = mqtt.FakeBroker("garbage")
        good, sub_id = self.good_broker_session(fake.port)
        fake.start()
        self.addCleanup(fake.stop)
        h = self.new_hall("mqtt://127.0.0.1:%d" % fake.port)
        self.bad_then_good(h, good, sub_id, fake.stop,
                           r"(?i)protocol|malformed|unexpected|not mqtt|garbage|invalid")
        self.assertGreaterEqual(fake.accepted, 3)

    def test_credentials_refused(self):
        port = mqtt.free_port()
        good, sub_id = self.good_broker_session(port)
        strict = self.broker(port=port, persistence=False, users={"hall01": "right"})
        h = self.new_hall(strict.url, username="hall01", password=BAD_PASSWORD)
        u = self.bad_then_good(h, good, sub_id, strict.stop,
                               r"(?i)refused|not authori[sz]ed|credential|password|"
                               r"bad user|auth")
        self.assertNotIn(BAD_PASSWORD, json.dumps(u), "the password in GET /api/uplink")
        self.assertNotIn(BAD_PASSWORD, h.stderr_tail(100000), "the password in the log")

    def test_backoff(self):
        """After each failure the next attempt waits first_s, doubling to
        max_s, ±20% jitter (a garbage answer fails at once, so the gaps
        between connections are the backoff)."""
        fake = mqtt.FakeBroker("garbage")
        fake.start()
        self.addCleanup(fake.stop)
        h = self.new_hall("mqtt://127.0.0.1:%d" % fake.port,
                          reconnect={"first_s": 1, "max_s": 4})
        mqtt.wait_until(lambda: fake.accepted >= 6, 30, "six connections")
        self.hall_serves(h, 0)
        at = fake.accepted_at[:6]
        gaps = [b - a for a, b in zip(at, at[1:])]
        want = [1, 2, 4, 4, 4]
        for g, w in zip(gaps, want):
            self.assertGreaterEqual(g, 0.8 * w - 0.1, "gaps %r, backoff 1 doubling to 4" % gaps)
            self.assertLessEqual(g, 1.2 * w + 0.6, "gaps %r, backoff 1 doubling to 4" % gaps)
        u = self.uplink(h)
        self.assertGreaterEqual(u["errors"], 5, u)
        self.assertFalse(u["connected"], u)

    def test_blackhole(self):
        """The broker's address drops the SYN (the TCP connect never
        ends): the hall serves on, gives up within the keepalive, says
        why; nothing of libevent's complaints in its log; a SIGTERM meanwhile
        is answered at once."""
        fake = mqtt.FakeBroker("blackhole")
        good, sub_id = self.good_broker_session(fake.port)
        fake.start()
        self.addCleanup(fake.stop)
        h = self.new_hall("mqtt://127.0.0.1:%d" % fake.port)
        t0 = time.monotonic()
        self.wait_uplink(h, lambda u: u["errors"] >= 1, "a first error", 3 * KEEPALIVE)
        took = time.monotonic() - t0
        self.assertLess(took, 1.5 * KEEPALIVE + 2, "a connect that never ends noticed "
                        "%.1f s after the start (keepalive_s %d)" % (took, KEEPALIVE))
        problems = []
        try:
            self.bad_then_good(h, good, sub_id, fake.stop,
                               r"(?i)time[sd]? ?out|no answer|not answer|keepalive|"
                               r"no connack|did not connect|unreachable",
                               min_errors=2, timeout=4 * KEEPALIVE)
        except AssertionError as e:
            problems.append(str(e))
        with open(h.stderr_path, "rb") as f:
            text = f.read().decode("utf-8", "replace")
        bad = [line for line in text.splitlines() if line.startswith(("[warn]", "[err]"))]
        if bad:
            problems.append("libevent complains in the daemon's log (an event of a socket "
                            "already closed?): %r" % bad[:3])
        if problems:
            self.fail("\n".join(problems))

    def test_sigterm_while_connecting(self):
        """SIGTERM while the uplink's TCP connect hangs: exit 0 at once."""
        fake = mqtt.FakeBroker("blackhole")
        fake.start()
        self.addCleanup(fake.stop)
        h = self.new_hall("mqtt://127.0.0.1:%d" % fake.port, keepalive_s=60)
        self.hall_serves(h, 0)
        time.sleep(1)
        self.assertFalse(self.uplink(h)["connected"])
        t0 = time.monotonic()
        h.stop(timeout=20)
        self.assertLess(time.monotonic() - t0, 5, "SIGTERM took %.1f s" % (time.monotonic() - t0))

    def test_hang(self):
        fake = mqtt.FakeBroker("hang")
        good, sub_id = self.good_broker_session(fake.port)
        fake.start()
        self.addCleanup(fake.stop)
        h = self.new_hall("mqtt://127.0.0.1:%d" % fake.port)
        t0 = time.monotonic()
        self.wait_uplink(h, lambda u: u["errors"] >= 1, "a first error", 3 * KEEPALIVE)
        took = time.monotonic() - t0
        self.assertGreater(took, 0.5 * KEEPALIVE, "an error before the keepalive ran out")
        self.assertLess(took, 1.5 * KEEPALIVE + 2, "a silent broker noticed %.1f s after "
                        "the start (keepalive_s %d)" % (took, KEEPALIVE))
        self.bad_then_good(h, good, sub_id, fake.stop,
                           r"(?i)time[sd]? ?out|no answer|not answer|keepalive|no connack",
                           min_errors=2, timeout=4 * KEEPALIVE)
        self.assertGreaterEqual(fake.accepted, 2)
