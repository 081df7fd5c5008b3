/* hallq — 差评整改 and the 办不成事 ledger (/cases?token=MANAGER_TOKEN).
 *
 * The cases from GET /api/cases (filters: state, kind, the days opened;
 * also from the address: ?state=&kind=&from=&to=&id=), with the counts of
 * open and overdue cases; one case from GET /api/cases/{id} with its
 * rating, deadline (red when overdue) and steps in order, and a form for
 * the next step offering only what its state allows (lib/cases.js, the
 * step table of web/README.md), POST /api/cases/{id}/steps; who does it
 * (`by`) is remembered in localStorage.  A new 办不成事 entry:
 * POST /api/cases.  Live: the list, the counts and the case shown are read
 * again on case.opened, case.step, case.overdue, case.closed (and a struck
 * rating) from Hallq.live; the hall's snapshot gives its name, clock,
 * windows and matters.  Strings: lib/text.js ('cases'). */
'use strict';

(function () {
  var C = window.HallqCases;
  var t = HallqText.page('cases');
  var el = Hallq.el;
  var BY_KEY = 'hallq.cases.by';
  var MAX = 500;

  var hall = { name: '', windows: [], matters: [] };
  var list = null, listErr = null, counts = null;
  var shown = null;            /* the case shown: its id */
  var current = null;          /* and the case itself, as last read */
  var conn = 'connecting';
  var refused = false;
  var filt = C.filters(Hallq.params);

  function $(id) { return document.getElementById(id); }

  /* A time stamp in the hall's zone: "2026-11-23 16:26". */
  function stamp(ms) {
    if (typeof ms !== 'number') return t('none');
    return HallqText.date(ms) + ' ' + HallqText.time(ms);
  }

  function matterName(code, fallback) {
    for (var i = 0; i < hall.matters.length; i++)
      if (hall.matters[i].code === code) return HallqText.name(hall.matters[i]);
    return fallback || '';
  }

  /* The case's matter: the hall's name for it in the language, else the
   * one the case carries. */
  function caseMatter(c) {
    if (!c.matter) return c.matter_name || '';
    var en = Hallq.lang === 'en' ? matterName(c.matter, '') : '';
    return en || c.matter_name || matterName(c.matter, '') || c.matter;
  }

  function windowLabel(n) {
    if (n === null || n === undefined) return t('none');
    return t('d.window_n', { n: n });
  }

  function scoreText(s) {
    if (s === null || s === undefined) return t('none');
    return t('d.score_n', { label: t('rate.' + s), n: s });
  }

  /* ---------------------------------------------------------- messages */

  function toast(text, level) {
    var n = el('div', { 'class': 'toast toast-' + (level || 'info'), role: 'status' }, text);
    $('toasts').appendChild(n);
    setTimeout(function () { n.remove(); }, level === 'bad' ? 8000 : 4000);
  }

  function errorText(r) {
    if (!r || r.status === 0) return t('err.network');
    var e = r.json && r.json.error, code = e && e.code;
    var s = code && t.has('err.' + code) ? t('err.' + code) : t('err.generic') + ' (' + r.status + (code ? ' ' + code : '') + ')';
    return s + (e && e.message ? (Hallq.lang === 'en' ? ': ' : '：') + e.message : '');
  }

  function roleProblem(r) {
    if (!Hallq.refusal(r, t('token.bad')))
      return false;
    refused = true;
    return true;
  }

  function setConn(s) {
    conn = s;
    var c = $('conn');
    c.className = 'conn conn-' + s;
    c.setAttribute('data-i18n', 'conn.' + s);
    c.textContent = t('conn.' + s);
  }

  /* ---------------------------------------------------------- the list */

  function stateCell(c) {
    var td = el('td', { 'class': 'st' });
    td.appendChild(el('span', { 'class': 'state s-' + c.state }, t('state.' + c.state)));
    if (C.overdue(c, HallqText.now()))
      td.appendChild(el('span', { 'class': 'flag flag-bad' }, t('overdue')));
    else if (C.closedLate(c))
      td.appendChild(el('span', { 'class': 'flag' }, t('closed_late')));
    if (c.struck)
      td.appendChild(el('span', { 'class': 'flag' }, t('struck')));
    return td;
  }

  function renderList() {
    var body = $('cases').tBodies[0];
    var f = document.createDocumentFragment();
    var msg = $('list-msg');
    msg.hidden = true;
    if (!list) {
      var e = el('tr', { 'class': 'none' });
      e.appendChild(el('td', { colspan: 9 }, listErr ? listErr : t('loading')));
      f.appendChild(e);
      body.replaceChildren(f);
      return;
    }
    var now = HallqText.now();
    list.forEach(function (c) {
      var od = C.overdue(c, now);
      var tr = el('tr', { 'class': 'case' + (c.id === shown ? ' sel' : '') + (od ? ' is-overdue' : '') +
        (c.state === 'closed' ? ' is-closed' : ''), 'data-case': c.id, tabindex: 0 });
      tr.appendChild(el('td', { 'class': 'num' }, c.id));
      tr.appendChild(el('td', { 'class': 'kind' }, t('kind.' + c.kind)));
      tr.appendChild(el('td', { 'class': 'when' }, stamp(c.opened_at)));
      tr.appendChild(el('td', { 'class': 'tk' }, c.number || t('none')));
      var m = caseMatter(c);
      tr.appendChild(el('td', { 'class': 'matter', title: (c.matter || '') + ' ' + m }, m || (c.problem || t('none'))));
      tr.appendChild(el('td', { 'class': 'num' }, c.window === null || c.window === undefined ? t('none') : c.window));
      tr.appendChild(el('td', { 'class': 'score' + (c.score ? ' score-' + c.score : '') },
        c.score ? t('rate.' + c.score) : t('none')));
      /* due at the end of a day: the day says it */
      tr.appendChild(el('td', { 'class': 'when due' + (od ? ' late' : ''), title: stamp(c.due_at) },
        typeof c.due_at === 'number' ? HallqText.date(c.due_at) : t('none')));
      tr.appendChild(stateCell(c));
      f.appendChild(tr);
    });
    if (!list.length) {
      var n = el('tr', { 'class': 'none' });
      n.appendChild(el('td', { colspan: 9 }, t('list.empty')));
      f.appendChild(n);
    }
    body.replaceChildren(f);
    if (list.length >= MAX) {
      msg.hidden = false;
      msg.textContent = t('list.max', { n: MAX });
    }
  }

  function renderCounts() {
    $('count-open').querySelector('b').textContent = counts ? counts.open : t('none');
    $('count-overdue').querySelector('b').textContent = counts ? counts.overdue : t('none');
    $('count-overdue').classList.toggle('count-bad', !!(counts && counts.overdue > 0));
  }

  var listRead = { inflight: false, again: false, timer: null };

  function soonList() {
    if (listRead.timer) return;
    listRead.timer = setTimeout(function () { listRead.timer = null; fetchList(); }, 300);
  }

  function fetchList() {
    if (!Hallq.token || refused) return;
    if (listRead.inflight) { listRead.again = true; return; }
    listRead.inflight = true;
    Hallq.api('GET', '/api/cases' + C.query(filt)).then(function (r) {
      listRead.inflight = false;
      if (r.status === 200 && r.json) {
        list = r.json.cases || [];
        counts = { open: r.json.open, overdue: r.json.overdue };
        listErr = null;
      } else if (!roleProblem(r)) {
        list = null;
        listErr = r.status === 404 || r.status === 501 ? t('list.unavailable', { status: r.status }) :
          t('list.failed') + ' — ' + errorText(r);
      }
      renderList();
      renderCounts();
      if (listRead.again) { listRead.again = false; soonList(); }
    });
  }

  function fillFilters() {
    $('f-state').value = filt.state;
    $('f-kind').value = filt.kind;
    $('f-from').value = filt.from;
    $('f-to').value = filt.to;
  }

  /* The filters into the address too (without the token), so a reload or
   * a link keeps them. */
  function keepAddress() {
    var q = C.query(filt);
    var id = shown ? (q ? '&' : '?') + 'id=' + shown : '';
    history.replaceState(null, '', location.pathname + q + id);
  }

  $('filters').addEventListener('submit', function (e) {
    e.preventDefault();
    filt = C.filters(new URLSearchParams({ state: $('f-state').value, kind: $('f-kind').value,
      from: $('f-from').value, to: $('f-to').value }));
    fillFilters();
    keepAddress();
    fetchList();
  });
  $('f-reset').addEventListener('click', function () {
    filt = C.filters(null);
    fillFilters();
    keepAddress();
    fetchList();
  });
  ['count-open', 'count-overdue'].forEach(function (id) {
    $(id).addEventListener('click', function (e) {
      e.preventDefault();
      filt = C.filters(new URLSearchParams({ state: id === 'count-open' ? 'open' : 'overdue' }));
      fillFilters();
      keepAddress();
      fetchList();
    });
  });

  $('cases').addEventListener('click', function (e) {
    var tr = e.target.closest('tr[data-case]');
    if (tr) show(Number(tr.getAttribute('data-case')));
  });
  $('cases').addEventListener('keydown', function (e) {
    var tr = e.target.closest('tr[data-case]');
    if (tr && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      show(Number(tr.getAttribute('data-case')));
    }
  });

  /* ---------------------------------------------------------- one case */

  function fact(dl, key, value, cls) {
    if (value === null || value === undefined || value === '') return;
    var dt = el('dt', null, t(key));
    var dd = el('dd', { 'class': 'f-' + key.replace(/^d\./, '') + (cls ? ' ' + cls : '') }, value);
    dl.appendChild(dt);
    dl.appendChild(dd);
    return dd;
  }

  function stepExtra(s) {
    var x = [];
    if (s.founded === true || s.founded === false) x.push(t(s.founded ? 'founded.yes' : 'founded.no'));
    if (s.way) x.push(t('form.way') + (Hallq.lang === 'en' ? ': ' : '：') + (t.has('way.' + s.way) ? t('way.' + s.way) : s.way));
    if (s.result) x.push(t('form.result') + (Hallq.lang === 'en' ? ': ' : '：') +
      (t.has('result.' + s.result) ? t('result.' + s.result) : s.result));
    if (s.upheld === true || s.upheld === false) x.push(t(s.upheld ? 'upheld.yes' : 'upheld.no'));
    return x.join(Hallq.lang === 'en' ? '; ' : '；');
  }

  function renderDetail() {
    var c = current;
    $('d-none').hidden = !!c;
    $('detail').hidden = !c;
    if (!c) return;
    var now = HallqText.now();
    var od = C.overdue(c, now);
    $('d-title').textContent = t('d.title', { id: c.id });
    $('d-kind').textContent = t('kind.' + c.kind);
    var st = $('d-state');
    st.className = 'state s-' + c.state;
    st.textContent = t('state.' + c.state);

    var dl = el('dl', { id: 'd-facts', 'class': 'facts' });
    if (c.kind === 'rating') {
      fact(dl, 'd.score', scoreText(c.score), c.score ? 'score-' + c.score : '');
      fact(dl, 'd.comment', c.comment || t('none'));
    } else {
      fact(dl, 'd.problem', c.problem);
      fact(dl, 'd.place', c.place);
      fact(dl, 'd.citizen', c.citizen);
      fact(dl, 'd.phone', c.phone);
    }
    fact(dl, 'd.ticket', c.number);
    fact(dl, 'd.matter', c.matter ? c.matter + ' ' + caseMatter(c) : null);
    fact(dl, 'd.window', c.window === null || c.window === undefined ? null : windowLabel(c.window));
    fact(dl, 'd.clerk', c.clerk);
    if (c.kind === 'rating' && c.channel)
      fact(dl, 'd.channel', t.has('channel.' + c.channel) ? t('channel.' + c.channel) : c.channel);
    fact(dl, 'd.opened', stamp(c.opened_at));
    var left = C.daysLeft(c, now);
    var dueNote = c.state === 'closed' ? (C.closedLate(c) ? t('closed_late') : '') :
      left === null ? '' : od ? t('days.over', { n: Math.max(1, -left) }) : left === 0 ? t('days.today') : t('days.left', { n: left });
    fact(dl, 'd.due', stamp(c.due_at) + (dueNote ? ' · ' + dueNote : ''), od ? 'late' : C.closedLate(c) ? 'late-closed' : '');
    if (c.closed_at) fact(dl, 'd.closed', stamp(c.closed_at));
    if (c.founded === true || c.founded === false) fact(dl, 'd.founded', t(c.founded ? 'founded.yes' : 'founded.no'));
    if (c.struck) fact(dl, 'd.state', t('struck'), 'struck');
    $('d-facts').replaceWith(dl);

    var ol = $('steps');
    var f = document.createDocumentFragment();
    C.stepsInOrder(c).forEach(function (s, i) {
      var li = el('li', { 'class': 'step a-' + s.action, 'data-step': i, 'data-action': s.action });
      var head = el('div', { 'class': 'step-head' });
      head.appendChild(el('b', { 'class': 'step-act' }, t.has('act.' + s.action) ? t('act.' + s.action) : s.action));
      head.appendChild(el('span', { 'class': 'step-by' }, s.by || ''));
      head.appendChild(el('span', { 'class': 'step-at muted' }, stamp(s.at)));
      li.appendChild(head);
      var x = stepExtra(s);
      if (x) li.appendChild(el('div', { 'class': 'step-extra' }, x));
      if (s.note) li.appendChild(el('div', { 'class': 'step-note' }, s.note));
      f.appendChild(li);
    });
    if (!(c.steps && c.steps.length))
      f.appendChild(el('li', { 'class': 'step-none muted' }, t('steps.none')));
    ol.replaceChildren(f);
    renderForm();
  }

  /* The step form: only the steps the case's state allows. */
  var formFor = null;          /* [id, state, founded, lang] the form was made for */
  var formCase = null;         /* 'id:state' of the step chosen */

  function renderForm() {
    var c = current;
    var steps = C.nextSteps(c);
    $('form-closed').hidden = steps.length > 0;
    $('step-form').hidden = !steps.length;
    var sig = JSON.stringify([c.id, c.state, c.founded, Hallq.lang]);
    var sel = $('step-action');
    if (sig !== formFor) {
      /* The step chosen stays while the case stays where it was (a new
       * language, a read that changed nothing). */
      var keep = formCase === c.id + ':' + c.state ? sel.value : null;
      var f = document.createDocumentFragment();
      steps.forEach(function (a) { f.appendChild(el('option', { value: a }, t('act.' + a))); });
      sel.replaceChildren(f);
      if (keep && steps.indexOf(keep) >= 0)
        sel.value = keep;
      formFor = sig;
      formCase = c.id + ':' + c.state;
    }
    showExtras();
  }

  function showExtras() {
    var x = C.extras($('step-action').value);
    ['founded', 'way', 'result', 'upheld'].forEach(function (k) {
      $('row-' + k).hidden = x.indexOf(k) < 0;
    });
  }
  $('step-action').addEventListener('change', function () { showExtras(); $('step-error').hidden = true; });

  function show(id) {
    shown = id;
    if (!current || current.id !== id) {
      current = null;
      formFor = formCase = null;
      (list || []).forEach(function (c) { if (c.id === id) current = c; });
      $('step-note').value = '';
      $('step-error').hidden = true;
    }
    keepAddress();
    renderList();
    renderDetail();
    fetchCase(id);
  }

  var caseRead = { inflight: 0 };
  function fetchCase(id) {
    if (!Hallq.token || refused) return;
    var mine = ++caseRead.inflight;
    Hallq.api('GET', '/api/cases/' + id).then(function (r) {
      if (mine !== caseRead.inflight || shown !== id) return;	/* a later read wins */
      if (r.status === 200 && r.json && r.json['case']) {
        current = r.json['case'];
        renderDetail();
      } else if (!roleProblem(r) && !current) {
        toast(t('d.title', { id: id }) + ' — ' + errorText(r), 'bad');
      }
    });
  }

  function remembered() {
    try { return localStorage.getItem(BY_KEY) || ''; } catch (e) { return ''; }
  }
  function remember(by) {
    try { localStorage.setItem(BY_KEY, by); } catch (e) { /* private mode */ }
  }

  $('step-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (!current) return;
    var err = $('step-error');
    var r = C.stepBody({
      action: $('step-action').value, note: $('step-note').value, by: $('step-by').value,
      founded: $('step-founded').value, way: $('step-way').value, result: $('step-result').value,
      upheld: $('step-upheld').value
    }, current);
    if (r.error) {
      err.textContent = t(r.error);
      err.hidden = false;
      return;
    }
    err.hidden = true;
    var id = current.id, btn = $('step-submit');
    btn.disabled = true;
    remember(r.body.by);
    Hallq.api('POST', '/api/cases/' + id + '/steps', r.body).then(function (res) {
      btn.disabled = false;
      if (res.status === 200 && res.json && res.json['case']) {
        if (shown === id) {
          current = res.json['case'];
          caseRead.inflight++;		/* a read begun before this is older */
        }
        $('step-note').value = '';
        ['step-founded', 'step-way', 'step-result', 'step-upheld'].forEach(function (k) { $(k).value = ''; });
        toast(t('form.sent', { action: t('act.' + r.body.action) }), 'ok');
        renderDetail();
        fetchList();
      } else {
        err.textContent = errorText(res);
        err.hidden = false;
        if (res.status === 409) fetchCase(id);	/* its state moved on */
      }
    });
  });

  /* ---------------------------------------------------------- a new ledger entry */

  var dlg = $('ledger-dialog');

  var wChosen = null;          /* the window the manager chose in the form ('' none) */

  function fillLedger() {
    var ws = hall.windows.slice().sort(function (a, b) { return a.number - b.number; });
    var wsel = $('l-window');
    var f = document.createDocumentFragment();
    f.appendChild(el('option', { value: '' }, t('form.pick')));
    ws.forEach(function (w) {
      var extra = HallqText.windowExtra(w);
      f.appendChild(el('option', { value: w.number }, windowLabel(w.number) + (extra ? ' · ' + extra : '')));
    });
    wsel.replaceChildren(f);
    /* What was chosen; else the ledger window (办不成事反映窗口: WINDOW
     * "ledger": true), else none: the manager chooses. */
    wsel.value = C.ledgerWindow(ws, wChosen);
    if (wsel.selectedIndex < 0) wsel.value = '';
    var msel = $('l-matter'), keepM = msel.value;
    var g = document.createDocumentFragment();
    g.appendChild(el('option', { value: '' }, t('ledger.none')));
    hall.matters.forEach(function (m) {
      g.appendChild(el('option', { value: m.code }, m.code + ' ' + HallqText.name(m)));
    });
    msel.replaceChildren(g);
    msel.value = keepM;
    if (msel.selectedIndex < 0) msel.value = '';
  }

  $('l-window').addEventListener('change', function () { wChosen = $('l-window').value; });

  /* The windows as GET /api/hall has them now (which is the ledger window
   * may have changed with a reload since the snapshot); the form is filled
   * from the snapshot at once, again when they come. */
  function readWindows() {
    Hallq.api('GET', '/api/hall').then(function (r) {
      if (r.status !== 200 || !r.json || !Array.isArray(r.json.windows)) return;
      hall.windows = r.json.windows;
      if (!hall.matters.length && Array.isArray(r.json.matters)) hall.matters = r.json.matters;
      if (dlg.open) fillLedger();
    });
  }

  $('ledger-new').addEventListener('click', function () {
    fillLedger();
    readWindows();
    if (!$('l-by').value) $('l-by').value = remembered();
    $('l-error').hidden = true;
    if (!dlg.open) dlg.showModal();
  });
  $('l-cancel').addEventListener('click', function () { dlg.close(); });

  $('ledger-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var err = $('l-error');
    var r = C.ledgerBody({
      window: $('l-window').value, problem: $('l-problem').value, by: $('l-by').value,
      matter: $('l-matter').value, place: $('l-place').value, citizen: $('l-citizen').value,
      phone: $('l-phone').value
    });
    if (r.error) {
      err.textContent = t(r.error);
      err.hidden = false;
      return;
    }
    err.hidden = true;
    var btn = $('l-submit');
    btn.disabled = true;
    remember(r.body.by);
    Hallq.api('POST', '/api/cases', r.body).then(function (res) {
      btn.disabled = false;
      if (res.status === 201 && res.json && res.json['case']) {
        var c = res.json['case'];
        toast(t('ledger.saved', { id: c.id }), 'ok');
        ['l-problem', 'l-place', 'l-citizen', 'l-phone'].forEach(function (k) { $(k).value = ''; });
        $('l-matter').value = '';
        if (dlg.open) dlg.close();
        current = c;
        show(c.id);
        fetchList();
      } else {
        err.textContent = errorText(res);
        err.hidden = false;
      }
    });
  });

  /* ---------------------------------------------------------- language, start */

  function renderAll() {
    var name = HallqText.hallName(hall.name);
    $('hall-name').textContent = name || 'hallq';
    document.title = t('title') + (name ? ' · ' + name : '') + ' · hallq';
    renderCounts();
    renderList();
    formFor = null;
    if (current) renderDetail();
    if (dlg.open) fillLedger();
  }

  function applyLang() {
    HallqText.translate(document, t);
    setConn(conn);
    renderAll();
  }

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    applyLang();
  });

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (v) location.search = '?token=' + encodeURIComponent(v);
  });

  var firstId = Number(Hallq.params.get('id')) || null;
  fillFilters();
  $('step-by').value = remembered();
  $('step-by').addEventListener('change', function () {
    var v = $('step-by').value.trim();
    if (v) remember(v);
  });
  keepAddress();			/* the token out of sight */
  applyLang();

  /* The overdue marks follow the clock between readings. */
  setInterval(function () { if (list) renderList(); }, 60000);

  if (!Hallq.token) {
    setConn('notoken');
    $('token-form').hidden = false;
    return;
  }

  Hallq.live({
    onState: function (s) {
      setConn(s);
      if (s === 'unauthorized') {
        $('token-form').hidden = false;
        $('token-msg').textContent = t('token.bad');
      }
    },
    onSnapshot: function (s) {
      HallqText.setHall(s);
      hall.name = s.hall || s.name || hall.name;
      hall.windows = s.windows || [];
      hall.matters = s.matters || [];
      renderAll();
      fetchList();		/* after a reconnection: what happened meanwhile */
      if (shown) fetchCase(shown);
    },
    onEvent: function (ev) {
      var w = C.wants(ev, shown);
      if (w.list) soonList();
      if (w.detail) fetchCase(shown);
    }
  });

  fetchList();
  if (firstId) show(firstId);
})();
