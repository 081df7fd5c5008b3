#!/bin/sh
# mkdeb.sh BUILD VERSION — makes BUILD/hallq_VERSION_ARCH.deb from what
# `make all` built (BUILD/hallqd, BUILD/hallq-sim, web/ with its voice clips,
# vendor files and font) with Debian's own tools: dpkg-shlibdeps for the
# libraries' Depends, dpkg-deb for the archive (root-owned files, no
# fakeroot needed).  Run by `make deb` from the top of the tree; the tree
# is put together in BUILD/deb/debian/hallq and left there to look at.
set -eu

if [ $# -ne 2 ]; then
	echo "usage: sh packaging/deb/mkdeb.sh BUILD VERSION" >&2
	exit 2
fi
build=$1
version=$2
pkg=packaging/deb
arch=$(dpkg --print-architecture)
work=$build/deb
root=$work/debian/hallq
deb=$build/hallq_${version}_${arch}.deb

die() {
	echo "mkdeb: $*" >&2
	exit 1
}

case "$version" in
[0-9]*) ;;
*) die "VERSION '$version' must start with a digit (a Debian version)" ;;
esac
for f in "$build/hallqd" "$build/hallq-sim" web/voice/.made web/voice/chime.wav \
    web/vendor/uPlot.iife.min.js web/vendor/uPlot.min.css web/fonts/hallq-sc.woff2; do
	[ -e "$f" ] || die "$f is missing: run make all first (make deb does)"
done
noto=/usr/share/doc/fonts-noto-cjk/copyright
[ -r "$noto" ] || die "$noto is missing (the font's licence text): apt-get install fonts-noto-cjk"

# Timestamps in the archive: the commit's (dpkg-deb clamps to it).
if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
	SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
	export SOURCE_DATE_EPOCH
fi

rm -rf "$work"
mkdir -p "$root/DEBIAN"

# Programs, stripped as dh_strip would.
install -D -m 0755 "$build/hallqd" "$root/usr/sbin/hallqd"
install -D -m 0755 "$build/hallq-sim" "$root/usr/bin/hallq-sim"
strip --remove-section=.comment --remove-section=.note --strip-unneeded \
	"$root/usr/sbin/hallqd" "$root/usr/bin/hallq-sim"
install -D -m 0755 tools/board-kiosk "$root/usr/bin/hallq-board-kiosk"

# The pages, vendor files, font and voice clips: everything the daemon
# serves from web.root; not web/README.md, dot files (voice/.made) or the
# font's character list.
mkdir -p "$root/usr/share/hallq/web"
(cd web && find . -mindepth 1 -name '.*' -prune -o -type f ! -name README.md ! -name '*.chars' -print) |
while IFS= read -r f; do
	install -D -m 0644 "web/$f" "$root/usr/share/hallq/web/$f"
done

# The configuration: the demo hall with the installed paths.
mkdir -p "$root/etc/hallq"
/usr/bin/python3 "$pkg/mkconf.py" etc/hallq.json > "$root/etc/hallq/hallq.json"
chmod 0640 "$root/etc/hallq/hallq.json"
chmod 0750 "$root/etc/hallq"
# hallqd -n also looks at the paths, which exist only once installed: the
# check runs on a copy pointing at this build's (the installed file is
# checked as installed by tests/deb/test_deb.sh and by the unit).
chk="$build/deb/check"
rm -rf "$chk" && mkdir -p "$chk"
sed -e "s#\"/var/lib/hallq/hallq.db\"#\"$chk/hallq.db\"#" \
    -e "s#\"root\": \"/usr/share/hallq/web\"#\"root\": \"$root/usr/share/hallq/web\"#" \
    "$root/etc/hallq/hallq.json" > "$chk/hallq.json"
"$build/hallqd" -n -f "$chk/hallq.json" >/dev/null 2>&1 ||
	{ "$build/hallqd" -n -f "$chk/hallq.json"; die "the packaged configuration does not pass hallqd -n"; }
rm -rf "$chk"

# systemd: the daemon (system unit) and the board kiosk (user unit).
install -D -m 0644 "$pkg/hallqd.service" "$root/lib/systemd/system/hallqd.service"
install -D -m 0644 "$pkg/hallq-board.service" "$root/usr/lib/systemd/user/hallq-board.service"

# Documents.
doc=$root/usr/share/doc/hallq
install -D -m 0644 "$pkg/copyright" "$doc/copyright"
{ echo; awk 'BEGIN { RS = "" } /^License: SIL-1.1\n/ { print; n++ } END { exit n != 1 }' "$noto"; } >> "$doc/copyright" ||
	die "no SIL-1.1 licence paragraph in $noto"
gzip -9n < README.md > "$doc/README.md.gz"
gzip -9n < web/README.md > "$doc/api.md.gz"
chmod 0644 "$doc"/*.gz

# Control files.
for f in postinst prerm postrm; do
	install -m 0755 "$pkg/$f" "$root/DEBIAN/$f"
done
install -m 0644 "$pkg/conffiles" "$root/DEBIAN/conffiles"
# dpkg-shlibdeps wants a debian/control beside it.
mkdir -p "$work/debian"
printf 'Source: hallq\n\nPackage: hallq\nArchitecture: any\n' > "$work/debian/control"
shlibs=$(cd "$work" && dpkg-shlibdeps -O -e "$PWD/debian/hallq/usr/sbin/hallqd" -e "$PWD/debian/hallq/usr/bin/hallq-sim" |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$shlibs" ] || die "dpkg-shlibdeps gave no Depends"
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
	-e "s/@SHLIBS@/$shlibs/" "$pkg/control.in" > "$root/DEBIAN/control"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -print | sed 's,^\./,,' | LC_ALL=C sort |
	xargs -d '\n' md5sum) > "$root/DEBIAN/md5sums"
chmod 0644 "$root/DEBIAN/control" "$root/DEBIAN/md5sums"

# Directories 0755 unless set above; files as installed.
find "$root" -type d ! -path "$root/etc/hallq" -exec chmod 0755 {} +
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "mkdeb: $deb ($(du -k "$deb" | cut -f1) KiB)"
