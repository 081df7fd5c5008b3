// tests/browser/uplink.test.mjs — the dashboard's 上报 line (the uplink to the
// city platform, GET /api/uplink, read at start and every 10 s) against
// Debian's real mosquitto on 127.0.0.1 and the demo hall with an "uplink"
// section (lib.mjs UplinkHall: keepalive 5 s, backoff 1–2 s, the away alert
// after 3 s):
//   - connected, since when (the hall's time), the acknowledged seq, backlog 0,
//     no alert; the line fits the dashboard at 1920×1080;
//   - the broker stopped: within a bounded wait the line says 中断 and the
//     alert 上报中断（HH:MM 起） is in the alerts list; tickets issued meanwhile
//     wait (积压 2 条), the error is said with the whole text in its title;
//   - the broker started again on the same port: connected again, backlog 0,
//     every event acknowledged, the alert gone;
//   - English at 1280×800: the line fits there too.
// Screenshots: build/browser/uplink-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { UplinkHall, browser, freePort, openPage, shot } from './lib.mjs';

const MOSQUITTO = '/usr/sbin/mosquitto';
const WAIT = 10000;
const POLL = 10000;		// the dashboard reads GET /api/uplink every 10 s

function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }

// Does anything accept on 127.0.0.1:port?
function accepts(port) {
  return new Promise(resolve => {
    const c = net.connect(port, '127.0.0.1');
    const done = ok => { c.destroy(); resolve(ok); };
    c.setTimeout(1000, () => done(false));
    c.on('connect', () => done(true));
    c.on('error', () => done(false));
  });
}

// Debian's mosquitto on 127.0.0.1:port, anonymous.  Run as root it reads its
// files as the user "mosquitto": its directory and configuration are
// world-readable.
class Broker {
  constructor(port) {
    this.port = port;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pages16-mqtt-'));
    fs.chmodSync(this.dir, 0o755);
    this.conf = path.join(this.dir, 'mosquitto.conf');
    fs.writeFileSync(this.conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
    fs.chmodSync(this.conf, 0o644);
    this.logPath = path.join(this.dir, 'mosquitto.log');
    this.proc = null;
  }

  async start(timeoutMs = 10000) {
    const log = fs.openSync(this.logPath, 'a');
    this.proc = spawn(MOSQUITTO, ['-c', this.conf], { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null)
        throw new Error(`mosquitto exited ${this.proc.exitCode}: ${this.logTail()}`);
      if (await accepts(this.port))
        return this;
      await sleep(100);
    }
    throw new Error(`mosquitto did not listen on ${this.port}: ${this.logTail()}`);
  }

  // SIGTERM (SIGKILL after 10 s); the port no longer accepts.
  async stop() {
    const p = this.proc;
    this.proc = null;
    if (!p || p.exitCode !== null)
      return;
    const done = new Promise(r => p.once('exit', r));
    p.kill('SIGTERM');
    const to = setTimeout(() => p.kill('SIGKILL'), 10000);
    await done;
    clearTimeout(to);
    for (let i = 0; i < 50 && await accepts(this.port); i++)
      await sleep(100);
  }

  logTail() {
    try { return fs.readFileSync(this.logPath, 'utf8').slice(-1500); } catch { return ''; }
  }

  cleanup() {
    if (this.proc && this.proc.exitCode === null)
      this.proc.kill('SIGKILL');
    if (!process.env.BROWSER_KEEP)
      fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

// Bounded: wait until the element's text is the one wanted (a RegExp source
// when re).
async function waitText(page, sel, want, timeout = WAIT) {
  await page.waitForFunction(([s, w, re]) => {
    const e = document.querySelector(s);
    return !!e && (re ? new RegExp(w).test(e.textContent.trim()) : e.textContent.trim() === w);
  }, [sel, want instanceof RegExp ? want.source : want, want instanceof RegExp], { timeout });
}

// Bounded: poll GET /api/uplink until pred holds.
async function uplinkUntil(hall, pred, what, timeout = 20000) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await hall.api('GET', '/api/uplink', undefined, 'm1');
    if (last.status === 200 && pred(last.json))
      return last.json;
    await sleep(100);
  }
  throw new Error(`${what}: GET /api/uplink still ${last.status} ${JSON.stringify(last.json)}`);
}

// Runs in the page: what of the 上报 line does not fit (its box inside the
// alerts panel and the viewport, no part wider or taller than its box, the
// document not scrolling sideways).
function probeUplink() {
  const problems = [];
  const box = document.getElementById('uplink');
  const panel = document.getElementById('alerts-box');
  if (!box || box.hidden || !box.getClientRects().length)
    return ['the 上报 line is not shown'];
  const r = box.getBoundingClientRect(), pr = panel.getBoundingClientRect();
  if (r.left < pr.left - 1 || r.right > pr.right + 1 || r.top < pr.top - 1 || r.bottom > pr.bottom + 1)
    problems.push(`#uplink (${Math.round(r.left)}..${Math.round(r.right)}) is not inside #alerts-box (${Math.round(pr.left)}..${Math.round(pr.right)})`);
  if (r.right > window.innerWidth + 1)
    problems.push('#uplink runs off the screen');
  for (const e of [box, ...box.querySelectorAll('.up-part, .up-label')]) {
    if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
      problems.push(`${e.className} "${e.textContent}" overflows (${e.scrollWidth}×${e.scrollHeight} > ${e.clientWidth}×${e.clientHeight})`);
    const er = e.getBoundingClientRect();
    if (er.left < r.left - 1 || er.right > r.right + 1)
      problems.push(`${e.className} "${e.textContent}" sticks out of the line`);
  }
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    problems.push('the document scrolls sideways');
  return problems;
}

// HH:MM of ms in the hall's zone, as the page says it.
function hallTime(ms, zone) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

// "HH:MM 起" of ms, or "MM-DD HH:MM 起" when the hall's day has turned since
// (a run across midnight).
function sinceRe(ms, zone, before = '', after = ' 起') {
  return new RegExp(`^${before}(\\d\\d-\\d\\d )?${hallTime(ms, zone)}${after}$`);
}

test('dashboard 上报: connected, the broker away (alert), back again — against mosquitto', { timeout: 180000 }, async () => {
  assert.ok(fs.existsSync(MOSQUITTO), `${MOSQUITTO} is missing: apt-get install mosquitto`);
  const port = await freePort();
  const broker = new Broker(port);
  const hall = new UplinkHall(port);
  let b = null;
  try {
    await broker.start();
    await hall.start();
    const zone = hall.config().hall.timezone || 'Asia/Shanghai';
    // Two tickets: events the broker acknowledges.
    await hall.issue('SB01');
    await hall.issue('YB01');
    const up0 = await uplinkUntil(hall, u => u.connected && u.seq >= 2 && u.backlog === 0 && u.acked_seq === u.seq,
      'connected, everything acknowledged');
    assert.equal(up0.configured, true);
    assert.equal(up0.alert, null);

    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await page.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await page.waitForSelector('#chart-waiting canvas', { timeout: WAIT });

    // Connected since when (the hall's time), acked seq, backlog 0, no alert.
    await waitText(page, '#uplink .up-state', '已连接');
    assert.equal(await text(page, '#uplink .up-label'), '上报');
    assert.match(await text(page, '#uplink .up-since'), sinceRe(up0.since, zone));
    assert.equal(await text(page, '#uplink .up-acked'), `已确认 #${up0.acked_seq}`);
    assert.equal(await text(page, '#uplink .up-backlog'), '积压 0 条');
    assert.equal(await page.locator('#uplink .up-state').getAttribute('title'), `mqtt://127.0.0.1:${port}`);
    assert.equal(await page.locator('#alerts li[data-key^="u:"]').count(), 0);
    await page.evaluate(() => document.fonts.ready.then(() => null));
    assert.deepEqual(await page.evaluate(probeUplink), [], 'the 上报 line fits at 1920×1080');
    await shot(page, 'uplink-connected');

    // The broker goes: away, then (3 s on) the daemon's alert; the page
    // says both within its next reading.
    const stoppedAt = Date.now();
    await broker.stop();
    await hall.issue('SB02');
    await hall.issue('GJJ01');
    const away = await uplinkUntil(hall, u => !u.connected && u.alert === 'away' && u.backlog === 2,
      'away, the alert, two events waiting');
    assert.ok(away.errors >= 1 && away.last_error, 'the error is counted and said');
    await page.waitForSelector('#alerts li[data-key="u:away"]', { timeout: POLL + WAIT });
    await waitText(page, '#uplink .up-state', '中断');
    const alertText = await text(page, '#alerts li[data-key="u:away"]');
    assert.match(alertText, sinceRe(away.since, zone, '上报中断（', ' 起）'));
    assert.match(await page.locator('#alerts li[data-key="u:away"]').getAttribute('class'), /alert-bad/);
    await waitText(page, '#uplink .up-backlog', '积压 2 条');
    assert.match(await page.locator('#uplink .up-backlog').getAttribute('class'), /lv-warn/);
    assert.equal(await text(page, '#uplink .up-acked'), `已确认 #${up0.acked_seq}`);
    const errTitle = await page.locator('#uplink .up-errors').getAttribute('title');
    assert.ok(errTitle && errTitle.length > 0, 'the last error whole in the title');
    assert.match(await text(page, '#uplink .up-errors'), /^错误 \d+ 次：/);
    assert.match(await text(page, '#alerts-count'), /^[1-9]\d*$/);
    assert.ok(Date.now() - stoppedAt < 3000 + 2 * POLL + WAIT, 'said within a bounded time');
    assert.deepEqual(await page.evaluate(probeUplink), [], 'the 上报 line fits while away');
    await shot(page, 'uplink-away');

    // The broker again on the same port: connected, everything acknowledged,
    // the alert gone.
    await broker.start();
    const back = await uplinkUntil(hall, u => u.connected && u.backlog === 0 && u.acked_seq === u.seq && u.alert === null,
      'connected again, the backlog sent');
    assert.ok(back.acked_seq >= up0.acked_seq + 2);
    assert.ok(back.reconnects >= 1);
    await waitText(page, '#uplink .up-state', '已连接', POLL + WAIT);
    await waitText(page, '#uplink .up-backlog', '积压 0 条');
    await waitText(page, '#uplink .up-acked', `已确认 #${back.acked_seq}`);
    await page.waitForSelector('#alerts li[data-key="u:away"]', { state: 'detached', timeout: WAIT });
    assert.equal(await page.locator('#alerts li[data-key^="u:"]').count(), 0);
    assert.match(await text(page, '#uplink .up-since'), sinceRe(back.since, zone));
    assert.deepEqual(await page.evaluate(probeUplink), [], 'the 上报 line fits when back');
    await shot(page, 'uplink-back');

    // English at the dashboard's smallest size.
    const en = await openPage(b, `${hall.base}/dashboard?token=m1&lang=en`, { width: 1280, height: 800, errors });
    await en.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await waitText(en, '#uplink .up-state', 'connected');
    assert.equal(await text(en, '#uplink .up-label'), 'Uplink');
    assert.equal(await text(en, '#uplink .up-backlog'), '0 waiting');
    await en.evaluate(() => document.fonts.ready.then(() => null));
    assert.deepEqual(await en.evaluate(probeUplink), [], 'the 上报 line fits at 1280×800');
    await shot(en, 'uplink-en-1280');

    assert.deepEqual(errors, []);
    await b.close();
    b = null;
    await hall.stop();
    await broker.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
    await broker.stop().catch(() => {});
    broker.cleanup();
  }
});
