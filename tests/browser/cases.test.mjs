// tests/browser/cases.test.mjs — /cases (差评整改 and the 办不成事 ledger) in
// Debian's chromium against a real hallqd on the demo hall (etc/hallq.json:
// 28 windows, its Chinese names, window 28 the ledger window, evaluator
// tokens e1…e28):
//   - a ticket served at window 3 and rated 1 star on its evaluator (e3)
//     opens a case; /cases?token=m1 lists it with its number and Chinese
//     matter name, counts it open; its detail says the rating, comment,
//     ticket, matter, window and deadline;
//   - worked in the page through verify (founded) → rectify → revisit
//     (phone, satisfied) → close: after each step the state shown, the
//     steps in order with who and when, the form offering only the steps
//     the state allows (as GET /api/cases/{id} agrees); closed: no form;
//   - live: a 2-star rating made meanwhile appears without a reload
//     (case.opened); the name of who did it (`by`) is remembered; that case
//     appealed and the appeal upheld on review: closed, its rating struck;
//   - a 办不成事 entry for window 28 made from the page's form (the API has
//     it, kind ledger, window 28); English;
//   - overdue (the daemon's clock moved past the deadline by a restart): the
//     dashboard's alert, its link to /cases?state=overdue where the case and
//     its deadline are red; the alert gone once the case is closed (live);
//     the dashboard's links to 今日报表 and 差评工单;
//   - every character of /cases and /reports is in the served font's
//     subset (web/fonts/hallq-sc.woff2.chars, made by `make`).
// Screenshots: build/browser/cases-*.png.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, ROOT, WORKDAY_MORNING, browser, openPage, shot } from './lib.mjs';

const WAIT = 10000;

async function api(hall, method, p, body, token) {
  const r = await hall.api(method, p, body, token);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// A ticket of matter issued, served to the end at window 3 and rated score
// on window 3's evaluator.
async function servedAndRated(hall, matter, score, comment) {
  const { ticket } = await api(hall, 'POST', '/api/tickets', { matter }, 'k1');
  const call = await api(hall, 'POST', '/api/windows/3/call', { ticket: ticket.id }, 'c3');
  assert.equal(call.ticket.id, ticket.id);
  await api(hall, 'POST', '/api/windows/3/start', {}, 'c3');
  await api(hall, 'POST', '/api/windows/3/finish', {}, 'c3');
  await api(hall, 'POST', '/api/ratings', { ticket: ticket.id, score, comment }, 'e3');
  return ticket;
}

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

async function waitText(page, sel, want, timeout = WAIT) {
  await page.waitForFunction(([s, w]) => {
    const e = document.querySelector(s);
    return !!e && e.textContent.trim() === w;
  }, [sel, want], { timeout });
}

const options = page => page.$$eval('#step-action option', os => os.map(o => o.value));
const steps = page => page.$$eval('#steps li[data-action]', ls => ls.map(l => ({
  action: l.getAttribute('data-action'),
  by: l.querySelector('.step-by').textContent.trim(),
  at: l.querySelector('.step-at').textContent.trim(),
  note: (l.querySelector('.step-note') || { textContent: '' }).textContent.trim(),
  extra: (l.querySelector('.step-extra') || { textContent: '' }).textContent.trim(),
})));

test('/cases: a 1-star rating worked through verify, rectify, revisit, close; a ledger entry for window 28', async () => {
  const hall = await new DemoHall().start();
  const b = await browser();
  const errors = [];
  try {
    const tk = await servedAndRated(hall, 'SB01', 1, '等候太久，态度不好');
    const listed = await api(hall, 'GET', '/api/cases', undefined, 'm1');
    assert.equal(listed.cases.length, 1);
    const id = listed.cases[0].id;
    assert.equal(listed.cases[0].ticket, tk.id);

    const page = await openPage(b, `${hall.base}/cases?token=m1`, { width: 1600, height: 1000, errors });
    await page.waitForSelector('#conn.conn-live', { timeout: WAIT });
    const row = page.locator(`#cases tr[data-case="${id}"]`);
    await row.waitFor({ timeout: WAIT });
    assert.equal(await text(page, `#cases tr[data-case="${id}"] .tk`), tk.number);
    assert.equal(await text(page, `#cases tr[data-case="${id}"] .matter`), '社保参保登记');
    assert.match(await row.textContent(), /非常不满意/);
    assert.match(await row.textContent(), /待核实/);
    await waitText(page, '#count-open b', '1');
    await waitText(page, '#count-overdue b', '0');
    assert.equal(await page.evaluate(() => location.search), '', 'the token is out of the address');

    // Its detail.
    await row.click();
    await waitText(page, '#d-title', `工单 #${id}`);
    assert.equal(await text(page, '#d-state'), '待核实');
    assert.equal(await text(page, '#d-kind'), '差评');
    assert.equal(await text(page, '.f-score'), '非常不满意（1 星）');
    assert.equal(await text(page, '.f-comment'), '等候太久，态度不好');
    assert.equal(await text(page, '.f-ticket'), tk.number);
    assert.equal(await text(page, '.f-matter'), 'SB01 社保参保登记');
    assert.equal(await text(page, '.f-window'), '3号窗口');
    assert.match(await text(page, '.f-due'), /^\d{4}-\d\d-\d\d 23:59 · 剩 \d+ 天$/);
    assert.doesNotMatch(await page.locator('.f-due').getAttribute('class'), /late/);
    assert.equal(await text(page, '#steps'), '尚无办理记录');
    assert.deepEqual(await options(page), ['verify', 'appeal']);

    // A step without its finding is refused by the page, said in words.
    await page.selectOption('#step-action', 'verify');
    assert.equal(await page.locator('#row-founded').isVisible(), true);
    assert.equal(await page.locator('#row-way').isVisible(), false);
    await page.fill('#step-note', '调取录像核实，情况属实');
    await page.fill('#step-by', '王科长');
    await page.click('#step-submit');
    await waitText(page, '#step-error', '请选择核实结论：属实或不属实。');

    const work = [
      { action: 'verify', fill: { '#step-founded': 'true' }, note: '调取录像核实，情况属实', state: '已核实', api: 'verified',
        next: ['rectify', 'appeal'] },
      { action: 'rectify', note: '约谈窗口人员，增开社保窗口一个', state: '整改中', api: 'rectifying',
        next: ['rectify', 'revisit'] },
      { action: 'revisit', fill: { '#step-way': 'phone', '#step-result': 'satisfied' }, note: '电话回访，群众表示满意',
        state: '已回访', api: 'revisited', next: ['rectify', 'revisit', 'close'] },
      { action: 'close', note: '整改完成，予以办结', state: '已办结', api: 'closed', next: [] },
    ];
    for (const [i, w] of work.entries()) {
      await page.selectOption('#step-action', w.action);
      for (const [sel, v] of Object.entries(w.fill || {}))
        await page.selectOption(sel, v);
      await page.fill('#step-note', w.note);
      if (i > 0)	// who did it was remembered from the first step
        assert.equal(await page.inputValue('#step-by'), '王科长');
      await page.click('#step-submit');
      await waitText(page, '#d-state', w.state);
      await page.waitForFunction(n => document.querySelectorAll('#steps li[data-action]').length === n, i + 1, { timeout: WAIT });
      const c = (await api(hall, 'GET', `/api/cases/${id}`, undefined, 'm1')).case;
      assert.equal(c.state, w.api, w.action);
      assert.equal(c.steps.length, i + 1);
      if (w.next.length)
        assert.deepEqual(await options(page), w.next, `after ${w.action}`);
      // The list follows.
      await page.locator(`#cases tr[data-case="${id}"] .st .state`, { hasText: w.state }).waitFor({ timeout: WAIT });
    }
    assert.equal(await page.locator('#step-form').isVisible(), false);
    assert.equal(await text(page, '#form-closed'), '工单已办结，无需再办理。');
    assert.equal(await text(page, '.f-founded'), '属实');
    const shown = await steps(page);
    assert.deepEqual(shown.map(s => s.action), ['verify', 'rectify', 'revisit', 'close']);
    assert.deepEqual(shown.map(s => s.by), ['王科长', '王科长', '王科长', '王科长']);
    assert.deepEqual(shown.map(s => s.note), work.map(w => w.note));
    for (const s of shown)
      assert.match(s.at, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
    assert.equal(shown[0].extra, '属实');
    assert.equal(shown[2].extra, '回访方式：电话；回访结果：满意');
    assert.deepEqual(await page.$$eval('#steps li[data-action] .step-act', ls => ls.map(l => l.textContent)),
      ['核实', '整改', '回访', '办结']);
    await waitText(page, '#count-open b', '0');
    assert.equal(await page.evaluate(() => localStorage.getItem('hallq.cases.by')), '王科长');
    await shot(page, 'cases-closed');

    // Live: a 2-star rating meanwhile opens a case the page lists by itself.
    const tk2 = await servedAndRated(hall, 'YB01', 2, null);
    await page.locator('#cases tr[data-case] .tk', { hasText: tk2.number }).waitFor({ timeout: WAIT });
    await waitText(page, '#count-open b', '1');
    assert.match(await page.locator('#cases tr[data-case]', { hasText: tk2.number }).textContent(), /医保参保变更/);

    // That one appealed (申诉) and the appeal upheld on review: closed, the rating struck.
    await page.locator('#cases tr[data-case]', { hasText: tk2.number }).click();
    await waitText(page, '#d-state', '待核实');
    const id2 = Number(await page.locator('#cases tr.sel').getAttribute('data-case'));
    await page.selectOption('#step-action', 'appeal');
    await page.fill('#step-note', '窗口申诉：群众误评');
    await page.click('#step-submit');
    await waitText(page, '#d-state', '申诉中');
    assert.deepEqual(await options(page), ['review']);
    assert.equal(await page.locator('#row-upheld').isVisible(), true);
    await page.selectOption('#step-upheld', 'true');
    await page.fill('#step-note', '复核：录像显示办理规范，申诉成立');
    await page.click('#step-submit');
    await waitText(page, '#d-state', '已办结');
    assert.equal(await text(page, '.f-state.struck'), '差评已撤销（申诉成立）');
    assert.equal((await steps(page))[1].extra, '申诉成立（撤销差评）');
    const c2 = (await api(hall, 'GET', `/api/cases/${id2}`, undefined, 'm1')).case;
    assert.equal(c2.state, 'closed');
    assert.equal(c2.struck, true);
    await page.locator(`#cases tr[data-case="${id2}"] .flag`, { hasText: '差评已撤销' }).waitFor({ timeout: WAIT });
    await waitText(page, '#count-open b', '0');

    // A 办不成事 entry for window 28 from the page's form.
    await page.click('#ledger-new');
    await page.locator('#ledger-dialog').waitFor({ state: 'visible', timeout: WAIT });
    assert.equal(await page.inputValue('#l-by'), '王科长');
    // The form opens with the ledger window (28, 办不成事反映窗口) chosen.
    await page.waitForFunction(() => document.getElementById('l-window').value === '28', null, { timeout: WAIT });
    assert.equal(await page.inputValue('#l-window'), '28');
    // Without a window chosen, the page says so.
    await page.selectOption('#l-window', '');
    await page.fill('#l-problem', '跨省养老保险关系转移，系统不支持，未能办理');
    await page.click('#l-submit');
    await waitText(page, '#l-error', '请选择登记窗口。');
    await page.selectOption('#l-window', '28');
    assert.match(await page.locator('#l-window option[value="28"]').textContent(), /^28号窗口 · 办不成事反映窗口$/);
    await page.selectOption('#l-matter', 'SB02');
    await page.fill('#l-place', '社保窗口');
    await page.fill('#l-citizen', '张伟');
    await page.fill('#l-phone', '13812345678');
    await page.click('#l-submit');
    await page.locator('#ledger-dialog').waitFor({ state: 'hidden', timeout: WAIT });
    const ledger = await api(hall, 'GET', '/api/cases?kind=ledger', undefined, 'm1');
    assert.equal(ledger.cases.length, 1);
    const lc = ledger.cases[0];
    assert.equal(lc.kind, 'ledger');
    assert.equal(lc.window, 28);
    assert.equal(lc.matter, 'SB02');
    assert.equal(lc.problem, '跨省养老保险关系转移，系统不支持，未能办理');
    assert.notEqual(lc.phone, '13812345678', 'kept masked');
    await waitText(page, '#d-title', `工单 #${lc.id}`);
    assert.equal(await text(page, '#d-kind'), '办不成事');
    assert.equal(await text(page, '.f-problem'), lc.problem);
    assert.equal(await text(page, '.f-window'), '28号窗口');
    assert.deepEqual(await options(page), ['verify'], 'a ledger case is never appealed');
    assert.equal(await text(page, '#steps li[data-action="record"] .step-act'), '登记');
    await page.locator(`#cases tr[data-case="${lc.id}"]`).waitFor({ timeout: WAIT });
    await waitText(page, '#count-open b', '1');

    // The filters: ledger cases only, then closed ones.
    await page.selectOption('#f-kind', 'ledger');
    await page.click('#f-apply');
    await page.waitForFunction(n => document.querySelectorAll('#cases tr[data-case]').length === n, 1, { timeout: WAIT });
    assert.equal(await page.locator(`#cases tr[data-case="${lc.id}"]`).count(), 1);
    assert.match(await page.evaluate(() => location.search), /kind=ledger/);
    await page.selectOption('#f-kind', '');
    await page.selectOption('#f-state', 'closed');
    await page.click('#f-apply');
    await page.waitForFunction(n => document.querySelectorAll('#cases tr[data-case]').length === n, 2, { timeout: WAIT });
    assert.equal(await page.locator(`#cases tr[data-case="${id}"]`).count(), 1);
    await page.click('#f-reset');
    await page.waitForFunction(n => document.querySelectorAll('#cases tr[data-case]').length === n, 3, { timeout: WAIT });
    // The days opened: today has all three, tomorrow none.
    const today = (await api(hall, 'GET', '/api/status')).business_day;
    const tomorrow = new Date(Date.parse(`${today}T00:00:00Z`) + 86400000).toISOString().slice(0, 10);
    for (const [day, n] of [[tomorrow, 0], [today, 3]]) {
      await page.fill('#f-from', day);
      await page.fill('#f-to', day);
      await page.click('#f-apply');
      await page.waitForFunction(([d, k]) => location.search.startsWith(`?from=${d}&to=${d}`) &&
        document.querySelectorAll('#cases tr[data-case]').length === k, [day, n], { timeout: WAIT });
    }
    await page.fill('#f-from', tomorrow);	// the wrong way round: swapped
    await page.click('#f-apply');
    await page.waitForFunction(([a, z]) => location.search.startsWith(`?from=${a}&to=${z}`), [today, tomorrow], { timeout: WAIT });
    assert.equal(await page.inputValue('#f-from'), today);
    await page.waitForFunction(k => document.querySelectorAll('#cases tr[data-case]').length === k, 3, { timeout: WAIT });
    await page.selectOption('#f-state', 'overdue');
    await page.click('#f-apply');
    await waitText(page, '#cases tbody tr.none td', '没有符合条件的工单');
    await page.click('#f-reset');
    await page.waitForFunction(n => document.querySelectorAll('#cases tr[data-case]').length === n, 3, { timeout: WAIT });
    assert.equal(await page.inputValue('#f-from'), '');
    await page.locator(`#cases tr[data-case="${lc.id}"]`).click();
    await waitText(page, '#d-title', `工单 #${lc.id}`);
    await shot(page, 'cases-ledger');

    // English.
    const en = await openPage(b, `${hall.base}/cases?token=m1&lang=en&id=${id}`, { width: 1280, height: 800, errors });
    await waitText(en, '#d-title', `Case #${id}`);
    assert.equal(await text(en, '#d-state'), 'closed');
    assert.equal(await text(en, 'header .sub'), 'Cases');
    assert.equal(await text(en, '.f-score'), 'Very dissatisfied (1 of 5)');
    await en.locator(`#cases tr[data-case="${id}"]`).waitFor({ timeout: WAIT });
    assert.equal(await text(en, `#cases tr[data-case="${id}"] .matter`), 'Social insurance enrolment');
    assert.deepEqual(await en.evaluate(() => [document.documentElement.scrollWidth, innerWidth]), [1280, 1280], 'nothing sideways');
    await shot(en, 'cases-en');

    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('/cases overdue: the dashboard alerts and links to it, the deadline in red, the alert gone once closed', async () => {
  const hall = await new DemoHall({ clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  try {
    const tk = await servedAndRated(hall, 'SB01', 2, '办事指南与实际要求不一致');
    const opened = (await api(hall, 'GET', '/api/cases', undefined, 'm1')).cases[0];
    assert.equal(opened.overdue, false);
    // Five weeks on (past 15 working days): overdue at the daemon's start.
    const day0 = (await api(hall, 'GET', '/api/status')).business_day;
    hall.setClock(opened.due_at + 14 * 86400000);
    await hall.restart();
    // The daemon rolls its day over just after it starts: wait for it (bounded).
    for (let i = 0; i < 100 && (await api(hall, 'GET', '/api/status')).business_day === day0; i++)
      await new Promise(r => setTimeout(r, 100));
    const od = await api(hall, 'GET', '/api/cases?state=overdue', undefined, 'm1');
    assert.equal(od.overdue, 1);
    assert.equal(od.cases[0].id, opened.id);

    const dash = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await dash.waitForSelector('#conn.conn-live', { timeout: WAIT });
    const alert = dash.locator('#alerts li[data-key="c:overdue"]');
    await alert.waitFor({ timeout: WAIT });
    assert.equal((await alert.textContent()).trim(), '1 件差评工单已超过整改期限');
    assert.equal(await dash.locator('#alerts li[data-key="c:overdue"] a').getAttribute('href'), '/cases?state=overdue');
    assert.equal(await text(dash, '#nav-reports'), '今日报表');
    assert.equal(await dash.locator('#nav-reports').getAttribute('href'), '/reports');
    assert.equal(await text(dash, '#nav-cases'), '差评工单');
    assert.equal(await dash.locator('#nav-cases').getAttribute('href'), '/cases');
    await shot(dash, 'cases-dashboard-overdue');

    // The alert's link, in another tab of the same session: the overdue cases.
    const page = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1600, height: 1000, errors });
    await page.locator('#alerts li[data-key="c:overdue"] a').waitFor({ timeout: WAIT });
    await page.click('#alerts li[data-key="c:overdue"] a');
    await page.waitForURL(/\/cases\?state=overdue$/, { timeout: WAIT });
    const row = page.locator(`#cases tr[data-case="${opened.id}"]`);
    await row.waitFor({ timeout: WAIT });
    assert.equal(await page.inputValue('#f-state'), 'overdue');
    assert.match(await row.getAttribute('class'), /is-overdue/);
    assert.equal(await text(page, `#cases tr[data-case="${opened.id}"] .flag-bad`), '已超期');
    assert.match(await page.locator(`#cases tr[data-case="${opened.id}"] td.due`).getAttribute('class'), /late/);
    await waitText(page, '#count-overdue b', '1');
    assert.match(await page.locator('#count-overdue').getAttribute('class'), /count-bad/);
    await row.click();
    await waitText(page, '#d-title', `工单 #${opened.id}`);
    assert.equal(await text(page, '.f-ticket'), tk.number);
    assert.match(await page.locator('.f-due').getAttribute('class'), /\blate\b/);
    assert.match(await text(page, '.f-due'), /超期 \d+ 天$/);
    const red = await page.$eval('.f-due', e => getComputedStyle(e).color);
    assert.equal(red, 'rgb(180, 35, 24)', 'the deadline in red');
    await shot(page, 'cases-overdue');

    // 今日报表 from the dashboard: today's report.
    await dash.click('#nav-reports');
    await dash.waitForURL(/\/reports\?from=\d{4}-\d\d-\d\d&to=\d{4}-\d\d-\d\d&group=matter$/, { timeout: WAIT });
    const today = (await api(hall, 'GET', '/api/status')).business_day;
    assert.equal(new URL(dash.url()).searchParams.get('from'), today);
    await dash.waitForFunction(() => document.body.getAttribute('data-loaded') === 'yes', null, { timeout: WAIT });

    // Closed by the API (not founded: revisit, close): the dashboard's alert
    // goes by itself, the case page follows.
    const back = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await back.locator('#alerts li[data-key="c:overdue"]').waitFor({ timeout: WAIT });
    for (const step of [{ action: 'verify', founded: false }, { action: 'revisit', way: 'sms', result: 'basically_satisfied' },
      { action: 'close' }])
      await api(hall, 'POST', `/api/cases/${opened.id}/steps`, { note: '经核实不属实，已短信说明', by: '李主任', ...step }, 'm1');
    await back.locator('#alerts li[data-key="c:overdue"]').waitFor({ state: 'detached', timeout: WAIT });
    await waitText(page, '#d-state', '已办结');
    await waitText(page, '#count-overdue b', '0');
    assert.equal(await text(page, '.f-founded'), '不属实');
    assert.match(await text(page, '.f-due'), /超期办结$/);

    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('every character of /cases and /reports is in the served font', () => {
  const charsFile = path.join(ROOT, 'web', 'fonts', 'hallq-sc.woff2.chars');
  assert.ok(fs.existsSync(charsFile), `${charsFile} is missing: run make`);
  const have = new Set(fs.readFileSync(charsFile, 'utf8').split('\n')
    .filter(l => /^[0-9A-F]+$/i.test(l.trim())).map(l => parseInt(l, 16)));
  const missing = new Set();
  for (const f of ['cases.html', 'cases.js', 'cases.css', 'reports.html', 'reports.js', 'reports.css',
    'lib/cases.js', 'lib/reports.js', 'lib/text.js', 'dashboard.html', 'dashboard.js'])
    for (const ch of fs.readFileSync(path.join(ROOT, 'web', f), 'utf8'))
      if (ch.codePointAt(0) >= 0x80 && !have.has(ch.codePointAt(0)))
        missing.add(`${f}: ${ch} U+${ch.codePointAt(0).toString(16).toUpperCase()}`);
  assert.deepEqual([...missing], []);
});
