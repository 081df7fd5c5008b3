// tests/js/format-hall.test.mjs — the hall's names and time (web/lib/text.js:
// HallqText.name, windowExtra, hallName, setHall, now, time, timeIn, date,
// midnight): English names with the Chinese as fallback, a time stamp said in
// the hall's zone whatever the process's TZ, the offset fallback when Intl
// does not know the zone, and the clock corrected by the daemon's `now`.
import test from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/text.js');
const T = globalThis.HallqText;

// 2026-11-23 08:26:05 UTC = 16:26:05 in Shanghai.
const MS = Date.UTC(2026, 10, 23, 8, 26, 5, 250);

test('name: name_en in English, the name otherwise or when it has none', () => {
  const m = { code: 'SB01', name: '社保参保登记', name_en: 'Social insurance enrolment',
    domain_name: '社会保险', domain_name_en: null };
  assert.equal(T.name(m, 'name', 'en'), 'Social insurance enrolment');
  assert.equal(T.name(m, 'name', 'zh'), '社保参保登记');
  assert.equal(T.name(m, 'domain_name', 'en'), '社会保险');	/* null: the Chinese */
  assert.equal(T.name({ name: '1号窗口', name_en: '' }, 'name', 'en'), '1号窗口');
  assert.equal(T.name(null, 'name', 'en'), '');
  assert.equal(T.name({ matter_name: '婚姻登记', matter_name_en: 'Marriage registration' }, 'matter_name', 'en'),
    'Marriage registration');
  const was = T.lang();
  T.setLang('en');
  assert.equal(T.name(m), 'Social insurance enrolment');	/* the page's language */
  T.setLang('zh');
  assert.equal(T.name(m), '社保参保登记');
  T.setLang(was);
});

test('windowExtra: a name that says more than the number, else the kind', () => {
  const w = { number: 3, name: '3号窗口', name_en: 'Window 3', kind: '无差别综合窗口', kind_en: 'All services' };
  assert.equal(T.windowExtra(w, 'zh'), '无差别综合窗口');
  assert.equal(T.windowExtra(w, 'en'), 'All services');
  const g = { number: 6, name: '绿色通道', name_en: 'Green channel', kind: '绿色通道' };
  assert.equal(T.windowExtra(g, 'zh'), '绿色通道');
  assert.equal(T.windowExtra(g, 'en'), 'Green channel');
  assert.equal(T.windowExtra({ number: 4, name: '4' }, 'en'), '');
  assert.ok(T.plainWindowName({ number: 12, name: 'Window 12' }));
  assert.ok(!T.plainWindowName({ number: 12, name: 'Window 12 (tax)' }));
});

test('timeIn: the zone\'s wall clock, whatever TZ node runs with', () => {
  assert.equal(T.timeIn(MS, 'Asia/Shanghai', null, true), '16:26:05');
  assert.equal(T.timeIn(MS, 'Asia/Shanghai'), '16:26');
  assert.equal(T.timeIn(MS, 'UTC'), '08:26');
  assert.equal(T.timeIn(MS, 'America/New_York'), '03:26');	/* EST in November */
  assert.equal(T.timeIn(Date.UTC(2026, 6, 1, 12, 0), 'America/New_York'), '08:00');	/* EDT */
  assert.equal(T.dateIn(Date.UTC(2026, 10, 23, 17, 0), 'Asia/Shanghai'), '2026-11-24');
  // Midnight is 00, never 24.
  assert.equal(T.timeIn(Date.UTC(2026, 10, 23, 16, 0), 'Asia/Shanghai'), '00:00');
});

test('timeIn: an unknown zone falls back to the offset the daemon gave', () => {
  assert.equal(T.timeIn(MS, 'Nowhere/Atlantis', 8 * 3600, true), '16:26:05');
  assert.equal(T.timeIn(MS, null, -5 * 3600), '03:26');
  assert.equal(T.dateIn(Date.UTC(2026, 10, 23, 17, 0), 'Nowhere/Atlantis', 8 * 3600), '2026-11-24');
});

test('setHall: zone, clock skew and the English hall name', () => {
  const local = 1_000_000;
  T.setHall({ timezone: 'Asia/Shanghai', utc_offset_s: 28800, now: MS, hall: '示范县', hall_en: 'Demo County' }, local);
  assert.equal(T.now(local), MS);
  assert.equal(T.now(local + 5000), MS + 5000);
  assert.equal(T.time(MS, true), '16:26:05');
  assert.equal(T.time(null), '–');
  assert.equal(T.date(MS), '2026-11-23');
  assert.equal(T.midnight(MS), Date.UTC(2026, 10, 22, 16, 0, 0));
  assert.equal(T.hallName('示范县', 'en'), 'Demo County');
  assert.equal(T.hallName('示范县', 'zh'), '示范县');
  // A status without hall_en leaves it; one with null takes it away.
  T.setHall({ timezone: 'Asia/Shanghai' });
  assert.equal(T.hallName('示范县', 'en'), 'Demo County');
  T.setHall({ hall_en: null });
  assert.equal(T.hallName('示范县', 'en'), '示范县');
  // The zone alone, no Intl zone: the offset.
  T.setHall({ timezone: 'Nowhere/Atlantis', utc_offset_s: 3600, now: Date.now() });
  assert.equal(T.time(MS), '09:26');
  T.setHall({ timezone: 'Asia/Shanghai', utc_offset_s: 28800, now: Date.now() });
});

test('time() is the same under any TZ of the process', async () => {
  const { execFileSync } = await import('node:child_process');
  const code = `globalThis.window=undefined;require(${JSON.stringify(new URL('../../web/lib/text.js', import.meta.url).pathname)});` +
    `const T=globalThis.HallqText;T.setHall({timezone:'Asia/Shanghai',utc_offset_s:28800});` +
    `process.stdout.write(T.time(${MS},true)+' '+new Date(${MS}).getHours())`;
  for (const tz of ['UTC', 'America/Los_Angeles', 'Asia/Tokyo']) {
    const out = execFileSync(process.execPath, ['-e', code], { env: { ...process.env, TZ: tz } }).toString();
    const [shown, localH] = out.split(' ');
    assert.equal(shown, '16:26:05', tz);
    assert.notEqual(Number(localH), 16, `${tz}: the process's own zone differs`);
  }
});
