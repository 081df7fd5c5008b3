// tests/browser/book.test.mjs — /book, the public booking page, on a phone
// (390×844), on the demo hall with its clock at Tuesday 2026-12-01 09:00
// (HALLQ_CLOCK_START), so its slots do not depend on when the test runs.
//   zh: matter (社保参保登记) → 今天 → 10:00–10:30 (剩余 3) → the form (empty:
//       every field's error; an ID number with a wrong check digit, said
//       before asking) → the booking: its code in large type, the slot, the
//       masked phone and ID, the QR code of /book?code=CODE&token=TOKEN;
//       the daemon holds it.  That address, opened anew: the booking; moved
//       to 10:30 (the current slot shown as such, not bookable); cancelled
//       with two taps: the place is free again.
//   A full slot is disabled (已约满); a slot filled while the form was open
//   answers slot_full, said plainly, and the slots are shown again.
//   en: GA02 → a booking in English; the same person's second booking that
//       day is refused (too_many_appointments), said plainly; past the
//       public limit per address, 429 too_many_requests, said plainly.
// Screenshots: build/browser/book-*.png (open them: every glyph real,
// nothing clipped).
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, SHOTS, WORKDAY_MORNING, browser, openPage } from './lib.mjs';

await import('../../web/lib/booking.js');
const HB = globalThis.HallqBook;

const WAIT = 10000;
const MIN = 60000;
const at = (h, m) => WORKDAY_MORNING + ((h - 9) * 60 + m) * MIN;
const idNumber = n => { const b = `4403011985060${String(n).padStart(4, '0')}`; return b + HB.idCheckChar(b); };
const CODE = /^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]{8}$/;

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

async function counter(hall, matter, start, n) {
  const r = await hall.api('POST', '/api/appointments',
    { matter, start, phone: `1391234${String(n).padStart(4, '0')}`, id_number: idNumber(n) }, 'm1');
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}

async function freeOf(hall, matter, start) {
  const r = await hall.api('GET', `/api/public/slots?matter=${matter}&days=1`);
  const s = r.json.slots.find(x => x.start === start);
  return s ? s.free : null;
}

test('/book on a phone: matter → day → slot → details → code and QR; reopened, moved, cancelled; zh and en', async () => {
  const hall = await new DemoHall({ clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  try {
    // ---------------------------------------------------------------- zh
    const ph = await openPage(b, `${hall.base}/book`, { width: 390, height: 844, errors });
    await ph.locator('[data-matter="SB01"]').waitFor({ timeout: WAIT });
    assert.equal((await ph.textContent('#s-matter h2')).trim(), '请选择办理事项');
    assert.equal(await ph.locator('[data-matter="ZX01"]').count(), 0, 'ZX01 is not bookable: not listed');
    await fullShot(ph, 'book-zh-matter');
    await ph.click('[data-matter="SB01"]');
    const today = ph.locator('[data-day="2026-12-01"]');
    await today.waitFor({ timeout: WAIT });
    assert.match(await today.textContent(), /今天 12月1日 周二/);
    assert.equal(await ph.locator('[data-day="2026-12-05"]').count(), 0, 'Saturday: the hall is closed');
    await fullShot(ph, 'book-zh-day');
    await today.click();
    const s10 = ph.locator(`.slot[data-start="${at(10, 0)}"]`);
    await s10.waitFor({ timeout: WAIT });
    assert.match(await s10.textContent(), /10:00–10:30\s*剩余 3/);
    assert.equal(await ph.locator(`.slot[data-start="${at(9, 0)}"]`).count(), 0, '09:00 is past: not listed');
    await fullShot(ph, 'book-zh-slot');
    await s10.click();
    await ph.locator('#s-form').waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await ph.textContent('#form-picked'), /社保参保登记.*12月1日.*10:00–10:30/s);

    // Empty: each field says what it wants; nothing was sent.
    await ph.click('#f-submit');
    await ph.locator('#e-phone', { hasText: '请填写手机号码' }).waitFor({ timeout: WAIT });
    assert.match(await ph.textContent('#e-id'), /请填写身份证号码/);
    assert.match(await ph.textContent('#e-consent'), /勾选同意/);
    await fullShot(ph, 'book-zh-form-errors');
    await ph.fill('#f-phone', '138 1234 5678');
    const good = idNumber(1);
    await ph.fill('#f-id', good.slice(0, 17) + (good.endsWith('0') ? '1' : '0'));
    await ph.check('#f-consent');
    await ph.click('#f-submit');
    await ph.locator('#e-id', { hasText: '校验位' }).waitFor({ timeout: WAIT });
    assert.equal(await ph.locator('#e-phone').isVisible(), false);
    assert.equal(await freeOf(hall, 'SB01', at(10, 0)), 3, 'nothing booked yet');
    await ph.fill('#f-id', good.toLowerCase());
    await ph.fill('#f-name', '张三');
    await ph.click('#f-submit');

    // The booking.
    await ph.locator('#s-booking').waitFor({ state: 'visible', timeout: WAIT });
    const code = (await ph.textContent('#b-code')).trim();
    assert.match(code, CODE);
    assert.match(await ph.textContent('#b-banner'), /预约成功/);
    assert.match(await ph.textContent('#b-time'), /今天 12月1日 周二\s*10:00–10:30/);
    assert.equal((await ph.textContent('#b-phone')).trim(), '138****5678');
    assert.equal((await ph.textContent('#b-state')).trim(), '已预约');
    assert.match(await ph.textContent('#b-how'), /09:30–10:15/);
    const url = await ph.getAttribute('#b-qr', 'data-url');
    const m = new RegExp(`^${hall.base.replace(/\./g, '\\.')}/book\\?code=${code}&token=([0-9a-f]{32})$`).exec(url);
    assert.ok(m, url);
    const token = m[1];
    assert.equal(await ph.locator('#b-qr svg path').count(), 1, 'the QR code is drawn');
    const fontPx = await ph.locator('#b-code').evaluate(e => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(fontPx >= 48, `the code in very large type (${fontPx}px)`);
    await fullShot(ph, 'book-zh-code');
    const held = await hall.api('GET', `/api/appointments/${code}`, undefined, token);
    assert.equal(held.status, 200);
    assert.equal(held.json.appointment.state, 'booked');
    assert.equal(held.json.appointment.matter, 'SB01');
    assert.equal(held.json.appointment.start, at(10, 0));
    assert.equal(held.json.appointment.channel, 'web');
    assert.equal(await freeOf(hall, 'SB01', at(10, 0)), 2);
    await ph.context().close();

    // Its QR code's address, on another phone: the booking; moved; cancelled.
    const qr = await openPage(b, url, { width: 390, height: 844, errors });
    await qr.locator('#b-code', { hasText: code }).waitFor({ timeout: WAIT });
    assert.equal(await qr.locator('#b-banner').isVisible(), false);
    assert.equal((await qr.textContent('#b-state')).trim(), '已预约');
    await qr.click('#b-reschedule');
    await qr.locator('[data-day="2026-12-01"]').click({ timeout: WAIT });
    const cur = qr.locator(`.slot[data-start="${at(10, 0)}"]`);
    await cur.waitFor({ timeout: WAIT });
    assert.ok(await cur.isDisabled(), 'the current slot is not offered');
    assert.match(await cur.textContent(), /当前预约/);
    assert.match(await qr.textContent('#slot-picked'), new RegExp(code));
    await fullShot(qr, 'book-zh-reschedule');
    await qr.click(`.slot[data-start="${at(10, 30)}"]`);
    await qr.locator('#b-banner', { hasText: '已改约' }).waitFor({ timeout: WAIT });
    assert.match(await qr.textContent('#b-time'), /10:30–11:00/);
    assert.equal((await hall.api('GET', `/api/appointments/${code}`, undefined, token)).json.appointment.start, at(10, 30));
    assert.equal(await freeOf(hall, 'SB01', at(10, 0)), 3, 'the old place is free');
    await qr.click('#b-cancel');
    await qr.locator('#b-cancel', { hasText: '确认取消' }).waitFor({ timeout: WAIT });
    assert.equal((await hall.api('GET', `/api/appointments/${code}`, undefined, token)).json.appointment.state, 'booked',
      'one tap does not cancel');
    await qr.click('#b-cancel');
    await qr.locator('#b-banner', { hasText: '预约已取消' }).waitFor({ timeout: WAIT });
    assert.equal((await qr.textContent('#b-state')).trim(), '已取消');
    assert.equal(await qr.locator('#b-actions').isVisible(), false);
    assert.equal(await qr.locator('#b-qr').isVisible(), false);
    await fullShot(qr, 'book-zh-cancelled');
    assert.equal((await hall.api('GET', `/api/appointments/${code}`, undefined, token)).json.appointment.state, 'cancelled');
    assert.equal(await freeOf(hall, 'SB01', at(10, 30)), 3);
    // A wrong token tells nothing.
    const bad = await openPage(b, `${hall.base}/book?code=${code}&token=${'0'.repeat(32)}`, { width: 390, height: 844, errors });
    await bad.locator('#msg.msg-error', { hasText: '没有找到这个预约' }).waitFor({ timeout: WAIT });
    await bad.locator('[data-matter="SB01"]').waitFor({ timeout: WAIT });
    await bad.context().close();
    await qr.context().close();

    // A full slot is disabled; a slot filled meanwhile answers slot_full.
    for (let n = 10; n < 13; n++) await counter(hall, 'SB02', at(10, 0), n);
    const p2 = await openPage(b, `${hall.base}/book`, { width: 390, height: 844, errors });
    await p2.click('[data-matter="SB02"]', { timeout: WAIT });
    await p2.click('[data-day="2026-12-01"]', { timeout: WAIT });
    const full = p2.locator(`.slot[data-start="${at(10, 0)}"]`);
    await full.waitFor({ timeout: WAIT });
    assert.ok(await full.isDisabled());
    assert.match(await full.textContent(), /已约满/);
    await p2.click(`.slot[data-start="${at(10, 30)}"]`);
    for (let n = 13; n < 16; n++) await counter(hall, 'SB02', at(10, 30), n);	// gone meanwhile
    await p2.fill('#f-phone', '13700001111');
    await p2.fill('#f-id', idNumber(2));
    await p2.check('#f-consent');
    await p2.click('#f-submit');
    await p2.locator('#msg.msg-error', { hasText: '刚刚约满' }).waitFor({ timeout: WAIT });
    await p2.locator('#s-slot').waitFor({ state: 'visible', timeout: WAIT });
    await p2.waitForFunction(s => document.querySelector(s) && document.querySelector(s).disabled,
      `.slot[data-start="${at(10, 30)}"]`, { timeout: WAIT });
    await fullShot(p2, 'book-zh-slot-full');
    await p2.context().close();

    // ---------------------------------------------------------------- en
    const en = await openPage(b, `${hall.base}/book?lang=en`, { width: 390, height: 844, errors });
    await en.locator('[data-matter="GA02"]').waitFor({ timeout: WAIT });
    assert.equal((await en.textContent('#s-matter h2')).trim(), 'Choose your matter');
    assert.equal((await en.textContent('[data-matter="GA02"] .c-title')).trim(), 'Resident ID card');
    await fullShot(en, 'book-en-matter');
    await en.click('[data-matter="GA02"]');
    await en.locator('[data-day="2026-12-02"]', { hasText: 'Tomorrow, Wed 2 Dec' }).waitFor({ timeout: WAIT });
    await en.click('[data-day="2026-12-02"]');
    await en.click(`.slot[data-start="${at(9, 0) + 24 * 60 * MIN}"]`, { timeout: WAIT });
    await en.fill('#f-phone', '13912340000');
    await en.fill('#f-id', idNumber(3));
    await en.check('#f-consent');
    await fullShot(en, 'book-en-form');
    await en.click('#f-submit');
    await en.locator('#s-booking').waitFor({ state: 'visible', timeout: WAIT });
    const codeEn = (await en.textContent('#b-code')).trim();
    assert.match(codeEn, CODE);
    assert.match(await en.textContent('#b-banner'), /Booked!/);
    assert.match(await en.textContent('#b-time'), /Tomorrow, Wed 2 Dec\s*09:00–09:30/);
    assert.equal((await en.textContent('#b-state')).trim(), 'booked');
    assert.match(await en.getAttribute('#b-qr', 'data-url'), new RegExp(`/book\\?code=${codeEn}&token=[0-9a-f]{32}$`));
    await fullShot(en, 'book-en-code');
    // The same person, another matter, the same day: refused.  The start
    // screen offers this phone's booking.
    await en.click('#b-new');
    await en.locator('#mine-link', { hasText: codeEn }).waitFor({ timeout: WAIT });
    await en.click('[data-matter="GA01"]', { timeout: WAIT });
    await en.click('[data-day="2026-12-02"]', { timeout: WAIT });
    await en.click(`.slot[data-start="${at(14, 0) + 24 * 60 * MIN}"]`, { timeout: WAIT });
    await en.fill('#f-phone', '13912340000');
    await en.fill('#f-id', idNumber(3));
    await en.check('#f-consent');
    await en.click('#f-submit');
    await en.locator('#msg.msg-error', { hasText: 'as many bookings as allowed' }).waitFor({ timeout: WAIT });
    await fullShot(en, 'book-en-too-many');

    // Public booking is limited per client address (public_per_minute, 10 in
    // the demo): this address's bookings until refused, then the page says so.
    let refused = null;
    for (let n = 40; n < 60 && !refused; n++) {
      const r = await hall.api('POST', '/api/appointments',
        { matter: 'SB03', start: at(13, 30) + 24 * 60 * MIN + (n % 8) * 30 * MIN, phone: '13500000000', id_number: idNumber(n) });
      if (r.status === 429) refused = r;
      else assert.equal(r.status, 201, JSON.stringify(r.json));
    }
    assert.ok(refused, 'the public limit answered 429');
    assert.equal(refused.json.error.code, 'too_many_requests');
    await en.fill('#f-id', idNumber(4));
    await en.click('#f-submit');
    await en.locator('#msg.msg-error', { hasText: 'Too many attempts' }).waitFor({ timeout: WAIT });
    await en.context().close();

    assert.deepEqual(errors.filter(e => !/status of (404|409|429)/.test(e)), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
