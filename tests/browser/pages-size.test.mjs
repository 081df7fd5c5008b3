// tests/browser/pages-size.test.mjs — every page but the board (see
// board-size.test.mjs) at its target size, on the demo hall's own
// configuration (etc/hallq.json: 28 open windows, its Chinese names and
// name_en), in a working state: tickets of several matters and domains
// waiting, windows calling and serving, a held ticket and a no-show at
// window 4, a done ticket.  Sizes:
//   kiosk      1080×1920 (the portrait kiosk screen) and 1920×1080:
//              home (the domains), a domain's matters, the ticket issued,
//              预约签到 (its keypad and a refused entry)
//   pad        1366×768, window 4 (current, held, no-show in its lists)
//   dashboard  1920×1080
//   /t/ID      390×844 (a phone, the ticket's own token): waiting, and done
//              with the rating form
//   /t/ID      also on a hall with "notify" (its own test below):
//              到号短信提醒 with its errors said, and turned on
//   kiosk      also on a hall with "notify" (its own test below), both
//              sizes, 长辈模式 too: 短信提醒 offered on the ticket, its
//              screen with both errors said, and turned on; there also
//              nothing below the screen (the kiosk does not scroll)
//   /rate      ?window=3 1280×800 (the evaluator tablet, token e3): idle
//              while window 3 serves, the question after finish, thanks
//   index      1366×768
//   /book      390×844 (a phone, its own test below, on the demo hall at a
//              working day's 09:00): the matters, the days, the slots, the
//              form with its errors, the booking with its code and QR
//   /q         390×844 (a phone, its own test below): the live waiting of
//              the demo hall at work, the whole page (it scrolls)
// each in Chinese and in English (?lang=en).  On each, after the fonts:
//   - no visible text box overflows: for every visible element that lays
//     out text lines itself (a text node or an inline child among its
//     children; not display:inline, whose client size is 0), scrollWidth <=
//     clientWidth + 1 and scrollHeight <= clientHeight + 1, except on an
//     axis where its computed overflow is auto or scroll (a list or a table
//     meant to scroll: the pad's held / no-show lists, the dashboard's
//     alerts and tier table, a textarea).  Text cut with an ellipsis
//     (overflow hidden + text-overflow) counts as overflow: it is cut.
//   - every visible inline text run lies inside each ancestor that clips it
//     (overflow other than visible, not a scroller), i.e. is not cut;
//   - nothing visible lies outside the viewport horizontally, and the
//     document does not scroll sideways (vertical scrolling of a phone page
//     is fine).
//   Not checked: what is not visible (display none, visibility hidden, no
//   box, [hidden]) and what is deliberately visually hidden for screen
//   readers (a clip / clip-path, e.g. the dashboard's .sr), with its
//   descendants.
// Screenshots: build/browser/size-<page>-<lang>.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DemoHall, WORKDAY_MORNING, browser, openPage, shot } from './lib.mjs';

const WAIT = 10000;

// Runs in the page: the list of problems, [] when all fits.
function probeSize() {
  const problems = [];
  const W = window.innerWidth;
  const SCROLLS = v => v === 'auto' || v === 'scroll';
  const describe = el => {
    let s = el.tagName.toLowerCase();
    if (el.id) s += '#' + el.id;
    if (el.classList.length) s += '.' + [...el.classList].join('.');
    for (const a of el.attributes)
      if (a.name.startsWith('data-') && a.name !== 'data-i18n') { s += `[${a.name}=${a.value}]`; break; }
    const txt = (el.innerText || el.value || '').trim().replace(/\s+/g, ' ');
    return `${s} "${txt.slice(0, 40)}"`;
  };
  function hiddenForReaders(el) {
    for (let e = el; e && e !== document.documentElement; e = e.parentElement) {
      const cs = getComputedStyle(e);
      if ((cs.clip && cs.clip !== 'auto') || (cs.clipPath && cs.clipPath !== 'none'))
        return true;
    }
    return false;
  }
  function visible(el) {
    const r = el.getBoundingClientRect();
    const cs = getComputedStyle(el);
    return el.getClientRects().length > 0 && (r.width > 0 || r.height > 0) &&
      cs.visibility !== 'hidden' && cs.display !== 'none' && cs.opacity !== '0' && !hiddenForReaders(el);
  }
  const hasText = n => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '';
  const INLINE = ['inline', 'inline-block', 'inline-flex', 'inline-grid'];
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'TEMPLATE', 'CANVAS', 'svg', 'BR', 'OPTION'].includes(el.tagName) || !visible(el))
      continue;
    const cs = getComputedStyle(el);
    const ownText = [...el.childNodes].some(hasText) ||
      (['INPUT', 'TEXTAREA'].includes(el.tagName) && el.value.trim() !== '');
    const text = ownText || [...el.childNodes].some(n => n.nodeType === Node.ELEMENT_NODE &&
      INLINE.includes(getComputedStyle(n).display) && n.innerText && n.innerText.trim() !== '');
    if (!text)
      continue;
    const r = el.getBoundingClientRect();
    // Horizontally inside the viewport.
    if (r.left < -1 || r.right > W + 1)
      problems.push(`${describe(el)}: outside the viewport (${Math.round(r.left)}..${Math.round(r.right)} of ${W})`);
    if (cs.display !== 'inline') {
      // Its own box holds its text.
      if (!SCROLLS(cs.overflowX) && el.scrollWidth > el.clientWidth + 1)
        problems.push(`${describe(el)}: overflows its width (${el.scrollWidth} > ${el.clientWidth})`);
      if (!SCROLLS(cs.overflowY) && el.scrollHeight > el.clientHeight + 1)
        problems.push(`${describe(el)}: overflows its height (${el.scrollHeight} > ${el.clientHeight})`);
    }
    // Not cut by an ancestor that clips (one that scrolls is meant to).
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      const as = getComputedStyle(a);
      const clipX = as.overflowX !== 'visible' && !SCROLLS(as.overflowX);
      const clipY = as.overflowY !== 'visible' && !SCROLLS(as.overflowY);
      if (SCROLLS(as.overflowX) || SCROLLS(as.overflowY))
        break;	// inside a scroller: its content box is the scroll area
      if (!clipX && !clipY)
        continue;
      const ar = a.getBoundingClientRect();
      const bl = parseFloat(as.borderLeftWidth), bt = parseFloat(as.borderTopWidth);
      const box = { left: ar.left + bl, top: ar.top + bt, right: ar.left + bl + a.clientWidth, bottom: ar.top + bt + a.clientHeight };
      if ((clipX && (r.left < box.left - 1 || r.right > box.right + 1)) ||
          (clipY && (r.top < box.top - 1 || r.bottom > box.bottom + 1)))
        problems.push(`${describe(el)}: cut by ${describe(a).replace(/ ".*/, '')}`);
    }
  }
  const de = document.documentElement;
  if (de.scrollWidth > W + 1)
    problems.push(`the document scrolls sideways (${de.scrollWidth} > ${W})`);
  return problems;
}

async function settle(page) {
  await page.waitForLoadState('load');
  await page.evaluate(() => document.fonts.ready.then(() => null));
  await page.waitForTimeout(400);	// a layout after the fonts, a clock tick
}

async function win(hall, w, cmd, body = {}) {
  const r = await hall.api('POST', `/api/windows/${w}/${cmd}`, body, `c${w}`);
  assert.equal(r.status, 200, `window ${w} ${cmd}: ${JSON.stringify(r.json)}`);
  return r.json;
}

test('every page at its target size, demo hall, zh and en: no text overflows, nothing off screen', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  const failures = [];
  const seen = [];
  try {
    const demo = hall.config();
    assert.equal(demo.windows.length, 28);

    // The hall at work.  Tickets for several matters of several domains.
    for (const m of ['SB01', 'SB01', 'SB02', 'SB03', 'YB02', 'YB03', 'GJJ01', 'GJJ02', 'GA02', 'JG01', 'MZ01',
      'ZX01', 'SB01', 'SB02', 'YB01', 'GA01', 'SB01', 'SB03', 'GJJ01', 'ZX01', 'SB01', 'YB02'])
      await hall.issue(m);
    await hall.issue('SB02', { class: 'green' });
    for (const m of ['BDC01', 'BDC02', 'BDC03', 'QY01', 'QY02', 'GC01', 'SW01', 'SW02', 'SW01'])
      await hall.issue(m);
    // Window 4: a held ticket, a no-show within grace, one served now.
    await win(hall, 4, 'call-next'); await win(hall, 4, 'hold');
    await win(hall, 4, 'call-next'); await win(hall, 4, 'no-show');
    await win(hall, 4, 'call-next'); await win(hall, 4, 'start');
    // Called and serving elsewhere.
    await win(hall, 1, 'call-next');
    await win(hall, 2, 'call-next'); await win(hall, 2, 'start');
    await win(hall, 3, 'call-next'); await win(hall, 3, 'start');
    await win(hall, 15, 'call-next'); await win(hall, 15, 'start');
    await win(hall, 19, 'call-next');
    await win(hall, 22, 'call-next'); await win(hall, 22, 'start');
    await win(hall, 25, 'call-next');
    // A ticket done at window 5 (its phone rates it), one that waits.
    const done = await hall.issue('GA02');
    await win(hall, 5, 'call', { ticket: done.ticket.id }); await win(hall, 5, 'finish');
    const waiting = await hall.issue('YB01');

    async function check(name, lang, page) {
      await settle(page);
      const problems = await page.evaluate(probeSize);
      await shot(page, `size-${name}-${lang}`);
      seen.push(`size-${name}-${lang}`);
      for (const p of problems)
        failures.push(`${name} ${lang}: ${p}`);
    }

    for (const lang of ['zh', 'en']) {
      const q = lang === 'en' ? '&lang=en' : '';
      // The page speaks the language asked for (its <html lang>, its switch's label).
      const isLang = page => page.waitForFunction(en => document.documentElement.lang === (en ? 'en' : 'zh-CN') &&
        document.getElementById('lang').textContent.trim() === (en ? '中文' : 'EN'), lang === 'en', { timeout: WAIT });

      // The kiosk, portrait and landscape: the domains, a domain's matters, a ticket.
      for (const [tag, w, h] of [['kiosk-portrait', 1080, 1920], ['kiosk-landscape', 1920, 1080]]) {
        const k = await openPage(b, `${hall.base}/kiosk?token=k1${q}`, { width: w, height: h, errors });
        await k.waitForSelector('[data-domain="SB"]', { timeout: WAIT });
        await isLang(k);
        await check(`${tag}-home`, lang, k);
        await k.click('[data-domain="SB"]');
        await k.waitForSelector('[data-matter="SB02"]', { timeout: WAIT });
        await check(`${tag}-matters`, lang, k);
        await k.click('[data-matter="SB02"]');
        await k.locator('#s-ticket').waitFor({ state: 'visible', timeout: WAIT });
        await k.waitForFunction(() => document.getElementById('t-number').textContent.trim() !== '' &&
          document.querySelector('#qr svg, #qr canvas, #qr img, #qr > *'), null, { timeout: WAIT });
        await check(`${tag}-ticket`, lang, k);
        // 预约签到: the keypad, an entry the kiosk refuses itself (no request).
        await k.click('#done');
        await k.click('#appt');
        await k.fill('#appt-code', '11010519491231002');
        await k.click('#appt-go');
        await k.locator('#appt-msg.msg-error').waitFor({ timeout: WAIT });
        await check(`${tag}-appointment`, lang, k);
        await k.context().close();
      }

      // The pad of window 4: a current ticket, a held one, a no-show.
      const pad = await openPage(b, `${hall.base}/pad?token=c4&window=4${q}`, { width: 1366, height: 768, errors });
      await pad.locator('#conn.conn-live').waitFor({ timeout: WAIT });
      await pad.locator('#cur-number').waitFor({ timeout: WAIT });
      await pad.locator('#held li').first().waitFor({ timeout: WAIT });
      await pad.locator('#noshows li').first().waitFor({ timeout: WAIT });
      await isLang(pad);
      await check('pad', lang, pad);
      await pad.context().close();

      // The dashboard.
      const dash = await openPage(b, `${hall.base}/dashboard?token=m1${q}`, { width: 1920, height: 1080, errors });
      await dash.waitForSelector('#conn.conn-live', { timeout: WAIT });
      await dash.waitForFunction(() => document.querySelectorAll('#windows .wcard').length === 28, null, { timeout: WAIT });
      await dash.waitForSelector('#chart-waiting canvas', { timeout: WAIT });
      await isLang(dash);
      await check('dashboard', lang, dash);
      await dash.context().close();

      // The citizen's phone: waiting; done, with the rating form.
      for (const [tag, t] of [['ticket', waiting], ['ticket-done', done]]) {
        const ph = await openPage(b, `${hall.base}/t/${t.ticket.id}?token=${t.token}${q}`, { width: 390, height: 844, errors });
        await ph.locator('#number', { hasText: t.ticket.number }).waitFor({ timeout: WAIT });
        if (tag === 'ticket-done')
          await ph.locator('#rating').waitFor({ state: 'visible', timeout: WAIT });
        await isLang(ph);
        await check(tag, lang, ph);
        await ph.context().close();
      }

      // The evaluator tablet of window 3: idle while it serves; the question after finish.
      const rate = await openPage(b, `${hall.base}/rate?token=e3&window=3${q}`, { width: 1280, height: 800, errors });
      await rate.locator('#idle').waitFor({ state: 'visible', timeout: WAIT });
      await rate.waitForFunction(() => document.getElementById('serving').textContent.trim() !== '', null, { timeout: WAIT });
      await isLang(rate);
      await check('rate-idle', lang, rate);
      await win(hall, 3, 'finish');
      await rate.locator('#ask').waitFor({ state: 'visible', timeout: WAIT });
      await check('rate', lang, rate);
      await rate.click('.ev-level[data-score="5"]');
      await rate.locator('#thanks').waitFor({ state: 'visible', timeout: WAIT });
      await check('rate-thanks', lang, rate);
      await rate.context().close();
      await win(hall, 3, 'call-next'); await win(hall, 3, 'start');	// serving again for the next round

      // The index.
      const idx = await openPage(b, `${hall.base}/?token=d1${q}`, { width: 1366, height: 768, errors });
      await idx.waitForSelector('#conn.conn-live', { timeout: WAIT });
      await idx.waitForFunction(() => document.querySelectorAll('#windows > *').length === 28 &&
        document.querySelectorAll('#matters tbody tr').length > 0, null, { timeout: WAIT });
      await isLang(idx);
      await check('index', lang, idx);
      await idx.context().close();
    }
    assert.equal(seen.length, 2 * 16);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

// The demo hall with a notify section; its gateway is not there (the
// daemon keeps trying): only the pages are looked at.
class NotifyDemoHall extends DemoHall {
  config() {
    const conf = super.config();
    conf.notify = { gateway: { kind: 'http', url: 'http://127.0.0.1:9/sms', sign_name: '示范县',
      template_ids: { booked: 'T1', reminder: 'T2', soon: 'T3', ahead: 'T4', called: 'T5', no_show: 'T6', rate: 'T7' } } };
    return conf;
  }
}

test('/t at 390×844 with 到号短信提醒, zh and en: its errors and on; no text overflows, nothing off screen', async () => {
  const hall = await new NotifyDemoHall().start();
  const b = await browser();
  const errors = [];
  const failures = [];
  const seen = [];
  try {
    async function check(name, lang, page) {
      await settle(page);
      const problems = await page.evaluate(probeSize);
      await shot(page, `size-${name}-${lang}`);
      seen.push(`size-${name}-${lang}`);
      for (const p of problems)
        failures.push(`${name} ${lang}: ${p}`);
    }
    for (const m of ['SB01', 'SB02', 'YB01'])
      await hall.issue(m);
    for (const lang of ['zh', 'en']) {
      const t = await hall.issue('GJJ02');
      const ph = await openPage(b, `${hall.base}/t/${t.ticket.id}?token=${t.token}${lang === 'en' ? '&lang=en' : ''}`,
        { width: 390, height: 844, errors });
      await ph.locator('#sms-offer').waitFor({ state: 'visible', timeout: WAIT });
      await ph.fill('#sms-phone', '1381234');
      await ph.click('#sms-on');
      await ph.locator('#sms-e-consent').waitFor({ state: 'visible', timeout: WAIT });
      await ph.locator('#sms-e-phone').waitFor({ state: 'visible', timeout: WAIT });
      await check('ticket-sms-errors', lang, ph);
      await ph.fill('#sms-phone', '13812345678');
      await ph.check('#sms-consent');
      await ph.click('#sms-on');
      await ph.locator('#sms-active').waitFor({ state: 'visible', timeout: WAIT });
      await check('ticket-sms-on', lang, ph);
      await ph.context().close();
    }
    assert.equal(seen.length, 4);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

// Runs in the page: what visible text lies below the viewport (the kiosk
// does not scroll: its body clips, which probeSize does not look at).
function probeBelow() {
  const H = window.innerHeight, out = [];
  for (const el of document.body.querySelectorAll('main *')) {
    const cs = getComputedStyle(el), r = el.getBoundingClientRect();
    if (!el.getClientRects().length || cs.visibility === 'hidden' || (!r.width && !r.height))
      continue;
    if (r.bottom > H + 1)
      out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}.${[...el.classList].join('.')}: below the screen (${Math.round(r.bottom)} > ${H})`);
  }
  return out;
}

test('the kiosk\'s 短信提醒 (hall with "notify") at 1080×1920 and 1920×1080, zh and en, 长辈模式 too: no text overflows, nothing off screen', async () => {
  const hall = await new NotifyDemoHall().start();
  const b = await browser();
  const errors = [];
  const failures = [];
  const seen = [];
  try {
    for (const m of ['SB01', 'SB02', 'YB01'])
      await hall.issue(m);
    async function check(name, lang, page) {
      await settle(page);
      const problems = [...await page.evaluate(probeSize), ...await page.evaluate(probeBelow)];
      await shot(page, `size-${name}-${lang}`);
      seen.push(`size-${name}-${lang}`);
      for (const p of problems)
        failures.push(`${name} ${lang}: ${p}`);
    }
    async function take(k) {
      await k.click('[data-domain="SB"]');
      await k.click('[data-matter="SB02"]');
      await k.locator('#sms-open').waitFor({ state: 'visible', timeout: WAIT });
      await k.waitForFunction(() => document.querySelector('#qr svg path'), null, { timeout: WAIT });
    }
    async function keys(k, digits) {
      await k.click('#sms-keypad [data-key="clear"]');
      for (const d of digits)
        await k.click(`#sms-keypad [data-key="${d}"]`);
    }
    for (const lang of ['zh', 'en']) {
      for (const [tag, w, h] of [['kiosk-portrait', 1080, 1920], ['kiosk-landscape', 1920, 1080]]) {
        const k = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=300${lang === 'en' ? '&lang=en' : ''}`, { width: w, height: h, errors });
        await k.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });
        for (const elder of [false, true]) {
          const e = elder ? '-elder' : '';
          if (elder)
            await k.click('#elder');
          await take(k);
          if (!elder)
            await check(`${tag}-ticket-sms`, lang, k);
          // Both said: a number too short, no consent.
          await k.click('#sms-open');
          await keys(k, '1381234');
          await k.click('#sms-go');
          await k.locator('#sms-e-consent').waitFor({ state: 'visible', timeout: WAIT });
          await k.locator('#sms-e-phone').waitFor({ state: 'visible', timeout: WAIT });
          await check(`${tag}-sms-errors${e}`, lang, k);
          await keys(k, '13812345678');
          await k.click('#sms-consent');
          await k.click('#sms-go');
          await k.locator('#t-sms').waitFor({ state: 'visible', timeout: WAIT });
          await check(`${tag}-ticket-sms-on${e}`, lang, k);
          await k.click('#done');
          await k.locator('#s-home').waitFor({ state: 'visible', timeout: WAIT });
        }
        await k.context().close();
      }
    }
    assert.equal(seen.length, 2 * 2 * 5);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/book at 390×844 on the demo hall, zh and en: no text overflows, nothing off screen', async () => {
  const hall = await new DemoHall({ clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  const failures = [];
  const seen = [];
  try {
    async function check(name, lang, page) {
      await settle(page);
      const problems = await page.evaluate(probeSize);
      await shot(page, `size-${name}-${lang}`);
      seen.push(`size-${name}-${lang}`);
      for (const p of problems)
        failures.push(`${name} ${lang}: ${p}`);
    }
    const ids = { zh: '11010519491231002X', en: '44030119850601003X' };
    for (const lang of ['zh', 'en']) {
      const q = lang === 'en' ? '?lang=en' : '';
      const ph = await openPage(b, `${hall.base}/book${q}`, { width: 390, height: 844, errors });
      await ph.waitForFunction(en => document.documentElement.lang === (en ? 'en' : 'zh-CN') &&
        document.getElementById('lang').textContent.trim() === (en ? '中文' : 'EN'), lang === 'en', { timeout: WAIT });
      // The longest matter names the demo has: 不动产登记资料查询 / Out-of-area medical care filing.
      await ph.locator('[data-matter="BDC03"]').waitFor({ timeout: WAIT });
      await check('book-matter', lang, ph);
      await ph.click('[data-matter="YB02"]');
      await ph.locator('[data-day="2026-12-02"]').waitFor({ timeout: WAIT });
      await check('book-day', lang, ph);
      await ph.click('[data-day="2026-12-01"]');
      await ph.locator('.slot[data-start]').first().waitFor({ timeout: WAIT });
      await check('book-slot', lang, ph);
      await ph.locator('.slot:not([disabled])').first().click();
      await ph.click('#f-submit');
      await ph.locator('#e-consent').waitFor({ state: 'visible', timeout: WAIT });
      await check('book-form', lang, ph);
      await ph.fill('#f-phone', '13812345678');
      await ph.fill('#f-id', ids[lang]);
      await ph.fill('#f-name', lang === 'en' ? 'Alexandra Konstantinopoulou' : '欧阳娜娜');
      await ph.check('#f-consent');
      await ph.click('#f-submit');
      await ph.locator('#s-booking').waitFor({ state: 'visible', timeout: WAIT });
      await ph.waitForFunction(() => document.querySelector('#b-qr svg path'), null, { timeout: WAIT });
      await check('book-code', lang, ph);
      await ph.context().close();
    }
    assert.equal(seen.length, 2 * 5);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/q at 390×844 on the demo hall at work, zh and en: no text overflows, nothing off screen', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  const failures = [];
  const seen = [];
  try {
    for (const m of ['SB01', 'SB02', 'SB03', 'YB02', 'YB03', 'GJJ02', 'BDC03', 'QY01', 'GA02', 'SB01', 'SB01'])
      await hall.issue(m);
    await win(hall, 2, 'call-next');
    // A matter no open window serves: its estimate says 暂无窗口办理.
    const conf = hall.config();
    for (const w of conf.windows.filter(x => x.tiers.some(t => t.includes('GC01'))))
      assert.equal((await hall.api('POST', `/api/windows/${w.number}/close`, undefined, 'm1')).status, 200);
    // The daemon's copy follows within a second or so.
    for (let i = 0; ; i++) {
      const f = await (await fetch(`${hall.base}/api/public/queue`)).json();
      if (f.matters.reduce((n, m) => n + m.waiting, 0) === 10 && f.matters.find(m => m.code === 'GC01').eta_s === null)
        break;
      assert.ok(i < 100, 'the public figures did not follow within 10 s');
      await new Promise(r => setTimeout(r, 100));
    }
    for (const lang of ['zh', 'en']) {
      const ph = await openPage(b, `${hall.base}/q${lang === 'en' ? '?lang=en' : ''}`, { width: 390, height: 844, errors });
      await ph.waitForFunction(en => document.documentElement.lang === (en ? 'en' : 'zh-CN') &&
        document.getElementById('lang').textContent.trim() === (en ? '中文' : 'EN') &&
        document.querySelector('[data-matter="GC01"][data-eta="null"]') &&
        document.querySelectorAll('#domains .matter').length === 23, lang === 'en', { timeout: WAIT }).catch(async e => {
        throw new Error(`${e.message}: ${await ph.evaluate(() => document.body.innerText.slice(0, 300))}`);
      });
      await settle(ph);
      const problems = await ph.evaluate(probeSize);
      await shot(ph, `size-q-${lang}`);
      seen.push(`size-q-${lang}`);
      for (const p of problems)
        failures.push(`q ${lang}: ${p}`);
      await ph.context().close();
    }
    assert.equal(seen.length, 2);
    assert.deepEqual(failures, []);
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
