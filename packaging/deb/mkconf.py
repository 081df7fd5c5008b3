#!/usr/bin/python3
"""mkconf.py — the package's /etc/hallq/hallq.json from the demo hall
(etc/hallq.json): the same hall, with the installed paths.  Only four
top-level lines change, so the demo's layout (one matter and one window to a
line, for the daemon's file:line:col errors) is kept:

    "listen"    127.0.0.1:8080 — the demo's well-known tokens (k1, m1, a1, ...)
                stay off the network until the hall changes them
    "database"  /var/lib/hallq/hallq.db (the unit's StateDirectory)
    "web"       {"root": "/usr/share/hallq/web"} (the voice clips in its voice/)
    "backup"    daily at 02:30 into /var/lib/hallq/backup, the newest 7 kept

    /usr/bin/python3 packaging/deb/mkconf.py etc/hallq.json > OUT

Stops (exit 1) when a line is not found exactly once or when anything else
of the hall would differ.
"""
import json
import re
import sys

SET = [
    ("listen", '"127.0.0.1:8080"'),
    ("database", '"/var/lib/hallq/hallq.db"'),
    ("web", '{"root": "/usr/share/hallq/web"}'),
    ("backup", '{"dir": "/var/lib/hallq/backup", "at": "02:30", "keep": 7}'),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: mkconf.py etc/hallq.json > OUT")
    with open(sys.argv[1], encoding="utf-8") as f:
        text = f.read()
    demo = json.loads(text)
    for key, value in SET:
        line = re.compile(r'^  "%s": .*?(,?)$' % re.escape(key), re.M)
        found = line.findall(text)
        if key == "backup" and not found:
            # Not in the demo: goes after "database".
            text, n = re.subn(r'^(  "database": .*,)$',
                              lambda m: m.group(1) + '\n  "backup": %s,' % value,
                              text, count=1, flags=re.M)
            if n != 1:
                sys.exit("mkconf: no \"database\" line to put \"backup\" after")
            continue
        if len(found) != 1:
            sys.exit("mkconf: %d top-level \"%s\" lines in %s, want 1" %
                     (len(found), key, sys.argv[1]))
        text = line.sub(lambda m: '  "%s": %s%s' % (key, value, m.group(1)), text)
    conf = json.loads(text)
    for key, value in SET:
        if conf.get(key) != json.loads(value):
            sys.exit("mkconf: \"%s\" did not come out as %s" % (key, value))
        conf.pop(key, None)
        demo.pop(key, None)
    if conf != demo:
        sys.exit("mkconf: something besides %s changed" %
                 ", ".join(k for k, _ in SET))
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
