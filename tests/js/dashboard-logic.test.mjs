// The manager dashboard's arithmetic (web/lib/dashboard-logic.js): durations,
// the load per domain, alerts, windows as events leave them, the chart's data
// and the tier editor's result.  It stands on web/lib/hall-state.js (loaded
// first, as the page does).
import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/hall-state.js');
await import('../../web/lib/dashboard-logic.js');
const D = globalThis.HallqDash;

const T0 = 1795400000000;

function matter(code, extra = {}) {
  return {
    code, name: code + ' name', domain: code.replace(/\d+$/, ''), domain_name: code.replace(/\d+$/, '') + ' domain',
    waiting: 0, oldest_wait_s: 0, eta_s: 0, open_windows: 1, target_wait_s: 1800, service_s: 600, ...extra,
  };
}

function windows() {
  return {
    1: { number: 1, name: '1号窗口', state: 'open', ticket: null, tiers: [['SB01', 'SB02', 'YB01']], held: [], since: T0, waiting: [0] },
    2: { number: 2, name: '2号窗口', state: 'open', ticket: null, tiers: [['YB01'], ['SB01']], held: [], since: T0, waiting: [0, 0] },
    3: { number: 3, name: '3号窗口', state: 'paused', ticket: null, tiers: [['SB01', 'SB02']], held: [], since: T0, waiting: [0] },
    5: { number: 5, name: '5号窗口', state: 'closed', ticket: null, tiers: [['BDC01']], held: [], since: T0, waiting: [0] },
  };
}

test('durations and minutes', () => {
  assert.equal(D.fmtDuration(0), '0:00');
  assert.equal(D.fmtDuration(59.9), '0:59');
  assert.equal(D.fmtDuration(754), '12:34');
  assert.equal(D.fmtDuration(3600 + 65), '1:01:05');
  assert.equal(D.fmtDuration(null), '–');
  assert.equal(D.fmtDuration(-3), '–');
  assert.equal(D.minutes(0), 0);
  assert.equal(D.minutes(10), 1);
  assert.equal(D.minutes(840), 14);
  assert.equal(D.minutes(null), 0);
});

test('served for: since serving_at while serving, since the latest call while called', () => {
  const called = { state: 'called', called_at: T0, serving_at: null };
  assert.equal(D.servedFor(called, T0 + 65000), 65);
  const serving = { state: 'serving', called_at: T0, serving_at: T0 + 30000 };
  assert.equal(D.servedFor(serving, T0 + 90000), 60);
  // A held ticket called back: its old serving_at does not count.
  const back = { state: 'called', called_at: T0 + 50000, serving_at: T0 + 10000 };
  assert.equal(D.servedFor(back, T0 + 60000), 10);
  assert.equal(D.servedFor(null, T0), null);
  assert.equal(D.servedFor({ state: 'called', called_at: T0 + 5000 }, T0), 0);
});

test('oldest wait keeps running from the read', () => {
  const m = matter('SB01', { waiting: 2, oldest_wait_s: 100 });
  assert.equal(D.oldestNow(m, T0, T0 + 30000), 130);
  assert.equal(D.oldestNow({ ...m, waiting: 0 }, T0, T0 + 30000), 0);
});

test('domain loads: waiting summed, oldest and estimate the largest, open windows counted once', () => {
  const ms = [
    matter('SB01', { waiting: 3, oldest_wait_s: 200, eta_s: 600, open_windows: 2 }),
    matter('SB02', { waiting: 2, oldest_wait_s: 500, eta_s: 300, open_windows: 1 }),
    matter('YB01', { waiting: 0, oldest_wait_s: 0, eta_s: 0, open_windows: 2 }),
    matter('BDC01', { waiting: 1, oldest_wait_s: 2000, eta_s: 600, open_windows: 0, target_wait_s: 1800 }),
  ];
  const ds = D.domainLoads(ms, windows(), T0, T0);
  assert.deepEqual(ds.map(d => d.domain), ['SB', 'YB', 'BDC']);
  const sb = ds[0];
  assert.equal(sb.waiting, 5);
  assert.equal(sb.oldest_wait_s, 500);
  assert.equal(sb.eta_s, 600);
  assert.equal(sb.open_windows, 2);          // windows 1 and 2; 3 is paused
  assert.equal(sb.matters.length, 2);
  assert.equal(sb.late, 0);
  assert.equal(ds[1].open_windows, 2);
  assert.equal(ds[1].eta_s, 0);
  const bdc = ds[2];
  assert.equal(bdc.open_windows, 0);         // window 5 is closed
  assert.equal(bdc.late, 1);
  assert.equal(bdc.matters[0].late, true);
});

test('domain loads: a waiting matter no open window serves makes the estimate null', () => {
  const ms = [
    matter('SB01', { waiting: 3, eta_s: 600, open_windows: 2 }),
    matter('SB02', { waiting: 1, eta_s: null, open_windows: 0 }),
    matter('YB01', { waiting: 0, eta_s: null, open_windows: 0 }),
    matter('YB02', { waiting: 2, eta_s: 300, open_windows: 1 }),
  ];
  const ds = D.domainLoads(ms, windows(), T0, T0);
  assert.equal(ds[0].eta_s, null);           // SB02 waits for no window
  assert.equal(ds[1].eta_s, 300);            // YB01 has nobody waiting
  assert.equal(ds[0].matters[1].eta_s, null);
  const late = D.domainLoads([ms[1], ms[0]], windows(), T0, T0);
  assert.equal(late[0].eta_s, null);         // whatever the order
});

test('alerts: late matters, long pauses, devices down; the worst first', () => {
  const ms = [
    matter('SB01', { waiting: 2, oldest_wait_s: 590, target_wait_s: 600 }),
    matter('YB01', { waiting: 1, oldest_wait_s: 4000, target_wait_s: 1800 }),
    matter('BDC01', { waiting: 0, oldest_wait_s: 0, target_wait_s: 60 }),
  ];
  const ws = windows();
  const devices = [{ name: 'w3-strip', role: 'window_display', window: 3, up: false, last_error: 'timeout' },
    { name: 'board', role: 'hall_board', up: true }];
  // 5 s later: SB01 is at 595 s, not late; window 3 paused 5 s.
  let a = D.alerts({ matters: ms, mattersAt: T0, windows: ws, devices, now: T0 + 5000 });
  assert.deepEqual(a.map(x => x.key), ['d:w3-strip', 'm:YB01']);
  assert.equal(a[0].reason, 'timeout');
  assert.equal(a[1].over_s, 4005 - 1800);
  // 16 minutes later: SB01 too, and the pause.
  a = D.alerts({ matters: ms, mattersAt: T0, windows: ws, devices, now: T0 + 16 * 60000 });
  assert.deepEqual(a.map(x => x.key), ['d:w3-strip', 'm:YB01', 'm:SB01', 'w:3']);
  assert.equal(a[3].kind, 'window_paused');
  assert.equal(a[3].level, 'warn');
  assert.ok(a[3].paused_s > 900);
  // Exactly at the limit is not yet an alert.
  a = D.alerts({ matters: [], windows: ws, devices: [], now: T0 + 900000 });
  assert.deepEqual(a, []);
  // No devices known yet (null) is not an alert.
  assert.deepEqual(D.alerts({ matters: [], windows: {}, devices: null, now: T0 }), []);
});

test('ticket events move the windows; old events do not', () => {
  const st = D.newState();
  D.applyHall(st, { seq: 10, hall: 'H', business_day: '2026-11-23', matters: [matter('SB01')], windows: Object.values(windows()) }, null, T0);
  assert.equal(st.windowsSeq, 10);
  const tk = { id: 7, number: 'A001', matter: 'SB01', state: 'called', window: 1, called_at: T0 + 1000 };
  // seq 9 was already in the read: the window is not touched, the loads are read again.
  let r = D.applyEvent(st, { seq: 9, type: 'ticket.called', at: T0, ticket: tk, window: 1 });
  assert.equal(r.windows, false);
  assert.equal(r.hall, true);
  assert.equal(st.windows[1].ticket, null);
  r = D.applyEvent(st, { seq: 11, type: 'ticket.called', at: T0 + 1000, ticket: tk, window: 1 });
  assert.equal(r.windows, true);
  assert.equal(st.windows[1].ticket.number, 'A001');
  assert.equal(st.windows[1].since, T0 + 1000);
  r = D.applyEvent(st, { seq: 12, type: 'ticket.held', at: T0 + 2000, ticket: { ...tk, state: 'held' }, window: 1 });
  assert.equal(st.windows[1].ticket, null);
  assert.deepEqual(st.windows[1].held, [7]);
  D.applyEvent(st, { seq: 13, type: 'ticket.called', at: T0 + 3000, ticket: tk, window: 1 });
  assert.deepEqual(st.windows[1].held, []);
  assert.equal(st.windows[1].ticket.id, 7);
  D.applyEvent(st, { seq: 14, type: 'ticket.done', at: T0 + 4000, ticket: { ...tk, state: 'done' }, window: 1 });
  assert.equal(st.windows[1].ticket, null);
  // An issued ticket changes no window, but the loads.
  r = D.applyEvent(st, { seq: 15, type: 'ticket.issued', at: T0, ticket: { ...tk, id: 8, state: 'waiting', window: null }, window: null });
  assert.equal(r.windows, false);
  assert.equal(r.hall, true);
});

test('window events replace the window; device events mark devices; rollover reads all', () => {
  const st = D.newState();
  D.applyHall(st, { seq: 3, matters: [], windows: Object.values(windows()) }, null, T0);
  st.devices = [{ name: 'w3-strip', up: true }];
  let r = D.applyEvent(st, { seq: 4, type: 'window.tiers', at: T0, window: { ...windows()[2], tiers: [['SB01'], ['YB01']] } });
  assert.equal(r.windows, true);
  assert.deepEqual(st.windows[2].tiers, [['SB01'], ['YB01']]);
  r = D.applyEvent(st, { seq: 5, type: 'window.paused', at: T0, window: { ...windows()[1], state: 'paused' } });
  assert.equal(st.windows[1].state, 'paused');
  r = D.applyEvent(st, { seq: 6, type: 'device.down', at: T0, device: 'w3-strip', reason: 'eof' });
  assert.equal(r.devices, true);
  assert.equal(r.devicesFetch, true);
  assert.equal(st.devices[0].up, false);
  assert.equal(st.devices[0].last_error, 'eof');
  D.applyEvent(st, { seq: 7, type: 'device.up', at: T0, device: 'w3-strip' });
  assert.equal(st.devices[0].up, true);
  r = D.applyEvent(st, { seq: 8, type: 'day.rollover', at: T0, from: '2026-11-23', to: '2026-11-24', expired: 0 });
  assert.equal(st.day, '2026-11-24');
  assert.equal(r.hall && r.hallWindows && r.stats, true);
});

test('a hall read older than the events applied keeps the windows and asks again', () => {
  const st = D.newState();
  D.applyHall(st, { seq: 20, matters: [], windows: Object.values(windows()) }, null, T0);
  st.windows[1].state = 'paused';
  const r = D.applyHall(st, { seq: 18, matters: [matter('SB01', { waiting: 4 })], windows: Object.values(windows()) }, 20, T0 + 1000);
  assert.equal(r.stale, true);
  assert.equal(st.windows[1].state, 'paused');
  assert.equal(st.matters[0].waiting, 4);
  assert.equal(st.mattersAt, T0 + 1000);
  const r2 = D.applyHall(st, { seq: 22, matters: [], windows: Object.values(windows()) }, 20, T0 + 2000);
  assert.equal(r2.stale, false);
  assert.equal(st.windows[1].state, 'open');
  assert.equal(st.windowsSeq, 22);
});

test('chart data: the busiest matters, minutes, gaps as null', () => {
  const series = {
    start: T0, bucket_s: 600,
    matters: {
      SB01: { waiting: [1, 3, 2], mean_wait_s: [null, 120, 300] },
      SB02: { waiting: [0, 0, 0], mean_wait_s: [null, null, null] },
      YB01: { waiting: [5, 6, 4], mean_wait_s: [60, null, 90] },
    },
  };
  const ms = [matter('SB01'), matter('SB02'), matter('YB01')];
  const cd = D.chartData(series, ms, 8);
  assert.deepEqual(cd.codes, ['YB01', 'SB01']);
  assert.deepEqual(cd.names, ['YB01 name', 'SB01 name']);
  assert.deepEqual(cd.waiting[0], [T0 / 1000, T0 / 1000 + 600, T0 / 1000 + 1200]);
  assert.deepEqual(cd.waiting[1], [5, 6, 4]);
  assert.deepEqual(cd.mean[1], [1, null, 1.5]);
  assert.deepEqual(cd.mean[2], [null, 2, 5]);
  assert.equal(cd.dropped, 0);
  const one = D.chartData(series, ms, 1);
  assert.deepEqual(one.codes, ['YB01']);
  assert.equal(one.dropped, 1);
  const empty = D.chartData({ start: T0, bucket_s: 600, matters: {} }, ms);
  assert.deepEqual(empty.codes, []);
  assert.deepEqual(empty.waiting, [[]]);
  assert.deepEqual(D.chartData(null, []).waiting, [[]]);
});

test('tier editor: choice to tiers and back', () => {
  const order = ['SB01', 'SB02', 'YB01', 'BDC01'];
  const c = D.choiceFromTiers([['SB02', 'SB01'], ['YB01', 'SB01']]);
  assert.deepEqual(c.choice, { SB02: 0, SB01: 0, YB01: 1 });
  assert.equal(c.ntiers, 2);
  assert.deepEqual(D.tiersFromChoice(c.choice, order, c.ntiers), [['SB01', 'SB02'], ['YB01']]);
  // An empty tier in the middle is left out; matters keep the list's order.
  assert.deepEqual(D.tiersFromChoice({ BDC01: 2, YB01: 0 }, order, 3), [['YB01'], ['BDC01']]);
  // Beyond the tiers shown, or none.
  assert.deepEqual(D.tiersFromChoice({ SB01: 3, SB02: -1 }, order, 2), []);
  assert.deepEqual(D.choiceFromTiers([]), { choice: {}, ntiers: 1 });
  assert.equal(D.sameTiers([['SB01']], [['SB01']]), true);
  assert.equal(D.sameTiers([['SB01']], [['SB01'], ['YB01']]), false);
});

test('hours: windows with the same periods today together; runs of numbers', () => {
  const P = [[1, 2], [3, 4]], L = [[1, 4]];
  const h = { hall: P, windows: [{ number: 3, periods: P }, { number: 1, periods: L }, { number: 2, periods: L },
    { number: 21, periods: L }, { number: 4, periods: P }, { number: 9, periods: [] }] };
  assert.deepEqual(D.hoursGroups(h), [
    { numbers: [1, 2, 21], periods: L, hall: false },
    { numbers: [3, 4], periods: P, hall: true },
    { numbers: [9], periods: [], hall: false }]);
  assert.deepEqual(D.hoursGroups(null), []);
  assert.equal(D.numberRuns([8, 1, 2, 3, 5, 7]), '1–3, 5, 7–8');
  assert.equal(D.numberRuns([4], '、'), '4');
  assert.equal(D.numberRuns([]), '');
});

test('appointments of the day: per matter in the hall\'s order, totals, blocks', () => {
  const s = (matter, start, extra = {}) => ({ matter, start, end: start + 1800e3, capacity: 4, booked: 0,
    checked_in: 0, no_show: 0, cancelled: 0, blocked: false, ...extra });
  const tb = D.apptTable([
    s('YB01', 2000, { booked: 1 }), s('SB01', 3000, { booked: 2, checked_in: 1 }),
    s('SB01', 1000, { booked: 1, no_show: 1 }), s('ZZ9', 1000, { blocked: true }), s(null, 5000, { blocked: true, capacity: 0 })],
  ['SB01', 'YB01']);
  assert.deepEqual(tb.groups.map(g => [g.matter, g.slots.map(x => x.start)]),
    [['SB01', [1000, 3000]], ['YB01', [2000]], ['', [5000]], ['ZZ9', [1000]]]);
  assert.equal(tb.groups[0].booked, 3);
  assert.equal(tb.groups[0].checked_in, 1);
  assert.equal(tb.groups[0].no_show, 1);
  assert.deepEqual(tb.total, { capacity: 16, booked: 4, checked_in: 1, no_show: 1, cancelled: 0, blocked: 2, slots: 5 });
  assert.deepEqual(D.apptTable(undefined).groups, []);
});

test('slot starts inside the periods; events that ask for the appointments again', () => {
  const M = 60000;
  assert.deepEqual(D.slotStarts([[0, 90 * M], [120 * M, 170 * M]], 30), [0, 30 * M, 60 * M, 120 * M]);
  assert.deepEqual(D.slotStarts([], 30), []);
  const st = D.newState();
  assert.equal(D.applyEvent(st, { seq: 1, type: 'appointment.booked', appointment: {} }).appointments, true);
  assert.equal(D.applyEvent(st, { seq: 2, type: 'slots.blocked', matter: null, day: '2026-12-01', start: null }).appointments, true);
  assert.equal(D.applyEvent(st, { seq: 3, type: 'device.up', device: 'x' }).appointments, false);
});

test('overdue 差评 cases: an alert after devices, before late matters; case events read the count again', () => {
  const ms = [matter('YB01', { waiting: 1, oldest_wait_s: 4000, target_wait_s: 1800 })];
  const devices = [{ name: 'w3-strip', up: false }];
  let a = D.alerts({ matters: ms, mattersAt: T0, windows: {}, devices, now: T0, casesOverdue: 2 });
  assert.deepEqual(a.map(x => x.key), ['d:w3-strip', 'c:overdue', 'm:YB01']);
  assert.equal(a[1].kind, 'cases_overdue');
  assert.equal(a[1].level, 'bad');
  assert.equal(a[1].count, 2);
  // None overdue, or not known (a daemon without cases): no alert.
  for (const n of [0, null, undefined])
    assert.deepEqual(D.alerts({ matters: [], windows: {}, devices: [], now: T0, casesOverdue: n }), []);

  const st = D.newState();
  D.applyHall(st, { seq: 3, matters: [], windows: [] }, null, T0);
  for (const [ev, want] of [
    [{ seq: 4, type: 'case.opened', at: T0, case: { id: 1, kind: 'rating' } }, true],
    [{ seq: 5, type: 'case.step', at: T0, case: 1, action: 'verify', state: 'verified' }, true],
    [{ seq: 6, type: 'case.overdue', at: T0, case: 1, due_at: T0, kind: 'rating' }, true],
    [{ seq: 7, type: 'case.closed', at: T0, case: 1, struck: false }, true],
    [{ seq: 8, type: 'rating.struck', at: T0, ticket: 4, case: 1 }, true],
    [{ seq: 9, type: 'rating.recorded', at: T0, ticket: 5, score: 5 }, false],
    [{ seq: 10, type: 'day.rollover', at: T0, from: '2026-11-23', to: '2026-11-24' }, true],
  ])
    assert.equal(D.applyEvent(st, ev).cases, want, ev.type);
});

/* ------------------------------------------------------------ uplink */

await import('../../web/lib/text.js');
const T = globalThis.HallqText;

// GET /api/uplink as the daemon answers it (web/README.md, "Uplink").
function uplink(extra = {}) {
  return {
    configured: true, connected: true, broker: 'mqtt://127.0.0.1:1883', hall_id: 'demo', protocol: '3.1.1',
    acked_seq: 1043, seq: 1043, backlog: 0, inflight: 0, since: T0, reconnects: 0, errors: 0,
    last_error: null, published: 1044, alert: null, ...extra,
  };
}

// The panel's words, with the hall's time said as a fixed stamp.
function words(u, failed = false, lang = 'zh') {
  const t = (key, vars) => T.say('dashboard', lang, key, vars);
  const when = ms => (ms === T0 ? '16:26' : 'other');
  return D.uplinkParts(D.uplinkView(u, failed, 24), t, when);
}

test('uplink panel: nothing before a reading; a quiet 未配置 without an uplink section', () => {
  assert.deepEqual(D.uplinkView(null), { show: false, failed: false });
  assert.deepEqual(words(null), []);
  assert.equal(D.uplinkView(null, true).failed, true);
  assert.deepEqual(words({ configured: false }), [{ part: 'state', level: 'off', text: '未配置' }]);
  assert.deepEqual(words({ configured: false }, false, 'en'), [{ part: 'state', level: 'off', text: 'not configured' }]);
  assert.equal(D.uplinkAlert({ configured: false }), null);
  assert.equal(D.uplinkAlert(null), null);
});

test('uplink panel: connected since when, acked seq, backlog, no errors', () => {
  const v = D.uplinkView(uplink());
  assert.equal(v.state, 'connected');
  assert.equal(v.acked, 1043);
  assert.equal(v.backlog, 0);
  assert.equal(v.alert, null);
  const w = words(uplink());
  assert.deepEqual(w.map(p => p.part), ['state', 'since', 'acked', 'backlog']);
  assert.deepEqual(w.map(p => p.text), ['已连接', '16:26 起', '已确认 #1043', '积压 0 条']);
  assert.equal(w[0].level, 'ok');
  assert.equal(w[0].title, 'mqtt://127.0.0.1:1883');
  assert.equal(w[3].level, undefined, 'nothing waiting: not marked');
  assert.deepEqual(words(uplink(), false, 'en').map(p => p.text), ['connected', 'since 16:26', 'acked #1043', '0 waiting']);
  assert.equal(D.uplinkAlert(uplink()), null);
});

test('uplink panel: away, the backlog marked, errors with the last one shortened (whole in the title)', () => {
  const err = 'connect: Connection refused by the broker at mqtt://127.0.0.1:1883 (TLS: certificate verify failed)';
  const u = uplink({ connected: false, backlog: 7, seq: 1050, errors: 3, reconnects: 2, last_error: err, alert: 'away' });
  const v = D.uplinkView(u, false, 24);
  assert.equal(v.state, 'away');
  assert.equal(v.lastError, err);
  assert.equal(Array.from(v.lastErrorShort).length, 24);
  assert.ok(v.lastErrorShort.endsWith('…'));
  const w = words(u);
  assert.deepEqual(w.map(p => p.part), ['state', 'since', 'acked', 'backlog', 'errors']);
  assert.equal(w[0].text, '中断');
  assert.equal(w[0].level, 'bad');
  assert.equal(w[3].text, '积压 7 条');
  assert.equal(w[3].level, 'warn');
  assert.equal(w[4].text, '错误 3 次：' + v.lastErrorShort);
  assert.equal(w[4].title, err);
  assert.equal(words(u, false, 'en')[4].text, 'errors 3: ' + v.lastErrorShort);
  // Errors once had but connected again: said, the last one kept.
  const back = words(uplink({ errors: 5, last_error: 'connection refused' }));
  assert.equal(back.at(-1).text, '错误 5 次：connection refused');
  assert.equal(back.at(-1).title, 'connection refused');
  // A failed read keeps the last figures and says so.
  assert.deepEqual(words(uplink(), true).at(-1), { part: 'stale', level: 'warn', text: '读取失败，显示上次状态' });
  // Figures the daemon left out are not said.
  assert.deepEqual(words({ configured: true, connected: false }).map(p => p.part), ['state']);
});

test('shorten: code points, whitespace folded, an ellipsis when cut', () => {
  assert.equal(D.shorten(null), '');
  assert.equal(D.shorten('  a \n b  '), 'a b');
  assert.equal(D.shorten('abcdef', 4), 'abc…');
  assert.equal(D.shorten('abcd', 4), 'abcd');
  assert.equal(D.shorten('连接被拒绝了吗', 5), '连接被拒…');
  assert.equal(D.shorten('😀😀😀😀😀😀', 3), '😀😀…');
});

test('uplink alerts: what the daemon says — away (bad, with since) before late matters, backlog (warn) last', () => {
  assert.deepEqual(D.uplinkAlert(uplink({ connected: false, alert: 'away', backlog: 4 })),
    { kind: 'uplink_away', key: 'u:away', level: 'bad', since: T0, backlog: 4 });
  assert.deepEqual(D.uplinkAlert(uplink({ alert: 'backlog', backlog: 1200 })),
    { kind: 'uplink_backlog', key: 'u:backlog', level: 'warn', count: 1200 });
  // Away but not yet for away_alert_s, or connected with a backlog under
  // backlog_alert: the daemon says no alert, nor does the page.
  assert.equal(D.uplinkAlert(uplink({ connected: false, backlog: 3 })), null);
  assert.equal(D.uplinkAlert(uplink({ alert: 'something-new' })), null);

  const ms = [matter('YB01', { waiting: 1, oldest_wait_s: 4000, target_wait_s: 1800 })];
  const devices = [{ name: 'w3-strip', up: false }];
  const ws = windows();
  let a = D.alerts({ matters: ms, mattersAt: T0, windows: ws, devices, now: T0 + 16 * 60000, casesOverdue: 1,
    uplink: uplink({ connected: false, alert: 'away' }) });
  assert.deepEqual(a.map(x => x.key), ['d:w3-strip', 'u:away', 'c:overdue', 'm:YB01', 'w:3']);
  a = D.alerts({ matters: ms, mattersAt: T0, windows: ws, devices: [], now: T0 + 16 * 60000,
    uplink: uplink({ alert: 'backlog', backlog: 1500 }) });
  assert.deepEqual(a.map(x => x.key), ['m:YB01', 'w:3', 'u:backlog']);
  assert.deepEqual(D.alerts({ matters: [], windows: {}, devices: [], now: T0, uplink: uplink() }), []);
  assert.deepEqual(D.alerts({ matters: [], windows: {}, devices: [], now: T0, uplink: { configured: false } }), []);
  // The alerts' words.
  assert.equal(T.say('dashboard', 'zh', 'alert.uplink_away', { since: '16:26' }), '上报中断（16:26 起）');
  assert.equal(T.say('dashboard', 'zh', 'alert.uplink_backlog', { n: 1500 }), '上报积压 1500 条');
});

/* ------------------------------------------------------------ staffing and advice (issue 17) */

// GET /api/staffing as the daemon answers it (web/README.md, "Staffing").
function staffingAnswer(extra = {}) {
  return {
    day: '2026-12-01', working_day: true, source: 'forecast', history_days: [],
    target_wait_min: 15, level_pct: 80,
    hours: [
      { hour: 9, open_windows: 28, recommended: 82, pooled: 56, over_max: false, arrivals: 344.8, matters: [] },
      { hour: 8, open_windows: 28, recommended: 20, pooled: 12, over_max: false, arrivals: 120.5, matters: [] },
      { hour: 12, open_windows: 3, recommended: 3, pooled: 2, over_max: false, arrivals: 40, matters: [] },
      { hour: 17, open_windows: 1, recommended: 38, pooled: 15, over_max: true, arrivals: 75.4, matters: [] },
    ],
    ...extra,
  };
}

test('staffing: per hour in order, the short hours (recommended above open), the hall\'s hour marked', () => {
  const v = D.staffingView(staffingAnswer(), 9);
  assert.deepEqual(v.hours.map(h => h.hour), [8, 9, 12, 17]);
  assert.deepEqual(v.hours.map(h => h.label), ['08', '09', '12', '17']);
  assert.deepEqual(v.short, [9, 17], 'equal is not short');
  assert.deepEqual(v.hours.map(h => h.now), [false, true, false, false]);
  assert.deepEqual(v.hours.map(h => h.gap), [0, 54, 0, 37]);
  assert.equal(v.source, 'forecast');
  assert.equal(v.target_min, 15);
  assert.equal(v.level_pct, 80);
  assert.equal(v.checked, false);
  assert.equal(v.max, 82);
  assert.deepEqual(D.staffingChart(v), [[8, 9, 12, 17], [20, 82, 3, 38], [28, 28, 3, 1]]);
  assert.equal(D.staffingView(null, 9), null);
  assert.equal(D.staffingView({ error: {} }, 9), null);
  const h = D.staffingView(staffingAnswer({ source: 'history', history_days: ['2026-11-24', '2026-11-17'] }), 9);
  assert.equal(h.source, 'history');
  assert.equal(h.history_days, 2);
});

test('staffing: the plan checked by simulation wins when the daemon says it; absent, recommended', () => {
  const a = staffingAnswer();
  a.hours[0].checked = { windows: 30, groups: [], beyond: 0, level_pct_reached: 81.5 };	// hour 9: 82 → 30
  a.hours[3].checked = { windows: 1, groups: [], beyond: 0, level_pct_reached: 80 };	// hour 17: 38 → 1
  const v = D.staffingView(a, 17);
  assert.equal(v.checked, true);
  const nine = v.hours.find(x => x.hour === 9);
  assert.equal(nine.recommended, 30);
  assert.equal(nine.erlang, 82);
  assert.equal(nine.checked, true);
  assert.deepEqual(v.short, [9]);
  assert.equal(v.hours.find(x => x.hour === 8).recommended, 20, 'an hour without checked keeps recommended');
  assert.equal(v.hours.find(x => x.hour === 17).now, true);
  // A checked object without a number is not taken.
  const b = staffingAnswer();
  b.hours[0].checked = { groups: [] };
  assert.equal(D.staffingView(b, 9).hours.find(x => x.hour === 9).recommended, 82);
});

const ADVICE_NAMES = { BDC01: '不动产转移登记', BDC02: '不动产抵押登记', SB01: '社保参保登记' };
function adviceWords(s, lang = 'zh', maxOthers) {
  const t = (key, vars) => T.say('dashboard', lang, key, vars);
  const wn = n => (lang === 'en' ? `Window ${n}` : `${n}号窗口`);
  return D.suggestionText(s, t, c => ADVICE_NAMES[c] || '', wn, maxOthers);
}

test('advice: a suggestion in words, with its effect and the others it moves', () => {
  const open = {
    action: 'open', window: 15, matter: 'BDC01',
    request: { method: 'POST', path: '/api/windows/15/open', body: {} },
    effect: { matter: 'BDC01', wait_mean_s_before: 12442, wait_mean_s_after: 9047,
      others: [{ matter: 'BDC02', wait_mean_s_before: 21116, wait_mean_s_after: 15420 }] },
  };
  const w = adviceWords(open);
  assert.equal(w.what, '开放 15号窗口');
  assert.equal(w.effect, '不动产转移登记 平均等候 约 207 分钟 → 151 分钟');
  assert.deepEqual(w.others, ['不动产抵押登记 约 352 → 257 分钟']);
  assert.equal(w.othersMore, 0);
  assert.equal(adviceWords({ ...open, action: 'resume' }).what, '恢复 15号窗口');
  const tiers = { ...open, action: 'tiers', window: 3, request: { method: 'POST', path: '/api/windows/3/tiers', body: { tiers: [['BDC01', 'SB01']] } } };
  assert.equal(adviceWords(tiers).what, '让 3号窗口 优先办理 不动产转移登记');
  assert.equal(adviceWords(tiers, 'en').what, 'Let Window 3 serve 不动产转移登记 first');
  assert.equal(adviceWords(open, 'en').what, 'Open Window 15');
  assert.equal(adviceWords(open, 'en').effect, '不动产转移登记: mean wait ≈ 207 min → 151 min');
  // An unknown matter is said by its code; the others beyond the limit are counted.
  const many = { ...open, matter: 'XX9', effect: { matter: 'XX9', wait_mean_s_before: 600, wait_mean_s_after: 20,
    others: ['SB01', 'BDC02', 'YB01', 'GA01'].map(m => ({ matter: m, wait_mean_s_before: 60, wait_mean_s_after: 130 })) } };
  const m = adviceWords(many, 'zh', 2);
  assert.equal(m.effect, 'XX9 平均等候 约 10 分钟 → 0 分钟');
  assert.deepEqual(m.others, ['社保参保登记 约 1 → 2 分钟', '不动产抵押登记 约 1 → 2 分钟']);
  assert.equal(m.othersMore, 2);
  assert.equal(D.suggestionKey(open), 'open:15:BDC01');
  assert.equal(D.waitMin(null), 0);
  assert.equal(D.waitMin(89), 1);
});

test('advice: read again after queue and window events, debounced but never starved', () => {
  for (const type of ['ticket.issued', 'ticket.called', 'ticket.cancelled', 'ticket.requeued', 'window.opened',
    'window.closed', 'window.tiers', 'advice.auto', 'day.rollover'])
    assert.equal(D.adviceOnEvent({ type }), true, type);
  for (const type of ['device.up', 'rating.recorded', 'case.opened', 'appointment.booked', 'call.announce'])
    assert.equal(D.adviceOnEvent({ type }), false, type);
  assert.equal(D.adviceOnEvent(null), false);
  // Quiet 1.5 s after the latest event, at most 8 s after the first one waiting.
  assert.equal(D.adviceDelay(T0, T0), 1500);
  assert.equal(D.adviceDelay(T0, T0 + 7000), 1000);
  assert.equal(D.adviceDelay(T0, T0 + 9000), 0);
  assert.equal(D.adviceDelay(T0, T0 + 100, 500, 2000), 500);
});

test('advice: the automatic mode\'s bounds as the daemon takes them', () => {
  assert.deepEqual(D.autoBody(true, { max_windows: '1', min_gain_min: '5', hold_min: '60' }),
    { body: { enabled: true, max_windows: 1, min_gain_min: 5, hold_min: 60 } });
  assert.deepEqual(D.autoBody(false, {}), { body: { enabled: false } });
  assert.deepEqual(D.autoBody(false, { max_windows: '' }), { body: { enabled: false } });
  assert.deepEqual(D.autoBody(true, { max_windows: '11' }), { error: 'max_windows', min: 1, max: 10 });
  assert.deepEqual(D.autoBody(true, { min_gain_min: '0' }), { error: 'min_gain_min', min: 1, max: 120 });
  assert.deepEqual(D.autoBody(true, { hold_min: '5' }), { error: 'hold_min', min: 10, max: 240 });
  assert.deepEqual(D.autoBody(true, { hold_min: '12.5' }), { error: 'hold_min', min: 10, max: 240 });
  assert.deepEqual(D.autoBody(true, { hold_min: 'x' }), { error: 'hold_min', min: 10, max: 240 });
});

test('操作记录: an audit entry in words', async () => {
  await import('../../web/lib/text.js');
  const T = globalThis.HallqText;
  const zh = (k, v) => T.say('dashboard', 'zh', k, v);
  const en = (k, v) => T.say('dashboard', 'en', k, v);
  const h = {
    window: n => `${n}号窗口`, matter: c => ({ SB01: '社保参保登记', YB02: '异地就医备案' })[c] || '',
    ticket: id => (id === 41 ? 'A012' : null), when: ms => `12-01 ${ms === 1 ? '09:00' : '?'}`,
  };
  const w = (a, say = zh, hh = h) => D.auditWords(a, say, hh);
  assert.equal(w({ op: 'pause', by: '王主任', role: 'manager', window: 3, ticket: null, status: 200, detail: {} }), '暂停 3号窗口');
  assert.equal(w({ op: 'pause', window: 3, detail: {} }, en, { window: n => `Window ${n}` }), 'paused Window 3');
  assert.equal(w({ op: 'cancel', window: null, ticket: 41, status: 200, detail: {} }), '取消号 A012');
  assert.equal(w({ op: 'cancel', ticket: 7, detail: {} }), '取消号 #7', 'a number not known yet');
  assert.equal(w({ op: 'cancel', ticket: 7, detail: { number: 'B003' } }), '取消号 B003', 'the detail names it');
  assert.equal(w({ op: 'tiers', window: 2, detail: { tiers: [['SB01'], ['YB01', 'BDC01']] } }),
    '调整服务层级 2号窗口：第1层 SB01；第2层 YB01 BDC01');
  assert.equal(w({ op: 'tiers', window: 2, detail: { tiers: [['SB01']] } }, en, { window: n => `Window ${n}` }),
    'set the tiers of Window 2: T1 SB01');
  assert.equal(w({ op: 'transfer', window: 3, ticket: 41, detail: { matter: 'YB02' } }), '3号窗口 转移 A012 转到 YB02 异地就医备案');
  assert.equal(w({ op: 'issue', ticket: 41, detail: { matter: 'SB01', class: 'green', channel: 'reception' } }),
    '取号 A012 SB01 社保参保登记 绿色通道');
  assert.equal(w({ op: 'case-step', ticket: null, detail: { case: 5, action: 'verify', founded: true } }), '办理工单 工单 #5 核实 属实');
  assert.equal(w({ op: 'block', detail: { matter: 'SB01', start: 1 } }), '停约 SB01 社保参保登记 12-01 09:00');
  assert.equal(w({ op: 'block', detail: { day: '2026-12-01' } }), '停约 全部事项 2026-12-01 全天');
  assert.equal(w({ op: 'advice-auto', detail: { enabled: true, max_windows: 2 } }), '设置高峰应急自动调整 开启');
  assert.equal(w({ op: 'config', by: '信息科李工', role: 'admin', detail: { changed: ['windows', 'matters'], version: 'x' } }),
    '修改配置：窗口、事项');
  assert.equal(w({ op: 'config', detail: { changed: ['windows', 'mystery'] } }, en), 'changed the configuration: windows, mystery');
  assert.equal(w({ op: 'reload', by: 'SIGHUP', role: 'system', detail: { changed: [] } }), '重新载入配置');
  assert.equal(w({ op: 'mystery', window: 1, detail: null }), 'mystery 1号窗口', 'an op not known says its name');
  assert.equal(w({ op: 'finish', window: 3, ticket: 41, detail: { outcome: 'done' } }), '3号窗口 办结 A012');
  assert.equal(w({ op: 'call', window: 5, ticket: 41, detail: { number: 'A012' } }, en, { window: n => `Window ${n}` }),
    'called A012 at Window 5');
  assert.equal(D.auditWho({ by: '王主任', role: 'manager' }, zh), '王主任');
  assert.equal(D.auditWho({ by: 'SIGHUP', role: 'system' }, zh), '系统（SIGHUP）');
});

test('操作记录: pages and live events merged by seq, newest first, once', () => {
  const a = [{ seq: 10, op: 'pause' }, { seq: 8, op: 'resume' }];
  const live = D.auditEntry({ seq: 12, type: 'audit', at: 5, op: 'close', by: 'x', window: 1 });
  assert.deepEqual(live, { seq: 12, at: 5, op: 'close', by: 'x', window: 1 });
  const m = D.auditMerge([live], a);
  assert.deepEqual(m.map(e => e.seq), [12, 10, 8]);
  const again = D.auditMerge(m, [{ seq: 10, op: 'pause' }, { seq: 3, op: 'open' }]);
  assert.deepEqual(again.map(e => e.seq), [12, 10, 8, 3]);
  assert.deepEqual(D.auditMerge(null, [{ op: 'no seq' }]), []);
  assert.deepEqual(D.auditUnknownTickets([{ seq: 1, ticket: 5 }, { seq: 2, ticket: 5 }, { seq: 3, ticket: 6 },
    { seq: 4, ticket: 7, detail: { number: 'A001' } }, { seq: 5, ticket: null }], { 6: 'A002' }), [5]);
});
