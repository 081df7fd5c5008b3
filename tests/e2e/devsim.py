"""devsim.py — the device side of the end-to-end tests: simulated serial and
TCP devices, and decoders for what the daemon sends them.

Links (each one socat process in its own session, killed with its group):

    PtyPair(tmpdir)   two linked ptys: the daemon opens .daemon_path
                      (config "tty:PATH"), the test reads and writes the peer.
    TcpListener()     socat listening on 127.0.0.1:.port; the daemon
                      connects as a client, the test reads and writes socat's
                      stdin/stdout.

Decoders, written from the public formats (protocols/README.md, Onbon's
and LuckyKoala's published frames, the Modbus spec), not from protocols/*.c:

    bx_frames / bx_split / bx_frame / bx_reply     Onbon BX-5K/6K
    ft12_frames / ft12_split / ft12_frame / ft12_key   keypad/display bus
      (ft12_display / ft12_waiting / ft12_beep: frames a host sends)
    regs_to_text / decode_display                  Modbus display registers
    decode_keypad_inputs                           Modbus keypad input registers
    ev1527_frame / ev1527_frames                   433 MHz receiver output

ModbusSlave(port_path, unit_ids) is Debian's pymodbus 3.0.0rc1 serving Modbus
RTU on a pty, in a thread of its own.  Responder answers frames in the
background (e.g. a BX controller's ACKs).

Input devices (the daemon reads them), on a PtyPair's peer_path:

    Ft12Pad(path, addr)        a 叫号 window pad on an ft12 bus (pyserial):
                               press()/confirm() wait for the host's echo
                               and resend like real pads; .display,
                               .waiting, .beeps from what the host sends.
                               Pads on one path share an Ft12Bus.
    ModbusKeypad(path, units)  ModbusSlave with keypad/evaluator firmware:
                               an acknowledged event FIFO in input
                               registers 0x0000-0x0005, ratings, and
                               drop_next_reply() to lose a reply.
    Ev1527Receiver(path)       a 433 MHz receiver printing FD b1 b2 b3 DF.

What socat 1.7.4.4 does (checked on this machine, Linux 6.x):

  * `socat PTY,raw,echo=0,link=A PTY,raw,echo=0,link=B` creates the links
    within a few ms.  socat keeps both slave sides open itself, so either
    side may be closed and opened again by its user while socat runs: socat
    does not exit, and bytes written while the other side was closed wait in
    the pty and are delivered when it is opened again.
  * SIGTERM: socat removes both links and exits 143.  SIGKILL: the links stay
    behind, dangling.  A user of a pty then reads EOF (read() returns 0, poll
    says POLLHUP) and write() fails with EIO.  kill() here uses SIGKILL (an
    unplugged cable does not say goodbye) and then removes the dangling links,
    as the device node of an unplugged USB adapter disappears; opening the
    path fails with ENOENT until restart().
  * A new socat with the same link= paths replaces old links.  The new links
    point at new /dev/pts/N (the number may be reused): the daemon must close
    and open the path again to reach the new peer.
  * TCP-LISTEN without fork serves one connection and exits when it ends.
    With fork and STDIO the children share the one stdin: a child still in
    its 0.5 s close timeout eats what the test writes for the next
    connection, and killing the parent leaves the child running.  So
    TcpListener serves one connection; restart() listens again on the same
    port (reuseaddr).  socat -d -d logs "listening on AF=2 127.0.0.1:PORT",
    which is how port 0 (the kernel's choice) becomes known.

Every wait is bounded in time and in iterations.
"""
import atexit
import itertools
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import weakref

SOCAT = shutil.which("socat") or "/usr/bin/socat"

# ------------------------------------------------------------ process reaping

_live = weakref.WeakSet()


def _kill_group(proc, sig=signal.SIGKILL, timeout=5):
    """Kill proc's whole process group (it was started in its own session)
    and reap proc.  Never raises for a process that is already gone."""
    if proc is None:
        return
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        except PermissionError:
            proc.kill()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            pass
    _live.discard(proc)


@atexit.register
def _kill_leftovers():
    for p in list(_live):
        _kill_group(p, signal.SIGKILL, 2)


def _spawn(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, log=None):
    err = open(log, "wb") if log else subprocess.DEVNULL
    try:
        p = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=err,
                             start_new_session=True, close_fds=True)
    finally:
        if log:
            err.close()
    _live.add(p)
    return p


def _read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", "replace")
    except OSError:
        return ""


def _hex(b, limit=200):
    s = b[:limit].hex(" ")
    return s + (" ...(%d bytes)" % len(b) if len(b) > limit else "")


def _check_socat_path(p):
    # socat address syntax: these would split or end the address
    for ch in ",:!\"'\\ ":
        if ch in p:
            raise ValueError("path %r has %r, which socat cannot take" % (p, ch))


# ------------------------------------------------------------ links


class _Link:
    """Read/write helpers over one fd pair.  Subclasses set _rfd/_wfd (or
    open them lazily in _ensure_open)."""

    POLL = 0.02

    def __init__(self):
        self._rfd = None
        self._wfd = None
        self._pending = b""      # a partial frame left over by read_frames
        self.eof = False         # the last read saw EOF / EIO

    def _ensure_open(self):
        if self._rfd is None:
            raise OSError("link is not open")

    def _read_once(self, wait):
        """Bytes available within `wait` s (b"" if none); sets .eof."""
        self._ensure_open()
        try:
            r, _, _ = select.select([self._rfd], [], [], max(wait, 0))
        except (OSError, ValueError):
            self.eof = True
            return b""
        if not r:
            return b""
        try:
            d = os.read(self._rfd, 65536)
        except BlockingIOError:
            return b""
        except OSError:            # EIO: the pty's other side went away
            self.eof = True
            time.sleep(min(wait, self.POLL))
            return b""
        if not d:
            self.eof = True
            time.sleep(min(wait, self.POLL))   # EOF keeps select ready
        else:
            self.eof = False
        return d

    def read_for(self, seconds, max_bytes=1 << 22):
        """Everything that arrives within `seconds` (stops early at max_bytes)."""
        out = self._take_pending()
        deadline = time.monotonic() + seconds
        for _ in range(int(seconds / self.POLL) + 10000):
            left = deadline - time.monotonic()
            if left <= 0 or len(out) >= max_bytes:
                break
            out += self._read_once(min(left, 0.1))
        return out

    def read_until(self, predicate, timeout=5.0, max_bytes=1 << 22):
        """Read until predicate(all bytes so far) is true; returns those
        bytes.  Raises AssertionError on timeout, showing what came."""
        out = self._take_pending()
        if out and predicate(out):
            return out
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / self.POLL) + 10000):
            left = deadline - time.monotonic()
            if left <= 0 or len(out) >= max_bytes:
                break
            d = self._read_once(min(left, 0.1))
            if d:
                out += d
                if predicate(out):
                    return out
        raise AssertionError("%s: condition not met in %.1f s; got %d bytes: %s" %
                             (self.__class__.__name__, timeout, len(out), _hex(out)))

    def read_frames(self, kind, count=1, timeout=5.0):
        """Read until `count` complete frames (good or bad) have come;
        returns them all (maybe more than count).  kind: "bx", "ft12" or a
        split function (data -> (frames, rest)).  A partial frame left at the
        end waits for the next read_frames call."""
        split = _SPLITS[kind] if isinstance(kind, str) else kind
        buf = self._take_pending()
        frames = []
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / self.POLL) + 10000):
            fr, buf = split(buf)
            frames.extend(fr)
            if len(frames) >= count:
                self._pending = buf
                return frames
            left = deadline - time.monotonic()
            if left <= 0:
                break
            buf += self._read_once(min(left, 0.1))
        self._pending = buf
        raise AssertionError("%s: %d of %d %s frames in %.1f s: %r; partial: %s" %
                             (self.__class__.__name__, len(frames), count, kind,
                              timeout, frames, _hex(buf)))

    def _take_pending(self):
        p, self._pending = self._pending, b""
        return p

    def drain(self, seconds=0.05):
        """Throw away what is waiting (and what comes within `seconds`)."""
        self._pending = b""
        return self.read_for(seconds)

    def write(self, data, timeout=5.0):
        self._ensure_open()
        view = memoryview(bytes(data))
        deadline = time.monotonic() + timeout
        for _ in range(100000):
            if not view:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                break
            _, w, _ = select.select([], [self._wfd], [], min(left, 0.1))
            if not w:
                continue
            try:
                n = os.write(self._wfd, view)
            except BlockingIOError:
                continue
            view = view[n:]
        raise AssertionError("%s: could not write %d bytes in %.1f s" %
                             (self.__class__.__name__, len(view), timeout))


class PtyPair(_Link):
    """Two linked ptys made by socat.  The daemon opens .daemon_path; the
    test uses the peer (.peer_path) through read_*/write, which open it on
    first use (or open_peer()).  kill() unplugs, restart() plugs a new
    device in at the same paths."""

    _names = itertools.count(1)

    def __init__(self, tmpdir, name=None, start=True, timeout=5.0):
        super().__init__()
        name = name or "pty%d" % next(self._names)
        self.dir = tmpdir
        self.name = name
        self.daemon_path = os.path.join(tmpdir, name + "-daemon")
        self.peer_path = os.path.join(tmpdir, name + "-peer")
        _check_socat_path(self.daemon_path)
        _check_socat_path(self.peer_path)
        self.proc = None
        self.nstarts = 0
        if start:
            self.start(timeout)

    @property
    def log_path(self):
        return os.path.join(self.dir, "%s-socat.%d.log" % (self.name, self.nstarts))

    def start(self, timeout=5.0):
        if self.alive():
            raise AssertionError("socat for %s is already running" % self.name)
        self._unlink()
        self.nstarts += 1
        self.proc = _spawn([SOCAT, "-d", "-d",
                            "PTY,raw,echo=0,link=%s" % self.daemon_path,
                            "PTY,raw,echo=0,link=%s" % self.peer_path],
                           log=self.log_path)
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.005) + 10):
            # exists() follows the link: true only once the pts is there
            if os.path.exists(self.daemon_path) and os.path.exists(self.peer_path):
                return self
            if self.proc.poll() is not None:
                break
            if time.monotonic() > deadline:
                break
            time.sleep(0.005)
        rc = self.proc.poll()
        _kill_group(self.proc)
        self.proc = None
        raise AssertionError("socat made no ptys in %.1f s (exit %s): %s" %
                             (timeout, rc, _read_text(self.log_path)[-2000:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def open_peer(self):
        """Open the peer side (non-blocking, raw).  Returns the fd."""
        if self._rfd is None:
            fd = os.open(self.peer_path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
            self._rfd = self._wfd = fd
            self.eof = False
        return self._rfd

    def _ensure_open(self):
        if self._rfd is None:
            self.open_peer()

    def close_peer(self):
        """Close the test's side; socat keeps running (see the notes at the
        top): what the daemon writes meanwhile waits in the pty."""
        if self._rfd is not None:
            try:
                os.close(self._rfd)
            except OSError:
                pass
        self._rfd = self._wfd = None
        self._pending = b""

    def _unlink(self):
        for p in (self.daemon_path, self.peer_path):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass

    def kill(self):
        """Unplug: SIGKILL socat; the daemon's fd reads EOF / gets EIO on
        write; the links are removed (opening the path fails) until restart()."""
        _kill_group(self.proc, signal.SIGKILL)
        self.proc = None
        self.close_peer()
        self._unlink()

    def restart(self, timeout=5.0):
        """A new socat (a new device) at the same paths."""
        self.kill()
        return self.start(timeout)

    def close(self):
        self.kill()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<PtyPair %s alive=%s>" % (self.daemon_path, self.alive())


class TcpListener(_Link):
    """`socat TCP-LISTEN:PORT,bind=127.0.0.1,reuseaddr STDIO`: the daemon
    connects to 127.0.0.1:.port; what it sends comes out of socat's stdout
    (read_*), what the test writes goes in socat's stdin.  One connection:
    when the daemon closes it socat exits (alive() turns false); restart()
    listens again on the same port.  kill() drops the connection (the daemon
    reads EOF) and stops listening (connects are refused).  STDIO rather
    than a PTY,link= second address: socat opens the second address only
    after accept(), so a pty link would appear only once the daemon is in;
    the pipes are there from the start and need no termios."""

    _names = itertools.count(1)

    def __init__(self, port=0, tmpdir=None, start=True, timeout=5.0):
        super().__init__()
        self._own_dir = tmpdir is None
        self.dir = tmpdir or tempfile.mkdtemp(prefix="devsim-tcp-")
        self.name = "tcp%d" % next(self._names)
        self.port = port
        self.proc = None
        self.nstarts = 0
        if start:
            self.start(timeout)

    @property
    def log_path(self):
        return os.path.join(self.dir, "%s-socat.%d.log" % (self.name, self.nstarts))

    def start(self, timeout=5.0):
        if self.alive():
            raise AssertionError("socat listener is already running")
        self._close_pipes()
        self.nstarts += 1
        self.proc = _spawn([SOCAT, "-d", "-d",
                            "TCP-LISTEN:%d,bind=127.0.0.1,reuseaddr" % self.port,
                            "STDIO"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           log=self.log_path)
        self._rfd = self.proc.stdout.fileno()
        self._wfd = self.proc.stdin.fileno()
        os.set_blocking(self._rfd, False)
        os.set_blocking(self._wfd, False)
        self.eof = False
        pat = re.compile(r"listening on AF=2 127\.0\.0\.1:(\d+)")
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.005) + 10):
            m = pat.search(_read_text(self.log_path))
            if m:
                self.port = int(m.group(1))
                return self
            if self.proc.poll() is not None or time.monotonic() > deadline:
                break
            time.sleep(0.005)
        rc = self.proc.poll()
        _kill_group(self.proc)
        self.proc = None
        self._close_pipes()
        raise AssertionError("socat did not listen in %.1f s (exit %s): %s" %
                             (timeout, rc, _read_text(self.log_path)[-2000:]))

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def connected(self):
        """A client has connected (to this run of socat)."""
        return "accepting connection from" in _read_text(self.log_path)

    def wait_connected(self, timeout=10.0):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.02) + 10):
            if self.connected():
                return True
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        raise AssertionError("nobody connected to 127.0.0.1:%d in %.1f s" %
                             (self.port, timeout))

    def wait_closed(self, timeout=10.0):
        """Wait until the connection is over (socat exited)."""
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise AssertionError("connection on port %d still open after %.1f s" %
                                 (self.port, timeout))

    def _close_pipes(self):
        if self.proc is not None:
            for f in (self.proc.stdin, self.proc.stdout):
                try:
                    if f:
                        f.close()
                except OSError:
                    pass
        self._rfd = self._wfd = None
        self._pending = b""

    def kill(self):
        _kill_group(self.proc, signal.SIGKILL)
        self._close_pipes()
        self.proc = None

    def restart(self, timeout=5.0):
        self.kill()
        return self.start(timeout)

    def close(self):
        self.kill()
        if self._own_dir:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<TcpListener 127.0.0.1:%d alive=%s>" % (self.port, self.alive())


# ------------------------------------------------------------ checksums


def crc16_arc(data, crc=0x0000):
    """CRC-16/ARC: reflected poly 0xA001, init 0, no final xor
    ("123456789" -> 0xBB3D)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def crc16_modbus(data):
    """CRC-16/MODBUS: as ARC with init 0xFFFF ("123456789" -> 0x4B37)."""
    return crc16_arc(data, 0xFFFF)


def _u16(b, off):
    return b[off] | (b[off + 1] << 8)


def _u32(b, off):
    return b[off] | (b[off + 1] << 8) | (b[off + 2] << 16) | (b[off + 3] << 24)


def _gb(b):
    """(text, is_strict_gb2312) for GB bytes; undecodable bytes become U+FFFD."""
    try:
        b.decode("gb2312")
        strict = True
    except UnicodeDecodeError:
        strict = False
    return b.decode("gb18030", "replace"), strict


# ------------------------------------------------------------ Onbon BX-5K/6K

BX_PREAMBLE = 0xA5
BX_END = 0x5A
BX_PC = 0x8000
BX_MAX_BODY = 2 * (14 + 0xFFFF + 2)   # escaped bytes a frame can take
_BX_ESC = {0xA5: b"\xA6\x02", 0xA6: b"\xA6\x01", 0x5A: b"\x5B\x02", 0x5B: b"\x5B\x01"}
_BX_UNESC = {(0xA6, 0x02): 0xA5, (0xA6, 0x01): 0xA6,
             (0x5B, 0x02): 0x5A, (0x5B, 0x01): 0x5B}

BX_ERRORS = {0: "ERR_NO", 1: "ERR_OUTOFGROUP", 2: "ERR_NOCMD", 3: "ERR_BUSY",
             4: "ERR_MEMORYVOLUME", 5: "ERR_CHECKSUM", 6: "ERR_FILENOTEXIST",
             7: "ERR_FLASH", 8: "ERR_FILE_DOWNLOAD", 9: "ERR_FILE_NAME",
             10: "ERR_FILE_TYPE", 11: "ERR_FILE_CRC16", 12: "ERR_FONT_NOT_EXIST",
             13: "ERR_FIRMWARE_TYPE", 14: "ERR_DATE_TIME_FORMAT",
             15: "ERR_FILE_EXIST", 16: "ERR_FILE_BLOCK_NUM"}

_FONT_ESC = re.compile(rb"\A\\F([A-Z])([0-9]{3})")


def bx_escape(data):
    return b"".join(_BX_ESC.get(b, bytes((b,))) for b in data)


def bx_unescape(data):
    """Unescaped bytes; raises ValueError on an A6/5B not followed by 01/02."""
    out = bytearray()
    i = 0
    n = len(data)
    while i < n:
        b = data[i]
        if b in (0xA6, 0x5B):
            nxt = data[i + 1] if i + 1 < n else None
            v = _BX_UNESC.get((b, nxt))
            if v is None:
                raise ValueError("bad escape %02X %s at escaped offset %d" %
                                 (b, "end" if nxt is None else "%02X" % nxt, i))
            out.append(v)
            i += 2
        elif b in (0xA5, 0x5A):
            raise ValueError("unescaped %02X inside the frame at offset %d" % (b, i))
        else:
            out.append(b)
            i += 1
    return bytes(out)


def bx_frame(dst, group, cmd, payload=b"", flag=0x01, src=BX_PC, device_type=0xFE,
             version=0x02, reserved=b"\x00\x00", preamble=8):
    """A whole BX frame on the wire (preamble, escaped body, end byte)."""
    data = bytes((group, cmd, flag)) + bytes(reserved) + bytes(payload)
    hdr = (dst.to_bytes(2, "little") + src.to_bytes(2, "little") + bytes(6) +
           bytes((device_type, version)) + len(data).to_bytes(2, "little"))
    body = hdr + data
    body += crc16_arc(body).to_bytes(2, "little")
    return b"\xA5" * preamble + bx_escape(body) + b"\x5A"


def bx_reply(addr, status=0, device_type=0x51, preamble=8):
    """A controller's reply from screen `addr` to the PC (0x8000): group A0,
    cmd 00 ACK when status is 0, else cmd 01 NACK; the status (error code)
    in the flag byte, two reserved bytes, no payload."""
    return bx_frame(BX_PC, 0xA0, 0x00 if status == 0 else 0x01, b"", flag=status,
                    src=addr, device_type=device_type, preamble=preamble)


def bx_text_frame(dst, text, x=0, y=0, width=128, height=16, area=0, mode=1,
                  multi_line=False, speed=0, stay=0, flag=0x01, font=b"\\FO000"):
    """An A3 06 frame as a PC would send it (for tests of the decoder and
    of anything that listens like a screen).  text: str (GB2312) or bytes."""
    tb = text.encode("gb2312") if isinstance(text, str) else bytes(text)
    tb = font + tb
    ml = 2 if multi_line else 1
    rec = (bytes((0,)) + (x // 8).to_bytes(2, "little") + y.to_bytes(2, "little") +
           (width // 8).to_bytes(2, "little") + height.to_bytes(2, "little") +
           bytes((area, 0, 1)) + bytes(2) + bytes(3) +
           bytes((ml, ml, mode, 0, speed, stay)) + len(tb).to_bytes(4, "little") + tb)
    payload = b"\x00\x01" + len(rec).to_bytes(2, "little") + rec
    return bx_frame(dst, 0xA3, 0x06, payload, flag=flag)


def _bx_area(rec):
    """One A3 06 area record (bytes after its 2-byte length)."""
    a = {}
    if len(rec) < 27:
        a["error"] = "area record of %d bytes, shorter than its 27-byte head" % len(rec)
        return a
    x, w = _u16(rec, 1), _u16(rec, 5)
    a.update({
        "type": rec[0],
        "x": x, "y": _u16(rec, 3), "width": w, "height": _u16(rec, 7),
        # X and width count 8-pixel columns, unless the top bit says pixels
        "x_px": (x & 0x7FFF) if x & 0x8000 else x * 8,
        "width_px": (w & 0x7FFF) if w & 0x8000 else w * 8,
        "area": rec[9], "line_spacing": rec[10], "run_mode": rec[11],
        "timeout": _u16(rec, 12),
        "voice": rec[14], "ext_len": rec[15], "align": rec[16],
        "multi_line": rec[17], "wrap": rec[18], "mode": rec[19],
        "exit_mode": rec[20], "speed": rec[21], "stay": rec[22],
        "text_len": _u32(rec, 23),
    })
    tb = rec[27:]
    a["text_bytes"] = tb
    if len(tb) != a["text_len"]:
        a["error"] = "text length says %d, the area record holds %d" % (a["text_len"], len(tb))
    m = _FONT_ESC.match(tb)
    a["font"] = (m.group(1) + m.group(2)).decode() if m else None
    a["text_gb"] = tb[m.end():] if m else tb
    a["text"], a["gb2312"] = _gb(a["text_gb"])
    return a


def _bx_a306(payload):
    out = {}
    if len(payload) < 2:
        return {"error": "A3 06 payload of %d bytes" % len(payload)}
    out["areas_delete"] = payload[0]
    off = 1 + payload[0]          # the ids of the areas to delete follow
    if off >= len(payload):
        return dict(out, error="A3 06 payload ends before the area count")
    out["deleted_areas"] = list(payload[1:off])
    nareas = payload[off]
    out["area_count"] = nareas
    off += 1
    areas = []
    for _ in range(nareas):
        if off + 2 > len(payload):
            out["error"] = "A3 06: area %d has no length" % len(areas)
            break
        alen = _u16(payload, off)
        rec = payload[off + 2:off + 2 + alen]
        if len(rec) != alen:
            out["error"] = "A3 06: area %d says %d bytes, %d left" % (len(areas), alen, len(rec))
            break
        a = _bx_area(rec)
        a["area_len"] = alen
        areas.append(a)
        off += 2 + alen
    if "error" not in out and off != len(payload):
        out["error"] = "A3 06: %d bytes after the last area" % (len(payload) - off)
    out["areas"] = areas
    for a in areas:
        if "error" in a and "error" not in out:
            out["error"] = a["error"]
    if areas:      # the first (usually only) area's fields at the top level
        for k, v in areas[0].items():
            if k != "error":
                out.setdefault(k, v)
    return out


def _bx_parse(esc_body, raw, preamble):
    f = {"ok": False, "raw": raw, "preamble": preamble}
    try:
        u = bx_unescape(esc_body)
    except ValueError as e:
        f["error"] = str(e)
        return f
    f["body"] = u
    if len(u) >= 14:
        f.update({"dst": _u16(u, 0), "src": _u16(u, 2), "reserved": u[4:10],
                  "device_type": u[10], "version": u[11], "length": _u16(u, 12)})
    if len(u) < 14 + 5 + 2:
        f["error"] = "frame of %d unescaped bytes, shorter than header+data+CRC (21)" % len(u)
        return f
    data = u[14:-2]
    f.update({"group": data[0], "cmd": data[1], "flag": data[2],
              "reserved2": data[3:5], "payload": data[5:],
              "crc": _u16(u, len(u) - 2), "crc_calc": crc16_arc(u[:-2])})
    if f["length"] != len(data):
        f["error"] = "header says %d data bytes, the frame has %d" % (f["length"], len(data))
        return f
    if f["crc"] != f["crc_calc"]:
        f["error"] = "bad CRC: frame has %04X, computed %04X" % (f["crc"], f["crc_calc"])
        return f
    if f["group"] == 0xA0 and f["cmd"] in (0, 1):
        f["ack"] = f["cmd"] == 0 and f["flag"] == 0
        f["status"] = f["flag"]
        f["status_name"] = BX_ERRORS.get(f["flag"], "unknown")
    if f["group"] == 0xA3 and f["cmd"] == 0x06:
        a = _bx_a306(f["payload"])
        f.update(a)
        if "error" in a:
            return f
    f["ok"] = True
    return f


def bx_split(data):
    """Streaming split: (frames, rest).  frames are complete frames and
    garbage, each a dict (see bx_frames); rest is a frame begun but not yet
    ended, to prepend to the next bytes."""
    data = bytes(data)
    frames = []
    i, n = 0, len(data)
    for _ in range(n + 1):
        if i >= n:
            return frames, b""
        if data[i] != BX_PREAMBLE:
            j = data.find(b"\xA5", i)
            j = n if j < 0 else j
            frames.append({"ok": False, "error": "garbage outside a frame",
                           "raw": data[i:j]})
            i = j
            continue
        k = i
        while k < n and data[k] == BX_PREAMBLE:
            k += 1
        e = data.find(b"\x5A", k)
        a = data.find(b"\xA5", k)
        if e < 0 and a < 0:
            if n - k > BX_MAX_BODY:
                frames.append({"ok": False, "raw": data[i:],
                               "error": "%d bytes without an end byte" % (n - k)})
                return frames, b""
            return frames, data[i:]
        if a >= 0 and (e < 0 or a < e):
            frames.append({"ok": False, "raw": data[i:a],
                           "error": "frame cut off by a new A5 preamble"})
            i = a
            continue
        frames.append(_bx_parse(data[k:e], data[i:e + 1], k - i))
        i = e + 1
    return frames, b""


def bx_frames(data):
    """Every frame in a capture, as dicts, in order.  A good frame has
    ok=True and: raw (wire bytes), preamble (count of A5), dst, src,
    reserved, device_type, version, length (data bytes), group, cmd, flag,
    reserved2, payload, crc, crc_calc.  A0 replies add ack, status,
    status_name.  A3 06 adds areas_delete, deleted_areas, area_count,
    areas (a dict per area) and the first area's fields at the top level:
    type, x, y, width, height (raw units), x_px, width_px, area,
    line_spacing, run_mode, timeout, voice, ext_len, align, multi_line,
    wrap, mode (display mode), exit_mode, speed, stay, text_len,
    text_bytes (the whole text field as sent, font escape included),
    font ("O000" for \\FO000, or None), text_gb (text_bytes without the
    escape), text (text_gb decoded with gb18030), gb2312 (strictly GB2312?).
    A bad frame, garbage, or an unfinished frame at the end has ok=False
    and "error" (plus whatever could be parsed); nothing raises."""
    frames, rest = bx_split(data)
    if rest:
        frames.append({"ok": False, "raw": rest, "error": "incomplete frame at the end"})
    return frames


# ------------------------------------------------------------ FT1.2-style pads

FT12_KEYS = {"0": 0x00, "1": 0x01, "2": 0x02, "3": 0x03, "4": 0x04, "5": 0x05,
             "6": 0x06, "7": 0x07, "8": 0x08, "9": 0x09, "evaluate": 0x0B,
             "call": 0x0C, "recall": 0x0D, "confirm": 0x0F, "pause": 0x12,
             "transfer": 0x13}
FT12_KEY_NAMES = {v: k for k, v in FT12_KEYS.items()}
FT12_BLANK = 0x0A


def ft12_frame(addr, func, data=b"", preamble=1):
    """FF 68 L L 68 ADDR FUNC DATA CS 16; L counts ADDR..DATA."""
    body = bytes((addr, func)) + bytes(data)
    if len(body) > 255:
        raise ValueError("ft12 frame body of %d bytes" % len(body))
    n = len(body)
    return (b"\xFF" * preamble + bytes((0x68, n, n, 0x68)) + body +
            bytes((sum(body) & 0xFF, 0x16)))


def ft12_key(addr, key):
    """A pad's key press: key is a name from FT12_KEYS, a digit, or a code."""
    code = FT12_KEYS[str(key)] if isinstance(key, str) else key
    return ft12_frame(addr, 0x01, bytes((code,)))


def ft12_display(addr, digits):
    """A host's display frame: digits a string of 0-9 and ' ' (6 cells)."""
    cells = bytes(FT12_BLANK if c == " " else int(c) for c in digits)
    return ft12_frame(addr, 0x02, cells)


def ft12_waiting(addr, n):
    """A host's waiting-count frame (FUNC 04): n (0-999) in 3 cells,
    right-aligned, leading cells blank; or a 3-character string."""
    s = ("%3d" % n) if isinstance(n, int) else str(n)
    if len(s) != 3:
        raise ValueError("waiting count %r does not fit 3 cells" % (n,))
    return ft12_frame(addr, 0x04, bytes(FT12_BLANK if c == " " else int(c) for c in s))


def ft12_beep(addr):
    """A host's beep frame (FUNC 03, no data)."""
    return ft12_frame(addr, 0x03)


def _ft12_parse(fr, preamble, raw):
    L = fr[2]
    body = fr[5:5 + L]
    f = {"ok": True, "raw": raw, "preamble": preamble, "L": L,
         "addr": body[0], "func": body[1], "data": body[2:],
         "cs": fr[5 + L], "cs_calc": sum(body) & 0xFF}
    if f["func"] == 0x01:
        if len(f["data"]) == 1:
            f["key"] = f["data"][0]
            f["key_name"] = FT12_KEY_NAMES.get(f["key"], "unknown")
        else:
            f["ok"], f["error"] = False, "key frame with %d data bytes" % len(f["data"])
    elif f["func"] == 0x02:
        f["digits"] = "".join(" " if c == FT12_BLANK else (str(c) if c <= 9 else "?")
                              for c in f["data"])
        if len(f["data"]) != 6:
            f["ok"], f["error"] = False, "display frame with %d cells" % len(f["data"])
        elif "?" in f["digits"]:
            f["ok"], f["error"] = False, "display cell not 0-9 or 0A: %s" % _hex(f["data"])
    elif f["func"] == 0x03:
        f["beep"] = True
    elif f["func"] == 0x04:
        f["digits"] = "".join(" " if c == FT12_BLANK else (str(c) if c <= 9 else "?")
                              for c in f["data"])
        ds = f["digits"].strip()
        f["waiting"] = int(ds) if ds.isdigit() else None
        if len(f["data"]) != 3:
            f["ok"], f["error"] = False, "waiting frame with %d cells" % len(f["data"])
        elif "?" in f["digits"]:
            f["ok"], f["error"] = False, "waiting cell not 0-9 or 0A: %s" % _hex(f["data"])
        elif " " in ds:
            f["ok"], f["error"] = False, "waiting cells with a blank between digits: %r" % f["digits"]
    return f


def ft12_split(data):
    """Streaming split: (frames, rest).  Syncs on FF 68 (extra FFs before
    it are preamble).  A frame that fails a check is one error dict whose
    raw runs to the next FF 68."""
    data = bytes(data)
    frames = []
    i, n = 0, len(data)

    def bad(start, j, why):
        nxt = data.find(b"\xFF\x68", j + 1)
        end = n if nxt < 0 else nxt
        if nxt >= 0:     # the run of FFs before the next FF 68 is its preamble
            while end - 1 > j and data[end - 1] == 0xFF:
                end -= 1
        frames.append({"ok": False, "raw": data[start:end], "error": why})
        return end

    for _ in range(n + 1):
        if i >= n:
            return frames, b""
        j = data.find(b"\xFF\x68", i)
        if j < 0:
            # keep a trailing run of FFs: it may be the start of a frame
            t = n
            while t > i and data[t - 1] == 0xFF and n - t < 16:
                t -= 1
            if t > i:
                frames.append({"ok": False, "raw": data[i:t], "error": "garbage outside a frame"})
            return frames, data[t:]
        s = j
        while s > i and data[s - 1] == 0xFF:
            s -= 1
        if s > i:
            frames.append({"ok": False, "raw": data[i:s], "error": "garbage outside a frame"})
        if n - j < 5:
            return frames, data[s:]
        L1, L2 = data[j + 2], data[j + 3]
        if L1 != L2:
            i = bad(s, j, "length bytes differ: %02X %02X" % (L1, L2))
            continue
        if L1 < 2:
            i = bad(s, j, "L=%d, less than ADDR+FUNC" % L1)
            continue
        if data[j + 4] != 0x68:
            i = bad(s, j, "second 68 missing (%02X)" % data[j + 4])
            continue
        total = L1 + 7
        if n - j < total:
            return frames, data[s:]
        fr = data[j:j + total]
        if fr[-1] != 0x16:
            i = bad(s, j, "end byte %02X, not 16" % fr[-1])
            continue
        cs = sum(fr[5:5 + L1]) & 0xFF
        if cs != fr[5 + L1]:
            i = bad(s, j, "bad checksum: frame has %02X, computed %02X" % (fr[5 + L1], cs))
            continue
        frames.append(_ft12_parse(fr, j - s + 1, data[s:j + total]))
        i = j + total
    return frames, b""


def ft12_frames(data):
    """Every frame in a capture: dicts with ok, raw, preamble (count of FF),
    L, addr, func, data, cs, cs_calc; func 01 adds key and key_name, func 02
    digits (6 characters, ' ' for a blank cell, '?' for a bad one), func 03
    beep=True, func 04 digits (3 cells) and waiting (an int, None when all
    blank).  Bad frames, garbage and an unfinished frame at the end have
    ok=False and "error"; nothing raises."""
    frames, rest = ft12_split(data)
    if rest:
        frames.append({"ok": False, "raw": rest, "error": "incomplete frame at the end"})
    return frames


_SPLITS = {"bx": bx_split, "ft12": ft12_split}


# ------------------------------------------------------------ Modbus display

REG_WINDOW = 0x0000
REG_TICKET = 0x0001      # 3 registers
REG_WAITING = 0x0004
REG_TEXT = 0x0010        # 16 registers
REG_BEEP = 0x0020
DISPLAY_REGS = 0x0021    # registers 0x0000..0x0020


def text_to_regs(text, nregs, pad=b" "):
    """Bytes (or a str, as GB2312) two per register, first byte high."""
    b = text.encode("gb2312") if isinstance(text, str) else bytes(text)
    if len(b) > 2 * nregs:
        raise ValueError("%d bytes do not fit in %d registers" % (len(b), nregs))
    b = b + pad * (2 * nregs - len(b))
    return [(b[k] << 8) | b[k + 1] for k in range(0, 2 * nregs, 2)]


def regs_to_bytes(regs):
    return bytes(b for r in regs for b in ((r >> 8) & 0xFF, r & 0xFF))


def regs_to_text(regs):
    """Registers (first byte high) to text: cut at the first NUL, strip
    trailing spaces, decode with gb18030 (bad bytes become U+FFFD)."""
    b = regs_to_bytes(regs).split(b"\x00", 1)[0].rstrip(b" ")
    return b.decode("gb18030", "replace")


def decode_display(regs):
    """Holding registers 0x0000.. (at least 0x21 of them) of a caller
    display, as {"window", "ticket", "waiting", "text", "beep"}."""
    regs = list(regs)
    if len(regs) < DISPLAY_REGS:
        raise ValueError("need %d registers, got %d" % (DISPLAY_REGS, len(regs)))
    return {"window": regs[REG_WINDOW],
            "ticket": regs_to_text(regs[REG_TICKET:REG_TICKET + 3]),
            "waiting": regs[REG_WAITING],
            "text": regs_to_text(regs[REG_TEXT:REG_TEXT + 16]),
            "beep": regs[REG_BEEP]}


# ------------------------------------------------------------ Modbus slave

_PYMODBUS_LOG = []
_log_lock = threading.Lock()


def _pymodbus_logging():
    """pymodbus logs an ERROR each time a serial handler is cancelled (every
    stop): keep its records in a list instead of on stderr, unless
    DEVSIM_DEBUG is set."""
    import logging

    class Keep(logging.Handler):
        def emit(self, record):
            with _log_lock:
                _PYMODBUS_LOG.append("%s %s" % (record.levelname, record.getMessage()))
                del _PYMODBUS_LOG[:-500]

    lg = logging.getLogger("pymodbus")
    if not any(isinstance(h, Keep) for h in lg.handlers) and not getattr(lg, "_devsim", False):
        lg.addHandler(Keep())
        lg._devsim = True
        if not os.environ.get("DEVSIM_DEBUG"):
            lg.propagate = False
        else:
            lg.setLevel(logging.DEBUG)


class ModbusSlave:
    """pymodbus 3.0.0rc1's ModbusSerialServer with the RTU framer on a pty
    (9600 8N1), one slave context per unit id, holding/input registers
    0..size-1 (wire addresses: zero_mode).  Runs in a thread with its own
    asyncio loop.  With reconnect (default) it reopens the port after the
    pty went away (PtyPair.kill/restart) every 0.2 s until stop().

    .writes: (unit, func, addr, values) for every write the master made.
    .reads:  (unit, func, addr, count) for every 03/04 read.
    .fault:  None, "silent" (no answer), "bad_crc", or an exception code
             (int) sent instead of every answer.
    .delay:  seconds to wait before each answer (at most 5)."""

    def __init__(self, port_path, unit_ids, size=0x40, baudrate=9600,
                 reconnect=True, timeout=5.0):
        _pymodbus_logging()
        from pymodbus.datastore import (ModbusSequentialDataBlock,
                                        ModbusServerContext, ModbusSlaveContext)
        from pymodbus.framer.rtu_framer import ModbusRtuFramer
        from pymodbus.server.async_io import ModbusSerialServer

        if isinstance(unit_ids, int):
            unit_ids = [unit_ids]
        self.port_path = port_path
        self.unit_ids = list(unit_ids)
        self.size = size
        self.writes = []
        self.reads = []
        self.fault = None
        self.delay = 0.0
        self.answered = 0
        self.loop_errors = []
        self._lock = threading.RLock()   # RLock: _after_write runs under it
        slave = self

        class Ctx(ModbusSlaveContext):
            def __init__(self, unit):
                super().__init__(di=ModbusSequentialDataBlock(0, [0] * size),
                                 co=ModbusSequentialDataBlock(0, [0] * size),
                                 hr=ModbusSequentialDataBlock(0, [0] * size),
                                 ir=ModbusSequentialDataBlock(0, [0] * size),
                                 zero_mode=True)
                self.unit = unit

            def setValues(self, fc, address, values):
                with slave._lock:
                    super().setValues(fc, address, values)
                    slave.writes.append((self.unit, fc, address, list(values)))
                    slave._after_write(self.unit, fc, address, list(values))

            def getValues(self, fc, address, count=1):
                with slave._lock:
                    if fc in (3, 4):
                        slave.reads.append((self.unit, fc, address, count))
                    return super().getValues(fc, address, count)

        self._ctx = {u: Ctx(u) for u in self.unit_ids}
        self.context = ModbusServerContext(slaves=self._ctx, single=False)
        self._framer = ModbusRtuFramer
        self._server_cls = ModbusSerialServer
        self._baud = baudrate
        self._reconnect = reconnect
        self.server = None
        self._loop = None
        self._stop_ev = None
        self._ready = threading.Event()
        self._start_error = None
        self._thread = threading.Thread(target=self._run, name="ModbusSlave %s" % port_path,
                                        daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            self.stop()
            raise AssertionError("Modbus slave on %s did not start in %.1f s" %
                                 (port_path, timeout))
        if self._start_error is not None:
            self.stop()
            raise AssertionError("Modbus slave on %s: %r" % (port_path, self._start_error))

    def _after_write(self, unit, fc, address, values):
        """Called (under the lock, in the server's thread) after each write
        the master made has been stored, before the reply is built: the
        place for a subclass's firmware (see ModbusKeypad)."""

    # -- the server thread
    def _manipulate(self, response):
        d = min(float(self.delay or 0), 5.0)
        if d > 0:
            time.sleep(d)          # blocks this slave's own loop only
        self.answered += 1
        fault = self.fault
        if fault is None:
            return response, False
        if fault == "silent":
            return b"", True
        if fault == "bad_crc":
            pkt = self._framer(None).buildPacket(response)
            return pkt[:-1] + bytes((pkt[-1] ^ 0xFF,)), True
        from pymodbus.pdu import ExceptionResponse
        ex = ExceptionResponse(response.function_code & 0x7F, int(fault))
        ex.unit_id = response.unit_id
        ex.transaction_id = response.transaction_id
        return ex, False

    def _run(self):
        import asyncio
        loop = asyncio.new_event_loop()
        self._loop = loop
        loop.set_exception_handler(
            lambda lp, c: self.loop_errors.append(c.get("message", "") + " " +
                                                  repr(c.get("exception"))))
        try:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(self._main())
        except BaseException as e:         # noqa: B036 - reported to start()
            if self._start_error is None:
                self._start_error = e
            self._ready.set()
        finally:
            try:
                loop.run_until_complete(loop.shutdown_asyncgens())
            except Exception:
                pass
            loop.close()

    async def _main(self):
        import asyncio
        self._stop_ev = asyncio.Event()
        self.server = self._server_cls(
            self.context, framer=self._framer, port=self.port_path,
            baudrate=self._baud, bytesize=8, parity="N", stopbits=1,
            auto_reconnect=self._reconnect, reconnect_delay=0.2,
            response_manipulator=self._manipulate)
        try:
            await self.server.start()
            if self.server.transport is None:
                raise OSError("could not open %s" % self.port_path)
        except BaseException as e:        # noqa: B036
            self._start_error = e
            self._ready.set()
            await self._shutdown()
            return
        self._ready.set()
        await self._stop_ev.wait()
        await self._shutdown()

    async def _shutdown(self):
        import asyncio
        srv = self.server
        if srv is not None:
            srv.auto_reconnect = False
            t = srv.reconnecting_task
            if t is not None:
                t.cancel()
            await srv.shutdown()
        me = asyncio.current_task()
        rest = [t for t in asyncio.all_tasks() if t is not me]
        for t in rest:
            t.cancel()
        if rest:
            await asyncio.wait(rest, timeout=1.0)

    # -- the test's side
    def connected(self):
        s = self.server
        return s is not None and s.transport is not None and s.protocol is not None

    def wait_connected(self, timeout=5.0, connected=True):
        """Wait until the port is open (or, connected=False, has been lost)."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.02) + 10):
            if self.connected() == connected:
                return True
            if time.monotonic() > deadline:
                break
            time.sleep(0.02)
        raise AssertionError("Modbus slave has not %s %s in %.1f s" %
                             ("(re)opened" if connected else "lost", self.port_path, timeout))

    def _block(self, unit, kind):
        return self._ctx[unit].store[kind]

    def holding(self, unit, addr, count):
        with self._lock:
            return list(self._block(unit, "h").getValues(addr, count))

    def inputs(self, unit, addr, count):
        with self._lock:
            return list(self._block(unit, "i").getValues(addr, count))

    def set_holding(self, unit, addr, values):
        with self._lock:
            self._block(unit, "h").setValues(addr, [int(v) & 0xFFFF for v in values])

    def set_input(self, unit, addr, values):
        with self._lock:
            self._block(unit, "i").setValues(addr, [int(v) & 0xFFFF for v in values])

    def display(self, unit):
        """decode_display() of this unit's holding registers."""
        return decode_display(self.holding(unit, 0, DISPLAY_REGS))

    def wait_writes(self, count=1, timeout=5.0, unit=None):
        """Wait until `count` writes (to `unit`, or any) are logged; returns
        those writes."""
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.01) + 10):
            with self._lock:
                ws = [w for w in self.writes if unit is None or w[0] == unit]
            if len(ws) >= count:
                return ws
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        raise AssertionError("%d of %d Modbus writes in %.1f s: %r" %
                             (len(ws), count, timeout, ws))

    def log(self):
        """pymodbus's log records (kept from all slaves in this process)."""
        with _log_lock:
            return list(_PYMODBUS_LOG)

    def stop(self, timeout=3.0):
        """Stop serving and close the port; raises if the thread hangs."""
        loop, ev = self._loop, self._stop_ev
        if loop is not None and ev is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(ev.set)
            except RuntimeError:      # the loop already closed
                pass
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError("Modbus slave thread on %s still running %.1f s "
                                 "after stop()" % (self.port_path, timeout))

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------ responder


class Responder:
    """Answers frames on a link in a background thread: for each frame
    (kind "bx"/"ft12"), answer(frame) -> bytes or None is written back.
    .frames collects what came.  Stops at stop(), or after `lifetime` s.
    Do not read the link yourself while it runs; it rides over a PtyPair's
    kill()/restart() (it reopens the peer), but stopping it first is cleaner."""

    def __init__(self, link, kind, answer, lifetime=300.0):
        self.link = link
        self.kind = kind
        self.answer = answer
        self.frames = []
        self.errors = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._lifetime = lifetime
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="Responder %s" % kind)
        self._thread.start()

    def _run(self):
        split = _SPLITS[self.kind] if isinstance(self.kind, str) else self.kind
        buf = b""
        deadline = time.monotonic() + self._lifetime
        for _ in range(int(self._lifetime / 0.05) + 100000):
            if self._stop.is_set() or time.monotonic() > deadline:
                return
            try:
                d = self.link._read_once(0.05)
            except OSError:             # link closed under us (kill/restart)
                time.sleep(0.05)
                continue
            if not d:
                continue
            frames, buf = split(buf + d)
            for f in frames:
                with self._lock:
                    self.frames.append(f)
                try:
                    out = self.answer(f)
                    if out:
                        self.link.write(out, timeout=2.0)
                except Exception as e:   # noqa: BLE001 - kept for the test
                    self.errors.append(repr(e))

    def wait_frames(self, count=1, timeout=5.0, good_only=True):
        deadline = time.monotonic() + timeout
        for _ in range(int(timeout / 0.01) + 10):
            with self._lock:
                fr = [f for f in self.frames if f.get("ok") or not good_only]
            if len(fr) >= count:
                return fr
            if time.monotonic() > deadline:
                break
            time.sleep(0.01)
        raise AssertionError("%d of %d frames in %.1f s: %r" % (len(fr), count, timeout, fr))

    def stop(self, timeout=3.0):
        self._stop.set()
        self._thread.join(timeout)
        if self._thread.is_alive():
            raise AssertionError("responder thread did not stop")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


def bx_auto_ack(link, status=0, addr=None, **kw):
    """A Responder that answers every BX frame asking for a reply (flag 01)
    like a controller: from `addr` (default: the frame's dst) with `status`."""
    def answer(f):
        if f.get("ok") and f.get("flag") == 0x01 and f.get("group") != 0xA0:
            return bx_reply(addr if addr is not None else f["dst"], status)
        return None
    return Responder(link, "bx", answer, **kw)


# ------------------------------------------------------------ input devices
#
# pyserial (Debian's python3-serial 3.5) on the peer side of a PtyPair:
#   * serial.Serial(path, 9600) on a pty works: the termios calls succeed,
#     the DTR/RTS ioctls fail with ENOTTY, which pyserial ignores at open;
#     the baud rate means nothing on a pty (bytes arrive at once).
#   * when socat dies (PtyPair.kill) read() raises SerialException "device
#     reports readiness to read but returned no data", write() raises
#     SerialException "write failed: [Errno 5] EIO", in_waiting raises
#     OSError EIO; opening the removed link raises SerialException ENOENT.
#     So the simulators below close the port and, as ModbusSlave does, try
#     to open the path again every 0.2 s until stop().


def _serial_open(path, baudrate, timeout=0.05):
    import serial
    return serial.Serial(path, baudrate, bytesize=8, parity="N", stopbits=1,
                         timeout=timeout, write_timeout=2.0)


def _key_code(key):
    """A key name from FT12_KEYS ("call", "confirm", "7"...) or an int code
    (0-9 are the digits; any other int is sent as it is)."""
    if isinstance(key, str):
        if key not in FT12_KEYS:
            raise ValueError("unknown key %r (one of %s)" % (key, ", ".join(FT12_KEYS)))
        return FT12_KEYS[key]
    code = int(key)
    if not 0 <= code <= 0xFF:
        raise ValueError("key code %r out of 0..255" % (key,))
    return code


def _wait_cond(cond, pred, timeout, what):
    """cond.wait_for(pred) with a deadline; raises AssertionError(what())."""
    with cond:
        if cond.wait_for(pred, max(timeout, 0)):
            return True
    raise AssertionError(what())


_ft12_buses = {}
_ft12_buses_lock = threading.Lock()


class Ft12Bus:
    """One RS-485 ft12 bus as the pads see it: one pyserial port (9600 8N1)
    on a pty path (a PtyPair's peer_path), a reader thread that decodes what
    the host sends (ft12_split) and hands each frame to the pad with that
    address (.pad(addr) makes one).  Good frames for addresses nobody
    simulates (good or bad) go to .other; garbage and frames that failed a
    check before their address was known go to .bad; .frames has everything, in order
    (the last 10000).  Several Ft12Pad(path, addr) share one bus through
    Ft12Bus.shared(path); such a bus closes when its last pad stops.

    With reconnect (default) the port is opened again after the pty went
    away (PtyPair.kill/restart), every 0.2 s; .reopens counts.  A partial
    frame followed by `quiet` s of silence is dropped into .bad (a real pad
    resets its receiver after an inter-byte timeout)."""

    MAX_FRAMES = 10000

    def __init__(self, path, baudrate=9600, reconnect=True, quiet=0.5, lifetime=900.0):
        self.path = path
        self.baudrate = baudrate
        self._key = os.path.realpath(os.path.dirname(path) or ".") + "/" + os.path.basename(path)
        self.pads = {}
        self.frames = []
        self.other = []
        self.bad = []
        self.errors = []
        self.reopens = 0
        self.written = 0          # bytes the pads wrote
        self._auto = False        # made by shared(): close with the last pad
        self._reconnect = reconnect
        self._quiet = quiet
        self._lifetime = lifetime
        self._lock = threading.RLock()
        self._wlock = threading.Lock()
        self._stop = threading.Event()
        self._broken = False
        self._ser = _serial_open(path, baudrate)    # raises if it cannot open
        with _ft12_buses_lock:
            old = _ft12_buses.get(self._key)
            if old is not None and old.alive():
                self._ser.close()
                raise AssertionError("an Ft12Bus already serves %s (use Ft12Bus.shared)" % path)
            _ft12_buses[self._key] = self
        self._thread = threading.Thread(target=self._run, daemon=True,
                                        name="Ft12Bus %s" % path)
        self._thread.start()

    @classmethod
    def shared(cls, path, **kw):
        """The running bus on `path`, or a new one that closes itself when
        its last pad stops."""
        key = os.path.realpath(os.path.dirname(path) or ".") + "/" + os.path.basename(path)
        with _ft12_buses_lock:
            b = _ft12_buses.get(key)
            if b is not None and b.alive():
                return b
        b = cls(path, **kw)
        b._auto = True
        return b

    def pad(self, addr, **kw):
        """A simulated pad at `addr` on this bus (see Ft12Pad)."""
        return Ft12Pad(self, addr, **kw)

    def alive(self):
        return self._thread.is_alive() and not self._stop.is_set()

    def connected(self):
        return self._ser is not None and not self._broken

    # -- reader thread
    def _run(self):
        import serial
        buf = b""
        last = time.monotonic()
        deadline = time.monotonic() + self._lifetime
        for _ in range(int(self._lifetime / 0.04) + 100000):
            if self._stop.is_set() or time.monotonic() > deadline:
                break
            ser = self._ser
            if ser is None or self._broken:
                buf = b""
                if ser is not None:
                    self._close_port()
                if not self._reconnect:
                    self._stop.wait(0.05)
                    continue
                try:
                    s2 = _serial_open(self.path, self.baudrate)
                except (serial.SerialException, OSError):
                    self._stop.wait(0.2)
                    continue
                with self._wlock:
                    self._ser, self._broken = s2, False
                self.reopens += 1
                continue
            try:
                n = ser.in_waiting
                d = ser.read(max(1, min(n, 4096)))
            except (serial.SerialException, OSError, TypeError, ValueError) as e:
                self.errors.append(repr(e))
                del self.errors[:-100]
                self._broken = True
                self._stop.wait(0.05)
                continue
            now = time.monotonic()
            if not d:
                if buf and now - last > self._quiet:
                    self._dispatch({"ok": False, "raw": buf,
                                    "error": "partial frame, then %.1f s of silence" % self._quiet})
                    buf = b""
                continue
            last = now
            frames, buf = ft12_split(buf + d)
            for f in frames:
                self._dispatch(f)
        self._close_port()

    def _close_port(self):
        with self._wlock:
            ser, self._ser = self._ser, None
        if ser is not None:
            try:
                ser.close()
            except Exception:       # noqa: BLE001 - closing a dead port
                pass

    def _dispatch(self, f):
        with self._lock:
            self.frames.append(f)
            del self.frames[:-self.MAX_FRAMES]
            pad = self.pads.get(f["addr"]) if "addr" in f else None
            if pad is None:
                if "addr" in f:
                    self.other.append(f)
                    del self.other[:-self.MAX_FRAMES]
                else:
                    self.bad.append(f)
                    del self.bad[:-self.MAX_FRAMES]
                return
        pad._receive(f)

    # -- the pads' side
    def write(self, data):
        """Write bytes on the bus (as a pad); raises OSError when the port
        is not open or the write fails."""
        import serial
        with self._wlock:
            ser = self._ser
            if ser is None or self._broken:
                raise OSError("ft12 bus %s is not open" % self.path)
            try:
                ser.write(bytes(data))
            except (serial.SerialException, OSError) as e:
                self._broken = True
                raise OSError("ft12 bus %s: %s" % (self.path, e)) from None
            self.written += len(data)

    def _attach(self, pad):
        with self._lock:
            if self._stop.is_set():
                raise AssertionError("ft12 bus %s is stopped" % self.path)
            if pad.addr in self.pads:
                raise AssertionError("address %d is already simulated on %s" % (pad.addr, self.path))
            self.pads[pad.addr] = pad

    def _detach(self, pad):
        with self._lock:
            if self.pads.get(pad.addr) is pad:
                del self.pads[pad.addr]
            last = not self.pads
        if last and self._auto:
            self.stop()

    def stop(self, timeout=3.0):
        """Stop the reader, close the port (pads on it stop working)."""
        self._stop.set()
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise AssertionError("Ft12Bus reader on %s still running" % self.path)
        self._close_port()
        with _ft12_buses_lock:
            if _ft12_buses.get(self._key) is self:
                del _ft12_buses[self._key]

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return "<Ft12Bus %s pads=%s>" % (self.path, sorted(self.pads))


class Ft12Pad:
    """A 叫号 window pad at `addr` on an ft12 bus.  `path` is a pty path
    (the bus is Ft12Bus.shared(path)) or an Ft12Bus.

    press(key) sends FUNC 01 with the key code and waits `echo_timeout` s
    for the host to send the frame back; without an echo it sends it again,
    `tries` times in all (as real pads do).  Returns True when echoed.

    State, updated by the bus's reader thread:
      .display   6 chars (' ' blank) of the latest FUNC 02, None before any
      .waiting   int of the latest FUNC 04 (None before any, or all blank)
      .beeps     FUNC 03 frames received
      .frames    every frame to this address (decoded dicts), .bad those
                 that failed a check (ok=False)
      .sent      key frames written (resends included)
      .presses / .echoes / .resends / .failed (no echo after all tries)
      .stray_echoes   key frames from the host when no press awaited them
      .echo_mismatch  echoes of the right key whose bytes differ from what
                      was sent (another preamble): accepted, but counted
    .lose_echoes(n) makes the pad miss the next n echoes (line noise), so
    the host sees resends."""

    def __init__(self, path, addr, echo_timeout=0.5, tries=3, bus=None):
        if isinstance(path, Ft12Bus):
            bus = path
        if not 0 <= int(addr) <= 0xFF:
            raise ValueError("ft12 address %r out of 0..255" % (addr,))
        self.addr = int(addr)
        self.echo_timeout = echo_timeout
        self.tries = tries
        self.display = None
        self.waiting = None
        self.beeps = 0
        self.frames = []
        self.bad = []
        self.sent = []
        self.presses = self.echoes = self.resends = self.failed = 0
        self.stray_echoes = self.echo_mismatch = self.lost_echoes = 0
        self._lose = 0
        self._await = None        # (code, frame bytes) of the press awaiting its echo
        self._got = None
        self._cond = threading.Condition()
        self._press_lock = threading.Lock()
        self._stopped = False
        self.bus = bus if bus is not None else Ft12Bus.shared(path)
        self.bus._attach(self)

    # -- from the bus's reader thread
    def _receive(self, f):
        with self._cond:
            self.frames.append(f)
            del self.frames[:-Ft12Bus.MAX_FRAMES]
            if not f.get("ok"):
                self.bad.append(f)
                self._cond.notify_all()
                return
            func = f["func"]
            if func == 0x01:
                aw = self._await
                if aw is not None and self._got is None and f["key"] == aw[0]:
                    if self._lose > 0:
                        self._lose -= 1
                        self.lost_echoes += 1
                    else:
                        if f["raw"] != aw[1]:
                            self.echo_mismatch += 1
                        self.echoes += 1
                        self._got = f
                else:
                    self.stray_echoes += 1
            elif func == 0x02:
                self.display = f["digits"]
            elif func == 0x03:
                self.beeps += 1
            elif func == 0x04:
                self.waiting = f["waiting"]
            self._cond.notify_all()

    # -- the test's side
    def press(self, key, tries=None, echo_timeout=None):
        """Press a key ("call", "recall", "evaluate", "pause", "transfer",
        "confirm", a digit 0-9, or an int code); True when the host echoed."""
        code = _key_code(key)
        frame = ft12_key(self.addr, code)
        tries = self.tries if tries is None else tries
        wait = self.echo_timeout if echo_timeout is None else echo_timeout
        with self._press_lock:
            with self._cond:
                self.presses += 1
            for attempt in range(max(1, tries)):
                with self._cond:
                    self._await, self._got = (code, frame), None
                    if attempt:
                        self.resends += 1
                try:
                    self.bus.write(frame)
                    with self._cond:
                        self.sent.append(frame)
                except OSError:
                    pass          # a dead line: no echo will come either
                try:
                    with self._cond:
                        if self._cond.wait_for(lambda: self._got is not None, wait):
                            return True
                finally:
                    with self._cond:
                        self._await = None
            with self._cond:
                self.failed += 1
            return False

    def confirm(self, digit):
        """The digit, then confirm (two presses, each echoed)."""
        a = self.press(int(digit))
        b = self.press("confirm")
        return a and b

    def send_raw(self, data):
        """Put any bytes on the bus (garbled frames and the like)."""
        self.bus.write(data)

    def lose_echoes(self, n=1):
        with self._cond:
            self._lose += int(n)

    def _state(self):
        return ("display=%r waiting=%r beeps=%d; last frames: %r" %
                (self.display, self.waiting, self.beeps,
                 [_hex(f["raw"]) for f in self.frames[-5:]]))

    def wait_display(self, text, timeout=5.0):
        """Wait until the display shows `text` (right-aligned to 6 cells)."""
        text = str(text).rjust(6)
        _wait_cond(self._cond, lambda: self.display == text, timeout,
                   lambda: "pad %d: display not %r in %.1f s: %s" %
                   (self.addr, text, timeout, self._state()))
        return text

    def wait_waiting(self, n, timeout=5.0):
        _wait_cond(self._cond, lambda: self.waiting == n, timeout,
                   lambda: "pad %d: waiting not %r in %.1f s: %s" %
                   (self.addr, n, timeout, self._state()))
        return n

    def wait_beeps(self, n, timeout=5.0):
        """Wait until at least n beeps have come."""
        _wait_cond(self._cond, lambda: self.beeps >= n, timeout,
                   lambda: "pad %d: %d beeps, not %d, in %.1f s: %s" %
                   (self.addr, self.beeps, n, timeout, self._state()))
        return self.beeps

    def stop(self):
        """Leave the bus (the bus closes if it was shared and this was its
        last pad)."""
        if not self._stopped:
            self._stopped = True
            self.bus._detach(self)

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def __repr__(self):
        return "<Ft12Pad %d on %s display=%r>" % (self.addr, self.bus.path, self.display)


# ------------------------------------------------------------ Modbus keypads

KP_REG_ACK_SEQ = 0x0030          # holding, written by the host
KP_REG_RATE_PROMPT = 0x0031
KP_REG_RATE_TICKET = 0x0032      # 2 registers, high word first
KP_IN_EVENT_SEQ = 0x0000         # input registers, read by the host
KP_IN_EVENT_KIND = 0x0001
KP_IN_EVENT_CODE = 0x0002
KP_IN_EVENT_ARG = 0x0003
KP_IN_LAST_RATING = 0x0004
KP_IN_STATUS = 0x0005
KP_INPUTS = 6
KP_EVENT_NONE, KP_EVENT_KEY, KP_EVENT_RATING = 0, 1, 2
KP_STATUS_PENDING, KP_STATUS_PROMPT = 0x01, 0x02
_WRITE_FCS = (6, 16, 22, 23)


def decode_keypad_inputs(regs):
    """Input registers 0x0000..0x0005 of a keypad as a dict."""
    regs = list(regs)
    if len(regs) < KP_INPUTS:
        raise ValueError("need %d registers, got %d" % (KP_INPUTS, len(regs)))
    return {"seq": regs[0], "kind": regs[1], "code": regs[2], "arg": regs[3],
            "last_rating": regs[4], "status": regs[5],
            "pending": bool(regs[5] & KP_STATUS_PENDING),
            "prompt": bool(regs[5] & KP_STATUS_PROMPT)}


class ModbusKeypad(ModbusSlave):
    """Modbus RTU keypads / evaluators, one slave per unit id, with the
    firmware of the keypad register map (protocols/README.md): a FIFO of
    key presses and ratings, the oldest pending one shown in input registers
    0x0000-0x0003 until the host writes its seq to holding 0x0030.

    Sequence numbers run 1..65535 and wrap to 1 (never 0).  Before the
    first event EVENT_SEQ reads 0; once the FIFO is empty it reads the last
    acknowledged seq with EVENT_KIND 0.  ACK_SEQ writes of any other value
    change nothing (so a repeated ack, after its reply was lost, is
    harmless).  A rating needs RATE_PROMPT (0x0031) == 1 and turns it off.

    The test's side:
      press(unit, key, arg=None) -> seq   key a name, digit or int code;
            for confirm, arg None means the digit pressed just before (if
            the last key was a digit, else 0); other keys default to 0
      confirm(unit, digit) -> seq        one confirm event, arg = digit
      rate(unit, score) -> seq, or False when the prompt is off
      pending(unit), events(unit)        event dicts (seq kind code arg t,
                                         ratings also ticket)
      acked(unit)                        seqs acknowledged, in order
      inputs(unit, 0, 6) / state(unit)   the registers the host reads
      display(unit)                      decode_display + rate_prompt, rate_ticket
      wait(pred, timeout)                poll pred() until true
      drop_next_reply(unit, func=4, count=1)   the next reply(s) to `func`
            from `unit` are computed but not sent (.dropped lists them)
      power_cycle(unit, next_seq=1)      a restarted device: FIFO and
            registers cleared, numbering from next_seq
    Everything of ModbusSlave (writes, reads, fault, delay, stop) works."""

    def __init__(self, port_path, units, fifo_size=32, **kw):
        if isinstance(units, int):
            units = [units]
        self.fifo_size = fifo_size
        self.dropped = []
        self._drops = {}
        self._kp = {u: self._fresh(1) for u in units}
        super().__init__(port_path, units, **kw)
        with self._lock:
            for u in self.unit_ids:
                self._expose(u)

    @staticmethod
    def _fresh(next_seq):
        return {"fifo": [], "next_seq": next_seq, "shown": 0, "acked": [],
                "events": [], "last_key": None, "last_rating": 0, "overflow": 0}

    # -- firmware (all under self._lock)
    def _st(self, unit):
        if unit not in self._kp:
            raise KeyError("unit %r is not simulated (units %s)" % (unit, sorted(self._kp)))
        return self._kp[unit]

    def _prompt(self, unit):
        return self._block(unit, "h").getValues(KP_REG_RATE_PROMPT, 1)[0] == 1

    def _expose(self, unit):
        st = self._kp[unit]
        status = KP_STATUS_PROMPT if self._prompt(unit) else 0
        if st["fifo"]:
            ev = st["fifo"][0]
            regs = [ev["seq"], ev["kind"], ev["code"], ev["arg"]]
            status |= KP_STATUS_PENDING
        else:
            regs = [st["shown"], KP_EVENT_NONE, 0, 0]
        self._block(unit, "i").setValues(0, regs + [st["last_rating"], status])

    def _after_write(self, unit, fc, address, values):
        st = self._kp.get(unit)
        if st is None or fc not in _WRITE_FCS:
            return
        end = address + len(values)
        if address <= KP_REG_ACK_SEQ < end:
            v = values[KP_REG_ACK_SEQ - address]
            if st["fifo"] and st["fifo"][0]["seq"] == v:
                ev = st["fifo"].pop(0)
                ev["acked"] = time.monotonic()
                st["acked"].append(v)
                st["shown"] = v
        self._expose(unit)

    def _push(self, unit, kind, code, arg, **extra):
        st = self._st(unit)
        if len(st["fifo"]) >= self.fifo_size:
            st["overflow"] += 1
            return None
        seq = st["next_seq"]
        st["next_seq"] = seq % 0xFFFF + 1
        ev = dict(seq=seq, kind=kind, code=code, arg=arg, t=time.monotonic(), **extra)
        st["fifo"].append(ev)
        st["events"].append(ev)
        del st["events"][:-10000]
        self._expose(unit)
        return seq

    def _manipulate(self, response):
        key = (response.unit_id, response.function_code & 0x7F)
        with self._lock:
            n = self._drops.get(key, 0)
            if n:
                self._drops[key] = n - 1
                self.dropped.append(key)
        if n:
            return b"", True           # computed, not sent: lost on the wire
        return super()._manipulate(response)

    # -- the test's side
    def press(self, unit, key, arg=None):
        """A key press into the FIFO; returns its seq (None if the FIFO is full)."""
        code = _key_code(key)
        with self._lock:
            st = self._st(unit)
            if arg is None:
                lk = st["last_key"]
                arg = lk if code == FT12_KEYS["confirm"] and lk is not None and lk <= 9 else 0
            st["last_key"] = code
            return self._push(unit, KP_EVENT_KEY, code, int(arg) & 0xFFFF)

    def confirm(self, unit, digit):
        """One confirm event carrying `digit` in EVENT_ARG."""
        return self.press(unit, "confirm", int(digit))

    def rate(self, unit, score):
        """The citizen rates 1-5: only while RATE_PROMPT is 1 (else False).
        Turns the prompt off; sets LAST_RATING; returns the event's seq."""
        if not 1 <= int(score) <= 5:
            raise ValueError("a rating is 1..5, not %r" % (score,))
        with self._lock:
            st = self._st(unit)
            if not self._prompt(unit):
                return False
            hi, lo = self._block(unit, "h").getValues(KP_REG_RATE_TICKET, 2)
            self._block(unit, "h").setValues(KP_REG_RATE_PROMPT, [0])
            st["last_rating"] = int(score)
            st["last_key"] = None
            seq = self._push(unit, KP_EVENT_RATING, int(score), 0, ticket=(hi << 16) | lo)
            self._expose(unit)
            return seq if seq is not None else False

    def pending(self, unit):
        with self._lock:
            return [dict(e) for e in self._st(unit)["fifo"]]

    def events(self, unit):
        with self._lock:
            return [dict(e) for e in self._st(unit)["events"]]

    def acked(self, unit):
        with self._lock:
            return list(self._st(unit)["acked"])

    def overflow(self, unit):
        with self._lock:
            return self._st(unit)["overflow"]

    def state(self, unit):
        """decode_keypad_inputs of what the host would read now."""
        return decode_keypad_inputs(self.inputs(unit, 0, KP_INPUTS))

    def display(self, unit):
        with self._lock:
            d = decode_display(self.holding(unit, 0, DISPLAY_REGS))
            hi, lo = self.holding(unit, KP_REG_RATE_TICKET, 2)
            d["rate_prompt"] = self.holding(unit, KP_REG_RATE_PROMPT, 1)[0]
            d["rate_ticket"] = (hi << 16) | lo
        return d

    def drop_next_reply(self, unit, func=4, count=1):
        """The next `count` replies to function `func` from `unit` are
        computed (reads happen, writes take effect) but not sent."""
        with self._lock:
            k = (unit, int(func) & 0x7F)
            self._drops[k] = self._drops.get(k, 0) + int(count)

    def power_cycle(self, unit, next_seq=1):
        """The device restarts: FIFO, numbering and all registers cleared."""
        if not 1 <= next_seq <= 0xFFFF:
            raise ValueError("seq 1..65535, not %r" % (next_seq,))
        with self._lock:
            self._st(unit)
            self._kp[unit] = self._fresh(next_seq)
            self._block(unit, "h").setValues(0, [0] * self.size)
            self._block(unit, "i").setValues(0, [0] * self.size)
            self._expose(unit)

    def wait(self, pred, timeout=5.0, interval=0.01):
        """Poll pred() until it is true; returns its value."""
        deadline = time.monotonic() + timeout
        v = None
        for _ in range(int(timeout / max(interval, 0.001)) + 10):
            v = pred()
            if v:
                return v
            if time.monotonic() > deadline:
                break
            time.sleep(interval)
        raise AssertionError("ModbusKeypad.wait: not true in %.1f s (last %r); units: %s" %
                             (timeout, v, {u: (self.state(u), self.pending(u))
                                           for u in self.unit_ids}))


# ------------------------------------------------------------ EV1527 433 MHz


def ev1527_frame(remote_id, key):
    """FD b1 b2 b3 DF: id = b1<<12 | b2<<4 | b3>>4 (20 bits), key = b3 & 0x0F."""
    if not 0 <= remote_id <= 0xFFFFF:
        raise ValueError("EV1527 id %r is not 20 bits" % (remote_id,))
    if not 0 <= key <= 0x0F:
        raise ValueError("EV1527 key %r is not 4 bits" % (key,))
    return bytes((0xFD, (remote_id >> 12) & 0xFF, (remote_id >> 4) & 0xFF,
                  ((remote_id & 0x0F) << 4) | key, 0xDF))


def ev1527_frames(data):
    """Frames in a capture: {"ok", "raw", "id", "key"}; bytes that are not
    a frame come as {"ok": False, "raw", "error"}."""
    data = bytes(data)
    out, i, n = [], 0, len(data)
    for _ in range(n + 1):
        if i >= n:
            break
        j = data.find(b"\xFD", i)
        if j < 0:
            j = n
        if j > i:
            out.append({"ok": False, "raw": data[i:j], "error": "garbage outside a frame"})
            i = j
            continue
        if n - j >= 5 and data[j + 4] == 0xDF:
            b1, b2, b3 = data[j + 1:j + 4]
            out.append({"ok": True, "raw": data[j:j + 5],
                        "id": (b1 << 12) | (b2 << 4) | (b3 >> 4), "key": b3 & 0x0F})
            i = j + 5
        else:
            k = data.find(b"\xFD", j + 1)
            k = n if k < 0 else k
            out.append({"ok": False, "raw": data[j:k],
                        "error": "incomplete frame" if k == n and n - j < 5 else "no DF end byte"})
            i = k
    return out


class Ev1527Receiver:
    """A 433 MHz EV1527 receiver module on a serial line (pyserial on a pty
    path, 9600 8N1): each decoded remote press comes out as FD b1 b2 b3 DF.
    .sent counts frames written; .received() returns what the host wrote
    to the module (it should write nothing).  After a replug a write opens
    the path again (once)."""

    def __init__(self, path, baudrate=9600):
        self.path = path
        self.baudrate = baudrate
        self.sent = 0
        self._lock = threading.Lock()
        self._ser = _serial_open(path, baudrate, timeout=0)

    def write(self, raw):
        import serial
        with self._lock:
            for attempt in range(2):
                try:
                    if self._ser is None:
                        self._ser = _serial_open(self.path, self.baudrate, timeout=0)
                    self._ser.write(bytes(raw))
                    return
                except (serial.SerialException, OSError):
                    if self._ser is not None:
                        try:
                            self._ser.close()
                        except Exception:      # noqa: BLE001
                            pass
                    self._ser = None
                    if attempt:
                        raise

    def click(self, remote_id, key):
        self.write(ev1527_frame(remote_id, key))
        self.sent += 1

    def hold(self, remote_id, key, seconds, every=0.1):
        """The button held for `seconds`: the frame every `every` s (at
        least once).  Returns the number of frames written."""
        every = max(float(every), 0.005)
        n = max(1, int(round(float(seconds) / every)))
        t0 = time.monotonic()
        for i in range(n):
            self.click(remote_id, key)
            if i + 1 < n:
                time.sleep(max(0.0, t0 + (i + 1) * every - time.monotonic()))
        return n

    def received(self, wait=0.0):
        """Bytes the host sent to the module within `wait` s."""
        import serial
        out = b""
        deadline = time.monotonic() + wait
        for _ in range(int(wait / 0.01) + 2):
            with self._lock:
                try:
                    if self._ser is not None:
                        out += self._ser.read(4096)
                except (serial.SerialException, OSError):
                    pass
            if time.monotonic() >= deadline:
                break
            time.sleep(0.01)
        return out

    def stop(self):
        with self._lock:
            if self._ser is not None:
                try:
                    self._ser.close()
                except Exception:      # noqa: BLE001
                    pass
                self._ser = None

    close = stop

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()


# ------------------------------------------------------------ command line

def _main(argv):
    """python3 devsim.py modbus-slave PORT UNIT[,UNIT...]  (runs until ^C)
    /usr/bin/python3 devsim.py decode bx|ft12 HEX..."""
    if len(argv) >= 3 and argv[0] == "modbus-slave":
        s = ModbusSlave(argv[1], [int(u, 0) for u in argv[2].split(",")])
        print("serving units %s on %s" % (s.unit_ids, argv[1]), flush=True)
        try:
            for _ in range(10 ** 7):
                time.sleep(1)
        except KeyboardInterrupt:
            pass
        finally:
            s.stop()
        return 0
    if len(argv) >= 3 and argv[0] == "decode":
        data = bytes.fromhex("".join(argv[2:]))
        for f in {"bx": bx_frames, "ft12": ft12_frames}[argv[1]](data):
            print(f)
        return 0
    print(_main.__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
