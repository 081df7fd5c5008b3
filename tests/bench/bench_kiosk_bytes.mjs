// tests/bench/bench_kiosk_bytes.mjs — what a kiosk downloads: /kiosk opened
// the first time (empty cache, the served font included), then reloaded with
// the cache warm.  The demo hall (etc/hallq.json, without its devices) on a
// free port, Debian's chromium driven by playwright-core; bytes are CDP's
// Network.loadingFinished encodedDataLength (what came over the wire,
// headers included; 0 for what the cache answered), plus the WebSocket's
// frames received until the page is drawn.
//
//	HALLQD=build/hallqd node tests/bench/bench_kiosk_bytes.mjs
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const HALLQD = process.env.HALLQD || path.join(ROOT, 'build', 'hallqd');
const FONT = path.join(ROOT, 'web', 'fonts', 'hallq-sc.woff2');

function row(label, value) {
  console.log(`  ${label.padEnd(62)} ${value}`);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
    s.on('error', reject);
  });
}

const sleep = ms => new Promise(r => setTimeout(r, ms));
const kb = n => `${(n / 1024).toFixed(1)} KiB`;

async function startHall(dir) {
  const port = await freePort();
  const conf = JSON.parse(fs.readFileSync(path.join(ROOT, 'etc', 'hallq.json'), 'utf8'));
  delete conf.devices;
  conf.listen = `127.0.0.1:${port}`;
  conf.database = path.join(dir, 'hallq.db');
  conf.web = { ...conf.web, root: path.join(ROOT, 'web') };
  const file = path.join(dir, 'hallq.json');
  fs.writeFileSync(file, JSON.stringify(conf));
  const log = fs.openSync(path.join(dir, 'hallqd.log'), 'a');
  const proc = spawn(HALLQD, ['-d', '-f', file], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (proc.exitCode !== null)
      break;
    try {
      if ((await fetch(`${base}/api/status`)).ok)
        return { proc, base, kiosk: conf.tokens.kiosk[0] };
    } catch { /* not yet */ }
    await sleep(50);
  }
  proc.kill('SIGKILL');
  throw new Error(`hallqd did not start: ${fs.readFileSync(path.join(dir, 'hallqd.log'), 'utf8').slice(-1500)}`);
}

// One load of the page (goto or reload): {http, font, requests, cached, ws}.
async function measure(page, cdp, load) {
  const reqs = new Map();
  let ws = 0, sockets = 0;
  const onWs = () => { sockets++; };
  const onResp = e => {
    const r = reqs.get(e.requestId) || {};
    r.url = e.response.url;
    r.cached = e.response.fromDiskCache || e.response.fromPrefetchCache || false;
    reqs.set(e.requestId, r);
  };
  const onCache = e => { (reqs.get(e.requestId) || reqs.set(e.requestId, {}).get(e.requestId)).memory = true; };
  const onDone = e => { const r = reqs.get(e.requestId) || {}; r.bytes = e.encodedDataLength; reqs.set(e.requestId, r); };
  const onFrame = e => { ws += Buffer.byteLength(e.response.payloadData, e.response.opcode === 2 ? 'base64' : 'utf8'); };
  cdp.on('Network.responseReceived', onResp);
  cdp.on('Network.requestServedFromCache', onCache);
  cdp.on('Network.loadingFinished', onDone);
  cdp.on('Network.webSocketFrameReceived', onFrame);
  cdp.on('Network.webSocketCreated', onWs);
  await load();
  // Drawn: the domains are on screen and the fonts are in.
  await page.waitForFunction(() => document.querySelectorAll('button').length > 3 &&
    /[\u4e00-\u9fff]/.test(document.body.innerText), null, { timeout: 15000 });
  await page.evaluate(() => document.fonts.ready.then(() => null));
  await sleep(1000);
  cdp.off('Network.responseReceived', onResp);
  cdp.off('Network.requestServedFromCache', onCache);
  cdp.off('Network.loadingFinished', onDone);
  cdp.off('Network.webSocketFrameReceived', onFrame);
  cdp.off('Network.webSocketCreated', onWs);
  let http = 0, font = 0, cached = 0;
  for (const r of reqs.values()) {
    http += r.bytes || 0;
    if (r.url && r.url.includes('/fonts/'))
      font += r.bytes || 0;
    if (r.cached || r.memory)
      cached++;
  }
  return { http, font, requests: reqs.size, cached, ws, sockets };
}

async function main() {
  if (!fs.existsSync(FONT))
    throw new Error(`${FONT} is missing: run make`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-bench-kiosk-'));
  const hall = await startHall(dir);
  const b = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true,
    args: ['--no-sandbox', '--disable-background-networking'] });
  try {
    const ctx = await b.newContext({ viewport: { width: 1080, height: 1920 }, locale: 'zh-CN' });
    const page = await ctx.newPage();
    const cdp = await ctx.newCDPSession(page);
    await cdp.send('Network.enable');
    const url = `${hall.base}/kiosk?token=${hall.kiosk}`;
    const first = await measure(page, cdp, () => page.goto(url));
    const again = await measure(page, cdp, () => page.reload());
    const fontSize = fs.statSync(FONT).size;
    console.log('bench_kiosk_bytes: what a kiosk downloads for /kiosk (demo hall, Debian chromium)');
    row('font web/fonts/hallq-sc.woff2 on disk', `${fontSize} B (${kb(fontSize)})`);
    row('first load, cache empty: HTTP bytes (font included)',
      `${first.http} B (${kb(first.http)}), font ${first.font} B, ${first.requests} requests`);
    row('first load: WebSocket frames received', first.sockets ? `${first.ws} B` : 'none (no WebSocket opened)');
    row('reload, cache warm: HTTP bytes',
      `${again.http} B (${kb(again.http)}), font ${again.font} B, ${again.requests} requests, ${again.cached} from cache`);
    row('reload: WebSocket frames received', again.sockets ? `${again.ws} B` : 'none (no WebSocket opened)');
    await ctx.close();
  } finally {
    await b.close();
    hall.proc.kill('SIGTERM');
    await new Promise(r => hall.proc.exitCode !== null ? r() : hall.proc.once('exit', r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(e => { console.error(`bench_kiosk_bytes: ${e.stack || e}`); process.exit(1); });
