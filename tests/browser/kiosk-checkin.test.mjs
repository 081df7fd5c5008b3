// tests/browser/kiosk-checkin.test.mjs — 预约签到 at the kiosk, on the demo
// hall with its clock set to Tuesday 2026-12-01 09:00 (HALLQ_CLOCK_START):
// bookings made over REST at the counter (manager token) for 10:00 and
// 11:00; the clock moved to 09:45 (a restart: the bookings are kept), then
// at the portrait kiosk:
//   - by booking code on the on-screen keypad: the ticket is shown like a
//     normal one, with 预约签到成功 and the slot; the booking is checked_in
//     with that ticket;
//   - by ID number: the same, for that person's booking;
//   - the 11:00 booking is too early: the kiosk says when to come back (10:30);
//   - the code again: already checked in, said plainly; an unknown code;
//     an ID number whose check digit is wrong (said before asking);
//   - English: too early, in English;
// then the clock at 10:20: a 10:00 booking checks in late and the kiosk says
// it became an ordinary number.  The manager's dashboard shows today's
// schedule and the bookings per slot (booked, checked in), and blocks a
// slot with its button (the public slots then say blocked).
// With hours enforced, at 20:00 the kiosk says the hall is closed and when
// it opens (hall_closed, next_open); at 17:05 施工许可 (its windows close
// at 17:30) asks 仍要取号? with the closing time and issues on yes
// (accept_wait); once its queue runs past the closing, it is greyed and
// says it takes no more numbers today, and when it does again.
// Screenshots: build/browser/checkin-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DemoHall, SHOTS, WORKDAY_MORNING, browser, openPage, shot } from './lib.mjs';

await import('../../web/lib/booking.js');
const HB = globalThis.HallqBook;

const WAIT = 10000;
const MIN = 60000;
const at = (h, m) => WORKDAY_MORNING + ((h - 9) * 60 + m) * MIN;	// Tuesday 1 Dec, Shanghai wall clock

// An ID number with a valid check digit: 17 digits of one's own + the check.
const idNumber = n => { const b = `1101051990010${String(n).padStart(4, '0')}`; return b + HB.idCheckChar(b); };

async function book(hall, matter, start, n) {
  const r = await hall.api('POST', '/api/appointments',
    { matter, start, phone: `1381234${String(n).padStart(4, '0')}`, id_number: idNumber(n) }, 'm1');
  assert.equal(r.status, 201, `book ${matter} ${start}: ${JSON.stringify(r.json)}`);
  return r.json;
}

async function typeCode(kiosk, code) {
  await kiosk.click('#keypad [data-key="clear"]');
  for (const c of code)
    await kiosk.click(`#keypad [data-key="${c}"]`);
  assert.equal(await kiosk.inputValue('#appt-code'), code);
}

async function checkIn(kiosk, entry, { keypad = false } = {}) {
  await kiosk.click('#appt');
  await kiosk.locator('#s-appt').waitFor({ state: 'visible', timeout: WAIT });
  if (keypad)
    await typeCode(kiosk, entry);
  else
    await kiosk.fill('#appt-code', entry);
  await kiosk.click('#appt-go');
}

async function ticketShown(kiosk) {
  await kiosk.locator('#s-ticket').waitFor({ state: 'visible', timeout: WAIT });
  await kiosk.waitForFunction(() => document.querySelector('#qr svg path'), null, { timeout: WAIT });
  return (await kiosk.textContent('#t-number')).trim();
}

async function settle(page) {
  await page.evaluate(() => document.fonts.ready.then(() => null));
  await page.waitForTimeout(200);
}

test('kiosk check-in by code and by ID number, too early, late; the dashboard\'s bookings and blocks', async () => {
  const hall = await new DemoHall({ clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  try {
    const slots = (await hall.api('GET', '/api/public/slots?matter=SB01&days=1')).json.slots;
    assert.ok(slots.some(s => s.start === at(10, 0)) && slots.some(s => s.start === at(11, 0)),
      `10:00 and 11:00 listed: ${JSON.stringify(slots.map(s => s.start))}`);
    const byCode = await book(hall, 'SB01', at(10, 0), 1);
    const byId = await book(hall, 'SB02', at(10, 0), 2);
    const early = await book(hall, 'SB01', at(11, 0), 3);
    const late = await book(hall, 'SB03', at(10, 0), 4);
    const byQr = await book(hall, 'YB01', at(10, 0), 5);
    assert.match(byCode.appointment.code, /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/);

    // 09:45: on time for 10:00 (from 09:30 to 10:15), early for 11:00.
    hall.setClock(at(9, 45));
    await hall.restart();

    const kiosk = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=120`, { width: 1080, height: 1920, errors });
    await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });

    // By code, on the keypad.
    await checkIn(kiosk, byCode.appointment.code, { keypad: true });
    const n1 = await ticketShown(kiosk);
    assert.match(n1, /^A\d{3}$/);
    assert.equal((await kiosk.textContent('#t-matter')).trim(), '社保参保登记');
    const note = (await kiosk.textContent('#t-appt')).trim();
    assert.match(note, /预约签到成功/);
    assert.match(note, /10:00–10:30/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-code');
    const a1 = await hall.api('GET', `/api/appointments/${byCode.appointment.code}`, undefined, byCode.token);
    assert.equal(a1.json.appointment.state, 'checked_in');
    const tk1 = await hall.api('GET', `/api/tickets/${a1.json.appointment.ticket}`, undefined, 'm1');
    assert.equal(tk1.json.ticket.number, n1);
    assert.equal(tk1.json.ticket.class, 'appointment');
    assert.equal(tk1.json.ticket.slot_start, at(10, 0));
    await kiosk.click('#done');

    // By ID number (typed), for that person's booking (SB02).
    await checkIn(kiosk, idNumber(2));
    const n2 = await ticketShown(kiosk);
    assert.equal((await kiosk.textContent('#t-matter')).trim(), '养老保险待遇申领');
    assert.match((await kiosk.textContent('#t-appt')).trim(), /预约签到成功/);
    await shot(kiosk, 'checkin-id');
    const a2 = await hall.api('GET', `/api/appointments/${byId.appointment.code}`, undefined, byId.token);
    assert.equal(a2.json.appointment.state, 'checked_in');
    assert.notEqual(n2, n1);
    await kiosk.click('#done');

    // By the booking's QR code: the kiosk's scanner types the /book address
    // it reads, then Enter.
    await kiosk.click('#appt');
    await kiosk.locator('#s-appt').waitFor({ state: 'visible', timeout: WAIT });
    await kiosk.focus('#appt-code');
    await kiosk.keyboard.type(`${hall.base}/book?code=${byQr.appointment.code}&token=${byQr.token}`);
    await kiosk.keyboard.press('Enter');
    await ticketShown(kiosk);
    assert.equal((await kiosk.textContent('#t-matter')).trim(), '医保参保变更');
    assert.match((await kiosk.textContent('#t-appt')).trim(), /预约签到成功/);
    const a5 = await hall.api('GET', `/api/appointments/${byQr.appointment.code}`, undefined, 'm1');
    assert.equal(a5.json.appointment.state, 'checked_in');
    await kiosk.click('#done');

    // Too early: come back at 10:30.
    await checkIn(kiosk, early.appointment.code, { keypad: true });
    await kiosk.locator('#appt-msg.msg-error', { hasText: '还没到签到时间' }).waitFor({ timeout: WAIT });
    assert.match(await kiosk.textContent('#appt-msg'), /10:30/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-too-early');
    assert.equal((await hall.api('GET', `/api/appointments/${early.appointment.code}`, undefined, early.token)).json.appointment.state, 'booked');

    // Again: checked in already.  Unknown.  A wrong check digit, said here.
    await typeCode(kiosk, byCode.appointment.code);
    await kiosk.click('#appt-go');
    await kiosk.locator('#appt-msg.msg-error', { hasText: '已签到' }).waitFor({ timeout: WAIT });
    await typeCode(kiosk, 'ZZZZ2222');
    await kiosk.click('#appt-go');
    await kiosk.locator('#appt-msg.msg-error', { hasText: '没有找到' }).waitFor({ timeout: WAIT });
    const bad = idNumber(5).slice(0, 17) + (idNumber(5).endsWith('0') ? '1' : '0');
    await kiosk.fill('#appt-code', bad);
    await kiosk.click('#appt-go');
    await kiosk.locator('#appt-msg.msg-error', { hasText: '校验位' }).waitFor({ timeout: WAIT });
    await kiosk.click('#s-appt .back');
    await kiosk.locator('#s-home').waitFor({ state: 'visible', timeout: WAIT });

    // English: too early.
    await kiosk.click('#lang');
    await checkIn(kiosk, early.appointment.code);
    await kiosk.locator('#appt-msg.msg-error', { hasText: 'too early' }).waitFor({ timeout: WAIT });
    assert.match(await kiosk.textContent('#appt-msg'), /10:30/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-too-early-en');
    await kiosk.click('#s-appt .back');

    // The dashboard: the schedule, the bookings per slot; a slot blocked.
    const dash = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await dash.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await dash.locator('#hours-list li.h-hall').waitFor({ timeout: WAIT });
    assert.match(await dash.textContent('#hours-list li.h-hall'), /08:30–12:00.*13:30–17:30/);
    assert.equal((await dash.textContent('#hours-kind')).trim(), '工作日');
    const row = dash.locator(`#appts tr.as[data-matter="SB01"][data-start="${at(10, 0)}"]`);
    await row.waitFor({ timeout: WAIT });
    const cells = async r => (await r.locator('td').allTextContents()).map(s => s.trim());
    await dash.waitForFunction(s => { const r = document.querySelector(s); return r && r.cells[3].textContent.trim() === '1'; },
      `#appts tr.as[data-matter="SB01"][data-start="${at(10, 0)}"]`, { timeout: WAIT });
    const c10 = await cells(row);
    assert.equal(c10[0], '10:00–10:30');
    assert.equal(c10[3], '1', 'checked in');
    await dash.locator('#appts-sum', { hasText: '已签到 3' }).waitFor({ timeout: WAIT });
    // Block SB01 11:00 by its row's button (it has a booking: the booking stays).
    const r11 = dash.locator(`#appts tr.as[data-matter="SB01"][data-start="${at(11, 0)}"]`);
    await r11.locator('button[data-act="block"]').click({ timeout: WAIT });
    await dash.locator(`#appts tr.as.blocked[data-matter="SB01"][data-start="${at(11, 0)}"]`).waitFor({ timeout: WAIT });
    const pub = (await hall.api('GET', '/api/public/slots?matter=SB01&days=1')).json.slots;
    const s11 = pub.find(s => s.start === at(11, 0));
    assert.ok(s11 && s11.blocked && s11.free === 0, JSON.stringify(s11));
    await dash.waitForFunction(() => /^09:4\d:\d\d$/.test(document.getElementById('clock').textContent), null, { timeout: WAIT });
    await settle(dash);
    await shot(dash, 'checkin-dashboard');
    await dash.locator('#appt-box').screenshot({ path: path.join(SHOTS, 'checkin-dashboard-appts.png') });
    // And back.
    await dash.locator(`#appts tr.as[data-matter="SB01"][data-start="${at(11, 0)}"] button[data-act="unblock"]`).click({ timeout: WAIT });
    await dash.locator(`#appts tr.as:not(.blocked)[data-matter="SB01"][data-start="${at(11, 0)}"]`).waitFor({ timeout: WAIT });
    // One slot of one matter, chosen in the tools: GA02 at 11:30.
    await dash.selectOption('#appts-matter', 'GA02', { timeout: WAIT });
    await dash.waitForFunction(v => [...document.querySelectorAll('#appts-slot option')].some(o => o.value === v),
      String(at(11, 30)), { timeout: WAIT });
    await dash.selectOption('#appts-slot', String(at(11, 30)), { timeout: WAIT });
    await dash.click('#appts-block', { timeout: WAIT });
    await dash.locator(`#appts tr.as.blocked[data-matter="GA02"][data-start="${at(11, 30)}"]`).waitFor({ timeout: WAIT });
    await dash.locator(`#appts tr.as[data-matter="GA02"][data-start="${at(11, 30)}"] button[data-act="unblock"]`).click({ timeout: WAIT });
    await dash.locator(`#appts tr.as.blocked[data-matter="GA02"]`).waitFor({ state: 'detached', timeout: WAIT });
    await dash.selectOption('#appts-matter', '', { timeout: WAIT });
    // The whole day, every matter: one row a matter, its booked slots kept; then open again.
    await dash.click('#appts-block-day', { timeout: WAIT });
    await dash.locator('#appts tr.am.blocked-day[data-matter="GA02"]').waitFor({ timeout: WAIT });
    assert.equal(await dash.locator('#appts tr.as[data-matter="GA02"]').count(), 0, 'no bookings: no slot rows');
    await dash.locator(`#appts tr.as.blocked[data-matter="SB01"][data-start="${at(11, 0)}"]`).waitFor({ timeout: WAIT });
    assert.ok((await hall.api('GET', '/api/public/slots?matter=GA02&days=1')).json.slots.every(x => x.blocked && x.free === 0));
    await dash.locator('#appt-box').screenshot({ path: path.join(SHOTS, 'checkin-dashboard-day-blocked.png') });
    await dash.click('#appts-unblock-day', { timeout: WAIT });
    await dash.waitForFunction(() => !document.querySelector('#appts tr.blocked-day, #appts tr.blocked'), null, { timeout: WAIT });
    assert.ok((await hall.api('GET', '/api/public/slots?matter=GA02&days=1')).json.slots.some(x => !x.blocked && x.free > 0));
    await dash.context().close();

    // 10:20: the 10:00 booking is late (after 10:15, before 10:45): an ordinary number.
    await kiosk.context().close();
    hall.setClock(at(10, 20));
    await hall.restart();
    const k2 = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=120`, { width: 1080, height: 1920, errors });
    await k2.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });
    await checkIn(k2, late.appointment.code, { keypad: true });
    await ticketShown(k2);
    assert.match((await k2.textContent('#t-appt')).trim(), /已超过预约时间.*普通号/);
    await settle(k2);
    await shot(k2, 'checkin-late');
    const a4 = await hall.api('GET', `/api/appointments/${late.appointment.code}`, undefined, late.token);
    assert.equal(a4.json.appointment.late, true);
    await k2.context().close();

    const unexpected = errors.filter(e => !/status of (400|404|409)/.test(e));
    assert.deepEqual(unexpected, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('kiosk with hours enforced: closed at 20:00, says when it opens', async () => {
  const hall = await new DemoHall({ hours: true, clockStart: at(20, 0) }).start();
  const b = await browser();
  const errors = [];
  try {
    const r = await hall.api('POST', '/api/tickets', { matter: 'SB01' }, 'k1');
    assert.equal(r.status, 409);
    assert.equal(r.json.error.code, 'hall_closed');
    const kiosk = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=120`, { width: 1080, height: 1920, errors });
    await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });
    await kiosk.locator('#closed-banner', { hasText: '大厅现在不办理业务' }).waitFor({ timeout: WAIT });
    assert.match(await kiosk.textContent('#closed-banner'), /明天 12月2日 周三 08:30/);
    await kiosk.click('[data-domain="SB"]');
    await kiosk.click('[data-matter="SB01"]');
    await kiosk.locator('#home-msg.msg-error', { hasText: '下次开放时间' }).waitFor({ timeout: WAIT });
    assert.match(await kiosk.textContent('#home-msg'), /08:30/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-hall-closed');
    assert.deepEqual(errors.filter(e => !/status of 409/.test(e)), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('kiosk with hours enforced: closing soon asks first; a matter closed for today says when it opens', async () => {
  const hall = await new DemoHall({ hours: true, clockStart: at(17, 5) }).start();
  const b = await browser();
  const errors = [];
  try {
    const kiosk = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=120`, { width: 1080, height: 1920, errors });
    const toGC = async () => {
      await kiosk.locator('[data-page="next"]').click({ timeout: WAIT });
      await kiosk.click('[data-domain="GC"]');
      await kiosk.locator('[data-matter="GC01"]').waitFor({ timeout: WAIT });
    };
    await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });
    await toGC();
    assert.match(await kiosk.textContent('[data-matter="GC01"]'), /临近下班（17:30）/);
    await kiosk.click('[data-matter="GC01"]');
    await kiosk.locator('#s-confirm').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal((await kiosk.textContent('#confirm-matter')).trim(), '施工许可');
    assert.match(await kiosk.textContent('#confirm-text'), /17:30 下班/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-closing-soon');
    await kiosk.click('#confirm-yes');
    const n = await ticketShown(kiosk);
    assert.match(n, /^K\d{3}$/);
    await kiosk.click('#done');

    // The queue runs past 17:30: no more numbers today.
    for (let i = 0; i < 8; i++) {
      const r = await hall.api('POST', '/api/tickets', { matter: 'GC01', accept_wait: true }, 'k1');
      if (r.status !== 201) {
        assert.equal(r.json.error.code, 'matter_closed_for_today', JSON.stringify(r.json));
        break;
      }
    }
    await kiosk.reload();
    await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: WAIT });
    await toGC();
    await kiosk.locator('[data-matter="GC01"].not-accepting', { hasText: '今日已停止取号' }).waitFor({ timeout: WAIT });
    await settle(kiosk);
    await shot(kiosk, 'checkin-matter-closed-list');
    await kiosk.click('[data-matter="GC01"]');
    await kiosk.locator('#home-msg.msg-error', { hasText: '今天已停止取号' }).waitFor({ timeout: WAIT });
    assert.match(await kiosk.textContent('#home-msg'), /17:30 下班.*下次可办理：明天 12月2日 周三 08:30/);
    await settle(kiosk);
    await shot(kiosk, 'checkin-matter-closed');
    assert.deepEqual(errors.filter(e => !/status of 409/.test(e)), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
