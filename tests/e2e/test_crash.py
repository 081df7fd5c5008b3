"""kill -9 in the middle of 500 concurrent issues: after a restart on the
same database every acknowledged ticket is there with its number, and the
numbers of each prefix are unique and without holes."""
import os
import sqlite3
import threading
import time

from harness import HallCase

NTHREADS = 20
PER_THREAD = 25


class Crash(HallCase):

    def test_kill9_during_concurrent_issues(self):
        h = self.hall
        acked = []            # (id, number, matter) the daemon answered 201 for
        lock = threading.Lock()
        go = threading.Barrier(NTHREADS + 1, timeout=30)
        odd = []              # non-201 answers before the crash

        def worker(k):
            c = h.http(timeout=10)
            try:
                go.wait()
                for i in range(PER_THREAD):
                    # both prefixes: A (社保, 不动产) and B (医保)
                    m = ("SB01", "YB01", "BDC02", "YB02")[(k + i) % 4]
                    # fresh connections for half the threads, keep-alive for the rest
                    if k % 2:
                        c.close()
                    r = c.req("POST", "/api/tickets", {"matter": m}, "k1", retry=False)
                    if r.status != 201:
                        with lock:
                            odd.append(r)
                        continue
                    t = r.json["ticket"]
                    with lock:
                        acked.append((t["id"], t["number"], m))
            except Exception:
                pass        # the daemon died under us: expected
            finally:
                c.close()

        ths = [threading.Thread(target=worker, args=(k,), daemon=True)
               for k in range(NTHREADS)]
        for t in ths:
            t.start()
        go.wait()
        # kill once a good part has been acknowledged
        for _ in range(2000):
            with lock:
                n = len(acked)
            if n >= 150 or not any(t.is_alive() for t in ths):
                break
            time.sleep(0.002)
        pid = h.proc.pid
        h.kill9()
        for t in ths:
            t.join(30)
        self.assertFalse(any(t.is_alive() for t in ths))
        self.assertEqual(odd, [])
        n_acked = len(acked)
        self.assertGreater(n_acked, 0)
        print("  [kill -9 of %d after %d of %d acknowledged]" %
              (pid, n_acked, NTHREADS * PER_THREAD))

        # restart on the same database
        h.restart()
        for tid, number, matter in acked:
            t = h.ticket(tid)
            self.assertEqual((t["number"], t["matter"]), (number, matter))
            self.assertEqual(t["state"], "waiting")
        nums = [a[1] for a in acked]
        self.assertEqual(len(nums), len(set(nums)), "a number was given twice")
        # numbering goes on after the highest number on disk
        more_a = h.issue_ok("SB02")["number"]
        more_b = h.issue_ok("YB02")["number"]
        # the event log is gapless too
        evs = h.events()
        self.assertEqual([e["seq"] for e in evs], list(range(1, len(evs) + 1)))
        h.stop()

        db = sqlite3.connect("file:%s?mode=ro" % h.db_path, uri=True)
        try:
            rows = db.execute("SELECT id, number, prefix, seqno, day FROM tickets").fetchall()
            counters = dict(((p, d), last) for d, p, last in
                            db.execute("SELECT day, prefix, last FROM counters"))
            nevents = db.execute("SELECT count(*) FROM events").fetchone()[0]
            issued_events = db.execute(
                "SELECT count(*) FROM events WHERE type = 'ticket.issued'").fetchone()[0]
        finally:
            db.close()
        ids = {r[0] for r in rows}
        for tid, _, _ in acked:
            self.assertIn(tid, ids)
        self.assertEqual(len({(r[4], r[1]) for r in rows}), len(rows), "numbers unique")
        by_prefix = {}
        for _, number, prefix, seqno, day in rows:
            self.assertEqual(number, "%s%03d" % (prefix, seqno))
            by_prefix.setdefault((prefix, day), []).append(seqno)
        self.assertEqual({p for p, _ in by_prefix}, {"A", "B"})
        for (p, d), seqs in by_prefix.items():
            seqs.sort()
            self.assertEqual(seqs, list(range(1, len(seqs) + 1)),
                             "prefix %s has holes or repeats" % p)
            self.assertEqual(counters.get((p, d)), len(seqs))
        self.assertEqual(more_a, "A%03d" % len(by_prefix[("A", rows[0][4])]))
        self.assertEqual(more_b, "B%03d" % len(by_prefix[("B", rows[0][4])]))
        self.assertEqual(issued_events, len(rows))
        self.assertEqual(nevents, len(evs))
        self.assertTrue(os.path.exists(h.db_path))
