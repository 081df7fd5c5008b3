/* web/lib/dashboard-logic.js — the manager dashboard's arithmetic, kept apart
 * from the DOM so node can test it: durations, the hall load per domain,
 * alerts, what each event asks the dashboard to read again, the chart's data
 * and the tier editor's result; the staffing panel's hours (GET
 * /api/staffing) and the advice's words (GET /api/advice, the automatic
 * mode's bounds); the audit trail's entries in words (操作记录).  The hall itself (windows, loads, seq) is
 * kept by web/lib/hall-state.js, which must be loaded first; here it is held
 * in one object the dashboard keeps, with its devices beside it.  A classic
 * script: it sets globalThis.HallqDash, in the browser and in node alike
 * (tests/js/dashboard-logic.test.mjs). */
'use strict';

(function (global) {
  var HS = global.HallqState;
  if (!HS)
    throw new Error('dashboard-logic.js: load lib/hall-state.js first');

  /* Seconds as m:ss or h:mm:ss; a missing or negative duration is "–". */
  function fmtDuration(s) {
    if (s === null || s === undefined || !isFinite(s) || s < 0)
      return '–';
    s = Math.floor(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var mm = (h > 0 && m < 10 ? '0' : '') + m, ss = (sec < 10 ? '0' : '') + sec;
    return h > 0 ? h + ':' + mm + ':' + ss : mm + ':' + ss;
  }

  /* Whole minutes, at least 1 for anything above 0: "≈ 12". */
  function minutes(s) {
    if (s === null || s === undefined || !isFinite(s) || s <= 0)
      return 0;
    return Math.max(1, Math.round(s / 60));
  }

  /* How long a window's ticket has been with it: while serving, since the
   * citizen came (serving_at); while called, since the latest call. */
  function servedFrom(ticket) {
    if (!ticket)
      return null;
    if (ticket.state === 'serving')
      return ticket.serving_at || ticket.called_at || null;
    return ticket.called_at || ticket.serving_at || null;
  }

  function servedFor(ticket, now) {
    var from = servedFrom(ticket);
    return from === null ? null : Math.max(0, (now - from) / 1000);
  }

  /* A matter's oldest wait now: the loads were read at mattersAt and their
   * clock keeps running while the queue is not empty. */
  function oldestNow(m, mattersAt, now) {
    if (!m || !(m.waiting > 0))
      return 0;
    var extra = mattersAt ? Math.max(0, (now - mattersAt) / 1000) : 0;
    return (m.oldest_wait_s || 0) + extra;
  }

  var windowList = HS.windowList;

  function serves(w, codes) {
    return (w.tiers || []).some(function (tier) {
      return tier.some(function (c) { return codes.indexOf(c) >= 0; });
    });
  }

  /* Open windows that list any of the codes in a tier: counted once each
   * (the per-matter figures overlap, so they are not summed). */
  function openWindowsFor(windows, codes) {
    return windowList(windows).filter(function (w) {
      return w.state === 'open' && serves(w, codes);
    }).length;
  }

  /*
   * The hall load per domain, in the order the matters come: waiting summed,
   * oldest wait and estimate the largest of its matters (the estimate null
   * when a matter with people waiting has no open window), open windows those
   * serving any of its matters.  Each matter keeps its load as given, with
   * oldest (now) and late (past its target) added.
   */
  function domainLoads(matters, windows, mattersAt, now) {
    return HS.byDomain(matters).map(function (g) {
      var d = {
        domain: g.domain, domain_name: g.domain_name, matters: [],
        waiting: g.waiting, oldest_wait_s: 0, eta_s: 0, open_windows: 0, late: 0
      };
      g.matters.forEach(function (m) {
        var oldest = oldestNow(m, mattersAt, now);
        var late = m.waiting > 0 && m.target_wait_s > 0 && oldest > m.target_wait_s;
        d.matters.push(Object.assign({}, m, { oldest: oldest, late: late }));
        d.oldest_wait_s = Math.max(d.oldest_wait_s, oldest);
        /* null: no open window serves a matter that has people waiting, the
         * largest wait of all (it stays null). */
        if (m.waiting > 0 && d.eta_s !== null)
          d.eta_s = m.eta_s === null ? null : Math.max(d.eta_s, m.eta_s || 0);
        if (late)
          d.late++;
      });
      d.open_windows = openWindowsFor(windows, g.matters.map(function (m) { return m.code; }));
      return d;
    });
  }

  /*
   * Alerts, the worst first:
   *   matter_late   — a matter's oldest wait is past its target_wait_s
   *   window_paused — a window paused for longer than pauseLimitS (900 s)
   *   device_down   — a device of GET /api/devices that is not up
   *   cases_overdue — 差评 cases past their deadline (casesOverdue: the
   *                   `overdue` count of GET /api/cases; null unknown)
   *   uplink_away, uplink_backlog — the uplink to the city platform
   *                   (uplink: GET /api/uplink as read; see uplinkAlert)
   * Each has a key that stays the same while the alert lasts.
   */
  function alerts(o) {
    var now = o.now, out = [];
    var pauseLimit = o.pauseLimitS === undefined ? 900 : o.pauseLimitS;
    (o.matters || []).forEach(function (m) {
      var oldest = oldestNow(m, o.mattersAt, now);
      if (m.waiting > 0 && m.target_wait_s > 0 && oldest > m.target_wait_s)
        out.push({
          kind: 'matter_late', key: 'm:' + m.code, level: 'bad',
          matter: m.code, name: m.name, waiting: m.waiting,
          oldest_s: oldest, target_s: m.target_wait_s, over_s: oldest - m.target_wait_s
        });
    });
    windowList(o.windows).forEach(function (w) {
      if (w.state !== 'paused' || !w.since)
        return;
      var paused = (now - w.since) / 1000;
      if (paused > pauseLimit)
        out.push({
          kind: 'window_paused', key: 'w:' + w.number, level: 'warn',
          window: w.number, name: w.name, paused_s: paused, limit_s: pauseLimit
        });
    });
    (o.devices || []).forEach(function (d) {
      if (d.up === false)
        out.push({
          kind: 'device_down', key: 'd:' + d.name, level: 'bad',
          device: d.name, role: d.role, window: d.window === undefined ? null : d.window,
          reason: d.last_error || d.reason || null
        });
    });
    if (typeof o.casesOverdue === 'number' && o.casesOverdue > 0)
      out.push({ kind: 'cases_overdue', key: 'c:overdue', level: 'bad', count: o.casesOverdue });
    var up = uplinkAlert(o.uplink);
    if (up)
      out.push(up);
    var rank = { bad: 0, warn: 1 };
    var kinds = { device_down: 0, uplink_away: 1, cases_overdue: 2, matter_late: 3, window_paused: 4,
      uplink_backlog: 5 };
    out.sort(function (a, b) {
      return rank[a.level] - rank[b.level] || kinds[a.kind] - kinds[b.kind] ||
        (b.over_s || b.paused_s || 0) - (a.over_s || a.paused_s || 0) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
    });
    return out;
  }

  /* ---------------------------------------------------------- uplink */

  /* A text cut to max characters (code points), '…' at the end when cut;
   * '' for none. */
  function shorten(s, max) {
    if (s === null || s === undefined)
      return '';
    var cps = Array.from(String(s).replace(/\s+/g, ' ').trim());
    max = max || 48;
    return cps.length <= max ? cps.join('') : cps.slice(0, Math.max(1, max - 1)).join('') + '…';
  }

  function count(v) {
    return typeof v === 'number' && isFinite(v) && v >= 0 ? v : null;
  }

  /*
   * What the 上报 panel says, from GET /api/uplink as read (u; null: not
   * read yet or not available) and whether that read failed (failed):
   *   {show: false}                  nothing to say (no reading, or a
   *                                  daemon without the endpoint)
   *   {show, state: 'off'}           no uplink section ({"configured": false})
   *   {show, state: 'connected'|'away', since (ms|null), acked, seq,
   *    backlog, inflight, errors, reconnects, broker, lastError (full),
   *    lastErrorShort (at most errMax characters), alert: null|'backlog'|
   *    'away', stale (the last read failed: these are the figures before)}
   * Figures the daemon left out are null.
   */
  function uplinkView(u, failed, errMax) {
    if (!u || typeof u !== 'object')
      return { show: false, failed: !!failed };
    if (u.configured !== true)
      return { show: true, state: 'off', stale: !!failed };
    var err = typeof u.last_error === 'string' && u.last_error !== '' ? u.last_error : null;
    return {
      show: true,
      state: u.connected === true ? 'connected' : 'away',
      since: typeof u.since === 'number' ? u.since : null,
      acked: count(u.acked_seq), seq: count(u.seq), backlog: count(u.backlog),
      inflight: count(u.inflight), errors: count(u.errors), reconnects: count(u.reconnects),
      broker: typeof u.broker === 'string' ? u.broker : null,
      lastError: err, lastErrorShort: err === null ? null : shorten(err, errMax || 48),
      alert: u.alert === 'backlog' || u.alert === 'away' ? u.alert : null,
      stale: !!failed
    };
  }

  /*
   * The panel's words for a view of uplinkView, as parts in order:
   * [{part, text, title?, level?}] — part 'state' (level ok|bad|off|
   * unknown), 'since', 'acked', 'backlog' (level warn while anything waits),
   * 'errors' (title: the whole last error), 'stale'.  say: the page's t(key,
   * vars) (lib/text.js, page 'dashboard'); when(ms): a time stamp in the
   * hall's time.  [] when there is nothing to show.
   */
  function uplinkParts(v, say, when) {
    var out = [];
    if (!v || !v.show)
      return out;
    if (v.state === 'off') {
      out.push({ part: 'state', level: 'off', text: say('uplink.off') });
      return out;
    }
    out.push({ part: 'state', level: v.state === 'connected' ? 'ok' : 'bad',
      text: say(v.state === 'connected' ? 'uplink.connected' : 'uplink.away'),
      title: v.broker || undefined });
    if (v.since !== null)
      out.push({ part: 'since', text: say('uplink.since', { time: when(v.since) }) });
    if (v.acked !== null)
      out.push({ part: 'acked', text: say('uplink.acked', { acked: v.acked, seq: v.seq === null ? '–' : v.seq }) });
    if (v.backlog !== null)
      out.push({ part: 'backlog', level: v.backlog > 0 ? 'warn' : undefined,
        text: say('uplink.backlog', { n: v.backlog }) });
    if (v.errors)
      out.push({ part: 'errors', text: say('uplink.errors', { n: v.errors }) +
        (v.lastErrorShort ? say('uplink.colon') + v.lastErrorShort : ''),
        title: v.lastError || undefined });
    if (v.stale)
      out.push({ part: 'stale', level: 'warn', text: say('uplink.stale') });
    return out;
  }

  /* The dashboard's alert for the uplink: what the daemon's `alert` says
   * (it knows backlog_alert and away_alert_s), or null.  away: the broker
   * has been gone too long (since: when it went); backlog: too many events
   * not yet acknowledged (count). */
  function uplinkAlert(u) {
    if (!u || u.configured !== true)
      return null;
    if (u.alert === 'away')
      return { kind: 'uplink_away', key: 'u:away', level: 'bad',
        since: typeof u.since === 'number' ? u.since : null, backlog: count(u.backlog) };
    if (u.alert === 'backlog')
      return { kind: 'uplink_backlog', key: 'u:backlog', level: 'warn', count: count(u.backlog) };
    return null;
  }

  /* ---------------------------------------------------------- live state */

  /* The hall as web/lib/hall-state.js keeps it, and the devices (null
   * until GET /api/devices answers).  The functions below put each new
   * state into this one object, so the page holds it for good. */
  function newState() {
    return Object.assign(HS.empty(), { devices: null });
  }

  /* A snapshot (appliedSeq null) or a later GET /api/hall (appliedSeq: the
   * newest event applied, as st.seq has it): windows older than the events
   * are not taken, and {stale: true} says the loads should be read again. */
  function applyHall(st, s, appliedSeq, now) {
    if (appliedSeq === null || appliedSeq === undefined) {
      Object.assign(st, HS.fromHall(s, now));
      return { windows: true, stale: false };
    }
    var r = HS.readHall(st, s, now);
    Object.assign(st, r.state);
    return { windows: r.windows, stale: r.stale };
  }

  /*
   * One event, through the reducer; device events on the devices.  What to
   * read again comes back: hall (the loads; hallWindows: the windows too),
   * devices, stats, cases (the overdue count: every case.* event and a
   * struck rating).
   */
  function applyEvent(st, ev) {
    var r0 = HS.applyEvent(st, ev);
    Object.assign(st, r0.state);
    var r = { windows: r0.windows, hall: r0.kind === 'ticket' || r0.kind === 'window',
      hallWindows: false, devices: false, devicesFetch: false, stats: false,
      appointments: false, hours: false, cases: false };
    var type = ev.type || '';
    if (/^case\./.test(type) || type === 'rating.struck')
      r.cases = true;
    /* Today's bookings per slot, and blocks: read again. */
    if (/^(appointment|slots)\./.test(type))
      r.appointments = true;
    if (type === 'device.up' || type === 'device.down') {
      (st.devices || []).forEach(function (d) {
        if (d.name === ev.device) {
          d.up = type === 'device.up';
          if (type === 'device.down' && ev.reason)
            d.last_error = ev.reason;
          r.devices = true;
        }
      });
      r.devicesFetch = true;
    } else if (r0.kind === 'rollover') {
      r.hall = r.hallWindows = r.stats = r.appointments = r.hours = r.cases = true;
    }
    return r;
  }

  /* ---------------------------------------------------------- chart */

  /*
   * GET /api/stats series → uPlot data for the matters worth drawing: those
   * with anything in them, the busiest first, at most max.  x in seconds
   * (uPlot's time scale); mean waits in minutes; a bucket with no figure is
   * null (a gap).
   */
  function chartData(series, matters, max) {
    max = max || 8;
    var names = {};
    (matters || []).forEach(function (m) { names[m.code] = m.name; });
    var bucket = (series && series.bucket_s) || 600;
    var start = series && series.start ? series.start / 1000 : 0;
    var ms = (series && series.matters) || {};
    var codes = Object.keys(ms);
    var n = 0;
    codes.forEach(function (c) {
      n = Math.max(n, (ms[c].waiting || []).length, (ms[c].mean_wait_s || []).length);
    });
    function total(c) {
      return (ms[c].waiting || []).reduce(function (a, v) { return a + (v || 0); }, 0) +
        (ms[c].mean_wait_s || []).reduce(function (a, v) { return a + (v ? 1 : 0); }, 0);
    }
    var order = (matters || []).map(function (m) { return m.code; });
    codes = codes.filter(function (c) { return total(c) > 0; }).sort(function (a, b) {
      return total(b) - total(a) ||
        (order.indexOf(a) < 0 ? 1e9 : order.indexOf(a)) - (order.indexOf(b) < 0 ? 1e9 : order.indexOf(b));
    });
    var dropped = Math.max(0, codes.length - max);
    codes = codes.slice(0, max);
    var xs = [];
    for (var i = 0; i < n; i++)
      xs.push(start + i * bucket);
    function col(arr, scale) {
      var out = [];
      for (var i = 0; i < n; i++) {
        var v = arr && i < arr.length ? arr[i] : null;
        out.push(v === null || v === undefined ? null : (scale ? Math.round(v / scale * 10) / 10 : v));
      }
      return out;
    }
    return {
      codes: codes, names: codes.map(function (c) { return names[c] || c; }), dropped: dropped,
      waiting: [xs].concat(codes.map(function (c) { return col(ms[c].waiting, 0); })),
      mean: [xs].concat(codes.map(function (c) { return col(ms[c].mean_wait_s, 60); }))
    };
  }

  /* ---------------------------------------------------------- tier editor */

  /* The editor's choice, matter code → tier index (or -1 / missing for none),
   * as POST /api/windows/{n}/tiers wants it: tiers in order, empty ones left
   * out, each in the order of the matters list. */
  function tiersFromChoice(choice, matterOrder, ntiers) {
    var tiers = [];
    for (var i = 0; i < ntiers; i++)
      tiers.push([]);
    matterOrder.forEach(function (code) {
      var i = choice[code];
      if (typeof i === 'number' && i >= 0 && i < ntiers)
        tiers[i].push(code);
    });
    return tiers.filter(function (t) { return t.length > 0; });
  }

  /* The other way: a window's tiers as a choice (the first tier a matter is
   * in wins), and how many tiers the editor starts with. */
  function choiceFromTiers(tiers) {
    var choice = {};
    (tiers || []).forEach(function (tier, i) {
      tier.forEach(function (c) { if (!(c in choice)) choice[c] = i; });
    });
    return { choice: choice, ntiers: Math.max(1, (tiers || []).length) };
  }

  function sameTiers(a, b) {
    return JSON.stringify(a || []) === JSON.stringify(b || []);
  }

  /* ---------------------------------------------------------- hours and appointments */

  function samePeriods(a, b) { return JSON.stringify(a || []) === JSON.stringify(b || []); }

  /*
   * GET /api/hours's windows → [{numbers: [1, 2, 21], periods: [[s, e]…],
   * hall: bool}]: windows with the same periods today together (a hall of 28
   * windows says its schedule in a few lines), in window order of the first
   * of each; hall: the group keeps the hall's own periods.
   */
  function hoursGroups(h) {
    var out = [];
    ((h && h.windows) || []).slice().sort(function (a, b) { return a.number - b.number; }).forEach(function (w) {
      var g = out.filter(function (x) { return samePeriods(x.periods, w.periods); })[0];
      if (!g) {
        g = { numbers: [], periods: w.periods || [], hall: samePeriods(w.periods, h.hall) };
        out.push(g);
      }
      g.numbers.push(w.number);
    });
    return out;
  }

  /* [1, 2, 3, 5, 7, 8] → "1–3, 5, 7–8" (sep between runs). */
  function numberRuns(ns, sep) {
    var out = [], i = 0;
    ns = ns.slice().sort(function (a, b) { return a - b; });
    while (i < ns.length) {
      var j = i;
      while (j + 1 < ns.length && ns[j + 1] === ns[j] + 1) j++;
      out.push(j > i ? ns[i] + '–' + ns[j] : String(ns[i]));
      i = j + 1;
    }
    return out.join(sep === undefined ? ', ' : sep);
  }

  /*
   * GET /api/appointments?day's slots → per matter, in the order of the
   * hall's matters (codes), then any other: [{matter, slots (by start),
   * capacity, booked, checked_in, no_show, cancelled, blocked (slots)}],
   * and the day's totals.
   */
  function apptTable(slots, codes) {
    var by = {}, order = [];
    var total = { capacity: 0, booked: 0, checked_in: 0, no_show: 0, cancelled: 0, blocked: 0, slots: 0 };
    (slots || []).forEach(function (s) {
      var k = s.matter === null || s.matter === undefined ? '' : s.matter;
      if (!Object.prototype.hasOwnProperty.call(by, k)) {
        by[k] = { matter: k, slots: [], capacity: 0, booked: 0, checked_in: 0, no_show: 0, cancelled: 0, blocked: 0 };
        order.push(k);
      }
      var g = by[k];
      g.slots.push(s);
      ['capacity', 'booked', 'checked_in', 'no_show', 'cancelled'].forEach(function (f) {
        var v = Number(s[f]) || 0;
        g[f] += v;
        total[f] += v;
      });
      if (s.blocked) { g.blocked++; total.blocked++; }
      total.slots++;
    });
    var rank = {};
    (codes || []).forEach(function (c, i) { rank[c] = i; });
    order.sort(function (a, b) {
      var ra = a in rank ? rank[a] : 1e9, rb = b in rank ? rank[b] : 1e9;
      return ra - rb || (a < b ? -1 : a > b ? 1 : 0);
    });
    var groups = order.map(function (k) {
      by[k].slots.sort(function (a, b) { return a.start - b.start; });
      return by[k];
    });
    return { groups: groups, total: total };
  }

  /* The starts of slot_min slots inside periods [[s, e]…] (ms), a slot
   * whole inside its period: what a manager may block. */
  function slotStarts(periods, slotMin) {
    var out = [], step = (slotMin || 30) * 60000;
    (periods || []).forEach(function (p) {
      for (var s = p[0]; s + step <= p[1]; s += step) out.push(s);
    });
    return out;
  }


  /* ---------------------------------------------------------- staffing */

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /*
   * GET /api/staffing as the panel shows it: per hour the windows
   * recommended — the plan checked by simulation (`checked.windows`) when
   * the daemon says it, else Erlang C's `recommended` — against the windows
   * open by hours; short: more recommended than open (the hours to
   * highlight); now: the hall's hour of the moment (nowHour, 0–23).  null
   * for an answer without hours.
   */
  function staffingView(st, nowHour) {
    if (!st || typeof st !== 'object' || !Array.isArray(st.hours))
      return null;
    var hours = st.hours.filter(function (h) {
      return h && typeof h.hour === 'number';
    }).map(function (h) {
      var c = h.checked && typeof h.checked === 'object' && typeof h.checked.windows === 'number' ? h.checked : null;
      var rec = c ? c.windows : (typeof h.recommended === 'number' ? h.recommended : 0);
      var open = typeof h.open_windows === 'number' ? h.open_windows : 0;
      return {
        hour: h.hour, label: pad2(h.hour), recommended: rec, checked: !!c,
        erlang: typeof h.recommended === 'number' ? h.recommended : null,
        pooled: typeof h.pooled === 'number' ? h.pooled : null,
        open: open, gap: Math.max(0, rec - open), short: rec > open,
        over_max: !!h.over_max, arrivals: typeof h.arrivals === 'number' ? h.arrivals : null,
        beyond: c && typeof c.beyond === 'number' ? c.beyond : null,
        now: h.hour === nowHour
      };
    }).sort(function (a, b) { return a.hour - b.hour; });
    return {
      day: st.day || null,
      working_day: st.working_day !== false,
      source: st.source === 'history' || st.source === 'forecast' ? st.source : 'none',
      history_days: Array.isArray(st.history_days) ? st.history_days.length : 0,
      target_min: typeof st.target_wait_min === 'number' ? st.target_wait_min : 15,
      level_pct: typeof st.level_pct === 'number' ? st.level_pct : 80,
      checked: hours.some(function (h) { return h.checked; }),
      hours: hours,
      short: hours.filter(function (h) { return h.short; }).map(function (h) { return h.hour; }),
      max: hours.reduce(function (m, h) { return Math.max(m, h.recommended, h.open); }, 0)
    };
  }

  /* The staffing chart's data (uPlot): hours, recommended, open. */
  function staffingChart(v) {
    var hs = v ? v.hours : [];
    return [hs.map(function (h) { return h.hour; }), hs.map(function (h) { return h.recommended; }),
      hs.map(function (h) { return h.open; })];
  }

  /* ---------------------------------------------------------- advice */

  /* Whole minutes of a wait in seconds (0 for none). */
  function waitMin(s) {
    return typeof s === 'number' && isFinite(s) && s > 0 ? Math.round(s / 60) : 0;
  }

  /*
   * A suggestion of GET /api/advice in words: {what, effect, others,
   * othersMore}.  say: the page's t(key, vars) (page 'dashboard');
   * matterName(code) and windowName(number) the hall's names in the
   * language.  what: 开放 15号窗口 / 恢复 15号窗口 / 让 3号窗口 优先办理
   * 不动产转移登记; effect: the late matter's mean wait before and after;
   * others: every other matter it moves (at most maxOthers said, the rest
   * counted in othersMore).
   */
  function suggestionText(s, say, matterName, windowName, maxOthers) {
    var max = maxOthers === undefined ? 3 : maxOthers;
    var win = windowName(s.window), name = matterName(s.matter) || s.matter;
    var key = s.action === 'open' ? 'advice.open' : s.action === 'resume' ? 'advice.resume' :
      s.action === 'tiers' ? 'advice.tiers' : 'advice.other_action';
    var e = s.effect || {};
    var out = {
      what: say(key, { window: win, matter: name, code: s.matter, action: s.action }),
      effect: say('advice.effect', { matter: matterName(e.matter || s.matter) || e.matter || name,
        before: waitMin(e.wait_mean_s_before), after: waitMin(e.wait_mean_s_after) }),
      others: [], othersMore: 0
    };
    (e.others || []).forEach(function (o, i) {
      if (i >= max) { out.othersMore++; return; }
      out.others.push(say('advice.other', { matter: matterName(o.matter) || o.matter, code: o.matter,
        before: waitMin(o.wait_mean_s_before), after: waitMin(o.wait_mean_s_after) }));
    });
    return out;
  }

  /* A suggestion's key: the same move read again is the same row. */
  function suggestionKey(s) {
    return [s.action, s.window, s.matter].join(':');
  }

  /* Events after which the advice is read again (debounced): anything that
   * moves a queue or a window, the mode itself, a new day. */
  function adviceOnEvent(ev) {
    var type = (ev && ev.type) || '';
    return /^ticket\./.test(type) || /^window\./.test(type) || type === 'advice.auto' ||
      type === 'day.rollover';
  }

  /* How long to wait before reading the advice again: quiet ms after the
   * latest event, but never more than max ms after the first one waiting
   * (a hall that never goes quiet is still read). */
  function adviceDelay(firstAt, now, quiet, max) {
    quiet = quiet === undefined ? 1500 : quiet;
    max = max === undefined ? 8000 : max;
    return Math.max(0, Math.min(quiet, firstAt + max - now));
  }

  /* The automatic mode's bounds as the daemon takes them: integers within
   * max_windows 1–10, min_gain_min 1–120, hold_min 10–240.  {body} or
   * {error: the field out of bounds}. */
  var AUTO_BOUNDS = { max_windows: [1, 10], min_gain_min: [1, 120], hold_min: [10, 240] };
  function autoBody(enabled, v) {
    var body = { enabled: !!enabled };
    var keys = Object.keys(AUTO_BOUNDS);
    for (var i = 0; i < keys.length; i++) {
      var k = keys[i], raw = v ? v[k] : undefined;
      if (raw === undefined || raw === null || raw === '')
        continue;
      var n = Number(raw);
      if (!isFinite(n) || Math.floor(n) !== n || n < AUTO_BOUNDS[k][0] || n > AUTO_BOUNDS[k][1])
        return { error: k, min: AUTO_BOUNDS[k][0], max: AUTO_BOUNDS[k][1] };
      body[k] = n;
    }
    return { body: body };
  }

  /* ------------------------------------------------------------ 操作记录 */

  /*
   * One entry of the audit trail (GET /api/audit's, or an `audit` event:
   * op, by, role, window, ticket, status, detail) in words, without its time
   * and who: [op] [window] [ticket] [what the detail says].  say is the
   * dashboard's t(); h gives the hall's names: window(n), matter(code),
   * ticket(id) (its number when the detail has none; null when not known
   * yet: then "#id"), when(ms) (a slot's
   * time in the hall's zone).  Unknown ops say their name; nothing of the
   * detail is shown that the daemon did not send.
   */
  function auditWords(a, say, h) {
    var d = (a && a.detail && typeof a.detail === 'object') ? a.detail : {};
    var op = (a && a.op) || '';
    var key = 'op.' + op;
    var w = say(key);
    var opWord = w === key ? op : w;
    var parts = [];
    function win(n) { return h && h.window ? h.window(n) : String(n); }
    function matter(c) {
      var n = h && h.matter ? h.matter(c) : '';
      return n ? c + ' ' + n : c;
    }
    function isNum(x) { return typeof x === 'number' && isFinite(x); }
    var tk = null;
    if (isNum(a.ticket) || typeof d.number === 'string') {
      var num = typeof d.number === 'string' ? d.number : (h && h.ticket ? h.ticket(a.ticket) : null);
      tk = num ? say('audit.ticket', { number: num }) : say('audit.ticket_id', { id: a.ticket });
    }
    /* a ticket at a window: "5号窗口 叫回 A012", "called A012 at Window 5";
     * a window alone: "暂停 3号窗口", "paused Window 3" */
    if (tk !== null && isNum(a.window))
      parts.push(say('audit.at_window', { op: opWord, ticket: tk, window: win(a.window) }));
    else {
      parts.push(opWord);
      if (isNum(a.window)) parts.push(win(a.window));
      if (tk !== null) parts.push(tk);
    }
    if (isNum(d.case))
      parts.push(say('audit.case', { id: d.case }));
    if (op === 'transfer') {
      if (typeof d.matter === 'string') parts.push(say('audit.to', { to: matter(d.matter) }));
      else if (isNum(d.to_window)) parts.push(say('audit.to', { to: win(d.to_window) }));
      else if (isNum(d.window)) parts.push(say('audit.to', { to: win(d.window) }));
    } else if (typeof d.matter === 'string') {
      parts.push(matter(d.matter));
    } else if (op === 'block' || op === 'unblock') {
      parts.push(say('audit.all_matters'));
    }
    if (typeof d.class === 'string' && d.class !== 'normal') {
      var ck = 'audit.class.' + d.class, cw = say(ck);
      parts.push(cw === ck ? d.class : cw);
    }
    var extra = [];
    if (Array.isArray(d.tiers))
      extra.push(d.tiers.map(function (tier, i) {
        return say('audit.tiers', { n: i + 1, codes: Array.isArray(tier) ? tier.join(' ') : String(tier) });
      }).join(say('audit.sep')));
    if (isNum(d.start))
      extra.push(h && h.when ? h.when(d.start) : String(d.start));
    else if (typeof d.day === 'string')
      extra.push(say('audit.day', { day: d.day }));
    if (typeof d.action === 'string') {
      var ak = 'audit.act.' + d.action, aw = say(ak);
      extra.push(aw === ak ? d.action : aw);
    }
    if (d.founded === true || d.founded === false)
      extra.push(say(d.founded ? 'audit.founded.yes' : 'audit.founded.no'));
    if (d.upheld === true || d.upheld === false)
      extra.push(say(d.upheld ? 'audit.upheld.yes' : 'audit.upheld.no'));
    if (typeof d.outcome === 'string' && d.outcome !== 'done')
      extra.push(say('audit.outcome', { outcome: d.outcome }));
    if (d.enabled === true || d.enabled === false)
      extra.push(say(d.enabled ? 'audit.on' : 'audit.off'));
    if (typeof d.appointment === 'string')
      extra.push(d.appointment);
    if (typeof d.device === 'string')
      extra.push(d.device);
    if (Array.isArray(d.changed) && d.changed.length)
      extra.push(say('audit.changed', { keys: d.changed.map(function (k) {
        var kk = 'audit.key.' + k, kw = say(kk);
        return kw === kk ? k : kw;
      }).join(say('audit.sep') === '；' ? '、' : ', ') }));
    if (isNum(a.status) && a.status >= 300)
      extra.push(say('audit.status', { status: a.status }));
    var head = parts.join(' ');
    return extra.length ? head + (op === 'tiers' || op === 'config' || op === 'reload' ? (say('audit.sep') === '；' ? '：' : ': ') : ' ') + extra.join(' ') : head;
  }

  /* Who: the token's name the daemon recorded; SIGHUP said as the system. */
  function auditWho(a, say) {
    if (!a) return '';
    if (a.role === 'system' && a.by === 'SIGHUP') return say('audit.sighup');
    return a.by || a.role || '';
  }

  /* The trail as the dashboard holds it: entries by seq, newest first,
   * whether from a page of GET /api/audit or a live event (the same entry
   * twice is kept once).  Returns the list. */
  function auditMerge(list, entries) {
    var seen = {};
    var out = [];
    (list || []).concat(entries || []).forEach(function (e) {
      if (!e || typeof e.seq !== 'number' || seen[e.seq]) return;
      seen[e.seq] = true;
      out.push(e);
    });
    out.sort(function (x, y) { return y.seq - x.seq; });
    return out;
  }

  /* An `audit` event as an entry of the trail (the event's own members). */
  function auditEntry(ev) {
    var e = {};
    Object.keys(ev || {}).forEach(function (k) { if (k !== 'type') e[k] = ev[k]; });
    return e;
  }

  /* The ticket ids the trail names whose numbers are not known: neither in
   * the entry's detail (`number`) nor in numbers (id → number). */
  function auditUnknownTickets(list, numbers) {
    var want = {}, out = [];
    (list || []).forEach(function (e) {
      var named = e.detail && typeof e.detail.number === 'string';
      if (typeof e.ticket === 'number' && !named && !Object.prototype.hasOwnProperty.call(numbers, e.ticket) && !want[e.ticket]) {
        want[e.ticket] = true;
        out.push(e.ticket);
      }
    });
    return out;
  }

  global.HallqDash = {
    auditWords: auditWords,
    auditWho: auditWho,
    auditMerge: auditMerge,
    auditEntry: auditEntry,
    auditUnknownTickets: auditUnknownTickets,
    staffingView: staffingView,
    staffingChart: staffingChart,
    waitMin: waitMin,
    suggestionText: suggestionText,
    suggestionKey: suggestionKey,
    adviceOnEvent: adviceOnEvent,
    adviceDelay: adviceDelay,
    autoBody: autoBody,
    AUTO_BOUNDS: AUTO_BOUNDS,
    hoursGroups: hoursGroups,
    numberRuns: numberRuns,
    apptTable: apptTable,
    slotStarts: slotStarts,
    fmtDuration: fmtDuration,
    minutes: minutes,
    servedFrom: servedFrom,
    servedFor: servedFor,
    oldestNow: oldestNow,
    windowList: windowList,
    openWindowsFor: openWindowsFor,
    domainLoads: domainLoads,
    alerts: alerts,
    shorten: shorten,
    uplinkView: uplinkView,
    uplinkParts: uplinkParts,
    uplinkAlert: uplinkAlert,
    newState: newState,
    applyHall: applyHall,
    applyEvent: applyEvent,
    chartData: chartData,
    tiersFromChoice: tiersFromChoice,
    choiceFromTiers: choiceFromTiers,
    sameTiers: sameTiers
  };
})(typeof window !== 'undefined' ? window : globalThis);
