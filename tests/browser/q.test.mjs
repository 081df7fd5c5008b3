// tests/browser/q.test.mjs — /q, the hall's live waiting on a phone (no
// token), and its QR code on the board and the kiosk.  The demo hall
// (etc/hallq.json, hallqd -a) with tickets of several matters and domains
// waiting:
//   - /q at 390×844 in Chinese and in English shows what GET
//     /api/public/queue says: per domain, each matter's name, waiting
//     count, estimated wait (HallqFormat.wait: eta_s null → 暂无窗口办理),
//     windows serving it, whether it takes numbers, its booking link; the
//     hall's name and state, the total, the link to /book (book_url);
//   - it polls by itself (every hallqQ.every s) and shows more tickets once
//     issued, and revalidates with If-None-Match: a 304 with no body keeps
//     the figures; no Authorization is ever sent;
//   - a closed hall (hours enforced, a Sunday): 大厅已闭厅 and the next
//     opening, every matter 闭厅中;
//   - 17:10 on a working day: a matter whose only window closed at 17:00
//     says 今日已停止取号 while the hall is open;
//   - the daemon away: the figures stay, said to be as of the last answer,
//     and the page comes back by itself;
//   - the board and the kiosk's home show a QR code of q_url: the element
//     carries q_url and its SVG is exactly HallqQR's drawing of q_url.
// Screenshots: build/browser/q-zh.png, q-en.png (and -full: the whole
// page), q-closed-zh.png, q-closed-en.png, q-closing-zh.png,
// q-closing-en.png, q-away-zh.png, q-board.png,
// q-kiosk.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, Hall, ROOT, SHOTS, browser, openPage, shot } from './lib.mjs';

const WAIT = 10000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

// The pages' own helpers, in node: the strings, the waits, the moments.
await import(path.join(ROOT, 'web/lib/text.js'));
await import(path.join(ROOT, 'web/lib/format.js'));
await import(path.join(ROOT, 'web/lib/booking.js'));
const { HallqText: T, HallqFormat: F } = globalThis;

async function figures(hall, headers = {}) {
  const r = await fetch(`${hall.base}/api/public/queue`, { headers });
  const text = await r.text();
  return { status: r.status, etag: r.headers.get('etag'), text, json: r.status === 200 ? JSON.parse(text) : null };
}

// Poll fn until it gives something truthy (bounded).
async function until(fn, what, ms = WAIT) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`not within ${ms} ms: ${what}`);
    await sleep(100);
  }
}

const total = f => f.matters.reduce((n, m) => n + m.waiting, 0);

// What /q must show for the figures f in lang (the page's rules, said once
// more here from the contract).
function expected(f, lang) {
  const say = (k, v) => T.say('q', lang, k, v);
  const en = lang === 'en';
  const name = (o, field = 'name') => (en && o[field + '_en']) || o[field];
  const open = f.open !== false || f.hours_enforced === false;
  const withLang = (u, matter) => {
    const q = [];
    if (matter) q.push(`matter=${encodeURIComponent(matter)}`);
    if (en) q.push('lang=en');
    return u + (q.length ? '?' + q.join('&') : '');
  };
  const doms = [];
  for (const m of f.matters) {
    let d = doms.find(x => x.code === m.domain);
    if (!d) doms.push(d = { code: m.domain, name: name(m, 'domain_name'), matters: [] });
    const n = m.open_windows;
    d.matters.push({
      code: m.code, name: name(m), waiting: String(m.waiting), eta: F.wait(m.eta_s, lang),
      windows: n === 1 ? say('m.windows1') : n ? say('m.windows', { n }) : null,
      closed: !open ? say('m.hall_closed') : m.accepting === false ? say('m.not_accepting') : null,
      book: m.bookable && f.book_url ? withLang(f.book_url, m.code) : null,
    });
  }
  return {
    hall: (en && f.hall_en) || f.hall,
    state: open ? say('hall.open') : say('hall.closed'),
    total: say('total', { n: total(f) }),
    book: f.book_url ? withLang(f.book_url) : null,
    domains: doms,
  };
}

// Runs in the page: what it shows, in the shape of expected().
function shown() {
  const q = s => document.querySelector(s);
  const txt = (e, s) => { const x = e.querySelector(s); return x ? x.textContent : null; };
  return {
    hall: q('#hall-name').textContent,
    state: q('#hall-state').textContent,
    total: q('#total').textContent,
    book: q('#book').hidden ? null : q('#book').getAttribute('href'),
    domains: [...document.querySelectorAll('#domains .domain')].map(d => ({
      code: d.dataset.domain, name: txt(d, '.d-name'),
      matters: [...d.querySelectorAll('.matter')].map(m => ({
        code: m.dataset.matter, name: txt(m, '.m-name'), waiting: txt(m, '.m-waiting'),
        eta: txt(m, '.m-eta-v'), windows: txt(m, '.m-windows'), closed: txt(m, '.m-closed'),
        book: m.querySelector('.m-book') ? m.querySelector('.m-book').getAttribute('href') : null,
      })),
    })),
  };
}

async function settle(page) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => null));
  await page.waitForTimeout(300);
}

async function fullShot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Every /api/public/queue request the page makes: [status, its If-None-Match,
// its Authorization, the body's length].
function watch(page) {
  const seen = [];
  page.on('response', async r => {
    if (!r.url().includes('/api/public/queue')) return;
    const h = await r.request().allHeaders();
    let len = null;
    try { len = (await r.body()).length; } catch { len = 0; }
    seen.push({ status: r.status(), inm: h['if-none-match'] || null, auth: h.authorization || null, len });
  });
  return seen;
}

test('/q on a phone (390×844), zh and en: the figures of GET /api/public/queue, live, with If-None-Match', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  try {
    for (const m of ['SB01', 'SB01', 'SB01', 'SB02', 'YB02', 'YB02', 'GJJ01', 'BDC01', 'QY01', 'ZX01', 'GA02'])
      await hall.issue(m);
    const c = await hall.api('POST', '/api/windows/1/call-next', undefined, 'c1');
    assert.equal(c.status, 200, JSON.stringify(c.json));
    // Ten waiting (window 1 called the first SB01); the copy follows within a second or so.
    let f = await until(async () => { const x = await figures(hall); return x.json && total(x.json) === 10 && x; },
      'the figures show 10 waiting');
    assert.ok(f.json.book_url, 'the demo hall has bookable matters: book_url');
    assert.equal(f.json.q_url, `${hall.base}/q`);

    for (const lang of ['zh', 'en']) {
      const page = await openPage(b, `${hall.base}/q${lang === 'en' ? '?lang=en' : ''}`, { width: 390, height: 844, errors });
      await page.waitForFunction(n => window.hallqQ && window.hallqQ.fresh >= 1 &&
        document.querySelectorAll('#domains .matter').length === n, f.json.matters.length, { timeout: WAIT });
      await settle(page);
      assert.equal(await page.evaluate(() => document.documentElement.lang), lang === 'en' ? 'en' : 'zh-CN');
      f = await figures(hall);
      assert.deepEqual(await page.evaluate(shown), expected(f.json, lang), lang);
      assert.equal(await page.textContent('#hall-name'),
        lang === 'en' ? 'Demo County Government Service Centre' : '示范县政务服务中心');
      // The closer check of a few: counts and waits as the daemon says.
      const sb01 = f.json.matters.find(m => m.code === 'SB01');
      assert.equal(sb01.waiting, 2);
      assert.equal(await page.textContent('[data-matter="SB01"] .m-waiting'), '2');
      assert.equal(await page.textContent('[data-matter="SB01"] .m-eta-v'), F.wait(sb01.eta_s, lang));
      assert.equal(await page.isVisible('#book'), true);
      await shot(page, `q-${lang}`);
      await fullShot(page, `q-${lang}-full`);
      await page.context().close();
    }

    // Live: the page polls by itself; two more tickets show within a poll.
    const page = await openPage(b, `${hall.base}/q`, { width: 390, height: 844, errors });
    const seen = watch(page);
    await page.waitForFunction(() => window.hallqQ && window.hallqQ.fresh >= 1, null, { timeout: WAIT });
    const every = await page.evaluate(() => window.hallqQ.every);
    assert.ok(every >= 10 && every <= 15, `polls every ${every} s`);
    await hall.issue('SB01');
    await hall.issue('SB01');
    const t0 = Date.now();
    await page.waitForFunction(() => document.querySelector('[data-matter="SB01"]').dataset.waiting === '4',
      null, { timeout: (every + 5) * 1000 });
    const took = Date.now() - t0;
    f = await figures(hall);
    assert.equal(total(f.json), 12);
    assert.deepEqual(await page.evaluate(shown), expected(f.json, 'zh'));
    // Nothing changed since: the page's next poll is answered 304, no body,
    // the figures stay.
    const before = await page.evaluate(() => ({ ...window.hallqQ }));
    await page.evaluate(() => window.hallqQ.poll());
    await page.evaluate(() => window.hallqQ.poll());
    const after = await page.evaluate(() => ({ ...window.hallqQ }));
    assert.ok(after.notModified >= before.notModified + 1, `304s: ${before.notModified} → ${after.notModified}`);
    assert.equal(after.failed, 0);
    assert.deepEqual(await page.evaluate(shown), expected(f.json, 'zh'));
    assert.match(await page.textContent('#updated'), /^更新于 \d\d:\d\d:\d\d，每 \d+ 秒自动刷新$/);
    const n304 = seen.filter(s => s.status === 304);
    assert.ok(n304.length >= 1, JSON.stringify(seen));
    for (const s of n304) {
      assert.equal(s.inm, f.etag, 'revalidated with the ETag of the figures');
      assert.equal(s.len, 0, 'a 304 has no body');
    }
    assert.ok(seen.every(s => s.auth === null), 'no token is sent');
    assert.ok(seen.every(s => s.status === 200 || s.status === 304), JSON.stringify(seen));
    // The language switch: English at a tap, the same figures.
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT });
    assert.deepEqual(await page.evaluate(shown), expected(f.json, 'en'));
    console.log(`# /q showed two more tickets ${took} ms after they were issued (polls every ${every} s)`);
    await page.context().close();
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/q while the hall is closed (hours enforced, a Sunday): 大厅已闭厅 and the next opening', async () => {
  // Sunday 2026-12-06 10:00 in Asia/Shanghai.
  const hall = await new DemoHall({ hours: true, clockStart: Date.UTC(2026, 11, 6, 2, 0, 0) }).start();
  const b = await browser();
  const errors = [];
  try {
    // The windows open by the configuration close by the hours at start.
    const f = await until(async () => {
      const x = await figures(hall);
      return x.json && x.json.matters.every(m => m.open_windows === 0) && x;
    }, 'every window closed by the hours');
    assert.equal(f.json.open, false, JSON.stringify(f.json).slice(0, 300));
    assert.equal(typeof f.json.next_open, 'number');
    for (const lang of ['zh', 'en']) {
      const page = await openPage(b, `${hall.base}/q${lang === 'en' ? '?lang=en' : ''}`, { width: 390, height: 844, errors });
      await page.waitForFunction(() => window.hallqQ && window.hallqQ.fresh >= 1, null, { timeout: WAIT });
      await settle(page);
      assert.deepEqual(await page.evaluate(shown), expected(f.json, lang), lang);
      assert.equal(await page.getAttribute('#hall-state', 'class'), 'hall-state is-closed');
      // The next opening in the hall's zone: Monday 2026-12-07, as the page says moments.
      T.setHall({ timezone: f.json.timezone, utc_offset_s: f.json.utc_offset_s });
      const when = globalThis.HallqBook.when(f.json.next_open, lang, Date.now());
      assert.match(T.timeIn(f.json.next_open, 'Asia/Shanghai'), /^\d\d:\d\d$/);
      assert.equal(T.dateIn(f.json.next_open, 'Asia/Shanghai'), '2026-12-07');
      assert.equal(await page.textContent('#hall-next'), T.say('q', lang, 'hall.next', { when }));
      await shot(page, `q-closed-${lang}`);
      await page.context().close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/q at 17:10 on a working day: the hall open, a matter whose window closed at 17:00 takes no more numbers', async () => {
  const week = { mon: [['08:30', '17:30']], tue: [['08:30', '17:30']], wed: [['08:30', '17:30']],
    thu: [['08:30', '17:30']], fri: [['08:30', '17:30']], sat: [], sun: [] };
  const early = { mon: [['08:30', '17:00']], tue: [['08:30', '17:00']], wed: [['08:30', '17:00']],
    thu: [['08:30', '17:00']], fri: [['08:30', '17:00']] };
  // Tuesday 2026-12-01 17:10 in Asia/Shanghai.
  const hall = await new Hall({
    hours: week,
    windows: [
      { number: 1, name: '1号窗口', state: 'open', tiers: [['SB01', 'SB02', 'YB01']] },
      { number: 3, name: '3号窗口', state: 'open', tiers: [['SB01', 'SB02']] },
      { number: 5, name: '5号窗口', state: 'open', tiers: [['BDC01']], hours: early },
    ],
  }, { clockStart: Date.UTC(2026, 11, 1, 9, 10, 0) }).start();
  const b = await browser();
  const errors = [];
  try {
    await hall.issue('SB01', { accept_wait: true });	/* closing soon: the kiosk would have asked */
    const f = await until(async () => {
      const x = await figures(hall);
      return x.json && x.json.open === true && total(x.json) === 1 &&
        x.json.matters.find(m => m.code === 'BDC01').accepting === false && x;
    }, 'BDC01 closed for today, the hall open');
    for (const lang of ['zh', 'en']) {
      const page = await openPage(b, `${hall.base}/q${lang === 'en' ? '?lang=en' : ''}`, { width: 390, height: 844, errors });
      await page.waitForFunction(() => window.hallqQ && window.hallqQ.fresh >= 1, null, { timeout: WAIT });
      await settle(page);
      assert.deepEqual(await page.evaluate(shown), expected(f.json, lang), lang);
      assert.equal(await page.textContent('[data-matter="BDC01"] .m-closed'), T.say('q', lang, 'm.not_accepting'));
      assert.equal(await page.textContent('[data-matter="BDC01"] .m-eta-v'), F.wait(null, lang));
      assert.equal(await page.$('[data-matter="SB01"] .m-closed'), null);
      assert.equal(await page.isHidden('#book'), true, 'nothing bookable: no link to /book');
      await shot(page, `q-closing-${lang}`);
      await page.context().close();
    }
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/q with the daemon away: the figures stay, with when they were last confirmed; back when it is', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  try {
    await hall.issue('SB01');
    await until(async () => { const x = await figures(hall); return x.json && total(x.json) === 1; }, 'one waiting');
    const page = await openPage(b, `${hall.base}/q`, { width: 390, height: 844, errors });
    await page.waitForFunction(() => window.hallqQ && window.hallqQ.fresh >= 1, null, { timeout: WAIT });
    const was = await page.evaluate(shown);
    await hall.stop();
    await page.evaluate(() => window.hallqQ.poll());
    assert.equal(await page.isVisible('#msg'), true);
    assert.match(await page.textContent('#msg'), /^网络中断，显示的是 \d\d:\d\d:\d\d 的情况，正在重试…$/);
    assert.deepEqual(await page.evaluate(shown), was, 'the figures stay');
    await shot(page, 'q-away-zh');
    await hall.start();		// the same port and database
    await until(async () => {
      await page.evaluate(() => window.hallqQ.poll());
      return page.isHidden('#msg');
    }, 'the page recovers');
    assert.deepEqual(await page.evaluate(shown), was);
    await page.context().close();
    // The failed polls were the page's own (net::ERR_CONNECTION_REFUSED): nothing else.
    assert.deepEqual(errors.filter(e => !/ERR_CONNECTION_REFUSED|503/.test(e)), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

// Runs in the page: the QR element's address and whether its SVG is
// HallqQR's drawing of that address (the kiosk and the board draw with a
// border of 2 modules).
function qrOf(sel) {
  const box = document.querySelector(sel);
  if (!box) return null;
  const url = box.getAttribute('data-url');
  const p = box.querySelector('svg path');
  const r = box.getBoundingClientRect();
  const code = url ? HallqQR.encode(url, 'M') : null;
  return {
    url, label: box.getAttribute('aria-label'),
    same: !!(p && code && p.getAttribute('d') === HallqQR.svgPath(code, 2)),
    px: Math.round(r.width), square: Math.abs(r.width - r.height) < 1,
    visible: r.width > 0 && getComputedStyle(box).visibility !== 'hidden',
    inside: r.left >= 0 && r.top >= 0 && r.right <= innerWidth && r.bottom <= innerHeight,
  };
}

test('the board and the kiosk show a QR code of q_url, with 扫码查看排队情况 / Scan for live waiting', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  try {
    const f = await figures(hall);
    const url = f.json.q_url;
    assert.equal(url, `${hall.base}/q`);
    for (const [name, path_, size, ready] of [
      ['board', '/board?token=d1', [1920, 1080], () => window.hallqBoard && window.hallqBoard.conn() === 'live'],
      ['kiosk', '/kiosk?token=k1', [1080, 1920], () => document.querySelector('[data-domain]')],
    ]) {
      for (const lang of ['zh', 'en']) {
        const page = await openPage(b, `${hall.base}${path_}${lang === 'en' ? '&lang=en' : ''}`,
          { width: size[0], height: size[1], errors });
        await page.waitForFunction(ready, null, { timeout: WAIT });
        await page.waitForSelector('#q-qr svg path', { timeout: WAIT });
        await settle(page);
        const q = await page.evaluate(qrOf, '#q-qr');
        assert.deepEqual({ url: q.url, label: q.label, same: q.same, square: q.square, visible: q.visible, inside: q.inside },
          { url, label: url, same: true, square: true, visible: true, inside: true }, `${name} ${lang}`);
        assert.ok(q.px >= 70 && q.px <= 240, `${name}: the QR code is small but scannable (${q.px} px)`);
        assert.equal((await page.textContent('#q-box .q-note')).trim(), lang === 'en' ? 'Scan for live waiting' : '扫码查看排队情况');
        if (lang === 'zh') await shot(page, `q-${name}`);
        await page.context().close();
      }
    }
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
