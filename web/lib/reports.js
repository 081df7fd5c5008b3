/* web/lib/reports.js — the report page's arithmetic (/reports), kept apart
 * from the DOM so node can test it: the range and group of its address
 * (?from=&to=&group=, default today), the ranges offered (today, yesterday,
 * this month, last month), GET /api/reports's path, the CSV's file name,
 * the title of a range, the tables' columns and how a figure is said, and
 * the charts' data (waits by hour, load by matter, ratings) for uPlot.
 * Days are the hall's business days, 'YYYY-MM-DD', computed as dates (no
 * clock, no zone).  A classic script: it sets globalThis.HallqReports, in
 * the browser and in node alike (tests/js/reports.test.mjs). */
'use strict';

(function (global) {
  var GROUPS = ['matter', 'window', 'clerk', 'day', 'hour', 'channel'];
  var DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /* A real date 'YYYY-MM-DD' (2026-02-30 is not). */
  function isDay(s) {
    var m = DAY.exec(s || '');
    if (!m) return false;
    var d = new Date(Date.UTC(+m[1], +m[2] - 1, +m[3]));
    return d.getUTCFullYear() === +m[1] && d.getUTCMonth() === +m[2] - 1 && d.getUTCDate() === +m[3];
  }

  function ofUTC(d) { return d.getUTCFullYear() + '-' + pad2(d.getUTCMonth() + 1) + '-' + pad2(d.getUTCDate()); }

  function addDays(day, n) {
    var m = DAY.exec(day);
    return ofUTC(new Date(Date.UTC(+m[1], +m[2] - 1, +m[3] + n)));
  }

  /* The month of day, moved by offset months: {from, to}. */
  function month(day, offset) {
    var m = DAY.exec(day);
    var y = +m[1], mo = +m[2] - 1 + (offset || 0);
    return { from: ofUTC(new Date(Date.UTC(y, mo, 1))), to: ofUTC(new Date(Date.UTC(y, mo + 1, 0))) };
  }

  /* Days from..to counted both ends. */
  function span(from, to) {
    var a = DAY.exec(from), b = DAY.exec(to);
    return Math.round((Date.UTC(+b[1], +b[2] - 1, +b[3]) - Date.UTC(+a[1], +a[2] - 1, +a[3])) / 86400000) + 1;
  }

  /*
   * The page's range and group from its address (a URLSearchParams-like
   * get) and the hall's today: a day not given or not a date is today (a
   * lone from or to makes a one-day range); from after to are swapped; an
   * unknown group is matter.
   */
  function params(q, today) {
    var get = function (k) { var v = q && q.get ? q.get(k) : null; return v || ''; };
    var from = get('from'), to = get('to'), group = get('group');
    if (!isDay(from)) from = '';
    if (!isDay(to)) to = '';
    if (!from && !to) from = to = today;
    else if (!from) from = to;
    else if (!to) to = from;
    if (from > to) { var x = from; from = to; to = x; }
    if (GROUPS.indexOf(group) < 0) group = 'matter';
    return { from: from, to: to, group: group };
  }

  /* The ranges offered as buttons: today, yesterday, this month, last month. */
  function presets(today) {
    return {
      today: { from: today, to: today },
      yesterday: { from: addDays(today, -1), to: addDays(today, -1) },
      month: { from: month(today, 0).from, to: today },
      last_month: month(today, -1)
    };
  }

  /* GET /api/reports's path for p ({from, to, group}); format 'csv' or none. */
  function apiPath(p, format) {
    return '/api/reports?from=' + p.from + '&to=' + p.to + '&group=' + p.group +
      (format ? '&format=' + format : '');
  }

  /* The page's own address for p (?from=&to=&group=). */
  function pagePath(p) {
    return '/reports?from=' + p.from + '&to=' + p.to + '&group=' + p.group;
  }

  function csvName(p) {
    return 'hallq-report-' + p.group + '-' + p.from + '-' + p.to + '.csv';
  }

  /*
   * The range said in words: {kind: 'day'|'month'|'range', ...}:
   *   day   {day}                a single day
   *   month {year, month}        a whole calendar month (the monthly report)
   *   range {from, to, days}     anything else
   */
  function rangeKind(from, to) {
    if (from === to) return { kind: 'day', day: from };
    var m = month(from, 0);
    if (m.from === from && m.to === to) {
      var d = DAY.exec(from);
      return { kind: 'month', year: +d[1], month: +d[2] };
    }
    return { kind: 'range', from: from, to: to, days: span(from, to) };
  }

  /* ------------------------------------------------------------ figures */

  /* Seconds as m:ss or h:mm:ss; null is '–'. */
  function dur(s) {
    if (s === null || s === undefined || !isFinite(s) || s < 0) return '–';
    s = Math.round(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    return h > 0 ? h + ':' + pad2(m) + ':' + pad2(sec) : m + ':' + pad2(sec);
  }

  /* A figure of the report said as its column says it. */
  function cell(v, kind) {
    if (v === null || v === undefined || (typeof v === 'number' && !isFinite(v))) return '–';
    if (kind === 'dur') return dur(v);
    if (kind === 'pct') return (Math.round(v * 10) / 10).toFixed(1) + '%';
    return String(v);
  }

  /*
   * The two tables of the page and of the printed report, each a list of
   * [field, kind]; every column's heading is the text key 'col.FIELD'.
   *   queue    tickets, waits, handling, windows
   *   service  appointments, ratings, cases, the ledger
   */
  var TABLES = {
    queue: [
      ['issued', 'n'], ['green', 'n'], ['called', 'n'], ['served', 'n'], ['no_shows', 'n'], ['cancelled', 'n'],
      ['wait_mean_s', 'dur'], ['wait_p90_s', 'dur'], ['wait_max_s', 'dur'], ['wait_within_target_pct', 'pct'],
      ['handle_mean_s', 'dur'], ['utilisation_pct', 'pct']
    ],
    service: [
      ['booked', 'n'], ['checked_in', 'n'], ['late', 'n'], ['appointment_no_shows', 'n'],
      ['rated', 'n'], ['active_rating_pct', 'pct'], ['good_pct', 'pct'], ['bad_ratings', 'n'], ['struck', 'n'],
      ['cases', 'n'], ['cases_open', 'n'], ['cases_overdue', 'n'], ['rectified_pct', 'pct'],
      ['revisited_pct', 'pct'], ['ledger', 'n']
    ]
  };

  /* A figure of a group or the total; good_pct (好评率: 满意 and 非常满意 of
   * the rated) is the page's own, from ratings. */
  function field(g, f) {
    if (!g) return null;
    if (f === 'good_pct') {
      var r = g.ratings, n = 0;
      if (!r || r.length !== 5) return null;
      r.forEach(function (x) { n += x || 0; });
      return n ? 100 * ((r[3] || 0) + (r[4] || 0)) / n : null;
    }
    var v = g[f];
    return v === undefined ? null : v;
  }

  /* ------------------------------------------------------------ charts */

  function minutes(s) {
    return s === null || s === undefined || !isFinite(s) ? null : Math.round(s / 6) / 10;
  }

  /*
   * A group=hour report → uPlot data [hours, mean wait (min), p90 wait (min)]
   * for every hour from the first to the last with figures (a gap where an
   * hour has none); at least two hours so that an axis can be drawn.
   */
  function hourChart(rep) {
    var by = {};
    var hours = ((rep && rep.groups) || []).map(function (g) {
      var h = Number(g.key);
      by[h] = g;
      return h;
    }).filter(function (h) { return h >= 0 && h <= 23; });
    if (!hours.length) return [[8, 9], [null, null], [null, null]];
    var lo = Math.min.apply(null, hours), hi = Math.max.apply(null, hours);
    if (hi === lo) {
      if (hi < 23) hi++;
      else lo--;
    }
    var xs = [], mean = [], p90 = [];
    for (var h = lo; h <= hi; h++) {
      xs.push(h);
      mean.push(by[h] ? minutes(by[h].wait_mean_s) : null);
      p90.push(by[h] ? minutes(by[h].wait_p90_s) : null);
    }
    return [xs, mean, p90];
  }

  /*
   * A group=matter report → {codes, names, data: [index, issued, served]}:
   * the matters with anything issued or served, the busiest first, at most
   * max (the others' count in dropped).
   */
  function matterChart(rep, max) {
    max = max || 12;
    var gs = ((rep && rep.groups) || []).filter(function (g) { return (g.issued || 0) + (g.served || 0) > 0; });
    gs = gs.map(function (g, i) { return { g: g, i: i }; }).sort(function (a, b) {
      return (b.g.issued || 0) - (a.g.issued || 0) || a.i - b.i;
    }).map(function (o) { return o.g; });
    var dropped = Math.max(0, gs.length - max);
    gs = gs.slice(0, max);
    return {
      codes: gs.map(function (g) { return String(g.key); }),
      names: gs.map(function (g) { return g.name || String(g.key); }),
      dropped: dropped,
      data: [gs.map(function (g, i) { return i; }),
        gs.map(function (g) { return g.issued || 0; }),
        gs.map(function (g) { return g.served || 0; })]
    };
  }

  /* The total's five rating counts → [[1..5], [counts]] (score 1 first). */
  function ratingsChart(total) {
    var r = (total && total.ratings) || [];
    var xs = [1, 2, 3, 4, 5];
    return [xs, xs.map(function (s) { return Number(r[s - 1]) || 0; })];
  }

  global.HallqReports = {
    GROUPS: GROUPS, TABLES: TABLES,
    isDay: isDay, addDays: addDays, month: month, span: span,
    params: params, presets: presets, apiPath: apiPath, pagePath: pagePath, csvName: csvName,
    rangeKind: rangeKind, dur: dur, cell: cell, field: field,
    hourChart: hourChart, matterChart: matterChart, ratingsChart: ratingsChart
  };
})(typeof window !== 'undefined' ? window : globalThis);
