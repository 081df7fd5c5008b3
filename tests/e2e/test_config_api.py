"""Configuration from the dashboard (issue 18 item 4): `GET /api/config`
and `PUT /api/config` against web/README.md "Configuration — GET
/api/config, PUT /api/config (admin)", the errors table and "Who did it":

- GET (admin only): path, version = SHA-256 of the file's bytes, config =
  the file parsed (key order kept), previous null at first;
- PUT of a window's tiers and hours and a class's head start: 200 with the
  changed keys, the hall runs it at once (tiers, hours, a call of the newly
  served matter), the file valid JSON that `hallqd -n` takes, in UTF-8 with
  Chinese as is, laid out two levels to a line, PATH.prev the old bytes, no
  PATH.tmp, an `audit` event `op: "config"` by the admin's name;
- refusals with their field (400 bad_config), stale versions (409
  config_changed), bodies that are no JSON or lack `config` (400), over
  192 KiB (413; 192 KiB itself taken): the file, the hall and the audit trail
  untouched;
- a write that fails (PATH.tmp a directory: EISDIR even for root; the
  directory made read-only as well when not root) → 500
  config_write_failed, nothing applied;
- a second PUT keeps one .prev, the one before it;
- kill -9 right after a PUT's 200: the restarted daemon runs it.
"""
import hashlib
import json
import os
import socket
import subprocess
import time

from harness import HALLQD, ClockHallCase, hall_ms, hours_over, raw_http

ADM = "adm-config-61d2f0a9c4"
ADM_NAME = "信息科李工"
MGR = "mgr-config-0be7313d58"
TOKENS = {"kiosk": ["k1"], "clerk": {"c-all": "*"},
          "manager": {MGR: "王主任"}, "admin": {ADM: ADM_NAME},
          "display": ["d1"]}
CLOCK = hall_ms(2026, 12, 1, 10, 0)       # Tuesday, the hours hall open
MiB = 1024 * 1024
LIMIT = 192 * 1024	# PUT /api/config's body (daemon/limit.h)


def config_over():
    over = hours_over()
    over["tokens"] = json.loads(json.dumps(TOKENS))
    over["hall.rating_timeout_s"] = 3600
    return over


def sha(data):
    return hashlib.sha256(data).hexdigest()


class ConfigBase(ClockHallCase):
    clock = CLOCK
    hall_over = config_over()

    # -- the file
    @property
    def path(self):
        return self.hall.config_path

    def file_bytes(self, suffix=""):
        with open(self.path + suffix, "rb") as f:
            return f.read()

    def files(self):
        """The names in the config's directory that start with its name."""
        base = os.path.basename(self.path)
        return sorted(n for n in os.listdir(os.path.dirname(self.path))
                      if n.startswith(base))

    # -- the API
    def get_config(self, token=ADM):
        r = self.hall.req("GET", "/api/config", None, token)
        self.assertEqual(r.status, 200, r)
        return r.json

    def put(self, config, version=None, token=ADM, raw=None):
        body = None
        if raw is None:
            body = {"config": config}
            if version is not None:
                body["version"] = version
        return self.hall.req("PUT", "/api/config", body, token, raw=raw)

    def hall_view(self):
        """What a person sees of the hall that a configuration sets."""
        h = self.hall
        r = h.req("GET", "/api/hall", None, "d1")
        self.assertEqual(r.status, 200, r)
        hours = h.req("GET", "/api/hours", None, "d1")
        self.assertEqual(hours.status, 200, hours)
        return {"windows": [(w["number"], w["name"], w["state"], w["tiers"])
                            for w in r.json["windows"]],
                "matters": [(m["code"], m["name"]) for m in r.json["matters"]],
                "hours": hours.json.get("windows"), "hall_hours": hours.json.get("hall")}

    def config_audits(self, since=0):
        return [e for e in self.hall.events(since)
                if e["type"] == "audit" and e["op"] == "config"]

    def check_file_good(self, data):
        """Valid JSON that `hallqd -n` takes, UTF-8 with Chinese as is."""
        conf = json.loads(data.decode("utf-8"))
        self.assertNotIn(b"\\u", data, "Chinese written as UTF-8, not \\u escapes")
        self.assertIn("社保参保登记".encode("utf-8"), data)
        p = subprocess.run([HALLQD, "-n", "-f", self.path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=30, cwd=self.hall.dir)
        self.assertEqual(p.returncode, 0, "hallqd -n: %r %r" % (p.stdout, p.stderr))
        return conf

    def assertUntouched(self, before_bytes, before_view, before_files, what):
        self.assertEqual(self.file_bytes(), before_bytes, "%s: the file is as it was" % what)
        self.assertEqual(self.files(), before_files, "%s: no .tmp, no new .prev" % what)
        self.assertEqual(self.hall_view(), before_view, "%s: the hall unchanged" % what)


class ConfigRead(ConfigBase):

    def test_get_config_admin_only(self):
        h = self.hall
        data = self.file_bytes()
        g = self.get_config()
        self.assertEqual(set(g), {"path", "version", "config", "previous"})
        self.assertEqual(os.path.realpath(g["path"]), os.path.realpath(self.path))
        self.assertEqual(g["version"], sha(data))
        self.assertRegex(g["version"], r"^[0-9a-f]{64}$")
        parsed = json.loads(data.decode("utf-8"))
        self.assertEqual(g["config"], parsed)
        self.assertEqual(list(g["config"]), list(parsed), "key order kept")
        self.assertEqual(list(g["config"]["hall"]), list(parsed["hall"]))
        self.assertIsNone(g["previous"])
        for tok in (MGR, "c-all", "k1", "d1"):
            self.assertError(h.req("GET", "/api/config", None, tok), 403, "forbidden")
            self.assertError(h.req("PUT", "/api/config", {"config": parsed}, tok), 403,
                             "forbidden")
        for tok in (None, "no-such-token"):
            self.assertError(h.req("GET", "/api/config", None, tok), 401, "unauthorized")
            self.assertError(h.req("PUT", "/api/config", {"config": parsed}, tok), 401,
                             "unauthorized")
        self.assertEqual(self.file_bytes(), data)
        self.assertEqual(self.files(), ["hallq.json"])
        self.assertEqual(self.config_audits(), [])
        # The file changed on disk: GET reads it as it is now.
        text = data.decode("utf-8") + "\n"
        h.write_config(text=text)
        g2 = self.get_config()
        self.assertEqual(g2["version"], sha(text.encode("utf-8")))
        # Not JSON: 500 config_unreadable.
        h.write_config(text="{ not json")
        self.assertError(h.req("GET", "/api/config", None, ADM), 500, "config_unreadable")


class ConfigWrite(ConfigBase):

    def edited(self, conf):
        """Window 3 (windows[2]) also serves BDC02, works 08:00-18:00 on
        Tuesdays; green's head start 900 → 1200."""
        new = json.loads(json.dumps(conf))
        new["windows"][2]["tiers"] = [["YB01", "YB02", "BDC02"]]
        new["windows"][2]["hours"] = {"tue": [["08:00", "18:00"]]}
        new["classes"]["green"]["head_start_s"] = 1200
        return new

    def test_put_applies_writes_keeps_previous_and_audits(self):
        h = self.hall
        old = self.file_bytes()
        g = self.get_config()
        w3 = h.req("GET", "/api/windows/3", None, "d1").json["window"]
        self.assertEqual(w3["tiers"], [["YB01", "YB02"]])
        s0 = h.status()["seq"]
        new = self.edited(g["config"])
        r = self.put(new, g["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(set(r.json), {"version", "previous", "changed"})
        self.assertEqual(sorted(r.json["changed"]), ["classes", "windows"])
        self.assertEqual(r.json["previous"], g["path"] + ".prev")

        # the file: new, valid, accepted by hallqd -n, UTF-8; the old one kept
        data = self.file_bytes()
        self.assertEqual(r.json["version"], sha(data))
        self.assertEqual(self.check_file_good(data), new)
        self.assertEqual(self.file_bytes(".prev"), old, "PATH.prev is the old file")
        self.assertEqual(self.files(), ["hallq.json", "hallq.json.prev"], "no PATH.tmp")
        g2 = self.get_config()
        self.assertEqual(g2["version"], r.json["version"])
        self.assertEqual(g2["previous"], r.json["previous"])
        self.assertEqual(g2["config"], new)

        # the hall runs it: tiers, hours, and a BDC02 ticket called at window 3
        w3 = h.req("GET", "/api/windows/3", None, "d1").json["window"]
        self.assertEqual(w3["tiers"], [["YB01", "YB02", "BDC02"]])
        hw = [w for w in h.req("GET", "/api/hall", None, "d1").json["windows"]
              if w["number"] == 3]
        self.assertEqual(hw[0]["tiers"], [["YB01", "YB02", "BDC02"]])
        hours = h.req("GET", "/api/hours", None, "d1").json
        p3 = [w for w in hours["windows"] if w["number"] == 3]
        self.assertEqual(p3[0]["periods"], [[hall_ms(2026, 12, 1, 8, 0),
                                             hall_ms(2026, 12, 1, 18, 0)]], hours)
        t = h.issue_ok("BDC02")
        r3 = h.win(3, "call-next")
        self.assertEqual(r3.status, 200, r3)
        self.assertEqual(r3.json["ticket"]["id"], t["id"])

        # the audit
        audits = [e for e in h.events(s0) if e["type"] == "audit"]
        self.assertEqual(len(audits), 1, audits)
        a = audits[0]
        self.assertEqual((a["op"], a["by"], a["role"], a["window"], a["ticket"],
                          a["status"]),
                         ("config", ADM_NAME, "admin", None, None, 200), a)
        self.assertEqual(sorted(a["detail"]["changed"]), ["classes", "windows"])
        self.assertEqual(a["detail"].get("version"), r.json["version"], a)
        self.assertEqual(a["detail"].get("previous"), r.json["previous"], a)
        self.assertNotIn(ADM, json.dumps(h.events(), ensure_ascii=False),
                         "no event carries the admin's token")
        r = h.req("GET", "/api/audit", None, ADM)
        self.assertEqual(r.json["audit"][0]["op"], "config")
        self.assertNotIn(ADM.encode(), r.body)

    def test_file_layout_two_levels_to_a_line(self):
        g = self.get_config()
        r = self.put(g["config"], g["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["changed"], [], "the same configuration changes nothing")
        data = self.file_bytes()
        conf = self.check_file_good(data)
        self.assertEqual(conf, g["config"])
        self.assertEqual(list(conf), list(g["config"]), "key order kept")
        lines = data.decode("utf-8").split("\n")

        def line_parses_as(want):
            for ln in lines:
                s = ln.strip().rstrip(",")
                try:
                    if json.loads(s) == want:
                        return True
                except ValueError:
                    pass
                try:
                    if json.loads("{" + s + "}") == want:
                        return True
                except ValueError:
                    pass
            return False

        for k in conf:
            self.assertTrue(any(ln.lstrip().startswith(json.dumps(k) + ":") for ln in lines),
                            "top-level %s on a line of its own" % k)
        for k in ("matters", "windows"):
            for el in conf[k]:
                self.assertTrue(line_parses_as(el), "an element of %s on one line: %r"
                                % (k, el))
        for k in ("tokens", "classes"):
            for mk, mv in conf[k].items():
                self.assertTrue(line_parses_as({mk: mv}), "%s.%s on one line" % (k, mk))
        # and audited like any other
        self.assertEqual(len(self.config_audits()), 1)

    def test_second_put_keeps_one_prev(self):
        orig = self.file_bytes()
        g = self.get_config()
        r1 = self.put(self.edited(g["config"]), g["version"])
        self.assertEqual(r1.status, 200, r1)
        after1 = self.file_bytes()
        self.assertEqual(self.file_bytes(".prev"), orig)
        conf2 = json.loads(after1.decode("utf-8"))
        conf2["matters"][4]["service_s"] = 900
        r2 = self.put(conf2, r1.json["version"])
        self.assertEqual(r2.status, 200, r2)
        self.assertEqual(r2.json["changed"], ["matters"])
        self.assertEqual(self.file_bytes(".prev"), after1, "the .prev is the one before")
        self.assertEqual(self.files(), ["hallq.json", "hallq.json.prev"])
        self.assertEqual(json.loads(self.file_bytes().decode("utf-8")), conf2)
        self.assertEqual(len(self.config_audits()), 2)

    def test_kill9_right_after_put_runs_the_new_configuration(self):
        h = self.hall
        g = self.get_config()
        new = self.edited(g["config"])
        new["windows"][3]["name"] = "4号窗口（不动产）"
        r = self.put(new, g["version"])
        self.assertEqual(r.status, 200, r)
        h.kill9()                                   # right after the 200
        h.set_clock(h.clock_guess())
        h.restart(new_port=False)                   # the file as the PUT left it
        w3 = h.req("GET", "/api/windows/3", None, "d1").json["window"]
        self.assertEqual(w3["tiers"], [["YB01", "YB02", "BDC02"]])
        w4 = h.req("GET", "/api/windows/4", None, "d1").json["window"]
        self.assertEqual(w4["name"], "4号窗口（不动产）")
        g2 = self.get_config()
        self.assertEqual(g2["version"], r.json["version"])
        self.assertEqual(g2["config"], new)
        self.assertEqual(len(self.config_audits()), 1, "the audit survived too")


class ConfigRefusals(ConfigBase):

    def bad(self, conf, field, what, status=400, code="bad_config"):
        h = self.hall
        before = (self.file_bytes(), self.hall_view(), self.files())
        s = h.status()["seq"]
        g = self.get_config()
        r = self.put(conf, g["version"])
        err = self.assertError(r, status, code)
        if field is not None:
            self.assertEqual(err.get("field"), field, "%s: %r" % (what, r))
        self.assertUntouched(*before, what=what)
        self.assertEqual([e for e in h.events(s) if e["type"] == "audit"], [],
                         "%s: nothing audited" % what)
        return err

    def test_bad_values_refused_with_their_field(self):
        h = self.hall
        base = self.get_config()["config"]

        def edit(f):
            c = json.loads(json.dumps(base))
            f(c)
            return c

        def set_(path, value):
            def f(c):
                d = c
                for p in path[:-1]:
                    d = d[p]
                d[path[-1]] = value
            return f

        cases = [
            (set_(["windows", 2, "tiers", 0, 1], "ZZ99"), "windows[2].tiers[0][1]",
             "an unknown matter in a tier"),
            (set_(["matters", 4, "service_s"], -5), "matters[4].service_s",
             "a negative service_s"),
            (set_(["hours", "mon", 0, 1], "25:00"), "hours.mon[0][1]", "hour 25:00"),
            (set_(["windows", 1, "number"], 1), "windows[1].number",
             "a duplicate window number"),
            (set_(["windows"], "1,2,3"), "windows", "windows not an array"),
            (set_(["classes", "green", "head_start_s"], "fast"),
             "classes.green.head_start_s", "head start not a number"),
            (set_(["listen"], "127.0.0.1:1"), "listen", "listen changed"),
            (set_(["database"], os.path.join(h.dir, "other.db")), "database",
             "database changed"),
            (set_(["hall", "timezone"], "Europe/Paris"), "hall.timezone",
             "timezone changed"),
            (set_(["web", "root"], "/tmp"), "web.root", "web.root changed"),
        ]
        for f, field, what in cases:
            with self.subTest(what):
                self.bad(edit(f), field, what)
        with self.subTest("the document not an object"):
            self.bad([1, 2, 3], "", "config an array")
        with self.subTest("the document a string"):
            self.bad("x", "", "config a string")
        # still the same after all that
        self.assertEqual(self.files(), ["hallq.json"])
        self.assertIsNone(self.get_config()["previous"])

    def test_stale_version_missing_config_not_json(self):
        h = self.hall
        g = self.get_config()
        before = (self.file_bytes(), self.hall_view(), self.files())
        s = h.status()["seq"]
        new = json.loads(json.dumps(g["config"]))
        new["windows"][2]["tiers"] = [["YB01", "YB02", "BDC02"]]

        # a version that is not the file's
        self.assertError(self.put(new, "0" * 64), 409, "config_changed")
        self.assertUntouched(*before, what="a wrong version")
        # someone changed the file since it was read
        text = before[0].decode("utf-8") + "\n"
        h.write_config(text=text)
        before = (self.file_bytes(), self.hall_view(), self.files())
        self.assertError(self.put(new, g["version"]), 409, "config_changed")
        self.assertUntouched(*before, what="a stale version")
        g = self.get_config()
        self.assertEqual(g["version"], sha(text.encode("utf-8")))

        # no `config`, `config` null, not JSON at all, an empty body
        for body, code in ((json.dumps({"version": g["version"]}).encode(), None),
                           (b'{"config": null}', None),
                           (b"{not json", "malformed_json"),
                           (b"", None)):
            r = self.put(None, raw=body)
            self.assertError(r, 400, code)
            self.assertUntouched(*before, what="body %r" % body[:30])

        self.assertEqual([e for e in h.events(s) if e["type"] == "audit"], [])

    def test_large_bodies_read_two_at_a_time(self):
        """Bodies past a command's 64 KiB are read before any token is
        known, each holding its buffer: two at once, a third 503 busy; a
        command's body is not held back by them."""
        h = self.hall
        head = ("PUT /api/config HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                "nobody\r\nContent-Length: %d\r\n\r\n" % LIMIT).encode()
        held = []
        try:
            for _ in range(2):
                s = socket.create_connection(("127.0.0.1", h.port), timeout=10)
                s.sendall(head + b" " * 1000)
                held.append(s)
            time.sleep(0.3)
            st, out = raw_http(h.port, head + b" " * 1000, timeout=10)
            self.assertEqual(st, 503, out[:300])
            self.assertIn(b'"busy"', out)
            # a command meanwhile
            self.assertEqual(h.req("GET", "/api/status").status, 200)
        finally:
            for s in held:
                s.close()
        # once they are gone, a large body is read again
        g = self.get_config()
        body = json.dumps({"config": g["config"], "version": g["version"]},
                          ensure_ascii=False).encode("utf-8")
        body = body[:-1] + b" " * (100 * 1024 - len(body)) + b"}"
        deadline = time.monotonic() + 10
        for _ in range(100):
            r = self.put(None, raw=body)
            if r.status != 503 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        self.assertEqual(r.status, 200, r)

    def test_body_up_to_192_KiB(self):
        """Over 192 KiB: 413 at once; a body past the other commands' 64 KiB
        and up to 192 KiB itself is taken (JSON padded with blanks)."""
        h = self.hall
        g = self.get_config()
        new = json.loads(json.dumps(g["config"]))
        new["windows"][2]["tiers"] = [["YB01", "YB02", "BDC02"]]
        before = (self.file_bytes(), self.hall_view(), self.files())
        s = h.status()["seq"]

        def padded(size):
            g = self.get_config()
            core = json.dumps({"config": new, "version": g["version"]},
                              ensure_ascii=False).encode("utf-8")
            body = core[:-1] + b" " * (size - len(core)) + b"}"
            self.assertEqual(len(body), size)
            return body

        t0 = time.monotonic()
        r = self.put(None, raw=padded(LIMIT + 1))
        self.assertError(r, 413, "body_too_large")
        self.assertLess(time.monotonic() - t0, 5, "refused at once")
        self.assertUntouched(*before, what="a body over 192 KiB")
        self.assertEqual([e for e in h.events(s) if e["type"] == "audit"], [])
        h.assert_serving()

        for size in (100 * 1024, LIMIT):
            with self.subTest(size=size):
                old = self.file_bytes()
                t0 = time.monotonic()
                r = self.put(None, raw=padded(size))
                took = time.monotonic() - t0
                self.assertEqual(r.status, 200, "a body of %d bytes: %r after %.1f s" %
                                 (size, r, took))
                data = self.file_bytes()
                self.assertLess(len(data), 64 * 1024,
                                "written in its own layout, not as sent")
                self.assertEqual(json.loads(data.decode("utf-8")), new)
                self.assertEqual(self.file_bytes(".prev"), old)
                self.assertEqual(h.req("GET", "/api/windows/3", None, "d1")
                                 .json["window"]["tiers"], [["YB01", "YB02", "BDC02"]])

    def test_write_failure_is_500_and_nothing_applied(self):
        h = self.hall
        g = self.get_config()
        new = json.loads(json.dumps(g["config"]))
        new["windows"][2]["tiers"] = [["YB01", "YB02", "BDC02"]]
        before = (self.file_bytes(), self.hall_view(), self.files())
        s = h.status()["seq"]

        # PATH.tmp a directory that is not empty: no open, unlink, remove
        # or rename makes it a file, whoever the daemon runs as
        tmpdir = self.path + ".tmp"
        os.mkdir(tmpdir)
        with open(os.path.join(tmpdir, "keep"), "w") as f:
            f.write("x")
        r = self.put(new, g["version"])
        self.assertError(r, 500, "config_write_failed")
        self.assertEqual(self.file_bytes(), before[0], "the file as it was")
        self.assertEqual(self.hall_view(), before[1], "nothing applied")
        self.assertFalse(os.path.exists(self.path + ".prev"), "no .prev")
        self.assertEqual(self.get_config()["version"], g["version"])
        self.assertEqual([e for e in h.events(s) if e["type"] == "audit"], [],
                         "nothing audited")
        os.remove(os.path.join(tmpdir, "keep"))
        os.rmdir(tmpdir)

        # a later step fails: PATH.prev a directory that is not empty, so the
        # current file cannot be kept there (EISDIR/ENOTEMPTY even for root)
        prevdir = self.path + ".prev"
        os.mkdir(prevdir)
        with open(os.path.join(prevdir, "keep"), "w") as f:
            f.write("x")
        r = self.put(new, g["version"])
        self.assertError(r, 500, "config_write_failed")
        self.assertEqual(self.file_bytes(), before[0], "the file as it was")
        self.assertEqual(self.hall_view(), before[1], "nothing applied")
        self.assertTrue(os.path.isfile(os.path.join(prevdir, "keep")))
        self.assertFalse(os.path.exists(self.path + ".tmp"),
                         "the daemon's PATH.tmp not left behind after a failure")
        self.assertEqual([e for e in h.events(s) if e["type"] == "audit"], [],
                         "nothing audited")
        os.remove(os.path.join(prevdir, "keep"))
        os.rmdir(prevdir)

        if os.geteuid() != 0:
            # as a user, a directory that cannot be written does it too
            d = os.path.dirname(self.path)
            mode = os.stat(d).st_mode & 0o777
            os.chmod(d, 0o555)
            try:
                r = self.put(new, g["version"])
            finally:
                os.chmod(d, mode)
            self.assertError(r, 500, "config_write_failed")
            self.assertUntouched(*before, what="a read-only directory")

        # the way clear again: it goes through
        r = self.put(new, g["version"])
        self.assertEqual(r.status, 200, r)
        self.assertEqual(self.files(), ["hallq.json", "hallq.json.prev"])
        self.assertEqual(self.file_bytes(".prev"), before[0])
        self.assertEqual(h.req("GET", "/api/windows/3", None, "d1").json["window"]["tiers"],
                         [["YB01", "YB02", "BDC02"]])
        self.assertEqual(len(self.config_audits(s)), 1)
