/* hallq — the first live page (/): matters with their queues, windows with
 * their tickets.  Plain JS, no build step, nothing loaded from outside the
 * appliance.  State is web/lib/hall-state.js's, kept by Hallq.live
 * (web/lib/common.js: a hall.snapshot, then events in seq order, resumed
 * with `since` after every cut); matter loads are re-read from GET /api/hall
 * at most once a second after events.  The token comes from ?token= or the
 * form and is kept for the browser session, as on every page; the strings
 * are web/lib/text.js's. */
'use strict';

(function () {
  var H = window.HallqState;
  var t = HallqText.page('index');
  var S = H.empty();
  var connState = 'connecting';
  var feed = null;

  /* Matter loads: at most one GET /api/hall a second, one in flight. */
  var refresh = { inflight: false, last: 0, timer: null, wanted: false };

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    return Hallq.el(tag, cls ? { 'class': cls } : null, text);
  }

  /* ------------------------------------------------------------ token */

  function askToken(msg) {
    $('token-form').hidden = false;
    $('token-msg').textContent = msg || '';
  }

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (!v) return;
    Hallq.setToken(v);
    $('token-form').hidden = true;
    start();
  });

  /* ------------------------------------------------------------ language */

  function applyLang() {
    HallqText.translate(document, t);
    setConn(connState);
    render();
  }

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    applyLang();
  });

  /* ------------------------------------------------------------ rendering */

  function setConn(state) {
    connState = state;
    var c = $('conn');
    c.className = 'conn conn-' + state;
    c.setAttribute('data-i18n', 'conn.' + state);
    c.textContent = t('conn.' + state);
  }

  function fmtDuration(s) {
    if (s === null || s === undefined || s < 0) return t('none');
    s = Math.floor(s);
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    var mm = (h > 0 && m < 10 ? '0' : '') + m, ss = (sec < 10 ? '0' : '') + sec;
    return h > 0 ? h + ':' + mm + ':' + ss : mm + ':' + ss;
  }

  function fmtEta(s) {
    if (!s) return t('none');
    return '≈ ' + Math.max(1, Math.round(s / 60)) + ' ' + t('min');
  }

  function renderMatters() {
    var tb = $('matters').tBodies[0];
    var since = S.mattersAt ? (Date.now() - S.mattersAt) / 1000 : 0;
    var rows = document.createDocumentFragment();
    S.matters.forEach(function (m) {
      var tr = el('tr', m.waiting > 0 ? 'busy' : 'idle');
      var late = m.waiting > 0 && m.target_wait_s &&
        m.oldest_wait_s + since > m.target_wait_s;
      tr.appendChild(el('td', 'code', m.code));
      tr.appendChild(el('td', null, HallqText.name(m)));
      tr.appendChild(el('td', 'muted', HallqText.name(m, 'domain_name') || m.domain));
      tr.appendChild(el('td', 'num strong', m.waiting));
      tr.appendChild(el('td', 'num' + (late ? ' late' : ''),
        m.waiting > 0 ? fmtDuration(m.oldest_wait_s + since) : t('none')));
      tr.appendChild(el('td', 'num', m.waiting > 0 ? fmtEta(m.eta_s) : t('none')));
      tr.appendChild(el('td', 'num', m.open_windows));
      rows.appendChild(tr);
    });
    tb.replaceChildren(rows);
  }

  function renderWindows() {
    var frag = document.createDocumentFragment();
    H.windowList(S.windows).forEach(function (w) {
      var n = w.number;
      var card = el('div', 'win win-' + w.state + (w.ticket ? ' win-busy' : ''));
      var head = el('div', 'win-head');
      head.appendChild(el('span', 'win-no', n));
      /* "3号窗口" says no more than the number: show the kind instead. */
      var sub = el('span', 'win-name', HallqText.windowExtra(w));
      sub.title = [HallqText.name(w), HallqText.name(w, 'kind')].filter(Boolean).join(' · ');
      head.appendChild(sub);
      head.appendChild(el('span', 'win-state', t('w.' + w.state)));
      card.appendChild(head);
      var body = el('div', 'win-ticket');
      if (w.ticket) {
        body.appendChild(el('span', 'ticket-no', w.ticket.number));
        body.appendChild(el('span', 'ticket-state t-' + w.ticket.state,
          t('t.' + w.ticket.state)));
        body.appendChild(el('span', 'muted', w.ticket.matter));
      } else {
        body.appendChild(el('span', 'ticket-none muted', t('t.none')));
      }
      card.appendChild(body);
      if (w.held && w.held.length)
        card.appendChild(el('div', 'win-held muted', t('held') + ' ' + w.held.length));
      frag.appendChild(card);
    });
    $('windows').replaceChildren(frag);
  }

  /* Bursts of events draw once a frame. */
  var renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(function () { renderPending = false; render(); });
  }

  function render() {
    var hallName = HallqText.hallName(S.name);
    $('hall-name').textContent = hallName || 'hallq';
    document.title = (hallName ? hallName + ' · ' : '') + 'hallq';
    $('day').textContent = S.day || '';
    $('seq').textContent = S.seq === null ? '–' : S.seq;
    renderMatters();
    renderWindows();
  }

  /* ------------------------------------------------------------ state */

  function onSnapshot(s) {
    HallqText.setHall(s);	/* hall_en */
    S = H.fromHall(s, Date.now());
    scheduleRender();
  }

  function onEvent(ev) {
    var r = H.applyEvent(S, ev);
    S = r.state;
    if (r.seen) return;
    if (r.loads) wantMatters();   /* waiting counts, open windows, estimates */
    scheduleRender();             /* the event seq, if nothing else */
  }

  /* ------------------------------------------------------------ REST */

  function wantMatters() {
    refresh.wanted = true;
    if (refresh.inflight || refresh.timer) return;
    var wait = Math.max(0, 1000 - (Date.now() - refresh.last));
    refresh.timer = setTimeout(fetchHall, wait);
  }

  /* The loads; the windows too unless events newer than the answer were
   * applied meanwhile (after a rollover they let go of old tickets). */
  function fetchHall() {
    refresh.timer = null;
    if (!Hallq.token || !refresh.wanted) return;
    refresh.wanted = false;
    refresh.inflight = true;
    refresh.last = Date.now();
    Hallq.api('GET', '/api/hall').then(function (r) {
      refresh.inflight = false;
      if (r.status === 200 && r.json) {
        var res = H.readHall(S, r.json, Date.now());
        S = res.state;
        if (res.stale) refresh.wanted = true;
        scheduleRender();
      } else if (r.status !== 401 && r.status !== 403) {
        refresh.wanted = true;
      }
      if (refresh.wanted) wantMatters();
    });
  }

  /* ------------------------------------------------------------ WebSocket */

  function start() {
    if (feed) feed.stop();
    feed = null;
    S = H.empty();
    if (!Hallq.token) { setConn('notoken'); askToken(); render(); return; }
    feed = Hallq.live({
      onSnapshot: onSnapshot,
      onEvent: onEvent,
      onState: function (s) {
        if (s === connState) return;        /* 'live' comes with every event */
        setConn(s);
        if (s === 'unauthorized') askToken();
      }
    });
  }

  /* Waiting clocks move between updates. */
  setInterval(function () { if (S.matters.length) renderMatters(); }, 1000);

  if (Hallq.params.has('token') || Hallq.params.has('lang'))
    history.replaceState(null, '', location.pathname);   /* keep the token out of sight */
  applyLang();
  start();
})();
