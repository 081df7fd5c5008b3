// tests/js/hall-state.test.mjs — web/lib/hall-state.js, the one reducer of
// the hall every page holds: a snapshot, then every event type; a replay
// with duplicates and old seqs ignored; a GET /api/hall read ahead of the
// stream; the rollover; a command's reply as its event; and no argument
// ever changed (everything handed in is frozen).
import test from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/hall-state.js');
const H = globalThis.HallqState;

const T0 = 1795400000000;
const DAY = '2026-11-23';

function freeze(o) {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    Object.values(o).forEach(freeze);
  }
  return o;
}

function ticket(id, extra = {}) {
  return { id, number: 'A' + String(id).padStart(3, '0'), matter: 'SB01', class: 'normal',
    state: 'waiting', window: null, business_day: DAY, ...extra };
}

function win(number, extra = {}) {
  return { number, name: number + '号窗口', state: 'open', ticket: null, tiers: [['SB01']],
    held: [], since: T0, waiting: [0], clerk: null, ...extra };
}

function snapshot(extra = {}) {
  return freeze({
    type: 'hall.snapshot', seq: 10, hall: '示范县政务服务中心', business_day: DAY,
    matters: [{ code: 'SB01', name: '社保参保登记', domain: 'SB', domain_name: '社会保险', waiting: 2 }],
    windows: [win(1), win(3, { ticket: ticket(5, { state: 'called', window: 3 }) }),
      win(2, { held: [7] }), win(5, { state: 'closed' })],
    ...extra,
  });
}

// Applies events in order; every event and every state handed in is frozen.
function run(st, events) {
  return events.reduce((s, ev) => H.applyEvent(freeze(s), freeze(ev)).state, st);
}

test('a snapshot is the whole hall as of its seq', () => {
  const st = H.fromHall(snapshot(), T0);
  assert.equal(st.seq, 10);
  assert.equal(st.windowsSeq, 10);
  assert.equal(st.name, '示范县政务服务中心');
  assert.equal(st.day, DAY);
  assert.equal(st.matters[0].waiting, 2);
  assert.equal(st.mattersAt, T0);
  assert.deepEqual(Object.keys(st.windows), ['1', '2', '3', '5']);
  assert.deepEqual(H.windowList(st.windows).map(w => w.number), [1, 2, 3, 5]);
  assert.equal(st.windows[3].ticket.number, 'A005');
  assert.deepEqual(Object.keys(st.tickets), ['5'], "the windows' tickets are known");
  // A GET /api/hall answer (no type) builds the same.
  const { type, ...rest } = snapshot();
  assert.deepEqual(H.fromHall(rest, T0), st);
  assert.deepEqual(H.empty(), { seq: null, windowsSeq: -1, name: '', day: '', matters: [],
    mattersAt: 0, windows: {}, tickets: {} });
});

test('every ticket event on the windows', () => {
  let st = H.fromHall(snapshot(), T0);
  const step = (ev) => { const r = H.applyEvent(freeze(st), freeze(ev)); st = r.state; return r; };

  // issued: no window; the loads move; the ticket is known.
  let r = step({ seq: 11, type: 'ticket.issued', at: T0 + 1, ticket: ticket(8), window: null });
  assert.deepEqual([r.kind, r.windows, r.loads, r.seen, r.rollover], ['ticket', false, true, false, false]);
  assert.equal(st.seq, 11);
  assert.equal(st.tickets[8].state, 'waiting');

  // called: the window's ticket, since the call.
  r = step({ seq: 12, type: 'ticket.called', at: T0 + 2, ticket: ticket(8, { state: 'called', window: 1 }), window: 1 });
  assert.equal(r.windows, true);
  assert.equal(st.windows[1].ticket.id, 8);
  assert.equal(st.windows[1].since, T0 + 2);

  // recalled, serving: the same ticket, newer.
  step({ seq: 13, type: 'ticket.recalled', at: T0 + 3, ticket: ticket(8, { state: 'called', window: 1, recalls: 1 }), window: 1 });
  assert.equal(st.windows[1].ticket.recalls, 1);
  step({ seq: 14, type: 'ticket.serving', at: T0 + 4, ticket: ticket(8, { state: 'serving', window: 1 }), window: 1 });
  assert.equal(st.windows[1].ticket.state, 'serving');
  assert.equal(st.tickets[8].state, 'serving');

  // held: off the window, into its held list (once).
  step({ seq: 15, type: 'ticket.held', at: T0 + 5, ticket: ticket(8, { state: 'held', window: 1 }), window: 1 });
  assert.equal(st.windows[1].ticket, null);
  assert.deepEqual(st.windows[1].held, [8]);
  assert.equal(st.windows[1].since, T0 + 5);
  assert.equal(st.tickets[8].state, 'held');

  // called back: out of every held list.
  step({ seq: 16, type: 'ticket.called', at: T0 + 6, ticket: ticket(8, { state: 'called', window: 1 }), window: 1 });
  assert.deepEqual(st.windows[1].held, []);
  assert.equal(st.windows[1].ticket.id, 8);

  // done: the window is free; a final ticket is forgotten.
  step({ seq: 17, type: 'ticket.done', at: T0 + 7, ticket: ticket(8, { state: 'done', window: 1 }), window: 1 });
  assert.equal(st.windows[1].ticket, null);
  assert.equal(st.windows[1].since, T0 + 7);
  assert.equal(st.tickets[8], undefined);

  // no_show: the window is free; the ticket stays known (it may be called back).
  step({ seq: 18, type: 'ticket.no_show', at: T0 + 8, ticket: ticket(5, { state: 'no_show', window: 3 }), window: 3 });
  assert.equal(st.windows[3].ticket, null);
  assert.equal(st.tickets[5].state, 'no_show');

  // transferred: off the window it left.
  step({ seq: 19, type: 'ticket.called', at: T0 + 9, ticket: ticket(9, { state: 'called', window: 3 }), window: 3 });
  r = step({ seq: 20, type: 'ticket.transferred', at: T0 + 10, ticket: ticket(9, { state: 'transferred', window: 3 }),
    window: 3, to_matter: 'YB01', to_window: null });
  assert.equal(r.windows, true);
  assert.equal(st.windows[3].ticket, null);

  // A done event for a ticket that is not the window's current one leaves it.
  step({ seq: 21, type: 'ticket.called', at: T0 + 11, ticket: ticket(10, { state: 'called', window: 3 }), window: 3 });
  r = step({ seq: 22, type: 'ticket.done', at: T0 + 12, ticket: ticket(11, { state: 'done', window: 3 }), window: 3 });
  assert.equal(r.windows, false);
  assert.equal(st.windows[3].ticket.id, 10);

  // cancelled by a manager: the window lets go of its current ticket …
  r = step({ seq: 23, type: 'ticket.cancelled', at: T0 + 13, ticket: ticket(10, { state: 'cancelled', window: 3 }), window: 3 });
  assert.equal(r.windows, true);
  assert.equal(st.windows[3].ticket, null);
  assert.equal(st.tickets[10], undefined);
  // … and of a held one (window.released follows with the window as it stands).
  step({ seq: 24, type: 'ticket.cancelled', at: T0 + 14, ticket: ticket(7, { state: 'cancelled', window: 2 }), window: 2 });
  assert.deepEqual(st.windows[2].held, []);
  r = step({ seq: 25, type: 'window.released', at: T0 + 14, window: win(2, { since: T0 + 14 }) });
  assert.deepEqual([r.kind, r.windows, r.loads], ['window', true, true]);
  assert.equal(st.windows[2].since, T0 + 14);

  // requeued: a closing window hands its held ticket back to the queue.
  step({ seq: 26, type: 'ticket.held', at: T0 + 15, ticket: ticket(12, { state: 'held', window: 3 }), window: 3 });
  assert.deepEqual(st.windows[3].held, [12]);
  r = step({ seq: 27, type: 'ticket.requeued', at: T0 + 16, ticket: ticket(12, { state: 'waiting' }), window: 3, reason: 'window_closed' });
  assert.deepEqual([r.kind, r.windows, r.loads], ['ticket', true, true]);
  assert.deepEqual(st.windows[3].held, []);
  assert.equal(st.tickets[12].state, 'waiting');

  // A ticket event naming a window that is not configured changes no window.
  r = step({ seq: 28, type: 'ticket.called', at: T0 + 17, ticket: ticket(13, { state: 'called', window: 9 }), window: 9 });
  assert.equal(r.windows, false);
  assert.equal(st.windows[9], undefined);
  assert.equal(st.seq, 28);
});

test('every window event replaces its window', () => {
  let st = H.fromHall(snapshot(), T0);
  let seq = 10;
  for (const [type, state] of [['window.paused', 'paused'], ['window.resumed', 'open'], ['window.closed', 'closed'],
    ['window.opened', 'open'], ['window.released', 'open']]) {
    const r = H.applyEvent(freeze(st), freeze({ seq: ++seq, type, at: T0 + seq, window: win(1, { state, since: T0 + seq }) }));
    assert.deepEqual([r.kind, r.windows, r.loads], ['window', true, true], type);
    st = r.state;
    assert.equal(st.windows[1].state, state, type);
    assert.equal(st.windows[1].since, T0 + seq, type);
  }
  st = run(st, [{ seq: ++seq, type: 'window.tiers', at: T0, window: win(1, { tiers: [['SB01'], ['YB01']] }) }]);
  assert.deepEqual(st.windows[1].tiers, [['SB01'], ['YB01']]);
  // A window the snapshot did not have (configured meanwhile) is added.
  st = run(st, [{ seq: ++seq, type: 'window.opened', at: T0, window: win(7) }]);
  assert.deepEqual(H.windowList(st.windows).map(w => w.number), [1, 2, 3, 5, 7]);
  // A window event carrying its current ticket makes it known.
  st = run(st, [{ seq: ++seq, type: 'window.paused', at: T0, window: win(7, { state: 'paused', ticket: ticket(30, { state: 'serving', window: 7 }) }) }]);
  assert.equal(st.tickets[30].state, 'serving');
});

test('other events move only the seq', () => {
  const st = H.fromHall(snapshot(), T0);
  const others = [
    { seq: 11, type: 'call.announce', at: T0, ticket: 5, number: 'A005', window: 3, recall: false, clips: ['chime'] },
    { seq: 12, type: 'device.up', at: T0, device: 'w3', transport: 'tcp' },
    { seq: 13, type: 'device.down', at: T0, device: 'w3', transport: 'tcp', reason: 'eof', was_up: true },
    { seq: 14, type: 'rating.recorded', at: T0, ticket: 5, number: 'A005', window: 3, score: 5 },
    { seq: 15, type: 'device.learned', at: T0, device: 'rx', remote: '0a1b2', window: 3 },
    { seq: 16, type: 'ticket.called', at: T0, ticket: 17, window: 3 },      // not a TICKET: not applied
    { seq: 17, type: 'window.paused', at: T0, window: 3 },                  // not a WINDOW: not applied
  ];
  let s = st;
  for (const ev of others) {
    const r = H.applyEvent(freeze(s), freeze(ev));
    assert.deepEqual([r.kind, r.windows, r.loads, r.seen], ['other', false, false, false], ev.type);
    s = r.state;
    assert.equal(s.seq, ev.seq);
  }
  assert.deepEqual({ ...s, seq: 10 }, st);
});

test('a replay: duplicates and old seqs are ignored, the state is the same', () => {
  const base = H.fromHall(snapshot(), T0);
  const events = [
    { seq: 11, type: 'ticket.issued', at: T0 + 1, ticket: ticket(8), window: null },
    { seq: 12, type: 'ticket.called', at: T0 + 2, ticket: ticket(8, { state: 'called', window: 1 }), window: 1 },
    { seq: 13, type: 'ticket.held', at: T0 + 3, ticket: ticket(8, { state: 'held', window: 1 }), window: 1 },
    { seq: 14, type: 'window.paused', at: T0 + 4, window: win(1, { state: 'paused', held: [8], since: T0 + 4 }) },
    { seq: 15, type: 'call.announce', at: T0 + 5, ticket: 5, number: 'A005', window: 3, clips: [] },
  ];
  const once = run(base, events);
  assert.equal(once.seq, 15);
  assert.equal(once.windows[1].state, 'paused');
  assert.deepEqual(once.windows[1].held, [8]);

  // The whole log again (a client that resumed from too early): nothing moves.
  for (const ev of events) {
    const r = H.applyEvent(freeze(once), freeze(ev));
    assert.equal(r.seen, true);
    assert.equal(r.windows, false);
    assert.equal(r.loads, false);
    assert.equal(r.state, once, 'the very same state');
  }
  // Each event twice in a row, and an old one in between: as once.
  const noisy = [];
  events.forEach((ev, i) => { noisy.push(ev, ev); if (i > 1) noisy.push(events[0]); });
  assert.deepEqual(run(base, noisy), once);
  // Events the snapshot already held (seq ≤ 10) are seen.
  const r = H.applyEvent(base, { seq: 10, type: 'ticket.done', at: T0, ticket: ticket(5, { state: 'done', window: 3 }), window: 3 });
  assert.equal(r.seen, true);
  assert.equal(r.state.windows[3].ticket.id, 5);
  // A snapshot of another database starts again from its own seq.
  const other = H.fromHall(snapshot({ seq: 3 }), T0);
  assert.equal(run(other, [{ seq: 4, type: 'ticket.issued', at: T0, ticket: ticket(1), window: null }]).seq, 4);
});

test('a GET /api/hall read ahead of the stream: the events it holds leave the windows alone', () => {
  let st = H.fromHall(snapshot(), T0);
  // The read at seq 12 already has window 1 calling ticket 8 and then paused.
  const read = freeze({ seq: 12, hall: '示范县政务服务中心', business_day: DAY,
    matters: [{ code: 'SB01', name: '社保参保登记', domain: 'SB', waiting: 0 }],
    windows: [win(1, { state: 'paused', ticket: ticket(8, { state: 'called', window: 1 }) }), win(2), win(3), win(5, { state: 'closed' })] });
  let r = H.readHall(freeze(st), read, T0 + 500);
  assert.deepEqual([r.windows, r.stale], [true, false]);
  st = r.state;
  assert.equal(st.seq, 10, 'the stream has not moved');
  assert.equal(st.windowsSeq, 12);
  assert.equal(st.matters[0].waiting, 0);
  assert.equal(st.mattersAt, T0 + 500);
  assert.equal(st.tickets[8].state, 'called');
  // Events 11 and 12 come: the windows keep what the read said, the seq moves.
  const e11 = { seq: 11, type: 'ticket.called', at: T0 + 1, ticket: ticket(8, { state: 'called', window: 1 }), window: 1 };
  const e12 = { seq: 12, type: 'window.resumed', at: T0 + 2, window: win(1, { state: 'open' }) };
  r = H.applyEvent(freeze(st), freeze(e12));
  assert.equal(r.windows, false);
  assert.equal(r.loads, true);
  st = run(st, [e11, e12]);
  assert.equal(st.seq, 12);
  assert.equal(st.windows[1].state, 'paused');
  // Event 13 is newer than the read: it applies.
  st = run(st, [{ seq: 13, type: 'window.resumed', at: T0 + 3, window: win(1, { state: 'open' }) }]);
  assert.equal(st.windows[1].state, 'open');

  // A read older than the events applied: loads taken, windows kept, read again.
  r = H.readHall(freeze(st), freeze({ ...read, seq: 11, matters: [{ code: 'SB01', waiting: 4 }] }), T0 + 900);
  assert.deepEqual([r.windows, r.stale], [false, true]);
  assert.equal(r.state.windows[1].state, 'open');
  assert.equal(r.state.matters[0].waiting, 4);
  assert.equal(r.state.mattersAt, T0 + 900);

  // Without any event (the kiosk): a read is the hall.
  r = H.readHall(H.empty(), read, T0);
  assert.deepEqual([r.windows, r.stale, r.state.seq, r.state.windowsSeq], [true, false, null, 12]);
  assert.equal(r.state.name, '示范县政务服务中心');
});

test('the rollover: a new day, the windows let go of the old day, read the hall again', () => {
  let st = H.fromHall(snapshot(), T0);
  st = run(st, [{ seq: 11, type: 'ticket.issued', at: T0, ticket: ticket(8), window: null }]);
  const ev = { seq: 12, type: 'day.rollover', at: T0 + 86400000, from: DAY, to: '2026-11-24', expired: 3 };
  const r = H.applyEvent(freeze(st), freeze(ev));
  assert.deepEqual([r.kind, r.windows, r.loads, r.rollover, r.seen], ['rollover', true, true, true, false]);
  const s = r.state;
  assert.equal(s.day, '2026-11-24');
  assert.equal(s.seq, 12);
  assert.equal(s.windows[3].ticket, null);
  assert.equal(s.windows[3].since, T0 + 86400000);
  assert.deepEqual(s.windows[2].held, []);
  assert.equal(s.windows[1], st.windows[1], 'a window with nothing to let go is the same');
  assert.deepEqual(s.tickets, {}, 'every open ticket of the old day expired');
  // Replayed: seen.
  assert.equal(H.applyEvent(s, ev).seen, true);
  // Windows read after the rollover already stand in the new day: left alone.
  const ahead = { ...st, windowsSeq: 12 };
  const r2 = H.applyEvent(freeze(ahead), freeze(ev));
  assert.equal(r2.rollover, true);
  assert.equal(r2.windows, false);
  assert.equal(r2.state.windows[3].ticket.id, 5);
  assert.equal(r2.state.day, '2026-11-24');
});

test("a command's reply is its event: applied at once without a seq, and again harmlessly", () => {
  const called = ticket(8, { state: 'called', window: 1 });
  const cases = [
    ['call-next', { ticket: called }, 'ticket.called'],
    ['call', { ticket: called }, 'ticket.called'],
    ['recall', { ticket: called }, 'ticket.recalled'],
    ['start', { ticket: called }, 'ticket.serving'],
    ['finish', { ticket: called }, 'ticket.done'],
    ['no-show', { ticket: called }, 'ticket.no_show'],
    ['hold', { ticket: called }, 'ticket.held'],
    ['transfer', { ticket: called }, 'ticket.transferred'],
    ['open', { window: win(1) }, 'window.opened'],
    ['pause', { window: win(1) }, 'window.paused'],
    ['resume', { window: win(1) }, 'window.resumed'],
    ['close', { window: win(1) }, 'window.closed'],
    ['tiers', { window: win(1) }, 'window.tiers'],
  ];
  for (const [cmd, reply, type] of cases) {
    const ev = H.replyEvent(cmd, 1, reply);
    assert.equal(ev.type, type, cmd);
    assert.equal(ev.seq, undefined, cmd);
    if (reply.ticket) assert.equal(ev.window, 1, cmd);
  }
  assert.equal(H.replyEvent('call-next', 1, null), null);          // 204: nothing
  assert.equal(H.replyEvent('status', 1, { ok: true }), null);
  assert.equal(H.replyEvent('pause', 1, { ticket: called }), null);

  let st = H.fromHall(snapshot(), T0);
  let r = H.applyEvent(freeze(st), freeze(H.replyEvent('call-next', 1, { ticket: called })));
  assert.equal(r.windows, true);
  assert.equal(r.state.seq, 10, 'no seq moves');
  assert.equal(r.state.windows[1].ticket.id, 8);
  assert.equal(r.state.windows[1].since, T0, 'a reply has no time of its own');
  st = r.state;
  // Its event follows: the same window.
  st = run(st, [{ seq: 11, type: 'ticket.called', at: T0 + 5, ticket: called, window: 1 }]);
  assert.equal(st.windows[1].ticket.id, 8);
  assert.equal(st.seq, 11);
  // hold twice (reply, then event): held once.
  st = run(st, [H.replyEvent('hold', 1, { ticket: { ...called, state: 'held' } }),
    { seq: 12, type: 'ticket.held', at: T0 + 6, ticket: { ...called, state: 'held' }, window: 1 }]);
  assert.deepEqual(st.windows[1].held, [8]);
  assert.equal(st.windows[1].ticket, null);
});

test('a window read alone, and tickets read by REST', () => {
  let st = H.fromHall(snapshot(), T0);
  st = H.setWindow(freeze(st), freeze(win(3, { waiting: [4], held: [21] })));
  assert.deepEqual(st.windows[3].waiting, [4]);
  assert.equal(st.seq, 10);
  // A held ticket read by REST is kept; one an event told of is not replaced.
  st = H.noteTicket(freeze(st), freeze(ticket(21, { state: 'held', window: 3 })));
  assert.equal(st.tickets[21].number, 'A021');
  st = run(st, [{ seq: 11, type: 'ticket.called', at: T0, ticket: ticket(21, { state: 'called', window: 3 }), window: 3 }]);
  const again = H.noteTicket(freeze(st), freeze(ticket(21, { state: 'held', window: 3 })));
  assert.equal(again, st);
  assert.equal(again.tickets[21].state, 'called');
  assert.equal(H.noteTicket(st, ticket(22, { state: 'done' })), st, 'a final ticket is not kept');
  assert.equal(H.noteTicket(st, null), st);
});

test('members a page adds to the state are carried through', () => {
  const st = { ...H.fromHall(snapshot(), T0), devices: [{ name: 'w3', up: true }] };
  const s = run(st, [{ seq: 11, type: 'ticket.issued', at: T0, ticket: ticket(8), window: null },
    { seq: 12, type: 'day.rollover', at: T0, from: DAY, to: '2026-11-24', expired: 0 }]);
  assert.equal(s.devices, st.devices);
  assert.equal(H.readHall(s, snapshot({ seq: 12 }), T0).state.devices, st.devices);
});

test('domains, window order and what a ticket state means', () => {
  const ms = [
    { code: 'SB01', domain: 'SB', domain_name: '社会保险', waiting: 2 },
    { code: 'YB01', domain: 'YB', waiting: 1 },
    { code: 'SB02', domain: 'SB', domain_name: '社会保险' },
    { code: 'X1' },
  ];
  const ds = H.byDomain(freeze(ms));
  assert.deepEqual(ds.map(d => [d.domain, d.domain_name, d.matters.map(m => m.code), d.waiting]), [
    ['SB', '社会保险', ['SB01', 'SB02'], 2], ['YB', 'YB', ['YB01'], 1], ['', '', ['X1'], 0]]);
  assert.deepEqual(H.byDomain(null), []);
  assert.deepEqual(H.windowList({ 10: win(10), 2: win(2), 1: win(1) }).map(w => w.number), [1, 2, 10]);
  assert.deepEqual(H.windowList(undefined), []);
  const states = ['waiting', 'called', 'serving', 'held', 'done', 'no_show', 'cancelled', 'transferred', 'expired'];
  assert.deepEqual(states.filter(H.isFinal), ['done', 'cancelled', 'expired']);
  assert.deepEqual(states.filter(H.isWaiting), ['waiting', 'transferred']);
  assert.deepEqual(states.filter(H.atWindow), ['called', 'serving']);
  assert.equal(H.isFinal('toString'), false);
});
