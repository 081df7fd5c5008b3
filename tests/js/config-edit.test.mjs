// tests/js/config-edit.test.mjs — web/lib/config-edit.js, the arithmetic of
// /admin: the places a refusal names, the configuration's members as the
// daemon sent them (what the page does not edit goes back byte for byte),
// the body of PUT /api/config, tiers moved with their overflow and classes,
// hours per weekday, numbers as typed, tokens by their names only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

await import('../../web/lib/config-edit.js');
const C = globalThis.HallqConfig;
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

test('a place as the daemon names it, and the places holding it', () => {
  assert.deepEqual(C.parsePath('windows[2].tiers[0][1]'), ['windows', 2, 'tiers', 0, 1]);
  assert.deepEqual(C.parsePath('classes.green.head_start_s'), ['classes', 'green', 'head_start_s']);
  assert.deepEqual(C.parsePath('hours.mon[0][1]'), ['hours', 'mon', 0, 1]);
  assert.deepEqual(C.parsePath(''), []);
  assert.deepEqual(C.parsePath(undefined), []);
  for (const s of ['windows[2].tiers[0][1]', 'matters[4].service_s', 'classes.green.head_start_s', 'calendar.holidays[3]', 'listen'])
    assert.equal(C.pathString(C.parsePath(s)), s);
  assert.deepEqual(C.fieldCandidates('windows[2].hours.mon[0][1]'),
    ['windows[2].hours.mon[0][1]', 'windows[2].hours.mon[0]', 'windows[2].hours.mon', 'windows[2].hours', 'windows[2]', 'windows']);
  assert.deepEqual(C.fieldCandidates(''), []);
  assert.deepEqual(C.placeOf('windows[2].tiers[0][1]'), { section: 'windows', top: 'windows', window: 2 });
  assert.deepEqual(C.placeOf('calendar.workdays[0]'), { section: 'hours', top: 'calendar' });
  assert.deepEqual(C.placeOf('hours.sat'), { section: 'hours', top: 'hours' });
  assert.deepEqual(C.placeOf('classes.normal'), { section: 'classes', top: 'classes' });
  assert.deepEqual(C.placeOf('listen'), { section: 'other', top: 'listen' });
  assert.deepEqual(C.placeOf(''), { section: 'other', top: '' });
});

test('the members of the configuration, raw, and the body of PUT /api/config', () => {
  const text = fs.readFileSync(path.join(ROOT, 'etc', 'hallq.json'), 'utf8');
  const answer = `{"path": "/etc/hallq.json", "version": "ab12", "config": ${text}, "previous": null}`;
  const members = C.configMembers(answer);
  const conf = JSON.parse(text);
  assert.deepEqual(members.map(m => m.key), Object.keys(conf));
  for (const m of members)
    assert.deepEqual(JSON.parse(m.raw), conf[m.key], m.key);

  // Nothing edited: every member's text as it came, in the file's order.
  const same = JSON.parse(C.putBody(members, conf, {}, 'ab12'));
  assert.equal(same.version, 'ab12');
  assert.deepEqual(same.config, conf);
  // "08", "09" before "10" … (a JS object would put "10" first).
  const body = C.putBody(members, conf, {}, 'ab12');
  assert.ok(body.indexOf('"08"') < body.indexOf('"10"'), 'raw text keeps the order of integer-like keys');

  // An edited member goes as the page holds it; one taken out is left out;
  // one added comes last.
  const work = JSON.parse(text);
  work.windows[2].tiers = [['SB01'], ['YB01']];
  delete work.calendar;
  work.newthing = { a: 1 };
  const b2 = JSON.parse(C.putBody(members, work, { windows: true, calendar: true }, null));
  assert.equal(b2.version, undefined);
  assert.deepEqual(b2.config.windows[2].tiers, [['SB01'], ['YB01']]);
  assert.equal('calendar' in b2.config, false);
  assert.deepEqual(Object.keys(b2.config).slice(-1), ['newthing']);
  assert.deepEqual(b2.config.tokens, conf.tokens);

  // Strings with escapes, nesting, numbers of every form.
  const tricky = '{ "config" : {"a\\"b": "x}]\\\\", "n": -1.5e3, "o": {"p": [1, {"q": "]"}]}, "t": true, "z": null} }';
  const ms = C.configMembers(tricky);
  assert.deepEqual(ms.map(m => m.key), ['a"b', 'n', 'o', 't', 'z']);
  assert.equal(ms[0].raw, '"x}]\\\\"');
  assert.equal(ms[1].raw, '-1.5e3');
  assert.equal(ms[2].raw, '{"p": [1, {"q": "]"}]}');
  assert.deepEqual(C.objectMembers('{}'), []);
  assert.throws(() => C.configMembers('{"path": "x"}'), /no "config"/);
  assert.throws(() => C.objectMembers('{"a": }'), /bad JSON/);
});

test('numbers and texts as typed', () => {
  assert.equal(C.numberTyped('600'), 600);
  assert.equal(C.numberTyped(' 90 '), 90);
  assert.equal(C.numberTyped('-5'), -5);
  assert.equal(C.numberTyped('1.5'), 1.5);
  assert.equal(C.numberTyped(''), undefined);
  assert.equal(C.numberTyped('  '), undefined);
  assert.equal(C.numberTyped('12a'), '12a', 'not a number: the daemon says so at its place');
  assert.equal(C.textTyped(' 社保 '), '社保');
  assert.equal(C.textTyped('', true), undefined);
  assert.equal(C.textTyped('', false), '');
  const o = { a: 1, b: 2 };
  C.setMember(o, 'a', undefined);
  C.setMember(o, 'c', 3);
  C.setMember(o, 'b', 5);
  assert.deepEqual(Object.entries(o), [['b', 5], ['c', 3]]);
});

test('tiers move with their overflow and classes', () => {
  const w = { tiers: [['A'], ['B'], ['C']], overflow_s: [0, 900, 1200], tier_classes: [['green'], [], []] };
  C.tierMove(w, 2, -1);
  assert.deepEqual(w, { tiers: [['A'], ['C'], ['B']], overflow_s: [0, 1200, 900], tier_classes: [['green'], [], []] });
  C.tierMove(w, 0, -1);	// nowhere to go
  C.tierMove(w, 2, 1);
  assert.deepEqual(w.tiers, [['A'], ['C'], ['B']]);
  C.tierRemove(w, 0);
  assert.deepEqual(w, { tiers: [['C'], ['B']], overflow_s: [1200, 900], tier_classes: [[], []] });
  C.tierAdd(w);
  assert.deepEqual(w, { tiers: [['C'], ['B'], []], overflow_s: [1200, 900, 900], tier_classes: [[], [], []] });
  // A window without overflow or classes keeps none.
  const v = { tiers: [['A']] };
  C.tierAdd(v);
  C.tierMove(v, 1, -1);
  assert.deepEqual(v, { tiers: [[], ['A']] });
  C.tierRemove(v, 5);
  assert.deepEqual(v, { tiers: [[], ['A']] });
  // A short overflow list is filled before the new tier's.
  const s = { tiers: [['A'], ['B']], overflow_s: [0] };
  C.tierAdd(s);
  assert.deepEqual(s.overflow_s, [0, 0, 900]);
});

test('hours per weekday, mon … sun', () => {
  let h = C.setDay({ sat: [] }, 'mon', [['08:30', '12:00']]);
  assert.deepEqual(Object.keys(h), ['mon', 'sat']);
  h = C.setDay(h, 'sat', undefined);
  assert.deepEqual(h, { mon: [['08:30', '12:00']] });
  h = C.setDay({ fri: [], x: 1, mon: [] }, 'wed', []);
  assert.deepEqual(Object.keys(h), ['mon', 'wed', 'fri', 'x']);
  assert.deepEqual(C.periodsTyped([[' 08:30', '12:00 '], ['25:00', '']]), [['08:30', '12:00'], ['25:00', '']]);
});

test('tokens by their names, never the tokens', () => {
  const s = C.tokenSummary({
    kiosk: ['k1', 'k2'],
    clerk: { c1: [1], c3: { windows: [3], name: '王芳' }, 'c-all': '*' },
    manager: { m1: '王主任', m2: '值班长' },
    admin: ['a1'],
    evaluator: { e1: [1] },
  });
  assert.deepEqual(s.map(r => [r.role, r.count]), [['kiosk', 2], ['clerk', 3], ['manager', 2], ['admin', 1], ['evaluator', 1]]);
  assert.deepEqual(s[1].names, [{ name: 'clerk1', windows: [1] }, { name: '王芳', windows: [3] }, { name: 'clerk3', windows: '*' }]);
  assert.deepEqual(s[2].names.map(n => n.name), ['王主任', '值班长']);
  assert.deepEqual(s[3].names.map(n => n.name), ['admin1']);
  const all = JSON.stringify(s);
  for (const tok of ['k1', 'k2', 'c1', 'c3', 'c-all', 'm1', 'm2', 'a1', 'e1'])
    assert.ok(!all.includes(`"${tok}"`), tok);
  assert.deepEqual(C.tokenSummary(null), []);
});

test('the members that changed', () => {
  assert.deepEqual(C.changedKeys({ a: 1, b: [1], c: 2 }, { a: 1, b: [2], d: 3 }).sort(), ['b', 'c', 'd']);
  assert.deepEqual(C.changedKeys({ a: { x: 1 } }, C.clone({ a: { x: 1 } })), []);
});
