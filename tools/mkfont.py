#!/usr/bin/python3
"""mkfont.py -- the font the pages use, served by the appliance itself.

A kiosk, a TV box or a clerk's PC cannot be trusted to carry a CJK font, so
hallqd serves one: a woff2 subset of Noto Sans CJK SC (Regular) from Debian's
fonts-noto-cjk, cut with fontTools' subsetter (Debian's python3-fonttools;
woff2 needs python3-brotli).  It covers

  - every hanzi of GB2312 (levels 1 and 2: 6,763), and GB2312's symbol rows
    (CJK punctuation, full-width forms, numbers in circles ...);
  - every character of the pages (web/*.html, web/*.css, web/*.js,
    web/lib/*.js, \\uXXXX escapes included) and of the configuration
    (etc/hallq.json, or the files given with -c);
  - printable ASCII, Latin-1, general punctuation, CJK symbols and
    punctuation (U+3000-303F) and half/full-width forms (U+FF00-FFEF).

One weight (Regular): chromium synthesises bold for 600-800; a real Bold
face would double what a kiosk downloads the first time.

The characters are written next to the font (OUT.chars); when they and the
source font are unchanged the font is not cut again (it takes a while).  The
font is written to a temporary file and renamed: a page never reads half a
font.

	/usr/bin/python3 tools/mkfont.py -o web/fonts/hallq-sc.woff2
"""
import argparse
import glob
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TTC = '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc'
FACE = 'Noto Sans CJK SC'


def die(msg):
    print(f'mkfont: {msg}', file=sys.stderr)
    sys.exit(1)


try:
    from fontTools import subset
    from fontTools.ttLib import TTCollection
except ImportError:
    die('fontTools not found: apt-get install python3-fonttools '
        '(run with /usr/bin/python3)')
try:
    import brotli  # noqa: F401  (woff2)
except ImportError:
    die('brotli not found (woff2 needs it): apt-get install python3-brotli')


def gb2312():
    """(hanzi, symbols) of GB2312, by decoding every two-byte code."""
    hanzi, symbols = set(), set()
    for b1 in range(0xA1, 0xF8):
        for b2 in range(0xA1, 0xFF):
            try:
                c = bytes((b1, b2)).decode('gb2312')
            except UnicodeDecodeError:
                continue
            (hanzi if b1 >= 0xB0 else symbols).add(ord(c))
    return hanzi, symbols


ESCAPE = re.compile(r'\\u([0-9a-fA-F]{4})|\\u\{([0-9a-fA-F]{1,6})\}')


def text_chars(path):
    with open(path, encoding='utf-8') as f:
        text = f.read()
    cps = {ord(c) for c in text if ord(c) >= 0x80}
    for m in ESCAPE.finditer(text):
        cps.add(int(m.group(1) or m.group(2), 16))
    return cps


def config_chars(path):
    """Every character of every string (keys too) of a JSON configuration."""
    cps = set()

    def walk(v):
        if isinstance(v, str):
            cps.update(ord(c) for c in v)
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(k)
                walk(x)
        elif isinstance(v, list):
            for x in v:
                walk(x)

    with open(path, encoding='utf-8') as f:
        walk(json.load(f))
    return cps


def sc_index(ttc):
    coll = TTCollection(ttc, lazy=True)
    for i, font in enumerate(coll.fonts):
        if font['name'].getDebugName(1) == FACE:
            return i
    die(f'{ttc} has no face named "{FACE}"')


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('-o', '--output', required=True)
    ap.add_argument('-f', '--font', default=TTC)
    ap.add_argument('-c', '--config', action='append',
                    help='configuration file(s) whose names must be drawn '
                    '(default etc/hallq.json)')
    ap.add_argument('-w', '--web', default=os.path.join(ROOT, 'web'))
    args = ap.parse_args()

    if not os.path.exists(args.font):
        die(f'{args.font} not found: apt-get install fonts-noto-cjk')
    hanzi, symbols = gb2312()
    if len(hanzi) != 6763:
        die(f'GB2312 decoded to {len(hanzi)} hanzi, not 6763')
    cps = set(hanzi) | symbols
    cps |= set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    cps |= set(range(0x2010, 0x2060)) | set(range(0x3000, 0x3040))
    cps |= set(range(0xFF01, 0xFFF0))
    pages = []
    for pat in ('*.html', '*.css', '*.js', 'lib/*.js'):
        pages += sorted(glob.glob(os.path.join(args.web, pat)))
    if not pages:
        die(f'no pages under {args.web}')
    for p in pages:
        cps |= text_chars(p)
    for c in args.config or [os.path.join(ROOT, 'etc', 'hallq.json')]:
        cps |= config_chars(c)
    # Control characters and surrogates are nothing to draw.
    cps = sorted(c for c in cps if c >= 0x20 and not 0xD800 <= c <= 0xDFFF)

    index = sc_index(args.font)
    st = os.stat(args.font)
    stamp = (f'# {os.path.basename(args.font)} #{index} {st.st_size} '
             f'{int(st.st_mtime)} fontTools {subset.__name__}\n' +
             ''.join(f'{c:04X}\n' for c in cps))
    chars = args.output + '.chars'
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    try:
        with open(chars, encoding='ascii') as f:
            if f.read() == stamp and os.path.getsize(args.output) > 0:
                os.utime(args.output)
                print(f'mkfont: {args.output} is current ({len(cps)} '
                      'characters)')
                return
    except OSError:
        pass

    tmp = f'{args.output}.tmp{os.getpid()}'
    try:
        subset.main([
            args.font, f'--font-number={index}', f'--output-file={tmp}',
            '--flavor=woff2',
            '--unicodes=' + ','.join(f'{c:04X}' for c in cps),
            # Screens, not print: no hinting; CFF without subroutines
            # compresses better under brotli.
            '--no-hinting', '--desubroutinize',
            # Horizontal text only, proportional CJK punctuation kept.
            '--layout-features=ccmp,locl,kern,liga,calt,palt,halt,tnum,pwid,fwid',
            '--name-IDs=0,1,2,3,4,5,6', '--name-languages=*',
            '--no-glyph-names', '--notdef-outline',
        ])
        os.replace(tmp, args.output)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    with open(chars + '.tmp', 'w', encoding='ascii') as f:
        f.write(stamp)
    os.replace(chars + '.tmp', chars)
    print(f'mkfont: {args.output}: {os.path.getsize(args.output)} bytes, '
          f'{len(cps)} characters, {FACE} (#{index} of {args.font})')


if __name__ == '__main__':
    main()
