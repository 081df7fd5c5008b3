"""Backups (issue 18 item 2): `hallqd --backup FILE` against a running hall
while 10 clients issue and call (the copy opens, passes integrity_check and
holds every ticket acknowledged before it began); the restore round trip
(stop, replace, remove -wal/-shm, start: tickets back, seq goes on after the
backup's last without gaps); the scheduled daily backup with `keep`
pruning and its backup.done event; a damaged database refused at start;
--backup to a place that cannot be written; a bad "backup" section refused
by `hallqd -n` with file:line:col."""
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time

from harness import HALLQD, ClockHallCase, HallCase, base_config, hall_ms

NCLIENTS = 10
CALLERS = 4                 # of them, each working one window (1-4)


def run_backup(hall, dst, timeout=60):
    return subprocess.run([HALLQD, "--backup", dst, "-f", hall.config_path],
                          stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=timeout, cwd=hall.dir)


def open_ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True, timeout=10)


def integrity(path):
    db = open_ro(path)
    try:
        return [r[0] for r in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()


def conf_text(conf):
    """Each top-level key on a line of its own (for line:col)."""
    return "{\n" + ",\n".join("%s: %s" % (json.dumps(k), json.dumps(v, ensure_ascii=False))
                              for k, v in conf.items()) + "\n}\n"


class Backup(HallCase):

    def fill(self, n):
        """n tickets, a few called and finished: pages for the copy."""
        h = self.hall
        out = [h.issue_ok(("SB01", "YB01", "BDC01", "SB02")[i % 4])
               for i in range(n)]
        for _ in range(3):
            if h.win(1, "call-next").status == 200:
                h.win(1, "start")
                h.win(1, "finish")
        return out

    def test_backup_while_ten_clients_issue_and_call(self):
        h = self.hall
        self.fill(200)
        # 40 MB more: the copy takes many steps while the clients write
        h.stop()
        db = sqlite3.connect(h.db_path)
        db.execute("CREATE TABLE bak18_filler (b BLOB)")
        db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                   "WHERE x < 10000) INSERT INTO bak18_filler SELECT randomblob(4000) FROM c")
        db.commit()
        db.close()
        h.restart()
        acked = []          # (id, number) answered 201
        odd = []
        lock = threading.Lock()
        stop = threading.Event()
        go = threading.Barrier(NCLIENTS + 1, timeout=30)

        def issuer(k):
            c = h.http(timeout=10)
            try:
                go.wait()
                i = 0
                while not stop.is_set() and i < 3000:
                    m = ("SB01", "YB01", "BDC02", "YB02")[(k + i) % 4]
                    r = c.req("POST", "/api/tickets", {"matter": m}, "k1")
                    i += 1
                    if r.status != 201:
                        with lock:
                            odd.append(r)
                        continue
                    t = r.json["ticket"]
                    with lock:
                        acked.append((t["id"], t["number"]))
            finally:
                c.close()

        def caller(w):
            c = h.http(timeout=10)
            try:
                go.wait()
                i = 0
                while not stop.is_set() and i < 3000:
                    i += 1
                    r = c.req("POST", "/api/windows/%d/call-next" % w, None, "c-all")
                    if r.status == 200:
                        c.req("POST", "/api/windows/%d/start" % w, None, "c-all")
                        c.req("POST", "/api/windows/%d/finish" % w, None, "c-all")
                    elif r.status not in (204, 409):
                        with lock:
                            odd.append(r)
            finally:
                c.close()

        ths = [threading.Thread(target=caller, args=(k + 1,), daemon=True)
               for k in range(CALLERS)]
        ths += [threading.Thread(target=issuer, args=(k,), daemon=True)
                for k in range(NCLIENTS - CALLERS)]
        for t in ths:
            t.start()
        go.wait()
        time.sleep(1.0)
        with lock:
            before = list(acked)
        dst = os.path.join(h.dir, "copy.db")
        t0 = time.monotonic()
        p = run_backup(h, dst)
        took = time.monotonic() - t0
        time.sleep(0.5)                 # the hall goes on after it
        with lock:
            n_during = len(acked) - len(before)
        stop.set()
        for t in ths:
            t.join(30)
        self.assertFalse(any(t.is_alive() for t in ths))
        err = p.stderr.decode("utf-8", "replace")
        self.assertEqual(p.returncode, 0, err)
        self.assertIn("integrity check ok", err)
        self.assertEqual(odd, [])
        self.assertGreater(len(before), 0)
        self.assertGreater(n_during, 0, "the hall stood still during the backup")
        print("  [backup in %.2f s while %d tickets were acknowledged; %d before it]"
              % (took, n_during, len(before)))
        # one plain file: no -wal, no -shm, no .tmp left
        self.assertFalse(os.path.exists(dst + ".tmp"))
        self.assertFalse(os.path.exists(dst + "-wal"))
        self.assertEqual(integrity(dst), ["ok"])
        db = open_ro(dst)
        try:
            rows = dict(db.execute("SELECT id, number FROM tickets"))
            mode = db.execute("PRAGMA journal_mode").fetchone()[0]
            seqs = [r[0] for r in db.execute("SELECT seq FROM events ORDER BY seq")]
        finally:
            db.close()
        self.assertEqual(mode, "delete")
        for tid, number in before:
            self.assertEqual(rows.get(tid), number, "ticket %d acknowledged "
                             "before the backup is not in it" % tid)
        self.assertEqual(seqs, list(range(1, len(seqs) + 1)))
        self.assertEqual(h.events(since=seqs[-1] - 1)[0]["seq"], seqs[-1])

    def test_restore_round_trip(self):
        h = self.hall
        kept = self.fill(60)
        dst = os.path.join(h.dir, "backup.db")
        p = run_backup(h, dst)
        self.assertEqual(p.returncode, 0, p.stderr)
        db = open_ro(dst)
        try:
            last = db.execute("SELECT max(seq) FROM events").fetchone()[0]
            nt = db.execute("SELECT count(*) FROM tickets").fetchone()[0]
        finally:
            db.close()
        self.assertEqual(nt, 60)
        # after the backup: lost by the restore
        lost = [h.issue_ok("YB02")["id"] for _ in range(5)]
        self.assertGreater(h.events(since=last)[-1]["seq"], last)
        # stop, replace, remove -wal/-shm, start
        h.stop()
        shutil.copyfile(dst, h.db_path)
        for ext in ("-wal", "-shm"):
            try:
                os.unlink(h.db_path + ext)
            except FileNotFoundError:
                pass
        h.restart()
        for t in kept:
            got = h.ticket(t["id"])
            self.assertEqual((got["number"], got["matter"]), (t["number"], t["matter"]))
        for tid in lost:
            if tid > max(t["id"] for t in kept):
                r = h.req("GET", "/api/tickets/%d" % tid, None, "m1")
                self.assertEqual(r.status, 404, r)
        # Every event of the copy is back; then the log goes on after a gap
        # (the lost events' numbers may have reached pages and the city:
        # nobody must take a new event for one of them), at hall.restored.
        gap = 10000000
        evs = h.events()
        self.assertEqual([e["seq"] for e in evs], list(range(1, last + 1)) + [last + gap])
        self.assertEqual(evs[-1]["type"], "hall.restored")
        self.assertEqual((evs[-1]["backup_seq"], evs[-1]["skipped"]), (last, gap - 1))
        self.assertGreater(evs[-1]["backup_at"], 0)
        self.assertEqual(h.status()["seq"], last + gap)
        # a client that had seen a lost event asks after it: it gets the new
        self.assertEqual([e["seq"] for e in h.events(since=last + 3)], [last + gap])
        # new commands: seq goes on after it, no more gaps
        h.issue_ok("SB01")
        self.assertEqual(h.win(2, "call-next").status, 200)
        h.win(2, "start")
        h.win(2, "finish")
        seqs = [e["seq"] for e in h.events(since=last)]
        self.assertEqual(seqs, list(range(last + gap, last + gap + len(seqs))))
        self.assertGreater(len(seqs), 3)
        self.assertEqual(h.events(since=last + gap)[0]["type"], "ticket.issued")
        # the mark was taken away: a restart goes on without another gap
        h.restart()
        n = h.status()["seq"]
        h.issue_ok("SB01")
        self.assertEqual(h.status()["seq"], n + 1)
        self.assertEqual(integrity(h.db_path), ["ok"])
        # the copy itself still says what it is
        db = open_ro(dst)
        try:
            mark = db.execute("SELECT value FROM meta WHERE key = 'backup.of'").fetchone()
        finally:
            db.close()
        self.assertEqual(int(mark[0].split()[0]), last)

    def test_backup_of_a_stopped_hall_after_kill9(self):
        """No daemon, the last changes still in the -wal: the copy has them."""
        h = self.hall
        ts = self.fill(50)
        h.kill9()
        self.assertTrue(os.path.exists(h.db_path + "-wal"))
        dst = os.path.join(h.dir, "after-crash.db")
        p = run_backup(h, dst)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertEqual(integrity(dst), ["ok"])
        db = open_ro(dst)
        try:
            rows = dict(db.execute("SELECT id, number FROM tickets"))
        finally:
            db.close()
        for t in ts:
            self.assertEqual(rows.get(t["id"]), t["number"])
        h.restart()             # the hall itself is unharmed

    def test_damaged_database_refused_at_start(self):
        h = self.hall
        self.fill(300)
        h.stop()
        d = tempfile.mkdtemp(prefix="bak18-damaged-")
        self.addCleanup(shutil.rmtree, d, True)
        db = os.path.join(d, "hallq.db")
        shutil.copyfile(h.db_path, db)
        size = os.path.getsize(db)
        self.assertGreater(size, 16 * 4096)
        with open(db, "r+b") as f:           # garbage over pages in the middle
            f.seek((size // 2) // 4096 * 4096)
            f.write(os.urandom(3 * 4096))
        conf = base_config(d, h.port)
        path = os.path.join(d, "hallq.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(conf, f, ensure_ascii=False)
        for flags in (["-d"], []):           # in the foreground, and detaching
            p = subprocess.run([HALLQD] + flags + ["-f", path],
                               stdin=subprocess.DEVNULL, capture_output=True,
                               timeout=60, cwd=d)
            err = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.assertEqual(p.returncode, 1, err)
            self.assertIn("%s is damaged" % db, err)
            self.assertIn("quick_check", err)
            self.assertIn("Restore the last backup", err)
            self.assertIn("remove %s-wal and %s-shm" % (db, db), err)
        print("  [%s]" % err.strip().splitlines()[0][:300])
        # the file is left as it was (nothing written to it)
        self.assertFalse(os.path.exists(db + "-wal") and os.path.getsize(db + "-wal") > 0)

    def test_backup_to_unwritable_place(self):
        h = self.hall
        h.issue_ok("SB01")
        for dst, why in ((os.path.join(h.dir, "no-such-dir", "b.db"), "No such file"),
                         (os.path.join(h.config_path, "b.db"), "Not a directory"),
                         (h.db_path, "is the database itself")):
            p = run_backup(h, dst)
            err = p.stderr.decode("utf-8", "replace")
            self.assertEqual(p.returncode, 1, err)
            self.assertIn("backup of %s to %s failed" % (h.db_path, dst), err)
            self.assertIn(why, err)
        # the hall is untouched
        self.assertEqual(h.issue(("SB01")).status, 201)
        self.assertEqual(integrity(h.db_path), ["ok"])

    def test_bad_backup_section_refused_by_n(self):
        d = tempfile.mkdtemp(prefix="bak18-conf-")
        self.addCleanup(shutil.rmtree, d, True)
        good = base_config(d, 1)
        good["backup"] = {"dir": "var/backups", "at": "02:30", "keep": 7}
        path = os.path.join(d, "good.json")
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf_text(good))
        p = subprocess.run([HALLQD, "-n", "-f", path], capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)
        cases = [
            ("at", {"dir": "b", "at": "25:00"}, '"25:00"', "HH:MM"),
            ("at2", {"dir": "b", "at": "2:30"}, '"2:30"', "HH:MM"),
            ("keep", {"dir": "b", "keep": 0}, '0}', "keep"),
            ("keeptype", {"dir": "b", "keep": "7"}, '"7"', "integer"),
            ("nodir", {"at": "02:30"}, '{', "missing key \"dir\""),
            ("emptydir", {"dir": ""}, '""', "empty"),
            ("unknown", {"dir": "b", "every": 1}, '1}', "unknown key \"every\""),
        ]
        for name, section, needle, words in cases:
            conf = json.loads(json.dumps(good))
            conf["backup"] = section
            text = conf_text(conf)
            path = os.path.join(d, name + ".json")
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            p = subprocess.run([HALLQD, "-n", "-f", path], capture_output=True, timeout=20)
            out = (p.stdout + p.stderr).decode("utf-8", "replace")
            self.assertEqual(p.returncode, 1, "%s: %r" % (name, out))
            lines = text.split("\n")
            ln = [i for i, s in enumerate(lines) if s.startswith('"backup":')][0]
            col = lines[ln].index(needle) + 1
            self.assertIn("%s:%d:%d:" % (path, ln + 1, col), out, name)
            self.assertIn(words, out, name)
        # the section not given: no backups, no error
        del good["backup"]
        with open(path, "w", encoding="utf-8") as f:
            f.write(conf_text(good))
        p = subprocess.run([HALLQD, "-n", "-f", path], capture_output=True, timeout=20)
        self.assertEqual(p.returncode, 0, p.stderr)


class Scheduled(ClockHallCase):
    """The daily backup at "at" (hall time) with `keep`, started just before."""

    AT = hall_ms(2026, 12, 1, 2, 30)

    def setUp(self):
        pass

    def test_daily_backup_at_its_time_and_pruned(self):
        d = tempfile.mkdtemp(prefix="bak18-sched-")
        self.addCleanup(shutil.rmtree, d, True)
        bdir = os.path.join(d, "backups", "daily")     # made by hallqd
        os.makedirs(bdir)
        old = ["hallq-2026-11-%02d.db" % n for n in (20, 21, 22, 23, 24)]
        for n in old:
            with open(os.path.join(bdir, n), "wb") as f:
                f.write(b"an older copy")
        others = ["notes.txt", "hallq-latest.db", "hallq-2026-11-19.db.bak"]
        for n in others:
            with open(os.path.join(bdir, n), "wb") as f:
                f.write(b"not ours")
        h = self.new_hall(self.AT - 4000,
                          {"backup": {"dir": bdir, "at": "02:30", "keep": 3}})
        self.hall = h
        t = h.issue_ok("SB01")
        today = os.path.join(bdir, "hallq-2026-12-01.db")
        ev = h.wait_event(lambda e: e["type"] in ("backup.done", "backup.failed"),
                          timeout=30)
        self.assertEqual(ev["type"], "backup.done", ev)
        self.assertGreaterEqual(ev["at"], self.AT)
        self.assertLess(ev["at"], self.AT + 15000)
        self.assertEqual(ev["file"], today)
        self.assertEqual(ev["bytes"], os.path.getsize(today))
        self.assertIsInstance(ev["ms"], int)
        self.assertEqual(sorted(ev["removed"]),
                         sorted(os.path.join(bdir, n) for n in old[:3]))
        self.assertEqual(sorted(os.listdir(bdir)),
                         sorted(old[3:] + others + ["hallq-2026-12-01.db"]))
        self.assertEqual(integrity(today), ["ok"])
        db = open_ro(today)
        try:
            self.assertEqual(db.execute("SELECT number FROM tickets WHERE id = ?",
                                        (t["id"],)).fetchone()[0], t["number"])
        finally:
            db.close()
        # once a day: a restart the same day makes no second copy
        h.stop()
        h.set_clock(self.AT + 60000)
        h.restart()
        time.sleep(2.5)
        evs = [e for e in h.events() if e["type"].startswith("backup.")]
        self.assertEqual(len(evs), 1, evs)

    def test_daily_backup_failure_is_an_event(self):
        d = tempfile.mkdtemp(prefix="bak18-sched-")
        self.addCleanup(shutil.rmtree, d, True)
        afile = os.path.join(d, "a-file")
        with open(afile, "w") as f:
            f.write("x")
        h = self.new_hall(self.AT + 1000,
                          {"backup": {"dir": os.path.join(afile, "sub"), "keep": 2}})
        self.hall = h
        ev = h.wait_event(lambda e: e["type"].startswith("backup."), timeout=30)
        self.assertEqual(ev["type"], "backup.failed", ev)
        self.assertIn("Not a directory", ev["error"])
        self.assertEqual(h.issue("SB01").status, 201)

    def test_daily_backup_turned_on_by_sighup(self):
        d = tempfile.mkdtemp(prefix="bak18-sched-")
        self.addCleanup(shutil.rmtree, d, True)
        h = self.new_hall(self.AT + 3600 * 1000)      # 03:30, no "backup"
        self.hall = h
        h.issue_ok("SB01")
        time.sleep(1.5)
        self.assertEqual([e for e in h.events() if e["type"].startswith("backup.")], [])
        bdir = os.path.join(d, "b")
        h.write_config(h.config(backup={"dir": bdir, "at": "03:00", "keep": 1}))
        h.signal(signal.SIGHUP)
        ev = h.wait_event(lambda e: e["type"].startswith("backup."), timeout=30)
        self.assertEqual(ev["type"], "backup.done", ev)
        self.assertEqual(os.listdir(bdir), ["hallq-2026-12-01.db"])
        # personal data inside: not for every user of the box
        self.assertEqual(os.stat(bdir).st_mode & 0o777, 0o750)
        self.assertEqual(os.stat(os.path.join(bdir, "hallq-2026-12-01.db")).st_mode & 0o777,
                         0o640)

    def test_stop_during_a_daily_backup(self):
        """SIGTERM while the worker copies a large database: the copy is
        given up at its next step (no .tmp, no dated file), exit 0."""
        d = tempfile.mkdtemp(prefix="bak18-sched-")
        self.addCleanup(shutil.rmtree, d, True)
        bdir = os.path.join(d, "b")
        h = self.new_hall(self.AT - 60000, {"backup": {"dir": bdir, "keep": 2}})
        self.hall = h
        h.issue_ok("SB01")
        h.stop()
        db = sqlite3.connect(h.db_path)          # ~300 MB more to copy
        db.execute("CREATE TABLE bak18_filler (b BLOB)")
        db.execute("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c "
                   "WHERE x < 75000) INSERT INTO bak18_filler SELECT randomblob(4000) FROM c")
        db.commit()
        db.close()
        h.set_clock(self.AT + 1000)              # due at once
        h.restart()
        deadline = time.monotonic() + 30
        while "backup: copying" not in h.stderr_tail(100000):
            self.assertLess(time.monotonic(), deadline, h.stderr_tail())
            time.sleep(0.005)
        t0 = time.monotonic()
        h.stop(timeout=20)
        took = time.monotonic() - t0
        print("  [stopped %.2f s after the copy began]" % took)
        self.assertLess(took, 10)
        left = os.listdir(bdir) if os.path.isdir(bdir) else []
        self.assertEqual(left, [], "a copy given up leaves nothing")
