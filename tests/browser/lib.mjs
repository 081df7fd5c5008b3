// tests/browser/lib.mjs — what every browser test stands on: a real hallqd
// on 127.0.0.1 (a free port, a fresh database in a temp dir), Debian's
// chromium driven by playwright-core (never a downloaded browser), console
// errors collected, screenshots saved under build/browser/.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const HALLQD = process.env.HALLQD || path.join(ROOT, 'build', 'hallqd');
export const SHOTS = path.join(ROOT, 'build', 'browser');

export const TOKENS = {
  kiosk: ['k1'],
  clerk: { c3: { windows: [3], name: '王芳' }, c5: [5], 'c-all': '*' },
  manager: ['m1'],
  admin: ['a1'],
  display: ['d1'],
};

export const MATTERS = [
  { code: 'SB01', name: '社保参保登记', domain: 'SB', prefix: 'A', target_wait_s: 600 },
  { code: 'SB02', name: '社保关系转移', domain: 'SB', prefix: 'A' },
  { code: 'YB01', name: '医保参保登记', domain: 'YB', prefix: 'B' },
  { code: 'BDC01', name: '不动产登记', domain: 'BDC', prefix: 'C' },
];

export const WINDOWS = [
  { number: 1, name: '1号窗口', state: 'open', tiers: [['SB01', 'SB02', 'YB01', 'BDC01']] },
  { number: 2, name: '2号窗口', state: 'open', tiers: [['YB01'], ['SB01', 'SB02']], overflow_s: [0, 1200] },
  { number: 3, name: '3号窗口', state: 'open', tiers: [['SB01', 'SB02'], ['YB01']], overflow_s: [0, 1200] },
  { number: 5, name: '5号窗口', state: 'closed', tiers: [['BDC01']] },
  { number: 6, name: '绿色通道', kind: '绿色通道', state: 'open', tiers: [['SB01', 'SB02', 'YB01', 'BDC01']], tier_classes: [['green']] },
];

// The demo hall (etc/hallq.json) as shipped: 28 windows, its Chinese names.
export const DEMO_CONF = path.join(ROOT, 'etc', 'hallq.json');

// Long window names for the windows a bigger hall adds to the demo's 28.
const LONG_NAMES = [
  ['不动产登记及税费综合受理专窗（跨域通办）', 'Real estate registration and property tax joint window (cross-region)'],
  ['企业开办一件事集成服务专窗（含公章刻制）', 'Business start-up one-stop window (company seals included)'],
  ['社保医保公积金联办专窗（退休一件事）', 'Social, medical insurance and provident fund joint window (retirement)'],
  ['工程建设项目审批综合受理窗口（并联审批）', 'Construction project approvals joint intake window (parallel review)'],
];

// The demo's windows, and from 29 up to `count` more in the demo's pattern
// (its windows' tiers, round), each with a long name in both languages,
// closed: a test opens them.
export function demoWindows(demo, count) {
  const base = demo.windows;
  const out = base.slice(0, count).map(w => ({ ...w }));
  for (let n = base.length + 1; n <= count; n++) {
    const like = base[(n - 1) % base.length];
    const [name, nameEn] = LONG_NAMES[n % LONG_NAMES.length];
    const w = { ...like, number: n, name, state: 'closed' };
    if ('name_en' in like)	// a daemon that knows English names
      w.name_en = nameEn;
    out.push(w);
  }
  return out;
}

// The demo hall's configuration, copied for a test: its own paths (database,
// listen, web.root, voice.dir) rewritten to the test's temp dir, the repo's
// web/ and a free port on 127.0.0.1. { windows: 40 } adds windows (demoWindows),
// { hall: {name, name_en} } renames the hall, { voice } sets voice (the demo
// has none: the daemon's default, Chinese). The demo's tokens stay: k1, m1,
// d1, c-all…
export function demoConfig(dir, port, { windows, hall, voice } = {}) {
  const demo = JSON.parse(fs.readFileSync(DEMO_CONF, 'utf8'));
  const conf = { ...demo };
  conf.listen = `127.0.0.1:${port}`;
  conf.database = path.join(dir, 'hallq.db');
  conf.web = { ...(demo.web || {}), root: path.join(ROOT, 'web') };
  if (demo.voice && demo.voice.dir)
    conf.voice = { ...demo.voice, dir: path.resolve(ROOT, demo.voice.dir) };
  if (voice)
    conf.voice = { ...(conf.voice || {}), ...voice };
  if (windows)
    conf.windows = demoWindows(demo, windows);
  if (hall)
    conf.hall = { ...demo.hall, ...hall };
  return conf;
}

// Tuesday 2026-12-01 09:00 in Asia/Shanghai (01:00 UTC): a working day's
// morning of the demo hall, for HALLQ_CLOCK_START.
export const WORKDAY_MORNING = Date.UTC(2026, 11, 1, 1, 0, 0);

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }

// One hallqd.  start() / stop() / restart(); base is its http://127.0.0.1:PORT.
// { flags: ['-a'] } adds command-line flags; { clockStart: ms } starts the
// daemon's clock at that moment (HALLQ_CLOCK_START; it then runs at real
// speed): a restart keeps the clock where it had got to, so time does not
// jump back.
export class Hall {
  constructor(extra = {}, { flags = [], clockStart = null } = {}) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-browser-'));
    this.extra = extra;
    this.flags = flags;
    this.clockStart = clockStart;
    this.clockAt = null;	// [clockStart, Date.now()] of the first start
    this.proc = null;
    this.port = 0;
  }

  // The daemon's clock now (ms): Date.now() shifted as HALLQ_CLOCK_START shifts it.
  now() {
    return this.clockAt ? this.clockAt[0] + (Date.now() - this.clockAt[1]) : Date.now();
  }

  // The clock of the next start (restart()) at ms, running from then on.
  setClock(ms) {
    this.clockStart = ms;
    this.clockAt = [ms, Date.now()];
  }

  config() {
    return {
      hall: { name: '示范县政务服务中心', timezone: 'Asia/Shanghai', rating_timeout_s: 600 },
      listen: `127.0.0.1:${this.port}`,
      database: path.join(this.dir, 'hallq.db'),
      web: { root: path.join(ROOT, 'web') },
      tokens: TOKENS,
      classes: { green: { head_start_s: 900 }, appointment: { head_start_s: 600 }, normal: { head_start_s: 0 } },
      domains: { SB: '社会保险', YB: '医疗保障', BDC: '不动产' },
      matters: MATTERS,
      windows: WINDOWS,
      voice: { languages: ['zh', 'en'], repeat: 1 },
      ...this.extra,
    };
  }

  get base() { return `http://127.0.0.1:${this.port}`; }

  async start(timeoutMs = 15000) {
    if (!this.port)
      this.port = await freePort();
    const conf = path.join(this.dir, 'hallq.json');
    fs.writeFileSync(conf, JSON.stringify(this.config(), null, 1));
    this.log = fs.openSync(path.join(this.dir, 'hallqd.log'), 'a');
    const env = { ...process.env };
    if (this.clockStart !== null) {
      if (!this.clockAt)
        this.clockAt = [this.clockStart, Date.now()];
      env.HALLQ_CLOCK_START = String(Math.round(this.now()));
    }
    this.proc = spawn(HALLQD, ['-d', ...this.flags, '-f', conf], { stdio: ['ignore', this.log, this.log], env });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null)
        throw new Error(`hallqd exited ${this.proc.exitCode}: ${this.logTail()}`);
      try {
        const r = await fetch(`${this.base}/api/status`);
        if (r.ok)
          return this;
      } catch { /* not yet */ }
      await sleep(50);
    }
    throw new Error(`hallqd did not answer: ${this.logTail()}`);
  }

  logTail() {
    try { return fs.readFileSync(path.join(this.dir, 'hallqd.log'), 'utf8').slice(-2000); } catch { return ''; }
  }

  // SIGTERM; the daemon must exit 0.
  async stop() {
    if (!this.proc || this.proc.exitCode !== null)
      return;
    const p = this.proc;
    const done = new Promise(r => p.once('exit', (code, sig) => r({ code, sig })));
    p.kill('SIGTERM');
    const to = setTimeout(() => p.kill('SIGKILL'), 20000);
    const { code } = await done;
    clearTimeout(to);
    fs.closeSync(this.log);
    this.proc = null;
    if (code !== 0)
      throw new Error(`hallqd exited ${code} after SIGTERM: ${this.logTail()}`);
  }

  async restart() {
    await this.stop();
    return this.start();
  }

  cleanup() {
    if (this.proc && this.proc.exitCode === null)
      this.proc.kill('SIGKILL');
    if (!process.env.BROWSER_KEEP)
      fs.rmSync(this.dir, { recursive: true, force: true });
  }

  // REST as a client would: {status, json}.
  async api(method, p, body, token) {
    const headers = {};
    if (token)
      headers.Authorization = `Bearer ${token}`;
    if (body !== undefined)
      headers['Content-Type'] = 'application/json';
    const r = await fetch(this.base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    let json = null;
    try { json = text ? JSON.parse(text) : null; } catch { /* not JSON */ }
    return { status: r.status, json };
  }

  async issue(matter = 'SB01', extra = {}) {
    const r = await this.api('POST', '/api/tickets', { matter, ...extra }, 'k1');
    if (r.status !== 201)
      throw new Error(`issue ${matter}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json;
  }
}

// Debian's chromium, headless; every page's console errors are collected.
// { autoplay: false } leaves out --autoplay-policy=no-user-gesture-required
// (what tools/board-kiosk passes on the hall's TV).
export async function browser({ autoplay = true } = {}) {
  const args = ['--no-sandbox', '--disable-background-networking'];
  if (autoplay)
    args.push('--autoplay-policy=no-user-gesture-required');
  return chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args });
}

// A page of its own context at the given size, with its errors kept.
// init: a script run in the page before its own (page.addInitScript).
export async function openPage(b, url, { width = 1280, height = 800, errors = [], init } = {}) {
  const ctx = await b.newContext({ viewport: { width, height }, locale: 'zh-CN' });
  if (init)
    await ctx.addInitScript(init);
  const page = await ctx.newPage();
  page.on('console', m => { if (m.type() === 'error') errors.push(`${url}: ${m.text()}`); });
  page.on('pageerror', e => errors.push(`${url}: ${e.message}`));
  // The appliance loads nothing from outside: any such request is an error.
  page.on('request', r => {
    const u = r.url();
    if (!u.startsWith('http://127.0.0.1') && !u.startsWith('data:') && !u.startsWith('blob:'))
      errors.push(`${url}: request outside the appliance: ${u}`);
  });
  await page.goto(url);
  return page;
}

export async function shot(page, name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

// A hallqd running the demo hall's configuration (see demoConfig), with
// -a: the demo's hours are shown but not enforced, so a test passes at any
// hour of the day ({ hours: true } enforces them).  { clockStart: ms } sets
// the daemon's clock (see Hall), e.g. WORKDAY_MORNING for bookings whose
// slots do not depend on when the test runs.
export class DemoHall extends Hall {
  constructor(opts = {}) {
    const { hours = false, clockStart = null, ...rest } = opts;
    super({}, { flags: hours ? [] : ['-a'], clockStart });
    this.opts = rest;
  }

  config() {
    return demoConfig(this.dir, this.port, this.opts);
  }
}

/* ------------------------------------------------------------ SMS */

// A template SMS provider (the "http" gateway) on 127.0.0.1: every request
// kept ({method, path, headers, body}), answered {"code":"OK"}.
export const SMS_TEMPLATES = { booked: 'T1', reminder: 'T2', soon: 'T3', ahead: 'T4', called: 'T5', no_show: 'T6', rate: 'T7' };

export function smsGateway() {
  const got = [];
  const server = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', c => { data += c; });
    req.on('end', () => {
      let body = null;
      try { body = JSON.parse(data); } catch { /* kept as null */ }
      got.push({ method: req.method, path: req.url, headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ code: 'OK', biz_id: `biz-${got.length}` }));
    });
  });
  return new Promise(resolve => server.listen(0, '127.0.0.1', () => resolve({ server, got, port: server.address().port })));
}

// The demo hall with a notify section sending to the gateway at port.
export class NotifyHall extends DemoHall {
  constructor(port, opts = {}) {
    super(opts);
    this.gwPort = port;
  }

  config() {
    const conf = super.config();
    conf.notify = {
      gateway: { kind: 'http', url: `http://127.0.0.1:${this.gwPort}/sms`, sign_name: '示范县', template_ids: SMS_TEMPLATES },
    };
    return conf;
  }
}

/* ------------------------------------------------------------ uplink */

// The demo hall with an "uplink" section publishing to the MQTT broker at
// 127.0.0.1:port: short keepalive and backoff, the away alert after 3 s.
// { uplink: {...} } adds to or overrides the section.
export class UplinkHall extends DemoHall {
  constructor(port, opts = {}) {
    const { uplink = {}, ...rest } = opts;
    super(rest);
    this.brokerPort = port;
    this.uplinkExtra = uplink;
  }

  config() {
    const conf = super.config();
    conf.uplink = {
      url: `mqtt://127.0.0.1:${this.brokerPort}`, hall_id: 'demo', keepalive_s: 5,
      reconnect: { first_s: 1, max_s: 2 }, away_alert_s: 3, ...this.uplinkExtra,
    };
    return conf;
  }
}
