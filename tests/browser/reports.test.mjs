// tests/browser/reports.test.mjs — /reports in Debian's chromium against a
// real hallqd on the demo hall (etc/hallq.json), after a scripted run:
// tickets of several matters issued at 09:00 and 10:05 of a working day,
// served at windows 3 and 4 minutes later, a no-show, a cancellation,
// ratings of 5, 4 and 1 on the windows' evaluators (see scriptedRun).
//   - the table by matter says what GET /api/reports says, column by column,
//     for SB01 and the total (each figure as lib/reports.js says it); by
//     hour likewise;
//   - the three uPlot charts are drawn: their canvases hold the series'
//     own colours (waits by hour, issued and served by matter, the five
//     levels); their axes and legends in the served font;
//   - CSV: the download (fetched with the bearer token, saved from a blob)
//     is the API's CSV byte for byte, starting with the UTF-8 BOM;
//   - the month's report printed: with print media at 794×1123 (A4 at 96
//     dpi) no controls, the hall and 'YYYY年M月 月度报表' on top, the tables
//     and charts within the page's width; page.pdf({format: 'A4'}) makes a
//     PDF of some size.
// Screenshots: build/browser/reports-*.png, and reports-month-a4.pdf.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, SHOTS, WORKDAY_MORNING, browser, openPage, shot } from './lib.mjs';

await import('../../web/lib/reports.js');
const R = globalThis.HallqReports;

const WAIT = 10000;
const sleep = ms => new Promise(r => setTimeout(r, ms));

async function api(hall, method, p, body, token) {
  const r = await hall.api(method, p, body, token);
  assert.ok(r.status >= 200 && r.status < 300, `${method} ${p}: ${r.status} ${JSON.stringify(r.json)}`);
  return r.json;
}

// The run, on the demo hall's clock from a working day's 09:00
// (WORKDAY_MORNING), moved on by restarts so that waits take minutes:
//   09:00 SB01 ×5, SB02, YB01, GJJ01 issued; an SB01 cancelled
//   09:12 window 3 serves two SB01 (rated 5 and 1), window 4 one (rated 4)
//         and misses one (过号)
//   10:05 YB01 and SB02 issued; window 3 serves the 09:00 SB02 (rated 5),
//         window 4 the 09:00 YB01 (not rated)
//   10:20 window 4 serves the 10:05 YB01 (rated 4), window 3 the SB02
// GJJ01 still waits.
async function at(hall, ms) {
  hall.setClock(ms);
  await hall.restart();
}

async function handle(hall, tk, w, how, score) {
  await api(hall, 'POST', `/api/windows/${w}/call`, { ticket: tk.id }, `c${w}`);
  if (how === 'no-show') {
    await api(hall, 'POST', `/api/windows/${w}/no-show`, {}, `c${w}`);
    return;
  }
  await api(hall, 'POST', `/api/windows/${w}/start`, {}, `c${w}`);
  await sleep(20);
  await api(hall, 'POST', `/api/windows/${w}/finish`, {}, `c${w}`);
  if (score)
    await api(hall, 'POST', '/api/ratings', { ticket: tk.id, score }, `e${w}`);
}

async function scriptedRun(hall) {
  const issue = async matter => (await api(hall, 'POST', '/api/tickets', { matter }, 'k1')).ticket;
  const sb = [];
  for (let i = 0; i < 5; i++)
    sb.push(await issue('SB01'));
  const sb02 = await issue('SB02'), yb01 = await issue('YB01');
  await issue('GJJ01');
  await api(hall, 'DELETE', `/api/tickets/${sb[4].id}`, undefined, 'k1');
  await at(hall, WORKDAY_MORNING + 12 * 60000);
  await handle(hall, sb[0], 3, 'done', 5);
  await handle(hall, sb[1], 3, 'done', 1);
  await handle(hall, sb[2], 4, 'done', 4);
  await handle(hall, sb[3], 4, 'no-show');
  await at(hall, WORKDAY_MORNING + 65 * 60000);
  const yb01b = await issue('YB01'), sb02b = await issue('SB02');
  await handle(hall, sb02, 3, 'done', 5);
  await handle(hall, yb01, 4, 'done', null);
  await at(hall, WORKDAY_MORNING + 80 * 60000);
  await handle(hall, yb01b, 4, 'done', 4);
  await handle(hall, sb02b, 3, 'done', null);
}

// In the page: how many pixels of a chart's canvas have the colour rgb.
function ink([sel, rgb]) {
  const c = document.querySelector(`${sel} canvas`);
  if (!c || !c.width || !c.height)
    return -1;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4)
    if (d[i + 3] > 200 && Math.abs(d[i] - rgb[0]) <= 6 && Math.abs(d[i + 1] - rgb[1]) <= 6 && Math.abs(d[i + 2] - rgb[2]) <= 6)
      n++;
  return n;
}

// The table's row of a group (key) as the page shows it: field → text.
function rowOf([table, key]) {
  const tr = document.querySelector(`${table} tr[data-key="${key}"]`);
  if (!tr)
    return null;
  const out = { name: tr.querySelector('td.k').textContent.trim() };
  for (const td of tr.querySelectorAll('td[data-f]'))
    out[td.getAttribute('data-f')] = td.textContent.trim();
  return out;
}

// Every column of both tables for one group of a report, as the page must
// say it.  A window's utilisation runs with the clock (a window open now is
// open until now): where there is one, only its form.
async function sameAsApi(page, group, key, what) {
  for (const [table, cols] of [['#t-queue', R.TABLES.queue], ['#t-service', R.TABLES.service]]) {
    const shown = await page.evaluate(rowOf, [table, key]);
    assert.ok(shown, `${what}: no row ${key} in ${table}`);
    for (const [f, kind] of cols)
      if (f === 'utilisation_pct' && group[f] !== null)
        assert.match(shown[f], /^\d+\.\d%$/, `${what} ${table} ${f}`);
      else
        assert.equal(shown[f], R.cell(R.field(group, f), kind), `${what} ${table} ${f}`);
  }
}

async function loaded(page) {
  await page.waitForFunction(() => document.body.getAttribute('data-loaded') === 'yes', null, { timeout: WAIT });
}

test('/reports: the figures of GET /api/reports, three uPlot charts, CSV with its BOM, the month on A4', async () => {
  const hall = await new DemoHall({ clockStart: WORKDAY_MORNING }).start();
  const b = await browser();
  const errors = [];
  try {
    await scriptedRun(hall);
    const day = (await api(hall, 'GET', '/api/status')).business_day;
    assert.equal(day, '2026-12-01');
    const rep = await api(hall, 'GET', `/api/reports?from=${day}&to=${day}&group=matter`, undefined, 'm1');
    const sb01 = rep.groups.find(g => g.key === 'SB01');
    assert.equal(sb01.issued, 5);
    assert.equal(sb01.served, 3);
    assert.equal(sb01.no_shows, 1);
    assert.equal(sb01.cancelled, 1);
    assert.deepEqual(sb01.ratings, [1, 0, 0, 1, 1]);
    assert.ok(sb01.wait_mean_s >= 700, `SB01 waited ${sb01.wait_mean_s} s`);

    const page = await openPage(b, `${hall.base}/reports?token=m1`, { width: 1280, height: 900, errors });
    await loaded(page);
    assert.equal(await page.evaluate(() => location.search), `?from=${day}&to=${day}&group=matter`, 'today by default; no token in the address');
    assert.equal((await page.textContent('#r-title')).trim(), `${day} 日报表`);
    assert.equal((await page.textContent('#r-hall')).trim(), '示范县政务服务中心');
    // The table by matter: SB01's row and the total, column by column.
    await sameAsApi(page, sb01, 'SB01', 'SB01');
    await sameAsApi(page, rep.total, 'total', 'total');
    const row = await page.evaluate(rowOf, ['#t-queue', 'SB01']);
    assert.equal(row.name, 'SB01 社保参保登记');
    assert.equal(row.issued, '5');
    assert.equal(row.served, '3');
    assert.equal((await page.evaluate(rowOf, ['#t-queue', 'total'])).name, '合计');
    assert.deepEqual(await page.$$eval('#t-queue tbody tr', rs => rs.map(r => r.getAttribute('data-key'))),
      rep.groups.map(g => String(g.key)).concat('total'));

    // The charts, each drawn in its series' colours.
    await page.waitForFunction(() => ['#c-hours', '#c-load', '#c-ratings'].every(s => document.querySelector(`${s} canvas`)),
      null, { timeout: WAIT });
    await sleep(300);
    const colours = {
      hoursMean: ['#c-hours', [0x0b, 0x5c, 0xad]], hoursP90: ['#c-hours', [0xd9, 0x48, 0x0f]],
      issued: ['#c-load', [0x9c, 0xc3, 0xea]], served: ['#c-load', [0x0b, 0x5c, 0xad]],
      level1: ['#c-ratings', [0xb4, 0x23, 0x18]], level4: ['#c-ratings', [0x5c, 0x94, 0x0d]],
      level5: ['#c-ratings', [0x1a, 0x7f, 0x37]],
    };
    for (const [what, arg] of Object.entries(colours))
      assert.ok(await page.evaluate(ink, arg) > 20, `${what}: not drawn`);
    assert.equal(await page.evaluate(ink, ['#c-ratings', [0xe8, 0x59, 0x0c]]), 0, 'no 不满意 (2) bar');
    assert.match(await page.textContent('#c-load .u-legend'), /取号[\s\S]*办结/);
    // Chinese in the charts (the levels on the canvas, the legends) in the
    // served font, not uPlot's system-ui (tofu on a screen without CJK fonts).
    for (const c of await page.evaluate(() => window.hallqReports.charts()))
      for (const f of c.fonts)
        assert.match(f, /^12px "Hallq SC"/, `${c.id} axis font`);
    assert.match(await page.$eval('#c-load .u-legend', e => getComputedStyle(e).fontFamily), /^"Hallq SC"/);
    assert.deepEqual(await page.evaluate(() => [document.documentElement.scrollWidth, innerWidth]), [1280, 1280], 'nothing sideways');
    await shot(page, 'reports-matter');

    // By hour: the page's rows are the API's.
    await page.selectOption('#group', 'hour');
    await page.waitForFunction(() => location.search.includes('group=hour'), null, { timeout: WAIT });
    await loaded(page);
    const byHour = await api(hall, 'GET', `/api/reports?from=${day}&to=${day}&group=hour`, undefined, 'm1');
    assert.deepEqual(byHour.groups.map(g => g.key), [9, 10]);
    await page.waitForFunction(k => !!document.querySelector(`#t-queue tr[data-key="${k}"]`), String(byHour.groups[0].key), { timeout: WAIT });
    for (const g of byHour.groups)
      await sameAsApi(page, g, String(g.key), `hour ${g.key}`);
    await sameAsApi(page, byHour.total, 'total', 'hour total');
    assert.match((await page.evaluate(rowOf, ['#t-queue', String(byHour.groups[0].key)])).name, /^\d\d:00–\d\d:00$/);

    // CSV: the API's bytes, BOM first.
    const want = Buffer.from(await (await fetch(`${hall.base}/api/reports?from=${day}&to=${day}&group=hour&format=csv`,
      { headers: { Authorization: 'Bearer m1' } })).arrayBuffer());
    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: WAIT }), page.click('#csv')]);
    assert.equal(dl.suggestedFilename(), `hallq-report-hour-${day}-${day}.csv`);
    const file = await dl.path();
    const got = fs.readFileSync(file);
    assert.deepEqual([...got.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
    assert.match(got.toString('utf8').slice(1), /^分组,名称,取号,绿色通道,/);
    assert.match(got.toString('utf8'), /\r\n合计,/);
    // The API's CSV, but for the windows' open time, busy time and
    // utilisation, which run with the clock (columns 14–16).
    const steady = buf => buf.toString('utf8').split('\r\n').map(l => l.split(',').filter((c, i) => i < 13 || i > 15).join(','));
    assert.equal(got.toString('utf8').split('\r\n').length, want.toString('utf8').split('\r\n').length);
    assert.deepEqual(steady(got), steady(want), 'the download is the API\'s CSV');

    // English.
    await page.click('#lang');
    await page.waitForFunction(() => document.documentElement.lang === 'en', null, { timeout: WAIT });
    assert.equal((await page.textContent('#t-queue thead th[data-f="issued"]')).trim(), 'Issued');
    assert.equal((await page.evaluate(rowOf, ['#t-queue', 'total'])).name, 'Total');
    await page.click('#lang');

    // A range the daemon refuses (over 400 days) is said in words.
    const bad = await openPage(b, `${hall.base}/reports?token=m1&from=2020-01-01&to=${day}`, { width: 1280, height: 900 });
    await bad.waitForFunction(() => document.body.getAttribute('data-loaded') === 'failed', null, { timeout: WAIT });
    assert.equal((await bad.textContent('#msg')).trim(), '日期范围无效（最多 400 天）');
    await bad.context().close();

    // The month, printed: A4 at 96 dpi.
    const month = R.month(day, 0);
    const pr = await openPage(b, `${hall.base}/reports?token=m1&from=${month.from}&to=${month.to}&group=matter`,
      { width: 794, height: 1123, errors });
    await loaded(pr);
    const [y, m] = month.from.split('-').map(Number);
    assert.equal((await pr.textContent('#r-title')).trim(), `${y}年${m}月 月度报表`);
    assert.match(await pr.textContent('#r-meta'), new RegExp(`^${month.from} 至 ${month.to} · 按事项 · 生成于 `));
    await sameAsApi(pr, (await api(hall, 'GET', `/api/reports?from=${month.from}&to=${month.to}&group=matter`, undefined, 'm1'))
      .groups.find(g => g.key === 'SB01'), 'SB01', 'month SB01');
    await pr.emulateMedia({ media: 'print' });
    await sleep(500);	// the charts fit the paper's width
    await pr.evaluate(() => document.fonts.ready.then(() => null));
    const layout = await pr.evaluate(() => {
      const vis = s => { const e = document.querySelector(s); return !!e && e.getClientRects().length > 0 && getComputedStyle(e).display !== 'none'; };
      const right = s => Math.max(...[...document.querySelectorAll(s)].map(e => e.getBoundingClientRect().right));
      return {
        controls: vis('#controls'), header: vis('header'), buttons: [...document.querySelectorAll('button')].filter(e => e.getClientRects().length).length,
        title: vis('#r-title'), hall: document.querySelector('#r-hall').textContent,
        width: document.documentElement.scrollWidth, tables: right('.rtable'), canvases: right('.chart canvas'),
        fontQueue: parseFloat(getComputedStyle(document.querySelector('#t-queue td')).fontSize),
      };
    });
    assert.deepEqual({ controls: layout.controls, header: layout.header, buttons: layout.buttons, title: layout.title },
      { controls: false, header: false, buttons: 0, title: true });
    assert.equal(layout.hall, '示范县政务服务中心');
    assert.ok(layout.width <= 794, `the page is ${layout.width} px wide`);
    assert.ok(layout.tables <= 794 && layout.canvases <= 794, `tables end at ${layout.tables}, charts at ${layout.canvases}`);
    assert.ok(layout.fontQueue >= 9, `table type of ${layout.fontQueue} px is readable`);
    for (const [what, arg] of Object.entries(colours))
      if (what !== 'hoursP90')
        assert.ok(await pr.evaluate(ink, arg) > 10, `print ${what}: not drawn`);
    await pr.screenshot({ path: path.join(SHOTS, 'reports-month-print-a4.png'), fullPage: true });
    // Within the page's margins (@page: 10 mm each side): 190 mm, 718 px.
    await pr.setViewportSize({ width: 718, height: 1123 });
    await sleep(500);
    const inner = await pr.evaluate(() => ({ width: document.documentElement.scrollWidth,
      tables: Math.max(...[...document.querySelectorAll('.rtable')].map(e => e.getBoundingClientRect().right)) }));
    assert.ok(inner.width <= 718 && inner.tables <= 718, `within the margins: ${JSON.stringify(inner)}`);
    const pdf = await pr.pdf({ format: 'A4', printBackground: true });
    fs.writeFileSync(path.join(SHOTS, 'reports-month-a4.pdf'), pdf);
    assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
    assert.ok(pdf.length > 30000, `the PDF is ${pdf.length} bytes`);
    const pages = (pdf.toString('latin1').match(/\/Type\s*\/Page[^s]/g) || []).length;
    assert.ok(pages >= 1 && pages <= 2, `${pages} A4 pages`);

    assert.deepEqual(errors, []);
  } finally {
    await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
