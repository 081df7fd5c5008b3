/* web/lib/hall-state.js — the hall as every page holds it, and the one
 * reducer that keeps it: built from a hall.snapshot or a GET /api/hall
 * reply, then moved by one event at a time (ticket.*, window.*,
 * day.rollover), in seq order.  Pure: no DOM, no fetch, no clock (the time
 * of a read is an argument), and no argument is ever changed — each call
 * returns a new state that shares what did not change.  What a page draws
 * from it (calls lists, flashes, timers) stays in the page.  A classic
 * script that sets globalThis.HallqState, in the browser (<script>) and in
 * node's tests (await import()) alike. */
'use strict';

(function (global) {
  var hasOwn = Object.prototype.hasOwnProperty;

  /* Ticket states a ticket never leaves: no event follows them. */
  var FINAL = { done: true, cancelled: true, expired: true };

  /* A command's reply stands for the event it caused (pad, dashboard):
   * applied at once, without a seq, and again, harmlessly, when the event
   * itself comes. */
  var TICKET_REPLY = {
    'call-next': 'ticket.called', call: 'ticket.called', recall: 'ticket.recalled',
    start: 'ticket.serving', finish: 'ticket.done', 'no-show': 'ticket.no_show',
    hold: 'ticket.held', transfer: 'ticket.transferred'
  };
  var WINDOW_REPLY = {
    open: 'window.opened', pause: 'window.paused', resume: 'window.resumed',
    close: 'window.closed', tiers: 'window.tiers'
  };

  /*
   * The state.  seq: the newest event applied (null before any snapshot);
   * windowsSeq: the event the windows stand at (a GET /api/hall read may be
   * ahead of the stream: the events it already holds leave them alone);
   * matters: the MATTER_LOADs as last read, at mattersAt (ms, the page's
   * clock); windows: number → WINDOW; tickets: id → TICKET, the open tickets
   * seen (windows' current ones, those of events, those read by REST), none
   * final, all dropped at a rollover.  Members a page adds are carried over.
   */
  function empty() {
    return {
      seq: null, windowsSeq: -1, name: '', day: '',
      matters: [], mattersAt: 0, windows: {}, tickets: {}
    };
  }

  function isFinal(state) { return hasOwn.call(FINAL, state); }

  /* Waiting for a call: in a matter's queue, or for one window. */
  function isWaiting(state) { return state === 'waiting' || state === 'transferred'; }

  /* At a window now: called there or served there. */
  function atWindow(state) { return state === 'called' || state === 'serving'; }

  function windowList(windows) {
    return Object.keys(windows || {}).map(function (k) { return windows[k]; })
      .sort(function (a, b) { return a.number - b.number; });
  }

  /* The matters grouped by domain, in the order they come. */
  function byDomain(matters) {
    var groups = {}, out = [];
    (matters || []).forEach(function (m) {
      var key = m.domain || '';
      var g = groups[key];
      if (!g) {
        g = groups[key] = { domain: key, domain_name: m.domain_name || key, matters: [], waiting: 0 };
        out.push(g);
      }
      g.matters.push(m);
      g.waiting += m.waiting || 0;
    });
    return out;
  }

  function copy(o, changes) { return Object.assign({}, o, changes); }

  function withTicket(tickets, tk) {
    var out = copy(tickets);
    if (isFinal(tk.state))
      delete out[tk.id];
    else
      out[tk.id] = tk;
    return out;
  }

  function windowsMap(list) {
    var map = {};
    (list || []).forEach(function (w) { map[w.number] = w; });
    return map;
  }

  /* The windows' current tickets are the newest word on those tickets. */
  function ticketsOf(tickets, windows) {
    var out = tickets;
    windowList(windows).forEach(function (w) {
      if (w.ticket && typeof w.ticket === 'object')
        out = withTicket(out, w.ticket);
    });
    return out;
  }

  /* A hall.snapshot, or the first GET /api/hall: the whole hall as of its seq. */
  function fromHall(s, now) {
    var windows = windowsMap(s.windows);
    var seq = typeof s.seq === 'number' ? s.seq : null;
    return copy(empty(), {
      seq: seq, windowsSeq: seq === null ? -1 : seq,
      name: s.hall || '', day: s.business_day || '',
      matters: s.matters || [], mattersAt: now,
      windows: windows, tickets: ticketsOf({}, windows)
    });
  }

  /*
   * A later GET /api/hall read, while events flow: the loads are taken; the
   * windows only when the read is not older than the events applied
   * (otherwise {stale: true}: read again).  The stream's seq does not move:
   * the events up to the read's seq still come, and leave the windows alone.
   */
  function readHall(st, s, now) {
    var take = typeof s.seq === 'number' && (st.seq === null || s.seq >= st.seq) &&
      s.seq >= st.windowsSeq;
    var next = copy(st, {
      name: s.hall || st.name, day: s.business_day || st.day,
      matters: s.matters || [], mattersAt: now
    });
    if (take && s.windows) {
      next.windows = windowsMap(s.windows);
      next.windowsSeq = s.seq;
      next.tickets = ticketsOf(st.tickets, next.windows);
    }
    return { state: next, windows: !!(take && s.windows), stale: !take };
  }

  /* One WINDOW read on its own (GET /api/windows/N) or from a reply. */
  function setWindow(st, w) {
    var windows = copy(st.windows);
    windows[w.number] = w;
    return copy(st, { windows: windows, tickets: ticketsOf(st.tickets, windowsMap([w])) });
  }

  /* A ticket read by REST (no seq): kept only when no event has told of it. */
  function noteTicket(st, tk) {
    if (!tk || hasOwn.call(st.tickets, tk.id) || isFinal(tk.state))
      return st;
    return copy(st, { tickets: withTicket(st.tickets, tk) });
  }

  function without(list, id) {
    return (list || []).filter(function (x) { return x !== id; });
  }

  /* What a ticket event does to the windows; null when nothing. */
  function ticketOnWindows(windows, ev) {
    var tk = ev.ticket, wn = ev.window, out = null;
    function get(n) { return out && hasOwn.call(out, n) ? out[n] : windows[n]; }
    function put(n, changes) {
      if (!out) out = copy(windows);
      out[n] = copy(get(n), changes);
    }
    var w = wn !== null && wn !== undefined && hasOwn.call(windows, wn) ? windows[wn] : null;
    var current = w && w.ticket && w.ticket.id === tk.id;
    var at = ev.at || (w && w.since);
    switch (ev.type) {
    case 'ticket.called':
    case 'ticket.recalled':
    case 'ticket.serving':
      if (w) put(wn, { ticket: tk, since: at });
      break;
    case 'ticket.held':
      if (w) {
        var held = (w.held || []).indexOf(tk.id) < 0 ? (w.held || []).concat([tk.id]) : w.held;
        put(wn, current ? { held: held, ticket: null, since: at } : { held: held });
      }
      break;
    case 'ticket.done':
    case 'ticket.no_show':
    case 'ticket.transferred':
    case 'ticket.cancelled':
      if (current) put(wn, { ticket: null, since: at });
      break;
    }
    /* Called back (by its window, or by any after a window closed),
     * cancelled, or handed back by a closing window: nobody holds it. */
    if (ev.type === 'ticket.called' || ev.type === 'ticket.cancelled' ||
        ev.type === 'ticket.requeued')
      Object.keys(windows).forEach(function (k) {
        var h = get(k).held;
        if (h && h.indexOf(tk.id) >= 0) put(k, { held: without(h, tk.id) });
      });
    return out;
  }

  /* A new business day: the old day's open tickets expired, so the windows
   * let go of them (their tiers go back to the configuration's: read the
   * hall again for those). */
  function rollWindows(windows, ev) {
    var out = {};
    Object.keys(windows).forEach(function (k) {
      var w = windows[k];
      var old = w.ticket && w.ticket.business_day !== ev.to;
      out[k] = old || (w.held && w.held.length) ?
        copy(w, old ? { ticket: null, held: [], since: ev.at || w.since } : { held: [] }) : w;
    });
    return out;
  }

  function kindOf(ev) {
    var type = typeof ev.type === 'string' ? ev.type : '';
    if (type.indexOf('ticket.') === 0 && ev.ticket && typeof ev.ticket === 'object')
      return 'ticket';
    if (type.indexOf('window.') === 0 && ev.window && typeof ev.window === 'object')
      return 'window';
    if (type === 'day.rollover')
      return 'rollover';
    return 'other';
  }

  /*
   * One event.  Returns {state, seen, kind, windows, loads, rollover}:
   *   seen     — its seq was applied already (a replay): state unchanged;
   *   kind     — 'ticket', 'window', 'rollover' or 'other' (device.*,
   *              call.announce, rating.recorded …: only the seq moves);
   *   windows  — the windows changed;
   *   loads    — the matter loads and waiting counts moved: they come with
   *              no event of their own, read GET /api/hall (or the window)
   *              again;
   *   rollover — a new day: read the hall again, windows included.
   * An event without a seq (a command's reply, see replyEvent) is applied
   * to the windows and moves no seq.
   */
  function applyEvent(st, ev) {
    var kind = kindOf(ev);
    var seq = typeof ev.seq === 'number' ? ev.seq : null;
    var r = { state: st, seen: false, kind: kind, windows: false, loads: false, rollover: false };
    if (seq !== null && st.seq !== null && seq <= st.seq) {
      r.seen = true;
      return r;
    }
    var next = copy(st);
    if (seq !== null)
      next.seq = seq;
    /* Windows read (GET /api/hall) after this event already hold it. */
    var fresh = seq === null || seq > st.windowsSeq;
    if (kind === 'ticket') {
      next.tickets = withTicket(st.tickets, ev.ticket);
      var ws = fresh ? ticketOnWindows(st.windows, ev) : null;
      if (ws) {
        next.windows = ws;
        r.windows = true;
      }
      r.loads = true;
    } else if (kind === 'window') {
      if (fresh) {
        next.windows = copy(st.windows);
        next.windows[ev.window.number] = ev.window;
        next.tickets = ticketsOf(st.tickets, windowsMap([ev.window]));
        r.windows = true;
      }
      r.loads = true;
    } else if (kind === 'rollover') {
      next.day = ev.to || st.day;
      next.tickets = {};
      if (fresh) {
        next.windows = rollWindows(st.windows, ev);
        r.windows = true;
      }
      r.loads = r.rollover = true;
    }
    r.state = next;
    return r;
  }

  /* The event a command's 2xx reply stands for (no seq), or null.  n is the
   * window that acted. */
  function replyEvent(cmd, n, reply) {
    if (!reply)
      return null;
    if (reply.ticket && typeof reply.ticket === 'object' && hasOwn.call(TICKET_REPLY, cmd))
      return { type: TICKET_REPLY[cmd], ticket: reply.ticket, window: n };
    if (reply.window && typeof reply.window === 'object' && hasOwn.call(WINDOW_REPLY, cmd))
      return { type: WINDOW_REPLY[cmd], window: reply.window };
    return null;
  }

  global.HallqState = {
    empty: empty,
    fromHall: fromHall,
    readHall: readHall,
    applyEvent: applyEvent,
    setWindow: setWindow,
    noteTicket: noteTicket,
    replyEvent: replyEvent,
    windowList: windowList,
    byDomain: byDomain,
    isFinal: isFinal,
    isWaiting: isWaiting,
    atWindow: atWindow
  };
})(typeof window !== 'undefined' ? window : globalThis);
