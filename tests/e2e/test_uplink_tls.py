"""test_uplink_tls.py — the uplink over TLS and MQTT 5, to Debian's real
mosquitto: a CA and certificates made here with openssl, a TLS listener that
wants a client certificate, the hall's events read back with mosquitto_sub
over TLS.  A broker whose certificate the hall's CA did not sign, or that
names another host, is refused (counted, said once, tried again); the hall
serves on.  MQTT 5 on a plain listener delivers the same events.
"""
import json
import os
import shutil
import subprocess
import tempfile
import time
import unittest

from harness import Hall, free_port

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
SUB = shutil.which("mosquitto_sub") or "/usr/bin/mosquitto_sub"


def run(*args, cwd):
    subprocess.run(args, cwd=cwd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, timeout=30)


def make_pki(d, host="localhost"):
    """ca.pem/ca.key; server.pem for `host` (SAN DNS and 127.0.0.1);
    client.pem; other-ca.pem (an unrelated CA)."""
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=hallq test CA", "-keyout", "ca.key", "-out", "ca.pem", cwd=d)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=other CA", "-keyout", "other-ca.key", "-out", "other-ca.pem",
        cwd=d)
    for name, cn, ext in (
            ("server", host, "subjectAltName=DNS:%s,IP:127.0.0.1" % host),
            ("wrong", "broker.elsewhere.cn", "subjectAltName=DNS:broker.elsewhere.cn"),
            ("client", "hall-01", "extendedKeyUsage=clientAuth")):
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=" + cn,
            "-keyout", name + ".key", "-out", name + ".csr", cwd=d)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write(ext + "\n")
        run("openssl", "x509", "-req", "-in", name + ".csr", "-CA", "ca.pem",
            "-CAkey", "ca.key", "-CAcreateserial", "-days", "2", "-extfile",
            name + ".ext", "-out", name + ".pem", cwd=d)
    for f in os.listdir(d):
        os.chmod(os.path.join(d, f), 0o644)


class Broker:
    def __init__(self, d, lines):
        self.dir = d
        self.port = free_port()
        self.conf = os.path.join(d, "mosquitto-%d.conf" % self.port)
        with open(self.conf, "w") as f:
            f.write("listener %d 127.0.0.1\n" % self.port)
            f.write("allow_anonymous true\npersistence false\n")
            for ln in lines:
                f.write(ln + "\n")
        self.log = open(os.path.join(d, "mosquitto-%d.log" % self.port), "wb")
        self.proc = subprocess.Popen([MOSQUITTO, "-c", self.conf], stdout=self.log,
                                     stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if b"running" in open(self.log.name, "rb").read():
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError("mosquitto did not start:\n" +
                             open(self.log.name, "rb").read().decode("utf-8", "replace"))

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


class Sub:
    """mosquitto_sub printing topic and payload, one message a line."""

    def __init__(self, d, port, args):
        self.out = os.path.join(d, "sub-%d.txt" % port)
        self.f = open(self.out, "wb")
        self.proc = subprocess.Popen(
            [SUB, "-h", "127.0.0.1", "-p", str(port), "-q", "1", "-v",
             "-t", "hallq/#"] + args, stdout=self.f, stderr=subprocess.STDOUT)

    def lines(self):
        with open(self.out, "rb") as f:
            return [ln.decode("utf-8", "replace") for ln in f.read().splitlines()]

    def events(self):
        seqs = []
        for ln in self.lines():
            topic, _, payload = ln.partition(" ")
            if topic.endswith("/events"):
                seqs.append(json.loads(payload)["seq"])
        return seqs

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self.f.close()


def wait_for(cond, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.1)
    raise AssertionError("timed out waiting for " + what)


class UplinkTLS(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.pki = tempfile.mkdtemp(prefix="hallq-tls-")
        os.chmod(cls.pki, 0o755)    # mosquitto run as root reads as "mosquitto"
        make_pki(cls.pki)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.pki, ignore_errors=True)

    def p(self, name):
        return os.path.join(self.pki, name)

    def broker(self, cert="server"):
        b = Broker(self.pki, [
            "cafile " + self.p("ca.pem"),
            "certfile " + self.p(cert + ".pem"),
            "keyfile " + self.p(cert + ".key"),
            "require_certificate true",
            "tls_version tlsv1.2",
        ])
        self.addCleanup(b.stop)
        return b

    def hall(self, port, ca="ca.pem"):
        h = Hall(uplink={"url": "mqtts://127.0.0.1:%d" % port, "hall_id": "hall-01",
                         "keepalive_s": 5,
                         "reconnect": {"first_s": 1, "max_s": 2},
                         "tls": {"ca_file": self.p(ca),
                                 "cert_file": self.p("client.pem"),
                                 "key_file": self.p("client.key")}})
        self.addCleanup(h.cleanup)
        h.start()
        self.addCleanup(lambda: h.proc is not None and h.stop())
        return h

    def tls_sub(self, port):
        s = Sub(self.pki, port, ["--cafile", self.p("ca.pem"), "--cert",
                                 self.p("client.pem"), "--key", self.p("client.key"),
                                 "--insecure"])
        self.addCleanup(s.stop)
        return s

    def script(self, h, n=6):
        for _ in range(n):
            r = h.req("POST", "/api/tickets", {"matter": "SB01"}, "k1")
            self.assertEqual(r.status, 201, r)
        r = h.req("POST", "/api/windows/3/call-next", None, "c3")
        self.assertEqual(r.status, 200, r)

    def log_seqs(self, h):
        r = h.req("GET", "/api/events?since=0&limit=1000", None, "d1")
        return [e["seq"] for e in r.json["events"]]

    def test_events_over_tls_with_a_client_certificate(self):
        b = self.broker()
        sub = self.tls_sub(b.port)
        time.sleep(0.5)
        h = self.hall(b.port)
        self.script(h)
        want = self.log_seqs(h)
        self.assertEqual(len(want), 7)
        got = wait_for(lambda: sorted(set(sub.events())) == want and sub.events(),
                       20, "every event over TLS")
        self.assertEqual(sorted(set(got)), want)
        # The subscriber may have the last event before the hall has its
        # PUBACK: the backlog reaches 0 within a bounded wait.
        st = wait_for(lambda: (lambda s: s if s["backlog"] == 0 else None)(
            h.req("GET", "/api/uplink", None, "m1").json), 10, "backlog 0")
        self.assertTrue(st["connected"], st)
        self.assertEqual(st["backlog"], 0, st)
        self.assertEqual(st["broker"], "mqtts://127.0.0.1:%d" % b.port)
        self.assertIn("hallq/hall-01/status online", sub.lines())

    def refused(self, h, marker):
        st = wait_for(lambda: (lambda s: s if s["errors"] >= 2 else None)(
            h.req("GET", "/api/uplink", None, "m1").json), 20, "errors counted")
        self.assertFalse(st["connected"], st)
        self.assertIsNotNone(st["last_error"], st)
        self.assertIn(marker, st["last_error"], st)
        # The hall serves on while the broker is refused.
        self.script(h, 2)
        self.assertEqual(h.req("GET", "/api/uplink", None, "m1").json["backlog"], 3)
        with open(h.stderr_path, "rb") as f:
            log = f.read().decode("utf-8", "replace")
        said = [ln for ln in log.splitlines() if "uplink mqtts://" in ln and
                "tried again" in ln]
        self.assertEqual(len(said), 1, "said once, not at each retry:\n" + log)
        return st

    def test_a_broker_another_ca_signed_is_refused(self):
        b = self.broker()
        h = self.hall(b.port, ca="other-ca.pem")
        self.refused(h, "certificate verify failed")

    def test_a_certificate_for_another_host_is_refused(self):
        b = self.broker(cert="wrong")
        h = self.hall(b.port)
        self.refused(h, "certificate verify failed")


class UplinkMQTT5(unittest.TestCase):

    def test_protocol_5(self):
        d = tempfile.mkdtemp(prefix="hallq-mqtt5-")
        os.chmod(d, 0o755)
        self.addCleanup(shutil.rmtree, d, True)
        b = Broker(d, [])
        self.addCleanup(b.stop)
        sub = Sub(d, b.port, ["-V", "mqttv5"])
        self.addCleanup(sub.stop)
        time.sleep(0.5)
        h = Hall(uplink={"url": "mqtt://127.0.0.1:%d" % b.port, "hall_id": "h5",
                         "protocol": "5", "keepalive_s": 5})
        self.addCleanup(h.cleanup)
        h.start()
        self.addCleanup(lambda: h.proc is not None and h.stop())
        for _ in range(4):
            h.req("POST", "/api/tickets", {"matter": "YB01"}, "k1")
        r = h.req("GET", "/api/events?since=0&limit=100", None, "d1")
        want = [e["seq"] for e in r.json["events"]]
        wait_for(lambda: sorted(set(sub.events())) == want, 20, "every event")
        st = h.req("GET", "/api/uplink", None, "m1").json
        self.assertEqual(st["protocol"], "5")
        self.assertTrue(st["connected"])
        # A clean stop says offline, retained.
        h.stop()
        wait_for(lambda: "hallq/h5/status offline" in sub.lines(), 10, "offline")


if __name__ == "__main__":
    unittest.main()
