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
import { DemoHall, browser, openPage, shot } from './lib.mjs';

const real = errors => errors.filter(e => !/status of 409 \(Conflict\)/.test(e));

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
  const hall = await new DemoHall().start();
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
    hall.cleanup();
  }
});

test('pad: a no-show leaves the list when its grace is over', async () => {
  const hall = await new DemoHall().start();
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
    hall.cleanup();
  }
});
