// tests/browser/advice.test.mjs — the dashboard's 窗口配置建议 (GET
// /api/staffing) and 窗口动态调整 (GET /api/advice, POST /api/advice/auto)
// panels in Debian's chromium against a real hallqd running the demo hall
// (etc/hallq.json: 28 windows, its Chinese names), its clock on a working
// Tuesday at 16:55 in the hall (inside its hours; -a, as DemoHall runs it):
//   - the staffing panel drawn: uPlot's canvas with ink, a table column per
//     hour of the answer, the hall's hour (16) marked, the hours where more
//     windows are recommended than open highlighted, source and target said;
//   - a scripted backlog: windows 15–17 (不动产) closed with the manager's
//     token, 40 tickets of 不动产转移登记 (BDC01): the late matter and the
//     suggestion 开放 15号窗口 with its effect; 采纳 opens window 15 (GET
//     /api/hall says so) and the panel drops the suggestion; a refused
//     采纳 said in words;
//   - the automatic mode (高峰应急) on with max_windows 1: one change in
//     force (its window.tiers "by":"advice" event), said with its window,
//     matter and until in the hall's time; off: none, said taken back, the
//     window's tiers as before;
//   - English at 1280×800, nothing of the two panels overflowing.
// Screenshots: build/browser/advice-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DemoHall, browser, openPage, shot, SHOTS } from './lib.mjs';
import path from 'node:path';

const WAIT = 10000;
// Tuesday 2026-12-01 16:55 in Asia/Shanghai (08:55 UTC).
const TUESDAY_1655 = Date.UTC(2026, 11, 1, 8, 55, 0);

function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }

// Bounded: poll until pred holds.
async function until(fn, pred, what, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (pred(last))
      return last;
    await sleep(100);
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`);
}

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

function hallTime(ms) {
  return new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

// Runs in the page: text boxes of the two panels that overflow, and the
// document's sideways scroll.
function probeFit() {
  const out = [];
  if (document.documentElement.scrollWidth > window.innerWidth + 1)
    out.push(`document ${document.documentElement.scrollWidth} > ${window.innerWidth}`);
  for (const box of ['#staffing-box', '#advice-box']) {
    const b = document.querySelector(box);
    const br = b.getBoundingClientRect();
    if (br.right > window.innerWidth + 1)
      out.push(`${box} outside the viewport`);
    for (const e of b.querySelectorAll('*')) {
      const cs = getComputedStyle(e);
      if (cs.display === 'none' || cs.display === 'inline' || !e.getClientRects().length || ['CANVAS', 'OPTION'].includes(e.tagName))
        continue;
      const hasText = [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
      if (!hasText)
        continue;
      if (e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
        out.push(`${box} ${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}" ${e.scrollWidth}x${e.scrollHeight} > ${e.clientWidth}x${e.clientHeight}`);
      const r = e.getBoundingClientRect();
      if (r.right > br.right + 1 || r.left < br.left - 1)
        out.push(`${box} ${e.tagName}.${e.className} "${e.textContent.trim().slice(0, 30)}" outside its panel`);
    }
  }
  return out;
}

test('dashboard: staffing against open windows; advice with 采纳; the automatic mode on and off', { timeout: 120000 }, async () => {
  const hall = new DemoHall({ clockStart: TUESDAY_1655 });
  let b;
  try {
    await hall.start();
    const staffing = await hall.api('GET', '/api/staffing', undefined, 'm1');
    assert.equal(staffing.status, 200);
    assert.equal(staffing.json.working_day, true);
    const hours = staffing.json.hours;
    assert.ok(hours.length >= 9, JSON.stringify(hours.map(h => h.hour)));
    const rec = h => (h.checked && typeof h.checked.windows === 'number' ? h.checked.windows : h.recommended);
    const shortHours = hours.filter(h => rec(h) > h.open_windows).map(h => h.hour);

    // The backlog: the 不动产 windows 15–17 closed, 40 of 不动产转移登记 waiting.
    for (const n of [15, 16, 17])
      assert.equal((await hall.api('POST', `/api/windows/${n}/close`, undefined, 'm1')).status, 200, `close ${n}`);
    for (let i = 0; i < 40; i++)
      await hall.issue('BDC01');

    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await page.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await page.waitForFunction(() => document.querySelectorAll('#windows .wcard').length === 28, null, { timeout: WAIT });

    // 窗口配置建议: a column per hour, the hall's hour marked, the short hours highlighted.
    await page.waitForFunction(n => document.querySelectorAll('#staffing-table tr[data-row="rec"] td').length === n,
      hours.length, { timeout: WAIT });
    await page.waitForFunction(() => document.querySelector('#staffing-table thead th.now')?.textContent === '16', null, { timeout: WAIT });
    const cells = await page.$$eval('#staffing-table tr[data-row="rec"] td', tds => tds.map(td => [Number(td.dataset.hour), td.textContent, td.classList.contains('short')]));
    assert.deepEqual(cells.map(c => c[0]), hours.map(h => h.hour));
    assert.deepEqual(cells.map(c => Number(c[1])), hours.map(rec));
    assert.deepEqual(cells.filter(c => c[2]).map(c => c[0]), shortHours);
    const open = await page.$$eval('#staffing-table tr[data-row="open"] td', tds => tds.map(td => Number(td.textContent)));
    assert.deepEqual(open, hours.map(h => h.open_windows));
    assert.match(await text(page, '#staffing-meta'), /依据：到达预测.*目标：80% 在 15 分钟内叫号/);
    if (shortHours.length)
      assert.equal(await text(page, '#staffing-sum'), `${shortHours.length} 个时段建议多于开放`);
    // The chart: uPlot's canvas, with ink on it; its legend in words.
    await page.waitForSelector('#chart-staffing canvas', { timeout: WAIT });
    const ink = await page.$eval('#chart-staffing canvas', c => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i]) n++;
      return { n, w: c.width, h: c.height };
    });
    assert.ok(ink.w > 300 && ink.h > 100 && ink.n > 1000, JSON.stringify(ink));
    const checked = hours.some(h => h.checked && typeof h.checked.windows === 'number');
    assert.match(await text(page, '#chart-staffing .u-legend'), checked ? /建议（仿真核验）.*开放窗口/ : /建议窗口.*开放窗口/);

    // 窗口动态调整: the late matter, and 开放 15号窗口 with its effect.
    const late = page.locator('#advice-late tr[data-matter="BDC01"]');
    await late.waitFor({ timeout: WAIT });
    const lateCells = await late.locator('td').allTextContents();
    assert.equal(lateCells[0].trim(), 'BDC01 不动产转移登记');
    assert.equal(lateCells[1].trim(), '40');
    assert.match(lateCells[2].trim(), /^\d+:\d\d$/);
    assert.match(lateCells[3].trim(), /^约 \d+ \/ 30 分钟$/);
    // Late: BDC01's backlog, and any matter the forecast alone makes late
    // at this hour (as GET /api/advice says).
    const nlate = (await hall.api('GET', '/api/advice', undefined, 'm1')).json.late.length;
    assert.ok(nlate >= 1);
    assert.match(await text(page, '#advice-sum'), new RegExp(`^${nlate} 个事项超时`));
    const open15 = page.locator('#advice-list li[data-action="open"][data-window="15"]');
    await open15.waitFor({ timeout: WAIT });
    assert.equal(await text(page, '#advice-list li[data-window="15"] .sg-what'), '开放 15号窗口');
    assert.match(await text(page, '#advice-list li[data-window="15"] .sg-effect'), /^不动产转移登记 平均等候 约 \d+ 分钟 → \d+ 分钟$/);
    const adv = (await hall.api('GET', '/api/advice', undefined, 'm1')).json;
    const s15 = adv.suggestions.find(s => s.window === 15 && s.action === 'open');
    assert.ok(s15, JSON.stringify(adv.suggestions));
    assert.ok(s15.effect.wait_mean_s_after < s15.effect.wait_mean_s_before);
    await page.screenshot({ path: path.join(SHOTS, 'advice-1920-full.png'), fullPage: true });
    await shot(page, 'advice-1920');
    await page.locator('#staffing-box').screenshot({ path: path.join(SHOTS, 'advice-staffing-panel.png') });
    await page.locator('#advice-box').screenshot({ path: path.join(SHOTS, 'advice-panel.png') });

    // 采纳: window 15 opens (the hall says so); the suggestion goes, the card says 开放.
    await page.click('#advice-list li[data-window="15"] button[data-adopt]');
    await until(() => hall.api('GET', '/api/hall', undefined, 'm1'),
      r => r.json?.windows?.find(w => w.number === 15)?.state === 'open', 'window 15 open');
    await page.waitForFunction(() => !document.querySelector('#advice-list li[data-window="15"]'), null, { timeout: WAIT });
    await page.waitForFunction(() => document.querySelector('[data-window="15"] .wc-state')?.textContent === '开放', null, { timeout: WAIT });

    // A refused 采纳 is said in words (the daemon's answer stood in for by
    // the browser: 409 hall_closed on opening window 16); nothing changes.
    await page.route('**/api/windows/16/open', r => r.fulfill({ status: 409, contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'hall_closed', message: 'the hall is closed' } }) }));
    await page.locator('#advice-list li[data-window="16"] button[data-adopt]').click({ timeout: WAIT });
    await page.waitForFunction(() => !document.getElementById('advice-msg').hidden, null, { timeout: WAIT });
    assert.equal(await text(page, '#advice-msg'), '未能采纳“开放 16号窗口”：大厅未营业。');
    await page.unroute('**/api/windows/16/open');
    assert.equal((await hall.api('GET', '/api/windows/16', undefined, 'm1')).json.window.state, 'closed');

    // 高峰应急: on, one window at most, a gain of a minute: one change in force.
    const seq0 = (await hall.api('GET', '/api/status')).json.seq;
    const lateBefore = (await hall.api('GET', '/api/advice', undefined, 'm1')).json.late;
    await page.fill('#auto-max', '1');
    await page.fill('#auto-gain', '1');
    await page.fill('#auto-hold', '30');
    await page.check('#auto-on');
    const ev = await until(async () => {
      const r = await hall.api('GET', `/api/events?since=${seq0}&limit=1000`, undefined, 'm1');
      return (r.json?.events || []).find(e => e.type === 'window.tiers' && e.by === 'advice');
    }, e => !!e, 'a window.tiers event by advice', 8000);
    // The matter is a late one (BDC01's backlog, or one the forecast makes
    // late at this hour).
    const lm = lateBefore.find(m => m.matter === ev.matter);
    assert.ok(lm, `${ev.matter} was late: ${JSON.stringify(lateBefore.map(m => m.matter))}`);
    assert.equal(ev.until - ev.at, 30 * 60000);
    const w = ev.window.number;
    const auto = (await hall.api('GET', '/api/advice', undefined, 'm1')).json.auto;
    assert.equal(auto.enabled, true);
    assert.equal(auto.max_windows, 1);
    assert.deepEqual(auto.active.map(a => a.window), [w]);
    const item = page.locator(`#auto-active li[data-window="${w}"]`);
    await item.waitFor({ timeout: WAIT });
    assert.equal(await page.locator('#auto-active li[data-window]').count(), 1);
    assert.equal((await item.textContent()).trim(),
      `${w}号窗口 优先办理 ${ev.matter} ${lm.name}，至 ${hallTime(ev.until)}`);
    assert.equal(await page.isChecked('#auto-on'), true);
    assert.match(await text(page, '#auto-state'), /^已开启/);
    await shot(page, 'advice-auto-on');
    await page.locator('#advice-box').screenshot({ path: path.join(SHOTS, 'advice-panel-auto-on.png') });

    // Off: every change taken back, and said so.
    await page.uncheck('#auto-on');
    await page.waitForFunction(() => document.querySelectorAll('#auto-active li[data-window]').length === 0, null, { timeout: WAIT });
    assert.match(await text(page, '#auto-state'), /自动调整已关闭：1 项调整已撤回/);
    const off = (await hall.api('GET', '/api/advice', undefined, 'm1')).json.auto;
    assert.equal(off.enabled, false);
    assert.deepEqual(off.active, []);
    const tw = (await hall.api('GET', `/api/windows/${w}`, undefined, 'm1')).json.window.tiers;
    assert.deepEqual(tw, auto.active[0].previous);
    await shot(page, 'advice-auto-off');
    await page.locator('#advice-box').screenshot({ path: path.join(SHOTS, 'advice-panel-auto-off.png') });

    // English at the smallest size: the panels speak it and fit.
    const en = await openPage(b, `${hall.base}/dashboard?token=m1&lang=en`, { width: 1280, height: 800, errors });
    await en.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await en.locator('#advice-late tr[data-matter="BDC01"]').waitFor({ timeout: WAIT });
    await en.waitForSelector('#chart-staffing canvas', { timeout: WAIT });
    assert.equal(await text(en, '#advice-box h2 span'), 'Window adjustment');
    assert.equal(await text(en, '#staffing-box h2 span'), 'Staffing');
    const firstWhat = await text(en, '#advice-list li .sg-what');
    assert.match(firstWhat, /^(Open|Resume) .+$|^Let .+ serve .+ first$/);
    await en.evaluate(() => document.fonts.ready.then(() => null));
    assert.deepEqual(await en.evaluate(probeFit), []);
    await en.locator('#advice-box').scrollIntoViewIfNeeded();
    await shot(en, 'advice-en-1280');
    await en.locator('#staffing-box').scrollIntoViewIfNeeded();
    await shot(en, 'advice-en-1280-staffing');
    // And Chinese at 1280×800.
    const zh = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1280, height: 800, errors });
    await zh.locator('#advice-late tr[data-matter="BDC01"]').waitFor({ timeout: WAIT });
    await zh.waitForSelector('#chart-staffing canvas', { timeout: WAIT });
    await zh.evaluate(() => document.fonts.ready.then(() => null));
    assert.deepEqual(await zh.evaluate(probeFit), []);
    await zh.locator('#advice-box').scrollIntoViewIfNeeded();
    await shot(zh, 'advice-zh-1280');
    assert.deepEqual(await page.evaluate(probeFit), []);

    // The one refusal stood in for above is the browser's console line of its 409.
    assert.deepEqual(errors.filter(e => !/\/dashboard\?token=m1: Failed to load resource: the server responded with a status of 409/.test(e)), []);
    assert.equal(errors.length <= 1, true, errors.join('\n'));
    await b.close();
    b = null;
    await hall.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
  }
});
