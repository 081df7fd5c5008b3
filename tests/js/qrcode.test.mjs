// tests/js/qrcode.test.mjs — web/vendor-src/qrcode.js, the kiosk's QR
// encoder, read back by a small independent decoder written from the
// standard (function patterns, format and version information with their
// BCH codes, unmasking, the zig-zag, de-interleaving, Reed–Solomon
// syndromes, byte mode), and pinned to symbols that zbarimg decoded.
import test from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';

await import('../../web/vendor-src/qrcode.js');
const Q = globalThis.HallqQR;

// Blocks per level L M Q H as (count, total codewords, data codewords), for
// the versions the decoder checks (ISO/IEC 18004 table 9).
const BLOCKS = {
  1: { L: [[1, 26, 19]], M: [[1, 26, 16]], Q: [[1, 26, 13]], H: [[1, 26, 9]] },
  2: { L: [[1, 44, 34]], M: [[1, 44, 28]], Q: [[1, 44, 22]], H: [[1, 44, 16]] },
  3: { L: [[1, 70, 55]], M: [[1, 70, 44]], Q: [[2, 35, 17]], H: [[2, 35, 13]] },
  4: { L: [[1, 100, 80]], M: [[2, 50, 32]], Q: [[2, 50, 24]], H: [[4, 25, 9]] },
  5: { L: [[1, 134, 108]], M: [[2, 67, 43]], Q: [[2, 33, 15], [2, 34, 16]], H: [[2, 33, 11], [2, 34, 12]] },
  6: { L: [[2, 86, 68]], M: [[4, 43, 27]], Q: [[4, 43, 19]], H: [[4, 43, 15]] },
  7: { L: [[2, 98, 78]], M: [[4, 49, 31]], Q: [[2, 32, 14], [4, 33, 15]], H: [[4, 39, 13], [1, 40, 14]] },
  8: { L: [[2, 121, 97]], M: [[2, 60, 38], [2, 61, 39]], Q: [[4, 40, 18], [2, 41, 19]], H: [[4, 40, 14], [2, 41, 15]] },
  10: { L: [[2, 86, 68], [2, 87, 69]], M: [[4, 69, 43], [1, 70, 44]], Q: [[6, 43, 19], [2, 44, 20]], H: [[6, 43, 15], [2, 44, 16]] },
};
const ALIGN = { 1: [], 2: [6, 18], 3: [6, 22], 4: [6, 26], 5: [6, 30], 6: [6, 34], 7: [6, 22, 38], 8: [6, 24, 42], 10: [6, 28, 50] };
const LEVEL_OF = { 1: 'L', 0: 'M', 3: 'Q', 2: 'H' };

function gfmul(a, b) {
  let r = 0;
  while (b) {
    if (b & 1) r ^= a;
    a <<= 1;
    if (a & 0x100) a ^= 0x11d;
    b >>= 1;
  }
  return r;
}

function bchOk(value, bits, poly, polyBits) {
  let r = value;
  for (let i = bits - 1; i >= polyBits - 1; i--)
    if (r & (1 << i)) r ^= poly << (i - polyBits + 1);
  return r === 0;
}

function decode(qr) {
  const n = qr.size, ver = (n - 17) / 4, m = (x, y) => qr.get(x, y);
  // Finder patterns with their separators.
  for (const [cx, cy] of [[3, 3], [n - 4, 3], [3, n - 4]])
    for (let dy = -4; dy <= 4; dy++)
      for (let dx = -4; dx <= 4; dx++) {
        const x = cx + dx, y = cy + dy;
        if (x < 0 || y < 0 || x >= n || y >= n) continue;
        const d = Math.max(Math.abs(dx), Math.abs(dy));
        assert.equal(m(x, y), d !== 2 && d !== 4, `finder at ${x},${y}`);
      }
  for (let i = 8; i < n - 8; i++) {
    assert.equal(m(i, 6), i % 2 === 0, 'timing row');
    assert.equal(m(6, i), i % 2 === 0, 'timing column');
  }
  assert.equal(m(8, n - 8), true, 'dark module');
  // Format information, both copies.
  let f1 = 0, f2 = 0;
  const a = [[8, 0], [8, 1], [8, 2], [8, 3], [8, 4], [8, 5], [8, 7], [8, 8], [7, 8], [5, 8], [4, 8], [3, 8], [2, 8], [1, 8], [0, 8]];
  a.forEach(([x, y], i) => { if (m(x, y)) f1 |= 1 << i; });
  for (let i = 0; i < 8; i++) if (m(n - 1 - i, 8)) f2 |= 1 << i;
  for (let i = 8; i < 15; i++) if (m(8, n - 15 + i)) f2 |= 1 << i;
  assert.equal(f1, f2, 'format copies agree');
  const fmt = f1 ^ 0x5412;
  assert.ok(bchOk(fmt, 15, 0x537, 11), 'format BCH');
  const level = LEVEL_OF[fmt >> 13], mask = (fmt >> 10) & 7;
  // Version information (7 and up), both copies.
  const fn = Array.from({ length: n }, () => new Array(n).fill(false));
  const mark = (x, y) => { if (x >= 0 && y >= 0 && x < n && y < n) fn[y][x] = true; };
  if (ver >= 7) {
    let v1 = 0, v2 = 0;
    for (let i = 0; i < 18; i++) {
      const x = n - 11 + (i % 3), y = Math.floor(i / 3);
      if (m(x, y)) v1 |= 1 << i;
      if (m(y, x)) v2 |= 1 << i;
      mark(x, y); mark(y, x);
    }
    assert.equal(v1, v2, 'version copies agree');
    assert.equal(v1 >> 12, ver, 'version number');
    assert.ok(bchOk(v1, 18, 0x1f25, 13), 'version BCH');
  }
  for (let y = 0; y < 9; y++) for (let x = 0; x < 9; x++) mark(x, y);
  for (let y = 0; y < 9; y++) for (let x = 0; x < 8; x++) { mark(n - 1 - x, y); mark(y, n - 1 - x); }
  for (let i = 0; i < n; i++) { mark(i, 6); mark(6, i); }
  const al = ALIGN[ver];
  const last = al.length - 1;
  al.forEach((ay, i) => al.forEach((ax, j) => {
    if ((i === 0 && j === 0) || (i === 0 && j === last) || (i === last && j === 0)) return;	// the finders
    for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) {
      assert.equal(m(ax + dx, ay + dy), Math.max(Math.abs(dx), Math.abs(dy)) !== 1, 'alignment');
      mark(ax + dx, ay + dy);
    }
  }));
  const MASKS = [
    (x, y) => (x + y) % 2 === 0, (x, y) => y % 2 === 0, (x) => x % 3 === 0, (x, y) => (x + y) % 3 === 0,
    (x, y) => (Math.floor(y / 2) + Math.floor(x / 3)) % 2 === 0, (x, y) => (x * y) % 2 + (x * y) % 3 === 0,
    (x, y) => ((x * y) % 2 + (x * y) % 3) % 2 === 0, (x, y) => ((x + y) % 2 + (x * y) % 3) % 2 === 0,
  ];
  // Read the codewords: columns pairs from the right, up then down.
  const bits = [];
  let up = true;
  for (let col = n - 1; col > 0; col -= 2) {
    if (col === 6) col--;
    for (let k = 0; k < n; k++) {
      const y = up ? n - 1 - k : k;
      for (const x of [col, col - 1])
        if (!fn[y][x]) bits.push(m(x, y) !== MASKS[mask](x, y) ? 1 : 0);
    }
    up = !up;
  }
  const words = [];
  for (let i = 0; i + 8 <= bits.length; i += 8)
    words.push(bits.slice(i, i + 8).reduce((v, b) => (v << 1) | b, 0));
  // De-interleave.
  const groups = BLOCKS[ver][level];
  const blocks = [];
  for (const [count, total, data] of groups)
    for (let c = 0; c < count; c++) blocks.push({ total, data, cw: [] });
  let p = 0;
  const maxData = Math.max(...blocks.map(b => b.data));
  for (let i = 0; i < maxData; i++) for (const b of blocks) if (i < b.data) b.cw.push(words[p++]);
  const eccLen = blocks[0].total - blocks[0].data;
  for (let i = 0; i < eccLen; i++) for (const b of blocks) b.cw.push(words[p++]);
  // Every block's syndromes are zero: S_j = C(α^j), j = 0..ecc-1.
  let alpha = 1;
  for (let j = 0; j < eccLen; j++) {
    for (const b of blocks) {
      let s = 0;
      for (const c of b.cw) s = gfmul(s, alpha) ^ c;
      assert.equal(s, 0, `syndrome ${j}`);
    }
    alpha = gfmul(alpha, 2);
  }
  // Byte mode.
  const data = blocks.flatMap(b => b.cw.slice(0, b.data));
  const dbits = data.flatMap(w => [7, 6, 5, 4, 3, 2, 1, 0].map(i => (w >> i) & 1));
  let q = 0;
  const take = k => { let v = 0; for (let i = 0; i < k; i++) v = (v << 1) | dbits[q++]; return v; };
  assert.equal(take(4), 4, 'byte mode');
  const len = take(ver < 10 ? 8 : 16);
  const bytes = [];
  for (let i = 0; i < len; i++) bytes.push(take(8));
  return { text: Buffer.from(bytes).toString('utf8'), level, mask, version: ver };
}

function hash(qr) {
  return crypto.createHash('sha256').update(qr.modules.map(r => r.map(v => (v ? '1' : '0')).join('')).join('\n')).digest('hex');
}

test('the status URL a kiosk prints reads back whole', () => {
  const url = 'http://127.0.0.1:8080/t/41?token=0123456789abcdef0123456789abcdef';
  const qr = Q.encode(url, 'M');
  assert.equal(qr.size, qr.version * 4 + 17);
  const d = decode(qr);
  assert.deepEqual(d, { text: url, level: 'M', mask: qr.mask, version: qr.version });
});

test('every level and every mask, several versions, reads back', () => {
  const texts = ['A', 'HELLO WORLD', '政务服务中心 hallq', 'x'.repeat(60), 'http://hall.example/t/123456?token=' + 'f'.repeat(32) + '&lang=en'];
  for (const text of texts)
    for (const level of ['L', 'M', 'Q', 'H'])
      for (let mask = 0; mask < 8; mask++) {
        const qr = Q.encode(text, level, mask);
        if (!BLOCKS[qr.version]) continue;
        assert.equal(qr.mask, mask);
        assert.deepEqual(decode(qr), { text, level, mask, version: qr.version }, `${text} ${level} ${mask}`);
      }
});

test('versions grow with the text, up to 40; too long is refused', () => {
  assert.equal(Q.encode('x'.repeat(14), 'M').version, 1);
  assert.equal(Q.encode('x'.repeat(15), 'M').version, 2);
  assert.equal(Q.encode('x'.repeat(2331), 'M').version, 40);
  assert.throws(() => Q.encode('x'.repeat(2332), 'M'), /too long/);
  assert.throws(() => Q.encode('x', 'Z'), /L, M, Q or H/);
  const big = Q.encode('y'.repeat(200), 'M');		// version 10: a 16-bit count
  assert.equal(big.version, 10);
  assert.equal(decode(big).text, 'y'.repeat(200));
});

test('symbols pinned to what zbarimg decoded', () => {
  // Each of these was rendered and read back by zbarimg (zbar 0.23) when written.
  const pins = [
    ['HELLO WORLD', 'Q', 1, 3, '7dde2e7cd1825ca01e2991318140b079bc9f0f4d8bfd00a2cdabb866129495ac'],
    ['http://127.0.0.1:8080/t/41?token=0123456789abcdef0123456789abcdef', 'M', 5, 4, '8c9c6057dc856984b19ac8a10746d58c1a6e9e3c672b277e0131f016681a4e95'],
    ['政务服务中心', 'H', 3, 2, '3c105128866cf5e1f84e1094645bf489aaba6658e131615e2da32168d15d5a90'],
    ['x'.repeat(300), 'L', 11, 2, '14019e0d497ed085979f446e1e981a5b1f26d400f26853928d8872ea86b19354'],
  ];
  for (const [text, level, version, mask, sha] of pins) {
    const qr = Q.encode(text, level);
    assert.equal(qr.version, version);
    assert.equal(qr.mask, mask);
    assert.equal(hash(qr), sha, text.slice(0, 20));
  }
});

test('the SVG draws one module per unit inside a quiet zone', () => {
  const svg = Q.svg('A', { ecl: 'L' });
  assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 29 29"/);
  const qr = Q.encode('A', 'L');
  const dark = qr.modules.flat().filter(Boolean).length;
  assert.equal((Q.svgPath(qr, 4).match(/M/g) || []).length, dark);
  assert.match(Q.svgPath(qr, 4), /^M4 4h1v1h-1z/);	// the top-left finder's corner
});
