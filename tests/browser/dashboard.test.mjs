// The manager dashboard (/dashboard?token=m1) in Debian's chromium against a
// real hallqd: the load per matter, the window grid with the clerk and the
// ticket, pause and resume from its buttons, a window's tiers changed in the
// editor, today's figures, the uPlot charts, alerts (a device that is down, a
// late matter and a long pause with the page's clock moved on), English.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { Hall, browser, openPage, shot, freePort } from './lib.mjs';

const WAIT = 10000;

// A port nobody listens on: the window strip on it stays down.
async function deadPort() {
  const port = await freePort();
  await new Promise((resolve) => {
    const c = net.connect(port, '127.0.0.1');
    c.on('error', resolve);
    c.on('connect', () => { c.destroy(); resolve(); });
  });
  return port;
}

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

// Bounded: wait until the element's text is the one wanted.
async function waitText(page, sel, want, timeout = WAIT) {
  await page.waitForFunction(([s, w]) => {
    const e = document.querySelector(s);
    return !!e && e.textContent.trim() === w;
  }, [sel, want], { timeout });
}

// Bounded: poll REST until pred holds.
async function until(fn, pred, what, timeout = WAIT) {
  const deadline = Date.now() + timeout;
  let last;
  while (Date.now() < deadline) {
    last = await fn();
    if (pred(last))
      return last;
    await new Promise(r => setTimeout(r, 50));
  }
  throw new Error(`${what}: still ${JSON.stringify(last)}`);
}

test('manager dashboard', async () => {
  const port = await deadPort();
  const hall = new Hall({
    devices: [{ name: 'w1-strip', role: 'window_display', window: 1, protocol: 'bx', address: 1, transport: `tcp:127.0.0.1:${port}` }],
  });
  let b;
  try {
    await hall.start();
    const issued = [];
    for (let i = 0; i < 3; i++)
      issued.push((await hall.issue('SB01')).ticket);
    issued.push((await hall.issue('YB01')).ticket);

    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/dashboard?token=m1`, { width: 1920, height: 1080, errors });

    // The load: SB01 waits 3, its domain 3, YB01 1.
    await page.waitForSelector('#conn.conn-live', { timeout: WAIT });
    await waitText(page, 'tr[data-matter="SB01"] .waiting', '3');
    await waitText(page, 'tr[data-matter="YB01"] .waiting', '1');
    await waitText(page, 'tr[data-domain="SB"] .waiting', '3');
    assert.match(await text(page, 'tr[data-matter="SB01"]'), /社保参保登记/);
    assert.equal(await page.locator('#windows .wcard').count(), 5);
    assert.equal(await text(page, 'header h1 .sub'), '管理看板');

    // Window 3's clerk calls: the grid shows the ticket, its clock and the clerk.
    const call = await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3');
    assert.equal(call.status, 200);
    assert.equal(call.json.ticket.number, issued[0].number);
    await waitText(page, '[data-window="3"] .tk-no', issued[0].number);
    await waitText(page, '[data-window="3"] .clerk', '王芳');
    assert.equal(await text(page, '[data-window="3"] .tk-state'), '叫号中');
    assert.match(await text(page, '[data-window="3"] .tk-time'), /^\d+:\d\d$/);
    await waitText(page, 'tr[data-matter="SB01"] .waiting', '2');
    // Window 3 serves SB01+SB02 first, YB01 second: 2 and 1 wait for it.
    await waitText(page, '[data-window="3"] .tier[data-tier="0"] b', '2');
    await waitText(page, '[data-window="3"] .tier[data-tier="1"] b', '1');

    // Pause window 1 from its button; REST says paused; resume it.
    await page.click('[data-window="1"] button[data-act="pause"]');
    await until(() => hall.api('GET', '/api/windows/1', undefined, 'm1'),
      r => r.json?.window?.state === 'paused', 'window 1 paused');
    await waitText(page, '[data-window="1"] .wc-state', '暂停');
    await page.click('[data-window="1"] button[data-act="resume"]');
    await until(() => hall.api('GET', '/api/windows/1', undefined, 'm1'),
      r => r.json?.window?.state === 'open', 'window 1 open again');
    await waitText(page, '[data-window="1"] .wc-state', '开放');

    // Window 2's tiers from the editor: SB01 first, then YB01 and BDC01; SB02 not at all.
    await page.click('[data-window="2"] button[data-act="tiers"]');
    const dlg = page.locator('#tier-dialog');
    await dlg.waitFor({ state: 'visible', timeout: WAIT });
    assert.match(await text(page, '#tier-title'), /2号窗口/);
    assert.equal(await page.locator('#tier-table tr[data-matter="YB01"] input[value="0"]').isChecked(), true);
    await page.click('#tier-add');
    await page.check('#tier-table tr[data-matter="SB01"] input[value="0"]');
    await page.check('#tier-table tr[data-matter="SB02"] input[value="-1"]');
    await page.check('#tier-table tr[data-matter="YB01"] input[value="1"]');
    await page.check('#tier-table tr[data-matter="BDC01"] input[value="1"]');
    assert.equal(await text(page, '#tier-preview'), '第1层: SB01；第2层: YB01 BDC01');
    await page.click('#tier-save');
    await dlg.waitFor({ state: 'hidden', timeout: WAIT });
    const w2 = await hall.api('GET', '/api/windows/2', undefined, 'm1');
    assert.deepEqual(w2.json.window.tiers, [['SB01'], ['YB01', 'BDC01']]);
    await page.waitForFunction(() => document.querySelectorAll('[data-window="2"] .tier').length === 2 &&
      document.querySelector('[data-window="2"] .tier[data-tier="0"]').title.endsWith('SB01'), null, { timeout: WAIT });

    // Serve and finish the ticket; the figures on demand.
    assert.equal((await hall.api('POST', '/api/windows/3/start', undefined, 'c3')).status, 200);
    await waitText(page, '[data-window="3"] .tk-state', '办理中');
    assert.equal((await hall.api('POST', '/api/windows/3/finish', undefined, 'c3')).status, 200);
    await page.waitForSelector('[data-window="3"] .tk-none', { timeout: WAIT });
    await page.click('#stats-refresh');
    await waitText(page, '[data-kpi="issued"] .kpi-v', '4');
    await waitText(page, '[data-kpi="served"] .kpi-v', '1');
    await waitText(page, '[data-kpi="no_shows"] .kpi-v', '0');
    await waitText(page, '[data-kpi="waiting"] .kpi-v', '3');
    assert.match(await text(page, '[data-kpi="mean_wait"] .kpi-v'), /^\d+:\d\d$/);

    // The charts: uPlot's canvases, a line per matter that had anyone.
    await page.waitForSelector('#chart-waiting canvas', { timeout: WAIT });
    assert.equal(await page.locator('#chart-mean canvas').count(), 1);
    assert.match(await text(page, '#chart-waiting .u-legend'), /SB01 社保参保登记/);

    // The strip on the dead port is down: an alert.
    await page.waitForSelector('#alerts li[data-key="d:w1-strip"]', { timeout: 15000 });
    assert.match(await text(page, '#alerts li[data-key="d:w1-strip"]'), /w1-strip/);
    assert.match(await text(page, '#devices-line'), /设备 0\/1 在线/);

    await shot(page, 'dashboard-1920');

    // English, at the small screen; the language button goes back and forth.
    const en = await openPage(b, `${hall.base}/dashboard?token=m1&lang=en`, { width: 1280, height: 800, errors });
    await waitText(en, 'tr[data-matter="SB01"] .waiting', '2');
    assert.equal(await text(en, '[data-kpi="issued"] .kpi-l'), 'Issued today');
    assert.equal(await text(en, '#windows-box h2 span'), 'Windows');
    assert.equal(await text(en, '[data-window="1"] button[data-act="pause"]'), 'Pause');
    assert.equal(await text(en, '#load thead th'), 'Domain / matter');
    await en.click('#lang');
    await waitText(en, '[data-kpi="issued"] .kpi-l', '今日取号');
    await en.click('#lang');
    await waitText(en, '[data-kpi="issued"] .kpi-l', 'Issued today');
    await waitText(en, '[data-kpi="issued"] .kpi-v', '4');
    await en.waitForSelector('#chart-waiting canvas', { timeout: WAIT });
    assert.match(await text(en, '#chart-waiting .u-legend'), /SB01/);
    await shot(en, 'dashboard-en');

    // Alerts that need time, with the page's clock moved on: window 2 paused
    // (since, the daemon's time) 16 minutes ago; then, 11 minutes after the
    // page read the loads, SB01's oldest wait is past its 600 s target while
    // YB01's (1800 s) is not.
    assert.equal((await hall.api('POST', '/api/windows/2/pause', undefined, 'm1')).status, 200);
    const later = await openPage(b, `${hall.base}/dashboard?token=m1&lang=zh`, { width: 1920, height: 1080, errors });
    await later.clock.install({ time: Date.now() + 16 * 60 * 1000 });
    await later.reload();
    await later.waitForSelector('#alerts li[data-key="w:2"]', { timeout: WAIT });
    assert.match(await text(later, '#alerts li[data-key="w:2"]'), /2号窗口 已暂停 1[67]:\d\d/);
    assert.equal(await later.locator('#alerts li[data-key="m:SB01"]').count(), 0);
    await waitText(later, 'tr[data-matter="SB01"] .waiting', '2');
    await later.clock.fastForward('11:00');
    await later.waitForSelector('#alerts li[data-key="m:SB01"]', { timeout: WAIT });
    assert.match(await text(later, '#alerts li[data-key="m:SB01"]'), /超过目标 10 分钟/);
    assert.equal(await later.locator('#alerts li[data-key="m:YB01"]').count(), 0);
    assert.match(await later.locator('tr[data-matter="SB01"] .oldest').getAttribute('class'), /late/);
    await shot(later, 'dashboard-alerts');

    assert.deepEqual(errors, []);
    await b.close();
    b = null;
    await hall.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
  }
});
