"""kannel.py — Debian's real Kannel on loopback for the end-to-end tests.

Kannel: a loopback kannel.conf in a fresh temp dir, `bearerbox` with one
`fake` SMS centre, `smsbox` with a sendsms user, and
/usr/lib/kannel/test/fakesmsc (kannel-extras) as the SMS centre itself,
all on 127.0.0.1 ports picked here.  A reader thread keeps every message
fakesmsc receives (decoded: the fake driver sends UCS-2 as URL-encoded
big-endian bytes).  smsbox can be stopped and started again to play an
outage.  Every wait is bounded; stop() ends the three processes it started.
"""
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.parse

BEARERBOX = "/usr/sbin/bearerbox"
SMSBOX = "/usr/sbin/smsbox"
FAKESMSC = "/usr/lib/kannel/test/fakesmsc"

USERNAME = "hallq"
PASSWORD = "secret"
SENDER = "12345"


def available():
    """Why Kannel cannot run here, or None when it can."""
    for p in (BEARERBOX, SMSBOX, FAKESMSC):
        if not os.access(p, os.X_OK):
            return "%s missing (apt-get install kannel kannel-extras)" % p
    return None


def _free_ports(n):
    """n distinct free loopback ports (held open together while picked)."""
    socks, ports = [], []
    try:
        for _ in range(n):
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            socks.append(s)
            ports.append(s.getsockname()[1])
    finally:
        for s in socks:
            s.close()
    return ports


def _decode_msgdata(raw, ucs2):
    """The bytes of a message as text: UCS-2 (big endian) when Kannel said
    so, else UTF-8, else Latin-1 (GSM text as Kannel passes it)."""
    if ucs2 and len(raw) % 2 == 0:
        return raw.decode("utf-16-be", "replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


class SMS:
    """One message fakesmsc received."""

    def __init__(self, sender, to, text, at, line, udh=b""):
        self.sender = sender      # the sender number (smsbox's global-sender)
        self.to = to              # the phone number it went to
        self.text = text          # decoded text (parts joined)
        self.at = at              # time.monotonic() when fakesmsc printed it
        self.line = line          # the line as fakesmsc printed it
        self.udh = udh

    def __repr__(self):
        return "<SMS to %s: %r>" % (self.to, self.text)


# fakesmsc prints what it receives as `... Got message N: <LINE>` (debug
# level, which is the default).  LINE is the fake driver's protocol:
# `sender receiver text TEXT`, `... data URLENC`, `... ucs-2 URLENC` or
# `... udh URLENC data URLENC` (a part of a concatenated message).
_GOT = re.compile(r"Got message (\d+): <(.*)>\s*$")


def parse_line(line, at=0.0):
    """A fake-driver line → SMS (None when it is not one).  `udh` parts are
    returned as they are (see Kannel._join)."""
    parts = line.split(" ", 3)
    if len(parts) < 4:
        return None
    sender, to, kind, rest = parts
    if kind == "text":
        return SMS(sender, to, rest, at, line)
    if kind == "data":
        raw = urllib.parse.unquote_to_bytes(rest.replace("+", " "))
        return SMS(sender, to, _decode_msgdata(raw, False), at, line)
    if kind == "ucs-2":
        raw = urllib.parse.unquote_to_bytes(rest.replace("+", " "))
        return SMS(sender, to, _decode_msgdata(raw, True), at, line)
    if kind == "udh":
        m = re.match(r"(\S*) data (.*)$", rest)
        if not m:
            return None
        udh = urllib.parse.unquote_to_bytes(m.group(1))
        raw = urllib.parse.unquote_to_bytes(m.group(2).replace("+", " "))
        # hallqd sends coding=2: a part's bytes are UCS-2.
        return SMS(sender, to, _decode_msgdata(raw, True), at, line, udh)
    return None


def _concat_info(udh):
    """(ref, total, seq) of a concatenation UDH, or None."""
    if not udh:
        return None
    i, n = 1, min(len(udh), udh[0] + 1)
    while i + 1 < n:
        iei, ln = udh[i], udh[i + 1]
        v = udh[i + 2:i + 2 + ln]
        if iei == 0x00 and ln == 3:
            return (v[0], v[1], v[2])
        if iei == 0x08 and ln == 4:
            return ((v[0] << 8) | v[1], v[2], v[3])
        i += 2 + ln
    return None


class Kannel:
    """bearerbox + smsbox + fakesmsc on loopback.  start() / stop();
    stop_smsbox() / start_smsbox() for an outage; messages() and
    wait_messages() for what the SMS centre received."""

    def __init__(self, dlr=True):
        why = available()
        if why:
            raise RuntimeError(why)
        self.dir = tempfile.mkdtemp(prefix="hallq-kannel-")
        (self.admin_port, self.box_port, self.smsc_port,
         self.sendsms_port) = _free_ports(4)
        self.conf_path = os.path.join(self.dir, "kannel.conf")
        self.admin_password = "adm"
        self.bearerbox = None
        self.smsbox = None
        self.fakesmsc = None
        self._files = []
        self._lock = threading.Condition()
        self._got = []            # SMS, in the order fakesmsc printed them
        self._parts = {}          # (to, ref) -> {seq: SMS} of concatenated parts
        self._reader = None
        self._fake_log = []       # fakesmsc's other lines (for failures)
        self.nsmsbox = 0
        self.write_conf()

    # -- config
    @property
    def sendsms_url(self):
        return "http://127.0.0.1:%d/cgi-bin/sendsms" % self.sendsms_port

    def gateway(self, report_url=None):
        """The `notify.gateway` of a hallqd config sending through here."""
        g = {"kind": "kannel", "url": self.sendsms_url,
             "username": USERNAME, "password": PASSWORD}
        if report_url:
            g["report_url"] = report_url
        return g

    def write_conf(self):
        d = self.dir
        text = """\
group = core
admin-port = %(admin)d
admin-interface = 127.0.0.1
admin-password = %(apw)s
admin-allow-ip = "127.0.0.1"
smsbox-port = %(box)d
smsbox-interface = 127.0.0.1
box-allow-ip = "127.0.0.1"
dlr-storage = internal
log-file = "%(dir)s/bearerbox.log"
log-level = 1

group = smsc
smsc = fake
smsc-id = fake
port = %(smsc)d
our-host = 127.0.0.1
connect-allow-ip = "127.0.0.1"

group = smsbox
bearerbox-host = 127.0.0.1
bearerbox-port = %(box)d
sendsms-port = %(sendsms)d
sendsms-interface = 127.0.0.1
global-sender = %(sender)s
http-request-retry = 3
http-queue-delay = 1
log-file = "%(dir)s/smsbox.log"
log-level = 1

group = sendsms-user
username = %(user)s
password = %(pw)s
max-messages = 10
concatenation = true
user-deny-ip = "*.*.*.*"
user-allow-ip = "127.0.0.1"

group = sms-service
keyword = default
text = "ignored"
max-messages = 0
""" % {"admin": self.admin_port, "apw": self.admin_password, "box": self.box_port,
       "smsc": self.smsc_port, "sendsms": self.sendsms_port, "sender": SENDER,
       "user": USERNAME, "pw": PASSWORD, "dir": d}
        with open(self.conf_path, "w") as f:
            f.write(text)

    # -- processes
    def _spawn(self, argv, name, stdout=None):
        log = open(os.path.join(self.dir, name + ".out"), "ab")
        self._files.append(log)
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=stdout if stdout is not None else log,
                                stderr=subprocess.STDOUT if stdout is not None else log,
                                cwd=self.dir, start_new_session=True)

    def start(self, timeout=20):
        """bearerbox, then fakesmsc, then smsbox; returns when the SMS
        centre is online and sendsms answers."""
        try:
            self.bearerbox = self._spawn([BEARERBOX, self.conf_path], "bearerbox")
            self._wait(lambda: self._admin_status() is not None, timeout,
                       "bearerbox's admin port", self.bearerbox)
            self.start_fakesmsc(timeout)
            self.start_smsbox(timeout)
        except Exception:
            self.stop()
            raise
        return self

    def start_fakesmsc(self, timeout=20):
        assert self.fakesmsc is None
        # -m 0: send nothing, only print what arrives (for ever).
        self.fakesmsc = self._spawn([FAKESMSC, "-H", "127.0.0.1", "-r",
                                     str(self.smsc_port), "-m", "0",
                                     "%s 100 text unused" % SENDER], "fakesmsc",
                                    stdout=subprocess.PIPE)
        self._reader = threading.Thread(target=self._read_fakesmsc,
                                        args=(self.fakesmsc,), daemon=True)
        self._reader.start()
        self._wait(lambda: "online" in (self._admin_status() or ""), timeout,
                   "the fake SMS centre online", self.fakesmsc)

    def start_smsbox(self, timeout=20):
        """Start smsbox (again); returns when sendsms answers."""
        assert self.smsbox is None, "smsbox is running"
        self.nsmsbox += 1
        self.smsbox = self._spawn([SMSBOX, self.conf_path], "smsbox")
        self._wait(self._sendsms_answers, timeout, "smsbox's sendsms port", self.smsbox)

    def stop_smsbox(self, timeout=15):
        """Stop smsbox (SIGTERM, SIGKILL when slow); returns when its sendsms
        port refuses connections."""
        p, self.smsbox = self.smsbox, None
        if p is None:
            return
        self._end(p, timeout)
        self._wait(lambda: not self._port_open(self.sendsms_port), timeout,
                   "smsbox's sendsms port closed")

    def stop(self):
        """End everything started here; remove the temp dir (E2E_KEEP=1
        keeps it)."""
        for attr in ("smsbox", "fakesmsc", "bearerbox"):
            p = getattr(self, attr)
            setattr(self, attr, None)
            if p is not None:
                # bearerbox may take 10 s to finish politely after an
                # smsbox came back: nothing here needs it polite.
                self._end(p, 3)
        if self._reader is not None:
            self._reader.join(5)
            self._reader = None
        for f in self._files:
            try:
                f.close()
            except OSError:
                pass
        self._files = []
        if os.environ.get("E2E_KEEP"):
            print("  [kept %s]" % self.dir)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    @staticmethod
    def _end(p, timeout):
        if p.poll() is None:
            try:
                p.send_signal(signal.SIGTERM)
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
            except ProcessLookupError:
                pass
        if p.stdout is not None:
            try:
                p.stdout.close()
            except OSError:
                pass

    def _wait(self, cond, timeout, what, proc=None):
        deadline = time.monotonic() + timeout
        while True:
            if cond():
                return
            if proc is not None and proc.poll() is not None:
                raise AssertionError("kannel: %s: the process exited with %s\n%s" %
                                     (what, proc.returncode, self.logs()))
            if time.monotonic() > deadline:
                raise AssertionError("kannel: no %s within %ss\n%s" %
                                     (what, timeout, self.logs()))
            time.sleep(0.05)

    @staticmethod
    def _port_open(port):
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=1)
        except OSError:
            return False
        s.close()
        return True

    def _http_get(self, port, path, timeout=3):
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            c.request("GET", path)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            c.close()

    def _admin_status(self):
        try:
            st, body = self._http_get(self.admin_port, "/status.txt?password=" +
                                      self.admin_password)
        except OSError:
            return None
        return body.decode("utf-8", "replace") if st == 200 else None

    def _sendsms_answers(self):
        try:
            st, _ = self._http_get(self.sendsms_port, "/cgi-bin/sendsms")
        except OSError:
            return False
        return st > 0

    def logs(self, n=2500):
        out = []
        for name in ("bearerbox.log", "smsbox.log", "bearerbox.out", "smsbox.out"):
            try:
                with open(os.path.join(self.dir, name), "rb") as f:
                    data = f.read()[-n:].decode("utf-8", "replace")
                out.append("--- %s\n%s" % (name, data))
            except OSError:
                pass
        with self._lock:
            out.append("--- fakesmsc\n" + "\n".join(self._fake_log[-20:]))
        return "\n".join(out)

    # -- what the SMS centre received
    def _read_fakesmsc(self, p):
        for raw in iter(p.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            at = time.monotonic()
            m = _GOT.search(line)
            sms = parse_line(m.group(2), at) if m else None
            with self._lock:
                if sms is None:
                    self._fake_log.append(line)
                    continue
                self._add(sms)
                self._lock.notify_all()

    def _add(self, sms):
        ci = _concat_info(sms.udh)
        if ci is None:
            self._got.append(sms)
            return
        ref, total, seq = ci
        parts = self._parts.setdefault((sms.to, ref), {})
        parts[seq] = sms
        if len(parts) == total:
            del self._parts[(sms.to, ref)]
            whole = [parts[i] for i in sorted(parts)]
            self._got.append(SMS(sms.sender, sms.to, "".join(p.text for p in whole),
                                 sms.at, "\n".join(p.line for p in whole)))

    def messages(self, to=None):
        """Every message received so far (for `to` only when given)."""
        with self._lock:
            return [s for s in self._got if to is None or s.to == to]

    def wait_messages(self, n, to=None, pred=None, timeout=20):
        """Wait (bounded) until at least n received messages match (to,
        pred); returns them all."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [s for s in self._got if (to is None or s.to == to)
                       and (pred is None or pred(s))]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        "fakesmsc: %d of %d messages%s within %ss: %r" %
                        (len(got), n, " to %s" % to if to else "", timeout,
                         self._got[-10:]))
                self._lock.wait(min(left, 0.5))

    def quiet(self, secs, to=None):
        """The messages (to `to`) that arrive in the next `secs` seconds."""
        with self._lock:
            before = len(self._got)
        time.sleep(secs)
        with self._lock:
            return [s for s in self._got[before:] if to is None or s.to == to]

    # -- sending directly (to check the fixture itself)
    def sendsms(self, to, text, dlr_url=None, timeout=5):
        q = {"username": USERNAME, "password": PASSWORD, "to": to, "text": text,
             "charset": "UTF-8", "coding": "2"}
        if dlr_url:
            q["dlr-mask"] = "31"
            q["dlr-url"] = dlr_url
        st, body = self._http_get(self.sendsms_port, "/cgi-bin/sendsms?" +
                                  urllib.parse.urlencode(q), timeout)
        return st, body.decode("utf-8", "replace")
