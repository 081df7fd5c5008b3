/* web/vendor-src/qrcode.js — a small QR Code encoder (ISO/IEC 18004), written
 * for hallq: byte mode (UTF-8), error correction L/M/Q/H, versions 1–40,
 * the mask chosen by the standard's penalty rules.  No dependencies; a
 * classic script that sets globalThis.HallqQR, so it loads in a page and in
 * node alike.  The algorithm follows the standard's structure (function
 * patterns, Reed–Solomon over GF(256) with 0x11D, block interleaving,
 * zig-zag placement, format and version information).
 *
 *   var qr = HallqQR.encode('http://…/t/41?token=…', 'M');   (a third
 *   argument 0–7 forces a mask, for tests)
 *   qr.size, qr.version, qr.mask, qr.get(x, y) → true for a dark module
 *   HallqQR.svgPath(qr, border) → the "d" of one <path> (1 unit = 1 module)
 *   HallqQR.svg(text, {ecl, border}) → a whole <svg> as a string
 */
'use strict';

(function (global) {
  var ECL = { L: 0, M: 1, Q: 2, H: 3 };
  var FORMAT_BITS = [1, 0, 3, 2];		/* L M Q H as the format field says */

  /* Per version 1..40 (index 0 unused), per level L M Q H. */
  var ECC_PER_BLOCK = [
    [-1, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
    [-1, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    [-1, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
  ];
  var NUM_BLOCKS = [
    [-1, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
    [-1, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
    [-1, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
    [-1, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81]
  ];

  function utf8(text) {
    if (typeof TextEncoder !== 'undefined')
      return Array.prototype.slice.call(new TextEncoder().encode(text));
    var s = unescape(encodeURIComponent(text)), out = [];
    for (var i = 0; i < s.length; i++) out.push(s.charCodeAt(i));
    return out;
  }

  /* Modules that carry data and error correction in a symbol of this version. */
  function rawModules(ver) {
    var n = (16 * ver + 128) * ver + 64;
    if (ver >= 2) {
      var na = Math.floor(ver / 7) + 2;
      n -= (25 * na - 10) * na - 55;
      if (ver >= 7) n -= 36;
    }
    return n;
  }

  function dataCodewords(ver, e) {
    return Math.floor(rawModules(ver) / 8) - ECC_PER_BLOCK[e][ver] * NUM_BLOCKS[e][ver];
  }

  function alignPositions(ver) {
    if (ver === 1) return [];
    var n = Math.floor(ver / 7) + 2, size = ver * 4 + 17;
    var step = ver === 32 ? 26 : Math.ceil((ver * 4 + 4) / (n * 2 - 2)) * 2;
    var out = [6];
    for (var pos = size - 7; out.length < n; pos -= step) out.splice(1, 0, pos);
    return out;
  }

  /* GF(256), x^8 + x^4 + x^3 + x^2 + 1 */
  function gfMul(x, y) {
    var z = 0;
    for (var i = 7; i >= 0; i--) {
      z = (z << 1) ^ ((z >>> 7) * 0x11D);
      z ^= ((y >>> i) & 1) * x;
    }
    return z & 0xFF;
  }

  function rsDivisor(degree) {
    var r = [], root = 1, i, j;
    for (i = 0; i < degree; i++) r.push(0);
    r[degree - 1] = 1;
    for (i = 0; i < degree; i++) {
      for (j = 0; j < degree; j++) {
        r[j] = gfMul(r[j], root);
        if (j + 1 < degree) r[j] ^= r[j + 1];
      }
      root = gfMul(root, 2);
    }
    return r;
  }

  function rsRemainder(data, div) {
    var r = div.map(function () { return 0; });
    data.forEach(function (b) {
      var f = b ^ r.shift();
      r.push(0);
      for (var i = 0; i < div.length; i++) r[i] ^= gfMul(div[i], f);
    });
    return r;
  }

  function encode(text, ecl, forceMask) {
    var e = ECL[ecl || 'M'];
    if (e === undefined) throw new Error('QR: error correction is L, M, Q or H');
    var bytes = utf8(String(text)), ver, cap = 0;
    for (ver = 1; ver <= 40; ver++) {
      cap = dataCodewords(ver, e) * 8;
      if (4 + (ver < 10 ? 8 : 16) + bytes.length * 8 <= cap) break;
    }
    if (ver > 40) throw new Error('QR: text too long');

    /* Bit stream: byte mode, count, data, terminator, padding. */
    var bits = [];
    function put(v, n) { for (var i = n - 1; i >= 0; i--) bits.push((v >>> i) & 1); }
    put(4, 4);
    put(bytes.length, ver < 10 ? 8 : 16);
    bytes.forEach(function (b) { put(b, 8); });
    put(0, Math.min(4, cap - bits.length));
    put(0, (8 - bits.length % 8) % 8);
    for (var pad = 0xEC; bits.length < cap; pad ^= 0xEC ^ 0x11) put(pad, 8);
    var data = [];
    for (var i = 0; i < bits.length; i += 8) {
      var v = 0;
      for (var k = 0; k < 8; k++) v = (v << 1) | bits[i + k];
      data.push(v);
    }

    /* Blocks with their error correction, interleaved. */
    var nb = NUM_BLOCKS[e][ver], eccLen = ECC_PER_BLOCK[e][ver];
    var raw = Math.floor(rawModules(ver) / 8);
    var nShort = nb - raw % nb, shortLen = Math.floor(raw / nb);
    var div = rsDivisor(eccLen), blocks = [], pos = 0, b;
    for (b = 0; b < nb; b++) {
      var d = data.slice(pos, pos + shortLen - eccLen + (b < nShort ? 0 : 1));
      pos += d.length;
      var ecc = rsRemainder(d, div);
      if (b < nShort) d.push(0);
      blocks.push(d.concat(ecc));
    }
    var words = [];
    for (i = 0; i < blocks[0].length; i++)
      for (b = 0; b < nb; b++)
        if (i !== shortLen - eccLen || b >= nShort) words.push(blocks[b][i]);

    /* The symbol: function patterns first. */
    var size = ver * 4 + 17, mod = [], fn = [], x, y;
    for (y = 0; y < size; y++) {
      mod.push(new Array(size).fill(false));
      fn.push(new Array(size).fill(false));
    }
    function setF(x, y, dark) { mod[y][x] = dark; fn[y][x] = true; }
    for (i = 0; i < size; i++) { setF(6, i, i % 2 === 0); setF(i, 6, i % 2 === 0); }
    [[3, 3], [size - 4, 3], [3, size - 4]].forEach(function (c) {
      for (var dy = -4; dy <= 4; dy++)
        for (var dx = -4; dx <= 4; dx++) {
          var dist = Math.max(Math.abs(dx), Math.abs(dy)), xx = c[0] + dx, yy = c[1] + dy;
          if (xx >= 0 && xx < size && yy >= 0 && yy < size)
            setF(xx, yy, dist !== 2 && dist !== 4);
        }
    });
    var al = alignPositions(ver), last = al.length - 1;
    al.forEach(function (ay, a) {
      al.forEach(function (ax, c) {
        if ((a === 0 && c === 0) || (a === 0 && c === last) || (a === last && c === 0)) return;
        for (var dy = -2; dy <= 2; dy++)
          for (var dx = -2; dx <= 2; dx++)
            setF(ax + dx, ay + dy, Math.max(Math.abs(dx), Math.abs(dy)) !== 1);
      });
    });
    function drawFormat(mask) {
      var d = (FORMAT_BITS[e] << 3) | mask, r = d;
      for (var j = 0; j < 10; j++) r = (r << 1) ^ ((r >>> 9) * 0x537);
      var fb = ((d << 10) | r) ^ 0x5412;
      function bit(j) { return ((fb >>> j) & 1) !== 0; }
      for (j = 0; j <= 5; j++) setF(8, j, bit(j));
      setF(8, 7, bit(6)); setF(8, 8, bit(7)); setF(7, 8, bit(8));
      for (j = 9; j < 15; j++) setF(14 - j, 8, bit(j));
      for (j = 0; j < 8; j++) setF(size - 1 - j, 8, bit(j));
      for (j = 8; j < 15; j++) setF(8, size - 15 + j, bit(j));
      setF(8, size - 8, true);
    }
    drawFormat(0);			/* reserves the area */
    if (ver >= 7) {
      var r = ver;
      for (i = 0; i < 12; i++) r = (r << 1) ^ ((r >>> 11) * 0x1F25);
      var vb = (ver << 12) | r;
      for (i = 0; i < 18; i++) {
        var dark = ((vb >>> i) & 1) !== 0, a1 = size - 11 + i % 3, b1 = Math.floor(i / 3);
        setF(a1, b1, dark); setF(b1, a1, dark);
      }
    }

    /* Data in two-module columns, zig-zag from the bottom right. */
    var n = 0;
    for (var right = size - 1; right >= 1; right -= 2) {
      if (right === 6) right = 5;
      for (var vert = 0; vert < size; vert++)
        for (var j = 0; j < 2; j++) {
          x = right - j;
          y = ((right + 1) & 2) === 0 ? size - 1 - vert : vert;
          if (!fn[y][x] && n < words.length * 8) {
            mod[y][x] = ((words[n >>> 3] >>> (7 - (n & 7))) & 1) !== 0;
            n++;
          }
        }
    }

    function maskBit(m, x, y) {
      switch (m) {
      case 0: return (x + y) % 2 === 0;
      case 1: return y % 2 === 0;
      case 2: return x % 3 === 0;
      case 3: return (x + y) % 3 === 0;
      case 4: return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
      case 5: return x * y % 2 + x * y % 3 === 0;
      case 6: return (x * y % 2 + x * y % 3) % 2 === 0;
      default: return ((x + y) % 2 + x * y % 3) % 2 === 0;
      }
    }
    function applyMask(m) {
      for (var y = 0; y < size; y++)
        for (var x = 0; x < size; x++)
          if (!fn[y][x] && maskBit(m, x, y)) mod[y][x] = !mod[y][x];
    }

    var best = 0, bestScore = Infinity;
    for (var m = 0; m < 8; m++) {
      if (forceMask !== undefined && forceMask !== m) continue;
      applyMask(m);
      drawFormat(m);
      var s = penalty(mod, size);
      if (s < bestScore) { best = m; bestScore = s; }
      applyMask(m);			/* XOR again: undone */
    }
    applyMask(best);
    drawFormat(best);

    return {
      version: ver, size: size, mask: best, ecl: ecl || 'M',
      modules: mod,
      get: function (x, y) { return x >= 0 && y >= 0 && x < size && y < size && mod[y][x]; }
    };
  }

  /* The standard's four penalty rules (8.8.2). */
  function penalty(mod, size) {
    var score = 0, x, y, dark = 0;
    function line(get) {
      var s = 0, run = 1, i, seq = [];
      for (i = 0; i < size; i++) seq.push(get(i) ? 1 : 0);
      for (i = 1; i <= size; i++) {
        if (i < size && seq[i] === seq[i - 1]) { run++; continue; }
        if (run >= 5) s += 3 + run - 5;
        run = 1;
      }
      /* 1:1:3:1:1 with four light modules on either side (outside is light). */
      function at(i) { return i < 0 || i >= size ? 0 : seq[i]; }
      for (i = -4; i < size; i++) {
        if (at(i) && !at(i + 1) && at(i + 2) && at(i + 3) && at(i + 4) && !at(i + 5) && at(i + 6)) {
          if (!at(i - 1) && !at(i - 2) && !at(i - 3) && !at(i - 4)) s += 40;
          else if (!at(i + 7) && !at(i + 8) && !at(i + 9) && !at(i + 10)) s += 40;
        }
      }
      return s;
    }
    for (y = 0; y < size; y++) score += line(function (i) { return mod[y][i]; });
    for (x = 0; x < size; x++) score += line(function (i) { return mod[i][x]; });
    for (y = 0; y < size - 1; y++)
      for (x = 0; x < size - 1; x++) {
        var c = mod[y][x];
        if (c === mod[y][x + 1] && c === mod[y + 1][x] && c === mod[y + 1][x + 1]) score += 3;
      }
    for (y = 0; y < size; y++)
      for (x = 0; x < size; x++) if (mod[y][x]) dark++;
    var total = size * size;
    score += Math.floor(Math.abs(dark * 20 - total * 10) / total) * 10;
    return score;
  }

  function svgPath(qr, border) {
    var b = border === undefined ? 4 : border, d = [];
    for (var y = 0; y < qr.size; y++)
      for (var x = 0; x < qr.size; x++)
        if (qr.modules[y][x]) d.push('M' + (x + b) + ' ' + (y + b) + 'h1v1h-1z');
    return d.join('');
  }

  function svg(text, opt) {
    opt = opt || {};
    var qr = encode(text, opt.ecl || 'M'), b = opt.border === undefined ? 4 : opt.border;
    var n = qr.size + 2 * b;
    return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ' + n + ' ' + n +
      '" shape-rendering="crispEdges"><rect width="' + n + '" height="' + n +
      '" fill="#fff"/><path fill="#000" d="' + svgPath(qr, b) + '"/></svg>';
  }

  global.HallqQR = { encode: encode, svgPath: svgPath, svg: svg };
})(typeof window !== 'undefined' ? window : globalThis);
