// The report page's arithmetic (web/lib/reports.js): the range and group of
// its address, the ranges offered, the API's path and the CSV's name, the
// range said in words, figures as the columns say them, and the charts' data.
import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/reports.js');
const R = globalThis.HallqReports;
const q = s => new URLSearchParams(s);

test('dates: real days only, days added, months, spans', () => {
  assert.equal(R.isDay('2026-11-30'), true);
  assert.equal(R.isDay('2026-02-29'), false);
  assert.equal(R.isDay('2028-02-29'), true);
  assert.equal(R.isDay('2026-1-3'), false);
  assert.equal(R.isDay(null), false);
  assert.equal(R.addDays('2026-03-01', -1), '2026-02-28');
  assert.equal(R.addDays('2026-12-31', 1), '2027-01-01');
  assert.deepEqual(R.month('2026-11-30', 0), { from: '2026-11-01', to: '2026-11-30' });
  assert.deepEqual(R.month('2026-01-15', -1), { from: '2025-12-01', to: '2025-12-31' });
  assert.deepEqual(R.month('2028-03-10', -1), { from: '2028-02-01', to: '2028-02-29' });
  assert.equal(R.span('2026-11-01', '2026-11-30'), 30);
  assert.equal(R.span('2026-11-30', '2026-11-30'), 1);
});

test("the address's range and group: default today, by matter", () => {
  const today = '2026-11-30';
  assert.deepEqual(R.params(q(''), today), { from: today, to: today, group: 'matter' });
  assert.deepEqual(R.params(q('from=2026-11-01&to=2026-11-30&group=hour'), today), { from: '2026-11-01', to: '2026-11-30', group: 'hour' });
  assert.deepEqual(R.params(q('from=2026-11-05'), today), { from: '2026-11-05', to: '2026-11-05', group: 'matter' });
  assert.deepEqual(R.params(q('to=2026-11-05&group=bogus'), today), { from: '2026-11-05', to: '2026-11-05', group: 'matter' });
  assert.deepEqual(R.params(q('from=2026-11-20&to=2026-11-02'), today), { from: '2026-11-02', to: '2026-11-20', group: 'matter' });
  assert.deepEqual(R.params(q('from=2026-13-01&to=x'), today), { from: today, to: today, group: 'matter' });
  for (const g of R.GROUPS)
    assert.equal(R.params(q('group=' + g), today).group, g);
});

test('the ranges offered', () => {
  assert.deepEqual(R.presets('2026-12-01'), {
    today: { from: '2026-12-01', to: '2026-12-01' },
    yesterday: { from: '2026-11-30', to: '2026-11-30' },
    month: { from: '2026-12-01', to: '2026-12-01' },
    last_month: { from: '2026-11-01', to: '2026-11-30' },
  });
  assert.deepEqual(R.presets('2026-03-15').month, { from: '2026-03-01', to: '2026-03-15' });
});

test("paths, the CSV's name, the range in words", () => {
  const p = { from: '2026-11-01', to: '2026-11-30', group: 'window' };
  assert.equal(R.apiPath(p), '/api/reports?from=2026-11-01&to=2026-11-30&group=window');
  assert.equal(R.apiPath(p, 'csv'), '/api/reports?from=2026-11-01&to=2026-11-30&group=window&format=csv');
  assert.equal(R.pagePath(p), '/reports?from=2026-11-01&to=2026-11-30&group=window');
  assert.equal(R.csvName(p), 'hallq-report-window-2026-11-01-2026-11-30.csv');
  assert.deepEqual(R.rangeKind('2026-11-30', '2026-11-30'), { kind: 'day', day: '2026-11-30' });
  assert.deepEqual(R.rangeKind('2026-11-01', '2026-11-30'), { kind: 'month', year: 2026, month: 11 });
  assert.deepEqual(R.rangeKind('2026-02-01', '2026-02-28'), { kind: 'month', year: 2026, month: 2 });
  assert.deepEqual(R.rangeKind('2026-11-01', '2026-11-29'), { kind: 'range', from: '2026-11-01', to: '2026-11-29', days: 29 });
});

test('figures as their columns say them', () => {
  assert.equal(R.cell(null, 'n'), '–');
  assert.equal(R.cell(0, 'n'), '0');
  assert.equal(R.cell(12, 'n'), '12');
  assert.equal(R.cell(75, 'dur'), '1:15');
  assert.equal(R.cell(3725, 'dur'), '1:02:05');
  assert.equal(R.cell(0, 'dur'), '0:00');
  assert.equal(R.cell(null, 'dur'), '–');
  assert.equal(R.cell(66.66666, 'pct'), '66.7%');
  assert.equal(R.cell(100, 'pct'), '100.0%');
  assert.equal(R.cell(null, 'pct'), '–');
  // 好评率 from the five counts: 满意 and 非常满意 of all rated.
  assert.equal(R.field({ ratings: [1, 0, 1, 0, 2] }, 'good_pct'), 50);
  assert.equal(R.field({ ratings: [0, 0, 0, 0, 0] }, 'good_pct'), null);
  assert.equal(R.field({ issued: 3 }, 'issued'), 3);
  assert.equal(R.field({ issued: 3 }, 'served'), null);
  // Every column of both tables has its field and a kind.
  for (const cols of Object.values(R.TABLES))
    for (const [f, kind] of cols) {
      assert.equal(typeof f, 'string');
      assert.ok(['n', 'dur', 'pct'].includes(kind), f);
    }
});

test('waits by hour: every hour from the first to the last, gaps null, minutes', () => {
  const rep = { groups: [
    { key: 9, wait_mean_s: 120, wait_p90_s: 300 },
    { key: 11, wait_mean_s: 90, wait_p90_s: null },
  ] };
  assert.deepEqual(R.hourChart(rep), [[9, 10, 11], [2, null, 1.5], [5, null, null]]);
  assert.deepEqual(R.hourChart({ groups: [{ key: 14, wait_mean_s: 60, wait_p90_s: 60 }] }), [[14, 15], [1, null], [1, null]]);
  assert.deepEqual(R.hourChart({ groups: [{ key: 23, wait_mean_s: 60, wait_p90_s: 60 }] }), [[22, 23], [null, 1], [null, 1]]);
  assert.deepEqual(R.hourChart(null), [[8, 9], [null, null], [null, null]]);
});

test('load by matter: the busiest first, at most max; ratings score 1 first', () => {
  const rep = { groups: [
    { key: 'BDC01', name: '不动产', issued: 1, served: 1 },
    { key: 'SB01', name: '社保参保登记', issued: 5, served: 3 },
    { key: 'YB01', name: '医保', issued: 0, served: 0 },
    { key: 'SB02', name: '转移', issued: 5, served: 5 },
  ] };
  const cd = R.matterChart(rep, 2);
  assert.deepEqual(cd.codes, ['SB01', 'SB02']);
  assert.deepEqual(cd.names, ['社保参保登记', '转移']);
  assert.equal(cd.dropped, 1);
  assert.deepEqual(cd.data, [[0, 1], [5, 5], [3, 5]]);
  assert.deepEqual(R.matterChart(null).data, [[], [], []]);
  assert.deepEqual(R.ratingsChart({ ratings: [1, 0, 2, 0, 7] }), [[1, 2, 3, 4, 5], [1, 0, 2, 0, 7]]);
  assert.deepEqual(R.ratingsChart(null), [[1, 2, 3, 4, 5], [0, 0, 0, 0, 0]]);
});
