"""Calls reach the hall: LED strips and the hall board (bx) on socat pty pairs
and a socat TCP listener, a 叫号 pad display (ft12), a Modbus display served by
Debian's pymodbus as the real slave, unplug and return, garbled replies, and
the voice announcement.  Every frame is read on the far side of the wire and
decoded by tests/e2e/devsim.py, written from the public formats."""
import json
import os
import stat
import time
import unittest
import urllib.request

import devsim
from harness import Hall, HallCase

STRIP_W3 = "A001 请到3号窗口"


def strip(name, window, link, **kw):
    d = {"name": name, "role": "window_display", "window": window, "protocol": "bx",
         "address": window, "transport": "tty:" + link.daemon_path, "reply_ms": 0}
    d.update(kw)
    return d


class DeviceCase(HallCase):
    """Devices are made before the hall starts: setUp builds the links,
    then the config that names them."""

    def setUp(self):
        self.links = []
        self.hall = None

    def start_hall(self, devices, **over):
        over = dict(over)
        over["devices"] = devices
        self.hall = Hall(**over)
        self.addCleanup(self.hall.cleanup)
        self.hall.start()
        return self.hall

    def pty(self, name):
        p = devsim.PtyPair(self.tmp(), name)
        self.addCleanup(p.close)
        return p

    def tmp(self):
        if not hasattr(self, "_tmp"):
            import tempfile
            import shutil
            self._tmp = tempfile.mkdtemp(prefix="hallq-dev-")
            self.addCleanup(shutil.rmtree, self._tmp, True)
        return self._tmp

    def tearDown(self):
        if self.hall is not None and self.hall.proc is not None:
            self.hall.stop()

    # -- helpers
    def events(self, types, since=0):
        return [e for e in self.hall.events(since) if e["type"] in types]

    def wait_event(self, etype, pred=lambda e: True, since=0, timeout=10):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.05) + 1):
            for e in self.hall.events(since):
                if e["type"] == etype and pred(e):
                    return e
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.fail("no %s event in %s s" % (etype, timeout))

    def devices(self):
        r = self.hall.req("GET", "/api/devices", None, "m1")
        self.assertEqual(r.status, 200, r)
        return {d["name"]: d for d in r.json["devices"]}

    def wait_device(self, name, pred, timeout=10):
        deadline = time.monotonic() + timeout
        d = None
        for _ in range(int(timeout / 0.05) + 1):
            d = self.devices()[name]
            if pred(d):
                return d
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.fail("device %s never matched: %r" % (name, d))

    def texts(self, link, count=1, timeout=5):
        """The next `count` A3 06 frames' texts (good CRC checked)."""
        frames = link.read_frames("bx", count, timeout)
        for f in frames:
            self.assertTrue(f["ok"], f)
        return frames

    def settle(self, link, kind="bx", quiet=0.3):
        """Read frames until the line has been quiet for `quiet` s."""
        data = link.read_for(quiet)
        out = []
        for _ in range(50):
            if not data:
                break
            out.append(data)
            data = link.read_for(quiet)
        frames, rest = devsim._SPLITS[kind](b"".join(out))
        return frames


class Strips(DeviceCase):

    def test_call_puts_the_frame_on_window_3_and_the_board(self):
        w3 = self.pty("w3")
        board = devsim.TcpListener()
        self.addCleanup(board.close)
        h = self.start_hall([
            strip("w3-strip", 3, w3),
            {"name": "board", "role": "hall_board", "protocol": "bx", "rows": 3,
             "width": 24, "reply_ms": 0, "transport": "tcp:127.0.0.1:%d" % board.port},
        ])
        board.wait_connected(10)
        # At start each display gets its state: the idle strip, an empty board.
        f = self.texts(w3)[0]
        self.assertEqual(f["text"], "3号窗口")
        f = board.read_frames("bx", 1, 5)[0]
        self.assertEqual(f["text_gb"], b"")

        t = h.issue_ok("SB01")
        self.assertEqual(t["number"], "A001")
        r = h.win(3, "call-next")
        self.assertEqual(r.status, 200, r)

        # Exactly the frame the public format gives for this text.
        raw = w3.read_frames("bx", 1, 5)[0]["raw"]
        want = devsim.bx_text_frame(3, STRIP_W3, width=128, height=16, mode=1, stay=10,
                                    flag=0x01)
        self.assertEqual(raw, want, "\n%s\n%s" % (raw.hex(), want.hex()))
        f = devsim.bx_frames(raw)[0]
        self.assertEqual((f["dst"], f["src"], f["group"], f["cmd"]), (3, 0x8000, 0xA3, 0x06))
        self.assertEqual(f["text_gb"], STRIP_W3.encode("gb2312"))
        self.assertTrue(f["gb2312"])

        # The board: the call on its top row, rows padded to 24 columns.
        f = board.read_frames("bx", 1, 5)[0]
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["dst"], f["width_px"], f["height"]), (1, 24 * 8, 48))
        self.assertEqual(f["text_gb"], STRIP_W3.encode("gb2312").ljust(24))

        # A second call scrolls the first down; a recall brings it back up.
        h.issue_ok("YB01")
        self.assertEqual(h.win(4, "call-next").status, 200)
        f = board.read_frames("bx", 1, 5)[0]
        rows = [f["text_gb"][i:i + 24].decode("gb2312").rstrip() for i in range(0, 48, 24)]
        self.assertEqual(rows, ["B001 请到4号窗口", STRIP_W3])
        self.assertEqual(w3.read_for(0.3), b"", "window 4's call is not window 3's business")

        self.assertEqual(h.win(3, "recall").status, 200)
        self.assertEqual(w3.read_frames("bx", 1, 5)[0]["raw"], want, "recall re-sends")
        f = board.read_frames("bx", 1, 5)[0]
        rows = [f["text_gb"][i:i + 24].decode("gb2312").rstrip() for i in range(0, 48, 24)]
        self.assertEqual(rows, [STRIP_W3, "B001 请到4号窗口"])

        # Start, finish, pause, close: the window's own texts.
        self.assertEqual(h.win(3, "start").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], "A001 正在办理")
        self.assertEqual(h.win(3, "finish").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], "3号窗口")
        self.assertEqual(h.win(3, "pause").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], "暂停服务")
        self.assertEqual(h.win(3, "close").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], "停止服务")

        d = self.devices()
        self.assertTrue(d["w3-strip"]["up"] and d["board"]["up"])
        self.assertEqual(d["w3-strip"]["errors"], 0)
        self.assertGreaterEqual(d["w3-strip"]["frames_sent"], 7)
        ups = self.events(("device.up",))
        self.assertEqual(sorted(e["device"] for e in ups), ["board", "w3-strip"])

    def test_reload_reopens_devices_with_the_new_texts(self):
        import signal
        w3 = self.pty("w3")
        h = self.start_hall([strip("w3-strip", 3, w3)])
        self.assertEqual(self.texts(w3)[0]["text"], "3号窗口")
        h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.texts(w3)
        seq = h.status()["seq"]
        conf = h.config(devices=[strip("w3-strip", 3, w3, called_text="请{number}到{window}号")])
        h.write_config(conf)
        h.signal(signal.SIGHUP)
        self.wait_event("device.up", lambda e: e["device"] == "w3-strip", seq)
        # Reopened: the current state, in the new words.
        self.assertEqual(self.settle(w3, quiet=0.5)[-1]["text"], "请A001到3号")
        # A config that fails its checks changes nothing.
        bad = h.config(devices=[strip("w3-strip", 3, w3, protocol="toaster")])
        h.write_config(bad)
        h.signal(signal.SIGHUP)
        time.sleep(0.5)
        self.assertEqual(h.win(3, "recall").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], "请A001到3号")

    def test_width_charset_and_replacements(self):
        w3 = self.pty("w3")
        w4 = self.pty("w4")
        h = self.start_hall([
            # 11 columns: "A001 " then 社保参 (6) — the next 汉字 would need 2 more.
            strip("w3-strip", 3, w3, width=11, called_text="{number} {matter}"),
            # 镕 is not in GB2312: shown as '?', counted; GB18030 has it.
            strip("w4-strip", 4, w4, idle_text="朱镕基{window}", charset="GB2312"),
        ])
        self.assertEqual(self.texts(w4)[0]["text_gb"], "朱?基4".encode("gb2312"))
        self.texts(w3)
        h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        f = self.texts(w3)[0]
        self.assertEqual(f["text_gb"], "A001 社保参".encode("gb2312"))
        self.assertEqual(len(f["text_gb"]), 11)
        d = self.wait_device("w4-strip", lambda d: d["replaced_chars"] >= 1)
        self.assertEqual(self.devices()["w3-strip"]["replaced_chars"], 0)
        self.assertGreaterEqual(d["replaced_chars"], 1)

    def test_ft12_pad_display(self):
        pad = self.pty("pad")
        h = self.start_hall([{"name": "w5-pad", "role": "window_display", "window": 5,
                              "protocol": "ft12", "address": 5,
                              "transport": "tty:" + pad.daemon_path}])
        # Window 5 starts closed: a dark display.
        f = pad.read_frames("ft12", 1, 5)[0]
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["addr"], f["func"], f["digits"]), (5, 0x02, "      "))
        self.assertEqual(h.win(5, "open").status, 200)
        h.issue_ok("BDC01")
        t = h.issue_ok("BDC01")
        self.assertEqual(h.win(5, "call-next").status, 200)
        frames = pad.read_frames("ft12", 2, 5)
        disp = [f for f in frames if f["func"] == 0x02]
        self.assertEqual(disp[-1]["digits"], "   001")
        self.assertTrue(any(f["func"] == 0x03 and f["addr"] == 5 for f in frames),
                        "a call beeps the pad: %r" % frames)
        # Independently built: FF 68 08 08 68 05 02 0A 0A 0A 00 00 01 CS 16.
        want = devsim.ft12_frame(5, 0x02, bytes([10, 10, 10, 0, 0, 1]))
        self.assertEqual(want[-2], (5 + 2 + 30 + 1) & 0xFF)
        self.assertEqual(disp[-1]["raw"], want)
        self.assertEqual(h.win(5, "finish").status, 200)
        self.assertEqual(h.win(5, "call-next").status, 200)
        num = t["number"]
        f = [f for f in pad.read_frames("ft12", 2, 5) if f["func"] == 0x02][-1]
        self.assertEqual(f["digits"], num[-3:].rjust(6))


class Modbus(DeviceCase):

    def test_modbus_display_registers(self):
        link = self.pty("mb")
        slave = devsim.ModbusSlave(link.peer_path, [4])
        self.addCleanup(slave.stop)
        h = self.start_hall([{"name": "w4-num", "role": "window_display", "window": 4,
                              "protocol": "modbus", "address": 4, "reply_ms": 500,
                              "transport": "tty:" + link.daemon_path}])
        slave.wait_writes(2, 10, unit=4)
        d = slave.display(4)
        self.assertEqual((d["window"], d["ticket"], d["waiting"], d["text"]),
                         (4, "", 0, "4号窗口"))
        h.issue_ok("YB01")
        h.issue_ok("YB01")
        deadline = time.monotonic() + 10
        while slave.display(4)["waiting"] != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(slave.display(4)["waiting"], 2)
        n = len(slave.writes)
        self.assertEqual(h.win(4, "call-next").status, 200)
        want = (4, "B001", 1, "B001 请到4号窗口", 1)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            d = slave.display(4)
            if (d["window"], d["ticket"], d["waiting"], d["text"], d["beep"]) == want:
                break
            time.sleep(0.05)
        self.assertEqual((d["window"], d["ticket"], d["waiting"], d["text"], d["beep"]), want)
        # The call's writes: numbers, text, then the beep.
        news = slave.writes[n:]
        beep = [i for i, w in enumerate(news) if w[2] == 0x0020]
        self.assertEqual(len(beep), 1, news)
        calls = news[beep[0] - 2:beep[0] + 1]
        self.assertEqual([(u, f, a) for u, f, a, _ in calls],
                         [(4, 16, 0x0000), (4, 16, 0x0010), (4, 6, 0x0020)])
        # The registers as written: ticket "B001" padded with 0x20.
        self.assertEqual(list(calls[0][3]), [4, 0x4230, 0x3031, 0x2020, 1])
        self.wait_device("w4-num", lambda d: d["replies"] == len(slave.writes))

    def test_modbus_garbled_and_silent_replies_are_counted(self):
        link = self.pty("mb")
        slave = devsim.ModbusSlave(link.peer_path, [4])
        self.addCleanup(slave.stop)
        h = self.start_hall([{"name": "w4-num", "role": "window_display", "window": 4,
                              "protocol": "modbus", "address": 4, "reply_ms": 200,
                              "transport": "tty:" + link.daemon_path}])
        slave.wait_writes(2, 10, unit=4)
        slave.fault = "bad_crc"
        h.issue_ok("YB01")
        self.wait_device("w4-num", lambda d: d["bad_replies"] >= 1)
        slave.fault = "silent"
        h.issue_ok("YB01")
        self.wait_device("w4-num", lambda d: d["timeouts"] >= 1)
        slave.fault = None
        self.assertEqual(h.win(4, "call-next").status, 200)
        deadline = time.monotonic() + 10
        # The ticket's registers and the text are separate writes: wait for both.
        while (slave.display(4)["ticket"], slave.display(4)["text"]) != \
                ("B001", "B001 请到4号窗口") and time.monotonic() < deadline:
            time.sleep(0.05)
        d = slave.display(4)
        self.assertEqual((d["ticket"], d["text"]), ("B001", "B001 请到4号窗口"))
        self.assertEqual(h.status()["ok"], True)


class Unplug(DeviceCase):

    def test_unplug_calls_go_on_and_the_return_gets_the_state(self):
        w3 = self.pty("w3")
        h = self.start_hall([strip("w3-strip", 3, w3)])
        self.texts(w3)
        h.issue_ok("SB01")
        h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(self.texts(w3)[0]["text"], STRIP_W3)
        seq = h.status()["seq"]

        w3.kill()
        down = self.wait_event("device.down", lambda e: e["device"] == "w3-strip", seq)
        self.assertTrue(down["reason"])
        # The hall goes on without its strip.
        self.assertEqual(h.win(3, "finish").status, 200)
        r = h.win(3, "call-next")
        self.assertEqual(r.status, 200, r)
        self.assertEqual(r.json["ticket"]["number"], "A002")
        self.assertFalse(self.devices()["w3-strip"]["up"])
        seq2 = h.status()["seq"]

        w3.restart()
        self.wait_event("device.up", lambda e: e["device"] == "w3-strip", seq2)
        # What it shows now — not the history it missed.
        frames = self.settle(w3, quiet=0.5)
        self.assertEqual([f["text"] for f in frames], ["A002 请到3号窗口"])
        d = self.devices()["w3-strip"]
        self.assertTrue(d["up"])
        self.assertGreaterEqual(d["reconnects"], 1)
        # Exactly one down for the episode, however many retries it took.
        downs = [e for e in self.events(("device.down",), seq) if e["device"] == "w3-strip"]
        self.assertEqual(len(downs), 1)

    def test_garbage_and_truncated_bx_replies(self):
        w3 = self.pty("w3")
        h = self.start_hall([strip("w3-strip", 3, w3, reply_ms=200)])
        self.texts(w3)
        # A controller that answers ACK: one frame per state, no retries.
        resp = devsim.bx_auto_ack(w3)
        h.issue_ok("SB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.wait_device("w3-strip", lambda d: d["replies"] >= 1)
        resp.stop()
        w3.drain(0.3)
        before = self.devices()["w3-strip"]

        # Noise, then a reply cut short, then one with a bad CRC.
        self.assertEqual(h.win(3, "recall").status, 200)
        self.texts(w3)
        w3.write(b"\x00\x11garbage\xff")
        w3.write(devsim.bx_reply(3)[:12])
        d = self.wait_device("w3-strip", lambda d: d["bad_replies"] > before["bad_replies"])
        self.assertGreater(d["garbage_bytes"], before["garbage_bytes"])
        w3.drain(0.8)
        bad = bytearray(devsim.bx_reply(3))
        bad[-2] ^= 0x55
        self.assertEqual(h.win(3, "recall").status, 200)
        self.texts(w3)
        w3.write(bytes(bad))
        self.wait_device("w3-strip", lambda d: d["bad_replies"] >= before["bad_replies"] + 2)
        # A NACK is counted as the display's refusal.
        w3.drain(0.8)
        self.assertEqual(h.win(3, "recall").status, 200)
        self.texts(w3)
        w3.write(devsim.bx_reply(3, status=0x0C))
        d = self.wait_device("w3-strip", lambda d: d["nacks"] >= 1)
        self.assertIn("FONT", (d["last_error"] or "").upper())
        # The hall keeps serving, and the strip keeps getting frames.
        h.issue_ok("SB01")
        self.assertEqual(h.win(3, "finish").status, 200)
        self.assertEqual(h.win(3, "call-next").status, 200)
        frames = self.settle(w3, quiet=0.5)
        self.assertIn("A002 请到3号窗口", [f.get("text") for f in frames])
        self.assertTrue(h.alive())


ZH_A001_W3 = ["zh/qing", "zh/A", "zh/0", "zh/0", "zh/1", "zh/hao", "zh/dao", "zh/3",
              "zh/hao_chuangkou", "zh/banli"]
EN_A001_W3 = ["en/number", "en/A", "en/0", "en/0", "en/1", "en/please_go_to_window",
              "en/n3"]


class Voice(DeviceCase):

    def test_announcement_clips_exist(self):
        h = self.start_hall([], **{"voice": {"languages": ["zh", "en"], "repeat": 2}})
        h.issue_ok("SB01")
        seq = h.status()["seq"]
        self.assertEqual(h.win(3, "call-next").status, 200)
        evs = h.events(seq)
        self.assertEqual([e["type"] for e in evs], ["ticket.called", "call.announce"])
        a = evs[1]
        self.assertEqual((a["number"], a["window"], a["recall"]), ("A001", 3, False))
        self.assertEqual(a["clips"], ["chime"] + (ZH_A001_W3 + EN_A001_W3) * 2)
        self.assertEqual(h.win(3, "recall").status, 200)
        a2 = self.events(("call.announce",), a["seq"])[0]
        self.assertTrue(a2["recall"])
        self.assertEqual(a2["clips"], a["clips"])
        # Every clip it names is served, as a WAV file.
        for clip in sorted(set(a["clips"])):
            with urllib.request.urlopen("http://127.0.0.1:%d/voice/%s.wav"
                                        % (h.port, clip), timeout=5) as r:
                body = r.read()
                self.assertEqual(r.status, 200, clip)
                self.assertEqual(body[:4], b"RIFF", clip)
                self.assertEqual(body[8:12], b"WAVE", clip)
                self.assertGreater(len(body), 1000, clip)
        # Window 12 in Chinese is 十二, the number still one digit at a time.
        self.assertEqual(h.req("GET", "/voice/zh/shi.wav").status, 200)

    def test_player_never_overlaps(self):
        log = os.path.join(self.tmp(), "played.log")
        player = os.path.join(self.tmp(), "player.sh")
        with open(player, "w") as f:
            f.write("#!/bin/sh\necho \"start $(date +%%s.%%N) $*\" >> %s\n"
                    "sleep 0.4\necho \"end $(date +%%s.%%N)\" >> %s\n" % (log, log))
        os.chmod(player, stat.S_IRWXU)
        h = self.start_hall([], **{"voice": {"languages": ["zh"], "repeat": 1,
                                             "player": player}})
        h.issue_ok("SB01")
        h.issue_ok("YB01")
        self.assertEqual(h.win(3, "call-next").status, 200)
        self.assertEqual(h.win(4, "call-next").status, 200)
        self.assertEqual(h.win(3, "recall").status, 200)
        deadline = time.monotonic() + 10
        lines = []
        while time.monotonic() < deadline:
            try:
                with open(log) as f:
                    lines = f.read().split("\n")
            except OSError:
                pass
            if sum(1 for x in lines if x.startswith("end")) == 3:
                break
            time.sleep(0.1)
        lines = [x.split() for x in lines if x]
        self.assertEqual([x[0] for x in lines], ["start", "end"] * 3, lines)
        starts = [x for x in lines if x[0] == "start"]
        voice_dir = os.path.join(os.path.dirname(os.path.dirname(
            os.path.dirname(os.path.abspath(__file__)))), "web", "voice")
        self.assertEqual(starts[0][2:], [os.path.join(voice_dir, c + ".wav")
                                         for c in ["chime"] + ZH_A001_W3])
        self.assertIn(os.path.join(voice_dir, "zh/4.wav"), starts[1][2:])
        for x in starts:
            for p in x[2:]:
                self.assertTrue(os.path.isfile(p), p)
        r = h.req("GET", "/api/devices", None, "m1")
        self.assertEqual(r.json["voice_player"]["played"], 3)
        self.assertEqual(r.json["voice_player"]["failed"], 0)

    def test_devices_api_needs_a_manager(self):
        h = self.start_hall([])
        self.assertEqual(h.req("GET", "/api/devices", None, "d1").status, 403)
        self.assertEqual(h.req("GET", "/api/devices").status, 401)
        r = h.req("GET", "/api/devices", None, "a1")
        self.assertEqual((r.status, r.json["devices"]), (200, []))


if __name__ == "__main__":
    unittest.main()
