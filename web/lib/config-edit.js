/* web/lib/config-edit.js — the configuration page's (/admin, admin.js)
 * arithmetic, kept apart from the DOM so node can test it
 * (tests/js/config-edit.test.mjs): the places a refusal names
 * (error.field, "windows[2].tiers[0][1]") parsed and looked up, the
 * members of the configuration as the daemon sent them (their raw text, so
 * what the page does not edit goes back byte for byte — key order and
 * all), the body of PUT /api/config, a window's tiers moved with their
 * overflow and classes, hours per weekday, the numbers typed, and the
 * tokens said by their names only (never a token).  A classic script: it
 * sets globalThis.HallqConfig, in the browser and in node alike. */
'use strict';

(function (global) {
  var hasOwn = Object.prototype.hasOwnProperty;
  var WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

  /* ------------------------------------------------------------ places */

  /* "windows[2].tiers[0][1]" → ["windows", 2, "tiers", 0, 1];
   * "classes.green.head_start_s" → ["classes", "green", "head_start_s"];
   * "" → []. */
  function parsePath(s) {
    var out = [];
    if (typeof s !== 'string' || s === '')
      return out;
    var re = /([^.[\]]+)|\[(\d+)\]/g, m;
    while ((m = re.exec(s)) !== null)
      out.push(m[2] !== undefined ? Number(m[2]) : m[1]);
    return out;
  }

  function pathString(parts) {
    var s = '';
    parts.forEach(function (p) {
      if (typeof p === 'number') s += '[' + p + ']';
      else s += (s ? '.' : '') + p;
    });
    return s;
  }

  /* The place and each place holding it, the nearest first:
   * "windows[2].tiers[0][1]", "windows[2].tiers[0]", "windows[2].tiers",
   * "windows[2]", "windows".  A page shows a refusal at the first of them
   * it has an input or a box for. */
  function fieldCandidates(s) {
    var parts = parsePath(s), out = [];
    for (var n = parts.length; n > 0; n--)
      out.push(pathString(parts.slice(0, n)));
    return out;
  }

  /* What the page must show to reach a place: its section and, for a
   * window, which one (windows[2]… → {section: "windows", window: 2}). */
  var SECTIONS = { matters: 'matters', windows: 'windows', hours: 'hours', calendar: 'hours',
    classes: 'classes', tokens: 'tokens', domains: 'matters' };
  function placeOf(s) {
    var parts = parsePath(s);
    var top = parts.length ? parts[0] : '';
    var r = { section: hasOwn.call(SECTIONS, top) ? SECTIONS[top] : 'other', top: top };
    if (top === 'windows' && typeof parts[1] === 'number')
      r.window = parts[1];
    return r;
  }

  /* ------------------------------------------------------------ raw members */

  /* Where the JSON value starting at text[i] (after blanks) ends. */
  function skipBlank(text, i) {
    while (i < text.length && /\s/.test(text[i])) i++;
    return i;
  }

  function valueEnd(text, i) {
    i = skipBlank(text, i);
    var c = text[i];
    if (c === '"') {
      for (i++; i < text.length; i++) {
        if (text[i] === '\\') i++;
        else if (text[i] === '"') return i + 1;
      }
      throw new Error('unterminated string');
    }
    if (c === '{' || c === '[') {
      var depth = 0;
      for (; i < text.length; i++) {
        var d = text[i];
        if (d === '"') { i = valueEnd(text, i) - 1; continue; }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') {
          depth--;
          if (depth === 0) return i + 1;
        }
      }
      throw new Error('unterminated ' + c);
    }
    var m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
    if (!m) throw new Error('bad JSON at ' + i);
    return i + m[0].length;
  }

  /* The members of the object at text[i]: [{key, raw}] in their order,
   * raw the value's text as it stands. */
  function objectMembers(text, i) {
    i = skipBlank(text, i || 0);
    if (text[i] !== '{') throw new Error('not an object');
    var out = [];
    i = skipBlank(text, i + 1);
    if (text[i] === '}') return out;
    for (;;) {
      i = skipBlank(text, i);
      var kEnd = valueEnd(text, i);
      var key = JSON.parse(text.slice(i, kEnd));
      i = skipBlank(text, kEnd);
      if (text[i] !== ':') throw new Error('":" expected at ' + i);
      var vStart = skipBlank(text, i + 1);
      var vEnd = valueEnd(text, vStart);
      out.push({ key: key, raw: text.slice(vStart, vEnd) });
      i = skipBlank(text, vEnd);
      if (text[i] === ',') { i++; continue; }
      if (text[i] === '}') return out;
      throw new Error('"," or "}" expected at ' + i);
    }
  }

  /* The configuration's members, raw, from GET /api/config's answer text:
   * [{key, raw}] of its "config". */
  function configMembers(answerText) {
    var top = objectMembers(answerText, 0);
    for (var i = 0; i < top.length; i++)
      if (top[i].key === 'config')
        return objectMembers(top[i].raw, 0);
    throw new Error('no "config" in the answer');
  }

  /* The body of PUT /api/config: {"config": …, "version": …}, where each
   * member the page edited (edited[key]) is work[key] as JSON and every
   * other one its raw text as the daemon sent it, in the file's order;
   * members new to work (not in members) come last. */
  function putBody(members, work, edited, version) {
    var seen = {}, parts = [];
    members.forEach(function (m) {
      seen[m.key] = true;
      if (edited[m.key]) {
        if (hasOwn.call(work, m.key) && work[m.key] !== undefined)
          parts.push(JSON.stringify(m.key) + ':' + JSON.stringify(work[m.key]));
      } else {
        parts.push(JSON.stringify(m.key) + ':' + m.raw);
      }
    });
    Object.keys(work).forEach(function (k) {
      if (!seen[k] && work[k] !== undefined)
        parts.push(JSON.stringify(k) + ':' + JSON.stringify(work[k]));
    });
    var body = '{"config":{' + parts.join(',') + '}';
    if (version !== undefined && version !== null)
      body += ',"version":' + JSON.stringify(version);
    return body + '}';
  }

  /* ------------------------------------------------------------ values typed */

  /* A number field as typed: '' → undefined (left out: the default), an
   * integer or decimal → that number, anything else → the text itself, so
   * the daemon's check refuses it at its place with its own words. */
  function numberTyped(s) {
    if (s === null || s === undefined) return undefined;
    s = String(s).trim();
    if (s === '') return undefined;
    if (/^-?\d+(\.\d+)?$/.test(s)) return Number(s);
    return s;
  }

  /* A text field: '' → undefined (left out) for an optional one. */
  function textTyped(s, optional) {
    s = s === null || s === undefined ? '' : String(s);
    var v = s.trim();
    return optional && v === '' ? undefined : v;
  }

  /* obj[key] = v, or the member taken out when v is undefined; a member
   * already there keeps its place. */
  function setMember(obj, key, v) {
    if (v === undefined) delete obj[key];
    else obj[key] = v;
  }

  /* ------------------------------------------------------------ tiers */

  /* A window's per-tier arrays (overflow_s, tier_classes) stay aligned with
   * its tiers when a tier is added, removed or moved; one the window does
   * not have stays absent. */
  var PER_TIER = ['overflow_s', 'tier_classes'];

  function tierAdd(w) {
    var n = (w.tiers || []).length;
    w.tiers = (w.tiers || []).concat([[]]);
    PER_TIER.forEach(function (k) {
      if (Array.isArray(w[k])) {
        while (w[k].length < n) w[k].push(k === 'overflow_s' ? 0 : []);
        w[k].push(k === 'overflow_s' ? (n ? 900 : 0) : []);
      }
    });
    return w;
  }

  function tierRemove(w, i) {
    if (!w.tiers || i < 0 || i >= w.tiers.length) return w;
    w.tiers.splice(i, 1);
    PER_TIER.forEach(function (k) {
      if (Array.isArray(w[k]) && i < w[k].length) w[k].splice(i, 1);
    });
    return w;
  }

  /* Tier i one place up (dir -1) or down (+1), with its overflow and classes. */
  function tierMove(w, i, dir) {
    var j = i + dir;
    if (!w.tiers || i < 0 || j < 0 || i >= w.tiers.length || j >= w.tiers.length) return w;
    function swap(a) {
      if (!Array.isArray(a) || i >= a.length || j >= a.length) return;
      var x = a[i]; a[i] = a[j]; a[j] = x;
    }
    swap(w.tiers);
    PER_TIER.forEach(function (k) { swap(w[k]); });
    return w;
  }

  /* ------------------------------------------------------------ hours */

  /* hours[day] = periods, the weekdays kept in the order mon … sun; a day
   * given undefined is taken out (a window's: the hall's hours that day). */
  function setDay(hours, day, periods) {
    var out = {};
    WEEKDAYS.forEach(function (d) {
      var v = d === day ? periods : hours[d];
      if (v !== undefined) out[d] = v;
    });
    Object.keys(hours).forEach(function (k) {	/* anything else, as it was */
      if (WEEKDAYS.indexOf(k) < 0) out[k] = hours[k];
    });
    return out;
  }

  /* Periods as typed: [["08:30","12:00"], …] (text as typed, trimmed: a
   * bad time goes to the daemon, which refuses it at its place). */
  function periodsTyped(rows) {
    return rows.map(function (r) { return [String(r[0]).trim(), String(r[1]).trim()]; });
  }

  /* ------------------------------------------------------------ tokens */

  /* Who the tokens are, never the tokens themselves: per role, how many,
   * and the names the configuration gives (manager, admin: token → name,
   * the list form named role1, role2…; clerk, evaluator: their windows and a
   * clerk's name).  [{role, count, names: [..], windows: [..]}] */
  function tokenSummary(tokens) {
    var out = [];
    if (!tokens || typeof tokens !== 'object') return out;
    Object.keys(tokens).forEach(function (role) {
      var v = tokens[role], names = [];
      var list = Array.isArray(v) ? v : (v && typeof v === 'object' ? Object.keys(v) : []);
      list.forEach(function (tok, i) {
        var x = Array.isArray(v) ? null : v[tok];
        var item = { name: null, windows: null };
        if (typeof x === 'string' && x !== '*')
          item.name = x;
        else if (Array.isArray(x))
          item.windows = x;
        else if (x && typeof x === 'object') {
          if (typeof x.name === 'string') item.name = x.name;
          if (x.windows !== undefined) item.windows = x.windows;
        }
        if (x === '*' || (x && x.windows === '*')) item.windows = '*';
        if ((role === 'manager' || role === 'admin') && item.name === null)
          item.name = role + (i + 1);
        if (role === 'clerk' && item.name === null)
          item.name = 'clerk' + (i + 1);
        names.push(item);
      });
      out.push({ role: role, count: list.length, names: names });
    });
    return out;
  }

  /* ------------------------------------------------------------ misc */

  function clone(v) { return v === undefined ? undefined : JSON.parse(JSON.stringify(v)); }

  /* The top-level members whose JSON differs between two configurations. */
  function changedKeys(a, b) {
    var keys = {}, out = [];
    Object.keys(a || {}).concat(Object.keys(b || {})).forEach(function (k) { keys[k] = true; });
    Object.keys(keys).forEach(function (k) {
      if (JSON.stringify((a || {})[k]) !== JSON.stringify((b || {})[k])) out.push(k);
    });
    return out;
  }

  global.HallqConfig = {
    WEEKDAYS: WEEKDAYS,
    parsePath: parsePath,
    pathString: pathString,
    fieldCandidates: fieldCandidates,
    placeOf: placeOf,
    objectMembers: objectMembers,
    configMembers: configMembers,
    putBody: putBody,
    numberTyped: numberTyped,
    textTyped: textTyped,
    setMember: setMember,
    tierAdd: tierAdd,
    tierRemove: tierRemove,
    tierMove: tierMove,
    setDay: setDay,
    periodsTyped: periodsTyped,
    tokenSummary: tokenSummary,
    clone: clone,
    changedKeys: changedKeys
  };
})(typeof window !== 'undefined' ? window : globalThis);
