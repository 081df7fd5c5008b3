// tests/browser/rating.test.mjs — 好差评 in the browser, on the demo hall's
// own configuration (etc/hallq.json: 28 windows, its Chinese names) with an
// evaluator token per window (e1…e28, as the demo ships them; added here if
// the demo lacks them) and window 3's clerk named:
//   - /t/ID (the ticket's QR page, 390×844): no rating before the ticket is
//     done; after finish five levels and a comment; the rating is recorded
//     (rating.recorded, read with the manager token: score, comment, source
//     "ticket", window); a second attempt from another phone is refused with
//     已经评价过, and the same phone reopening the page says so at once;
//   - out of time (hall.rating_timeout_s = 10): 评价时间已过;
//   - /rate?window=3 (the evaluator tablet, 1280×800): idle with the window,
//     its clerk and the ticket served; after finish the question in five
//     large buttons; a tap is recorded with window 3 and its clerk (source
//     "evaluator"); thanks, then idle after ?timeout=; the question also
//     goes when nobody answers, and at once when the next ticket is called.
// Screenshots: build/browser/rating-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import { DemoHall, browser, openPage, shot } from './lib.mjs';

const sleep = ms => new Promise(r => setTimeout(r, ms));
// The refusals asked for (409) are logged by chromium as failed loads: not errors.
const real = errors => errors.filter(e => !/status of 409 \(Conflict\)/.test(e));

// The demo hall (DemoHall; `hall` members merged into its "hall") with
// window 3's clerk named and an evaluator token per window if it lacks them.
class RatingHall extends DemoHall {
  config() {
    const conf = super.config();
    conf.tokens = { ...conf.tokens, clerk: { ...conf.tokens.clerk, c3: { windows: [3], name: '王芳' } } };
    if (!conf.tokens.evaluator)
      conf.tokens.evaluator = Object.fromEntries(conf.windows.map(w => [`e${w.number}`, [w.number]]));
    return conf;
  }
}
const startDemo = (hall = {}) => new RatingHall({ hall }).start();

// A ticket issued and served to the end at window w by clerk token c.
async function issue(hall) {
  const r = await hall.api('POST', '/api/tickets', { matter: 'SB01' }, 'k1');
  assert.equal(r.status, 201, JSON.stringify(r.json));
  return r.json;
}
async function win(hall, w, cmd, body, token) {
  const r = await hall.api('POST', `/api/windows/${w}/${cmd}`, body, token);
  assert.equal(r.status, 200, `${cmd}: ${JSON.stringify(r.json)}`);
  return r.json;
}
async function ratings(hall) {
  const r = await hall.api('GET', '/api/events?since=0&limit=1000', undefined, 'm1');
  assert.equal(r.status, 200);
  return r.json.events.filter(e => e.type === 'rating.recorded');
}

test('/t/ID: rate once after finish; a second rating is refused', async () => {
  const hall = await startDemo();
  const b = await browser();
  const errors = [];
  try {
    const { ticket, token } = await issue(hall);
    const url = `${hall.base}/t/${ticket.id}?token=${token}`;
    await win(hall, 1, 'call', { ticket: ticket.id }, 'c1');
    const phone = await openPage(b, url, { width: 390, height: 844, errors });
    await phone.locator('#number', { hasText: ticket.number }).waitFor({ timeout: 5000 });
    assert.equal(await phone.locator('#rating').isVisible(), false, 'no rating before the ticket is done');

    await win(hall, 1, 'finish', {}, 'c1');
    await phone.locator('#rating').waitFor({ state: 'visible', timeout: 10000 });
    assert.deepEqual(await phone.locator('.r-level').allTextContents(),
      ['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    assert.match(await phone.textContent('#r-comment-label'), /选填，最多 150 字/);
    // Each level a large button (a finger's width, not a link).
    const box = await phone.locator('.r-level').first().boundingBox();
    assert.ok(box.height >= 48 && box.width >= 300, JSON.stringify(box));
    await shot(phone, 'rating-t-form');

    // Submit without a level: asked to choose one; nothing is sent.
    await phone.click('#r-submit');
    await phone.locator('#r-msg[data-kind="pick"]').waitFor({ timeout: 2000 });
    assert.equal((await ratings(hall)).length, 0);

    await phone.click('.r-level[data-score="5"]');
    await phone.fill('#r-comment', '窗口服务很耐心');
    await phone.click('#r-submit');
    await phone.locator('#r-msg[data-kind="recorded"]').waitFor({ timeout: 5000 });
    assert.match(await phone.textContent('#r-msg'), /评价已提交.*您的评价：非常满意/);
    assert.equal(await phone.locator('#r-form').isVisible(), false, 'the form goes once rated');
    await shot(phone, 'rating-t-recorded');

    const rs = await ratings(hall);
    assert.equal(rs.length, 1, JSON.stringify(rs));
    assert.deepEqual([rs[0].ticket, rs[0].score, rs[0].source, rs[0].window, rs[0].comment, rs[0].number],
      [ticket.id, 5, 'ticket', 1, '窗口服务很耐心', ticket.number]);

    // Another phone (no memory of it): the form, then refused, said plainly.
    const other = await openPage(b, url, { width: 390, height: 844, errors });
    await other.locator('#rating').waitFor({ state: 'visible', timeout: 10000 });
    await other.click('.r-level[data-score="1"]');
    await other.click('#r-submit');
    await other.locator('#r-msg[data-kind="already"]').waitFor({ timeout: 5000 });
    assert.match(await other.textContent('#r-msg'), /已经评价过了：每张号只能评价一次/);
    assert.equal(await other.locator('#r-form').isVisible(), false);
    await shot(other, 'rating-t-already');
    assert.equal((await ratings(hall)).length, 1, 'still one rating');

    // The first phone reopening its page: rated already, at once.
    await phone.reload();
    await phone.locator('#r-msg[data-kind="recorded"]').waitFor({ timeout: 10000 });
    assert.match(await phone.textContent('#r-msg'), /已经评价过了.*您的评价：非常满意/);
    assert.equal(await phone.locator('#r-form').isVisible(), false);

    // English.
    await phone.click('#lang');
    assert.match(await phone.textContent('#r-msg'), /already been rated.*Very satisfied/);
    await shot(phone, 'rating-t-en');
    assert.deepEqual(real(errors), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/t/ID: out of time (rating_closed) says so', async () => {
  const hall = await startDemo({ rating_timeout_s: 10 });
  const b = await browser();
  const errors = [];
  try {
    const { ticket, token } = await issue(hall);
    await win(hall, 2, 'call', { ticket: ticket.id }, 'c2');
    await win(hall, 2, 'finish', {}, 'c2');
    const phone = await openPage(b, `${hall.base}/t/${ticket.id}?token=${token}`, { width: 390, height: 844, errors });
    await phone.locator('#rating').waitFor({ state: 'visible', timeout: 10000 });
    await sleep(11500);
    await phone.click('.r-level[data-score="4"]');
    await phone.click('#r-submit');
    await phone.locator('#r-msg[data-kind="closed"]').waitFor({ timeout: 5000 });
    assert.match(await phone.textContent('#r-msg'), /评价时间已过/);
    await shot(phone, 'rating-t-closed');
    const rs = await ratings(hall);
    assert.equal(rs.length, 1);
    assert.equal(rs[0].not_rated, true, 'the daemon recorded it as not rated');
    assert.deepEqual(real(errors), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/rate?window=3: asks after finish, records with window and clerk, back to idle', async () => {
  const hall = await startDemo();
  const b = await browser();
  const errors = [];
  try {
    const tab = await openPage(b, `${hall.base}/rate?token=e3&window=3&timeout=3`, { width: 1280, height: 800, errors });
    await tab.locator('#conn.conn-live').waitFor({ timeout: 10000 });
    await tab.locator('#idle').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal((await tab.textContent('#win-name')).trim(), '3号窗口');

    const one = (await issue(hall)).ticket;
    await win(hall, 3, 'call', { ticket: one.id }, 'c3');
    await win(hall, 3, 'start', {}, 'c3');
    await tab.locator('#serving', { hasText: `正在为 ${one.number} 号办理` }).waitFor({ timeout: 5000 });
    await tab.locator('#clerk', { hasText: '工作人员：王芳' }).waitFor({ timeout: 5000 });
    await shot(tab, 'rating-rate-idle');

    await win(hall, 3, 'finish', {}, 'c3');
    await tab.locator('#ask').waitFor({ state: 'visible', timeout: 5000 });
    assert.match(await tab.textContent('#ask-title'), new RegExp(`${one.number} 号，请您对本次服务进行评价`));
    assert.deepEqual(await tab.locator('.ev-level').allTextContents(),
      ['非常满意', '满意', '基本满意', '不满意', '非常不满意']);
    const box = await tab.locator('.ev-level[data-score="4"]').boundingBox();
    assert.ok(box.height >= 150 && box.width >= 150, `a large button: ${JSON.stringify(box)}`);
    await shot(tab, 'rating-rate-ask');

    await tab.click('.ev-level[data-score="4"]');
    await tab.locator('#thanks').waitFor({ state: 'visible', timeout: 5000 });
    assert.equal((await tab.textContent('#thanks-text')).trim(), '感谢您的评价！');
    await shot(tab, 'rating-rate-thanks');
    const rs = await ratings(hall);
    assert.equal(rs.length, 1, JSON.stringify(rs));
    assert.deepEqual([rs[0].ticket, rs[0].score, rs[0].source, rs[0].window, rs[0].clerk],
      [one.id, 4, 'evaluator', 3, '王芳']);
    // Back to idle after the time-out (?timeout=3).
    await tab.locator('#idle').waitFor({ state: 'visible', timeout: 6000 });

    // Unanswered: the question goes after the time-out; nothing recorded.
    const two = (await issue(hall)).ticket;
    await win(hall, 3, 'call', { ticket: two.id }, 'c3');
    await win(hall, 3, 'finish', {}, 'c3');
    await tab.locator('#ask').waitFor({ state: 'visible', timeout: 5000 });
    const asked = Date.now();
    await tab.locator('#idle').waitFor({ state: 'visible', timeout: 8000 });
    assert.ok(Date.now() - asked >= 2000, 'stays up about ?timeout= seconds');

    // The next call at the window ends the question at once.
    const three = (await issue(hall)).ticket, four = (await issue(hall)).ticket;
    await win(hall, 3, 'call', { ticket: three.id }, 'c3');
    await win(hall, 3, 'finish', {}, 'c3');
    await tab.locator('#ask').waitFor({ state: 'visible', timeout: 5000 });
    await win(hall, 3, 'call', { ticket: four.id }, 'c3');
    await tab.locator('#idle').waitFor({ state: 'visible', timeout: 1500 });
    await tab.locator('#serving', { hasText: four.number }).waitFor({ timeout: 5000 });

    // Another window's finish asks nothing here.
    const five = (await issue(hall)).ticket;
    await win(hall, 4, 'call', { ticket: five.id }, 'c4');
    await win(hall, 4, 'finish', {}, 'c4');
    await sleep(500);
    assert.equal(await tab.locator('#ask').isVisible(), false);
    assert.equal((await ratings(hall)).length, 1);

    // The token of window 3's evaluator rates nothing of window 4's.
    const r = await hall.api('POST', '/api/ratings', { ticket: five.id, score: 5 }, 'e3');
    assert.equal(r.status, 403);
    assert.deepEqual(real(errors), []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
