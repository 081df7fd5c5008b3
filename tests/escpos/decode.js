#!/usr/bin/env node
'use strict';
/*
 * decode.js — an independent decoder of the ESC/POS bytes hallqd prints,
 * for the tests.  It splits the stream with npos's parser (npm `npos`,
 * extended below through its rule table, as its README shows) and decodes
 * the text between commands as GB18030 with `iconv-lite`.
 *
 *   node tests/escpos/decode.js ticket.bin      (or: ... < ticket.bin, or "-")
 *   node tests/escpos/decode.js --many < list.json   (a JSON list of base64
 *        strings in, a JSON list of results out: one node start for many)
 *
 * prints one JSON object (see README.md beside this file):
 *   texts        lines of text (LF, ESC d, GS V and the end close a line;
 *                empty lines are left out; CR and NUL are dropped)
 *   qr           payloads stored with GS ( k cn=49 fn=80, in order (UTF-8)
 *   qr_model     GS ( k fn=65: 1, 2 (or 3 for micro); null if never set
 *   qr_size      GS ( k fn=67 module size, null if never set
 *   qr_ec        GS ( k fn=69 error correction "L"/"M"/"Q"/"H", null if never set
 *   qr_printed   how many GS ( k fn=81 (print the stored symbol)
 *   cut          a GS V was seen;  cuts: how many
 *   chinese_mode FS & was seen;  chinese_off: FS . was seen
 *   sizes        GS ! n values in order;  big_text: text printed while GS ! != 0
 *   align        ESC a n values in order;  bold: ESC E n values in order
 *   feeds        sum of the n of ESC d n;  status: DLE EOT n values
 *   ops          every command in order, e.g. "ESC @", "GS ! 0x33", "GS ( k 80"
 *   unknown      commands the rule table did not know, or cut short, as hex
 *   error        null, or why npos could not split the stream at all
 *
 * Exit status 0 whenever it printed the JSON; 2 on bad usage or I/O.
 */

const fs = require('fs');
const npos = require('npos');
const iconv = require('iconv-lite');

const { DLE, ESC, FS, GS } = npos.symbols;

/* ---- the rule table: npos's own, extended ------------------------------ */

// npos.parser(rules) takes a rule table keyed by prefix byte, then by the
// command's function characters; a rule is a list of splitters, each a
// number of bytes to skip, the name of a builtin splitter, or a function
// (buf, offset) -> bytes used.  Start from a copy of npos's builtin table.
const rules = structuredClone(npos.rules);

// The builtin splitters are looked up by name inside npos; a few of them
// read past the end of a cut-short buffer and throw.  Resolve names here and
// wrap every function so a cut-short command swallows the rest instead.
const builtinSplitters = require('npos/lib/parser/splitters');
const ASCII = require('npos/lib/parser/ascii');

function safe(fn) {
  return function (buf, offset) {
    try {
      const n = fn(buf, offset);
      return Number.isFinite(n) && n >= 0 ? n : buf.length - offset;
    } catch (e) {
      return Math.max(0, buf.length - offset);
    }
  };
}

// GS ( k  pL pH cn fn [params]: 2D symbols (QR: cn = 49).  npos knows
// GS ( A/D/E/H/K/L/N but not k; its parameter block is pL + 256*pH bytes.
function gsParenData(buf, offset) {
  if (buf.length < offset + 2) return buf.length - offset;
  return 2 + buf.readUInt16LE(offset);
}
rules[GS]['(k'] = [0, gsParenData];

// GS V m [n]: npos's builtin 'gsV' answers buf.length (not the bytes left)
// when fewer than two bytes remain, so a stream ending in "GS V 0" looked
// cut short.  m = 0, 1, 48, 49 cut at once; 65, 66 (and 97, 98, 103, 104)
// are followed by n.
function gsV(buf, offset) {
  const m = buf[offset];
  return (m === 0 || m === 1 || m === 48 || m === 49 || m === undefined) ? 1 : 2;
}

// Commands the printer path uses, made explicit (npos has most already).
rules[FS]['&'] = 0;        // FS &  select Chinese character mode
rules[FS]['.'] = 0;        // FS .  cancel Chinese character mode
rules[GS]['V'] = [0, gsV];   // GS V m [n]  cut
rules[GS]['!'] = 1;        // GS ! n  character size
rules[ESC]['@'] = 0;       // ESC @  initialise
rules[ESC]['a'] = 1;       // ESC a n  justification
rules[ESC]['E'] = 1;       // ESC E n  emphasised
rules[ESC]['d'] = 1;       // ESC d n  print and feed n lines
rules[DLE]['\x04'] = 1;    // DLE EOT n  real-time status

// Everything named so far is "known".  Then, for each prefix byte, a
// one-character catch-all for every function byte the table lacks, tried
// after the longer keys (npos tries keys in the table's order): npos stops
// the whole parse at an unknown command, we want to note it and go on.
const PREFIX = new Set([DLE, ESC, FS, GS]);
const known = {};
for (const code of [DLE, ESC, FS, GS]) {
  const group = rules[code];
  const keys = Object.keys(group);
  known[code] = new Set(keys);
  for (let b = 0; b < 256; b++) {
    const key = String.fromCharCode(b);
    if (group[key] !== undefined) continue;
    // A stray prefix byte must not swallow the command after it: leave
    // "ESC ESC" and the like to analyze() below, which skips one byte.
    if (PREFIX.has(b)) continue;
    // A JS object lists integer-like keys ("8") before all others, so a
    // catch-all "8" would shadow GS 8 L: leave those to analyze() below.
    if (/^[0-9]$/.test(key) && keys.some((k) => k.length > 1 && k[0] === key)) continue;
    // GS ( x always carries pL pH: skip its block; others: just the 2 bytes.
    group[key] = (code === GS && key === '(') ? [1, gsParenData] : 0;
  }
}

for (const code of Object.keys(rules)) {
  const group = rules[code];
  if (typeof group !== 'object' || group === null) continue;
  for (const key of Object.keys(group)) {
    const list = Array.isArray(group[key]) ? group[key] : [group[key]];
    group[key] = list.map((s) => {
      if (typeof s === 'string') return safe(builtinSplitters[s]);
      if (typeof s === 'function') return safe(s);
      return s;
    });
  }
}

const parser = npos.parser(rules);

/* ---- decoding ----------------------------------------------------------- */

function hex(buf) {
  return Array.from(buf, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

function hx(n) {
  return '0x' + n.toString(16).padStart(2, '0');
}

// npos's analyze() gives up on the whole stream at the first command its
// table cannot match (e.g. a prefix byte with nothing after it); its error
// says where, "(offset/length)".  Take the tree up to there, note the two
// bytes as unknown and go on after them.
function analyze(raw, out) {
  const tree = [];
  let base = 0;
  for (let round = 0; base < raw.length && round < 100000; round++) {
    const part = raw.subarray(base);
    let ast = parser.analyze(part);
    if (!ast.error) {
      for (const n of ast.tree) tree.push(Object.assign(n, { offset: n.offset + base }));
      break;
    }
    const m = /\((\d+)\/(\d+)\)/.exec(ast.error.message);
    const at = m ? Number(m[1]) : 0;
    if (at > 0) {
      ast = parser.analyze(part.subarray(0, at));
      if (ast.error) throw ast.error;
      for (const n of ast.tree) tree.push(Object.assign(n, { offset: n.offset + base }));
    }
    const skip = PREFIX.has(part[at + 1]) ? 1 : 2;
    const bad = part.subarray(at, Math.min(part.length, at + skip));
    tree.push({ code: part[at], ascii: ASCII[part[at]], offset: base + at,
                length: bad.length, unparsed: true });
    base += at + bad.length;
  }
  return { raw, tree };
}

function decode(input) {
  const raw = Buffer.from(input);
  const out = {
    texts: [],
    qr: [],
    qr_model: null,
    qr_size: null,
    qr_ec: null,
    qr_printed: 0,
    cut: false,
    cuts: 0,
    chinese_mode: false,
    chinese_off: false,
    sizes: [],
    big_text: [],
    align: [],
    bold: [],
    feeds: 0,
    status: [],
    ops: [],
    unknown: [],
    error: null,
  };

  let ast;
  try {
    ast = analyze(raw, out);
  } catch (e) {                       // should not happen: splitters are safe
    out.error = String(e && e.message || e);
    out.unknown.push(hex(raw.subarray(0, 64)));
    return out;
  }

  let size = 0;
  let line = '';
  const closeLine = () => {
    const t = line.replace(/[\r\0]/g, '');
    if (t.length) out.texts.push(t);
    line = '';
  };

  for (const node of ast.tree) {
    const end = node.offset + node.length;
    const bytes = raw.subarray(node.offset, Math.min(end, raw.length));

    if (node.ascii === 'STX') {          // text between commands
      const data = npos.codecs.text.decode(raw, [node]);
      const text = iconv.decode(data, 'gb18030');
      const parts = text.split('\n');
      parts.forEach((p, i) => {
        if (i > 0) closeLine();
        line += p;
        if (size !== 0) {
          const t = p.replace(/[\r\0]/g, '');
          if (t.trim().length) out.big_text.push(t);
        }
      });
      continue;
    }

    const fn = node.fn === undefined ? '' : node.fn;
    const truncated = end > raw.length;
    const isKnown = !node.unparsed &&
      (!PREFIX.has(node.code) || known[node.code].has(fn));
    const p = (k) => raw[node.offset + 1 + fn.length + k];   // k-th parameter

    if (!isKnown || truncated) {
      out.unknown.push(hex(bytes));
      out.ops.push('? ' + hex(bytes.subarray(0, 2)));
      continue;
    }

    const name = node.ascii + ' ' +
      Array.from(fn, (c) => (c.charCodeAt(0) < 0x21 ? ASCII[c.charCodeAt(0)] : c)).join(' ');

    switch (node.ascii + fn) {
      case 'ESC@':
        size = 0;
        out.ops.push(name);
        break;
      case 'FS&':
        out.chinese_mode = true;
        out.ops.push(name);
        break;
      case 'FS.':
        out.chinese_off = true;
        out.ops.push(name);
        break;
      case 'GS!':
        size = p(0);
        out.sizes.push(size);
        out.ops.push(name + ' ' + hx(size));
        break;
      case 'ESCa':
        out.align.push(p(0));
        out.ops.push(name + ' ' + p(0));
        break;
      case 'ESCE':
        out.bold.push(p(0));
        out.ops.push(name + ' ' + p(0));
        break;
      case 'ESCd':
        closeLine();
        out.feeds += p(0);
        out.ops.push(name + ' ' + p(0));
        break;
      case 'DLE\x04':
        out.status.push(p(0));
        out.ops.push(name + ' ' + p(0));
        break;
      case 'GSV':
        closeLine();
        out.cut = true;
        out.cuts++;
        out.ops.push(name + ' ' + p(0));
        break;
      case 'GS(k': {
        // pL pH cn fn [params]
        const len = p(0) + 256 * p(1);
        const cn = p(2);
        const f = p(3);
        out.ops.push(name + ' ' + f);
        if (cn !== 49) break;               // not QR (PDF417, MaxiCode...)
        if (f === 65) {
          out.qr_model = p(4) - 48;           // 49 -> 1, 50 -> 2, 51 -> micro
        } else if (f === 67) {
          out.qr_size = p(4);
        } else if (f === 69) {
          out.qr_ec = { 48: 'L', 49: 'M', 50: 'Q', 51: 'H' }[p(4)] || p(4);
        } else if (f === 80) {
          const start = node.offset + 1 + fn.length + 2 + 3;   // after cn fn m
          const data = raw.subarray(start, start + len - 3);
          out.qr.push(data.toString('utf8'));
        } else if (f === 81) {
          out.qr_printed++;
        }
        break;
      }
      default:
        out.ops.push(name);
        break;
    }
  }
  closeLine();
  return out;
}

module.exports = { decode };

if (require.main === module) {
  const args = process.argv.slice(2);
  const many = args[0] === '--many';
  const arg = many ? args[1] : args[0];
  let input;
  try {
    input = (!arg || arg === '-') ? fs.readFileSync(0) : fs.readFileSync(arg);
  } catch (e) {
    process.stderr.write('decode.js: ' + e.message + '\n');
    process.exit(2);
  }
  if (many) {
    // --many: the input is a JSON list of base64 strings; print a JSON list.
    let list;
    try {
      list = JSON.parse(input.toString('utf8'));
      if (!Array.isArray(list)) throw new Error('not a JSON list');
    } catch (e) {
      process.stderr.write('decode.js --many: ' + e.message + '\n');
      process.exit(2);
    }
    const res = list.map((b64) => decode(Buffer.from(String(b64), 'base64')));
    process.stdout.write(JSON.stringify(res) + '\n');
  } else {
    process.stdout.write(JSON.stringify(decode(input)) + '\n');
  }
}
