"""Window pads, evaluators and ticket printers against the real daemon: an
ft12 pad simulated with python3-serial, Modbus keypads and evaluators served
by Debian's pymodbus as real slaves (with a lost poll reply), a 433 MHz
receiver learning a remote, 好差评 from the evaluator and from POST
/api/ratings, and the printed ticket decoded by npm's npos."""
import json
import threading
import time
import unittest

import devsim
import escpos_npos
from harness import HALL_NAME
from test_devices import DeviceCase, strip


class Pads(DeviceCase):

    def test_ft12_pad_calls_and_confirm_6_is_no_show(self):
        bus = self.pty("pads")
        w5 = self.pty("w5")
        h = self.start_hall([
            {"name": "pads", "role": "keypad_bus", "protocol": "ft12",
             "map": {"5": 5, "6": 6}, "transport": "tty:" + bus.daemon_path},
            strip("w5-strip", 5, w5),
        ])
        pad = devsim.Ft12Pad(bus.peer_path, 5)
        self.addCleanup(pad.stop)
        self.assertEqual(h.win(5, "open").status, 200)
        t1 = h.issue_ok("BDC01")
        h.issue_ok("BDC02")
        pad.wait_waiting(2, 10)
        self.texts(w5, 1)

        self.assertTrue(pad.press("call"), "the host echoes the key")
        pad.wait_display("001", 10)
        r = h.ticket(t1["id"])
        self.assertEqual((r["state"], r["window"]), ("called", 5))
        f = [f for f in self.settle(w5) if f.get("ok")]
        self.assertEqual(f[-1]["text"], t1["number"] + " 请到5号窗口")
        pad.wait_waiting(1, 10)
        calls = [e for e in h.events() if e["type"] == "ticket.called"]
        self.assertEqual(len(calls), 1, "one press, one call")

        # 6 then confirm: 过号.
        self.assertTrue(pad.confirm(6))
        deadline = time.monotonic() + 10
        while h.ticket(t1["id"])["state"] != "no_show" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(h.ticket(t1["id"])["state"], "no_show")
        # 3 then confirm: called back.
        self.assertTrue(pad.confirm(3))
        deadline = time.monotonic() + 10
        while h.ticket(t1["id"])["state"] != "called" and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(h.ticket(t1["id"])["state"], "called")
        # A key the hall refuses (recall with nothing... transfer with no
        # target) beeps the pad.
        beeps = pad.beeps
        self.assertTrue(pad.press("transfer"))
        pad.wait_beeps(beeps + 1, 10)
        r = self.hall.req("GET", "/api/devices", None, "m1")
        pads = [d for d in r.json["devices"] if d["name"] == "pads"]
        self.assertEqual(sorted((d["address"], d["window"]) for d in pads), [(5, 5), (6, 6)])
        self.assertGreaterEqual(sum(d["keys"] for d in pads), 3)
        self.assertTrue(all(d["up"] for d in pads))


class ModbusInputs(DeviceCase):

    def test_keypad_lost_reply_and_evaluator_rating(self):
        link = self.pty("mb")
        kp = devsim.ModbusKeypad(link.peer_path, [3, 13])
        self.addCleanup(kp.stop)
        h = self.start_hall([
            {"name": "w3-keys", "role": "keypad", "window": 3, "protocol": "modbus",
             "address": 3, "poll_ms": 100, "transport": "tty:" + link.daemon_path},
            {"name": "w3-eval", "role": "evaluator", "window": 3, "protocol": "modbus",
             "address": 13, "poll_ms": 100, "transport": "tty:" + link.daemon_path},
        ])
        t1 = h.issue_ok("SB01")
        kp.wait(lambda: kp.display(3)["waiting"] == 1, 10)

        # A press whose poll reply is lost on the wire: applied once.
        kp.drop_next_reply(3, 4)
        seq = kp.press(3, "call")
        kp.wait(lambda: seq in kp.acked(3), 10)
        self.assertEqual(h.ticket(t1["id"])["state"], "called")
        # The ack goes out before the display's own write: wait for it.
        kp.wait(lambda: kp.display(3)["ticket"] == t1["number"], 10)
        self.assertEqual(kp.display(3)["ticket"], t1["number"])
        self.assertEqual(len(kp.dropped), 1)
        # And a recall, with its ack reply lost this time.
        kp.drop_next_reply(3, 6)
        seq = kp.press(3, "recall")
        kp.wait(lambda: seq in kp.acked(3), 10)
        time.sleep(0.5)
        evs = h.events()
        self.assertEqual(len([e for e in evs if e["type"] == "ticket.called"]), 1)
        self.assertEqual(len([e for e in evs if e["type"] == "ticket.recalled"]), 1)
        self.assertEqual(kp.pending(3), [])

        # Finish: the evaluator is asked; the citizen presses 5.
        self.assertEqual(h.win(3, "finish").status, 200)
        kp.wait(lambda: kp.display(13)["rate_prompt"] == 1, 10)
        self.assertEqual(kp.display(13)["rate_ticket"], t1["id"])
        self.assertTrue(kp.rate(13, 5))
        e = self.wait_event("rating.recorded")
        self.assertEqual((e["ticket"], e["score"], e["source"], e["window"], e["matter"]),
                         (t1["id"], 5, "evaluator", 3, "SB01"))
        self.assertTrue(e["clerk"])
        # Once per ticket: the soft evaluator is refused now.
        r = h.req("POST", "/api/ratings", {"ticket": t1["id"], "score": 1}, "c3")
        self.assertError(r, 409, "already_rated")
        kp.wait(lambda: kp.display(13)["rate_prompt"] == 0, 10)
        self.assertEqual(len([x for x in h.events() if x["type"] == "rating.recorded"]), 1)


class Ratings(DeviceCase):

    def test_soft_rating_with_the_ticket_token_and_not_rated(self):
        h = self.start_hall([], **{"hall.rating_timeout_s": 10})
        r = h.issue("SB01")
        self.assertEqual(r.status, 201)
        t, token = r.json["ticket"], r.json["token"]
        self.assertNotIn("printed", r.json, "no printer for this kiosk")
        self.assertNotIn(token, json.dumps(h.events()), "the token is the holder's only")
        r = h.req("POST", "/api/ratings", {"ticket": t["id"], "score": 4}, token)
        self.assertError(r, 409, "not_served")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(3, "finish").status, 200)
        r = h.req("POST", "/api/ratings", {"ticket": t["id"], "score": 9}, token)
        self.assertError(r, 400, "bad_request")
        r = h.req("POST", "/api/ratings", {"ticket": t["id"], "score": 4}, "bad-token")
        self.assertError(r, 401)
        r = h.req("POST", "/api/ratings", {"ticket": t["id"], "score": 4,
                                           "comment": "办得快"}, token)
        self.assertEqual(r.status, 201, r)
        r = h.req("POST", "/api/ratings", {"ticket": t["id"], "score": 1}, token)
        self.assertError(r, 409, "already_rated")
        # Another one nobody rates: recorded as not rated after 10 s.
        t2 = h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(3, "finish").status, 200)
        e = self.wait_event("rating.recorded", lambda e: e["ticket"] == t2["id"],
                            timeout=20)
        self.assertTrue(e["not_rated"])
        self.assertIsNone(e["score"])
        r = h.req("POST", "/api/ratings", {"ticket": t2["id"], "score": 5}, "c3")
        self.assertError(r, 409, "rating_closed")


class Remotes(DeviceCase):

    def test_learn_and_debounce(self):
        rx = self.pty("rx")
        h = self.start_hall([{"name": "rx", "role": "remote_receiver",
                              "protocol": "ev1527", "transport": "tty:" + rx.daemon_path}])
        radio = devsim.Ev1527Receiver(rx.peer_path)
        self.addCleanup(getattr(radio, "close", lambda: None))
        h.issue_ok("SB01")
        h.issue_ok("SB01")
        self.wait_event("device.up", lambda e: e["device"] == "rx")
        # Unknown: ignored.
        radio.hold(0xA1B2C, 1, 0.5)
        time.sleep(0.3)
        self.assertEqual([e for e in h.events() if e["type"] == "ticket.called"], [])
        r = h.req("POST", "/api/devices/rx/learn", {"window": 3}, "m1")
        self.assertEqual(r.status, 202, r)
        self.assertError(h.req("POST", "/api/devices/nope/learn", {"window": 3}, "m1"),
                         404, "unknown_device")
        self.assertError(h.req("POST", "/api/devices/rx/learn", {"window": 3}, "c3"), 403)
        radio.hold(0xA1B2C, 1, 0.5)
        e = self.wait_event("device.learned")
        self.assertEqual((e["remote"], e["window"]), ("A1B2C", 3))
        time.sleep(0.5)
        self.assertEqual([e for e in h.events() if e["type"] == "ticket.called"], [],
                         "the learning press does nothing else")
        # A held key repeats for a second: one call.
        radio.hold(0xA1B2C, 1, 1.0)
        self.wait_event("ticket.called")
        time.sleep(0.6)
        self.assertEqual(len([e for e in h.events() if e["type"] == "ticket.called"]), 1)
        self.assertEqual(self.devices()["rx"]["remotes"], {"A1B2C": 3})
        # Kept across a restart.
        h.restart()
        radio.hold(0xA1B2C, 4, 0.3)        # key 4: finish
        self.wait_event("ticket.done")


class PrinterSim(threading.Thread):
    """A receipt printer on a socat TCP listener: answers DLE EOT 4 with
    its paper sensor byte, keeps everything else."""

    def __init__(self, listener):
        super().__init__(daemon=True)
        self.l = listener
        self.paper = True
        self.data = b""
        self.stop_at = time.monotonic() + 120
        self.lock = threading.Lock()
        self.running = True

    def run(self):
        while self.running and time.monotonic() < self.stop_at:
            try:
                d = self.l.read_for(0.05)
            except (OSError, TypeError, ValueError):   # closed under us
                time.sleep(0.05)
                continue
            if not d:
                continue
            with self.lock:
                self.data += d
            for _ in range(d.count(b"\x10\x04\x04")):
                self.l.write(bytes([0x12 if self.paper else 0x72]))

    def take(self):
        with self.lock:
            d, self.data = self.data, b""
        return d.replace(b"\x10\x04\x04", b"")

    def stop(self):
        self.running = False


class Printer(DeviceCase):

    def test_printed_ticket_decoded_by_npos(self):
        if not escpos_npos.available():
            self.fail(escpos_npos.missing())
        lst = devsim.TcpListener()
        self.addCleanup(lst.close)
        h = self.start_hall([{"name": "k1-printer", "role": "printer", "kiosk": "k1",
                              "protocol": "escpos", "status_ms": 500,
                              "transport": "tcp:127.0.0.1:%d" % lst.port}],
                            **{"hall.public_url": "http://hall.example:8080"})
        lst.wait_connected(10)
        sim = PrinterSim(lst)
        sim.start()
        self.addCleanup(sim.stop)
        self.wait_event("device.up", lambda e: e["device"] == "k1-printer")
        h.issue_ok("SB01")
        h.issue_ok("SB01")
        r = h.issue("SB01")
        self.assertEqual(r.status, 201)
        self.assertIs(r.json["printed"], True)
        t, token = r.json["ticket"], r.json["token"]
        deadline = time.monotonic() + 10
        data = b""
        while time.monotonic() < deadline:
            data += sim.take()
            if data.endswith(b"\x1d\x56\x42\x00"):
                break
            time.sleep(0.05)
        # The two tickets before it were printed too: take the last one.
        last = data[data.rfind(b"\x1b\x40"):]
        out = escpos_npos.decode(last)
        self.assertEqual(out["unknown"], [], out)
        self.assertTrue(out["cut"] and out["chinese_mode"])
        self.assertEqual(out["qr_model"], 2)
        self.assertEqual(out["qr"], ["http://hall.example:8080/t/%d?token=%s" % (t["id"], token)])
        self.assertEqual(out["big_text"], [t["number"]])
        self.assertIn("社保参保登记", out["texts"])
        self.assertIn("前面还有 2 人", out["texts"])
        self.assertIn(HALL_NAME, out["texts"])
        # Paper out: shown down, the kiosk told, the ticket still good.
        sim.paper = False
        self.wait_event("device.down", lambda e: e["device"] == "k1-printer" and
                        e["reason"] == "paper out")
        r = h.issue("SB01")
        self.assertEqual(r.status, 201)
        self.assertIs(r.json["printed"], False)
        self.assertEqual(h.ticket(r.json["ticket"]["id"])["state"], "waiting")
        self.assertFalse(self.devices()["k1-printer"]["up"])
        sim.paper = True
        self.wait_event("device.up", lambda e: e["device"] == "k1-printer",
                        since=h.status()["seq"] - 3)
        self.assertIs(h.issue("SB01").json["printed"], True)


if __name__ == "__main__":
    unittest.main()
