// tests/browser/board-size.test.mjs — the hall board at the hall's real
// size: the demo hall's own configuration (etc/hallq.json, 28 windows, its
// Chinese names) and a 40-window variant with long window names and a long
// hall name, every window calling a ticket, on a 1920×1080 screen, in Chinese
// and in English. Nothing inside a tile, the hall's name, the newest call or
// the latest calls overflows its box or leaves the screen. And the sound
// notice: a chromium without --autoplay-policy=no-user-gesture-required
// refuses sound; the board says so in large type, and a tap removes it.
//
// Screenshots: build/browser/board-28-zh.png, board-28-en.png,
// board-40-zh.png, board-40-en.png, board-sound-notice.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoHall, browser, openPage, shot } from './lib.mjs';

const W = 1920, H = 1080;
const LONG_HALL = {
  name: '示范县政务服务中心（市民之家）不动产登记与税费综合受理大厅',
  name_en: 'Demo County Government Service Centre (Citizens\' Home) — Real Estate Registration and Tax Hall',
};

// Open every closed window (as a manager), then at each window in turn issue
// a ticket it serves and call it: each window calls its own ticket.
// Returns {window number: ticket number}.
async function callEverywhere(hall) {
  const conf = hall.config();
  const called = {};
  for (const w of conf.windows) {
    if (w.state === 'closed') {
      const o = await hall.api('POST', `/api/windows/${w.number}/open`, undefined, 'm1');
      assert.equal(o.status, 200, `open ${w.number}: ${JSON.stringify(o.json)}`);
    }
    const cls = (w.tier_classes && w.tier_classes[0] && w.tier_classes[0][0]) || 'normal';
    await hall.issue(w.tiers[0][0], { class: cls });
    const c = await hall.api('POST', `/api/windows/${w.number}/call-next`, undefined, 'm1');
    assert.equal(c.status, 200, `call-next ${w.number}: ${JSON.stringify(c.json)}`);
    called[w.number] = c.json.ticket.number;
  }
  return called;
}

// Every box in the page that must hold what it shows: the tiles (and all
// inside them), the header with the hall's name, the newest call, the latest
// calls. Returns what is wrong, as sentences.
function layoutFaults() {
  const vw = window.innerWidth, vh = window.innerHeight, bad = [];
  const screen = { left: 0, top: 0, right: vw, bottom: vh };
  const name = e => e.id ? `#${e.id}` : (typeof e.className === 'string' && e.className)
    ? `.${e.className.trim().split(/\s+/).join('.')}` : e.tagName.toLowerCase();
  const where = e => {
    const c = e.closest('[data-window]');
    return (c ? `window ${c.dataset.window} ` : '') + name(e);
  };
  const inside = (r, o) => r.left >= o.left - 0.5 && r.top >= o.top - 0.5 &&
    r.right <= o.right + 0.5 && r.bottom <= o.bottom + 0.5;
  const rect = r => `${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}×${Math.round(r.height)}`;
  function tree(root, box) {
    const rr = root.getBoundingClientRect();
    if (!inside(rr, screen))
      bad.push(`${where(root)} leaves the screen: ${rect(rr)}`);
    if (box && !inside(rr, box))
      bad.push(`${where(root)} leaves its box: ${rect(rr)} in ${rect(box)}`);
    for (const e of [root, ...root.querySelectorAll('*')]) {
      if (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight)
        bad.push(`${where(e)} overflows: ${e.scrollWidth}×${e.scrollHeight} in ${e.clientWidth}×${e.clientHeight}: "${e.textContent}"`);
      if (e !== root && e.getClientRects().length) {
        const r = e.getBoundingClientRect();
        if (r.width > 0 && !inside(r, rr))
          bad.push(`${where(e)} sticks out of ${where(root)}: ${rect(r)} in ${rect(rr)}`);
      }
    }
  }
  const grid = document.getElementById('windows').getBoundingClientRect();
  document.querySelectorAll('#windows .card').forEach(c => tree(c, grid));
  tree(document.querySelector('header'));
  tree(document.getElementById('hall-name'));
  tree(document.getElementById('now-box'));
  tree(document.getElementById('recent'));
  document.querySelectorAll('#recent .call').forEach(c => tree(c));
  return bad;
}

async function settle(page) {
  await page.evaluate(() => document.fonts.ready);
  await page.evaluate(() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))));
}

for (const n of [28, 40]) {
  test(`board: the demo hall with ${n} windows each calling, at 1920×1080, zh and en`, async () => {
    const hall = new DemoHall(n === 28 ? {} : { windows: n, hall: LONG_HALL });
    const errors = [];
    let b = null;
    try {
      await hall.start();
      assert.equal(hall.config().windows.length, n);
      const called = await callEverywhere(hall);
      const last = hall.config().windows[n - 1].number;
      if (n === 40)	// the newest call a recall: its longer label in the list
        assert.equal((await hall.api('POST', `/api/windows/${last}/recall`, undefined, 'm1')).status, 200);
      b = await browser();
      for (const lang of ['zh', 'en']) {
        const page = await openPage(b, `${hall.base}/board?token=d1${lang === 'en' ? '&lang=en' : ''}`,
          { width: W, height: H, errors });
        await page.waitForFunction(k => window.hallqBoard && window.hallqBoard.conn() === 'live' &&
          document.querySelectorAll('#windows .card .card-number').length === k, n, { timeout: 15000 });
        await settle(page);
        const h = hall.config().hall;
        assert.equal(await page.textContent('#hall-name'), lang === 'en' && h.name_en ? h.name_en : h.name);
        // Every window's call on the board, all on one page.
        const shown = await page.$$eval('#windows .card', cs => cs.map(c =>
          [Number(c.dataset.window), c.querySelector('.card-number').textContent]));
        assert.deepEqual(Object.fromEntries(shown), called);
        assert.equal(await page.isHidden('#page'), true, 'no paging up to 40 windows');
        assert.equal(await page.textContent('#now-box .now-number'), called[last]);
        assert.equal(await page.$$eval('#recent .call', cs => cs.length), 5);
        // Readable from 10 m: the numbers and the windows' numbers in large type.
        const px = sel => page.$$eval(sel, es => Math.min(...es.map(e => {
          const r = e.getBoundingClientRect();
          return r.width ? parseFloat(getComputedStyle(e).fontSize) : Infinity;
        })));
        const numPx = await px('#windows .card-number'), winPx = await px('#windows .card-win .wn');
        assert.ok(numPx >= 46, `tile numbers ${numPx}px`);
        assert.ok(winPx >= 36, `tile window numbers ${winPx}px`);
        assert.ok(await px('#now-box .now-number') >= 150, 'the newest call in large type');
        assert.ok(await px('#recent .call-number') >= 40, 'the latest calls in large type');
        assert.deepEqual(await page.evaluate(layoutFaults), [], `${n} windows, ${lang}`);
        // With the autoplay flag (as on the hall's TV): sound runs, no notice.
        await page.waitForFunction(() => window.hallqBoard.sound().state === 'running', undefined, { timeout: 5000 });
        assert.equal(await page.isHidden('#sound'), true);
        await shot(page, `board-${n}-${lang}`);
        await page.context().close();
      }
      assert.deepEqual(errors, []);
    } finally {
      if (b) await b.close();
      await hall.stop();
      hall.cleanup();
    }
  });
}

// The browser's autoplay policy as a TV's chromium applies it without the
// flag: an AudioContext made before the user touched the page stays
// suspended and its resume() waits for a touch. Headless chromium does not
// apply the policy to Web Audio (microsoft/playwright#33590: its contexts
// start running) and counts the page as activated from the start; where it
// does not block, this stands in for it, and only for AudioContext: the
// touch is a trusted pointer or key event, seen before the page's own.
const AUTOPLAY_POLICY = `(() => {
  const Real = window.AudioContext;
  if (!Real || window.__hallqPolicy) return;
  window.__hallqPolicy = true;
  let touched = false;
  for (const type of ['pointerdown', 'keydown', 'click'])
    window.addEventListener(type, e => { if (e.isTrusted) touched = true; }, true);
  window.AudioContext = class extends Real {
    constructor(...a) { super(...a); if (!touched) Real.prototype.suspend.call(this); }
    resume() { return touched ? Real.prototype.resume.call(this) : new Promise(() => {}); }
  };
})();`;

async function headlessBlocksAudio(b) {
  const ctx = await b.newContext();
  const p = await ctx.newPage();
  await p.goto('about:blank');
  const state = await p.evaluate(() => new Promise(r => {
    const c = new AudioContext();
    setTimeout(() => r(c.state), 500);
  }));
  await ctx.close();
  return state !== 'running';
}

test('board: sound refused without the autoplay flag: a large notice, gone on a tap', async t => {
  const hall = new DemoHall();
  const errors = [];
  let b = null;
  try {
    await hall.start();
    b = await browser({ autoplay: false });
    const real = await headlessBlocksAudio(b);
    t.diagnostic(real ? 'chromium applies the autoplay policy itself'
      : 'headless chromium runs Web Audio without a gesture: the policy is stood in for');
    const page = await openPage(b, `${hall.base}/board?token=d1`,
      { width: W, height: H, errors, init: real ? undefined : AUTOPLAY_POLICY });
    await page.waitForFunction(() => window.hallqBoard && window.hallqBoard.conn() === 'live',
      undefined, { timeout: 10000 });

    // A call is announced: the board tries, the browser refuses, the board says so.
    await hall.issue('SB01');
    assert.equal((await hall.api('POST', '/api/windows/1/call-next', undefined, 'm1')).status, 200);
    await page.waitForFunction(() => window.hallqBoard.played.length >= 1, undefined, { timeout: 10000 });
    await page.waitForSelector('#sound', { state: 'visible', timeout: 10000 }).catch(async e => {
      throw new Error(`${e.message}: ${JSON.stringify(await page.evaluate(() => window.hallqBoard.sound()))}`);
    });
    assert.notEqual((await page.evaluate(() => window.hallqBoard.sound())).state, 'running');
    const big = await page.$eval('#sound .big', e => ({
      text: e.textContent, px: parseFloat(getComputedStyle(e).fontSize),
      r: e.getBoundingClientRect().toJSON(),
    }));
    assert.match(big.text, /点击开启声音/);
    assert.match(big.text, /tap to enable sound/i);
    assert.ok(big.px >= 60, `the notice in large type (${big.px}px)`);
    assert.ok(big.r.left >= 0 && big.r.right <= W && big.r.top >= 0 && big.r.bottom <= H, 'on screen');
    assert.ok(await page.$eval('#sound', e => e.scrollWidth <= e.clientWidth && e.scrollHeight <= e.clientHeight));
    await shot(page, 'board-sound-notice');

    // A tap anywhere: the sound runs, the notice goes.
    await page.mouse.click(W / 2, H / 3);
    await page.waitForSelector('#sound', { state: 'hidden', timeout: 5000 });
    assert.equal((await page.evaluate(() => window.hallqBoard.sound())).state, 'running');

    // The next call is read out (after the first, which now sounds: the
    // sources it had started play once the context runs) with the notice
    // staying away.
    await hall.issue('SB01');
    assert.equal((await hall.api('POST', '/api/windows/2/call-next', undefined, 'm1')).status, 200);
    await page.waitForFunction(() => window.hallqBoard.played.length >= 2, undefined, { timeout: 60000 });
    await page.waitForFunction(() => { const s = window.hallqBoard.stats(); return !s.playing && !s.waiting; },
      undefined, { timeout: 60000 });
    const st = await page.evaluate(() => window.hallqBoard.stats());
    assert.equal(st.timeouts + st.failed, 0);
    assert.equal(await page.isHidden('#sound'), true);
    assert.deepEqual(errors, []);
  } finally {
    if (b) await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
