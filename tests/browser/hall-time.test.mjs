// tests/browser/hall-time.test.mjs — the pages show the hall's time and,
// in English, the hall's English names.  Chromium runs with TZ=UTC (a TV or
// kiosk set to UTC) against the demo hall of etc/hallq.json (Asia/Shanghai,
// its 28 windows, its name_en); the board's and the kiosk's clocks must say
// the hall's time, not UTC's, and ?lang=en must show name_en / kind_en.
import test from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { DemoHall, shot } from './lib.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));

// HH:MM in a zone, from node's own tz database.
function hhmmIn(ms, zone) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', hour: '2-digit', minute: '2-digit' })
    .format(new Date(ms));
}

async function open(b, url, errors, size = { width: 1920, height: 1080 }) {
  const ctx = await b.newContext({ viewport: size, locale: 'zh-CN' });
  const page = await ctx.newPage();
  page.on('console', m => { if (m.type() === 'error') errors.push(`${url}: ${m.text()}`); });
  page.on('pageerror', e => errors.push(`${url}: ${e.message}`));
  await page.goto(url);
  return page;
}

let hall, b;
const errors = [];

test.before(async () => {
  hall = await new DemoHall({ voice: { languages: [] } }).start();
  b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, TZ: 'UTC' },
    args: ['--no-sandbox', '--disable-background-networking'],
  });
});

test.after(async () => {
  if (b) await b.close();
  if (hall) { await hall.stop(); hall.cleanup(); }
});

test('the board and the kiosk show the hall\'s time with the browser in UTC', async () => {
  const board = await open(b, `${hall.base}/board?token=d1&lang=zh`, errors);
  // The browser really is in UTC.
  const offset = await board.evaluate(() => new Date().getTimezoneOffset());
  assert.equal(offset, 0, 'chromium runs with TZ=UTC');
  await board.waitForFunction(() => document.body.textContent.includes('示范县政务服务中心'));
  const clockOk = async (page, sel) => {
    let got = '';
    for (let i = 0; i < 50; i++) {
      got = (await page.textContent(sel)).trim();
      const now = Date.now();
      const want = [hhmmIn(now, 'Asia/Shanghai'), hhmmIn(now - 60000, 'Asia/Shanghai')];
      if (want.includes(got)) return got;
      await sleep(100);
    }
    assert.fail(`${sel} says ${got}, the hall's time is ${hhmmIn(Date.now(), 'Asia/Shanghai')} ` +
      `(UTC ${hhmmIn(Date.now(), 'UTC')})`);
  };
  const shown = await clockOk(board, '#clock');
  assert.notEqual(shown, hhmmIn(Date.now(), 'UTC'));
  await shot(board, 'hall-time-board');

  const kiosk = await open(b, `${hall.base}/kiosk?token=k1&lang=zh`, errors, { width: 1080, height: 1920 });
  await kiosk.waitForSelector('[data-domain]');
  await clockOk(kiosk, '#clock');
  await shot(kiosk, 'hall-time-kiosk');
  await board.context().close();
  await kiosk.context().close();
  assert.deepEqual(errors, []);
});

test('?lang=en: the kiosk and the board show the hall\'s English names', async () => {
  const en = hall.config();
  const sb01 = en.matters.find(m => m.code === 'SB01');
  assert.ok(sb01.name_en && en.domains.SB.name_en && en.hall.name_en, 'the demo hall has English names');

  const kiosk = await open(b, `${hall.base}/kiosk?token=k1&lang=en`, errors, { width: 1080, height: 1920 });
  await kiosk.waitForSelector('[data-domain="SB"]');
  assert.equal((await kiosk.textContent('#hall-name')).trim(), en.hall.name_en);
  const domains = await kiosk.textContent('#domains');
  assert.ok(domains.includes(en.domains.SB.name_en), domains);
  assert.ok(!domains.includes(en.domains.SB.name), domains);
  await shot(kiosk, 'hall-names-kiosk-en-domains');
  await kiosk.click('[data-domain="SB"]');
  await kiosk.waitForSelector('[data-matter="SB01"]');
  const matters = await kiosk.textContent('#matters');
  assert.ok(matters.includes(sb01.name_en), matters);
  assert.ok(!matters.includes(sb01.name), matters);
  await shot(kiosk, 'hall-names-kiosk-en-matters');
  await kiosk.click('[data-matter="SB01"]');
  await kiosk.waitForFunction(name => document.getElementById('t-matter').textContent === name, sb01.name_en);
  await shot(kiosk, 'hall-names-kiosk-en-ticket');

  // Window 3 calls the ticket: the board in English names the window's kind in English.
  const r = await hall.api('POST', '/api/windows/3/call-next', {}, 'c3');
  assert.equal(r.status, 200);
  assert.equal(r.json.ticket.matter_name_en, sb01.name_en);
  const w3 = en.windows.find(w => w.number === 3);
  const board = await open(b, `${hall.base}/board?token=d1&lang=en`, errors);
  await board.waitForFunction(n => document.body.textContent.includes(n), r.json.ticket.number);
  await board.waitForFunction(n => document.body.textContent.includes(n), w3.kind_en);
  const now = Date.now();
  assert.ok([hhmmIn(now, 'Asia/Shanghai'), hhmmIn(now - 60000, 'Asia/Shanghai')]
    .includes((await board.textContent('#clock')).trim()), 'the hall\'s time at once');
  const text = await board.textContent('body');
  assert.ok(text.includes(en.hall.name_en), 'the hall\'s English name');
  assert.ok(!text.includes(w3.kind), `no Chinese window kind in English: ${w3.kind}`);
  await shot(board, 'hall-names-board-en');
  await kiosk.context().close();
  await board.context().close();
  assert.deepEqual(errors, []);
});
