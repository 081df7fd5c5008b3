/* web/lib/cases.js — the 差评整改 and 办不成事 page's rules (/cases), kept
 * apart from the DOM so node can test them: which steps a case's state
 * allows (the step table of web/README.md, "Steps"), what each step must
 * carry, a step's body checked before it is sent, the list's query, a
 * case's overdue, and what an event asks the page to read again.  The
 * daemon decides; this only keeps the page from offering what it would
 * refuse.  A classic script: it sets globalThis.HallqCases, in the browser
 * and in node alike (tests/js/cases.test.mjs). */
'use strict';

(function (global) {
  var STATES = ['open', 'verified', 'rectifying', 'revisited', 'closed', 'appealed'];
  var ACTIONS = ['verify', 'rectify', 'revisit', 'close', 'appeal', 'review'];
  var WAYS = ['phone', 'sms', 'visit', 'online', 'other'];
  var RESULTS = ['satisfied', 'basically_satisfied', 'unsatisfied'];

  /* What each step must carry beyond note and by. */
  var EXTRA = { verify: ['founded'], revisit: ['way', 'result'], review: ['upheld'] };

  /*
   * The steps a case may take now, in the order a manager works them:
   *   verify  open
   *   rectify verified with founded, rectifying, revisited
   *   revisit verified not founded, rectifying, revisited
   *   close   revisited
   *   appeal  open, verified (rating cases only)
   *   review  appealed
   */
  function nextSteps(c) {
    if (!c) return [];
    var s = c.state, rating = c.kind !== 'ledger', out = [];
    if (s === 'open') out.push('verify');
    if ((s === 'verified' && c.founded === true) || s === 'rectifying' || s === 'revisited') out.push('rectify');
    if ((s === 'verified' && c.founded === false) || s === 'rectifying' || s === 'revisited') out.push('revisit');
    if (s === 'revisited') out.push('close');
    if (rating && (s === 'open' || s === 'verified')) out.push('appeal');
    if (s === 'appealed') out.push('review');
    return out;
  }

  function extras(action) { return EXTRA[action] || []; }

  /* Bytes of s in UTF-8: the daemon's limits are in bytes. */
  function utf8Len(s) {
    var n = 0;
    s = String(s);
    for (var i = 0; i < s.length; i++) {
      var c = s.charCodeAt(i);
      if (c < 0x80) n += 1;
      else if (c < 0x800) n += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) { n += 4; i++; }
      else n += 3;
    }
    return n;
  }

  function yesNo(v) {
    if (v === true || v === 'true' || v === 'yes' || v === '1') return true;
    if (v === false || v === 'false' || v === 'no' || v === '0') return false;
    return null;
  }

  /*
   * A step's body from what the form holds ({action, note, by, founded,
   * way, result, upheld}; yes/no as true/false or 'true'/'false'), checked
   * as the daemon checks it, against the case when given (a step its state
   * does not allow).  {body} or {error: 'step.err.KEY'}.
   */
  function stepBody(f, c) {
    var action = f && f.action;
    if (ACTIONS.indexOf(action) < 0) return { error: 'step.err.action' };
    if (c && nextSteps(c).indexOf(action) < 0) return { error: 'step.err.state' };
    var note = String(f.note || '').trim(), by = String(f.by || '').trim();
    if (!note) return { error: 'step.err.note' };
    if (utf8Len(note) > 1000) return { error: 'step.err.note_long' };
    if (!by) return { error: 'step.err.by' };
    if (utf8Len(by) > 64) return { error: 'step.err.by_long' };
    var body = { action: action, note: note, by: by };
    if (action === 'verify' || action === 'review') {
      var k = action === 'verify' ? 'founded' : 'upheld';
      var v = yesNo(f[k]);
      if (v === null) return { error: 'step.err.' + k };
      body[k] = v;
    }
    if (action === 'revisit') {
      if (WAYS.indexOf(f.way) < 0) return { error: 'step.err.way' };
      if (RESULTS.indexOf(f.result) < 0) return { error: 'step.err.result' };
      body.way = f.way;
      body.result = f.result;
    }
    return { body: body };
  }

  /*
   * A new 办不成事 entry from the form ({window, problem, by, matter, place,
   * citizen, phone}): {body} or {error}.  Empty optional fields are left out.
   */
  function ledgerBody(f) {
    var w = Number(f && f.window);
    if (!(w > 0) || Math.floor(w) !== w) return { error: 'ledger.err.window' };
    var problem = String(f.problem || '').trim(), by = String(f.by || '').trim();
    if (!problem) return { error: 'ledger.err.problem' };
    if (utf8Len(problem) > 1000) return { error: 'ledger.err.problem_long' };
    if (!by) return { error: 'step.err.by' };
    if (utf8Len(by) > 64) return { error: 'step.err.by_long' };
    var body = { window: w, problem: problem, by: by };
    var matter = String(f.matter || '').trim();
    if (matter) body.matter = matter;
    var place = String(f.place || '').trim();
    if (place) {
      if (utf8Len(place) > 200) return { error: 'ledger.err.place_long' };
      body.place = place;
    }
    var citizen = String(f.citizen || '').trim();
    if (citizen) {
      if (utf8Len(citizen) > 64) return { error: 'ledger.err.citizen_long' };
      body.citizen = citizen;
    }
    var phone = String(f.phone || '').replace(/[\s-]/g, '');
    if (phone) {
      if (!/^\d{5,20}$/.test(phone)) return { error: 'ledger.err.phone' };
      body.phone = phone;
    }
    return { body: body };
  }

  /*
   * The window a new 办不成事 entry is for, pre-selected in its form: what
   * the manager chose in it (kept: '' for none; a window the hall still
   * has), else the hall's ledger window (WINDOW "ledger": true, GET
   * /api/hall; the lowest number when there are several), else none ('').
   * A string, as a <select>'s value.
   */
  function ledgerWindow(windows, kept) {
    var ws = (windows || []).filter(function (w) { return w && typeof w.number === 'number'; });
    var has = function (n) { return ws.some(function (w) { return String(w.number) === String(n); }); };
    if (kept === '') return '';
    if (kept !== undefined && kept !== null && has(kept)) return String(kept);
    var ledger = ws.filter(function (w) { return w.ledger === true; })
      .sort(function (a, b) { return a.number - b.number; });
    return ledger.length ? String(ledger[0].number) : '';
  }

  var DAY = /^\d{4}-\d{2}-\d{2}$/;

  /* The filters (state, kind, from, to) as GET /api/cases's query ('' for
   * none); unknown values are left out. */
  function query(f) {
    var q = [];
    f = f || {};
    if (['open', 'overdue', 'closed'].indexOf(f.state) >= 0) q.push('state=' + f.state);
    if (['rating', 'ledger'].indexOf(f.kind) >= 0) q.push('kind=' + f.kind);
    if (DAY.test(f.from || '')) q.push('from=' + f.from);
    if (DAY.test(f.to || '')) q.push('to=' + f.to);
    return q.length ? '?' + q.join('&') : '';
  }

  /* The filters from a page address's query (URLSearchParams-like get);
   * days the wrong way round are swapped. */
  function filters(params) {
    var get = function (k) { var v = params && params.get ? params.get(k) : null; return v || ''; };
    var f = { state: get('state'), kind: get('kind'), from: get('from'), to: get('to') };
    if (['open', 'overdue', 'closed'].indexOf(f.state) < 0) f.state = '';
    if (['rating', 'ledger'].indexOf(f.kind) < 0) f.kind = '';
    if (!DAY.test(f.from)) f.from = '';
    if (!DAY.test(f.to)) f.to = '';
    if (f.from && f.to && f.from > f.to) { var x = f.from; f.from = f.to; f.to = x; }
    return f;
  }

  /* Past due and not closed (the daemon's overdue, or the page's clock
   * having passed due_at since it was read). */
  function overdue(c, now) {
    if (!c || c.state === 'closed') return false;
    return c.overdue === true || (typeof c.due_at === 'number' && now > c.due_at);
  }

  /* A closed case closed after its due time (it stays marked in the figures). */
  function closedLate(c) {
    return !!c && c.state === 'closed' && typeof c.closed_at === 'number' &&
      typeof c.due_at === 'number' && c.closed_at > c.due_at;
  }

  /* Whole days (ceil) until due: 0 on its last day; negative when overdue. */
  function daysLeft(c, now) {
    if (!c || typeof c.due_at !== 'number') return null;
    var d = (c.due_at - now) / 86400000;
    return d >= 0 ? Math.floor(d) : -Math.ceil(-d);
  }

  /* The case id an event names: case.opened carries the case, the others
   * its id.  null for any other event. */
  function caseOf(ev) {
    if (!ev || typeof ev.type !== 'string' || ev.type.indexOf('case.') !== 0) return null;
    var c = ev['case'];
    if (c && typeof c === 'object') return typeof c.id === 'number' ? c.id : null;
    return typeof c === 'number' ? c : null;
  }

  /* What an event asks the page to read again: the list (and the counts),
   * and the case shown when it is the one the event is about.  A struck
   * rating (rating.struck) names its case too. */
  function wants(ev, shown) {
    var r = { list: false, detail: false };
    if (!ev || typeof ev.type !== 'string') return r;
    var id = caseOf(ev);
    if (ev.type === 'rating.struck' && typeof ev['case'] === 'number') id = ev['case'];
    if (id === null && ev.type !== 'day.rollover') return r;
    r.list = true;
    r.detail = shown !== null && shown !== undefined && id === shown;
    return r;
  }

  /* The steps in the order they were taken (by time, then as given). */
  function stepsInOrder(c) {
    var s = ((c && c.steps) || []).map(function (x, i) { return { x: x, i: i }; });
    s.sort(function (a, b) { return (a.x.at || 0) - (b.x.at || 0) || a.i - b.i; });
    return s.map(function (o) { return o.x; });
  }

  global.HallqCases = {
    STATES: STATES, ACTIONS: ACTIONS, WAYS: WAYS, RESULTS: RESULTS,
    nextSteps: nextSteps, extras: extras, utf8Len: utf8Len,
    stepBody: stepBody, ledgerBody: ledgerBody, ledgerWindow: ledgerWindow,
    query: query, filters: filters,
    overdue: overdue, closedLate: closedLate, daysLeft: daysLeft,
    caseOf: caseOf, wants: wants, stepsInOrder: stepsInOrder
  };
})(typeof window !== 'undefined' ? window : globalThis);
