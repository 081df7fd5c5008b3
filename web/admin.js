/* hallq — 配置管理, the hall's configuration edited in the browser
 * (/admin?token=ADMIN_TOKEN).
 *
 * GET /api/config gives the file as it is on disk: its path, version
 * (SHA-256), the kept previous one, and the configuration.  The page edits
 * a copy of it: matters (names, domain, prefix, service and target times;
 * add or remove one), windows (name, kind, state at start, tiers in order
 * with their overflow, hours per weekday), the hall's hours and calendar
 * (holidays, 调休 working days), classes and their head starts.  The tokens
 * are shown by their names only (never a token) and, like every section the
 * page does not edit, sent back exactly as the daemon sent them (their raw
 * text: lib/config-edit.js).  保存 sends PUT /api/config {"config": whole,
 * "version": v}: a 400 bad_config is shown at the field it names
 * (error.field, "windows[2].tiers[0][1]": its section and window shown, the
 * input marked, scrolled to, the daemon's words next to it); a 409
 * config_changed asks to read the file again; a save names the previous
 * file kept.  Every input carries the place of its value (data-field), which
 * is both how an edit reaches the copy and where a refusal is shown.
 * Strings: lib/text.js ('admin'). */
'use strict';

(function () {
  var C = window.HallqConfig;
  var t = HallqText.page('admin');
  var el = Hallq.el;
  var DAYS = C.WEEKDAYS;
  var EDITED = ['matters', 'windows', 'hours', 'calendar', 'classes'];

  var file = null;          /* {path, version, previous} as last read */
  var members = null;       /* the configuration's members, raw */
  var orig = null;          /* the configuration as read */
  var work = null;          /* the copy being edited */
  var tab = 'matters';
  var sel = 0;              /* the window edited: its index in work.windows */
  var refused = false, saving = false, loadErr = null;
  var fieldErr = null;      /* the refusal shown at its field: {field, text} */

  function $(id) { return document.getElementById(id); }
  function colon() { return Hallq.lang === 'en' ? ': ' : '：'; }

  /* ---------------------------------------------------------- REST, raw */

  /* {status, text, json}: the text kept, for the configuration's raw members. */
  function request(method, path, bodyText) {
    var headers = { Authorization: 'Bearer ' + Hallq.token };
    if (bodyText !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(path, { method: method, headers: headers, body: bodyText }).then(function (r) {
      return r.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: r.status, text: text, json: json };
      });
    }, function () { return { status: 0, text: '', json: null }; });
  }

  function errorText(r) {
    if (!r || r.status === 0) return t('err.network');
    var e = r.json && r.json.error, code = e && e.code;
    var s = code && t.has('err.' + code) ? t('err.' + code) : t('err.generic') + ' (' + r.status + (code ? ' ' + code : '') + ')';
    return s + (e && e.message ? colon() + e.message : '');
  }

  function roleProblem(r) {
    if (!Hallq.refusal(r, t('token.bad'))) return false;
    refused = true;
    return true;
  }

  /* ---------------------------------------------------------- the copy */

  /* Sets the value at a place (["windows", 2, "tiers", 0, 1]); undefined
   * takes an object's member out.  Containers missing on the way are made. */
  function setAt(root, parts, v) {
    var o = root;
    for (var i = 0; i < parts.length - 1; i++) {
      var k = parts[i];
      if (o[k] === undefined || o[k] === null || typeof o[k] !== 'object')
        o[k] = typeof parts[i + 1] === 'number' ? [] : {};
      o = o[k];
    }
    var last = parts[parts.length - 1];
    if (v === undefined && !Array.isArray(o)) delete o[last];
    else o[last] = v;
  }

  function valueOf(input) {
    var kind = input.getAttribute('data-kind') || 'text';
    var v = input.type === 'checkbox' ? input.checked : input.value;
    switch (kind) {
    case 'opt': return C.textTyped(v, true);
    case 'num': return C.numberTyped(v);
    case 'num0': { var n = C.numberTyped(v); return n === undefined ? 0 : n; }
    case 'raw': return String(v).trim();
    default: return C.textTyped(v, false);
    }
  }

  function changed() { return orig && work ? C.changedKeys(orig, work) : []; }

  function markDirty() {
    var ch = changed();
    $('dirty').hidden = !ch.length;
    $('save').disabled = !work || saving || !ch.length;
    /* the windows changed, in the list */
    var items = $('wlist').children;
    for (var i = 0; i < items.length; i++) {
      var n = Number(items[i].getAttribute('data-i'));
      var was = orig.windows && orig.windows[n];
      items[i].classList.toggle('changed', JSON.stringify(was) !== JSON.stringify(work.windows[n]));
    }
  }

  window.addEventListener('beforeunload', function (e) {
    if (changed().length && !saving) { e.preventDefault(); e.returnValue = t('leave'); return t('leave'); }
  });

  /* ---------------------------------------------------------- names */

  function domainName(code) {
    var d = work.domains && work.domains[code];
    if (!d) return '';
    return typeof d === 'string' ? d : HallqText.name(d);
  }

  function matterByCode(code) {
    var ms = work.matters || [];
    for (var i = 0; i < ms.length; i++) if (ms[i].code === code) return ms[i];
    return null;
  }

  function windowTitle(w) {
    var n = HallqText.name(w);
    if (!n) n = Hallq.lang === 'en' ? 'Window ' + w.number : w.number + '号窗口';
    return n;
  }

  function input(field, value, kind, attrs) {
    var a = { type: 'text', 'data-field': field, 'data-kind': kind || 'text', autocomplete: 'off', spellcheck: 'false' };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    var i = el('input', a);
    i.value = value === undefined || value === null ? '' : String(value);
    return i;
  }

  function button(act, text, attrs, cls) {
    var a = { type: 'button', 'class': 'btn ' + (cls || ''), 'data-act': act };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    return el('button', a, text);
  }

  /* ---------------------------------------------------------- matters */

  function renderMatters() {
    var body = $('matters').tBodies[0];
    var f = document.createDocumentFragment();
    var doms = Object.keys(work.domains || {});
    (work.matters || []).forEach(function (m, i) {
      var p = 'matters[' + i + ']';
      var tr = el('tr', { 'data-field': p, 'data-i': i });
      tr.appendChild(cell(input(p + '.code', m.code, 'text', { size: 6, 'class': 'code', 'aria-label': t('matters.code') })));
      tr.appendChild(cell(input(p + '.name', m.name, 'text', { 'class': 'name', 'aria-label': t('matters.name') })));
      tr.appendChild(cell(input(p + '.name_en', m.name_en, 'opt', { 'class': 'name', 'aria-label': t('matters.name_en') })));
      var s = el('select', { 'data-field': p + '.domain', 'data-kind': 'text', 'aria-label': t('matters.domain') });
      var list = doms.slice();
      if (m.domain !== undefined && list.indexOf(m.domain) < 0) list.unshift(m.domain);
      if (m.domain === undefined || m.domain === '') s.appendChild(el('option', { value: '' }, t('domain.none')));
      list.forEach(function (d) { s.appendChild(el('option', { value: d }, d + ' ' + domainName(d))); });
      s.value = m.domain === undefined ? '' : m.domain;
      tr.appendChild(cell(s));
      tr.appendChild(cell(input(p + '.prefix', m.prefix, 'text', { size: 3, 'class': 'prefix', 'aria-label': t('matters.prefix') })));
      tr.appendChild(cell(input(p + '.service_s', m.service_s, 'num', { size: 6, inputmode: 'numeric', 'class': 'n', placeholder: '600', 'aria-label': t('matters.service_s') }), 'num'));
      tr.appendChild(cell(input(p + '.target_wait_s', m.target_wait_s, 'num', { size: 6, inputmode: 'numeric', 'class': 'n', placeholder: '1800', 'aria-label': t('matters.target_wait_s') }), 'num'));
      tr.appendChild(cell(button('matter-remove', t('matters.remove'), { 'data-i': i }, 'btn-small')));
      f.appendChild(tr);
    });
    body.replaceChildren(f);
    /* the codes the tiers may name */
    var dl = document.createDocumentFragment();
    (work.matters || []).forEach(function (m) {
      if (m.code) dl.appendChild(el('option', { value: m.code }, m.code + ' ' + HallqText.name(m)));
    });
    $('matter-codes').replaceChildren(dl);
  }

  function cell(node, cls) {
    var td = el('td', cls ? { 'class': cls } : null);
    td.appendChild(node);
    return td;
  }

  /* ---------------------------------------------------------- windows */

  function renderWindowList() {
    var f = document.createDocumentFragment();
    (work.windows || []).forEach(function (w, i) {
      var li = el('li', { 'class': 'wl' + (i === sel ? ' sel' : ''), 'data-i': i, tabindex: 0 });
      li.appendChild(el('span', { 'class': 'wl-no' }, w.number));
      var extra = HallqText.windowExtra(w);
      li.appendChild(el('span', { 'class': 'wl-name', title: windowTitle(w) + (extra ? ' · ' + extra : '') },
        windowTitle(w) + (extra && extra !== windowTitle(w) ? ' · ' + extra : '')));
      var st = w.state === 'closed' ? 'closed' : 'open';
      li.appendChild(el('span', { 'class': 'wl-meta' }, ((w.tiers || []).length === 1 ? t('w.tiers.one') : t('w.tiers.n', { n: (w.tiers || []).length })) + ' · ' + t('w.state.' + st)));
      f.appendChild(li);
    });
    $('wlist').replaceChildren(f);
  }

  function hallPeriodsText(day) {
    var ps = work.hours && work.hours[day];
    if (!work.hours) return '';
    if (!ps || !ps.length) return t('hours.closed');
    return ps.map(function (p) { return p[0] + '–' + p[1]; }).join(Hallq.lang === 'en' ? ', ' : '、');
  }

  function renderWindowEditor() {
    var box = $('wedit');
    var w = (work.windows || [])[sel];
    if (!w) {
      box.replaceChildren(el('p', { 'class': 'muted' }, t('windows.pick')));
      return;
    }
    var p = 'windows[' + sel + ']';
    var root = el('div', { 'data-field': p, 'class': 'wform' });
    var h = el('h2');
    h.appendChild(document.createTextNode(windowTitle(w) + ' '));
    h.appendChild(el('span', { 'class': 'muted small' }, t('w.number') + ' ' + w.number));
    if (w.ledger) h.appendChild(el('span', { 'class': 'tag' }, t('w.ledger')));
    root.appendChild(h);

    var grid = el('div', { 'class': 'fgrid' });
    [['name', 'text'], ['name_en', 'opt'], ['kind', 'opt'], ['kind_en', 'opt']].forEach(function (x) {
      var lab = el('label', { 'class': 'f' });
      lab.appendChild(el('span', null, t('w.' + x[0])));
      lab.appendChild(input(p + '.' + x[0], w[x[0]], x[1]));
      grid.appendChild(lab);
    });
    var sl = el('label', { 'class': 'f' });
    sl.appendChild(el('span', null, t('w.state')));
    var ss = el('select', { 'data-field': p + '.state', 'data-kind': 'opt' });
    var states = ['open', 'closed'];
    if (w.state !== undefined && states.indexOf(w.state) < 0) states.push(w.state);
    states.forEach(function (s) { ss.appendChild(el('option', { value: s }, t.has('w.state.' + s) ? t('w.state.' + s) : s)); });
    ss.value = w.state === undefined ? 'open' : w.state;
    sl.appendChild(ss);
    grid.appendChild(sl);
    root.appendChild(grid);

    /* tiers */
    root.appendChild(el('h3', null, t('w.tiers')));
    var tiers = el('div', { 'class': 'tiers', 'data-field': p + '.tiers' });
    (w.tiers || []).forEach(function (codes, ti) {
      var tp = p + '.tiers[' + ti + ']';
      var box2 = el('div', { 'class': 'tier', 'data-field': tp, 'data-t': ti });
      var head = el('div', { 'class': 'tier-head' });
      head.appendChild(el('b', null, t('w.tier', { n: ti + 1 })));
      var ol = el('label', { 'class': 'ovf', title: t('w.overflow.help') });
      ol.appendChild(el('span', null, t('w.overflow')));
      ol.appendChild(input(p + '.overflow_s[' + ti + ']', Array.isArray(w.overflow_s) ? w.overflow_s[ti] : 0, 'num0',
        { size: 5, inputmode: 'numeric', 'class': 'n' }));
      head.appendChild(ol);
      var cls = Array.isArray(w.tier_classes) ? w.tier_classes[ti] : null;
      head.appendChild(el('span', { 'class': 'muted small' }, t('w.classes') + colon() +
        (cls && cls.length ? cls.map(function (c) { return t.has('class.' + c) ? t('class.' + c) : c; }).join(' ') : t('w.classes.all'))));
      head.appendChild(el('span', { 'class': 'spacer' }));
      var up = button('tier-up', '↑', { 'data-t': ti, title: t('w.tier.up'), 'aria-label': t('w.tier.up') }, 'btn-small');
      up.disabled = ti === 0;
      var down = button('tier-down', '↓', { 'data-t': ti, title: t('w.tier.down'), 'aria-label': t('w.tier.down') }, 'btn-small');
      down.disabled = ti === w.tiers.length - 1;
      head.appendChild(up);
      head.appendChild(down);
      head.appendChild(button('tier-remove', t('w.tier.remove'), { 'data-t': ti }, 'btn-small btn-danger'));
      box2.appendChild(head);
      var cs = el('div', { 'class': 'codes' });
      codes.forEach(function (code, k) {
        var chip = el('span', { 'class': 'chip' });
        var m = matterByCode(code);
        chip.appendChild(input(tp + '[' + k + ']', code, 'raw', { size: 6, list: 'matter-codes', 'class': 'code',
          title: m ? code + ' ' + HallqText.name(m) : code, 'aria-label': t('w.tier', { n: ti + 1 }) + ' ' + (k + 1) }));
        chip.appendChild(button('code-remove', '×', { 'data-t': ti, 'data-k': k, title: t('w.code.remove'), 'aria-label': t('w.code.remove') }, 'btn-x'));
        cs.appendChild(chip);
      });
      cs.appendChild(button('code-add', t('w.code.add'), { 'data-t': ti }, 'btn-small'));
      box2.appendChild(cs);
      tiers.appendChild(box2);
    });
    root.appendChild(tiers);
    root.appendChild(el('div', { 'class': 'actions' })).appendChild(button('tier-add', t('w.tier.add')));

    /* hours */
    var hh = el('h3', null, t('w.hours') + ' ');
    hh.appendChild(el('span', { 'class': 'muted small' }, t('w.hours.help')));
    root.appendChild(hh);
    root.appendChild(hoursTable(p + '.hours', w.hours || {}, true));
    box.replaceChildren(root);
  }

  /* A week of periods: the hall's (own = false) or a window's, whose days
   * may be the hall's (the weekday not named), closed ([]) or periods. */
  function hoursTable(p, hours, isWindow) {
    var tbl = el('table', { 'class': 'hours', 'data-field': p });
    var body = el('tbody');
    DAYS.forEach(function (d) {
      var dp = p + '.' + d;
      var tr = el('tr', { 'data-field': dp, 'data-day': d });
      tr.appendChild(el('th', null, t('day.' + d)));
      var ps = hours[d];
      if (isWindow) {
        var mode = ps === undefined ? 'hall' : (ps.length ? 'periods' : 'closed');
        var s = el('select', { 'data-change': 'day-mode', 'data-day': d, 'aria-label': t('day.' + d) });
        ['hall', 'closed', 'periods'].forEach(function (m) { s.appendChild(el('option', { value: m }, t('mode.' + m))); });
        s.value = mode;
        tr.appendChild(cell(s, 'mode'));
      }
      var td = el('td', { 'class': 'periods' });
      if (isWindow && ps === undefined) {
        td.appendChild(el('span', { 'class': 'muted small' }, hallPeriodsText(d)));
      } else {
        (ps || []).forEach(function (per, k) {
          var pp = dp + '[' + k + ']';
          var span = el('span', { 'class': 'period', 'data-field': pp });
          span.appendChild(input(pp + '[0]', per[0], 'raw', { size: 5, 'class': 'time', 'aria-label': t('day.' + d) + ' ' + (k + 1) }));
          span.appendChild(el('span', { 'class': 'to' }, t('period.to')));
          span.appendChild(input(pp + '[1]', per[1], 'raw', { size: 5, 'class': 'time', 'aria-label': t('day.' + d) + ' ' + (k + 1) + ' ' + t('period.to') }));
          span.appendChild(button('period-remove', '×', { 'data-scope': p, 'data-day': d, 'data-k': k, title: t('period.remove'), 'aria-label': t('period.remove') }, 'btn-x'));
          td.appendChild(span);
        });
        if (!isWindow && !(ps && ps.length))
          td.appendChild(el('span', { 'class': 'muted small closed' }, t('hours.closed')));
        td.appendChild(button('period-add', t('period.add'), { 'data-scope': p, 'data-day': d }, 'btn-small'));
      }
      tr.appendChild(td);
      body.appendChild(tr);
    });
    tbl.appendChild(body);
    return tbl;
  }

  /* ---------------------------------------------------------- hours and calendar */

  function renderHours() {
    var box = $('hall-hours');
    var f = document.createDocumentFragment();
    f.appendChild(el('h2', null, t('hours.title')));
    var on = el('label', { 'class': 'check' });
    var cb = el('input', { type: 'checkbox', id: 'hours-on', 'data-change': 'hours-on' });
    cb.checked = !!work.hours;
    on.appendChild(cb);
    on.appendChild(document.createTextNode(' ' + t('hours.on')));
    f.appendChild(on);
    if (work.hours) {
      f.appendChild(el('p', { 'class': 'muted small' }, t('hours.help')));
      f.appendChild(hoursTable('hours', work.hours, false));
    }
    box.replaceChildren(f);

    var cal = work.calendar || {};
    var g = document.createDocumentFragment();
    g.appendChild(el('h2', null, t('cal.title')));
    g.appendChild(el('p', { 'class': 'muted small' }, t('cal.help')));
    [['holidays', 'cal.holidays'], ['workdays', 'cal.workdays']].forEach(function (x) {
      g.appendChild(el('h3', null, t(x[1])));
      var p = 'calendar.' + x[0];
      var dates = el('div', { 'class': 'dates', 'data-field': p });
      (cal[x[0]] || []).forEach(function (d, k) {
        var chip = el('span', { 'class': 'chip' });
        chip.appendChild(input(p + '[' + k + ']', d, 'raw', { size: 10, 'class': 'date', 'aria-label': t(x[1]) + ' ' + (k + 1) }));
        chip.appendChild(button('date-remove', '×', { 'data-list': x[0], 'data-k': k, title: t('cal.remove'), 'aria-label': t('cal.remove') }, 'btn-x'));
        dates.appendChild(chip);
      });
      dates.appendChild(button('date-add', t('cal.add'), { 'data-list': x[0] }, 'btn-small'));
      g.appendChild(dates);
    });
    var ml = el('label', { 'class': 'f inline' });
    ml.appendChild(el('span', null, t('cal.makeup')));
    var ms = el('select', { 'data-field': 'calendar.makeup_weekday', 'data-kind': 'opt' });
    ms.appendChild(el('option', { value: '' }, t('cal.makeup.default')));
    var mk = DAYS.slice(0, 5);	/* "mon" … "fri" */
    if (cal.makeup_weekday && mk.indexOf(cal.makeup_weekday) < 0) mk.push(cal.makeup_weekday);
    mk.forEach(function (d) { ms.appendChild(el('option', { value: d }, t.has('day.' + d) ? t('day.' + d) : d)); });
    ms.value = cal.makeup_weekday || '';
    ml.appendChild(ms);
    g.appendChild(ml);
    $('calendar').replaceChildren(g);
  }

  /* ---------------------------------------------------------- classes, tokens */

  function renderClasses() {
    var f = document.createDocumentFragment();
    Object.keys(work.classes || {}).forEach(function (name) {
      var c = work.classes[name] || {};
      var p = 'classes.' + name;
      var tr = el('tr', { 'data-field': p });
      var th = el('td');
      th.appendChild(el('b', null, name));
      if (t.has('class.' + name)) th.appendChild(el('span', { 'class': 'muted' }, ' ' + t('class.' + name)));
      tr.appendChild(th);
      tr.appendChild(cell(input(p + '.head_start_s', c.head_start_s, 'num', { size: 6, inputmode: 'numeric', 'class': 'n', 'aria-label': t('classes.head_start_s') }), 'num'));
      var rm = button('class-remove', t('matters.remove'), { 'data-name': name }, 'btn-small');
      if (name === 'normal') rm.disabled = true;
      tr.appendChild(cell(rm));
      f.appendChild(tr);
    });
    $('classes').tBodies[0].replaceChildren(f);
    $('class-new').placeholder = t('classes.new');
  }

  function renderTokens() {
    var f = document.createDocumentFragment();
    C.tokenSummary(work.tokens).forEach(function (r) {
      var tr = el('tr', { 'data-role': r.role });
      tr.appendChild(el('td', null, t.has('role.' + r.role) ? t('role.' + r.role) + ' (' + r.role + ')' : r.role));
      tr.appendChild(el('td', { 'class': 'num' }, t('tokens.n', { n: r.count })));
      var who = r.names.map(function (x) {
        var s = x.name || '';
        if (x.windows === '*') s += (s ? ' ' : '') + '(' + t('tokens.all') + ')';
        else if (Array.isArray(x.windows)) s += (s ? ' ' : '') + '(' + t('tokens.windows', { list: x.windows.join(',') }) + ')';
        return s;
      }).filter(function (s) { return s; });
      tr.appendChild(el('td', { 'class': 'who' }, who.join(Hallq.lang === 'en' ? '; ' : '；')));
      f.appendChild(tr);
    });
    $('tokens').tBodies[0].replaceChildren(f);
  }

  /* ---------------------------------------------------------- the page */

  function renderFile() {
    var parts = [];
    if (file) {
      parts.push(t('file', { path: file.path }));
      parts.push(t('file.version', { version: String(file.version || '').slice(0, 12) }));
      parts.push(file.previous ? t('file.previous', { path: file.previous }) : t('file.no_previous'));
    }
    $('file').textContent = parts.join(' · ');
  }

  function renderTabs() {
    var bs = $('tabs').querySelectorAll('[data-tab]');
    for (var i = 0; i < bs.length; i++) {
      var on = bs[i].getAttribute('data-tab') === tab;
      bs[i].classList.toggle('on', on);
      bs[i].setAttribute('aria-selected', on ? 'true' : 'false');
    }
    var ss = document.querySelectorAll('.sec');
    for (var j = 0; j < ss.length; j++)
      ss[j].hidden = !work || ss[j].getAttribute('data-sec') !== tab;
  }

  function renderAll() {
    HallqText.translate(document, t);
    var hallName = work && work.hall ? HallqText.name(work.hall) : '';
    $('hall-name').textContent = hallName || 'hallq';
    document.title = t('title') + (hallName ? ' · ' + hallName : '') + ' · hallq';
    renderFile();
    $('loading').hidden = !!work;
    if (loadErr) { $('loading').hidden = false; $('loading').textContent = loadErr; }
    renderTabs();
    if (!work) return;
    renderMatters();
    renderWindowList();
    renderWindowEditor();
    renderHours();
    renderClasses();
    renderTokens();
    var other = Object.keys(work).filter(function (k) { return EDITED.indexOf(k) < 0 && k !== 'tokens'; });
    $('other').hidden = !other.length;
    $('other').textContent = t('other', { keys: other.join(', ') });
    markDirty();
  }

  function message(text, level) {
    var m = $('msg');
    m.hidden = !text;
    m.className = 'msg msg-' + (level || 'info');
    m.replaceChildren();
    if (text) String(text).split('\n').forEach(function (line, i) {
      if (i) m.appendChild(el('br'));
      m.appendChild(document.createTextNode(line));
    });
  }

  /* ---------------------------------------------------------- a refusal at its field */

  function clearFieldErrors() {
    fieldErr = null;
    var bad = document.querySelectorAll('.field-bad');
    for (var i = 0; i < bad.length; i++) {
      bad[i].classList.remove('field-bad');
      bad[i].removeAttribute('aria-invalid');
    }
    var ms = document.querySelectorAll('.field-msg');
    for (var j = 0; j < ms.length; j++) ms[j].remove();
  }

  function byField(f) {
    var all = document.querySelectorAll('[data-field]');
    for (var i = 0; i < all.length; i++)
      if (all[i].getAttribute('data-field') === f) return all[i];
    return null;
  }

  /* The place error.field names, shown: its section and window, the input
   * (or the nearest box holding it) marked, scrolled to, the words next to it. */
  function showFieldError(field, text, quiet) {
    clearFieldErrors();
    fieldErr = { field: field, text: text };
    var place = C.placeOf(field);
    if (place.section !== 'other') tab = place.section;
    if (place.window !== undefined && work.windows && place.window < work.windows.length) {
      sel = place.window;
      renderWindowList();
      renderWindowEditor();
      markDirty();
    }
    renderTabs();
    var target = null;
    var cands = C.fieldCandidates(field);
    for (var i = 0; i < cands.length && !target; i++) target = byField(cands[i]);
    if (!target) return null;
    target.classList.add('field-bad');
    target.setAttribute('aria-invalid', 'true');
    var msg = el('span', { 'class': 'field-msg', role: 'alert', 'data-for': field }, text);
    var after = target.closest('.chip, .period') || target;
    if (after.tagName === 'TR' || after.tagName === 'TABLE' || after.tagName === 'TBODY') {
      /* a row or a table: the words in its first cell, or above it */
      var c0 = after.tagName === 'TR' ? after.cells[after.cells.length - 1] : null;
      if (c0) c0.appendChild(msg); else after.parentNode.insertBefore(msg, after);
    } else if (after.tagName === 'OL' || after.classList.contains('wform')) {
      after.insertBefore(msg, after.firstChild);
    } else {
      after.insertAdjacentElement('afterend', msg);
    }
    if (quiet) return target;
    target.scrollIntoView({ block: 'center', inline: 'nearest' });
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)) target.focus({ preventScroll: true });
    return target;
  }

  /* ---------------------------------------------------------- edits */

  $('admin-main').addEventListener('input', function (e) {
    var i = e.target;
    var f = i.getAttribute && i.getAttribute('data-field');
    if (!f || !work || !i.hasAttribute('data-kind')) return;
    var parts = C.parsePath(f);
    /* an overflow typed for a window that had none: one per tier */
    if (parts[2] === 'overflow_s') {
      var w = work.windows[parts[1]];
      if (!Array.isArray(w.overflow_s)) w.overflow_s = [];
      while (w.overflow_s.length < (w.tiers || []).length) w.overflow_s.push(0);
    }
    setAt(work, parts, valueOf(i));
    if (i.classList.contains('field-bad')) clearFieldErrors();
    if (parts[0] === 'windows' && (parts[2] === 'name' || parts[2] === 'kind' || parts[2] === 'state' ||
        parts[2] === 'name_en' || parts[2] === 'kind_en')) renderWindowList();
    if (parts[0] === 'matters' && (parts[2] === 'code' || parts[2] === 'name')) renderMattersList();
    markDirty();
  });
  /* selects send change, not always input */
  $('admin-main').addEventListener('change', function (e) {
    var i = e.target;
    var act = i.getAttribute && i.getAttribute('data-change');
    if (act) return structural(act, i);
    if (i.tagName === 'SELECT' && i.hasAttribute('data-field') && i.hasAttribute('data-kind')) {
      setAt(work, C.parsePath(i.getAttribute('data-field')), valueOf(i));
      if (/^windows\[\d+\]\.state$/.test(i.getAttribute('data-field'))) renderWindowList();
      markDirty();
    }
  });

  var mattersListTimer = null;
  function renderMattersList() {	/* the datalist of codes, after typing */
    clearTimeout(mattersListTimer);
    mattersListTimer = setTimeout(function () {
      var dl = document.createDocumentFragment();
      (work.matters || []).forEach(function (m) {
        if (m.code) dl.appendChild(el('option', { value: m.code }, m.code + ' ' + HallqText.name(m)));
      });
      $('matter-codes').replaceChildren(dl);
    }, 300);
  }

  $('admin-main').addEventListener('click', function (e) {
    var li = e.target.closest('#wlist li[data-i]');
    if (li) {
      sel = Number(li.getAttribute('data-i'));
      renderWindowList();
      renderWindowEditor();
      markDirty();
      return;
    }
    var b = e.target.closest('button[data-act]');
    if (b) structural(b.getAttribute('data-act'), b);
  });
  $('wlist').addEventListener('keydown', function (e) {
    var li = e.target.closest('li[data-i]');
    if (li && (e.key === 'Enter' || e.key === ' ')) { e.preventDefault(); li.click(); }
  });

  function num(b, a) { return Number(b.getAttribute(a)); }

  /* The edits that change the shape of the copy: drawn again. */
  function structural(act, b) {
    var w = work.windows && work.windows[sel];
    var focus = null;
    switch (act) {
    case 'matter-add':
      work.matters = work.matters || [];
      var doms = Object.keys(work.domains || {});
      work.matters.push({ code: '', name: '', domain: doms.length ? doms[0] : '', prefix: '' });
      renderMatters();
      focus = 'matters[' + (work.matters.length - 1) + '].code';
      break;
    case 'matter-remove':
      work.matters.splice(num(b, 'data-i'), 1);
      renderMatters();
      break;
    case 'tier-add':
      C.tierAdd(w);
      focus = null;
      renderWindowEditor();
      break;
    case 'tier-remove':
      C.tierRemove(w, num(b, 'data-t'));
      renderWindowEditor();
      break;
    case 'tier-up':
    case 'tier-down':
      C.tierMove(w, num(b, 'data-t'), act === 'tier-up' ? -1 : 1);
      renderWindowEditor();
      break;
    case 'code-add':
      w.tiers[num(b, 'data-t')].push('');
      focus = 'windows[' + sel + '].tiers[' + num(b, 'data-t') + '][' + (w.tiers[num(b, 'data-t')].length - 1) + ']';
      renderWindowEditor();
      break;
    case 'code-remove':
      w.tiers[num(b, 'data-t')].splice(num(b, 'data-k'), 1);
      renderWindowEditor();
      break;
    case 'day-mode': {
      var d = b.getAttribute('data-day'), mode = b.value;
      var old = (w.hours || {})[d];
      var v = mode === 'hall' ? undefined : mode === 'closed' ? [] :
        (old && old.length ? old : (work.hours && work.hours[d] && work.hours[d].length ?
          C.clone(work.hours[d]) : [['08:30', '17:30']]));
      w.hours = C.setDay(w.hours || {}, d, v);
      if (!Object.keys(w.hours).length) delete w.hours;
      renderWindowEditor();
      break;
    }
    case 'period-add':
    case 'period-remove': {
      var scope = b.getAttribute('data-scope'), day = b.getAttribute('data-day');
      var holder = scope === 'hours' ? work : w;
      var hours = holder.hours || {};
      var ps = (hours[day] || []).slice();
      if (act === 'period-add') {
        var lastEnd = ps.length ? ps[ps.length - 1][1] : '';
        ps.push([lastEnd || '08:30', '']);
        focus = scope + '.' + day + '[' + (ps.length - 1) + '][' + (lastEnd ? 1 : 0) + ']';
      } else {
        ps.splice(num(b, 'data-k'), 1);
      }
      holder.hours = C.setDay(hours, day, ps);
      if (scope === 'hours') renderHours(); else renderWindowEditor();
      break;
    }
    case 'hours-on':
      if (b.checked) {
        work.hours = orig.hours ? C.clone(orig.hours) : {};
        DAYS.forEach(function (dd) { if (!work.hours[dd]) work.hours = C.setDay(work.hours, dd, []); });
      } else {
        delete work.hours;
      }
      renderHours();
      renderWindowEditor();
      break;
    case 'date-add':
    case 'date-remove': {
      var list = b.getAttribute('data-list');
      if (!work.calendar) work.calendar = {};
      if (!work.calendar[list]) work.calendar[list] = [];
      if (act === 'date-add') {
        work.calendar[list].push('');
        focus = 'calendar.' + list + '[' + (work.calendar[list].length - 1) + ']';
      } else {
        work.calendar[list].splice(num(b, 'data-k'), 1);
      }
      renderHours();
      break;
    }
    case 'class-add': {
      var name = $('class-new').value.trim();
      $('class-msg').textContent = '';
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(name)) { $('class-msg').textContent = t('classes.bad_name'); return; }
      work.classes = work.classes || {};
      if (work.classes[name]) { $('class-msg').textContent = t('classes.exists'); return; }
      work.classes[name] = { head_start_s: 0 };
      $('class-new').value = '';
      renderClasses();
      focus = 'classes.' + name + '.head_start_s';
      break;
    }
    case 'class-remove':
      delete work.classes[b.getAttribute('data-name')];
      renderClasses();
      break;
    default:
      return;
    }
    markDirty();
    if (focus) {
      var f = byField(focus);
      if (f) { f.focus(); f.scrollIntoView({ block: 'nearest' }); }
    }
  }
  $('matter-add').addEventListener('click', function (e) { e.stopPropagation(); structural('matter-add', e.target); });
  $('class-add').addEventListener('click', function (e) { e.stopPropagation(); structural('class-add', e.target); });

  $('tabs').addEventListener('click', function (e) {
    var b = e.target.closest('[data-tab]');
    if (!b) return;
    tab = b.getAttribute('data-tab');
    renderTabs();
  });

  /* ---------------------------------------------------------- read, save */

  function load(after) {
    if (!Hallq.token) return;
    return request('GET', '/api/config').then(function (r) {
      if (r.status === 200 && r.json && r.json.config) {
        try {
          members = C.configMembers(r.text);
        } catch (e) {
          members = null;
        }
        file = { path: r.json.path, version: r.json.version, previous: r.json.previous };
        orig = r.json.config;
        work = C.clone(orig);
        if (!work.windows || sel >= work.windows.length) sel = 0;
        loadErr = null;
        $('conflict').hidden = true;
      } else if (!roleProblem(r)) {
        loadErr = r.status === 404 || r.status === 501 ? t('load.unavailable', { status: r.status }) :
          t('load.failed') + ' — ' + errorText(r);
      } else {
        loadErr = null;
      }
      clearFieldErrors();
      renderAll();
      if (after) after(r);
    });
  }

  /* What is typed but says nothing: empty codes, dates and periods. */
  function tidy() {
    (work.windows || []).forEach(function (w) {
      if (Array.isArray(w.tiers))
        w.tiers = w.tiers.map(function (tier) {
          return Array.isArray(tier) ? tier.filter(function (c) { return c !== ''; }) : tier;
        });
    });
    if (work.calendar)
      ['holidays', 'workdays'].forEach(function (k) {
        if (Array.isArray(work.calendar[k]))
          work.calendar[k] = work.calendar[k].filter(function (d) { return d !== ''; });
      });
    function periods(h) {
      if (!h) return;
      DAYS.forEach(function (d) {
        if (Array.isArray(h[d])) h[d] = h[d].filter(function (p) { return !(Array.isArray(p) && p[0] === '' && p[1] === ''); });
      });
    }
    periods(work.hours);
    (work.windows || []).forEach(function (w) { periods(w.hours); });
  }

  function save() {
    if (!work || saving) return;
    tidy();
    renderAll();
    var ch = changed();
    if (!ch.length) { message(t('refused.none'), 'info'); return; }
    var edited = {};
    ch.forEach(function (k) { edited[k] = true; });
    var body;
    if (members) {
      body = C.putBody(members, work, edited, file.version);
    } else {
      body = JSON.stringify({ config: work, version: file.version });
    }
    saving = true;
    clearFieldErrors();
    $('save').disabled = true;
    $('save').textContent = t('saving');
    message('', null);
    request('PUT', '/api/config', body).then(function (r) {
      saving = false;
      $('save').textContent = t('save');
      if (r.status === 200 && r.json) {
        var lines = [t('saved') + ' ' + (r.json.changed && r.json.changed.length ?
          t('saved.changed', { keys: r.json.changed.map(function (k) {
            return t.has('key.' + k) ? t('key.' + k) : k;
          }).join(Hallq.lang === 'en' ? ', ' : '、') }) : t('saved.same'))];
        if (r.json.previous) lines.push(t('saved.previous', { path: r.json.previous }));
        load(function () { message(lines.join('\n'), 'ok'); });
        return;
      }
      markDirty();
      var e = r.json && r.json.error;
      if (r.status === 409 && e && e.code === 'config_changed') {
        $('conflict').hidden = false;
        message(errorText(r), 'bad');
        $('conflict').scrollIntoView({ block: 'nearest' });
        return;
      }
      if (r.status === 400 && e && e.code === 'bad_config') {
        var field = typeof e.field === 'string' ? e.field : '';
        message(t('refused', { where: field ? t('refused.where', { field: field }) : '', message: e.message || '' }), 'bad');
        if (field) showFieldError(field, e.message || t('err.bad_config'));
        return;
      }
      if (roleProblem(r)) return;
      message(errorText(r), 'bad');
    });
  }

  $('save').addEventListener('click', save);
  $('reload').addEventListener('click', function () {
    if (changed().length && !window.confirm(t('reload.confirm'))) return;
    message('', null);
    load();
  });
  $('conflict-reload').addEventListener('click', function () {
    message('', null);
    load();
  });

  /* ---------------------------------------------------------- start */

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    var fe = fieldErr;
    renderAll();
    if (fe) showFieldError(fe.field, fe.text, true);	/* still at its field */
  });

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (v) location.search = '?token=' + encodeURIComponent(v);
  });

  if (Hallq.params.has('token') || Hallq.params.has('lang'))
    history.replaceState(null, '', location.pathname);	/* the token out of sight */

  renderAll();
  if (!Hallq.token) {
    $('token-form').hidden = false;
    $('loading').hidden = true;
    return;
  }
  /* the hall's zone and clock, hall_en (no token needed) */
  Hallq.api('GET', '/api/status', null, '').then(function (r) {
    if (r.status === 200 && r.json) HallqText.setHall(r.json);
  });
  load();
})();
