"""The device simulators on their own, without a daemon: the decoders on
byte vectors checked by hand (the worked examples of protocols/README.md,
the frames published with LuckyKoala/BX5KProtocol, and hand-escaped ones),
socat pty pairs and TCP listeners, and pymodbus as a Modbus RTU slave
driven by requests built here with their own CRC."""
import errno
import os
import select
import shutil
import socket
import tempfile
import threading
import time
import unittest

import devsim
from devsim import (PtyPair, TcpListener, ModbusSlave, bx_frames, bx_split, bx_frame,
                    bx_reply, bx_text_frame, bx_auto_ack, ft12_frames, ft12_split,
                    ft12_frame, ft12_key, ft12_display, regs_to_text, text_to_regs,
                    decode_display, ft12_waiting, ft12_beep, Ft12Bus, Ft12Pad,
                    ModbusKeypad, Ev1527Receiver, ev1527_frame, ev1527_frames)


def h(s):
    return bytes.fromhex(s)


PRE = "A5 A5 A5 A5 A5 A5 A5 A5 "


def crc_reflected(data, init):
    """CRC with the reflected polynomial 0xA001, written out here (not
    devsim's): ARC with init 0, MODBUS with init 0xFFFF."""
    crc = init
    for byte in data:
        for bit in range(8):
            mix = (crc ^ (byte >> bit)) & 1
            crc >>= 1
            if mix:
                crc ^= 0xA001
    return crc


def mb(hexstr):
    """A Modbus RTU frame: the bytes and their CRC, low byte first."""
    b = h(hexstr)
    return b + crc_reflected(b, 0xFFFF).to_bytes(2, "little")


class Checksums(unittest.TestCase):

    def test_check_values(self):
        # the catalogue check values of CRC-16/ARC and CRC-16/MODBUS
        self.assertEqual(crc_reflected(b"123456789", 0), 0xBB3D)
        self.assertEqual(crc_reflected(b"123456789", 0xFFFF), 0x4B37)
        self.assertEqual(devsim.crc16_arc(b"123456789"), 0xBB3D)
        self.assertEqual(devsim.crc16_modbus(b"123456789"), 0x4B37)
        # protocols/README.md: 01 03 00 00 00 0A C5 CD
        self.assertEqual(mb("01 03 00 00 00 0A"), h("01 03 00 00 00 0A C5 CD"))


class Bx(unittest.TestCase):

    # LuckyKoala/BX5KProtocol's published ping; also protocols/README.md
    PING = h(PRE + "01 00 00 80 00 00 00 00 00 00 FE 02 05 00 A2 00 01 00 00 68 F8 5A")
    # protocols/README.md: "A012 请到3号窗口" to screen 3
    TEXT = h(PRE + "03 00 00 80 00 00 00 00 00 00 FE 02 3A 00"
             " A3 06 01 00 00  00 01 31 00"
             " 00 00 00 00 00 10 00 10 00  00 00 01 00 00 00 00 00"
             " 01 01 01 00 00 00  16 00 00 00  5C 46 4F 30 30 30"
             " 41 30 31 32 20 C7 EB B5 BD 33 BA C5 B4 B0 BF DA  63 A3 5A")

    def test_ping(self):
        [f] = bx_frames(self.PING)
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["dst"], f["src"], f["device_type"], f["version"], f["length"]),
                         (1, 0x8000, 0xFE, 2, 5))
        self.assertEqual((f["group"], f["cmd"], f["flag"], f["payload"]), (0xA2, 0, 1, b""))
        self.assertEqual(f["crc"], 0xF868)
        self.assertEqual(f["preamble"], 8)
        self.assertEqual(f["raw"], self.PING)
        self.assertEqual(bx_frame(1, 0xA2, 0x00), self.PING)

    def test_luckykoala_status_and_clear(self):
        for grp, cmd, crc in ((0xA1, 0x02, "2D 40"), (0xA3, 0x10, "51 F8")):
            raw = h(PRE + "01 00 00 80 00 00 00 00 00 00 FE 02 05 00 %02X %02X 01 00 00 %s 5A"
                    % (grp, cmd, crc))
            [f] = bx_frames(raw)
            self.assertTrue(f["ok"], f)
            self.assertEqual((f["group"], f["cmd"]), (grp, cmd))

    def test_text_readme_example(self):
        [f] = bx_frames(self.TEXT)
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["dst"], f["src"], f["length"]), (3, 0x8000, 58))
        self.assertEqual((f["group"], f["cmd"], f["flag"]), (0xA3, 0x06, 1))
        self.assertEqual(f["crc"], 0xA363)
        self.assertEqual((f["areas_delete"], f["area_count"], len(f["areas"])), (0, 1, 1))
        self.assertEqual((f["x_px"], f["y"], f["width_px"], f["height"]), (0, 0, 128, 16))
        self.assertEqual((f["area"], f["mode"], f["run_mode"], f["multi_line"], f["wrap"]),
                         (0, 1, 1, 1, 1))
        self.assertEqual(f["area_len"], 49)
        self.assertEqual(f["text_len"], 22)
        self.assertEqual(f["text_bytes"], b"\\FO000A012 " + h("C7 EB B5 BD 33 BA C5 B4 B0 BF DA"))
        self.assertEqual(f["font"], "O000")
        self.assertEqual(f["text"], "A012 请到3号窗口")
        self.assertTrue(f["gb2312"])
        self.assertEqual(f["areas"][0]["text"], "A012 请到3号窗口")
        # the same frame built by devsim's encoder
        self.assertEqual(bx_text_frame(3, "A012 请到3号窗口"), self.TEXT)

    def test_luckykoala_display_example(self):
        # BX4K.c's commented display() frame: multi-line, move left, 192x32,
        # process mode 2D, text without a font escape; CRC A8 7D
        raw = h(PRE + "01 00 00 80 00 00 00 00 00 00 FE 02 32 00 A3 06 01 2D 00"
                " 00 01 29 00 00 00 00 00 00 18 00 20 00 00 00 00 02 00 00 00 00"
                " 02 02 03 00 04 05 0E 00 00 00"
                " 30 31 32 33 34 35 51 52 53 54 54 56 27 42 A8 7D 5A")
        [f] = bx_frames(raw)
        self.assertTrue(f["ok"], f)
        self.assertEqual(f["reserved2"], h("2D 00"))
        self.assertEqual((f["width_px"], f["height"], f["run_mode"], f["timeout"]),
                         (192, 32, 0, 2))
        self.assertEqual((f["multi_line"], f["wrap"], f["mode"], f["speed"], f["stay"]),
                         (2, 2, 3, 4, 5))
        self.assertIsNone(f["font"])
        self.assertEqual(f["text"], "012345QRSTTV'B")

    def test_escapes(self):
        # dst 0x5AA5 -> A5 5A -> A6 02 5B 02; payload A6 5B -> A6 01 5B 01;
        # CRC over the unescaped bytes 0x4296 -> 96 42
        raw = h(PRE + "A6 02 5B 02 00 80 00 00 00 00 00 00 FE 02 07 00"
                " A1 02 01 00 00 A6 01 5B 01 96 42 5A")
        [f] = bx_frames(raw)
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["dst"], f["length"], f["payload"], f["crc"]),
                         (0x5AA5, 7, h("A6 5B"), 0x4296))
        self.assertEqual(bx_frame(0x5AA5, 0xA1, 0x02, h("A6 5B")), raw)
        # an escaped CRC: dst 0xA65B (5B A6 -> 5B 01 A6 01), CRC 0x3EA5 -> A6 02 3E
        raw2 = h("A5 5B 01 A6 01 00 80 00 00 00 00 00 00 FE 02 05 00 A1 02 01 00 00 A6 02 3E 5A")
        [g] = bx_frames(raw2)
        self.assertTrue(g["ok"], g)
        self.assertEqual((g["dst"], g["crc"], g["preamble"]), (0xA65B, 0x3EA5, 1))

    def test_bad_crc_then_good(self):
        bad = bytearray(self.PING)
        bad[-2] ^= 0x01                       # 68 F8 -> 68 F9
        fs = bx_frames(bytes(bad) + self.PING)
        self.assertEqual(len(fs), 2, fs)
        self.assertFalse(fs[0]["ok"])
        self.assertIn("CRC", fs[0]["error"])
        self.assertEqual((fs[0]["crc"], fs[0]["crc_calc"]), (0xF968, 0xF868))
        self.assertTrue(fs[1]["ok"], fs[1])

    def test_bad_length(self):
        raw = h(PRE + "01 00 00 80 00 00 00 00 00 00 FE 02 06 00 A2 00 01 00 00 68 F8 5A")
        [f] = bx_frames(raw)
        self.assertFalse(f["ok"])
        self.assertIn("says 6 data bytes", f["error"])
        short = h(PRE + "01 00 00 80 00 5A")
        [g] = bx_frames(short)
        self.assertFalse(g["ok"])
        self.assertIn("shorter", g["error"])

    def test_garbage_cutoff_escape_incomplete(self):
        cut = h(PRE + "01 00 00 80 00 00")           # a new preamble cuts it
        fs = bx_frames(h("00 11") + cut + self.PING + h("A5 A5 01 00 A6 03 5A") + self.PING[:12])
        self.assertEqual([f["ok"] for f in fs], [False, False, True, False, False], fs)
        self.assertIn("garbage", fs[0]["error"])
        self.assertEqual(fs[0]["raw"], h("00 11"))
        self.assertIn("cut off", fs[1]["error"])
        self.assertIn("bad escape A6 03", fs[3]["error"])
        self.assertIn("incomplete", fs[4]["error"])

    def test_streaming_split(self):
        stream = self.TEXT + self.PING
        frames, buf = [], b""
        for i in range(len(stream)):
            got, buf = bx_split(buf + stream[i:i + 1])
            frames.extend(got)
        self.assertEqual(buf, b"")
        self.assertEqual([(f["ok"], f["group"]) for f in frames], [(True, 0xA3), (True, 0xA2)])

    def test_reply(self):
        ack = bx_reply(3)
        # from 3 to 8000, device type 51 (5K1), A0 00, status 0, CRC 0x4B7C
        self.assertEqual(ack, h(PRE + "00 80 03 00 00 00 00 00 00 00 51 02 05 00"
                                " A0 00 00 00 00 7C 4B 5A"))
        [f] = bx_frames(ack)
        self.assertTrue(f["ok"] and f["ack"], f)
        self.assertEqual((f["src"], f["dst"], f["status"]), (3, 0x8000, 0))
        nack = bx_reply(3, 12)
        self.assertEqual(nack, h(PRE + "00 80 03 00 00 00 00 00 00 00 51 02 05 00"
                                 " A0 01 0C 00 00 BD B4 5A"))
        [g] = bx_frames(nack)
        self.assertTrue(g["ok"], g)
        self.assertFalse(g["ack"])
        self.assertEqual((g["cmd"], g["status"], g["status_name"]), (1, 12, "ERR_FONT_NOT_EXIST"))


class Ft12(unittest.TestCase):

    def test_readme_examples(self):
        [d] = ft12_frames(h("FF 68 08 08 68 01 02 0A 0A 0A 00 01 02 24 16"))
        self.assertTrue(d["ok"], d)
        self.assertEqual((d["addr"], d["func"], d["digits"]), (1, 2, "   012"))
        self.assertEqual(ft12_display(1, "   012"), d["raw"])
        [b] = ft12_frames(h("FF 68 02 02 68 03 03 06 16"))
        self.assertTrue(b["ok"] and b["beep"], b)
        self.assertEqual((b["addr"], b["data"]), (3, b""))
        self.assertEqual(ft12_frame(3, 3), b["raw"])
        keys = h("FF 68 03 03 68 05 01 0C 12 16  FF 68 03 03 68 05 01 0F 15 16"
                 "  FF 68 03 03 68 05 01 06 0C 16")
        fs = ft12_frames(keys)
        self.assertEqual([(f["ok"], f["addr"], f["key"], f["key_name"]) for f in fs],
                         [(True, 5, 0x0C, "call"), (True, 5, 0x0F, "confirm"),
                          (True, 5, 0x06, "6")])
        self.assertEqual(ft12_key(5, "call") + ft12_key(5, "confirm") + ft12_key(5, 6), keys)

    def test_bad_frames(self):
        good = h("FF 68 03 03 68 05 01 0F 15 16")
        fs = ft12_frames(h("FF 68 03 03 68 05 01 0C 13 16") + good)   # CS 13, not 12
        self.assertEqual([f["ok"] for f in fs], [False, True], fs)
        self.assertIn("checksum", fs[0]["error"])
        fs = ft12_frames(h("FF 68 03 04 68 05 01 0C 12 16") + good)
        self.assertEqual([f["ok"] for f in fs], [False, True], fs)
        self.assertIn("length bytes differ", fs[0]["error"])
        fs = ft12_frames(h("FF 68 03 03 68 05 01 0C 12 17") + good)
        self.assertIn("end byte", fs[0]["error"])
        self.assertTrue(fs[1]["ok"])
        fs = ft12_frames(h("FF 68 08 08 68 01 02 0A 0B 0A 00 01 02 25 16"))
        self.assertFalse(fs[0]["ok"])
        self.assertEqual(fs[0]["digits"], " ? 012")

    def test_preamble_garbage_incomplete(self):
        fs = ft12_frames(h("00 12 FF FF FF 68 03 03 68 05 01 0F 15 16 FF 68 03 03 68 05"))
        self.assertEqual([f["ok"] for f in fs], [False, True, False], fs)
        self.assertEqual(fs[0]["raw"], h("00 12"))
        self.assertEqual((fs[1]["preamble"], fs[1]["key_name"]), (3, "confirm"))
        self.assertIn("incomplete", fs[2]["error"])
        frames, rest = ft12_split(h("FF 68 03 03 68 05 01 0F 15 16 FF"))
        self.assertEqual((len(frames), rest), (1, h("FF")))


class ModbusText(unittest.TestCase):

    def test_regs_to_text(self):
        # protocols/README.md: 请到3号窗口 = C7EB B5BD 33 BAC5 B4B0 BFDA, space padded
        regs = [0xC7EB, 0xB5BD, 0x33BA, 0xC5B4, 0xB0BF, 0xDA20] + [0x2020] * 10
        self.assertEqual(regs_to_text(regs), "请到3号窗口")
        self.assertEqual(text_to_regs("请到3号窗口", 16), regs)
        self.assertEqual(regs_to_text([0x4130, 0x3132, 0x2020]), "A012")
        self.assertEqual(regs_to_text([0x4130, 0x3132, 0x0000]), "A012")
        self.assertEqual(regs_to_text([0x4100, 0x3132]), "A")
        regs = [3, 0x4130, 0x3132, 0x2020, 7] + [0] * 11 + text_to_regs("请到3号窗口", 16) + [2]
        self.assertEqual(decode_display(regs), {"window": 3, "ticket": "A012", "waiting": 7,
                                                "text": "请到3号窗口", "beep": 2})


def read_fd(fd, n, timeout=3.0):
    """Read exactly n bytes from fd (or what came in timeout)."""
    out = b""
    deadline = time.monotonic() + timeout
    for _ in range(10000):
        left = deadline - time.monotonic()
        if len(out) >= n or left <= 0:
            break
        r, _, _ = select.select([fd], [], [], left)
        if r:
            try:
                d = os.read(fd, n - len(out))
            except BlockingIOError:
                continue
            if not d:
                break
            out += d
    return out


def open_tty(path):
    return os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)


class TmpCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp(prefix="devsim-test-")
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.fds = []
        self.addCleanup(self._close_fds)

    def _close_fds(self):
        for fd in self.fds:
            try:
                os.close(fd)
            except OSError:
                pass

    def open_tty(self, path):
        fd = open_tty(path)
        self.fds.append(fd)
        return fd


class Pty(TmpCase):

    def test_round_trip_kill_restart(self):
        pair = PtyPair(self.dir)
        self.addCleanup(pair.close)
        self.assertTrue(os.path.exists(pair.daemon_path))
        d = self.open_tty(pair.daemon_path)         # as the daemon would
        os.write(d, PtyPairData.FRAME)
        got = pair.read_until(lambda b: len(b) >= len(PtyPairData.FRAME), 3)
        self.assertEqual(got, PtyPairData.FRAME)
        pair.write(b"\x01\x02\xA5\x5A")
        self.assertEqual(read_fd(d, 4), b"\x01\x02\xA5\x5A")
        # the peer goes away and comes back: socat stays, bytes wait
        pair.close_peer()
        os.write(d, b"while closed")
        time.sleep(0.1)
        self.assertTrue(pair.alive())
        self.assertEqual(pair.read_until(lambda b: b.endswith(b"closed"), 3), b"while closed")
        self.assertEqual(pair.read_for(0.1), b"")
        # frames across reads
        os.write(d, PtyPairData.FRAME[:7])
        time.sleep(0.05)
        os.write(d, PtyPairData.FRAME[7:] + bx_reply(1))
        fs = pair.read_frames("bx", 2, 3)
        self.assertEqual([f["group"] for f in fs], [0xA2, 0xA0])
        # unplug: the daemon's side reads EOF and cannot write; the path is gone
        pair.kill()
        self.assertFalse(pair.alive())
        self.assertFalse(os.path.lexists(pair.daemon_path))
        r, _, _ = select.select([d], [], [], 2)
        self.assertTrue(r, "no hangup seen on the daemon's side")
        try:
            self.assertEqual(os.read(d, 100), b"")
        except OSError as e:
            self.assertEqual(e.errno, errno.EIO)
        with self.assertRaises(OSError) as cm:
            os.write(d, b"x")
        self.assertEqual(cm.exception.errno, errno.EIO)
        with self.assertRaises(FileNotFoundError):
            open_tty(pair.daemon_path)
        # plug a new one in at the same path
        pair.restart()
        self.assertTrue(pair.alive())
        d2 = self.open_tty(pair.daemon_path)
        os.write(d2, b"second device")
        self.assertEqual(pair.read_until(lambda b: b.endswith(b"device"), 3), b"second device")
        pair.write(b"back")
        self.assertEqual(read_fd(d2, 4), b"back")
        pair.close()
        self.assertFalse(pair.alive())

    def test_read_until_times_out(self):
        with PtyPair(self.dir, name="quiet") as pair:
            t0 = time.monotonic()
            with self.assertRaises(AssertionError):
                pair.read_until(lambda b: b"x" in b, 0.3)
            self.assertLess(time.monotonic() - t0, 1.5)

    def test_bx_auto_ack(self):
        pair = PtyPair(self.dir)
        self.addCleanup(pair.close)
        d = self.open_tty(pair.daemon_path)
        resp = bx_auto_ack(pair)
        self.addCleanup(resp.stop)
        os.write(d, Bx.TEXT)
        got = b""
        for _ in range(100):
            got += read_fd(d, 1000, 0.05)
            if bx_split(got)[0]:
                break
        [f] = bx_frames(got)
        self.assertTrue(f["ok"] and f["ack"], f)
        self.assertEqual(f["src"], 3)
        self.assertEqual(resp.wait_frames(1, 2)[0]["text"], "A012 请到3号窗口")
        resp.stop()


class PtyPairData:
    FRAME = Bx.PING


class Tcp(unittest.TestCase):

    def test_round_trip_restart_kill(self):
        lis = TcpListener()
        self.addCleanup(lis.close)
        self.assertGreater(lis.port, 0)
        self.assertFalse(lis.connected())
        s = socket.create_connection(("127.0.0.1", lis.port), timeout=3)
        self.addCleanup(s.close)
        lis.wait_connected(3)
        s.sendall(Bx.PING)
        [f] = lis.read_frames("bx", 1, 3)
        self.assertTrue(f["ok"], f)
        lis.write(bx_reply(1))
        got = b""
        for _ in range(20):
            got += s.recv(100)
            if got.endswith(b"\x5A"):
                break
        self.assertEqual(got, bx_reply(1))
        # the client hangs up: this socat is done, a new one on the same port
        s.close()
        lis.wait_closed(3)
        self.assertFalse(lis.alive())
        port = lis.port
        lis.restart()
        self.assertEqual(lis.port, port)
        s2 = socket.create_connection(("127.0.0.1", port), timeout=3)
        self.addCleanup(s2.close)
        s2.sendall(b"hello")
        self.assertEqual(lis.read_until(lambda b: b == b"hello", 3), b"hello")
        # kill: the client reads EOF, new connects are refused
        lis.kill()
        self.assertEqual(s2.recv(10), b"")
        with self.assertRaises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=3).close()


class Modbus(TmpCase):

    def request(self, fd, req, nreply, timeout=2.0):
        os.write(fd, req)
        return read_fd(fd, nreply, timeout)

    def test_slave(self):
        pair = PtyPair(self.dir)
        self.addCleanup(pair.close)
        t0 = time.monotonic()
        slave = ModbusSlave(pair.peer_path, [1, 2])
        self.addCleanup(slave.stop)
        m = self.open_tty(pair.daemon_path)          # the test is the master
        # README: call A012 at window 3, function 16
        req = h("01 10 00 00 00 04 08 00 03 41 30 31 32 20 20 7D 44")
        self.assertEqual(req, mb("01 10 00 00 00 04 08 00 03 41 30 31 32 20 20"))
        self.assertEqual(self.request(m, req, 8), h("01 10 00 00 00 04 C1 CA"))
        self.assertEqual(slave.holding(1, 0, 4), [3, 0x4130, 0x3132, 0x2020])
        self.assertEqual(slave.writes, [(1, 16, 0, [3, 0x4130, 0x3132, 0x2020])])
        self.assertEqual(slave.holding(2, 0, 4), [0, 0, 0, 0])
        # function 03 reads it back
        rep = self.request(m, mb("01 03 00 00 00 04"), 13)
        self.assertEqual(rep, mb("01 03 08 00 03 41 30 31 32 20 20"))
        self.assertEqual(slave.reads[-1], (1, 3, 0, 4))
        # README: text and beep
        req = h("01 10 00 10 00 10 20 C7 EB B5 BD 33 BA C5 B4 B0 BF DA" + " 20" * 21 + " 11 28")
        self.assertEqual(self.request(m, req, 8), mb("01 10 00 10 00 10"))
        beep = h("01 06 00 20 00 01 49 C0")
        self.assertEqual(self.request(m, beep, 8), beep)
        self.assertEqual(slave.display(1), {"window": 3, "ticket": "A012", "waiting": 0,
                                            "text": "请到3号窗口", "beep": 1})
        self.assertEqual(slave.writes[-1], (1, 6, 0x20, [1]))
        self.assertEqual(len(slave.wait_writes(3, 1, unit=1)), 3)
        # function 04 of set_input values, unit 2
        slave.set_input(2, 5, [1234, 0xBEEF])
        rep = self.request(m, mb("02 04 00 05 00 02"), 9)
        self.assertEqual(rep, mb("02 04 04 04 D2 BE EF"))
        # README: a read past the registers -> exception 2
        self.assertEqual(self.request(m, mb("01 03 00 3F 00 02"), 5), h("01 83 02 C0 F1"))
        # a unit it does not serve, and a bad CRC: no answer
        self.assertEqual(self.request(m, mb("09 03 00 00 00 01"), 1, 0.3), b"")
        self.assertEqual(self.request(m, h("01 03 00 00 00 01 00 00"), 1, 0.3), b"")
        # faults
        slave.fault = "silent"
        self.assertEqual(self.request(m, mb("01 03 00 00 00 01"), 1, 0.3), b"")
        slave.fault = "bad_crc"
        rep = self.request(m, mb("01 03 00 00 00 01"), 7)
        self.assertEqual(rep[:5], h("01 03 02 00 03"))
        self.assertNotEqual(rep, mb("01 03 02 00 03"))
        slave.fault = 6
        self.assertEqual(self.request(m, mb("01 03 00 00 00 01"), 5), mb("01 83 06"))
        slave.fault = None
        self.assertEqual(self.request(m, mb("01 03 00 00 00 01"), 7), mb("01 03 02 00 03"))
        self.assertLess(time.monotonic() - t0, 6)
        # stop really stops
        t1 = time.monotonic()
        slave.stop()
        self.assertLess(time.monotonic() - t1, 2)
        self.assertEqual(self.request(m, mb("01 03 00 00 00 01"), 1, 0.3), b"")

    def test_slave_follows_replug(self):
        pair = PtyPair(self.dir)
        self.addCleanup(pair.close)
        slave = ModbusSlave(pair.peer_path, [7])
        self.addCleanup(slave.stop)
        pair.kill()
        slave.wait_connected(3, connected=False)
        pair.restart()
        slave.wait_connected(3)
        m = self.open_tty(pair.daemon_path)
        self.assertEqual(self.request(m, mb("07 06 00 04 00 09"), 8), mb("07 06 00 04 00 09"))
        self.assertEqual(slave.holding(7, 4, 1), [9])


# ------------------------------------------------------------ input devices


class Ft12Waiting(unittest.TestCase):

    def test_func04_and_beep_frames(self):
        # waiting 7 at pad 5: cells 0A 0A 07, CS = 05+04+0A+0A+07 = 0x24
        raw = h("FF 68 05 05 68 05 04 0A 0A 07 24 16")
        self.assertEqual(ft12_waiting(5, 7), raw)
        [f] = ft12_frames(raw)
        self.assertTrue(f["ok"], f)
        self.assertEqual((f["func"], f["digits"], f["waiting"]), (4, "  7", 7))
        [g] = ft12_frames(ft12_waiting(1, 120))
        self.assertEqual((g["digits"], g["waiting"]), ("120", 120))
        [b] = ft12_frames(ft12_frame(1, 0x04, h("0A 0A 0A")))
        self.assertTrue(b["ok"])
        self.assertIsNone(b["waiting"])
        [e] = ft12_frames(ft12_frame(1, 0x04, h("01 0A 02")))
        self.assertFalse(e["ok"])
        [e] = ft12_frames(ft12_frame(1, 0x04, h("01 02")))
        self.assertIn("2 cells", e["error"])
        self.assertEqual(ft12_beep(3), h("FF 68 02 02 68 03 03 06 16"))


class FtHost:
    """The host end of an ft12 bus, written here: reads the daemon side of
    a PtyPair, echoes key frames (unless told not to), sends frames."""

    def __init__(self, fd):
        self.fd = fd
        self.keys = []            # raw key frames received
        self.echo = True
        self.skip = 0             # echoes to leave out
        self.delay = 0.0
        self.stop_ev = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def run(self):
        buf = b""
        for _ in range(100000):
            if self.stop_ev.is_set():
                return
            r, _, _ = select.select([self.fd], [], [], 0.02)
            if not r:
                continue
            try:
                d = os.read(self.fd, 1000)
            except OSError:
                time.sleep(0.02)
                continue
            # find FF 68 03 03 68 .. 16 key frames by hand
            buf += d
            for _ in range(1000):
                i = buf.find(b"\xFF\x68")
                if i < 0 or len(buf) - i < 10:
                    break
                fr = buf[i:i + 10]
                buf = buf[i + 10:]
                with self.lock:
                    self.keys.append(fr)
                    skip = self.skip > 0
                    if skip:
                        self.skip -= 1
                if self.echo and not skip:
                    if self.delay:
                        time.sleep(self.delay)
                    os.write(self.fd, fr)

    def send(self, data):
        os.write(self.fd, data)

    def wait_keys(self, n, timeout=3.0):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.01) + 10):
            with self.lock:
                if len(self.keys) >= n:
                    return list(self.keys)
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        raise AssertionError("host got %d of %d key frames: %r" % (len(self.keys), n, self.keys))

    def stop(self):
        self.stop_ev.set()
        self.thread.join(2)


class Ft12PadSim(TmpCase):

    def setUp(self):
        super().setUp()
        self.pair = PtyPair(self.dir)
        self.addCleanup(self.pair.close)
        self.host = FtHost(self.open_tty(self.pair.daemon_path))
        self.addCleanup(self.host.stop)

    def pad(self, addr, **kw):
        p = Ft12Pad(self.pair.peer_path, addr, **kw)
        self.addCleanup(p.stop)
        return p

    def test_press_echo_display_waiting_beep(self):
        pad = self.pad(5)
        self.assertTrue(pad.press("call"))
        # protocols/README.md: pad 5 presses call
        self.assertEqual(self.host.wait_keys(1), [h("FF 68 03 03 68 05 01 0C 12 16")])
        self.assertEqual((pad.presses, pad.echoes, pad.resends, pad.failed), (1, 1, 0, 0))
        self.assertEqual((pad.stray_echoes, pad.echo_mismatch), (0, 0))
        self.assertTrue(pad.confirm(6))
        self.assertEqual(self.host.wait_keys(3)[1:], [h("FF 68 03 03 68 05 01 06 0C 16"),
                                                      h("FF 68 03 03 68 05 01 0F 15 16")])
        for name, code in (("evaluate", 0x0B), ("recall", 0x0D), ("pause", 0x12),
                           ("transfer", 0x13), (9, 0x09)):
            self.assertTrue(pad.press(name))
            self.assertEqual(self.host.wait_keys(1)[-1][7], code)
        with self.assertRaises(ValueError):
            pad.press("nosuchkey")
        self.assertIsNone(pad.display)
        self.assertIsNone(pad.waiting)
        self.host.send(h("FF 68 08 08 68 05 02 0A 0A 0A 00 01 02 28 16"))   # "   012"
        self.assertEqual(pad.wait_display("   012", 2), "   012")
        self.host.send(h("FF 68 05 05 68 05 04 0A 0A 07 24 16"))
        pad.wait_waiting(7, 2)
        self.host.send(h("FF 68 02 02 68 05 03 08 16") * 2)
        pad.wait_beeps(2, 2)
        self.assertEqual(pad.beeps, 2)
        # a display with a bad cell: kept in .bad, the display unchanged
        self.host.send(ft12_frame(5, 0x02, h("0A 0B 0A 00 01 02")) + ft12_display(5, "  7001"))
        pad.wait_display("7001", 2)
        self.assertEqual(len(pad.bad), 1)
        self.assertEqual(pad.display, "  7001")
        with self.assertRaises(AssertionError):
            pad.wait_display("999999", 0.1)

    def test_resend_and_no_echo(self):
        pad = self.pad(1, echo_timeout=0.15)
        self.host.skip = 1                   # the first echo never comes
        t0 = time.monotonic()
        self.assertTrue(pad.press("recall"))
        self.assertGreaterEqual(time.monotonic() - t0, 0.14)
        keys = self.host.wait_keys(2)
        self.assertEqual(keys, [ft12_key(1, "recall")] * 2)   # a resend is the same bytes
        self.assertEqual((pad.echoes, pad.resends, pad.failed), (1, 1, 0))
        # no echo at all: 3 tries, then False
        self.host.echo = False
        t0 = time.monotonic()
        self.assertFalse(pad.press(3))
        self.assertLess(time.monotonic() - t0, 1.0)
        self.assertEqual(self.host.wait_keys(5)[2:], [ft12_key(1, 3)] * 3)
        self.assertEqual((pad.presses, pad.resends, pad.failed), (2, 3, 1))
        # the pad misses an echo the host did send
        self.host.echo = True
        pad.lose_echoes(1)
        self.assertTrue(pad.press("call"))
        self.assertEqual(len(self.host.wait_keys(7)), 7)
        self.assertEqual((pad.lost_echoes, pad.resends, pad.stray_echoes), (1, 4, 0))
        # an echo that comes too late is stray
        self.host.delay = 0.25
        pad.press("pause", tries=1)
        for _ in range(100):
            if pad.stray_echoes:
                break
            time.sleep(0.01)
        self.assertEqual(pad.stray_echoes, 1)

    def test_two_pads_one_bus(self):
        p1, p2 = self.pad(1), self.pad(2)
        self.assertIs(p1.bus, p2.bus)
        with self.assertRaises(AssertionError):
            Ft12Pad(self.pair.peer_path, 2)
        res = {}
        ts = [threading.Thread(target=lambda p=p, k=k: res.__setitem__(p.addr, p.press(k)))
              for p, k in ((p1, "call"), (p2, "transfer"))]
        for t in ts:
            t.start()
        for t in ts:
            t.join(3)
        self.assertEqual(res, {1: True, 2: True})
        self.assertEqual(sorted(self.host.wait_keys(2)),
                         sorted([ft12_key(1, "call"), ft12_key(2, "transfer")]))
        self.host.send(ft12_display(1, "   101") + ft12_display(9, "   909") +
                       ft12_display(2, "   202") + ft12_waiting(2, 15) +
                       h("FF 68 03 03 68 01 01 0C 0E 16") + b"\x00\x13")
        p1.wait_display("   101", 2)
        p2.wait_display("   202", 2)
        p2.wait_waiting(15, 2)
        bus = p1.bus
        for _ in range(200):
            if bus.other and bus.bad:
                break
            time.sleep(0.01)
        self.assertEqual([(f["addr"], f["digits"]) for f in bus.other], [(9, "   909")])
        self.assertEqual([f["raw"] for f in bus.bad], [b"\x00\x13"])
        self.assertEqual(p1.stray_echoes, 1)      # a key frame nobody waited for
        self.assertIsNone(p1.waiting)
        self.assertEqual(p2.beeps, 0)
        # an explicit bus cannot be made twice; the shared one closes with its last pad
        with self.assertRaises(AssertionError):
            Ft12Bus(self.pair.peer_path)
        p1.stop()
        self.assertTrue(bus.alive())
        p2.stop()
        self.assertFalse(bus.alive())
        with Ft12Bus(self.pair.peer_path) as bus2:
            p3 = bus2.pad(3, echo_timeout=0.2)
            self.assertTrue(p3.press(4))
            p3.stop()
            self.assertTrue(bus2.alive())

    def test_replug(self):
        pad = self.pad(7, echo_timeout=0.2)
        self.assertTrue(pad.press("call"))
        self.host.stop()
        self.pair.restart()
        self.host = FtHost(self.open_tty(self.pair.daemon_path))
        self.addCleanup(self.host.stop)
        for _ in range(300):
            if pad.bus.reopens and pad.bus.connected():
                break
            time.sleep(0.01)
        self.assertEqual(pad.bus.reopens, 1)
        self.assertTrue(pad.press("recall"))
        self.host.send(ft12_display(7, "000123"))
        pad.wait_display("000123", 2)


class KeypadMaster:
    """A Modbus RTU master written here (CRC by crc_reflected above)."""

    def __init__(self, fd):
        self.fd = fd

    def xfer(self, req, nreply, timeout=3.0):
        os.write(self.fd, mb(req))
        return read_fd(self.fd, nreply, timeout)

    def read(self, unit, timeout=3.0):
        """04 0x0000 x6 -> 6 registers, or None if no reply came."""
        rep = self.xfer("%02X 04 00 00 00 06" % unit, 17, timeout)
        if not rep:
            return None
        assert len(rep) == 17, rep.hex(" ")
        assert rep[:3] == bytes((unit, 4, 12)), rep.hex(" ")
        assert crc_reflected(rep[:-2], 0xFFFF).to_bytes(2, "little") == rep[-2:], rep.hex(" ")
        return [int.from_bytes(rep[3 + 2 * i:5 + 2 * i], "big") for i in range(6)]

    def ack(self, unit, seq, timeout=3.0):
        """06 at 0x0030; True when the echo came."""
        req = "%02X 06 00 30 %02X %02X" % (unit, seq >> 8, seq & 0xFF)
        rep = self.xfer(req, 8, timeout)
        if not rep:
            return False
        assert rep == mb(req), rep.hex(" ")
        return True

    def poll(self, unit, handled, last):
        """One poll as a daemon would do it: read; a new event (seq not
        the last handled) is handled once; the exposed event is acked.
        Returns the last handled seq."""
        r = self.read(unit, 0.2)
        if r is None or r[1] == 0:
            return last
        seq = r[0]
        if seq != last:
            handled.append((seq, r[1], r[2], r[3]))
            last = seq
        self.ack(unit, seq, 0.2)
        return last


class ModbusKeypadSim(TmpCase):

    def setUp(self):
        super().setUp()
        self.pair = PtyPair(self.dir)
        self.addCleanup(self.pair.close)
        self.kp = ModbusKeypad(self.pair.peer_path, [1, 2])
        self.addCleanup(self.kp.stop)
        self.m = KeypadMaster(self.open_tty(self.pair.daemon_path))

    def test_events_ack_and_lost_replies(self):
        kp, m = self.kp, self.m
        self.assertEqual(m.read(1), [0, 0, 0, 0, 0, 0])
        self.assertEqual(kp.press(1, "call"), 1)
        self.assertEqual(kp.press(1, 4), 2)
        self.assertEqual(kp.press(1, "confirm"), 3)      # arg: the digit before
        self.assertEqual(kp.confirm(1, 7), 4)
        self.assertEqual([(e["seq"], e["code"], e["arg"]) for e in kp.pending(1)],
                         [(1, 0x0C, 0), (2, 4, 0), (3, 0x0F, 4), (4, 0x0F, 7)])
        self.assertEqual(m.read(1), [1, 1, 0x0C, 0, 0, 1])
        # the reply to the next read is lost: the read happened, no bytes came
        nreads = len(kp.reads)
        kp.drop_next_reply(1, 4)
        self.assertIsNone(m.read(1, 0.2))
        self.assertEqual(kp.reads[nreads:], [(1, 4, 0, 6)])
        self.assertEqual(kp.dropped, [(1, 4)])
        # the same event comes back, and is acknowledged once
        self.assertEqual(m.read(1), [1, 1, 0x0C, 0, 0, 1])
        self.assertTrue(m.ack(1, 1))
        self.assertEqual(kp.acked(1), [1])
        self.assertTrue(m.ack(1, 1))                      # a repeat changes nothing
        self.assertTrue(m.ack(1, 99))                     # nor does a wrong seq
        self.assertEqual(kp.acked(1), [1])
        self.assertEqual(m.read(1), [2, 1, 4, 0, 0, 1])
        # the ack's reply is lost: the device took it; the master's retry is ignored
        kp.drop_next_reply(1, 6)
        self.assertFalse(m.ack(1, 2, 0.2))
        self.assertTrue(m.ack(1, 2))
        self.assertEqual(kp.acked(1), [1, 2])
        self.assertEqual(m.read(1), [3, 1, 0x0F, 4, 0, 1])
        self.assertTrue(m.ack(1, 3))
        self.assertEqual(m.read(1), [4, 1, 0x0F, 7, 0, 1])
        self.assertTrue(m.ack(1, 4))
        self.assertEqual(m.read(1), [4, 0, 0, 0, 0, 0])   # none pending: the last acked
        self.assertEqual(kp.acked(1), [1, 2, 3, 4])
        self.assertEqual(kp.pending(1), [])
        self.assertEqual(m.read(2), [0, 0, 0, 0, 0, 0])   # unit 2 untouched
        self.assertEqual(kp.state(1)["seq"], 4)

    def test_master_loop_neither_loses_nor_doubles(self):
        kp, m = self.kp, self.m
        for k in ("call", 1, 2, "confirm", "recall", "pause"):
            kp.press(2, k)
        kp.drop_next_reply(2, 4)           # a lost read
        kp.drop_next_reply(2, 6, count=2)  # two lost acks
        handled, last = [], 0
        for _ in range(20):
            last = m.poll(2, handled, last)
            if not kp.pending(2):
                break
        self.assertEqual([(s, c, a) for s, _, c, a in handled],
                         [(1, 0x0C, 0), (2, 1, 0), (3, 2, 0), (4, 0x0F, 2),
                          (5, 0x0D, 0), (6, 0x12, 0)])
        self.assertEqual(kp.acked(2), [1, 2, 3, 4, 5, 6])
        self.assertEqual(kp.dropped, [(2, 4), (2, 6), (2, 6)])
        self.assertEqual(kp.wait(lambda: kp.state(2)["status"] == 0, 1), True)

    def test_rating(self):
        kp, m = self.kp, self.m
        self.assertFalse(kp.rate(1, 5))                   # no prompt
        with self.assertRaises(ValueError):
            kp.rate(1, 6)
        # RATE_PROMPT := 1, RATE_TICKET := 100000 (0x000186A0), one function 16
        req = "01 10 00 31 00 03 06 00 01 00 01 86 A0"
        self.assertEqual(m.xfer(req, 8), mb("01 10 00 31 00 03"))
        self.assertEqual(m.read(1), [0, 0, 0, 0, 0, 2])
        d = kp.display(1)
        self.assertEqual((d["rate_prompt"], d["rate_ticket"], d["window"]), (1, 100000, 0))
        self.assertEqual(kp.rate(1, 4), 1)
        self.assertEqual(kp.display(1)["rate_prompt"], 0)  # the device turned it off
        self.assertFalse(kp.rate(1, 3))
        self.assertEqual(m.read(1), [1, 2, 4, 0, 4, 1])
        self.assertEqual(kp.events(1)[0]["ticket"], 100000)
        self.assertTrue(m.ack(1, 1))
        self.assertTrue(m.ack(1, 0))                      # the host writes 0 later
        self.assertEqual(m.xfer("01 06 00 31 00 00", 8), mb("01 06 00 31 00 00"))
        self.assertEqual(m.read(1), [1, 0, 0, 0, 4, 0])
        # the display registers work as on ModbusSlave
        self.assertEqual(m.xfer("01 10 00 00 00 04 08 00 03 41 30 31 32 20 20", 8),
                         mb("01 10 00 00 00 04"))
        self.assertEqual(kp.display(1)["ticket"], "A012")

    def test_wrap_overflow_power_cycle(self):
        kp, m = self.kp, self.m
        kp.power_cycle(1, next_seq=65535)
        self.assertEqual((kp.press(1, "call"), kp.press(1, "recall")), (65535, 1))
        self.assertEqual(m.read(1), [65535, 1, 0x0C, 0, 0, 1])
        self.assertTrue(m.ack(1, 65535))
        self.assertEqual(m.read(1), [1, 1, 0x0D, 0, 0, 1])
        self.assertTrue(m.ack(1, 1))
        self.assertEqual(kp.acked(1), [65535, 1])
        kp.fifo_size = 2
        self.assertEqual([kp.press(1, 0), kp.press(1, 1), kp.press(1, 2)], [2, 3, None])
        self.assertEqual(kp.overflow(1), 1)
        kp.power_cycle(1)
        self.assertEqual(m.read(1), [0, 0, 0, 0, 0, 0])
        self.assertEqual(kp.press(1, "evaluate"), 1)
        with self.assertRaises(AssertionError):
            kp.wait(lambda: kp.acked(1) == [1], 0.1)


class Ev1527(TmpCase):

    def test_frames_on_the_wire(self):
        pair = PtyPair(self.dir)
        self.addCleanup(pair.close)
        d = self.open_tty(pair.daemon_path)
        rx = Ev1527Receiver(pair.peer_path)
        self.addCleanup(rx.stop)
        rx.click(0xABCDE, 3)
        raw = read_fd(d, 5)
        self.assertEqual(raw, h("FD AB CD E3 DF"))
        b1, b2, b3 = raw[1:4]
        self.assertEqual(((b1 << 12) | (b2 << 4) | (b3 >> 4), b3 & 0x0F), (0xABCDE, 3))
        t0 = time.monotonic()
        self.assertEqual(rx.hold(0x00001, 0x0F, 0.3, every=0.1), 3)
        self.assertGreaterEqual(time.monotonic() - t0, 0.19)
        self.assertEqual(read_fd(d, 15), h("FD 00 00 1F DF") * 3)
        rx.write(b"\x00FD")
        self.assertEqual(read_fd(d, 3), b"\x00FD")
        self.assertEqual(rx.sent, 4)
        self.assertEqual(rx.received(), b"")
        os.write(d, b"?")
        self.assertEqual(rx.received(0.1), b"?")
        with self.assertRaises(ValueError):
            ev1527_frame(1 << 20, 0)
        fs = ev1527_frames(h("00 FD AB CD E3 DF FD 01 02 03 04 FD 12 34 5F DF FD 01"))
        self.assertEqual([f["ok"] for f in fs], [False, True, False, True, False])
        self.assertEqual((fs[1]["id"], fs[1]["key"]), (0xABCDE, 3))
        self.assertEqual((fs[3]["id"], fs[3]["key"]), (0x12345, 0x0F))
        self.assertEqual(ev1527_frame(0x12345, 0x0F), h("FD 12 34 5F DF"))
        # a replug: the next write opens the path again
        pair.restart()
        d2 = self.open_tty(pair.daemon_path)
        rx.click(0x00010, 1)
        self.assertEqual(read_fd(d2, 5), h("FD 00 01 01 DF"))


if __name__ == "__main__":
    unittest.main()
