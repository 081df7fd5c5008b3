// tests/js/announce.test.mjs — the hall board's announcement queue
// (web/lib/announce.js) without Web Audio: a fake player whose promises the
// test settles by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';

await import('../../web/lib/announce.js');
const { createQueue, createClock } = globalThis.HallqAnnounce;

const tick = () => new Promise(r => setImmediate(r));

// A player that records each call and resolves only when told to.
function fakePlayer() {
  const calls = [];
  let active = 0, maxActive = 0;
  function play(clips, item) {
    active++;
    maxActive = Math.max(maxActive, active);
    let resolve, reject;
    const p = new Promise((res, rej) => { resolve = res; reject = rej; });
    const call = {
      clips, item, ended: false,
      finish() { call.ended = true; active--; resolve(); },
      fail() { call.ended = true; active--; reject(new Error('decode failed')); },
    };
    calls.push(call);
    return p;
  }
  return { play, calls, get maxActive() { return maxActive; } };
}

const ann = (seq, extra = {}) => ({
  seq, at: 1_000_000 + seq * 1000, clips: ['chime', `zh/${seq % 10}`], ...extra,
});

test('plays in the order pushed', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  assert.equal(q.push(ann(3)), 'queued');
  assert.equal(q.push(ann(5)), 'queued');
  assert.equal(q.push(ann(9)), 'queued');
  for (let i = 0; i < 3; i++) {
    await tick();
    p.calls[i].finish();
  }
  await q.idle();
  assert.deepEqual(p.calls.map(c => c.item.seq), [3, 5, 9]);
  assert.deepEqual(p.calls[1].clips, ['chime', 'zh/5']);
  assert.equal(q.stats().played, 3);
});

test('never overlaps: the second starts only after the first resolved', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  q.push(ann(1));
  q.push(ann(2));
  assert.equal(p.calls.length, 1, 'the first starts at once');
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(p.calls.length, 1, 'the second waits while the first plays');
  assert.equal(q.playing().seq, 1);
  assert.deepEqual(q.pending().map(i => i.seq), [2]);
  p.calls[0].finish();
  await tick();
  assert.equal(p.calls.length, 2);
  assert.equal(p.calls[0].ended, true, 'the first had ended when the second started');
  p.calls[1].finish();
  await q.idle();
  assert.equal(p.maxActive, 1);
});

test('a failed play does not stop the queue', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  q.push(ann(1));
  q.push(ann(2));
  p.calls[0].fail();
  await tick();
  assert.equal(p.calls.length, 2);
  p.calls[1].finish();
  await q.idle();
  assert.equal(q.stats().failed, 1);
  assert.equal(q.stats().played, 2);
});

test('a player that throws does not stop the queue', async () => {
  let n = 0;
  const q = createQueue({ play() { n++; if (n === 1) throw new Error('no audio'); return Promise.resolve(); } });
  q.push(ann(1));
  q.push(ann(2));
  await q.idle();
  assert.equal(n, 2);
  assert.equal(q.stats().failed, 1);
});

// The queue's timers are the test's own: a real 30 ms timer raced the
// second play's own timeout on a busy machine (2 timeouts instead of 1).
test('a player that never settles is given up after timeoutMs', async () => {
  const p = fakePlayer();
  const timers = [];
  const q = createQueue({
    play: p.play, timeoutMs: 30,
    setTimeout: (fn, ms) => { const t = { fn, ms, cleared: false }; timers.push(t); return t; },
    clearTimeout: t => { t.cleared = true; },
  });
  q.push(ann(1));
  q.push(ann(2));
  assert.equal(p.calls.length, 1);
  assert.equal(timers.length, 1);
  assert.equal(timers[0].ms, 30);
  timers[0].fn();		// 30 ms on, the first has not settled: given up
  assert.equal(p.calls.length, 2);
  assert.equal(q.stats().timeouts, 1);
  p.calls[0].finish();	// late: ignored
  await tick();
  assert.equal(q.stats().timeouts, 1);
  assert.equal(p.calls.length, 2);
  p.calls[1].finish();
  await q.idle();
  assert.equal(timers.length, 2);
  assert.equal(timers[1].cleared, true);	// the second settled in time
  assert.equal(q.stats().played, 2);
  assert.equal(q.stats().timeouts, 1);
});

test('a recall (a new seq with the same clips) plays again', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  const clips = ['chime', 'zh/qing', 'zh/A', 'zh/0', 'zh/0', 'zh/1', 'zh/hao'];
  q.push({ seq: 3, at: 1000, clips, recall: false });
  q.push({ seq: 5, at: 2000, clips, recall: true });
  p.calls[0].finish();
  await tick();
  p.calls[1].finish();
  await q.idle();
  assert.equal(p.calls.length, 2);
  assert.deepEqual(p.calls[0].clips, clips);
  assert.deepEqual(p.calls[1].clips, clips);
  assert.equal(p.calls[1].item.recall, true);
});

test('a seq already taken is ignored, queued or played', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  assert.equal(q.push(ann(4)), 'queued');
  assert.equal(q.push(ann(4)), 'duplicate', 'while it plays');
  p.calls[0].finish();
  await q.idle();
  assert.equal(q.push(ann(4)), 'duplicate', 'after it played');
  assert.equal(q.push(ann(2)), 'duplicate', 'an older seq');
  assert.equal(q.push(ann(6)), 'queued');
  assert.equal(q.push(ann(6)), 'duplicate', 'while it waits');
  p.calls[1].finish();
  await q.idle();
  assert.deepEqual(p.calls.map(c => c.item.seq), [4, 6]);
  assert.equal(q.stats().duplicates, 4);
});

test('reset() (a new database) takes seqs from the start again', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play });
  q.push(ann(40));
  p.calls[0].finish();
  await q.idle();
  assert.equal(q.push(ann(3)), 'duplicate');
  q.reset();
  assert.equal(q.lastSeq(), null);
  assert.equal(q.push(ann(3)), 'queued');
  p.calls[1].finish();
  await q.idle();
});

test('a full queue drops the oldest waiting', async () => {
  const p = fakePlayer();
  const dropped = [];
  const q = createQueue({ play: p.play, maxLength: 3, onDrop: i => dropped.push(i.seq) });
  for (let s = 1; s <= 7; s++) q.push(ann(s));
  // 1 plays; 2..7 came to wait, at most 3: 2, 3, 4 dropped.
  assert.equal(q.playing().seq, 1);
  assert.deepEqual(q.pending().map(i => i.seq), [5, 6, 7]);
  assert.deepEqual(dropped, [2, 3, 4]);
  for (let i = 0; i < 4; i++) {
    await tick();
    p.calls[i].finish();
  }
  await q.idle();
  assert.deepEqual(p.calls.map(c => c.item.seq), [1, 5, 6, 7]);
  assert.equal(q.stats().dropped, 3);
});

test('stale announcements are skipped when pushed and when their turn comes', async () => {
  const p = fakePlayer();
  let serverNow = 200_000;
  const skipped = [];
  const q = createQueue({ play: p.play, now: () => serverNow, maxAgeMs: 60_000,
    onSkip: (i, why) => skipped.push([i.seq, why]) });
  // A backlog after a long cut: 100 s, 61 s old are stale; 59 s and 1 s are not.
  assert.equal(q.push({ seq: 1, at: 100_000, clips: ['a'] }), 'stale');
  assert.equal(q.push({ seq: 2, at: 139_000, clips: ['b'] }), 'stale');
  assert.equal(q.push({ seq: 3, at: 141_000, clips: ['c'] }), 'queued');
  assert.equal(q.push({ seq: 4, at: 199_000, clips: ['d'] }), 'queued');
  assert.equal(q.push({ seq: 5, at: 199_500, clips: ['e'] }), 'queued');
  assert.deepEqual(p.calls.map(c => c.item.seq), [3]);
  // seq 3 plays for a while: seq 4 is still fresh when its turn comes, and
  // seq 5 is stale by then (a long queue does not read old calls either).
  serverNow = 259_000;
  p.calls[0].finish();
  await tick();
  assert.deepEqual(p.calls.map(c => c.item.seq), [3, 4]);
  serverNow = 260_000;
  p.calls[1].finish();
  await q.idle();
  assert.deepEqual(p.calls.map(c => c.item.seq), [3, 4]);
  assert.deepEqual(skipped, [[1, 'stale'], [2, 'stale'], [5, 'stale']]);
  assert.equal(q.stats().skipped, 3);
  // A skipped seq is still taken: it does not come back.
  assert.equal(q.push({ seq: 2, at: 259_000, clips: ['b'] }), 'duplicate');
});

test('with no clock estimate nothing is stale', async () => {
  const p = fakePlayer();
  const q = createQueue({ play: p.play, now: () => null });
  assert.equal(q.push({ seq: 1, at: 0, clips: ['a'] }), 'queued');
  p.calls[0].finish();
  await q.idle();
});

test('invalid items are refused', () => {
  const q = createQueue({ play: () => Promise.resolve() });
  assert.equal(q.push(null), 'invalid');
  assert.equal(q.push({ seq: 'x', clips: [] }), 'invalid');
  assert.equal(q.push({ seq: 1 }), 'invalid');
  assert.throws(() => createQueue({}), TypeError);
});

test('clock: estimates the server clock from event times, never ahead of it', () => {
  let mono = 5_000;	// the page's monotonic clock
  const c = createClock({ monotonic: () => mono, driftPpm: 0 });
  assert.equal(c.now(), null);
  // The server is at 1e12 + 50 when the page (mono 5000) gets an event of 1e12.
  c.observe(1e12);
  assert.equal(c.now(), 1e12);
  mono += 30_000;
  assert.equal(c.now(), 1e12 + 30_000);
  // A backlog after a cut (old events received late) does not lower it.
  c.observe(1e12 + 1000);
  c.observe(1e12 + 2000);
  assert.equal(c.now(), 1e12 + 30_000);
  // A live event with less delay raises it.
  c.observe(1e12 + 29_995);
  assert.equal(c.now(), 1e12 + 30_000);
  c.observe(1e12 + 30_010);
  assert.equal(c.now(), 1e12 + 30_010);
  // A snapshot's window.since only raises it.
  c.hint(1e12);
  assert.equal(c.now(), 1e12 + 30_010);
  c.reset();
  assert.equal(c.now(), null);
  c.hint(7_000);
  assert.equal(c.now(), 7_000);
});

test('clock: after a long cut the backlog is stale, the live call is not', async () => {
  let mono = 0;
  const clock = createClock({ monotonic: () => mono, driftPpm: 0 });
  const p = fakePlayer();
  const q = createQueue({ play: p.play, now: clock.now });
  const T = 1_795_400_000_000;
  const event = (seq, at) => { clock.observe(at); return q.push({ seq, at, clips: [String(seq)] }); };
  mono = 1000; assert.equal(event(10, T), 'queued');        // live
  p.calls[0].finish();
  await q.idle();
  // Ten minutes without a connection; calls happened meanwhile, then the
  // page resumes: the backlog arrives at once.
  mono += 600_000;
  assert.equal(event(11, T + 120_000), 'stale');
  assert.equal(event(12, T + 530_000), 'stale');        // 70 s old
  assert.equal(event(13, T + 590_000), 'queued');           // 10 s old
  mono += 5;
  assert.equal(event(14, T + 600_003), 'queued');           // live again
  p.calls[1].finish();
  await tick();
  p.calls[2].finish();
  await q.idle();
  assert.deepEqual(p.calls.map(c => c.item.seq), [10, 13, 14]);
});

test('clock: a server clock stepped back is followed', () => {
  let mono = 0;
  const c = createClock({ monotonic: () => mono, driftPpm: 0 });
  c.observe(1_000_000);
  mono = 10_000;
  c.observe(1_010_000);
  mono = 20_000;
  c.observe(900_000);		// the server's clock went back 120 s
  assert.equal(c.now(), 900_000);
});

test('clock: the estimate drifts down slowly (months against an NTP server)', () => {
  let mono = 0;
  const c = createClock({ monotonic: () => mono, driftPpm: 1000 });
  c.observe(1_000_000);
  mono = 3_600_000;		// an hour without events
  assert.equal(c.now(), 1_000_000 + 3_600_000 - 3600);
});
