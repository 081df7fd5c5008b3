// tests/browser/audit.test.mjs — the dashboard's 操作记录 (the audit trail)
// in Debian's chromium against a real hallqd running the demo hall's
// configuration (manager token m1 named 王主任, admin a1 信息科李工): the
// trail read at start newest first (GET /api/audit), 更早 for the older page,
// then live from the `audit` events: a window paused from the dashboard, a
// tiers change and a cancel through the API, each with who did it and what
// in words (the window, the ticket's number, the tiers); English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { DemoHall, SHOTS, browser, openPage, shot } from './lib.mjs';

const WAIT = 10000;

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

// The first (newest) line of the trail, once it says what is wanted.
async function newest(page, re) {
  await page.waitForFunction(src => {
    const li = document.querySelector('#audit li.au');
    return !!li && new RegExp(src).test(li.textContent);
  }, re.source, { timeout: WAIT });
  const li = page.locator('#audit li.au').first();
  return {
    by: (await li.locator('.au-by').textContent()).trim(),
    what: (await li.locator('.au-what').textContent()).trim(),
    at: (await li.locator('.au-at').textContent()).trim(),
  };
}

test('dashboard 操作记录: the trail, 更早, live with the name and in words; English', async () => {
  const hall = new DemoHall();
  let b;
  try {
    await hall.start();
    // History: 55 moves of window 10 by the manager, then window 4's tiers by the admin.
    for (let i = 0; i < 55; i++)
      assert.equal((await hall.api('POST', `/api/windows/10/${i % 2 ? 'resume' : 'pause'}`, undefined, 'm1')).status, 200);
    assert.equal((await hall.api('POST', '/api/windows/4/tiers', { tiers: [['SB01', 'SB02'], ['YB01']] }, 'a1')).status, 200);
    const trail = await hall.api('GET', '/api/audit?limit=500', undefined, 'm1');
    assert.equal(trail.status, 200);
    assert.equal(trail.json.audit.length, 56);
    assert.equal(trail.json.audit[0].by, '信息科李工');
    assert.equal(trail.json.audit[1].by, '王主任');

    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });
    await page.waitForSelector('#conn.conn-live', { timeout: WAIT });
    assert.equal(await text(page, '#audit-box h2 span'), '操作记录');

    // The first page: newest first, the admin's tiers on top.
    await page.waitForFunction(() => document.querySelectorAll('#audit li.au').length === 50, null, { timeout: WAIT });
    let top = await newest(page, /调整服务层级/);
    assert.equal(top.by, '信息科李工');
    assert.equal(top.what, '调整服务层级 4号窗口：第1层 SB01 SB02；第2层 YB01');
    assert.match(top.at, /^\d\d:\d\d:\d\d$/);
    const second = page.locator('#audit li.au').nth(1);
    assert.equal((await second.locator('.au-by').textContent()).trim(), '王主任');
    assert.equal((await second.locator('.au-what').textContent()).trim(), '暂停 10号窗口');	// the 55th: i = 54, pause
    const seqs = await page.$$eval('#audit li.au', ls => ls.map(l => Number(l.getAttribute('data-seq'))));
    assert.deepEqual(seqs, [...seqs].sort((x, y) => y - x), 'newest first');

    // 更早: the older entries, then nothing older.
    assert.equal(await page.locator('#audit-older').isVisible(), true);
    assert.equal(await text(page, '#audit-older'), '更早');
    await page.click('#audit-older');
    await page.waitForFunction(() => document.querySelectorAll('#audit li.au').length === 56, null, { timeout: WAIT });
    await page.waitForSelector('#audit-older[hidden]', { state: 'attached', timeout: WAIT });
    assert.equal(await text(page, '#audit-msg'), '没有更早的记录');
    assert.equal((await page.locator('#audit li.au').last().locator('.au-what').textContent()).trim(), '暂停 10号窗口');

    // Live: window 3 paused from the dashboard's own button.
    await page.click('[data-window="3"] button[data-act="pause"]');
    top = await newest(page, /3号窗口/);
    assert.equal(top.by, '王主任');
    assert.equal(top.what, '暂停 3号窗口');

    // Live: window 2's tiers through the API.
    assert.equal((await hall.api('POST', '/api/windows/2/tiers', { tiers: [['SB01'], ['YB01', 'BDC01']] }, 'm1')).status, 200);
    top = await newest(page, /2号窗口/);
    assert.equal(top.by, '王主任');
    assert.equal(top.what, '调整服务层级 2号窗口：第1层 SB01；第2层 YB01 BDC01');

    // Live: a ticket called at window 5 by the manager and cancelled: its number.
    const tk = (await hall.issue('SB01')).ticket;
    assert.equal((await hall.api('POST', '/api/windows/5/call', { ticket: tk.id }, 'm1')).status, 200);
    top = await newest(page, /叫回/);
    assert.equal(top.what, `5号窗口 叫回 ${tk.number}`);
    assert.equal((await hall.api('DELETE', `/api/tickets/${tk.id}`, undefined, 'm1')).status, 200);
    top = await newest(page, /取消号/);
    assert.equal(top.by, '王主任');
    // (the daemon names no window for a cancel today, though the ticket was at 5)
    assert.match(top.what, new RegExp(`^(5号窗口 )?取消号 ${tk.number}$`));
    // Live: the configuration saved by the admin (a matter's target), in force.
    const cur = await hall.api('GET', '/api/config', undefined, 'a1');
    cur.json.config.matters[0].target_wait_s = 1200;
    assert.equal((await hall.api('PUT', '/api/config', { config: cur.json.config, version: cur.json.version }, 'a1')).status, 200);
    top = await newest(page, /修改配置/);
    assert.equal(top.by, '信息科李工');
    assert.equal(top.what, '修改配置：事项');
    assert.equal(await page.locator('#audit li.au').count(), 61);
    await shot(page, 'audit-dashboard-1920');
    await page.locator('#audit-box').screenshot({ path: path.join(SHOTS, 'audit-panel.png') });

    // English, at the small screen.
    const en = await openPage(b, `${hall.base}/dashboard?token=m1&lang=en`, { width: 1280, height: 800, errors });
    await en.waitForSelector('#conn.conn-live', { timeout: WAIT });
    assert.equal(await text(en, '#audit-box h2 span'), 'Audit trail');
    top = await newest(en, /changed the configuration/);
    assert.equal(top.by, '信息科李工');
    assert.equal(top.what, 'changed the configuration: matters');
    const cancel = en.locator('#audit li.au').nth(1);
    assert.equal((await cancel.locator('.au-by').textContent()).trim(), '王主任');
    assert.match((await cancel.locator('.au-what').textContent()).trim(), new RegExp(`^cancelled ${tk.number}( at Window 5)?$`));
    assert.equal(await text(en, '#audit-older'), 'Older');
    await en.click('[data-window="3"] button[data-act="resume"]');
    top = await newest(en, /resumed Window 3/);
    assert.equal(top.by, '王主任');
    await en.locator('#audit-box').scrollIntoViewIfNeeded();
    await shot(en, 'audit-dashboard-en-1280');

    assert.deepEqual(errors, []);
    await b.close();
    b = null;
    await hall.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
  }
});
