// The 差评整改 page's rules (web/lib/cases.js): the steps each state allows
// (web/README.md's step table), a step's and a ledger entry's body checked
// as the daemon checks them, the list's query and the address's filters,
// overdue and days left, and what an event asks the page to read again.
import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/cases.js');
const C = globalThis.HallqCases;

const DAY = 86400000;
const T0 = 1795400000000;

test('the steps a state allows, as the step table says', () => {
  const r = (state, founded = null) => C.nextSteps({ kind: 'rating', state, founded });
  const l = (state, founded = null) => C.nextSteps({ kind: 'ledger', state, founded });
  assert.deepEqual(r('open'), ['verify', 'appeal']);
  assert.deepEqual(r('verified', true), ['rectify', 'appeal']);
  assert.deepEqual(r('verified', false), ['revisit', 'appeal']);
  assert.deepEqual(r('rectifying', true), ['rectify', 'revisit']);
  assert.deepEqual(r('revisited', true), ['rectify', 'revisit', 'close']);
  assert.deepEqual(r('appealed'), ['review']);
  assert.deepEqual(r('closed', true), []);
  // Ledger cases are never appealed.
  assert.deepEqual(l('open'), ['verify']);
  assert.deepEqual(l('verified', true), ['rectify']);
  assert.deepEqual(l('verified', false), ['revisit']);
  assert.deepEqual(l('revisited', false), ['rectify', 'revisit', 'close']);
  assert.deepEqual(C.nextSteps(null), []);
  assert.deepEqual(r('nonsense'), []);
  // Every state of the contract is covered, and a close only after a revisit.
  for (const s of C.STATES)
    if (C.nextSteps({ kind: 'rating', state: s, founded: true }).includes('close'))
      assert.equal(s, 'revisited');
});

test('the extra fields of each step', () => {
  assert.deepEqual(C.extras('verify'), ['founded']);
  assert.deepEqual(C.extras('revisit'), ['way', 'result']);
  assert.deepEqual(C.extras('review'), ['upheld']);
  assert.deepEqual(C.extras('rectify'), []);
  assert.deepEqual(C.extras('close'), []);
  assert.deepEqual(C.extras('appeal'), []);
});

test("a step's body: checked as the daemon checks it", () => {
  const open = { kind: 'rating', state: 'open', founded: null };
  assert.deepEqual(C.stepBody({ action: 'verify', note: ' 属实，已约谈 ', by: ' 王科长 ', founded: 'true' }, open),
    { body: { action: 'verify', note: '属实，已约谈', by: '王科长', founded: true } });
  assert.deepEqual(C.stepBody({ action: 'verify', note: 'x', by: 'y', founded: false }, open).body.founded, false);
  assert.equal(C.stepBody({ action: 'verify', note: 'x', by: 'y', founded: '' }, open).error, 'step.err.founded');
  assert.equal(C.stepBody({ action: 'close', note: 'x', by: 'y' }, open).error, 'step.err.state');
  assert.equal(C.stepBody({ action: 'fly', note: 'x', by: 'y' }).error, 'step.err.action');
  assert.equal(C.stepBody({ action: 'rectify', note: '  ', by: 'y' }).error, 'step.err.note');
  assert.equal(C.stepBody({ action: 'rectify', note: 'x', by: '' }).error, 'step.err.by');
  // Limits in UTF-8 bytes: 333 hanzi are 999 bytes, 334 are 1002.
  assert.ok(C.stepBody({ action: 'rectify', note: '整'.repeat(333), by: 'y' }).body);
  assert.equal(C.stepBody({ action: 'rectify', note: '整'.repeat(334), by: 'y' }).error, 'step.err.note_long');
  assert.ok(C.stepBody({ action: 'rectify', note: 'x', by: '王'.repeat(21) }).body);
  assert.equal(C.stepBody({ action: 'rectify', note: 'x', by: '王'.repeat(22) }).error, 'step.err.by_long');
  const rv = { action: 'revisit', note: '电话回访', by: '李', way: 'phone', result: 'satisfied' };
  assert.deepEqual(C.stepBody(rv, { kind: 'rating', state: 'rectifying', founded: true }).body,
    { action: 'revisit', note: '电话回访', by: '李', way: 'phone', result: 'satisfied' });
  assert.equal(C.stepBody({ ...rv, way: 'fax' }).error, 'step.err.way');
  assert.equal(C.stepBody({ ...rv, result: '' }).error, 'step.err.result');
  assert.deepEqual(C.stepBody({ action: 'review', note: 'x', by: 'y', upheld: 'false' },
    { kind: 'rating', state: 'appealed' }).body, { action: 'review', note: 'x', by: 'y', upheld: false });
  assert.equal(C.stepBody({ action: 'review', note: 'x', by: 'y' }).error, 'step.err.upheld');
  // rectify and close carry no extra member (the daemon refuses unknown fields).
  assert.deepEqual(Object.keys(C.stepBody({ action: 'close', note: 'x', by: 'y', founded: 'true', way: 'sms' }).body),
    ['action', 'note', 'by']);
});

test('utf8 lengths', () => {
  assert.equal(C.utf8Len(''), 0);
  assert.equal(C.utf8Len('abc'), 3);
  assert.equal(C.utf8Len('é'), 2);
  assert.equal(C.utf8Len('差评'), 6);
  assert.equal(C.utf8Len('😀'), 4);
});

test('a ledger entry: window and problem required, the rest left out when empty', () => {
  assert.deepEqual(C.ledgerBody({ window: '28', problem: ' 跨省转移办不了 ', by: '张三', matter: '', place: '', citizen: '', phone: '' }),
    { body: { window: 28, problem: '跨省转移办不了', by: '张三' } });
  assert.deepEqual(C.ledgerBody({ window: 28, problem: 'p', by: 'b', matter: 'SB02', place: '社保窗口', citizen: '张伟', phone: '138 1234 5678' }).body,
    { window: 28, problem: 'p', by: 'b', matter: 'SB02', place: '社保窗口', citizen: '张伟', phone: '13812345678' });
  assert.equal(C.ledgerBody({ window: '', problem: 'p', by: 'b' }).error, 'ledger.err.window');
  assert.equal(C.ledgerBody({ window: 2.5, problem: 'p', by: 'b' }).error, 'ledger.err.window');
  assert.equal(C.ledgerBody({ window: 28, problem: '', by: 'b' }).error, 'ledger.err.problem');
  assert.equal(C.ledgerBody({ window: 28, problem: 'p', by: '' }).error, 'step.err.by');
  assert.equal(C.ledgerBody({ window: 28, problem: 'p', by: 'b', phone: '12ab' }).error, 'ledger.err.phone');
  assert.equal(C.ledgerBody({ window: 28, problem: 'p', by: 'b', place: '部'.repeat(67) }).error, 'ledger.err.place_long');
});

test("the list's query and the address's filters", () => {
  assert.equal(C.query({}), '');
  assert.equal(C.query({ state: 'overdue', kind: 'rating', from: '2026-11-01', to: '2026-11-30' }),
    '?state=overdue&kind=rating&from=2026-11-01&to=2026-11-30');
  assert.equal(C.query({ state: 'bogus', kind: 'ledger', from: '11/01/2026' }), '?kind=ledger');
  assert.deepEqual(C.filters(new URLSearchParams('state=open&kind=x&from=2026-11-01&token=m1')),
    { state: 'open', kind: '', from: '2026-11-01', to: '' });
  assert.deepEqual(C.filters(null), { state: '', kind: '', from: '', to: '' });
  assert.deepEqual(C.filters(new URLSearchParams('from=2026-12-02&to=2026-11-30')),
    { state: '', kind: '', from: '2026-11-30', to: '2026-12-02' });
});

test('overdue, closed late, days left', () => {
  const c = { state: 'rectifying', due_at: T0, overdue: false };
  assert.equal(C.overdue(c, T0 - 1), false);
  assert.equal(C.overdue(c, T0 + 1), true, 'the clock passed due_at since the read');
  assert.equal(C.overdue({ ...c, overdue: true }, T0 - DAY), true);
  assert.equal(C.overdue({ ...c, state: 'closed', overdue: true }, T0 + DAY), false);
  assert.equal(C.closedLate({ state: 'closed', due_at: T0, closed_at: T0 + 1 }), true);
  assert.equal(C.closedLate({ state: 'closed', due_at: T0, closed_at: T0 }), false);
  assert.equal(C.daysLeft(c, T0 - 3 * DAY - 5), 3);
  assert.equal(C.daysLeft(c, T0 - 5), 0);
  assert.equal(C.daysLeft(c, T0 + 5), -1);
  assert.equal(C.daysLeft(c, T0 + 2 * DAY + 5), -3);
  assert.equal(C.daysLeft({}, T0), null);
});

test('events: the list again on every case event, the case shown when it is its own', () => {
  assert.equal(C.caseOf({ type: 'case.opened', case: { id: 7 } }), 7);
  assert.equal(C.caseOf({ type: 'case.step', case: 7 }), 7);
  assert.equal(C.caseOf({ type: 'ticket.done', ticket: {} }), null);
  assert.deepEqual(C.wants({ type: 'case.step', case: 7 }, 7), { list: true, detail: true });
  assert.deepEqual(C.wants({ type: 'case.closed', case: 7, struck: false }, 8), { list: true, detail: false });
  assert.deepEqual(C.wants({ type: 'case.overdue', case: 8, due_at: T0 }, null), { list: true, detail: false });
  assert.deepEqual(C.wants({ type: 'case.opened', case: { id: 9 } }, 9), { list: true, detail: true });
  assert.deepEqual(C.wants({ type: 'rating.struck', ticket: 3, case: 7 }, 7), { list: true, detail: true });
  assert.deepEqual(C.wants({ type: 'day.rollover' }, 7), { list: true, detail: false });
  assert.deepEqual(C.wants({ type: 'ticket.called', ticket: {} }, 7), { list: false, detail: false });
  assert.deepEqual(C.wants(null, 7), { list: false, detail: false });
});

test('steps in the order they were taken', () => {
  const c = { steps: [{ at: 3, action: 'rectify' }, { at: 1, action: 'verify' }, { at: 3, action: 'revisit' }] };
  assert.deepEqual(C.stepsInOrder(c).map(s => s.action), ['verify', 'rectify', 'revisit']);
  assert.deepEqual(C.stepsInOrder({}), []);
  assert.equal(c.steps[0].action, 'rectify', 'the case is left as it was');
});

test('a new ledger entry is for the ledger window (WINDOW "ledger": true) unless the manager chose another', () => {
  const ws = [
    { number: 1, name: '1号窗口', state: 'open' },
    { number: 28, name: '28号窗口', kind: '办不成事反映窗口', state: 'open', ledger: true },
    { number: 3, name: '3号窗口', state: 'closed' },
  ];
  assert.equal(C.ledgerWindow(ws), '28');
  assert.equal(C.ledgerWindow(ws, null), '28');
  // What the manager chose stays: another window, or none.
  assert.equal(C.ledgerWindow(ws, '3'), '3');
  assert.equal(C.ledgerWindow(ws, 1), '1');
  assert.equal(C.ledgerWindow(ws, ''), '');
  // A choice of a window the hall no longer has: the ledger window again.
  assert.equal(C.ledgerWindow(ws, '9'), '28');
  // Several: the lowest number; none (a daemon that does not say): none.
  assert.equal(C.ledgerWindow([...ws, { number: 12, ledger: true }]), '12');
  assert.equal(C.ledgerWindow(ws.map(w => ({ ...w, ledger: undefined }))), '');
  assert.equal(C.ledgerWindow([{ number: 2, ledger: 'yes' }]), '', 'only true counts');
  assert.equal(C.ledgerWindow(null), '');
  assert.equal(C.ledgerWindow([]), '');
});
