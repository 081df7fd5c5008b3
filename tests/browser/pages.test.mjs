// tests/browser/pages.test.mjs — the soft pad (shortcuts, errors, hold and
// call back, transfer to window 1, pause), the ticket status page (bad,
// missing and another ticket's token; English), the kiosk (绿色通道,
// appointment check-in answered 501, 长辈模式 paging, English).
import test from 'node:test';
import assert from 'node:assert/strict';
import { Hall, MATTERS, browser, openPage, shot } from './lib.mjs';

// Chromium logs every API answer of 4xx/5xx as a console error ("Failed to
// load resource: … status of 409").  A test that provokes such an answer on
// purpose lets exactly those statuses through, and nothing else.
function unexpected(errors, statuses = []) {
  return errors.filter(e => !statuses.some(s =>
    e.includes(`Failed to load resource: the server responded with a status of ${s} `)));
}

async function withHall(extra, fn) {
  const hall = await new Hall(extra).start();
  const b = await browser();
  try {
    await fn(hall, b);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
}

test('pad: shortcuts, readable errors, hold and call back, transfer to window 1, pause', () => withHall({}, async (hall, b) => {
  const errors = [];
  const pad = await openPage(b, `${hall.base}/pad?token=c3&window=3`, { width: 1280, height: 800, errors });
  await pad.locator('#conn.conn-live').waitFor({ timeout: 10000 });
  await pad.locator('#cur-none').waitFor({ timeout: 5000 });
  const msg = pad.locator('#msg');

  // Shortcuts are shown on the buttons.
  for (const [cmd, key] of [['call-next', 'N'], ['recall', 'R'], ['start', 'S'], ['finish', 'F'],
    ['no-show', 'X'], ['hold', 'H'], ['transfer', 'T'], ['pause', 'P']])
    assert.equal((await pad.locator(`[data-cmd="${cmd}"] kbd`).textContent()).trim(), key);

  // Nothing waits: call-next (204) says so.
  await pad.keyboard.press('n');
  await pad.locator('#msg.msg-info', { hasText: '当前没有等候本窗口的号' }).waitFor({ timeout: 3000 });
  // No current ticket: start is refused (409 no_current_ticket), readably.
  await pad.keyboard.press('s');
  await pad.locator('#msg.msg-error', { hasText: '开始办理失败：当前没有号' }).waitFor({ timeout: 3000 });

  const a = await hall.issue('SB01');
  const b2 = await hall.issue('SB02');
  await hall.issue('YB01');
  // The tiers' waiting counts follow: SB01 + SB02 in tier 1, YB01 in tier 2.
  await pad.locator('[data-tier="0"] .tier-w', { hasText: '2' }).waitFor({ timeout: 5000 });
  await pad.locator('[data-tier="1"] .tier-w', { hasText: '1' }).waitFor({ timeout: 5000 });

  // N calls the first; the timer runs; R recalls.
  await pad.keyboard.press('n');
  await pad.locator('#cur-number', { hasText: a.ticket.number }).waitFor({ timeout: 3000 });
  await pad.locator('#cur-state', { hasText: '已叫号' }).waitFor();
  await pad.locator('[data-tier="0"] .tier-w', { hasText: '1' }).waitFor({ timeout: 5000 });
  const timer0 = await pad.textContent('#cur-timer');
  await pad.waitForFunction(t0 => document.getElementById('cur-timer').textContent !== t0, timer0, { timeout: 3000 });
  await pad.keyboard.press('r');
  await msg.filter({ hasText: `已重呼 ${a.ticket.number}` }).waitFor({ timeout: 3000 });
  await pad.locator('.cur-extra', { hasText: '重呼 1 次' }).waitFor({ timeout: 3000 });

  // N again while busy: 409 window_busy, said with the current number.
  await pad.keyboard.press('n');
  await pad.locator('#msg.msg-error', { hasText: `窗口还有当前号 ${a.ticket.number}` }).waitFor({ timeout: 3000 });
  assert.match(await msg.textContent(), /window_busy/);

  // S starts, H holds: the held list offers it back.
  await pad.keyboard.press('s');
  await pad.locator('#cur-state', { hasText: '办理中' }).waitFor({ timeout: 3000 });
  await pad.keyboard.press('h');
  await pad.locator('#cur-none').waitFor({ timeout: 3000 });
  const heldRow = pad.locator(`#held li[data-ticket="${a.ticket.id}"]`);
  await heldRow.filter({ hasText: a.ticket.number }).waitFor({ timeout: 3000 });

  // The next one meanwhile, finished.
  await pad.keyboard.press('n');
  await pad.locator('#cur-number', { hasText: b2.ticket.number }).waitFor({ timeout: 3000 });
  await pad.keyboard.press('f');
  await msg.filter({ hasText: `${b2.ticket.number} 已办结` }).waitFor({ timeout: 3000 });
  await pad.locator('#cur-none').waitFor({ timeout: 3000 });

  // Call the held one back.
  await heldRow.locator('button[data-call]').click();
  await pad.locator('#cur-number', { hasText: a.ticket.number }).waitFor({ timeout: 3000 });
  await heldRow.waitFor({ state: 'detached', timeout: 3000 });
  await shot(pad, 'pages-pad-called-back');

  // T opens the transfer dialog; Esc closes it; window 1 takes it.
  await pad.keyboard.press('t');
  await pad.locator('#transfer').waitFor({ state: 'visible', timeout: 2000 });
  assert.equal(await pad.locator('#transfer [data-window="3"]').count(), 0, 'not to itself');
  await shot(pad, 'pages-pad-transfer');
  await pad.keyboard.press('Escape');
  await pad.locator('#transfer').waitFor({ state: 'hidden', timeout: 2000 });
  await pad.keyboard.press('t');
  await pad.locator('#transfer [data-window="1"]').click();
  await msg.filter({ hasText: `${a.ticket.number} 已转到 1号窗口` }).waitFor({ timeout: 3000 });
  await pad.locator('#cur-none').waitFor({ timeout: 3000 });
  const moved = await hall.api('GET', `/api/tickets/${a.ticket.id}`, undefined, 'm1');
  assert.equal(moved.json.ticket.state, 'transferred');
  assert.equal(moved.json.ticket.target_window, 1);

  // P pauses; call-next is then refused (window_paused); P resumes.
  await pad.keyboard.press('p');
  await pad.locator('#wstate', { hasText: '暂停' }).waitFor({ timeout: 3000 });
  assert.equal((await pad.textContent('[data-cmd="pause"] span')).trim(), '恢复');
  await pad.getByText('叫下一位').click();
  await pad.locator('#msg.msg-error', { hasText: '窗口已暂停' }).waitFor({ timeout: 3000 });
  await shot(pad, 'pages-pad-paused');
  await pad.keyboard.press('p');
  await pad.locator('#wstate', { hasText: '开放' }).waitFor({ timeout: 3000 });

  // Changes made elsewhere show up live: a manager calls at window 3.
  const c = await hall.issue('SB01');
  const r = await hall.api('POST', '/api/windows/3/call', { ticket: c.ticket.id }, 'm1');
  assert.equal(r.status, 200);
  await pad.locator('#cur-number', { hasText: c.ticket.number }).waitFor({ timeout: 3000 });

  assert.deepEqual(unexpected(errors, [409]), []);
}));

test('pad: a token for another window, and no window named', () => withHall({}, async (hall, b) => {
  const errors = [];
  const pad = await openPage(b, `${hall.base}/pad?token=c3&window=5`, { width: 1280, height: 800, errors });
  await pad.locator('#conn.conn-live').waitFor({ timeout: 10000 });
  await pad.locator('#openclose').click();			// window 5 is closed: open
  await pad.locator('#msg.msg-error', { hasText: '此令牌无权操作5号窗口' }).waitFor({ timeout: 3000 });
  const none = await openPage(b, `${hall.base}/pad?token=c3`, { width: 1280, height: 800, errors });
  await none.locator('#fatal', { hasText: 'window=3' }).waitFor({ timeout: 3000 });
  const nine = await openPage(b, `${hall.base}/pad?token=c3&window=9`, { width: 1280, height: 800, errors });
  await nine.locator('#fatal', { hasText: '没有9号窗口' }).waitFor({ timeout: 5000 });
  const bad = await openPage(b, `${hall.base}/pad?token=nope&window=3`, { width: 1280, height: 800, errors });
  await bad.locator('#fatal', { hasText: '令牌无效' }).waitFor({ timeout: 5000 });
  await shot(bad, 'pages-pad-bad-token');
  assert.deepEqual(unexpected(errors, [403]), []);
}));

test('status page: bad, missing and another ticket\'s token; live in English', () => withHall({}, async (hall, b) => {
  const errors = [];
  const mine = await hall.issue('SB01');
  const other = await hall.issue('SB01');
  const id = mine.ticket.id;

  const bad = await openPage(b, `${hall.base}/t/${id}?token=0123456789abcdef0123456789abcdef`, { width: 390, height: 844, errors });
  await bad.locator('#fatal', { hasText: '这个链接无效' }).waitFor({ timeout: 5000 });
  assert.equal(await bad.locator('#number').textContent(), '', 'nothing of the ticket shown');
  await shot(bad, 'pages-status-bad-token');

  // Another ticket's token opens nothing of this one.
  const cross = await openPage(b, `${hall.base}/t/${id}?token=${other.token}`, { width: 390, height: 844, errors });
  await cross.locator('#fatal', { hasText: '这个链接无效' }).waitFor({ timeout: 5000 });

  const missing = await openPage(b, `${hall.base}/t/${id}`, { width: 390, height: 844, errors });
  await missing.locator('#fatal', { hasText: '缺少凭证' }).waitFor({ timeout: 5000 });

  const en = await openPage(b, `${hall.base}/t/${other.ticket.id}?token=${other.token}&lang=en`, { width: 390, height: 844, errors });
  await en.locator('#number', { hasText: other.ticket.number }).waitFor({ timeout: 5000 });
  assert.equal((await en.textContent('#state')).trim(), 'waiting');
  assert.equal((await en.textContent('#ahead')).trim(), '1');
  await en.getByText('Ahead of you').waitFor();
  await shot(en, 'pages-status-en-waiting');
  // The first is called and finished: the second is next, then called at 3.
  assert.equal((await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3')).status, 200);
  assert.equal((await hall.api('POST', '/api/windows/3/finish', undefined, 'c3')).status, 200);
  await en.locator('#ahead', { hasText: '0' }).waitFor({ timeout: 8000 });
  assert.equal((await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3')).status, 200);
  await en.locator('#go', { hasText: 'called, window 3' }).waitFor({ timeout: 8000 });
  await shot(en, 'pages-status-en-called');
  assert.equal((await hall.api('POST', '/api/windows/3/start', undefined, 'c3')).status, 200);
  await en.locator('#go', { hasText: 'being served at window 3' }).waitFor({ timeout: 8000 });
  // The page asked for nothing but its own ticket and the hall's status.
  const asked = await en.evaluate(() => performance.getEntriesByType('resource')
    .map(e => new URL(e.name).pathname).filter(p => p.startsWith('/api/')));
  assert.ok(asked.length >= 3);
  for (const p of asked)
    assert.ok(p === `/api/tickets/${other.ticket.id}` || p === '/api/status', p);

  assert.deepEqual(unexpected(errors, [401]), []);
}));

// Six more matters in 社会保险: eight in all, one screen normally, two in 长辈模式.
const MORE = ['SB03', 'SB04', 'SB05', 'SB06', 'SB07', 'SB08'].map((code, i) =>
  ({ code, name: `社保事项${i + 3}`, domain: 'SB', prefix: 'D' }));

test('kiosk: 绿色通道, 长辈模式 paging, English', () => withHall({ matters: [...MATTERS, ...MORE] }, async (hall, b) => {
  const errors = [];
  const kiosk = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=60`, { width: 1080, height: 1920, errors });
  await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: 10000 });

  // 绿色通道: the ticket is issued with class green.
  await kiosk.click('#green');
  await kiosk.locator('#green-banner').waitFor({ state: 'visible' });
  await kiosk.click('[data-domain="SB"]');
  await kiosk.click('[data-matter="SB01"]');
  await kiosk.locator('#s-ticket').waitFor({ state: 'visible', timeout: 5000 });
  await kiosk.locator('#t-class').waitFor({ state: 'visible' });
  const url = await kiosk.getAttribute('#qr', 'data-url');
  const id = Number(/\/t\/(\d+)\?/.exec(url)[1]);
  const tk = await hall.api('GET', `/api/tickets/${id}`, undefined, 'm1');
  assert.equal(tk.json.ticket.class, 'green');
  await shot(kiosk, 'pages-kiosk-green-ticket');
  await kiosk.click('#done');
  await kiosk.locator('#s-home').waitFor({ state: 'visible' });
  assert.equal(await kiosk.locator('#green-banner').isVisible(), false, 'green is for one ticket');

  // 长辈模式: 8 matters on one screen, then 4 a screen over two.
  await kiosk.click('[data-domain="SB"]');
  assert.equal(await kiosk.locator('#matters [data-matter]').count(), 8);
  assert.equal(await kiosk.locator('#matters-pager button').count(), 0);
  await kiosk.click('#elder');
  assert.equal(await kiosk.locator('#matters [data-matter]').count(), 4);
  await kiosk.locator('#matters-pager', { hasText: '1 / 2' }).waitFor();
  await kiosk.click('#matters-pager [data-page="next"]');
  await kiosk.locator('#matters-pager', { hasText: '2 / 2' }).waitFor();
  assert.deepEqual(await kiosk.locator('#matters [data-matter]').evaluateAll(l => l.map(e => e.dataset.matter)),
    ['SB05', 'SB06', 'SB07', 'SB08']);
  await shot(kiosk, 'pages-kiosk-elder-page2');
  await kiosk.click('#elder');
  await kiosk.click('#s-matters .back');

  // English.
  const en = await openPage(b, `${hall.base}/kiosk?token=k1&lang=en`, { width: 1920, height: 1080, errors });
  await en.getByText('Choose a service area').waitFor({ timeout: 5000 });
  await en.locator('#green', { hasText: 'Priority lane' }).waitFor();
  await shot(en, 'pages-kiosk-en-home');
  await en.click('[data-domain="YB"]');
  await en.click('[data-matter="YB01"]');
  await en.locator('#s-ticket').waitFor({ state: 'visible', timeout: 5000 });
  await en.getByText('Your number').waitFor();
  assert.equal((await en.textContent('#t-eta')).trim(), 'no wait');
  await en.locator('#countdown', { hasText: 'Back to the start in' }).waitFor();
  await shot(en, 'pages-kiosk-en-ticket');
  // The language button switches back to Chinese.
  await en.click('#lang');
  await en.getByText('您的号码').waitFor();

  const padEn = await openPage(b, `${hall.base}/pad?token=c3&window=3&lang=en`, { width: 1280, height: 800, errors });
  await padEn.locator('[data-cmd="call-next"]', { hasText: 'Call next' }).waitFor({ timeout: 5000 });
  await padEn.locator('#conn.conn-live').waitFor({ timeout: 10000 });
  await padEn.keyboard.press('n');
  await padEn.locator('#msg', { hasText: 'Called' }).waitFor({ timeout: 3000 });
  await shot(padEn, 'pages-pad-en');

  assert.deepEqual(errors, []);
}));

test('kiosk: the appointment entry is checked before asking (code alphabet, ID check digit)', (t) => withHall({}, async (hall, b) => {
  // What the daemon answers is tests/browser/kiosk-checkin.test.mjs's; here,
  // what the kiosk says before it asks: nothing typed, a code too short, an
  // ID number whose check digit is wrong.  The keypad has the code's
  // alphabet and the digits an ID number needs, no I, L or O.
  const errors = [];
  const kiosk = await openPage(b, `${hall.base}/kiosk?token=k1&timeout=60`, { width: 1080, height: 1920, errors });
  await kiosk.locator('[data-domain="SB"]').waitFor({ timeout: 10000 });
  await kiosk.click('#appt');
  await kiosk.locator('#s-appt').waitFor({ state: 'visible' });
  await kiosk.click('#appt-go');
  await kiosk.locator('#appt-msg', { hasText: '请先输入预约码' }).waitFor({ timeout: 3000 });
  for (const k of ['2', '0', '2', '6', 'back', '7', 'K'])
    await kiosk.click(`#keypad [data-key="${k}"]`);
  assert.equal(await kiosk.inputValue('#appt-code'), '2027K');
  for (const k of ['I', 'L', 'O'])
    assert.equal(await kiosk.locator(`#keypad [data-key="${k}"]`).count(), 0, `no key ${k}`);
  await kiosk.click('#appt-go');
  await kiosk.locator('#appt-msg.msg-error', { hasText: '8 位' }).waitFor({ timeout: 3000 });
  await kiosk.fill('#appt-code', '110105194912310021');	/* the check digit is X */
  await kiosk.click('#appt-go');
  await kiosk.locator('#appt-msg.msg-error', { hasText: '校验位' }).waitFor({ timeout: 3000 });
  await shot(kiosk, 'pages-kiosk-appointment');
  await kiosk.click('#s-appt .back');
  await kiosk.locator('#s-home').waitFor({ state: 'visible' });
  assert.deepEqual(errors, []);
}));
