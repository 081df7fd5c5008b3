"""mqtt.py — Debian's real mosquitto broker and a paho subscriber on loopback
for the uplink tests (issue 16).

Broker: /usr/sbin/mosquitto with a config written here in a fresh temp dir
(one listener on 127.0.0.1 and a port picked here, kept across restarts;
persistence on or off; anonymous or a password_file made with
mosquitto_passwd -b; optionally a bridge to another broker), never the
system service.  stop() is SIGTERM (a broker with persistence saves its
sessions and queued messages then), kill() is SIGKILL; start() again on the
same port.
Subscriber: Debian's python3-paho-mqtt 1.6.1 (run under /usr/bin/python3), a
persistent session by default (clean_session False, QoS 1), reconnecting
by itself every second or two while its broker is away; it keeps every
message it receives per topic with its arrival time.
BridgedPair: a hall-side broker bridged (`topic hallq/# out 1`, `cleansession
false`, persistence on both) to a second "city" broker.
FakeBroker: a TCP server that is not a broker: it answers CONNECT with bytes
that are not MQTT ("garbage") or accepts and never answers ("hang").
Every wait is bounded; cleanup() ends what was started here.
"""
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

MOSQUITTO = "/usr/sbin/mosquitto"
MOSQUITTO_PASSWD = "/usr/bin/mosquitto_passwd"

try:
    import paho.mqtt.client as paho
except ImportError:          # not Debian's python3, or python3-paho-mqtt missing
    paho = None


def available():
    """Why the broker or the subscriber cannot run here, or None."""
    if not os.access(MOSQUITTO, os.X_OK):
        return "%s missing (apt-get install mosquitto)" % MOSQUITTO
    if not os.access(MOSQUITTO_PASSWD, os.X_OK):
        return "%s missing (apt-get install mosquitto)" % MOSQUITTO_PASSWD
    if paho is None:
        return "paho.mqtt missing (apt-get install python3-paho-mqtt; run /usr/bin/python3)"
    return None


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def port_open(port, timeout=1.0):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError:
        return False
    s.close()
    return True


def wait_until(cond, timeout, what, step=0.05):
    """Poll cond() (bounded); returns its first true value or fails."""
    deadline = time.monotonic() + timeout
    for _ in range(int(timeout / step) + 2):
        v = cond()
        if v:
            return v
        if time.monotonic() > deadline:
            break
        time.sleep(step)
    raise AssertionError("no %s within %ss" % (what, timeout))


def _uniq(tag):
    return "mqtt16-%s-%d-%06x" % (tag, os.getpid(), random.getrandbits(24))


# ---------------------------------------------------------------- broker

class Broker:
    """One mosquitto with its own temp dir, port, conf and log."""

    def __init__(self, name="broker", port=None, persistence=True, users=None,
                 anonymous=None, bridge=None, autosave_s=5, extra=()):
        why = available()
        if why:
            raise RuntimeError(why)
        self.name = name
        self.dir = tempfile.mkdtemp(prefix="mqtt16-%s-" % name)
        self.port = port or free_port()
        self.persistence = persistence
        self.users = dict(users or {})          # username -> password
        self.anonymous = (not self.users) if anonymous is None else anonymous
        self.bridge = bridge                    # dict for bridge_conf() or None
        self.autosave_s = autosave_s
        self.extra = list(extra)
        self.conf_path = os.path.join(self.dir, "mosquitto.conf")
        self.log_path = os.path.join(self.dir, "mosquitto.log")
        self.out_path = os.path.join(self.dir, "mosquitto.out")
        self.proc = None
        self.nstarts = 0
        self._out = None
        self.write_conf()

    @property
    def url(self):
        return "mqtt://127.0.0.1:%d" % self.port

    def write_conf(self):
        lines = [
            "# written by tests/e2e/mqtt.py",
            "per_listener_settings false",
            "listener %d 127.0.0.1" % self.port,
            "allow_anonymous %s" % ("true" if self.anonymous else "false"),
            # As root, stay root: the temp dir is root's.  (No effect otherwise.)
            "user root",
            "log_dest file %s" % self.log_path,
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
            "connection_messages true",
            "log_timestamp true",
            # Nothing dropped for a subscriber that is away or slow.
            "max_queued_messages 0",
            "max_inflight_messages 20",
        ]
        if self.persistence:
            lines += ["persistence true",
                      "persistence_location %s/" % self.dir,
                      "persistence_file mosquitto.db",
                      "autosave_interval %d" % self.autosave_s]
        else:
            lines.append("persistence false")
        if self.users:
            pw = os.path.join(self.dir, "passwd")
            if os.path.exists(pw):
                os.unlink(pw)
            first = True
            for u, p in self.users.items():
                argv = [MOSQUITTO_PASSWD, "-b"] + (["-c"] if first else []) + [pw, u, p]
                subprocess.run(argv, check=True, stdin=subprocess.DEVNULL,
                               capture_output=True, timeout=20)
                first = False
            lines.append("password_file %s" % pw)
        lines += self.extra
        if self.bridge:
            lines += bridge_conf(**self.bridge)
        with open(self.conf_path, "w") as f:
            f.write("\n".join(lines) + "\n")

    def start(self, timeout=15):
        """Start (again, on the same port); returns once the port accepts."""
        assert self.proc is None or self.proc.poll() is not None, "%s running" % self.name
        self.nstarts += 1
        self._out = open(self.out_path, "ab")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf_path],
                                     stdin=subprocess.DEVNULL, stdout=self._out,
                                     stderr=subprocess.STDOUT, cwd=self.dir,
                                     start_new_session=True)
        deadline = time.monotonic() + timeout
        # mosquitto may find the port still held for a moment after a stop
        # (it exits 1 then): try again until the deadline.
        for _ in range(int(timeout / 0.05) + 2):
            if self.proc.poll() is not None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
                self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf_path],
                                             stdin=subprocess.DEVNULL, stdout=self._out,
                                             stderr=subprocess.STDOUT, cwd=self.dir,
                                             start_new_session=True)
                continue
            if port_open(self.port):
                return self
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.kill()
        raise AssertionError("mosquitto %s did not listen on %d in %ss:\n%s" %
                             (self.name, self.port, timeout, self.log_tail()))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, timeout=15):
        """SIGTERM (persistence is saved then); returns once the port is
        closed."""
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait(5)
        self._close_out()
        wait_until(lambda: not port_open(self.port, 0.5), timeout,
                   "close of %s's port %d" % (self.name, self.port))

    def kill(self):
        """SIGKILL: what was not saved yet is lost."""
        p, self.proc = self.proc, None
        if p is not None and p.poll() is None:
            try:
                p.kill()
            except ProcessLookupError:
                pass
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
        self._close_out()

    def _close_out(self):
        if self._out is not None:
            try:
                self._out.close()
            except OSError:
                pass
            self._out = None

    def restart(self, timeout=15):
        self.stop(timeout)
        return self.start(timeout)

    def log(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, n=3000):
        out = self.log()[-n:]
        try:
            with open(self.out_path, "rb") as f:
                o = f.read()[-1000:].decode("utf-8", "replace")
            if o.strip():
                out += "\n--- stdout/stderr\n" + o
        except OSError:
            pass
        return "--- mosquitto %s (port %d)\n%s" % (self.name, self.port, out)

    def cleanup(self):
        try:
            self.kill()
        finally:
            if os.environ.get("E2E_KEEP"):
                print("  [kept %s]" % self.dir)
            else:
                shutil.rmtree(self.dir, ignore_errors=True)


def bridge_conf(port, name="city", topic="hallq/#", remote_clientid=None,
                local_clientid=None, qos=1, cleansession=False):
    """The lines of a mosquitto bridge to 127.0.0.1:port."""
    rid = remote_clientid or _uniq("bridge")
    return [
        "connection %s" % name,
        "address 127.0.0.1:%d" % port,
        "topic %s out %d" % (topic, qos),
        "cleansession %s" % ("true" if cleansession else "false"),
        "remote_clientid %s" % rid,
        "local_clientid %s" % (local_clientid or rid + "-local"),
        "bridge_protocol_version mqttv311",
        "try_private false",
        "keepalive_interval 5",
        "restart_timeout 1 2",
        "start_type automatic",
    ]


class BridgedPair:
    """A hall-side broker bridged to a "city" broker: both with persistence,
    the bridge `topic hallq/# out 1`, `cleansession false`.  The hall
    publishes to `hall_side`; subscribers read `city`."""

    def __init__(self, topic="hallq/#"):
        self.city = Broker("city")
        self.bridge_id = _uniq("bridge")
        self.hall_side = Broker("hallside", bridge={"port": self.city.port,
                                                    "topic": topic,
                                                    "remote_clientid": self.bridge_id})

    def start(self, timeout=20):
        self.city.start(timeout)
        self.hall_side.start(timeout)
        self.wait_bridge(timeout)
        return self

    def bridge_connections(self):
        """How many times the bridge has connected to the city broker (its
        log's "New client connected ... as BRIDGE_ID")."""
        return sum(1 for line in self.city.log().splitlines()
                   if "New client connected" in line and (" as %s " % self.bridge_id) in line)

    def wait_bridge(self, timeout=20, at_least=1):
        wait_until(lambda: self.bridge_connections() >= at_least, timeout,
                   "bridge connection %d to the city broker\n%s\n%s" %
                   (at_least, self.city.log_tail(1500), self.hall_side.log_tail(1500)),
                   step=0.1)

    def cleanup(self):
        try:
            self.hall_side.cleanup()
        finally:
            self.city.cleanup()

    def logs(self):
        return self.hall_side.log_tail() + "\n" + self.city.log_tail()


# ---------------------------------------------------------------- subscriber

class Msg:
    __slots__ = ("topic", "payload", "retain", "qos", "dup", "at", "n")

    def __init__(self, topic, payload, retain, qos, dup, at, n):
        self.topic = topic
        self.payload = payload          # bytes
        self.retain = retain            # bool
        self.qos = qos
        self.dup = dup
        self.at = at                    # time.monotonic() of arrival
        self.n = n                      # arrival number (over all topics)

    def text(self):
        return self.payload.decode("utf-8", "replace")

    def json(self):
        try:
            return json.loads(self.payload.decode("utf-8"))
        except ValueError as e:
            raise AssertionError("%s: payload is not JSON (%s): %r" %
                                 (self.topic, e, self.payload[:300]))

    def __repr__(self):
        return "<Msg %s%s %r>" % (self.topic, " retained" if self.retain else "",
                                  self.payload[:200])


class Subscriber:
    """A paho client subscribed to `topics` (each with `qos`), on its own
    network thread.  clean=False: a persistent session under a fixed client
    id, so what the broker queued for it while it was away (or while the
    broker itself was down, with persistence) comes when it is back."""

    def __init__(self, port, topics, qos=1, clean=False, client_id=None, name="sub",
                 username=None, password=None):
        why = available()
        if why:
            raise RuntimeError(why)
        self.port = port
        self.topics = [topics] if isinstance(topics, str) else list(topics)
        self.qos = qos
        self.clean = clean
        self.client_id = client_id or _uniq(name)
        self._cv = threading.Condition()
        self._msgs = []
        self._seqs = {}                 # topic -> set of the JSON payloads' seqs
        self._n = 0
        self.connects = 0
        self.subscribed = 0
        self.disconnects = 0
        self.client = paho.Client(client_id=self.client_id, clean_session=clean,
                                  protocol=paho.MQTTv311)
        if username is not None:
            self.client.username_pw_set(username, password)
        self.client.reconnect_delay_set(1, 2)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self.client.on_disconnect = self._on_disconnect
        self._started = False

    # paho callbacks (its network thread)
    def _on_connect(self, client, userdata, flags, rc):
        if rc != 0:
            return
        with self._cv:
            self.connects += 1
            self._cv.notify_all()
        client.subscribe([(t, self.qos) for t in self.topics])

    def _on_subscribe(self, client, userdata, mid, granted):
        with self._cv:
            self.subscribed += 1
            self._cv.notify_all()

    def _on_disconnect(self, client, userdata, rc):
        with self._cv:
            self.disconnects += 1
            self._cv.notify_all()

    def _on_message(self, client, userdata, m):
        payload = bytes(m.payload)
        seq = None
        if payload[:1] == b"{":
            try:
                seq = json.loads(payload.decode("utf-8")).get("seq")
            except (ValueError, AttributeError):
                seq = None
        with self._cv:
            self._n += 1
            self._msgs.append(Msg(m.topic, payload, bool(m.retain), m.qos,
                                  bool(m.dup), time.monotonic(), self._n))
            if isinstance(seq, int):
                self._seqs.setdefault(m.topic, set()).add(seq)
            self._cv.notify_all()

    def start(self, timeout=10):
        """Connect and subscribe; returns once the broker granted the
        subscription."""
        self.client.connect_async("127.0.0.1", self.port, keepalive=10)
        self.client.loop_start()
        self._started = True
        self.wait_for(lambda: self.subscribed >= 1, timeout, "subscription granted")
        return self

    def stop(self):
        if self._started:
            self._started = False
            try:
                self.client.disconnect()
            except Exception:
                pass
            self.client.loop_stop()

    cleanup = stop

    def wait_for(self, cond, timeout, what):
        deadline = time.monotonic() + timeout
        with self._cv:
            for _ in range(int(timeout / 0.2) + 100000):
                if cond():
                    return True
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cv.wait(min(left, 0.2))
        raise AssertionError("subscriber %s: no %s within %ss" % (self.client_id, what, timeout))

    # what arrived
    def messages(self, topic=None):
        with self._cv:
            return [m for m in self._msgs if topic is None or m.topic == topic]

    def count(self, topic=None):
        return len(self.messages(topic))

    def nseqs(self, topic):
        """How many distinct seqs have arrived on `topic`."""
        with self._cv:
            return len(self._seqs.get(topic, ()))

    def last_n(self):
        """The arrival number of the last message so far (0: none): pass
        pred=lambda m: m.n > N to wait for what comes after."""
        with self._cv:
            return self._n

    def wait_messages(self, topic, n=1, pred=None, timeout=15):
        """Wait until at least n messages of `topic` match pred; returns
        those that match."""
        def ok():
            return len([m for m in self._msgs if m.topic == topic and
                        (pred is None or pred(m))]) >= n
        try:
            self.wait_for(ok, timeout, "%d message(s) on %s" % (n, topic))
        except AssertionError:
            got = self.messages(topic)
            raise AssertionError("subscriber: %d message(s) on %s within %ss (wanted %d "
                                 "matching); last: %r" % (len(got), topic, timeout, n, got[-3:]))
        return [m for m in self.messages(topic) if pred is None or pred(m)]

    def first_by_seq(self, topic):
        """The messages of `topic` deduplicated by their JSON `seq`, the
        first of each kept: [(seq, payload dict, Msg)] in arrival order."""
        seen = set()
        out = []
        for m in self.messages(topic):
            j = m.json()
            s = j.get("seq") if isinstance(j, dict) else None
            if not isinstance(s, int):
                raise AssertionError("%s: message without an integer seq: %r" % (topic, m))
            if s in seen:
                continue
            seen.add(s)
            out.append((s, j, m))
        return out

    def wait_seqs(self, topic, seqs, timeout=60):
        """Wait until every seq of `seqs` has arrived on `topic` (bounded)."""
        want = set(seqs)

        def have():
            got = self._seqs.get(topic, set())
            return len(got) >= len(want) and want <= got
        try:
            self.wait_for(have, timeout, "all of %d seqs on %s" % (len(want), topic))
        except AssertionError:
            got = {s for s, _, _ in self.first_by_seq(topic)}
            missing = sorted(want - got)
            raise AssertionError("%s: %d of %d seqs missing after %ss (first missing %r, "
                                 "%d messages)" % (topic, len(missing), len(want), timeout,
                                                   missing[:20], self.count(topic)))


def late_retained(port, topic, timeout=5, username=None, password=None):
    """A new clean-session client subscribes to `topic` and returns the
    retained message the broker hands it at once (None when none comes
    within `timeout`)."""
    s = Subscriber(port, topic, clean=True, name="late", username=username,
                   password=password)
    try:
        s.start(timeout)
        try:
            ms = s.wait_messages(topic, 1, timeout=timeout)
        except AssertionError:
            return None
        return ms[0]
    finally:
        s.stop()


# ---------------------------------------------------------------- not a broker

class FakeBroker:
    """A TCP server on 127.0.0.1:port that is not an MQTT broker.
    mode "garbage": reads what the client sends (its CONNECT) and answers
    with bytes that are not MQTT — a packet of the reserved type 0 (an empty
    one, so a reader sees it whole at once) and random bytes after it — then
    closes after a moment.  mode "hang": accepts, reads, never answers, and
    keeps the connection open until the client closes it or stop().
    mode "blackhole": listens with a backlog it fills itself and never
    accepts, so the kernel drops a client's SYN: its TCP connect neither
    succeeds nor fails (as behind a firewall that drops packets)."""

    def __init__(self, mode, port=None):
        assert mode in ("garbage", "hang", "blackhole")
        self.mode = mode
        self.port = port or free_port()
        self.accepted = 0
        self.accepted_at = []           # time.monotonic() of each accept
        self.received = 0               # bytes the clients sent
        self.sent = 0
        self._lock = threading.Lock()
        self._conns = []
        self._stop = threading.Event()
        self._sock = None
        self._thread = None

    def start(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", self.port))
        if self.mode == "blackhole":
            s.listen(0)
            self._sock = s
            for _ in range(3):
                c = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                c.setblocking(False)
                try:
                    c.connect(("127.0.0.1", self.port))
                except (BlockingIOError, OSError):
                    pass
                self._conns.append(c)
            time.sleep(0.2)
            probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            probe.settimeout(1)
            try:
                probe.connect(("127.0.0.1", self.port))
                raise AssertionError("blackhole: a connection to port %d went through"
                                     % self.port)
            except socket.timeout:
                pass
            finally:
                probe.close()
            return self
        s.listen(16)
        s.settimeout(0.2)
        self._sock = s
        self._thread = threading.Thread(target=self._accept_loop, daemon=True)
        self._thread.start()
        return self

    def _accept_loop(self):
        while not self._stop.is_set():
            try:
                c, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            with self._lock:
                self.accepted += 1
                self.accepted_at.append(time.monotonic())
                self._conns.append(c)
            threading.Thread(target=self._serve, args=(c,), daemon=True).start()

    def _serve(self, c):
        c.settimeout(0.5)
        answered = False
        t0 = time.monotonic()
        try:
            while not self._stop.is_set():
                try:
                    d = c.recv(4096)
                except socket.timeout:
                    d = None
                if d == b"":
                    return                          # the client closed
                if d:
                    with self._lock:
                        self.received += len(d)
                    if self.mode == "garbage" and not answered:
                        junk = b"\x00\x00" + os.urandom(62)
                        c.sendall(junk)
                        with self._lock:
                            self.sent += len(junk)
                        answered = True
                        t0 = time.monotonic()
                if self.mode == "garbage" and answered and time.monotonic() - t0 > 2:
                    return
        except OSError:
            return
        finally:
            try:
                c.close()
            except OSError:
                pass

    def stop(self):
        """Close the listening socket and every connection; returns once
        the port refuses connections (once: again is a no-op)."""
        if self._stop.is_set():
            return
        self._stop.set()
        if self._sock is not None:
            try:
                self._sock.close()
            except OSError:
                pass
            self._sock = None
        with self._lock:
            conns, self._conns = self._conns, []
        for c in conns:
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                c.close()
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None
        wait_until(lambda: not port_open(self.port, 0.5), 10, "close of port %d" % self.port)

    cleanup = stop
