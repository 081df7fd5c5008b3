// tests/browser/hall-time.test.mjs — the pages show the hall's time and,
// in English, the hall's English names.  Chromium runs with TZ=UTC (a TV or
// kiosk set to UTC) against the demo hall of etc/hallq.json (Asia/Shanghai,
// its 28 windows, its name_en); the board's and the kiosk's clocks must say
// the hall's time, not UTC's, and ?lang=en must show name_en / kind_en.
// The daemon helper is this file's own (tests/browser/lib.mjs is another's).
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HALLQD = process.env.HALLQD || path.join(ROOT, 'build', 'hallqd');
const SHOTS = path.join(ROOT, 'build', 'browser');
const sleep = ms => new Promise(r => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => resolve(p)); });
  });
}

// The demo hall on a free port with a fresh database.
async function startDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-time-'));
  const port = await freePort();
  const conf = JSON.parse(fs.readFileSync(path.join(ROOT, 'etc', 'hallq.json'), 'utf8'));
  conf.listen = `127.0.0.1:${port}`;
  conf.database = path.join(dir, 'hallq.db');
  conf.web = { ...(conf.web || {}), root: path.join(ROOT, 'web') };
  conf.voice = { languages: [] };
  const file = path.join(dir, 'hallq.json');
  fs.writeFileSync(file, JSON.stringify(conf, null, 1));
  const log = fs.openSync(path.join(dir, 'hallqd.log'), 'a');
  const proc = spawn(HALLQD, ['-d', '-f', file], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const tail = () => { try { return fs.readFileSync(path.join(dir, 'hallqd.log'), 'utf8').slice(-2000); } catch { return ''; } };
  const deadline = Date.now() + 15000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`hallqd exited ${proc.exitCode}: ${tail()}`);
    try { if ((await fetch(`${base}/api/status`)).ok) break; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`hallqd did not answer: ${tail()}`);
    await sleep(50);
  }
  return {
    base, conf,
    async api(method, p, body, token) {
      const headers = {};
      if (token) headers.Authorization = `Bearer ${token}`;
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await r.text();
      return { status: r.status, json: text ? JSON.parse(text) : null };
    },
    async stop() {
      if (proc.exitCode === null) {
        const done = new Promise(r => proc.once('exit', code => r(code)));
        proc.kill('SIGTERM');
        const to = setTimeout(() => proc.kill('SIGKILL'), 20000);
        const code = await done;
        clearTimeout(to);
        assert.equal(code, 0, `hallqd exited ${code} after SIGTERM: ${tail()}`);
      }
      fs.closeSync(log);
      if (!process.env.BROWSER_KEEP) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

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

async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

let hall, b;
const errors = [];

test.before(async () => {
  hall = await startDemo();
  b = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    env: { ...process.env, TZ: 'UTC' },
    args: ['--no-sandbox', '--disable-background-networking'],
  });
});

test.after(async () => {
  if (b) await b.close();
  if (hall) await hall.stop();
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
  const en = hall.conf;
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
