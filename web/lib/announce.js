/* web/lib/announce.js — the hall board's announcement queue, pure logic: no
 * Web Audio, no DOM, no WebSocket.  A classic script that assigns
 * globalThis.HallqAnnounce, so the board loads it with <script> and node's
 * tests with `await import()`.
 *
 * createQueue(opts) — announcements ({seq, clips, at, ...}, as call.announce
 * events carry them) played one after the other, never two at once:
 *   - in the order they were pushed; the next starts only when the player's
 *     promise for the one before has settled (resolved or rejected), or after
 *     opts.timeoutMs if it never does (a stuck player must not stop the hall);
 *   - at most opts.maxLength waiting: the oldest waiting one is dropped;
 *   - a seq at or below the newest one already taken is ignored (never played
 *     twice: seq only grows within one database; reset() for a new one);
 *   - an announcement older than opts.maxAgeMs by opts.now() (the server's
 *     clock as the page estimates it; null = unknown, nothing is stale) is
 *     skipped, when pushed and again when its turn comes: after a long cut the
 *     board does not read out a backlog of calls the citizens have long gone to.
 *
 * createClock(opts) — an estimate of the server's clock from the `at` of the
 * events the page receives, measured on the page's monotonic clock (never its
 * wall clock: a TV's date may be anything).  The estimate never runs ahead of
 * the server (an event is received after its `at`), so a call that comes live
 * is never judged stale; it decays by opts.driftPpm to absorb the two clocks'
 * drift over months; a server clock stepped back (an event older than the one
 * before it) is taken as the new truth.
 */
'use strict';

(function (global) {
  function createQueue(opts) {
    opts = opts || {};
    var play = opts.play;
    if (typeof play !== 'function')
      throw new TypeError('createQueue: opts.play(clips, item) -> Promise is required');
    var now = typeof opts.now === 'function' ? opts.now : function () { return null; };
    var maxLength = opts.maxLength > 0 ? opts.maxLength : 8;
    var maxAgeMs = opts.maxAgeMs > 0 ? opts.maxAgeMs : 60000;
    var timeoutMs = opts.timeoutMs > 0 ? opts.timeoutMs : 60000;
    var setTimer = opts.setTimeout || function (f, ms) { return setTimeout(f, ms); };
    var clearTimer = opts.clearTimeout || function (t) { clearTimeout(t); };
    var on = {
      queue: opts.onQueue, play: opts.onPlay, done: opts.onDone,
      skip: opts.onSkip, drop: opts.onDrop
    };

    var waiting = [];		/* FIFO, at most maxLength */
    var current = null;		/* the item being played */
    var lastSeq = null;		/* newest seq taken */
    var idleWaiters = [];
    var stats = { queued: 0, played: 0, skipped: 0, dropped: 0, duplicates: 0,
      failed: 0, timeouts: 0 };

    function emit(name, a, b) {
      if (typeof on[name] === 'function') {
        try { on[name](a, b); } catch (e) { /* a callback must not stop the queue */ }
      }
    }

    function isStale(item) {
      if (typeof item.at !== 'number')
        return false;
      var n = now();
      return typeof n === 'number' && isFinite(n) && n - item.at > maxAgeMs;
    }

    function push(item) {
      if (!item || typeof item.seq !== 'number' || !Array.isArray(item.clips))
        return 'invalid';
      if (lastSeq !== null && item.seq <= lastSeq) {
        stats.duplicates++;
        return 'duplicate';
      }
      lastSeq = item.seq;
      if (isStale(item)) {
        stats.skipped++;
        emit('skip', item, 'stale');
        return 'stale';
      }
      waiting.push(item);
      stats.queued++;
      emit('queue', item);
      while (waiting.length > maxLength) {
        var old = waiting.shift();
        stats.dropped++;
        emit('drop', old, 'full');
      }
      next();
      return 'queued';
    }

    function next() {
      while (current === null && waiting.length) {
        var item = waiting.shift();
        if (isStale(item)) {
          stats.skipped++;
          emit('skip', item, 'stale');
          continue;
        }
        start(item);
      }
      if (current === null && !waiting.length)
        settleIdle();
    }

    function start(item) {
      current = item;
      var finished = false, timer = null;
      function finish(outcome) {
        if (finished)
          return;
        finished = true;
        if (timer !== null)
          clearTimer(timer);
        if (outcome === 'failed') stats.failed++;
        else if (outcome === 'timeout') stats.timeouts++;
        current = null;
        emit('done', item, outcome);
        next();
      }
      stats.played++;
      emit('play', item);
      var p;
      try {
        p = play(item.clips.slice(), item);
      } catch (e) {
        p = Promise.reject(e);
      }
      timer = setTimer(function () { timer = null; finish('timeout'); }, timeoutMs);
      Promise.resolve(p).then(function () { finish('ok'); },
        function () { finish('failed'); });
    }

    function settleIdle() {
      var w = idleWaiters;
      idleWaiters = [];
      w.forEach(function (f) { f(); });
    }

    return {
      push: push,
      /* Forget what is waiting (not the one playing). */
      clear: function () {
        waiting.length = 0;
        if (current === null)
          settleIdle();
      },
      /* A new database: its seqs start again.  Forget the seq guard too. */
      reset: function () {
        waiting.length = 0;
        lastSeq = null;
        if (current === null)
          settleIdle();
      },
      pending: function () { return waiting.slice(); },
      playing: function () { return current; },
      lastSeq: function () { return lastSeq; },
      stats: function () {
        var s = {};
        Object.keys(stats).forEach(function (k) { s[k] = stats[k]; });
        s.waiting = waiting.length;
        s.playing = current !== null;
        return s;
      },
      /* Resolves when nothing plays and nothing waits. */
      idle: function () {
        if (current === null && !waiting.length)
          return Promise.resolve();
        return new Promise(function (r) { idleWaiters.push(r); });
      }
    };
  }

  function createClock(opts) {
    opts = opts || {};
    var mono = typeof opts.monotonic === 'function' ? opts.monotonic :
      function () { return global.performance.now(); };
    var driftPpm = typeof opts.driftPpm === 'number' && opts.driftPpm >= 0 ? opts.driftPpm : 1000;
    var stepBackMs = opts.stepBackMs > 0 ? opts.stepBackMs : 1000;
    var base = null, baseT = 0;	/* server ms − monotonic ms, as of baseT */
    var lastAt = null;		/* `at` of the newest event received */

    function current(m) {
      return base === null ? null : base - (m - baseT) * driftPpm / 1e6;
    }

    function take(at, m) {
      base = at - m;
      baseT = m;
    }

    return {
      /* An event's `at`, as the events come (in seq order). */
      observe: function (at) {
        if (typeof at !== 'number' || !isFinite(at))
          return;
        var m = mono();
        var b = current(m);
        if (b === null || at - m > b)
          take(at, m);
        else if (lastAt !== null && at < lastAt - stepBackMs)
          take(at, m);		/* the server's clock went back */
        lastAt = at;
      },
      /* A time the server had certainly reached (a snapshot's window.since):
       * raises the estimate, never lowers it. */
      hint: function (at) {
        if (typeof at !== 'number' || !isFinite(at))
          return;
        var m = mono();
        var b = current(m);
        if (b === null || at - m > b)
          take(at, m);
      },
      now: function () {
        var m = mono();
        var b = current(m);
        return b === null ? null : b + m;
      },
      reset: function () { base = null; lastAt = null; }
    };
  }

  global.HallqAnnounce = { createQueue: createQueue, createClock: createClock };
})(typeof window !== 'undefined' ? window : globalThis);
