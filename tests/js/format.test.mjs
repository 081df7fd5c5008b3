// tests/js/format.test.mjs — web/lib/format.js: waits, durations, places
// in the queue, states and windows, in Chinese and English.
import test from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/format.js');
const F = globalThis.HallqFormat;

test('estimated waits in whole minutes, never zero minutes', () => {
  assert.equal(F.wait(0), '无需等候');
  assert.equal(F.wait(0, 'en'), 'no wait');
  assert.equal(F.wait(undefined, 'en'), 'no wait');
  assert.equal(F.wait(-5), '无需等候');
  assert.equal(F.wait(1), '约1分钟');
  assert.equal(F.wait(29), '约1分钟');
  assert.equal(F.wait(60), '约1分钟');
  assert.equal(F.wait(90), '约2分钟');
  assert.equal(F.wait(90, 'en'), 'about 2 min');
  assert.equal(F.wait(3599), '约1小时');
  assert.equal(F.wait(3600, 'en'), 'about 1 h');
  assert.equal(F.wait(3700), '约1小时2分钟');
  assert.equal(F.wait(3700, 'en'), 'about 1 h 2 min');
  assert.equal(F.wait(2 * 3600 + 59 * 60 + 40), '约3小时');
  assert.equal(F.wait('120'), '约2分钟');
  assert.equal(F.wait('soon'), '无需等候');
});

test('no open window serves the matter: eta_s null is said, never "no wait"', () => {
  assert.equal(F.wait(null), '暂无窗口办理');
  assert.equal(F.wait(null, 'en'), 'no window serves this now');
  assert.notEqual(F.wait(null), F.wait(0));
});

test('durations as clocks', () => {
  assert.equal(F.duration(0), '00:00');
  assert.equal(F.duration(5), '00:05');
  assert.equal(F.duration(75), '01:15');
  assert.equal(F.duration(75.9), '01:15');
  assert.equal(F.duration(599), '09:59');
  assert.equal(F.duration(3599), '59:59');
  assert.equal(F.duration(3600), '1:00:00');
  assert.equal(F.duration(3725), '1:02:05');
  assert.equal(F.duration(36000 + 61), '10:01:01');
  assert.equal(F.duration(-3), '00:00');
  assert.equal(F.duration(null), '00:00');
  assert.equal(F.duration(NaN), '00:00');
});

test('seconds since a time stamp', () => {
  assert.equal(F.since(1000, 62000), 61);
  assert.equal(F.since(1000, 1999), 0);
  assert.equal(F.since(5000, 1000), 0);		// clocks that disagree
  assert.equal(F.since(null, 5000), 0);
  assert.ok(F.since(Date.now() - 3000) >= 2);
});

test('people ahead', () => {
  assert.equal(F.ahead(0), '下一位就是您');
  assert.equal(F.ahead(0, 'en'), 'you are next');
  assert.equal(F.ahead(1), '前面还有1人');
  assert.equal(F.ahead(1, 'en'), '1 person ahead');
  assert.equal(F.ahead(7, 'en'), '7 people ahead');
  assert.equal(F.people(3), '3人');
  assert.equal(F.people(3, 'en'), '3');
  assert.equal(F.people(undefined), '0人');
});

test('where a called ticket goes, and window names', () => {
  assert.equal(F.goTo(3), '请到3号窗口');
  assert.equal(F.goTo(3, 'en'), 'called, window 3');
  assert.equal(F.goTo(12, 'zh'), '请到12号窗口');
  assert.equal(F.windowName(1), '1号窗口');
  assert.equal(F.windowName(1, 'en'), 'window 1');
});

test('ticket states in both languages', () => {
  const states = ['waiting', 'called', 'serving', 'held', 'done', 'no_show', 'cancelled', 'transferred', 'expired'];
  for (const s of states) {
    assert.notEqual(F.state(s), s, `zh ${s}`);
    assert.notEqual(F.state(s, 'en'), '', `en ${s}`);
    assert.doesNotMatch(F.state(s), /[a-z]/, `zh ${s} is Chinese`);
    assert.doesNotMatch(F.state(s, 'en'), /[\u4e00-\u9fff]/, `en ${s} is English`);
  }
  assert.equal(F.state('called'), '已叫号');
  assert.equal(F.state('called', 'en'), 'called');
  assert.equal(F.state('something_new'), 'something_new');
  assert.equal(F.state('__proto__'), '__proto__');
});
