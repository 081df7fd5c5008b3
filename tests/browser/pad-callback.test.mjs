// tests/browser/pad-callback.test.mjs — the soft pad calls back a 过号
// citizen, on the demo hall's own configuration (etc/hallq.json, window 3,
// 1280×800): the window's no-shows within their grace period are listed
// with a call-back button — one missed before the pad was opened (read from
// the event log) and one missed while it is open (live); the button calls
// the ticket again at this window (its state: called, window 3) and takes it
// off the list; a call-back while the window is busy is refused and said;
// another window's no-show is not listed; a no-show whose grace is over
// leaves the list (?grace=, the pad's own figure when the daemon says none).
// Screenshots: build/browser/pad-callback-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT, HALLQD, freePort, browser, openPage, shot } from './lib.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));
const real = errors => errors.filter(e => !/status of 409 \(Conflict\)/.test(e));

async function startDemo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-padcb-'));
  const port = await freePort();
  const conf = JSON.parse(fs.readFileSync(path.join(ROOT, 'etc', 'hallq.json'), 'utf8'));
  conf.listen = `127.0.0.1:${port}`;
  conf.database = path.join(dir, 'hallq.db');
  conf.web = { ...(conf.web || {}), root: path.join(ROOT, 'web') };
  fs.writeFileSync(path.join(dir, 'hallq.json'), JSON.stringify(conf));
  const log = fs.openSync(path.join(dir, 'hallqd.log'), 'a');
  const proc = spawn(HALLQD, ['-d', '-f', path.join(dir, 'hallq.json')], { stdio: ['ignore', log, log] });
  const base = `http://127.0.0.1:${port}`;
  const tail = () => fs.readFileSync(path.join(dir, 'hallqd.log'), 'utf8').slice(-2000);
  for (let i = 0; ; i++) {
    if (proc.exitCode !== null) throw new Error(`hallqd exited: ${tail()}`);
    try { if ((await fetch(`${base}/api/status`)).ok) break; } catch { /* not yet */ }
    if (i > 300) throw new Error(`hallqd did not answer: ${tail()}`);
    await sleep(50);
  }
  async function api(method, p, body, token) {
    const headers = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const r = await fetch(base + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await r.text();
    return { status: r.status, json: text ? JSON.parse(text) : null };
  }
  async function stop() {
    if (proc.exitCode === null) {
      const done = new Promise(r => proc.once('exit', r));
      proc.kill('SIGTERM');
      await done;
    }
    fs.closeSync(log);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return { base, api, stop };
}

async function noShow(hall, w, token) {
  const r = await hall.api('POST', '/api/tickets', { matter: 'SB01' }, 'k1');
  assert.equal(r.status, 201);
  const t = r.json.ticket;
  for (const [cmd, body] of [['call', { ticket: t.id }], ['no-show', {}]]) {
    const c = await hall.api('POST', `/api/windows/${w}/${cmd}`, body, token);
    assert.equal(c.status, 200, `${cmd}: ${JSON.stringify(c.json)}`);
  }
  return t;
}

test('pad: the window\'s no-shows within grace, called back with a button', async () => {
  const hall = await startDemo();
  const b = await browser();
  const errors = [];
  try {
    const early = await noShow(hall, 3, 'c3');		// before the pad opens
    const elsewhere = await noShow(hall, 4, 'c4');	// another window's
    const pad = await openPage(b, `${hall.base}/pad?token=c3&window=3`, { width: 1280, height: 800, errors });
    await pad.locator('#conn.conn-live').waitFor({ timeout: 10000 });
    await pad.locator(`[data-noshow="${early.id}"]`).waitFor({ timeout: 5000 });
    assert.match(await pad.textContent(`[data-noshow="${early.id}"]`), new RegExp(early.number));
    assert.equal(await pad.locator(`[data-noshow="${elsewhere.id}"]`).count(), 0, 'not this window\'s');

    const late = await noShow(hall, 3, 'c3');		// while it is open: live
    await pad.locator(`[data-noshow="${late.id}"]`).waitFor({ timeout: 5000 });
    assert.match(await pad.textContent(`[data-noshow="${late.id}"] .ns-left`), /还可叫回 \d+:\d\d/);
    await shot(pad, 'pad-callback-list');

    // Call back the later one with its button: called again, here.
    await pad.click(`[data-callback="${late.id}"]`);
    await pad.locator('#cur-number', { hasText: late.number }).waitFor({ timeout: 5000 });
    await pad.locator('#msg', { hasText: `已叫回 ${late.number}` }).waitFor({ timeout: 2000 });
    let t = (await hall.api('GET', `/api/tickets/${late.id}`, undefined, 'm1')).json.ticket;
    assert.deepEqual([t.state, t.window], ['called', 3]);
    await pad.locator(`[data-noshow="${late.id}"]`).waitFor({ state: 'detached', timeout: 5000 });
    assert.equal(await pad.locator(`[data-noshow="${early.id}"]`).count(), 1);
    await shot(pad, 'pad-callback-called');

    // The window is busy: the other call-back is refused, and said.
    await pad.click(`[data-callback="${early.id}"]`);
    await pad.locator('#msg.msg-error', { hasText: '窗口还有当前号' }).waitFor({ timeout: 5000 });
    t = (await hall.api('GET', `/api/tickets/${early.id}`, undefined, 'm1')).json.ticket;
    assert.equal(t.state, 'no_show');

    // Finished, the window calls the first one back.
    await pad.click('[data-cmd="finish"]');
    await pad.locator('#cur-none').waitFor({ timeout: 5000 });
    await pad.click(`[data-callback="${early.id}"]`);
    await pad.locator('#cur-number', { hasText: early.number }).waitFor({ timeout: 5000 });
    t = (await hall.api('GET', `/api/tickets/${early.id}`, undefined, 'm1')).json.ticket;
    assert.deepEqual([t.state, t.window], ['called', 3]);
    await pad.locator('#noshows .held-none').waitFor({ timeout: 5000 });

    // English.
    await pad.click('#lang');
    assert.equal((await pad.textContent('#noshows .held-none')).trim(), 'No no-shows to call back');
    assert.deepEqual(real(errors), []);
  } finally {
    await b.close();
    await hall.stop();
  }
});

test('pad: a no-show leaves the list when its grace is over', async () => {
  const hall = await startDemo();
  const b = await browser();
  const errors = [];
  try {
    const pad = await openPage(b, `${hall.base}/pad?token=c5&window=5&grace=3`, { width: 1280, height: 800, errors });
    await pad.locator('#conn.conn-live').waitFor({ timeout: 10000 });
    const t = await noShow(hall, 5, 'c5');
    await pad.locator(`[data-noshow="${t.id}"]`).waitFor({ timeout: 5000 });
    await pad.locator(`[data-noshow="${t.id}"]`).waitFor({ state: 'detached', timeout: 6000 });
    await pad.locator('#noshows .held-none').waitFor({ timeout: 2000 });
    assert.deepEqual(real(errors), []);
  } finally {
    await b.close();
    await hall.stop();
  }
});
