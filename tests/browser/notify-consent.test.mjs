// tests/browser/notify-consent.test.mjs — consent to SMS (issue 14) on the
// citizen's phone (390×844), on the demo hall's configuration with a
// "notify" section whose `http` gateway is a small node server here: it
// answers like the provider ({"code": "OK"}) and keeps every request.
//   /t/ID?token=T (a fresh ticket): 到号短信提醒 offered; empty, a bad
//       number, no consent: said before asking; a good number with consent
//       → on, the masked number from the reply; the daemon's TICKET says
//       notify; a clerk's call-next → the gateway gets "called" (T5) for
//       that phone, with the ticket's number and window; turned off → the
//       offer again; a finished ticket offers nothing.  English too.
//   A hall without "notify": the daemon answers notify_unavailable, the
//       offer goes (and stays gone when the page is opened again).
//   /book with 短信提醒 ticked → "notify": true; GET
//       /api/notifications?appointment=CODE lists its booked message; a
//       booking without the box has none.
// Screenshots: build/browser/notify-*.png (open them: every glyph real,
// nothing clipped).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, NotifyHall, SHOTS, WORKDAY_MORNING, browser, openPage, smsGateway } from './lib.mjs';

await import('../../web/lib/booking.js');
const HB = globalThis.HallqBook;

const WAIT = 10000;
const MIN = 60000;
const idNumber = n => { const b = `4403011985060${String(n).padStart(4, '0')}`; return b + HB.idCheckChar(b); };

async function settle(page) {
  await page.evaluate(() => document.fonts.ready.then(() => null));
  await page.waitForTimeout(150);
}

// The whole page, scrolled parts included (a phone scrolls).
async function fullShot(page, name) {
  await settle(page);
  fs.mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

// Polls cond() (async) every 100 ms for at most ms; its last value.
async function until(cond, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await cond();
    if (v)
      return v;
    if (Date.now() > deadline)
      throw new Error(`not within ${ms} ms: ${what}`);
    await new Promise(r => setTimeout(r, 100));
  }
}

const visible = (page, sel) => page.locator(sel).isVisible();

// The refusals asked for (409) are logged by chromium as failed loads: not errors.
const real = errors => errors.filter(e => !/status of 409 \(Conflict\)/.test(e));

test('/t on a phone: SMS offered, turned on with consent (masked), "called" sent to that phone, turned off; zh and en', async () => {
  const gw = await smsGateway();
  const hall = await new NotifyHall(gw.port).start();
  const b = await browser();
  const errors = [];
  try {
    const t = await hall.issue('SB01');
    assert.equal(t.ticket.notify, false);
    const url = `${hall.base}/t/${t.ticket.id}?token=${t.token}`;
    const ph = await openPage(b, url, { width: 390, height: 844, errors });
    await ph.locator('#number', { hasText: t.ticket.number }).waitFor({ timeout: WAIT });
    await ph.locator('#sms-offer').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await ph.textContent('#sms-title')).trim(), '到号短信提醒');
    assert.match(await ph.textContent('#sms-offer .sms-consent'), /不作他用.*部分隐藏.*删除/s);
    assert.equal(await visible(ph, '#sms-active'), false);
    await fullShot(ph, 'notify-t-offer-zh');

    // Said before asking: nothing reaches the daemon.
    await ph.click('#sms-on');
    await ph.locator('#sms-e-phone', { hasText: '请填写手机号码' }).waitFor({ timeout: WAIT });
    assert.match(await ph.textContent('#sms-e-consent'), /勾选同意/);
    await ph.fill('#sms-phone', '12345678901');
    await ph.check('#sms-consent');
    await ph.click('#sms-on');
    await ph.locator('#sms-e-phone', { hasText: '11 位手机号码' }).waitFor({ timeout: WAIT });
    assert.equal(await visible(ph, '#sms-e-consent'), false);
    await fullShot(ph, 'notify-t-errors-zh');
    let r = await hall.api('GET', `/api/tickets/${t.ticket.id}`, undefined, t.token);
    assert.equal(r.json.ticket.notify, false, 'nothing was sent');

    // On: the masked number from the reply.
    await ph.fill('#sms-phone', '138 1234 5678');
    await ph.click('#sms-on');
    await ph.locator('#sms-active').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await ph.textContent('#sms-state')).trim(), '短信提醒已开启，将发送到 138****5678。');
    assert.equal(await visible(ph, '#sms-offer'), false);
    assert.equal(await visible(ph, '#sms-off'), true);
    assert.equal(await ph.inputValue('#sms-phone'), '', 'the number is not kept in the form');
    assert.equal((await ph.content()).includes('13812345678'), false, 'the whole number is nowhere in the page');
    r = await hall.api('GET', `/api/tickets/${t.ticket.id}`, undefined, t.token);
    assert.equal(r.json.ticket.notify, true);
    assert.equal(r.json.ticket.phone, '138****5678');
    await fullShot(ph, 'notify-t-on-zh');

    // A clerk calls it: the provider gets "called" for that phone.
    r = await hall.api('POST', '/api/windows/1/call-next', {}, 'c-all');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.ticket.id, t.ticket.id);
    const sent = await until(() => gw.got.find(x => x.body && x.body.template_code === 'T5'), WAIT,
      `a "called" request at the gateway (got ${JSON.stringify(gw.got)})`);
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, '/sms');
    assert.equal(sent.body.phone_numbers, '13812345678');
    assert.equal(sent.body.sign_name, '示范县');
    assert.equal(sent.body.template_param.number, t.ticket.number);
    assert.equal(sent.body.template_param.window, '1');
    assert.equal(gw.got.filter(x => x.body && x.body.template_code === 'T5').length, 1, 'sent once');
    const list = await until(async () => {
      const l = await hall.api('GET', `/api/notifications?ticket=${t.ticket.id}`, undefined, 'm1');
      const n = l.json.notifications.find(x => x.kind === 'called');
      return n && n.state === 'sent' ? l.json.notifications : null;
    }, WAIT, 'the called row sent');
    assert.equal(list.find(x => x.kind === 'called').phone, '138****5678');

    // Called: still on, and it can be stopped.
    await ph.locator('#go').waitFor({ state: 'visible', timeout: WAIT });
    await ph.locator('#sms-off').waitFor({ state: 'visible', timeout: WAIT });
    await fullShot(ph, 'notify-t-called-zh');
    await ph.click('#sms-off');
    await ph.locator('#sms-msg[data-kind="off"]').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await ph.textContent('#sms-msg')).trim(), '短信提醒已关闭。');
    assert.equal(await visible(ph, '#sms-offer'), true);
    assert.equal(await visible(ph, '#sms-active'), false);
    r = await hall.api('GET', `/api/tickets/${t.ticket.id}`, undefined, t.token);
    assert.equal(r.json.ticket.notify, false);
    await fullShot(ph, 'notify-t-off-zh');

    // English: the offer, then on.
    const t2 = await hall.issue('SB01');
    const en = await openPage(b, `${hall.base}/t/${t2.ticket.id}?token=${t2.token}&lang=en`, { width: 390, height: 844, errors });
    await en.locator('#sms-offer').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await en.textContent('#sms-title')).trim(), 'SMS me when my number is near');
    await fullShot(en, 'notify-t-offer-en');
    await en.fill('#sms-phone', '13912345678');
    await en.check('#sms-consent');
    await en.click('#sms-on');
    await en.locator('#sms-active').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await en.textContent('#sms-state')).trim(), 'Text reminders are on, to 139****5678.');
    await fullShot(en, 'notify-t-on-en');
    await en.context().close();

    // Finished: nothing offered.
    assert.equal((await hall.api('POST', '/api/windows/1/start', {}, 'c-all')).status, 200);
    assert.equal((await hall.api('POST', '/api/windows/1/finish', {}, 'c-all')).status, 200);
    await ph.locator('#rating').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await visible(ph, '#sms'), false);
    assert.equal(await visible(ph, '#sms-none'), false);
    r = await hall.api('POST', `/api/tickets/${t.ticket.id}/notify`, { phone: '13812345678', notify: true }, t.token);
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'illegal_transition');
    await ph.context().close();
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
    gw.server.close();
  }
});

test('/t on a hall that sends no SMS: the offer is not made (GET /api/status says notify false)', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  try {
    const st = await hall.api('GET', '/api/status');
    assert.equal(st.json.notify, false);
    const t = await hall.issue('SB01');
    const url = `${hall.base}/t/${t.ticket.id}?token=${t.token}`;
    const ph = await openPage(b, url, { width: 390, height: 844, errors });
    await ph.locator('#number', { hasText: t.ticket.number }).waitFor({ timeout: WAIT });
    await ph.locator('#sms-none').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await visible(ph, '#sms'), false, 'no offer');
    assert.match(await ph.textContent('#sms-none'), /不提供短信提醒/);
    const r = await hall.api('GET', `/api/tickets/${t.ticket.id}`, undefined, t.token);
    assert.equal(r.json.ticket.notify, false);
    assert.equal(errors.length, 0, 'nothing asked of the daemon: ' + errors.join('\n'));
    await fullShot(ph, 'notify-t-unavailable-zh');
    // The daemon still refuses it if asked (an old page): notify_unavailable.
    const x = await hall.api('POST', `/api/tickets/${t.ticket.id}/notify`, { phone: '13812345678', notify: true }, t.token);
    assert.equal(x.status, 409);
    assert.equal(x.json.error.code, 'notify_unavailable');
    await ph.context().close();
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/book with 短信提醒 ticked: "notify": true, a booked message listed; without it, none', async () => {
  const gw = await smsGateway();
  const hall = await new NotifyHall(gw.port, { clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  const book = async (page, n, sms) => {
    await page.locator('[data-matter="SB01"]').waitFor({ timeout: WAIT });
    await page.click('[data-matter="SB01"]');
    await page.click('[data-day="2026-12-02"]');
    const slot = page.locator(`.slot[data-start="${WORKDAY_MORNING + (24 * 60 + 30 * n) * MIN}"]`);
    await slot.waitFor({ timeout: WAIT });
    await slot.click();
    await page.locator('#s-form').waitFor({ state: 'visible', timeout: WAIT });
    await page.fill('#f-phone', `1381234567${n}`);
    await page.fill('#f-id', idNumber(n));
    await page.check('#f-consent');
    assert.equal(await page.isChecked('#f-sms'), false, 'SMS is asked for, never ticked for the person');
    if (sms)
      await page.check('#f-sms');
    await fullShot(page, `notify-book-form-${sms ? 'sms' : 'nosms'}`);
    await page.click('#f-submit');
    await page.locator('#s-booking').waitFor({ state: 'visible', timeout: WAIT });
    return (await page.textContent('#b-code')).trim();
  };
  try {
    const ph = await openPage(b, `${hall.base}/book`, { width: 390, height: 844, errors });
    const code = await book(ph, 1, true);
    const list = await until(async () => {
      const l = await hall.api('GET', `/api/notifications?appointment=${code}`, undefined, 'm1');
      return l.status === 200 && l.json.notifications.length ? l.json.notifications : null;
    }, WAIT, 'a booked message');
    // The confirmation, and the day-before and hour-before reminders waiting for their time.
    assert.deepEqual(list.map(x => x.kind).sort(), ['booked', 'reminder', 'soon']);
    const booked = list.find(x => x.kind === 'booked');
    assert.equal(booked.appointment, code);
    assert.equal(booked.phone, '138****5671');
    assert.match(booked.text, new RegExp(code));
    for (const x of list)
      assert.equal(x.phone, '138****5671');
    // 09:00 on a working day, no quiet hours: the confirmation goes now.
    const sent = await until(() => gw.got.find(x => x.body && x.body.template_code === 'T1'), WAIT,
      `a "booked" request at the gateway (got ${JSON.stringify(gw.got)})`);
    assert.equal(sent.body.phone_numbers, '13812345671');
    assert.equal(sent.body.template_param.code, code);
    await fullShot(ph, 'notify-book-booked');
    await ph.context().close();

    const en = await openPage(b, `${hall.base}/book?lang=en`, { width: 390, height: 844, errors });
    const code2 = await book(en, 2, false);
    const l2 = await hall.api('GET', `/api/notifications?appointment=${code2}`, undefined, 'm1');
    assert.equal(l2.status, 200);
    assert.deepEqual(l2.json.notifications, [], 'no consent, no message');
    await en.context().close();
    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
    gw.server.close();
  }
});
