"""smsapi.py — a template SMS API shaped like Aliyun/Tencent SendSms, for
hallqd's `http` gateway (web/README.md, "Reminders to citizens").

A real HTTP server on 127.0.0.1 (a port picked here) that checks every
request as the contract describes — POST, Content-Type: application/json,
the body's members (phone_numbers, sign_name, template_code, template_param
with exactly the template's placeholders as strings, out_id), the configured
headers and the HMAC-SHA256 signature — and answers as a test scripts it:
OK, a 4xx, a 200 with an error code, a 5xx, or no answer at all (hang past
hallqd's time-out).  It can POST delivery reports to hallqd.  Every request
is kept, with what was wrong with it.
"""
import hashlib
import hmac
import http.client
import http.server
import json
import re
import select
import socket
import threading
import time
import urllib.parse

PATH = "/sms/send"

# The default texts of the kinds (web/README.md); the placeholders of each
# are what template_param must hold.
DEFAULT_TEXTS = {
    "booked": "【{hall}】预约成功：{date} {time} 办理{matter}，预约码{code}。请提前到大厅取号机签到。",
    "reminder": "【{hall}】提醒：您预约了明天 {time} 办理{matter}，预约码{code}。",
    "soon": "【{hall}】提醒：您预约的{matter}将于 {time} 开始，请按时到大厅签到。",
    "ahead": "【{hall}】您的{number}号前面还有{ahead}人，约{minutes}分钟，请留意叫号。",
    "called": "【{hall}】请{number}号到{window}号窗口办理。",
    "no_show": "【{hall}】{number}号已过号，请在{minutes}分钟内到{window}号窗口请求叫回。",
    "rate": "【{hall}】{number}号已办结，欢迎评价：{link}",
}

TEMPLATE_IDS = {"booked": "SMS_1007", "reminder": "SMS_1006", "soon": "SMS_1005",
                "ahead": "SMS_1002", "called": "SMS_1001", "no_show": "SMS_1003",
                "rate": "SMS_1004"}


def placeholders(text):
    """The placeholder names of a template text."""
    return set(re.findall(r"\{([a-z_]+)\}", text))


def sign(secret, timestamp, body):
    """hex HMAC-SHA256(secret, timestamp + "\\n" + body)."""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return hmac.new(secret.encode("utf-8"), str(timestamp).encode() + b"\n" + body,
                    hashlib.sha256).hexdigest()


class Request:
    """One request the API received."""

    def __init__(self, method, path, headers, raw, at):
        self.method = method
        self.path = path
        self.headers = headers          # {lower-case name: value}
        self.raw = raw                  # the body's bytes
        self.at = at                    # time.monotonic() at arrival
        self.body = None                # the body as JSON (None if not)
        self.problems = []              # what was wrong with it
        self.answer = None              # what it was answered ("ok", 503, …)
        self.closed_at = None           # "hang": when the client gave up

    @property
    def out_id(self):
        return (self.body or {}).get("out_id")

    @property
    def kind(self):
        return (self.body or {}).get("_kind")

    def __repr__(self):
        return "<%s %s %r answer=%r problems=%r>" % (self.method, self.path,
                                                     self.body, self.answer,
                                                     self.problems)


class SmsApi:
    """The API.  start() / stop(); answer(mode, ...) scripts the next
    answers (then `default` again); requests() and wait_requests() for what
    came; report() for delivery reports to hallqd.

    Modes: "ok"; ("status", 400) any status with an error body; ("code",
    "isv.BUSINESS_LIMIT_CONTROL") a 200 with that code; "5xx" (503);
    "hang" (no answer until stop() or `hang_s`); "close" (the connection
    is closed without an answer)."""

    def __init__(self, secret="s3cret", headers=None, sign_name="测试县政务服务中心",
                 template_ids=None, texts=None, hang_s=60.0, max_skew_s=None,
                 port=0):
        self.secret = secret
        self.headers = dict(headers or {"X-Api-Key": "key-123"})
        self.sign_name = sign_name
        self.template_ids = dict(template_ids or TEMPLATE_IDS)
        texts = dict(DEFAULT_TEXTS, **(texts or {}))
        self.kinds = {code: kind for kind, code in self.template_ids.items()}
        self.params = {code: placeholders(texts[kind])
                       for kind, code in self.template_ids.items()}
        self.hang_s = hang_s
        self.max_skew_s = max_skew_s    # None: the timestamp's age is not checked
        self.clock = time.time          # what "now" is for max_skew_s
        self.default = "ok"
        self._script = []
        self._lock = threading.Condition()
        self._reqs = []
        self._release = threading.Event()
        self._nbiz = 0
        self.server = None
        self._thread = None
        self._port = port               # 0: a free one, picked at start()

    # -- life
    @property
    def port(self):
        if self.server is not None:
            return self.server.server_address[1]
        return self._port

    @property
    def url(self):
        return "http://127.0.0.1:%d%s" % (self.port, PATH)

    def gateway(self, report_url=None, with_secret=True):
        """The `notify.gateway` of a hallqd config sending here."""
        g = {"kind": "http", "url": self.url, "sign_name": self.sign_name,
             "template_ids": dict(self.template_ids), "headers": dict(self.headers)}
        if with_secret and self.secret:
            g["secret"] = self.secret
        if report_url:
            g["report_url"] = report_url
        return g

    def start(self):
        api = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def do_POST(self):
                api._handle(self)

            def do_GET(self):
                api._handle(self)

            def do_PUT(self):
                api._handle(self)

        class Server(http.server.ThreadingHTTPServer):
            daemon_threads = True
            allow_reuse_address = True

        self.server = Server(("127.0.0.1", self._port), Handler)
        self._port = self.server.server_address[1]
        self._thread = threading.Thread(target=self.server.serve_forever,
                                        kwargs={"poll_interval": 0.1}, daemon=True)
        self._thread.start()
        return self

    def stop(self):
        self._release.set()
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self._thread.join(5)
            self.server = None

    # -- scripting
    def answer(self, *modes):
        """The next requests get these answers, in order; then `default`."""
        with self._lock:
            self._script.extend(modes)

    def release(self):
        """Let hung requests go (they are closed without an answer)."""
        self._release.set()

    # -- what came
    def requests(self, out_id=None, kind=None):
        with self._lock:
            return [r for r in self._reqs
                    if (out_id is None or r.out_id == str(out_id)) and
                    (kind is None or r.kind == kind)]

    def wait_requests(self, n, out_id=None, kind=None, timeout=20):
        """Wait (bounded) until at least n requests (for that out_id or
        kind); returns them."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                got = [r for r in self._reqs
                       if (out_id is None or r.out_id == str(out_id)) and
                       (kind is None or r.kind == kind)]
                if len(got) >= n:
                    return got
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError("smsapi: %d of %d requests%s within %ss: %r" %
                                         (len(got), n,
                                          " for out_id %s" % out_id if out_id else "",
                                          timeout, self._reqs[-5:]))
                self._lock.wait(min(left, 0.5))

    def problems(self):
        """Every problem of every request so far: [(request, problem)]."""
        with self._lock:
            return [(r, p) for r in self._reqs for p in r.problems]

    # -- the checks
    def check(self, req):
        """What is wrong with a request, as the contract says (a list)."""
        bad = []
        if req.method != "POST":
            bad.append("method %s, not POST" % req.method)
        if urllib.parse.urlsplit(req.path).path != PATH:
            bad.append("path %s, not %s" % (req.path, PATH))
        ctype = req.headers.get("content-type", "")
        if ctype.split(";")[0].strip().lower() != "application/json":
            bad.append("Content-Type %r" % ctype)
        for k, v in self.headers.items():
            if req.headers.get(k.lower()) != v:
                bad.append("header %s: %r, not %r" % (k, req.headers.get(k.lower()), v))
        if self.secret:
            ts = req.headers.get("x-hallq-timestamp")
            sig = req.headers.get("x-hallq-signature")
            if ts is None or not re.fullmatch(r"\d{9,11}", ts):
                bad.append("X-Hallq-Timestamp %r is not unix seconds" % ts)
            elif self.max_skew_s is not None and abs(int(ts) - self.clock()) > self.max_skew_s:
                bad.append("X-Hallq-Timestamp %s is %d s off" % (ts, int(ts) - self.clock()))
            if ts is not None:
                want = sign(self.secret, ts, req.raw)
                if sig is None or not hmac.compare_digest(sig.lower(), want):
                    bad.append("X-Hallq-Signature %r, not %s" % (sig, want))
                elif sig != want:
                    bad.append("X-Hallq-Signature not lower-case hex")
        try:
            body = json.loads(req.raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            bad.append("body is not JSON: %s" % e)
            return bad
        if not isinstance(body, dict):
            bad.append("body is not an object")
            return bad
        req.body = body
        want = {"phone_numbers", "sign_name", "template_code", "template_param", "out_id"}
        if set(body) != want:
            bad.append("members %s, not %s" % (sorted(body), sorted(want)))
        phone = body.get("phone_numbers")
        if not isinstance(phone, str) or not re.fullmatch(r"\d{5,20}", phone):
            bad.append("phone_numbers %r" % (phone,))
        if body.get("sign_name") != self.sign_name:
            bad.append("sign_name %r, not %r" % (body.get("sign_name"), self.sign_name))
        code = body.get("template_code")
        if code not in self.params:
            bad.append("template_code %r is not one of ours" % (code,))
        else:
            body["_kind"] = self.kinds[code]
            tp = body.get("template_param")
            if not isinstance(tp, dict):
                bad.append("template_param %r is not an object" % (tp,))
            else:
                if set(tp) != self.params[code]:
                    bad.append("template_param %s, not the placeholders %s of %s" %
                               (sorted(tp), sorted(self.params[code]), code))
                for k, v in tp.items():
                    if not isinstance(v, str):
                        bad.append("template_param.%s %r is not a string" % (k, v))
        oid = body.get("out_id")
        if not isinstance(oid, str) or not oid:
            bad.append("out_id %r is not a non-empty string" % (oid,))
        return bad

    # -- serving
    def _handle(self, h):
        n = int(h.headers.get("Content-Length") or 0)
        raw = h.rfile.read(n) if n > 0 else b""
        req = Request(h.command, h.path, {k.lower(): v for k, v in h.headers.items()},
                      raw, time.monotonic())
        req.problems = self.check(req)
        with self._lock:
            mode = self._script.pop(0) if self._script else self.default
            if req.problems:
                mode = ("status", 400)
            req.answer = mode
            self._reqs.append(req)
            self._nbiz += 1
            biz = "biz-%d" % self._nbiz
            self._lock.notify_all()
        if mode == "hang":
            self._hang(h, req)
            h.close_connection = True
            return
        if mode == "close":
            h.close_connection = True
            return
        if mode == "ok":
            self._reply(h, 200, {"code": "OK", "message": "OK", "biz_id": biz,
                                 "request_id": "req-%d" % self._nbiz})
        elif mode == "5xx":
            self._reply(h, 503, {"code": "ServiceUnavailable", "message": "try later"})
        elif isinstance(mode, tuple) and mode[0] == "status":
            msg = "; ".join(req.problems) or "refused"
            self._reply(h, mode[1], {"code": "isv.INVALID_PARAMETERS", "message": msg})
        elif isinstance(mode, tuple) and mode[0] == "code":
            self._reply(h, 200, {"code": mode[1], "message": "refused", "biz_id": None})
        else:
            raise AssertionError("smsapi: unknown mode %r" % (mode,))

    def _hang(self, h, req):
        """No answer until released, `hang_s` passed or the client closed
        the connection (noted in req.closed_at)."""
        deadline = time.monotonic() + self.hang_s
        sock = h.connection
        while not self._release.is_set() and time.monotonic() < deadline:
            try:
                r, _, _ = select.select([sock], [], [], 0.02)
                if r and sock.recv(1, socket.MSG_PEEK) == b"":
                    break
            except (OSError, ValueError):
                break
        with self._lock:
            req.closed_at = time.monotonic()
            self._lock.notify_all()

    @staticmethod
    def _reply(h, status, obj):
        data = json.dumps(obj, ensure_ascii=False).encode("utf-8")
        try:
            h.send_response(status)
            h.send_header("Content-Type", "application/json; charset=utf-8")
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except OSError:
            pass

    # -- delivery reports to hallqd
    @staticmethod
    def report(port, key, reports, as_list=True, path="/api/notify/report",
               timeout=10):
        """POST delivery reports to hallqd on `port`; `reports` is one
        {"out_id", "success", "err_code", "biz_id"} or a list.  Returns
        (status, parsed JSON or raw bytes)."""
        if isinstance(reports, dict) and as_list:
            reports = [reports]
        data = json.dumps(reports, ensure_ascii=False).encode("utf-8")
        q = path if key is None else "%s?key=%s" % (path, urllib.parse.quote(key))
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        try:
            c.request("POST", q, body=data, headers={"Content-Type": "application/json"})
            r = c.getresponse()
            body = r.read()
        finally:
            c.close()
        try:
            return r.status, json.loads(body.decode("utf-8"))
        except ValueError:
            return r.status, body


def delivered(out_id, biz_id=None, success=True, err_code=None):
    """One report as the provider sends it."""
    return {"out_id": str(out_id), "success": success,
            "err_code": err_code or ("DELIVERED" if success else "UNDELIV"),
            "biz_id": biz_id or "biz-x"}
