// tests/browser/glyphs.test.mjs — Chinese is drawn with real glyphs on every
// page (kiosk, pad, board, dashboard, /t/ID, /rate?window=N, index, /book, /q,
// /cases, /reports, /admin), from the font the
// appliance serves (web/fonts/hallq-sc.woff2, `make`), on a client that has
// no CJK font of its own.
//
// The client: Debian's chromium with a fontconfig of its own that rejects
// every CJK font of this machine (the build machine has fonts-noto-cjk; a
// kiosk, a TV box or a clerk's PC may have none).  A control proves it: in
// each page, text set in plain sans-serif must come out as tofu.
//
// The check, in the page, after document.fonts.ready: every visible element
// holding Chinese text, grouped by its computed font; up to 8 of its Chinese
// characters are drawn one by one on a canvas with that font, and so is an
// unassigned code point (U+10FFFD).  Tofu boxes are all alike: a real glyph
// has ink, differs from the tofu, and the glyphs differ from each other.
// CDP's CSS.getPlatformFontsForNode says the text was set with the served
// (custom) font.  Screenshots: build/browser/glyphs-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { Hall, ROOT, TOKENS, openPage, shot } from './lib.mjs';

const FONT = path.join(ROOT, 'web', 'fonts', 'hallq-sc.woff2');

// A fontconfig that keeps this machine's fonts but no CJK one.
function cjkFreeFontconfig(dir) {
  const conf = path.join(dir, 'fonts.conf');
  fs.writeFileSync(conf, `<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <cachedir>${path.join(dir, 'cache')}</cachedir>
  <selectfont><rejectfont>
    <pattern><patelt name="lang"><string>zh-cn</string></patelt></pattern>
    <pattern><patelt name="lang"><string>zh-tw</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ja</string></patelt></pattern>
    <pattern><patelt name="lang"><string>ko</string></patelt></pattern>
    <glob>*CJK*</glob>
  </rejectfont></selectfont>
</fontconfig>
`);
  return conf;
}

// Runs in the page: {groups: [{font, chars, ok, why}], control: {...}}.
function probeGlyphs() {
  const HAN = /[\u3400-\u9fff\uf900-\ufaff]/g;
  const TOFU = String.fromCodePoint(0x10FFFD);
  const SIZE = 48;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = SIZE * 2;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  function bitmap(font, ch) {
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.font = font;
    ctx.fillStyle = '#000';
    ctx.textBaseline = 'top';
    ctx.fillText(ch, SIZE / 4, SIZE / 4);
    const a = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    let ink = 0, key = '';
    for (let i = 3; i < a.length; i += 4) {
      if (a[i]) ink++;
      key += String.fromCharCode(a[i]);
    }
    return { ink, key };
  }
  function judge(font, chars) {
    const tofu = bitmap(font, TOFU);
    const seen = new Set();
    const bad = [];
    for (const ch of chars) {
      const g = bitmap(font, ch);
      if (!g.ink || g.key === tofu.key || seen.has(g.key))
        bad.push(ch);
      seen.add(g.key);
    }
    return { font, chars: chars.join(''), ok: bad.length === 0 && chars.length > 0, bad: bad.join('') };
  }
  function visible(el) {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && cs.visibility !== 'hidden' && cs.display !== 'none';
  }
  const groups = new Map();
  let mark = 0;
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'CANVAS', 'svg'].includes(el.tagName) || !visible(el))
      continue;
    let own = '';
    for (const n of el.childNodes)
      if (n.nodeType === Node.TEXT_NODE)
        own += n.textContent;
    const han = own.match(HAN);
    if (!han)
      continue;
    const cs = getComputedStyle(el);
    const font = `${cs.fontStyle} ${cs.fontWeight} ${SIZE}px ${cs.fontFamily}`;
    if (!groups.has(font))
      groups.set(font, new Set());
    for (const c of han)
      groups.get(font).add(c);
    if (mark < 40)
      el.setAttribute('data-glyph-probe', String(mark++));
  }
  return {
    groups: [...groups].map(([font, set]) => judge(font, [...set].slice(0, 8))),
    control: judge(`400 ${SIZE}px sans-serif`, ['中', '文', '号', '窗']),
  };
}

const PAGES = [
  { name: 'kiosk', url: () => '/kiosk?token=k1', size: [1080, 1920] },
  { name: 'pad', url: () => '/pad?token=c3&window=3', size: [1280, 800] },
  { name: 'board', url: () => '/board?token=d1', size: [1920, 1080] },
  { name: 'dashboard', url: () => '/dashboard?token=m1', size: [1920, 1080] },
  { name: 'ticket', url: t => `/t/${t.ticket.id}?token=${t.token}`, size: [390, 844] },
  { name: 'rate', url: () => '/rate?token=e3&window=3', size: [1280, 800] },
  { name: 'index', url: () => '/?token=d1', size: [1280, 800] },
  { name: 'book', url: () => '/book', size: [390, 844] },
  { name: 'q', url: () => '/q', size: [390, 844] },
  // The manager's other pages, at the sizes of their own tests.
  { name: 'cases', url: t => `/cases?token=m1&id=${t.caseId}`, size: [1600, 1000] },
  { name: 'reports', url: () => '/reports?token=m1', size: [1280, 900] },
  // 配置管理 with the admin token: the file's matters, Chinese names in inputs.
  { name: 'admin', url: () => '/admin?token=a1', size: [1280, 800] },
];

test('Chinese is drawn with real glyphs from the served font on every page', async () => {
  assert.ok(fs.existsSync(FONT), `${FONT} is missing: run make`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-glyphs-'));
  // The evaluator tablet of window 3 (/rate) needs its token.
  const hall = await new Hall({ tokens: { ...TOKENS, evaluator: { e3: [3] } } }).start();
  const b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking'],
    env: { ...process.env, FONTCONFIG_FILE: cjkFreeFontconfig(dir) },
  });
  const errors = [];
  const failures = [];
  try {
    const t = await hall.issue('SB01');
    await hall.api('POST', '/api/windows/3/call-next', {}, 'c3');
    // A 差评 case for /cases to show (listed and opened): a ticket served at
    // window 1 and rated 1 with its own token.
    const r = await hall.issue('YB01');
    for (const [cmd, body] of [['call', { ticket: r.ticket.id }], ['start', {}], ['finish', {}]])
      assert.equal((await hall.api('POST', `/api/windows/1/${cmd}`, body, 'c-all')).status, 200, cmd);
    const rated = await hall.api('POST', '/api/ratings', { ticket: r.ticket.id, score: 1, comment: '等候时间太长，窗口解释不清' }, r.token);
    assert.ok(rated.status === 200 || rated.status === 201, JSON.stringify(rated.json));
    const cases = await hall.api('GET', '/api/cases', undefined, 'm1');
    assert.equal(cases.json.cases.length, 1);
    t.caseId = cases.json.cases[0].id;
    for (const p of PAGES) {
      const page = await openPage(b, hall.base + p.url(t), { width: p.size[0], height: p.size[1], errors });
      // The page has drawn its live state: some Chinese text, then the fonts.
      await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.body.innerText), null, { timeout: 10000 });
      await page.waitForLoadState('load');
      await page.waitForTimeout(700);
      await page.evaluate(() => document.fonts.ready.then(() => null));
      const r = await page.evaluate(probeGlyphs);
      await shot(page, `glyphs-${p.name}`);
      // The control: this client has no CJK font; else the test proves nothing.
      assert.ok(!r.control.ok, `${p.name}: plain sans-serif drew Chinese (${r.control.chars}): the test's chromium has a CJK font of its own`);
      assert.ok(r.groups.length > 0, `${p.name}: no Chinese text found`);
      for (const g of r.groups)
        if (!g.ok)
          failures.push(`${p.name}: tofu for "${g.bad}" of "${g.chars}" with ${g.font}`);
      // Which fonts chromium set the marked elements' text with.
      const cdp = await page.context().newCDPSession(page);
      await cdp.send('DOM.enable');
      await cdp.send('CSS.enable');
      const { root } = await cdp.send('DOM.getDocument', { depth: -1 });
      const { nodeIds } = await cdp.send('DOM.querySelectorAll', { nodeId: root.nodeId, selector: '[data-glyph-probe]' });
      const custom = new Set();
      for (const nodeId of nodeIds) {
        // A live page may have drawn that element again since (an event,
        // a timer): a node gone is skipped, the others still answer.
        let fonts;
        try {
          ({ fonts } = await cdp.send('CSS.getPlatformFontsForNode', { nodeId }));
        } catch (e) {
          if (/Could not find node/.test(String(e && e.message))) continue;
          throw e;
        }
        for (const f of fonts)
          if (f.isCustomFont)
            custom.add(f.familyName);
      }
      await cdp.detach();
      if (custom.size === 0)
        failures.push(`${p.name}: no text was set with the served font`);
      await page.context().close();
    }
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
