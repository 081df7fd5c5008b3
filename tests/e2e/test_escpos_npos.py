"""The independent ESC/POS decoder (tests/escpos/decode.js: npm's npos with
a GS ( k rule, iconv-lite for GB18030) on tickets built here by hand, byte
by byte from the ESC/POS command reference, without the daemon."""
import unittest
from unittest import mock

import escpos_npos

ESC, FS, GS, DLE = b"\x1b", b"\x1c", b"\x1d", b"\x10"
LF = b"\n"

HALL = "示范县政务服务中心"
MATTER = "社保参保登记"
AHEAD = "前面还有 3 人"
URL = "http://127.0.0.1:8080/t/42?token=abcdef0123456789"


def gb(s):
    return s.encode("gb18030")


def gs_k(fn, params):
    """GS ( k pL pH cn=49 fn params (QR code), pL pH = len(cn fn params)."""
    n = 2 + len(params)
    return GS + b"(k" + bytes([n & 0xFF, n >> 8, 49, fn]) + params


def qr(payload, size=6, ec=49):
    data = payload.encode("utf-8")
    return (gs_k(65, b"\x32\x00")          # fn 65: model 2
            + gs_k(67, bytes([size]))      # fn 67: module size
            + gs_k(69, bytes([ec]))        # fn 69: error correction (49 = M)
            + gs_k(80, b"\x30" + data)     # fn 80: store, m = 48
            + gs_k(81, b"\x30"))           # fn 81: print


def ticket(number="A012", garbage=()):
    """A ticket as hallqd lays it out; garbage[i] is put after part i."""
    parts = [
        ESC + b"@",                          # initialise
        FS + b"&",                           # Chinese character mode
        ESC + b"a\x01",                      # centre
        ESC + b"E\x01" + gb(HALL) + ESC + b"E\x00" + LF,
        GS + b"!\x33" + number.encode("ascii") + GS + b"!\x00" + LF,
        gb(MATTER) + LF,
        gb(AHEAD) + LF,
        qr(URL) + LF,
        ESC + b"d\x03",                      # feed 3 lines
        GS + b"V\x42\x00",                   # feed and partial cut
    ]
    out = b""
    for i, p in enumerate(parts):
        out += p
        if i < len(garbage):
            out += garbage[i]
    return out


class GsK(unittest.TestCase):
    def test_bytes_match_the_reference(self):
        # the reference's own examples of the five functions
        self.assertEqual(gs_k(65, b"\x32\x00"), bytes.fromhex("1D 28 6B 04 00 31 41 32 00"))
        self.assertEqual(gs_k(67, b"\x06"), bytes.fromhex("1D 28 6B 03 00 31 43 06"))
        self.assertEqual(gs_k(69, b"\x31"), bytes.fromhex("1D 28 6B 03 00 31 45 31"))
        self.assertEqual(gs_k(81, b"\x30"), bytes.fromhex("1D 28 6B 03 00 31 51 30"))
        store = gs_k(80, b"\x30" + URL.encode())
        k = len(URL)
        self.assertEqual(store[:8], bytes([0x1D, 0x28, 0x6B, (k + 3) & 0xFF, (k + 3) >> 8,
                                           0x31, 0x50, 0x30]))


def lcg_bytes(n, seed=12345):
    x, out = seed, bytearray()
    for _ in range(n):
        x = (1103515245 * x + 12345) & 0x7FFFFFFF
        out.append(x >> 16 & 0xFF)
    return bytes(out)


GARBAGE = [
    b"",
    ESC + b"\xfe",                          # ESC with an unknown function
    GS + b"(z\x02\x00ab",                   # an unknown GS ( x with its block
    b"",
    FS + b"\x99",                           # unknown FS
    b"",
    GS + b"8X",                             # GS 8 but not GS 8 L
    b"",
    ESC,                                    # a stray ESC before GS V
    b"",
]
LONG_URL = URL + "&pad=" + "x" * 300


def spoilt_tickets(count):
    """The ticket with three bytes overwritten, `count` times over."""
    whole, rnd, out = ticket(), lcg_bytes(6 * count, seed=777), []
    for i in range(count):
        b = bytearray(whole)
        for j in range(3):
            b[rnd[i * 6 + j] * len(b) // 256] = rnd[i * 6 + 3 + j]
        out.append(bytes(b))
    return out


class Decode(unittest.TestCase):
    """All inputs but the first go through one node process (decode_many)."""

    @classmethod
    def setUpClass(cls):
        whole = ticket()
        cls.inputs = {
            "other": (DLE + b"\x04\x01" + FS + b"&" + gb("号") + FS + b"." + b"x" + LF
                      + GS + b"V\x00" + GS + b"V\x01" + GS + b"V\x41\x05" + GS + b"V\x00"),
            "long": ESC + b"@" + qr(LONG_URL) + LF + b"after" + LF,
            "garbage": ticket(garbage=GARBAGE) + GS,      # and a bare GS at the end
            "random": lcg_bytes(4000),
            "empty": b"",
        }
        for n in range(len(whole) + 1):
            cls.inputs["prefix%d" % n] = whole[:n]
        for i, b in enumerate(spoilt_tickets(200)):
            cls.inputs["spoilt%d" % i] = b
        names = list(cls.inputs)
        res = escpos_npos.decode_many([cls.inputs[k] for k in names])
        cls.res = dict(zip(names, res))

    def test_ticket(self):
        t = escpos_npos.decode(ticket())
        self.assertEqual(t["texts"], [HALL, "A012", MATTER, AHEAD])
        self.assertEqual(t["qr"], [URL])
        self.assertEqual(t["qr_model"], 2)
        self.assertEqual(t["qr_size"], 6)
        self.assertEqual(t["qr_ec"], "M")
        self.assertEqual(t["qr_printed"], 1)
        self.assertTrue(t["cut"])
        self.assertEqual(t["cuts"], 1)
        self.assertTrue(t["chinese_mode"])
        self.assertFalse(t["chinese_off"])
        self.assertEqual(t["sizes"], [0x33, 0])
        self.assertEqual(t["big_text"], ["A012"])
        self.assertEqual(t["align"], [1])
        self.assertEqual(t["bold"], [1, 0])
        self.assertEqual(t["feeds"], 3)
        self.assertEqual(t["unknown"], [])
        self.assertIsNone(t["error"])
        self.assertEqual(t["ops"], [
            "ESC @", "FS &", "ESC a 1", "ESC E 1", "ESC E 0", "GS ! 0x33", "GS ! 0x00",
            "GS ( k 65", "GS ( k 67", "GS ( k 69", "GS ( k 80", "GS ( k 81",
            "ESC d 3", "GS V 66"])
        # the batch path gives the same
        self.assertEqual(self.res["prefix%d" % len(ticket())], t)

    def test_other_cuts_status_and_fs_dot(self):
        t = self.res["other"]
        self.assertEqual(t["status"], [1])
        self.assertTrue(t["chinese_mode"])
        self.assertTrue(t["chinese_off"])
        self.assertEqual(t["texts"], ["号x"])
        self.assertTrue(t["cut"])
        self.assertEqual(t["cuts"], 4)       # the last one ends the stream
        self.assertEqual(t["unknown"], [])

    def test_long_qr_payload_uses_ph(self):
        t = self.res["long"]
        self.assertEqual(t["qr"], [LONG_URL])
        self.assertEqual(t["texts"], ["after"])
        self.assertEqual(t["unknown"], [])

    def test_garbage_between_commands(self):
        t = self.res["garbage"]
        self.assertIsNone(t["error"])
        self.assertEqual(t["unknown"], ["1b fe", "1d 28 7a 02 00 61 62", "1c 99",
                                        "1d 38", "1b", "1d"])
        # "X" after GS 8 is text before the QR's line feed
        self.assertEqual(t["texts"], [HALL, "A012", MATTER, AHEAD, "X"])
        self.assertEqual(t["qr"], [URL])
        self.assertEqual(t["qr_model"], 2)
        self.assertTrue(t["cut"])
        self.assertTrue(t["chinese_mode"])
        self.assertEqual(t["big_text"], ["A012"])

    def test_cut_short_and_random_bytes(self):
        whole = ticket()
        # every prefix of the ticket decodes; none stops the decoder
        for n in range(len(whole) + 1):
            t = self.res["prefix%d" % n]
            self.assertIsNone(t["error"], n)
            self.assertIsInstance(t["texts"], list)
        self.assertEqual(self.res["prefix0"]["texts"], [])
        # cut inside the QR store: no payload, the stub is reported
        t = self.res["prefix%d" % (whole.index(b"1P0") + 10)]
        self.assertEqual(t["qr"], [])
        self.assertTrue(t["unknown"][-1].startswith("1d 28 6b"))
        # random bytes, and the ticket with bytes overwritten: never a crash
        for k, t in self.res.items():
            self.assertIsNone(t["error"], k)
        self.assertEqual(self.res["empty"]["texts"], [])


class Setup(unittest.TestCase):

    def test_missing_node_modules_says_how_to_fix(self):
        with mock.patch.object(escpos_npos, "NODE_MODULES", "/nonexistent/node_modules"):
            self.assertFalse(escpos_npos.available())
            with self.assertRaises(escpos_npos.DecoderUnavailable) as cm:
                escpos_npos.decode(ticket())
        self.assertIn("npm ci --prefix tests/escpos", str(cm.exception))
        self.assertTrue(escpos_npos.available())


if __name__ == "__main__":
    unittest.main()
