// tests/browser/board.test.mjs — the hall board (/board, display token) on a
// 1920×1080 screen: a call in large type with its window, the call.announce
// clips handed to the Web Audio player exactly once each, a recall that
// flashes and plays again, and a daemon restart under the open page after
// which only the new call is read out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Hall, browser, openPage, shot } from './lib.mjs';

const W = 1920, H = 1080;

// While hallqd restarts, chromium logs the refused WebSocket reconnection
// as a console error ("WebSocket connection to 'ws://…/ws?token=…' failed:
// …"). That one message, and only while the daemon is down, is expected.
const WS_REFUSED = /WebSocket connection to 'ws:\/\/127\.0\.0\.1:\d+\/ws\?token=[^']*' failed/;

async function announcements(hall) {
  const r = await hall.api('GET', '/api/events?since=0&limit=1000', undefined, 'd1');
  assert.equal(r.status, 200);
  return r.json.events.filter(e => e.type === 'call.announce');
}

const board = page => page.evaluate(() => ({
  played: window.hallqBoard.played.map(p => ({ seq: p.seq, clips: p.clips, recall: p.recall })),
  queued: window.hallqBoard.queued.map(p => p.seq),
  flashes: window.hallqBoard.flashes,
  stats: window.hallqBoard.stats(),
  conn: window.hallqBoard.conn(),
}));

const waitPlayed = (page, n, timeout = 30000) =>
  page.waitForFunction(k => window.hallqBoard.played.length >= k, n, { timeout });

const waitIdle = (page, timeout = 30000) =>
  page.waitForFunction(() => {
    const s = window.hallqBoard.stats();
    return !s.playing && s.waiting === 0;
  }, undefined, { timeout });

test('board: calls in large type, announcements played once, a recall, a daemon restart', async () => {
  const hall = new Hall();
  const errors = [];
  let b = null;
  try {
    await hall.start();
    b = await browser();
    const page = await openPage(b, `${hall.base}/board?token=d1`, { width: W, height: H, errors });
    await page.waitForFunction(() => window.hallqBoard && window.hallqBoard.conn() === 'live',
      undefined, { timeout: 10000 });
    assert.equal(await page.textContent('#hall-name'), '示范县政务服务中心');
    assert.equal(await page.textContent('#now-box .now-where'), '暂无叫号');
    // Open windows 1, 2, 3, 6 are shown; 5 is closed.
    assert.deepEqual(await page.$$eval('#windows .card', cs => cs.map(c => c.dataset.window)),
      ['1', '2', '3', '6']);

    // A call at window 3.
    await hall.issue('SB01');
    const call = await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3');
    assert.equal(call.status, 200);
    const number = call.json.ticket.number;
    assert.equal(number, 'A001');
    await page.waitForFunction(n => {
      const e = document.querySelector('#now-box .now-number');
      return e && e.textContent === n;
    }, number, { timeout: 10000 });
    assert.equal(await page.textContent('#now-box .now-where .win'), '3号窗口');
    // Large type on a 1080-line screen.
    const px = sel => page.$eval(sel, e => parseFloat(getComputedStyle(e).fontSize));
    assert.ok(await px('#now-box .now-number') >= 180, 'the number in large type');
    assert.ok(await px('#now-box .now-where .win') >= 60, 'the window in large type');
    assert.equal(await page.textContent('#windows .card[data-window="3"] .card-number'), number);
    assert.ok(await page.$('#now-box .now.flash'), 'a new call flashes');
    assert.ok(await page.$('#windows .card[data-window="3"].flash'), 'its window flashes');

    // Its announcement, exactly as the daemon sent it.
    await waitPlayed(page, 1);
    let ann = await announcements(hall);
    assert.equal(ann.length, 1);
    assert.equal(ann[0].recall, false);
    assert.equal(ann[0].clips[0], 'chime');
    let st = await board(page);
    assert.deepEqual(st.played, [{ seq: ann[0].seq, clips: ann[0].clips, recall: false }]);
    assert.deepEqual(st.queued, [ann[0].seq]);
    const flashes = st.flashes;

    // A recall: a flash and the same clips again, after the first has ended.
    const rc = await hall.api('POST', '/api/windows/3/recall', undefined, 'c3');
    assert.equal(rc.status, 200);
    await page.waitForFunction(f => window.hallqBoard.flashes > f &&
      document.querySelector('#now-box .now.flash.recall') &&
      document.querySelector('#windows .card[data-window="3"].flash'), flashes, { timeout: 10000 });
    assert.equal(await page.textContent('#now-box .now-number'), number);
    await waitPlayed(page, 2);
    ann = await announcements(hall);
    assert.equal(ann.length, 2);
    assert.equal(ann[1].recall, true);
    st = await board(page);
    assert.deepEqual(st.played, [
      { seq: ann[0].seq, clips: ann[0].clips, recall: false },
      { seq: ann[1].seq, clips: ann[0].clips, recall: true },
    ]);
    await waitIdle(page);

    // The daemon restarts (same database, same port) under the open page.
    await hall.restart();
    await page.waitForFunction(() => window.hallqBoard.conn() === 'live', undefined, { timeout: 15000 });
    assert.equal(await page.textContent('#now-box .now-number'), number, 'the board kept its calls');
    assert.equal((await board(page)).played.length, 2, 'nothing replayed on the reconnection');

    // A new call after the restart: shown, and only it is read out.
    assert.equal((await hall.api('POST', '/api/windows/3/finish', undefined, 'c3')).status, 200);
    await hall.issue('SB01');
    const call2 = await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3');
    assert.equal(call2.status, 200);
    const number2 = call2.json.ticket.number;
    assert.equal(number2, 'A002');
    await page.waitForFunction(n => document.querySelector('#now-box .now-number')?.textContent === n,
      number2, { timeout: 10000 });
    assert.equal(await page.textContent('#windows .card[data-window="3"] .card-number'), number2);
    // The previous call stays in the list below, marked done.
    assert.equal(await page.textContent('#recent .call .call-number'), number);
    assert.ok(await page.$('#recent .call.s-done'));
    await waitPlayed(page, 3);
    await waitIdle(page);
    ann = await announcements(hall);
    assert.equal(ann.length, 3);
    st = await board(page);
    assert.equal(st.played.length, 3, 'played grew by exactly one');
    assert.deepEqual(st.played[2], { seq: ann[2].seq, clips: ann[2].clips, recall: false });
    assert.deepEqual(st.queued, ann.map(a => a.seq));
    assert.equal(st.stats.duplicates, 0);
    assert.equal(st.stats.skipped, 0);
    assert.equal(st.conn, 'live');

    await shot(page, 'board-1920');
    const unexpected = errors.filter(e => !WS_REFUSED.test(e));
    assert.deepEqual(unexpected, []);
  } finally {
    if (b) await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('board: English, the calls of the snapshot, a paused window', async () => {
  const hall = new Hall();
  const errors = [];
  let b = null;
  try {
    await hall.start();
    // Calls made before the page opens come from the snapshot: shown, not read out.
    await hall.issue('SB01');
    await hall.issue('YB01');
    assert.equal((await hall.api('POST', '/api/windows/3/call-next', undefined, 'c3')).status, 200);
    assert.equal((await hall.api('POST', '/api/windows/2/call-next', undefined, 'c-all')).status, 200);
    assert.equal((await hall.api('POST', '/api/windows/1/pause', undefined, 'c-all')).status, 200);
    b = await browser();
    const page = await openPage(b, `${hall.base}/board?token=d1&lang=en`, { width: W, height: H, errors });
    await page.waitForFunction(() => window.hallqBoard && window.hallqBoard.conn() === 'live',
      undefined, { timeout: 10000 });
    await page.waitForFunction(() => document.querySelector('#now-box .now-number')?.textContent === 'B001',
      undefined, { timeout: 10000 });
    assert.equal(await page.textContent('#now-box .now-where .win'), 'Window 2');
    assert.equal(await page.textContent('#calls h2'), 'Now calling');
    assert.equal(await page.textContent('#recent .call .call-number'), 'A001');
    assert.equal(await page.textContent('#recent .call .call-win'), 'Window 3');
    assert.equal(await page.textContent('#windows .card[data-window="1"] .card-idle'), 'paused');
    assert.equal(await page.textContent('#windows .card[data-window="6"] .card-kind'), '绿色通道');
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    const st = await board(page);
    assert.deepEqual(st.played, []);

    // A window opened while the page runs appears; a new call there is read out.
    assert.equal((await hall.api('POST', '/api/windows/5/open', undefined, 'c5')).status, 200);
    await page.waitForSelector('#windows .card[data-window="5"]', { timeout: 10000 });
    await hall.issue('BDC01');
    assert.equal((await hall.api('POST', '/api/windows/5/call-next', undefined, 'c5')).status, 200);
    await page.waitForFunction(() => document.querySelector('#now-box .now-number')?.textContent === 'C001',
      undefined, { timeout: 10000 });
    await waitPlayed(page, 1);
    const ann = await announcements(hall);
    assert.deepEqual((await board(page)).played.map(p => p.clips), [ann[ann.length - 1].clips]);
    assert.ok(ann[ann.length - 1].clips.includes('en/n5'));
    await waitIdle(page);

    await shot(page, 'board-1920-en');
    assert.deepEqual(errors, []);
  } finally {
    if (b) await b.close();
    await hall.stop();
    hall.cleanup();
  }
});

test('board: a bad token and no token say so, quietly', async () => {
  const hall = new Hall();
  const errors = [];
  let b = null;
  try {
    await hall.start();
    b = await browser();
    const bad = await openPage(b, `${hall.base}/board?token=nope`, { width: W, height: H, errors });
    await bad.waitForFunction(() => window.hallqBoard.conn() === 'unauthorized', undefined, { timeout: 10000 });
    assert.equal(await bad.textContent('#conn'), '令牌无效');
    await shot(bad, 'board-1920-bad-token');
    const none = await openPage(b, `${hall.base}/board`, { width: W, height: H, errors });
    await none.waitForFunction(() => window.hallqBoard.conn() === 'notoken', undefined, { timeout: 10000 });
    assert.match(await none.textContent('#conn'), /\/board\?token=/);
    await shot(none, 'board-1920-no-token');
    assert.deepEqual(errors, []);
  } finally {
    if (b) await b.close();
    await hall.stop();
    hall.cleanup();
  }
});
