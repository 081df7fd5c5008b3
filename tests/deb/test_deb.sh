#!/bin/sh
# test_deb.sh — the Debian package (`make deb`, packaging/deb/).  Run from
# `make debtest` (part of `make test`) or as `BUILD=build sh tests/deb/test_deb.sh`.
#
# Always: builds it with `make deb` and checks what it holds (dpkg-deb -I/-c,
# the packaged configuration, the units' hardening, systemd-analyze security).
# Then, only as root, where systemd is not running (a chroot, a container:
# the postinst would start hallqd on this machine's port) and where no hallq
# package, user, group, /etc/hallq or /var/lib/hallq exists (the purge would
# take them): installs it with dpkg, runs systemd-analyze verify on both
# units, the unit's ExecStartPre (hallqd -n) and ExecStart as the unit's
# User/Group/SupplementaryGroups/WorkingDirectory/UMask read from the
# installed unit, in a private network namespace (unshare --net: the fixed
# port 8080 of the installed configuration is never this machine's; where
# unshare is refused, on a free port from a copy of the configuration), asks
# it GET /api/status and a PUT /api/config (the write-back into /etc/hallq),
# stops it, upgrades, removes and purges, and checks that the machine is as
# it was.  A part that cannot run says SKIP and why.
# DEB=FILE tests that package instead of building one; DEBTEST_NO_NETNS=1
# tries the free-port fallback.
# Prints `N passed, N failed`; exit 1 when anything failed.
set -u

top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top" || exit 2
BUILD=${BUILD:-build}
PY=/usr/bin/python3
pass=0
fail=0
tmp=$(mktemp -d /tmp/hallq-debtest.XXXXXX)
installed=0	# we installed the package: the trap purges it
pid=""		# the daemon we started

ok() { pass=$((pass + 1)); echo "ok: $*"; }
bad() { fail=$((fail + 1)); echo "FAIL: $*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
	_what=$1
	shift
	if "$@"; then ok "$_what"; else bad "$_what"; fi
}
skip() { echo "SKIP: $*"; }
show() {	# the tail of a log, indented, after a failure
	[ -s "$1" ] && sed 's/^/    | /' "$1" | tail -n "${2:-20}"
}

stop_daemon() {
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	i=0
	while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do	# 10 s
		sleep 0.1
		i=$((i + 1))
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		pid=""
		return 1
	fi
	wait "$pid"
	rc=$?
	pid=""
	return $rc
}

cleanup() {
	stop_daemon >/dev/null 2>&1
	if [ $installed = 1 ]; then
		timeout 300 dpkg --purge hallq >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

finish() {
	echo "$pass passed, $fail failed"
	[ $fail = 0 ] && exit 0
	exit 1
}

if [ -n "${E2E_SANITIZED:-}" ]; then
	skip "debtest under make sanitize: the package is made from the normal build, not build-san"
	finish
fi

# --- The package: built and its contents ---------------------------------

version=$(cat VERSION)
arch=$(dpkg --print-architecture)
deb=$BUILD/hallq_${version}_${arch}.deb
if [ -n "${DEB:-}" ]; then
	# A package made elsewhere (e.g. copied into a bare chroot): not built.
	deb=$DEB
	echo "note: testing DEB=$deb, not building one"
	if [ -f "$deb" ]; then ok "$deb exists"; else bad "$deb does not exist"; finish; fi
elif rm -f "$deb" &&
    timeout 1800 env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s BUILD="$BUILD" deb >"$tmp/make.log" 2>&1 &&
    [ -f "$deb" ]; then
	ok "make deb built $deb"
else
	bad "make deb did not build $deb"
	show "$tmp/make.log" 30
	finish
fi

dpkg-deb -I "$deb" >"$tmp/info" 2>&1
dpkg-deb -f "$deb" >"$tmp/control" 2>&1
dpkg-deb -c "$deb" >"$tmp/contents" 2>&1
field() { sed -n "s/^$1: //p" "$tmp/control"; }
check "control: Package hallq, Version $version, Architecture $arch" \
	test "$(field Package) $(field Version) $(field Architecture)" = "hallq $version $arch"
depends=$(field Depends)
has_deps() {
	for p in libc6 libevent-2.1-7 libevent-pthreads-2.1-7 libevent-openssl-2.1-7 libssl3 \
	    libwebsockets17 libjansson4 libsqlite3-0 libserialport0 libmosquitto1 adduser procps; do
		echo ", $depends," | grep -q ", ${p}[ ,]" || { echo "    | Depends lacks $p: $depends"; return 1; }
	done
}
check "control: Depends from dpkg-shlibdeps names every library; adduser, procps (/bin/kill for ExecReload)" has_deps
check "control: the configuration is a conffile" \
	sh -c "dpkg-deb --ctrl-tarfile '$deb' | tar -xOf - ./conffiles | grep -qx /etc/hallq/hallq.json"
check "control: postinst, prerm and postrm are there" \
	sh -c "grep -q ' postinst ' '$tmp/info' && grep -q ' prerm ' '$tmp/info' && grep -q ' postrm ' '$tmp/info'"

has_files() {
	for f in ./usr/sbin/hallqd ./usr/bin/hallq-sim ./usr/bin/hallq-board-kiosk \
	    ./etc/hallq/hallq.json ./lib/systemd/system/hallqd.service \
	    ./usr/lib/systemd/user/hallq-board.service \
	    ./usr/share/hallq/web/index.html ./usr/share/hallq/web/kiosk.html \
	    ./usr/share/hallq/web/board.html ./usr/share/hallq/web/dashboard.html \
	    ./usr/share/hallq/web/lib/common.js ./usr/share/hallq/web/vendor/uPlot.iife.min.js \
	    ./usr/share/hallq/web/fonts/hallq-sc.woff2 ./usr/share/hallq/web/voice/chime.wav \
	    ./usr/share/doc/hallq/copyright ./usr/share/doc/hallq/README.md.gz; do
		awk '{ print $6 }' "$tmp/contents" | grep -qxF "$f" || { echo "    | missing: $f"; return 1; }
	done
}
check "contents: the programs, units, configuration, pages, font, vendor files, docs" has_files
nclips=$(cd web/voice && find . -name '*.wav' | wc -l)
check "contents: all $nclips voice clips" \
	test "$(grep -c '\./usr/share/hallq/web/voice/.*\.wav$' "$tmp/contents")" = "$nclips"
check "contents: no web/README.md, dot files or font character list under /usr/share/hallq" \
	sh -c "! awk '{ print \$6 }' '$tmp/contents' | grep -E '^\./usr/share/hallq/.*(README\.md|/\.[^/]+|\.chars)$'"
check "contents: every file root-owned" sh -c "! awk '\$2 != \"root/root\"' '$tmp/contents' | grep -q ."
check "contents: /etc/hallq 0750, hallq.json 0640 (it holds tokens)" \
	sh -c "grep -q '^drwxr-x--- .* \./etc/hallq/\$' '$tmp/contents' && grep -q '^-rw-r----- .* \./etc/hallq/hallq\.json\$' '$tmp/contents'"

mkdir -p "$tmp/x"
dpkg-deb -x "$deb" "$tmp/x"
conf_ok() {
	$PY - "$tmp/x/etc/hallq/hallq.json" etc/hallq.json <<'EOF'
import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
demo = json.load(open(sys.argv[2], encoding="utf-8"))
want = {"database": "/var/lib/hallq/hallq.db", "web": {"root": "/usr/share/hallq/web"},
        "listen": "127.0.0.1:8080"}
for k, v in want.items():
    if c.get(k) != v:
        sys.exit("    | %s is %r, want %r" % (k, c.get(k), v))
if not c.get("backup", {}).get("dir", "").startswith("/var/lib/hallq/"):
    sys.exit("    | backup.dir %r is not under /var/lib/hallq" % c.get("backup"))
for k in ("hall", "matters", "windows", "tokens"):
    if c.get(k) != demo.get(k):
        sys.exit("    | %s differs from the demo hall's" % k)
EOF
}
check "config: the demo hall with /var/lib/hallq/hallq.db, /usr/share/hallq/web, 127.0.0.1:8080, backups in /var/lib/hallq" conf_ok
# -n also looks at the paths, which exist once installed: here a copy that
# points at the unpacked tree (the installed file is checked as installed).
mkdir -p "$tmp/nstate"
sed -e "s#\"/var/lib/hallq/hallq.db\"#\"$tmp/nstate/hallq.db\"#" \
    -e "s#\"root\": \"/usr/share/hallq/web\"#\"root\": \"$tmp/x/usr/share/hallq/web\"#" \
    "$tmp/x/etc/hallq/hallq.json" > "$tmp/nstate/hallq.json"
check "config: hallqd -n passes on the packaged configuration (from the build tree, its paths there)" \
	sh -c "'$tmp/x/usr/sbin/hallqd' -n -f '$tmp/nstate/hallq.json' >'$tmp/n.log' 2>&1"

unit=$tmp/x/lib/systemd/system/hallqd.service
hardened() {
	for d in User=hallq Group=hallq StateDirectory=hallq WorkingDirectory=/var/lib/hallq \
	    ProtectSystem=strict ReadWritePaths=/etc/hallq ProtectHome=yes PrivateTmp=yes \
	    NoNewPrivileges=yes CapabilityBoundingSet= PrivateDevices=no SupplementaryGroups=dialout \
	    ProtectKernelTunables=yes ProtectControlGroups=yes LockPersonality=yes \
	    RestrictRealtime=yes SystemCallArchitectures=native \
	    'ExecStartPre=/usr/sbin/hallqd -n -f /etc/hallq/hallq.json' \
	    'ExecStart=/usr/sbin/hallqd -d -f /etc/hallq/hallq.json' \
	    'ExecReload=/bin/kill -HUP $MAINPID'; do
		grep -qxF "$d" "$unit" || { echo "    | hallqd.service lacks $d"; return 1; }
	done
}
check "hallqd.service: the hardening, the hallq user, -n before -d, reload by SIGHUP" hardened
if command -v systemd-analyze >/dev/null; then
	systemd-analyze security --offline=true "$unit" >"$tmp/security.log" 2>&1
	score=$(sed -n 's/.*Overall exposure level for hallqd.service: \([0-9.]*\).*/\1/p' "$tmp/security.log")
	check "hallqd.service: systemd-analyze security --offline says exposure ${score:-?} (at most 3.0)" \
		$PY -c "import sys; sys.exit(not (0 <= float('${score:-99}') <= 3.0))"
else
	bad "systemd-analyze is missing (the systemd package; make deps installs it)"
fi

# --- Installed, started, purged: only where that is safe ----------------

why=""
if [ "$(id -u)" != 0 ]; then
	why="not root"
elif [ -d /run/systemd/system ]; then
	why="systemd is running here: the postinst would start hallqd on this machine's port 8080; run it in a chroot or container (../shared/tools/fresh-debian)"
elif dpkg-query -W -f='${Status}' hallq 2>/dev/null | grep -qv 'not-installed'; then
	why="a hallq package is on this machine ($(dpkg-query -W -f='${Status}' hallq)): not touching it"
elif getent passwd hallq >/dev/null || getent group hallq >/dev/null; then
	why="a hallq user or group exists already: the purge would delete it"
elif [ -e /etc/hallq ] || [ -e /var/lib/hallq ]; then
	why="/etc/hallq or /var/lib/hallq exists already: the purge would delete it"
fi
if [ -n "$why" ]; then
	skip "install, start and purge of the package: $why"
	finish
fi

# What the machine looks like before, to compare after the purge.
snapshot() {
	{
		getent passwd | sort
		getent group | sort
		cat /etc/shadow /etc/gshadow 2>/dev/null | sort
		dpkg-statoverride --list | sort
		find /etc/systemd /var/lib/systemd/deb-systemd-helper-enabled \
		    /var/lib/systemd/deb-systemd-user-helper-enabled 2>/dev/null | sort
		ls -d /etc/hallq /var/lib/hallq /usr/share/hallq /usr/share/doc/hallq \
		    /usr/sbin/hallqd /lib/systemd/system/hallqd.service 2>/dev/null
	} >"$1"
}
snapshot "$tmp/before"

installed=1
if timeout 300 dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
	ok "dpkg -i $deb"
else
	bad "dpkg -i $deb"
	show "$tmp/dpkg.log"
	finish
fi
check "dpkg: hallq is installed" \
	test "$(dpkg-query -W -f='${Status} ${Version}' hallq)" = "install ok installed $version"
user_ok() {
	IFS=: read -r _ _ uid gid _ home shell <<EOF
$(getent passwd hallq)
EOF
	[ -n "$uid" ] && [ "$uid" -lt 1000 ] && [ "$home" = /var/lib/hallq ] &&
		[ "$shell" = /usr/sbin/nologin ] && [ "$(getent group hallq | cut -d: -f3)" = "$gid" ] ||
		{ echo "    | $(getent passwd hallq)"; return 1; }
}
check "postinst: hallq is a system user (group hallq, home /var/lib/hallq, no shell)" user_ok
owns() {	# owns PATH USER:GROUP MODE
	got=$(stat -c '%U:%G %a' "$1" 2>&1)
	[ "$got" = "$2 $3" ] || { echo "    | $1: $got, want $2 $3"; return 1; }
}
check "postinst: /etc/hallq hallq:hallq 0750" owns /etc/hallq hallq:hallq 750
check "postinst: /etc/hallq/hallq.json hallq:hallq 0640" owns /etc/hallq/hallq.json hallq:hallq 640
check "postinst: /var/lib/hallq hallq:hallq 0750" owns /var/lib/hallq hallq:hallq 750
check "postinst: hallqd.service enabled (multi-user.target.wants)" \
	test -L /etc/systemd/system/multi-user.target.wants/hallqd.service

if timeout 60 systemd-analyze verify /lib/systemd/system/hallqd.service >"$tmp/verify.log" 2>&1 &&
    ! [ -s "$tmp/verify.log" ]; then
	ok "systemd-analyze verify /lib/systemd/system/hallqd.service: no error, no warning"
else
	bad "systemd-analyze verify /lib/systemd/system/hallqd.service"
	show "$tmp/verify.log"
fi
# A user unit is verified by a user manager, which wants a runtime directory
# (XDG_RUNTIME_DIR); outside a login session an empty one serves.
mkdir -m 0700 "$tmp/xdg"
if XDG_RUNTIME_DIR=$tmp/xdg timeout 60 systemd-analyze --user verify \
    /usr/lib/systemd/user/hallq-board.service >"$tmp/verify-user.log" 2>&1 &&
    ! [ -s "$tmp/verify-user.log" ]; then
	ok "systemd-analyze --user verify /usr/lib/systemd/user/hallq-board.service: no error, no warning"
else
	bad "systemd-analyze --user verify /usr/lib/systemd/user/hallq-board.service"
	show "$tmp/verify-user.log"
fi

# The unit's own values, from the installed unit file (the last of a key wins).
key() { sed -n "s/^$1=//p" /lib/systemd/system/hallqd.service | tail -n 1; }
u_user=$(key User)
u_group=$(key Group)
u_supp=$(key SupplementaryGroups)
u_wd=$(key WorkingDirectory)
u_umask=$(key UMask)
u_nnp=$(key NoNewPrivileges)
u_pre=$(key ExecStartPre)
u_start=$(key ExecStart)
case "$u_pre$u_start" in
*[\"\'\\\$]* | [-@+!:]*) bad "ExecStart/ExecStartPre use quoting or prefixes this test does not run: $u_pre / $u_start"; finish ;;
esac
groups=$(id -G "$u_user" | tr ' ' ',')
for g in $u_supp; do
	groups="$groups,$(getent group "$g" | cut -d: -f3)"
done
# As systemd runs it: the unit's user, groups and umask, its working
# directory, no capabilities, no new privileges, a clean environment; a
# script, so that unshare can exec it and the daemon keeps its PID.
nnp=""
[ "$u_nnp" = yes ] && nnp=--no-new-privs
cat >"$tmp/as-unit.sh" <<EOF
cd '$u_wd' || exit 1
umask '${u_umask:-0022}'
exec setpriv --reuid='$u_user' --regid='$u_group' --groups='$groups' $nnp \\
	--inh-caps=-all --bounding-set=-all \\
	env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \\
	LANG=C.UTF-8 USER='$u_user' LOGNAME='$u_user' HOME='$u_wd' SHELL=/usr/sbin/nologin "\$@"
EOF
as_unit() { sh "$tmp/as-unit.sh" "$@"; }
# shellcheck disable=SC2086
if as_unit $u_pre >"$tmp/pre.log" 2>&1; then
	ok "ExecStartPre ($u_pre) as $u_user: the installed configuration passes"
else
	bad "ExecStartPre ($u_pre) as $u_user"
	show "$tmp/pre.log"
fi
check "$u_user can write /etc/hallq (the dashboard writes its configuration back)" \
	as_unit sh -c 'echo x > /etc/hallq/.debtest && rm /etc/hallq/.debtest'
check "others cannot read the configuration" \
	setpriv --reuid=nobody --regid=nogroup --clear-groups sh -c '! cat /etc/hallq/hallq.json 2>/dev/null'

# The daemon: in a network namespace of its own, on the configured port;
# where unshare is refused, on a free port from a copy of the configuration.
conf=/etc/hallq/hallq.json
listen=$($PY -c 'import json, sys; print(json.load(open(sys.argv[1]))["listen"])' "$conf")
port=${listen##*:}
host=${listen%:*}
[ "$host" = 0.0.0.0 ] && host=127.0.0.1
start=$u_start
conf_run=$conf
netns=0
if [ -n "${DEBTEST_NO_NETNS:-}" ]; then	# to try the fallback
	echo "DEBTEST_NO_NETNS is set" >"$tmp/unshare.log"
elif unshare --net sh -c 'ip link set lo up' >"$tmp/unshare.log" 2>&1; then
	netns=1
fi
if [ $netns = 1 ]; then
	echo "note: hallqd runs in a private network namespace (unshare --net), on $listen as configured"
else
	port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	host=127.0.0.1
	chmod 0711 "$tmp"
	mkdir -m 0750 "$tmp/conf"	# the unit's user writes its configuration back
	chown "$u_user:$u_group" "$tmp/conf"
	$PY - "$conf" "$tmp/conf/hallq.json" "127.0.0.1:$port" <<'PYEOF'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
text, n = re.subn(r'^(  "listen": )"[^"]*"', lambda m: m.group(1) + '"%s"' % sys.argv[3], text, flags=re.M)
assert n == 1, "no listen line"
open(sys.argv[2], "w", encoding="utf-8").write(text)
PYEOF
	chown "$u_user:$u_group" "$tmp/conf/hallq.json"
	chmod 0640 "$tmp/conf/hallq.json"
	conf_run=$tmp/conf/hallq.json
	start=$(echo "$u_start" | sed "s| -f $conf| -f $conf_run|")
	echo "note: no network namespace (unshare --net: $(head -n 1 "$tmp/unshare.log")): hallqd listens on 127.0.0.1:$port from a copy of the configuration with only \"listen\" changed"
fi
url=http://$host:$port
if [ $netns = 1 ]; then
	# shellcheck disable=SC2086
	unshare --net sh -c 'ip link set lo up && exec sh "$@"' sh "$tmp/as-unit.sh" $start \
		>"$tmp/daemon.log" 2>&1 &
	pid=$!
	# Never ask before the process is in its namespace: the same address
	# outside it may be somebody else's hall.
	i=0
	while [ "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" = "$(readlink /proc/self/ns/net)" ] &&
	    [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	get() { nsenter --net="/proc/$pid/ns/net" curl -s --max-time 5 "$@"; }
	check "hallqd is in a network namespace of its own" \
		test "$(readlink "/proc/$pid/ns/net" 2>/dev/null)" != "$(readlink /proc/self/ns/net)"
else
	# shellcheck disable=SC2086
	sh "$tmp/as-unit.sh" $start >"$tmp/daemon.log" 2>&1 &
	pid=$!
	get() { curl -s --max-time 5 "$@"; }
fi
i=0
up=0
while [ $i -lt 100 ] && kill -0 "$pid" 2>/dev/null; do	# 20 s at most
	if get -o "$tmp/status.json" "$url/api/status" 2>/dev/null; then
		up=1
		break
	fi
	sleep 0.2
	i=$((i + 1))
done
if [ $up = 1 ]; then
	ok "hallqd ($start) serves $url/api/status"
else
	bad "hallqd ($start) does not serve $url/api/status"
	show "$tmp/daemon.log"
fi
status_ok() {
	$PY - "$tmp/status.json" "$conf" "$version" <<'PYEOF'
import json, sys
st = json.load(open(sys.argv[1], encoding="utf-8"))
conf = json.load(open(sys.argv[2], encoding="utf-8"))
want = {"ok": True, "hall": conf["hall"]["name"], "version": sys.argv[3]}
for k, v in want.items():
    if st.get(k) != v:
        sys.exit("    | /api/status %s is %r, want %r" % (k, st.get(k), v))
if not isinstance(st.get("seq"), int) or not st.get("business_day"):
    sys.exit("    | /api/status: %r" % st)
PYEOF
}
proc_ok() {
	uid=$(id -u "$u_user")
	awk -v uid="$uid" '$1 == "Uid:" { ok = ($2 == uid && $3 == uid) } END { exit !ok }' "/proc/$pid/status" &&
		awk '$1 == "CapEff:" { ok = ($2 == "0000000000000000") } END { exit !ok }' "/proc/$pid/status" &&
		[ "$(readlink "/proc/$pid/cwd")" = "$u_wd" ] ||
		{ echo "    | $(grep -E '^(Uid|Gid|Groups|CapEff|NoNewPrivs):' "/proc/$pid/status" | tr '\n' ' ')"; return 1; }
}
# The dashboard's write-back, under the unit's user: the configuration as
# read, sent back with its version.
config_put() {
	tok=$($PY -c 'import json, sys
a = json.load(open(sys.argv[1], encoding="utf-8"))["tokens"]["admin"]
print(next(iter(a)) if isinstance(a, dict) else a[0])' "$conf_run")
	get -H "Authorization: Bearer $tok" -o "$tmp/config.json" "$url/api/config" &&
		$PY -c 'import json, sys
c = json.load(open(sys.argv[1], encoding="utf-8"))
json.dump({"config": c["config"], "version": c["version"]}, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)' \
		"$tmp/config.json" "$tmp/put.json" || { echo "    | GET /api/config failed"; return 1; }
	code=$(get -X PUT -H "Authorization: Bearer $tok" -H 'Content-Type: application/json' \
		--data-binary @"$tmp/put.json" -o "$tmp/put-reply.json" -w '%{http_code}' "$url/api/config")
	[ "$code" = 200 ] || { echo "    | PUT /api/config: $code $(head -c 300 "$tmp/put-reply.json")"; return 1; }
	[ -f "$conf_run.prev" ] || { echo "    | no $conf_run.prev"; return 1; }
	owns "$conf_run" hallq:hallq 640
}
if [ $up = 1 ]; then
	check "/api/status: ok, the configured hall, version $version, seq and business day" status_ok
	check "hallqd runs as $u_user, with no capabilities, in $u_wd" proc_ok
	for path in /kiosk /voice/chime.wav /fonts/hallq-sc.woff2 /vendor/uPlot.iife.min.js; do
		check "GET $path from /usr/share/hallq/web: 200" \
			test "$(get -o /dev/null -w '%{http_code}' "$url$path")" = 200
	done
	check "the database /var/lib/hallq/hallq.db is made, owned by hallq" \
		test "$(stat -c %U:%G /var/lib/hallq/hallq.db 2>&1)" = hallq:hallq
	check "PUT /api/config writes $conf_run back (.prev kept, still hallq:hallq 0640)" config_put
fi
if stop_daemon; then
	ok "SIGTERM stops hallqd, exit 0"
else
	bad "SIGTERM does not stop hallqd with exit 0"
	show "$tmp/daemon.log"
fi

# An upgrade (the same version again): configuration, data, ownership kept.
cp -p /etc/hallq/hallq.json "$tmp/conf-before"
if timeout 300 dpkg -i "$deb" >"$tmp/dpkg2.log" 2>&1; then
	ok "dpkg -i again (an upgrade)"
else
	bad "dpkg -i again (an upgrade)"
	show "$tmp/dpkg2.log"
fi
check "upgrade: the configuration is kept, hallq:hallq 0640" \
	sh -c "cmp -s /etc/hallq/hallq.json '$tmp/conf-before' && [ \"\$(stat -c '%U:%G %a' /etc/hallq/hallq.json)\" = 'hallq:hallq 640' ]"
check "upgrade: the database is kept" test -s /var/lib/hallq/hallq.db

# Remove keeps configuration, data and user; purge takes them all.
if timeout 300 dpkg --remove hallq >"$tmp/remove.log" 2>&1; then
	ok "dpkg --remove hallq"
else
	bad "dpkg --remove hallq"
	show "$tmp/remove.log"
fi
check "remove: the programs are gone; configuration, database and user are kept" \
	sh -c '! [ -e /usr/sbin/hallqd ] && [ -f /etc/hallq/hallq.json ] && [ -f /var/lib/hallq/hallq.db ] && getent passwd hallq >/dev/null'
if timeout 300 dpkg --purge hallq >"$tmp/purge.log" 2>&1; then
	ok "dpkg --purge hallq"
	installed=0
else
	bad "dpkg --purge hallq"
	show "$tmp/purge.log"
fi
check "purge: dpkg knows no hallq" \
	sh -c "! dpkg-query -W -f='\${Status}' hallq 2>/dev/null | grep -qv not-installed"
check "purge: no hallq user or group" sh -c '! getent passwd hallq && ! getent group hallq'
check "purge: /etc/hallq, /var/lib/hallq, /usr/share/hallq are gone" \
	sh -c '! [ -e /etc/hallq ] && ! [ -e /var/lib/hallq ] && ! [ -e /usr/share/hallq ]'
snapshot "$tmp/after"
if cmp -s "$tmp/before" "$tmp/after"; then
	ok "purge: users, groups, stat overrides and systemd's links are as before the install"
else
	bad "purge: the machine differs from before the install"
	diff "$tmp/before" "$tmp/after" | sed 's/^/    | /' | head -20
fi
finish
