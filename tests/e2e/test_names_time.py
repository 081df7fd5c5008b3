"""English names and the hall's clock: name_en / kind_en / domain_name_en /
hall_en where the hall is read (GET /api/hall, the WebSocket snapshot, a
ticket's matter_name_en, /api/status), null when not configured; status and
snapshot carry the hall's timezone, its clock (now) and its UTC offset; a
name_en of the wrong type fails `hallqd -n` at its file:line:col."""
import json
import os
import subprocess
import time

from harness import (HALLQD, HallCase, base_config, run_async, ws_open,
                     ws_recv, ws_send)

SHANGHAI_OFFSET_S = 8 * 3600


def en_over():
    """The test hall with English names on some things, not others."""
    conf = base_config("/nonexistent", 0)
    conf["hall"]["name_en"] = "Test County Service Centre"
    conf["domains"]["SB"] = {"name": conf["domains"]["SB"], "name_en": "Social Insurance"}
    for m in conf["matters"]:
        if m["code"] == "SB01":
            m["name_en"] = "Social insurance enrolment"
    for w in conf["windows"]:
        if w["number"] == 3:
            w["name_en"] = "Window 3"
            w["kind_en"] = "Sector window"
    return {"hall": conf["hall"], "domains": conf["domains"],
            "matters": conf["matters"], "windows": conf["windows"]}


class HallClock(HallCase):

    def check_clock(self, o, t0, t1):
        self.assertEqual(o.get("timezone"), "Asia/Shanghai", o)
        self.assertIsInstance(o.get("now"), int, o)
        self.assertTrue(t0 - 2000 <= o["now"] <= t1 + 2000, (t0, o["now"], t1))
        # Asia/Shanghai has had no daylight saving time since 1991.
        self.assertEqual(o.get("utc_offset_s"), SHANGHAI_OFFSET_S, o)

    def test_status_has_zone_and_clock(self):
        t0 = int(time.time() * 1000)
        r = self.hall.req("GET", "/api/status")
        t1 = int(time.time() * 1000)
        self.assertEqual(r.status, 200, r)
        self.check_clock(r.json, t0, t1)
        # The old members stay.
        for k in ("ok", "version", "seq", "business_day", "hall"):
            self.assertIn(k, r.json)
        self.assertIsNone(r.json.get("hall_en", "absent"))

    def test_hall_and_snapshot_have_zone_and_clock(self):
        h = self.hall
        t0 = int(time.time() * 1000)
        r = h.req("GET", "/api/hall", None, "d1")
        self.assertEqual(r.status, 200, r)
        self.check_clock(r.json, t0, int(time.time() * 1000))

        async def go():
            ws = await ws_open(h, "d1")
            try:
                await ws_send(ws, {"op": "subscribe"})
                return await ws_recv(ws)
            finally:
                await ws.close()
        t0 = int(time.time() * 1000)
        snap = run_async(go())
        self.assertEqual(snap.get("type"), "hall.snapshot", snap)
        self.check_clock(snap, t0, int(time.time() * 1000))

    def test_names_absent_are_null(self):
        h = self.hall
        r = h.req("GET", "/api/hall", None, "d1")
        for m in r.json["matters"]:
            self.assertIsNone(m.get("name_en", "absent"), m)
            self.assertIsNone(m.get("domain_name_en", "absent"), m)
        for w in r.json["windows"]:
            self.assertIsNone(w.get("name_en", "absent"), w)
            self.assertIsNone(w.get("kind_en", "absent"), w)
        t = h.issue_ok("SB01")
        self.assertIsNone(t.get("matter_name_en", "absent"), t)


class EnglishNames(HallCase):
    hall_over = en_over()

    def test_names_in_hall_ticket_status(self):
        h = self.hall
        r = h.req("GET", "/api/hall", None, "d1")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["hall_en"], "Test County Service Centre")
        ms = dict((m["code"], m) for m in r.json["matters"])
        self.assertEqual(ms["SB01"]["name"], "社保参保登记")
        self.assertEqual(ms["SB01"]["name_en"], "Social insurance enrolment")
        self.assertIsNone(ms["SB02"]["name_en"])
        self.assertEqual(ms["SB02"]["domain_name"], "社会保险")
        self.assertEqual(ms["SB02"]["domain_name_en"], "Social Insurance")
        self.assertEqual(ms["YB01"]["domain_name"], "医疗保障")
        self.assertIsNone(ms["YB01"]["domain_name_en"])
        ws = dict((w["number"], w) for w in r.json["windows"])
        self.assertEqual(ws[3]["name"], "3号窗口")
        self.assertEqual(ws[3]["name_en"], "Window 3")
        self.assertEqual(ws[3]["kind_en"], "Sector window")
        self.assertIsNone(ws[4]["name_en"])
        self.assertIsNone(ws[4]["kind_en"])

        t = h.issue_ok("SB01")
        self.assertEqual(t["matter_name"], "社保参保登记")
        self.assertEqual(t["matter_name_en"], "Social insurance enrolment")
        self.assertIsNone(h.issue_ok("YB01")["matter_name_en"])
        # The window read and the call event carry them too.
        r = h.win(3, "call-next")
        self.assertEqual(r.json["ticket"]["matter_name_en"], "Social insurance enrolment")
        r = h.req("GET", "/api/windows/3", None, "d1")
        self.assertEqual(r.json["window"]["name_en"], "Window 3")
        r = h.req("GET", "/api/status")
        self.assertEqual(r.json["hall_en"], "Test County Service Centre")


class NameEnChecked(HallCase):

    def check(self, conf):
        path = os.path.join(self.hall.dir, "bad.json")
        text = json.dumps(conf, ensure_ascii=False, indent=2)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([HALLQD, "-n", "-f", path], stdin=subprocess.DEVNULL,
                           capture_output=True, timeout=20)
        return p.returncode, (p.stdout + p.stderr).decode("utf-8", "replace"), path, text

    def where(self, text, needle, after=None):
        """line:col of the first character of needle in text (1-based); with
        `after`, of the first needle after the first `after` (a bare value
        such as 42 may also stand in the port or the temp dir's name)."""
        i = text.index(needle, text.index(after) if after else 0)
        line = text.count("\n", 0, i) + 1
        col = i - (text.rfind("\n", 0, i) + 1) + 1
        return "%d:%d" % (line, col)

    def test_bad_name_en_types(self):
        conf = self.hall.config()
        conf["matters"][1]["name_en"] = 42
        rc, out, path, text = self.check(conf)
        self.assertEqual(rc, 1, out)
        self.assertIn("%s:%s: name_en must be a string" % (path, self.where(text, "42", '"name_en": 42')), out)

        conf = self.hall.config()
        conf["windows"][2]["name_en"] = ["Window 3"]
        rc, out, path, text = self.check(conf)
        self.assertEqual(rc, 1, out)
        self.assertIn("%s:%s: name_en must be a string" % (path, self.where(text, '[\n        "Window 3"')), out)

        conf = self.hall.config()
        conf["domains"]["YB"] = {"name": "医疗保障", "name_en": True}
        rc, out, path, text = self.check(conf)
        self.assertEqual(rc, 1, out)
        self.assertIn("%s:%s: name_en must be a string" % (path, self.where(text, "true", '"name_en": true')), out)

        conf = self.hall.config()
        conf["hall"]["name_en"] = ""
        rc, out, path, text = self.check(conf)
        self.assertEqual(rc, 1, out)
        self.assertIn("%s:%s: name_en must not be empty" % (path, self.where(text, '""')), out)

    def test_old_and_new_domain_forms(self):
        conf = self.hall.config()
        conf["domains"]["SB"] = {"name": "社会保险", "name_en": "Social Insurance"}
        rc, out, _, _ = self.check(conf)
        self.assertEqual(rc, 0, out)
        rc, out, _, _ = self.check(self.hall.config())
        self.assertEqual(rc, 0, out)
