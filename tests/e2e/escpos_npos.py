"""escpos_npos.py — decode the ESC/POS bytes hallqd prints with an
independent parser: tests/escpos/decode.js, i.e. npm's `npos` (its rule
table extended for GS ( k and friends) and `iconv-lite` for GB18030.

    import escpos_npos
    t = escpos_npos.decode(raw_bytes)
    t["texts"], t["qr"], t["qr_model"], t["cut"], t["big_text"], ...
    escpos_npos.decode_many([raw1, raw2])   # one node start for many

The node packages come from tests/escpos/package-lock.json; set them up once
with `npm ci --prefix tests/escpos --omit=optional --ignore-scripts`
(`make` does it).  Nothing is downloaded here.  See tests/escpos/README.md
for every field of the result.
"""
import base64
import json
import os
import shutil
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
ESCPOS_DIR = os.path.join(ROOT, "tests", "escpos")
DECODE_JS = os.path.join(ESCPOS_DIR, "decode.js")
NODE_MODULES = os.path.join(ESCPOS_DIR, "node_modules")
TIMEOUT = 20

SETUP_HINT = ("run `npm ci --prefix tests/escpos --omit=optional --ignore-scripts` "
              "in the repository root (Debian packages: nodejs npm)")


class DecoderUnavailable(RuntimeError):
    pass


class DecodeError(RuntimeError):
    pass


def _node():
    return shutil.which("node") or shutil.which("nodejs")


def missing():
    """Why the decoder cannot run, or None when it can."""
    if not _node():
        return "node is not installed (apt-get install nodejs npm); then " + SETUP_HINT
    for pkg in ("npos", "iconv-lite"):
        if not os.path.isfile(os.path.join(NODE_MODULES, pkg, "package.json")):
            return "%s is missing from %s: %s" % (pkg, NODE_MODULES, SETUP_HINT)
    return None


def available():
    """True when node and tests/escpos/node_modules are there."""
    return missing() is None


def _run(args, stdin, what, timeout):
    why = missing()
    if why:
        raise DecoderUnavailable("ESC/POS decoder unavailable: " + why)
    try:
        proc = subprocess.run([_node(), DECODE_JS] + args, input=stdin,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              timeout=timeout, cwd=ESCPOS_DIR)
    except subprocess.TimeoutExpired:
        raise DecodeError("decode.js took longer than %s s on %s" % (timeout, what))
    err = proc.stderr.decode("utf-8", "replace").strip()
    if proc.returncode != 0:
        raise DecodeError("decode.js exited %d: %s" % (proc.returncode, err))
    try:
        return json.loads(proc.stdout.decode("utf-8"))
    except ValueError as e:
        raise DecodeError("decode.js printed no JSON (%s): %r %s"
                          % (e, proc.stdout[:200], err))


def decode(data, timeout=TIMEOUT):
    """Decode raw ESC/POS bytes; returns decode.js's JSON object as a dict.
    Raises DecoderUnavailable (with the fix) when node or node_modules is
    missing, DecodeError when decode.js fails or runs past `timeout` s."""
    data = bytes(data)
    return _run(["-"], data, "%d bytes" % len(data), timeout)


def decode_many(items, timeout=TIMEOUT):
    """decode() of each bytes object in `items`, with one node process."""
    items = [bytes(d) for d in items]
    stdin = json.dumps([base64.b64encode(d).decode("ascii") for d in items]).encode()
    out = _run(["--many", "-"], stdin, "%d inputs" % len(items), timeout)
    if not isinstance(out, list) or len(out) != len(items):
        raise DecodeError("decode.js --many gave %r for %d inputs" % (type(out), len(items)))
    return out
