#!/bin/sh
# mkvoice.sh OUTDIR — the default voice clips: OUTDIR/NAME.wav for every name
# displays/voice.c can put in a call (voice_all_clips()), spoken by espeak-ng
# and a chime made here.  All clips are 22050 Hz mono 16-bit PCM, trimmed of
# espeak-ng's trailing silence (the player strings clips together) and
# brought to one loudness.
#
# The whole set is made in a temporary directory next to OUTDIR and checked
# first; only then does it replace OUTDIR (one rename if OUTDIR is new, else
# one rename per changed file), so a player never finds a half-written WAV
# and a failed run changes nothing.  Running it again gives the same bytes.
#
#	sh tools/mkvoice.sh var/voice
set -eu

ESPEAK=${ESPEAK:-espeak-ng}
PY=/usr/bin/python3
SPEED=150	# words a minute; espeak-ng's 175 is hurried for a hall

if [ $# -ne 1 ] || [ -z "$1" ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
out=${1%/}
[ -n "$out" ] || out=/

if ! command -v "$ESPEAK" >/dev/null 2>&1; then
	echo "mkvoice: $ESPEAK not found (apt-get install espeak-ng)" >&2
	exit 1
fi
if [ ! -x "$PY" ]; then
	echo "mkvoice: $PY not found" >&2
	exit 1
fi

# NAME|VOICE|TEXT, in the order of voice_all_clips().  This list must match
# displays/voice.c (voice_clips[]) name for name; a test checks that every
# clip the daemon can ask for exists.  Mandarin needs the pinyin voice fed
# pinyin with tone digits ("-v cmn" misreads them).  Letters in the Chinese
# sentence are said with their English names, as halls do: the Mandarin
# voice's own letter names are confusable (E as yi4, beside 一 yi1).
CLIPS='chime|-|-
zh/qing|cmn-latn-pinyin|qing3
zh/A|en-us|A
zh/B|en-us|B
zh/C|en-us|C
zh/D|en-us|D
zh/E|en-us|E
zh/F|en-us|F
zh/G|en-us|G
zh/H|en-us|H
zh/I|en-us|I
zh/J|en-us|J
zh/K|en-us|K
zh/L|en-us|L
zh/M|en-us|M
zh/N|en-us|N
zh/O|en-us|O
zh/P|en-us|P
zh/Q|en-us|Q
zh/R|en-us|R
zh/S|en-us|S
zh/T|en-us|T
zh/U|en-us|U
zh/V|en-us|V
zh/W|en-us|W
zh/X|en-us|X
zh/Y|en-us|Y
zh/Z|en-us|Z
zh/0|cmn-latn-pinyin|ling2
zh/1|cmn-latn-pinyin|yi1
zh/2|cmn-latn-pinyin|er4
zh/3|cmn-latn-pinyin|san1
zh/4|cmn-latn-pinyin|si4
zh/5|cmn-latn-pinyin|wu3
zh/6|cmn-latn-pinyin|liu4
zh/7|cmn-latn-pinyin|qi1
zh/8|cmn-latn-pinyin|ba1
zh/9|cmn-latn-pinyin|jiu3
zh/shi|cmn-latn-pinyin|shi2
zh/hao|cmn-latn-pinyin|hao4
zh/dao|cmn-latn-pinyin|dao4
zh/hao_chuangkou|cmn-latn-pinyin|hao4 chuang1 kou3
zh/banli|cmn-latn-pinyin|ban4 li3
en/number|en-us|Number
en/A|en-us|A
en/B|en-us|B
en/C|en-us|C
en/D|en-us|D
en/E|en-us|E
en/F|en-us|F
en/G|en-us|G
en/H|en-us|H
en/I|en-us|I
en/J|en-us|J
en/K|en-us|K
en/L|en-us|L
en/M|en-us|M
en/N|en-us|N
en/O|en-us|O
en/P|en-us|P
en/Q|en-us|Q
en/R|en-us|R
en/S|en-us|S
en/T|en-us|T
en/U|en-us|U
en/V|en-us|V
en/W|en-us|W
en/X|en-us|X
en/Y|en-us|Y
en/Z|en-us|Z
en/0|en-us|zero
en/1|en-us|one
en/2|en-us|two
en/3|en-us|three
en/4|en-us|four
en/5|en-us|five
en/6|en-us|six
en/7|en-us|seven
en/8|en-us|eight
en/9|en-us|nine
en/please_go_to_window|en-us|please go to window
en/n1|en-us|one
en/n2|en-us|two
en/n3|en-us|three
en/n4|en-us|four
en/n5|en-us|five
en/n6|en-us|six
en/n7|en-us|seven
en/n8|en-us|eight
en/n9|en-us|nine
en/n10|en-us|ten
en/n11|en-us|eleven
en/n12|en-us|twelve
en/n13|en-us|thirteen
en/n14|en-us|fourteen
en/n15|en-us|fifteen
en/n16|en-us|sixteen
en/n17|en-us|seventeen
en/n18|en-us|eighteen
en/n19|en-us|nineteen
en/n20|en-us|twenty
en/n30|en-us|thirty
en/n40|en-us|forty
en/n50|en-us|fifty
en/n60|en-us|sixty
en/n70|en-us|seventy
en/n80|en-us|eighty
en/n90|en-us|ninety'

parent=$(dirname "$out")
mkdir -p "$parent"
tmp=$(mktemp -d "$parent/.mkvoice.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
mkdir "$tmp/zh" "$tmp/en"

names=
while IFS='|' read -r name voice text; do
	names="$names $name"
	if [ "$voice" = - ]; then
		continue
	fi
	if ! "$ESPEAK" -v "$voice" -s "$SPEED" -w "$tmp/$name.wav" "$text"; then
		echo "mkvoice: $ESPEAK failed on $name ($voice: $text)" >&2
		exit 1
	fi
done <<EOF
$CLIPS
EOF

# The chime, then every clip checked, trimmed and levelled in place.
# shellcheck disable=SC2086
"$PY" - "$tmp" $names <<'EOF'
import array
import math
import sys
import wave

RATE = 22050
PEAK = 0.7 * 32767	# every voice clip peaks here; the chime a bit lower
QUIET = 0.02		# below this share of the peak is silence
LEAD = int(0.010 * RATE)	# silence kept before the first sound
TAIL = int(0.060 * RATE)	# and after the last

def write(path, samples):
	w = wave.open(path, "wb")
	w.setnchannels(1)
	w.setsampwidth(2)
	w.setframerate(RATE)
	if sys.byteorder != "little":
		samples = array.array("h", samples)
		samples.byteswap()
	w.writeframes(samples.tobytes())
	w.close()

def chime(path):
	# Ding-dong: E5 then C5, each a sine with a weaker octave and an
	# exponential decay, 5 ms attack so nothing clicks; 0.8 s in all.
	n = int(0.8 * RATE)
	buf = [0.0] * n
	for start, freq in ((0.0, 659.25), (0.32, 523.25)):
		s0 = int(start * RATE)
		for i in range(n - s0):
			t = i / RATE
			env = math.exp(-t * 5.0) * min(1.0, t / 0.005)
			v = math.sin(2 * math.pi * freq * t) + \
			    0.3 * math.sin(4 * math.pi * freq * t)
			buf[s0 + i] += env * v
	fade = int(0.05 * RATE)
	for i in range(fade):
		buf[n - 1 - i] *= i / fade
	peak = max(abs(v) for v in buf)
	out = array.array("h", (int(round(v / peak * 0.6 * 32767)) for v in buf))
	write(path, out)

def level(path):
	w = wave.open(path, "rb")
	if (w.getnchannels(), w.getsampwidth(), w.getframerate()) != (1, 2, RATE):
		sys.exit("mkvoice: %s: not %d Hz mono 16-bit" % (path, RATE))
	d = array.array("h", w.readframes(w.getnframes()))
	w.close()
	if sys.byteorder != "little":
		d.byteswap()
	peak = max((abs(v) for v in d), default=0)
	if peak < 1000:
		sys.exit("mkvoice: %s: no speech in it" % path)
	loud = [i for i, v in enumerate(d) if abs(v) > QUIET * peak]
	d = d[max(0, loud[0] - LEAD):min(len(d), loud[-1] + TAIL)]
	d = array.array("h", (int(round(v * PEAK / peak)) for v in d))
	write(path, d)

tmp = sys.argv[1]
for name in sys.argv[2:]:
	path = "%s/%s.wav" % (tmp, name)
	if name == "chime":
		chime(path)
	else:
		level(path)
EOF

# Every clip there and not empty before anything is replaced.
for name in $names; do
	if [ ! -s "$tmp/$name.wav" ]; then
		echo "mkvoice: $name.wav not made" >&2
		exit 1
	fi
done

if [ ! -e "$out" ]; then
	mv "$tmp" "$out"
	trap - EXIT
	chmod 755 "$out"
else
	mkdir -p "$out/zh" "$out/en"
	for name in $names; do
		cmp -s "$tmp/$name.wav" "$out/$name.wav" ||
		    mv -f "$tmp/$name.wav" "$out/$name.wav"
	done
fi
n=0
for name in $names; do n=$((n + 1)); done
echo "mkvoice: $n clips in $out"
