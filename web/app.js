/* hallq — the first live page: matters with their queues, windows with their
 * tickets.  Plain JS, no build step, nothing loaded from outside the appliance.
 * State comes from the WebSocket (/ws, "hallq.v1"): a hall.snapshot, then
 * events applied in seq order; matter loads are re-read from GET /api/hall at
 * most once a second after ticket events. */
'use strict';

(function () {
  var TEXT = {
    zh: {
      'conn.connecting': '连接中', 'conn.live': '实时', 'conn.retry': '重连中',
      'conn.unauthorized': '令牌无效', 'conn.notoken': '需要令牌',
      'token.label': '访问令牌', 'token.use': '连接',
      'matters.title': '事项排队', 'matters.code': '编码', 'matters.name': '事项',
      'matters.domain': '领域', 'matters.waiting': '等候', 'matters.oldest': '最久等候',
      'matters.eta': '预计等候', 'matters.open': '开放窗口',
      'windows.title': '窗口', 'footer.seq': '事件序号',
      'w.open': '开放', 'w.paused': '暂停', 'w.closed': '关闭',
      't.called': '叫号中', 't.serving': '办理中', 't.none': '空闲',
      'held': '挂起', 'min': '分钟', 'none': '–',
      'lang.other': 'EN'
    },
    en: {
      'conn.connecting': 'connecting', 'conn.live': 'live', 'conn.retry': 'reconnecting',
      'conn.unauthorized': 'bad token', 'conn.notoken': 'token needed',
      'token.label': 'Access token', 'token.use': 'Connect',
      'matters.title': 'Matters', 'matters.code': 'Code', 'matters.name': 'Matter',
      'matters.domain': 'Domain', 'matters.waiting': 'Waiting', 'matters.oldest': 'Oldest wait',
      'matters.eta': 'Est. wait', 'matters.open': 'Open windows',
      'windows.title': 'Windows', 'footer.seq': 'Event seq',
      'w.open': 'open', 'w.paused': 'paused', 'w.closed': 'closed',
      't.called': 'called', 't.serving': 'serving', 't.none': 'idle',
      'held': 'held', 'min': 'min', 'none': '–',
      'lang.other': '中文'
    }
  };

  var params = new URLSearchParams(location.search);
  if (params.get('lang') === 'en' || params.get('lang') === 'zh')
    localStorage.setItem('hallq.lang', params.get('lang'));
  var lang = localStorage.getItem('hallq.lang') === 'en' ? 'en' : 'zh';
  var token = null;
  var ws = null;
  var lastSeq = null;          /* newest event applied; null before a snapshot */
  var connState = 'connecting';
  var retryMs = 1000;
  var retryTimer = null;
  var hall = { name: '', day: '', matters: [], mattersAt: 0, windows: {} };

  /* Matter loads: at most one GET /api/hall a second, one in flight. */
  var refresh = { inflight: false, last: 0, timer: null, wanted: false };

  function t(key) { return TEXT[lang][key] || key; }
  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  /* ------------------------------------------------------------ token */

  function readToken() {
    var q = params.get('token');
    if (q) {
      localStorage.setItem('hallq.token', q);
      return q;
    }
    return localStorage.getItem('hallq.token');
  }

  function askToken(msg) {
    $('token-form').hidden = false;
    $('token-msg').textContent = msg || '';
  }

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (!v) return;
    localStorage.setItem('hallq.token', v);
    token = v;
    $('token-form').hidden = true;
    lastSeq = null;
    connect();
  });

  /* ------------------------------------------------------------ language */

  function applyLang() {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++)
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    $('lang').textContent = t('lang.other');
    setConn(connState);
    render();
  }

  $('lang').addEventListener('click', function () {
    lang = lang === 'zh' ? 'en' : 'zh';
    localStorage.setItem('hallq.lang', lang);
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
    var since = hall.mattersAt ? (Date.now() - hall.mattersAt) / 1000 : 0;
    var rows = document.createDocumentFragment();
    hall.matters.forEach(function (m) {
      var tr = el('tr', m.waiting > 0 ? 'busy' : 'idle');
      var late = m.waiting > 0 && m.target_wait_s &&
        m.oldest_wait_s + since > m.target_wait_s;
      tr.appendChild(el('td', 'code', m.code));
      tr.appendChild(el('td', null, m.name));
      tr.appendChild(el('td', 'muted', m.domain_name || m.domain));
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
    var box = $('windows');
    var nums = Object.keys(hall.windows).map(Number).sort(function (a, b) { return a - b; });
    var frag = document.createDocumentFragment();
    nums.forEach(function (n) {
      var w = hall.windows[n];
      var card = el('div', 'win win-' + w.state + (w.ticket ? ' win-busy' : ''));
      var head = el('div', 'win-head');
      head.appendChild(el('span', 'win-no', n));
      /* "3号窗口" says no more than the number: show the kind instead. */
      var plain = !w.name || w.name === String(n) || /^\d+\s*号?窗口$/.test(w.name);
      var sub = el('span', 'win-name', plain ? (w.kind || '') : w.name);
      sub.title = [w.name, w.kind].filter(Boolean).join(' · ');
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
    box.replaceChildren(frag);
  }

  /* Bursts of events draw once a frame. */
  var renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(function () { renderPending = false; render(); });
  }

  function render() {
    $('hall-name').textContent = hall.name || 'hallq';
    document.title = (hall.name ? hall.name + ' · ' : '') + 'hallq';
    $('day').textContent = hall.day || '';
    $('seq').textContent = lastSeq === null ? '–' : lastSeq;
    renderMatters();
    renderWindows();
  }

  /* ------------------------------------------------------------ state */

  function setMatters(list) {
    hall.matters = list || [];
    hall.mattersAt = Date.now();
  }

  function applySnapshot(s) {
    hall.name = s.hall || hall.name;
    hall.day = s.business_day || hall.day;
    setMatters(s.matters);
    hall.windows = {};
    (s.windows || []).forEach(function (w) { hall.windows[w.number] = w; });
    lastSeq = s.seq;
  }

  /* The window's current ticket, as a ticket event leaves it. */
  function applyTicket(ev) {
    var tk = ev.ticket, wn = ev.window;
    var w = wn !== null && wn !== undefined ? hall.windows[wn] : null;
    switch (ev.type) {
    case 'ticket.called':
    case 'ticket.recalled':
    case 'ticket.serving':
      if (w) w.ticket = tk;
      break;
    case 'ticket.held':
      if (w && w.held && w.held.indexOf(tk.id) < 0) w.held.push(tk.id);
      /* fall through */
    case 'ticket.done':
    case 'ticket.no_show':
    case 'ticket.transferred':
      if (w && w.ticket && w.ticket.id === tk.id) w.ticket = null;
      break;
    }
    if (ev.type === 'ticket.called') {
      /* A held ticket called back leaves its window's held list. */
      Object.keys(hall.windows).forEach(function (k) {
        var h = hall.windows[k].held;
        var i = h ? h.indexOf(tk.id) : -1;
        if (i >= 0) h.splice(i, 1);
      });
    }
  }

  function applyEvent(ev) {
    if (typeof ev.seq !== 'number') return;
    if (lastSeq !== null && ev.seq <= lastSeq) return;     /* seen already */
    lastSeq = ev.seq;
    var type = ev.type || '';
    if (type.indexOf('ticket.') === 0 && ev.ticket) {
      applyTicket(ev);
      wantMatters();
    } else if (type.indexOf('window.') === 0 && ev.window && typeof ev.window === 'object') {
      hall.windows[ev.window.number] = ev.window;
      wantMatters();      /* open windows and estimates change */
    } else if (type === 'day.rollover') {
      hall.day = ev.to || hall.day;
      wantMatters(true);
    }
  }

  /* ------------------------------------------------------------ REST */

  function wantMatters(withWindows) {
    refresh.wanted = true;
    if (withWindows) refresh.windows = true;
    if (refresh.inflight || refresh.timer) return;
    var wait = Math.max(0, 1000 - (Date.now() - refresh.last));
    refresh.timer = setTimeout(fetchHall, wait);
  }

  function fetchHall() {
    refresh.timer = null;
    if (!token || !refresh.wanted) return;
    refresh.wanted = false;
    refresh.inflight = true;
    refresh.last = Date.now();
    var withWindows = refresh.windows;
    refresh.windows = false;
    fetch('/api/hall', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
      .then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      })
      .then(function (s) {
        setMatters(s.matters);
        /* After a rollover the windows let go of old tickets: take them whole,
         * unless events newer than this answer were applied meanwhile. */
        if (withWindows && (lastSeq === null || s.seq >= lastSeq)) {
          hall.windows = {};
          (s.windows || []).forEach(function (w) { hall.windows[w.number] = w; });
        }
        if (lastSeq !== null && s.seq < lastSeq) refresh.wanted = true;
        scheduleRender();
      })
      .catch(function () { refresh.wanted = true; })
      .then(function () {
        refresh.inflight = false;
        if (refresh.wanted) wantMatters();
      });
  }

  /* ------------------------------------------------------------ WebSocket */

  function scheduleRetry() {
    if (retryTimer) return;
    setConn('retry');
    retryTimer = setTimeout(function () { retryTimer = null; connect(); }, retryMs);
    retryMs = Math.min(retryMs * 2, 5000);
  }

  function connect() {
    if (ws) { ws.onclose = null; ws.close(); ws = null; }
    if (!token) { setConn('notoken'); askToken(); return; }
    var url = (location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/ws';
    var sock;
    try {
      sock = new WebSocket(url, 'hallq.v1');
    } catch (e) {
      scheduleRetry();
      return;
    }
    ws = sock;
    if (connState !== 'retry') setConn('connecting');
    sock.onopen = function () {
      /* The token as the first message: it is answered with a greeting
       * ({"type":"auth","seq":N}) that says the stream is ours, and it stays
       * out of URLs and logs. */
      sock.send(JSON.stringify({ op: 'auth', token: token }));
      var sub = { op: 'subscribe' };
      if (lastSeq !== null) sub.since = lastSeq;     /* resume: only what we missed */
      sock.send(JSON.stringify(sub));
    };
    sock.onmessage = function (m) {
      var msg;
      try { msg = JSON.parse(m.data); } catch (e) { return; }
      if (msg.error) {
        if (msg.error.code === 'unauthorized' || msg.error.code === 'forbidden') {
          sock.onclose = null;
          sock.close();
          ws = null;
          setConn('unauthorized');
          askToken(msg.error.message);
        }
        return;
      }
      if (msg.type === 'hall.snapshot') {
        applySnapshot(msg);
      } else if (msg.type === 'auth') {
        if (lastSeq !== null && msg.seq < lastSeq) {
          /* A new database: its log is not ours to resume.  Start afresh. */
          lastSeq = null;
          sock.onclose = null;
          sock.close();
          ws = null;
          connect();
          return;
        }
        /* Resuming with since is not acknowledged otherwise: the token is
         * good and the stream is ours, so the page is live. */
        setConn('live');
        retryMs = 1000;
        return;
      } else if (msg.type === 'reply') {
        return;
      } else {
        applyEvent(msg);
      }
      if (connState !== 'live') { setConn('live'); retryMs = 1000; }
      scheduleRender();
    };
    var heard = false;
    sock.addEventListener('message', function () { heard = true; });
    sock.onclose = function () {
      if (ws === sock) ws = null;
      if (heard) { scheduleRetry(); return; }
      /* Refused before a word: ask REST whether the token is the reason. */
      fetch('/api/hall', { headers: { Authorization: 'Bearer ' + token }, cache: 'no-store' })
        .then(function (r) {
          if (r.status === 401 || r.status === 403) {
            setConn('unauthorized');
            askToken();
          } else {
            scheduleRetry();
          }
        }, scheduleRetry);
    };
  }

  /* Waiting clocks move between updates. */
  setInterval(function () { if (hall.matters.length) renderMatters(); }, 1000);

  token = readToken();
  if (params.has('token') || params.has('lang'))
    history.replaceState(null, '', location.pathname);   /* keep the token out of sight */
  applyLang();
  connect();
})();
