/* web/pad.js — the soft pad of one window (/pad?token=CLERK_TOKEN&window=N):
 * call next, recall, start, finish, no-show, hold and call back, transfer
 * (to a matter or a window), pause and resume, with keyboard shortcuts.
 * Shows the current ticket and how long it has been called or served, how
 * many wait for each of the window's tiers and the tickets it holds.  The
 * window's state comes live from the event stream (Hallq.live) through
 * web/lib/hall-state.js, as do the replies to its own commands; the waiting
 * counts and the held list are re-read (GET /api/windows/N) after events.
 * The window's no-shows (过号) still within their grace period are listed
 * with a call-back button (POST /api/windows/N/call {"ticket":ID}): read
 * from the event log at start (GET /api/events, back until the grace
 * period), then kept from the live events; the grace is the snapshot's
 * no_show_grace_s when the daemon says it, else ?grace= (s), else 600 s
 * (hall.no_show_grace_s's default).
 * Strings are web/lib/text.js's. */
'use strict';

(function () {
  var F = window.HallqFormat;
  var H = window.HallqState;
  var t = HallqText.page('pad');
  var n = parseInt(Hallq.params.get('window') || '', 10);
  var S = H.empty();		/* the hall: web/lib/hall-state.js */
  var win = null;		/* S.windows[n], as S last left it */
  var matters = {}, matterOrder = [];
  var heldLoading = {};
  var busy = false, conn = 'connecting', fatal = null, msg = null;
  var refresh = { inflight: false, wanted: false, timer: null };
  var live = null;
  /* 过号 that may be called back: id → {ticket, at}; the ids the live
   * stream moved since the snapshot (the log read at start yields to them). */
  var noShows = {}, noShowsTouched = {}, shownNoShows = '';
  var graceS = parseInt(Hallq.params.get('grace') || '', 10);
  if (!(graceS > 0)) graceS = 600;
  graceS = Math.min(graceS, 86400);	/* a URL's figure, bounded: a day */

  function $(id) { return document.getElementById(id); }
  function matterName(code) { return matters[code] ? HallqText.name(matters[code]) : code; }
  function hhmm(ms) {
    return HallqText.time(ms);	/* in the hall's zone */
  }

  /* ------------------------------------------------------------ rendering */

  function applyLang() {
    HallqText.translate(document, t);
    render();
  }

  function setFatal(key) {
    fatal = key;
    render();
  }

  function render() {
    $('conn').className = 'conn conn-' + conn;
    $('conn').textContent = t('conn.' + conn);
    if (fatal) {
      $('fatal').textContent = t(fatal, { n: n });
      $('fatal').hidden = false;
      $('main').hidden = true;
      $('openclose').hidden = true;
      $('win-name').textContent = t('title');
      return;
    }
    $('fatal').hidden = true;
    $('main').hidden = false;
    var name = win ? HallqText.name(win) || (n + '') : (Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口');
    $('win-name').textContent = name;
    document.title = name + ' · ' + t('title');
    if (!win) return;
    $('win-kind').textContent = HallqText.name(win, 'kind');
    $('wstate').className = 'wstate wstate-' + win.state;
    $('wstate').textContent = t('w.' + win.state);
    $('clerk').textContent = win.clerk ? t('clerk', { name: win.clerk }) : '';
    var oc = $('openclose');
    oc.hidden = false;
    oc.textContent = t(win.state === 'closed' ? 'k.open' : 'k.close');
    renderCurrent();
    renderTiers();
    renderHeld();
    renderNoShows();
    renderKeys();
    renderMsg();
  }

  function renderCurrent() {
    var box = $('current'), tk = win.ticket, frag = document.createDocumentFragment();
    if (!tk) {
      frag.appendChild(Hallq.el('div', { 'class': 'cur-none', id: 'cur-none' },
        t(win.state === 'paused' ? 'none.paused' : win.state === 'closed' ? 'none.closed' : 'none')));
      box.replaceChildren(frag);
      return;
    }
    var row = Hallq.el('div', { 'class': 'cur-row' });
    row.appendChild(Hallq.el('span', { 'class': 'cur-number', id: 'cur-number' }, tk.number));
    row.appendChild(Hallq.el('span', { 'class': 'cur-state st-' + tk.state, id: 'cur-state' }, F.state(tk.state, Hallq.lang)));
    if (tk['class'] && tk['class'] !== 'normal')
      row.appendChild(Hallq.el('span', { 'class': 'cur-state st-serving' }, tk['class'] === 'green' ? t('green') : tk['class']));
    frag.appendChild(row);
    frag.appendChild(Hallq.el('div', { 'class': 'cur-matter' }, matterName(tk.matter)));
    var timer = Hallq.el('div', { 'class': 'cur-timer' });
    timer.appendChild(Hallq.el('span', { 'class': 'muted' }, t(tk.state === 'serving' ? 'timer.serving' : 'timer.called') + ' '));
    timer.appendChild(Hallq.el('span', { id: 'cur-timer' }, ''));
    frag.appendChild(timer);
    var extra = [t('issued', { time: hhmm(tk.issued_at), wait: F.duration((tk.called_at - tk.issued_at) / 1000) })];
    if (tk.recalls) extra.push(t('recalls', { n: tk.recalls }));
    if (tk.transfers) extra.push(t('transferred', { n: tk.transfers }));
    frag.appendChild(Hallq.el('div', { 'class': 'cur-extra' }, extra.join(' · ')));
    box.replaceChildren(frag);
    tickTimer();
  }

  function tickTimer() {
    var e = $('cur-timer'), tk = win && win.ticket;
    if (!e || !tk) return;
    var from = tk.state === 'serving' && tk.serving_at ? tk.serving_at : tk.called_at;
    e.textContent = F.duration(F.since(from));
  }

  function renderTiers() {
    var frag = document.createDocumentFragment();
    (win.tiers || []).forEach(function (codes, i) {
      var w = win.waiting ? win.waiting[i] : null;
      var li = Hallq.el('li', { 'data-tier': i });
      li.appendChild(Hallq.el('span', { 'class': 'tier-n' }, t('tier', { n: i + 1 })));
      li.appendChild(Hallq.el('span', { 'class': 'tier-m' }, codes.map(matterName).join('、')));
      li.appendChild(Hallq.el('span', { 'class': 'tier-w' + (w ? '' : ' zero') },
        w === null || w === undefined ? '–' : w));
      frag.appendChild(li);
    });
    $('tiers').replaceChildren(frag);
  }

  function renderHeld() {
    var ids = win.held || [], frag = document.createDocumentFragment();
    if (!ids.length)
      frag.appendChild(Hallq.el('li', { 'class': 'held-none' }, t('held.none')));
    ids.forEach(function (id) {
      var tk = S.tickets[id];
      var li = Hallq.el('li', { 'data-ticket': id });
      li.appendChild(Hallq.el('span', { 'class': 'h-number' }, tk ? tk.number : '#' + id));
      li.appendChild(Hallq.el('span', { 'class': 'h-matter' }, tk ? matterName(tk.matter) : ''));
      var b = Hallq.el('button', { type: 'button', 'class': 'hbtn', 'data-call': id }, t('k.call'));
      b.onclick = function () { run('call', { ticket: id }, tk ? tk.number : '#' + id); };
      li.appendChild(b);
      frag.appendChild(li);
    });
    $('held').replaceChildren(frag);
  }

  /* ------------------------------------------------------------ 过号 */

  function noShowList() {
    var now = Date.now(), out = [];
    Object.keys(noShows).forEach(function (id) {
      var e = noShows[id];
      if (now - e.at > graceS * 1000) delete noShows[id];
      else out.push(e);
    });
    return out.sort(function (a, b) { return b.at - a.at; });
  }

  function renderNoShows() {
    var list = noShowList(), frag = document.createDocumentFragment(), now = Date.now();
    if (!list.length)
      frag.appendChild(Hallq.el('li', { 'class': 'held-none' }, t('noshows.none')));
    list.forEach(function (e) {
      var tk = e.ticket, id = tk.id;
      var li = Hallq.el('li', { 'data-noshow': id });
      li.appendChild(Hallq.el('span', { 'class': 'h-number' }, tk.number));
      var info = Hallq.el('span', { 'class': 'h-matter' }, matterName(tk.matter));
      info.appendChild(Hallq.el('span', { 'class': 'ns-left muted' }, t('noshows.left', {
        time: hhmm(e.at), left: F.duration(Math.max(0, graceS - (now - e.at) / 1000))
      })));
      li.appendChild(info);
      var b = Hallq.el('button', { type: 'button', 'class': 'hbtn', 'data-callback': id }, t('k.call'));
      b.disabled = busy;
      b.onclick = function () { run('call', { ticket: id }, tk.number); };
      li.appendChild(b);
      frag.appendChild(li);
    });
    $('noshows').replaceChildren(frag);
    shownNoShows = list.map(function (e) { return e.ticket.id; }).join(',');
  }

  /* Every second: the time left; the list anew only when it changed (a
   * button is not replaced under a finger). */
  function tickNoShows() {
    var list = noShowList(), now = Date.now();
    if (list.map(function (e) { return e.ticket.id; }).join(',') !== shownNoShows)
      return renderNoShows();
    list.forEach(function (e) {
      var li = $('noshows').querySelector('[data-noshow="' + e.ticket.id + '"] .ns-left');
      if (li) li.textContent = t('noshows.left', {
        time: hhmm(e.at), left: F.duration(Math.max(0, graceS - (now - e.at) / 1000))
      });
    });
  }

  /* One event's say on the list: a no-show of this window joins it; any
   * later move of the ticket (called back, cancelled, …) takes it off. */
  function noteNoShow(ev, into) {
    if (typeof ev.type !== 'string' || ev.type.indexOf('ticket.') !== 0 ||
        !ev.ticket || typeof ev.ticket !== 'object')
      return ev.type === 'day.rollover' ? (Object.keys(into).forEach(function (k) { delete into[k]; }), true) : false;
    var id = ev.ticket.id;
    if (ev.type === 'ticket.no_show' && ev.window === n)
      into[id] = { ticket: ev.ticket, at: typeof ev.at === 'number' ? ev.at : Date.now() };
    else if (into[id])
      delete into[id];
    else
      return false;
    return true;
  }

  /* At start: the log back to the grace period's beginning (at most
   * 8 pages of 1000), up to the snapshot's seq; the stream does the rest. */
  function loadNoShows(upto) {
    var found = {}, from = Math.max(0, upto - 1000), tries = 0;
    function page(since, first) {
      Hallq.api('GET', '/api/events?since=' + since + '&limit=1000').then(function (r) {
        if (r.status !== 200 || !r.json || !r.json.events) return;
        var evs = r.json.events;
        if (first && from > 0 && tries < 3 && evs.length &&
            evs[0].at > Date.now() - graceS * 1000) {
          tries++;
          from = Math.max(0, from - 1000 * Math.pow(2, tries));
          return page(from, true);	/* not far enough back */
        }
        evs.forEach(function (ev) { if (ev.seq <= upto) noteNoShow(ev, found); });
        if (evs.length && evs[evs.length - 1].seq < upto)
          return page(r.json.next, false);
        Object.keys(found).forEach(function (id) {
          if (!noShowsTouched[id]) noShows[id] = found[id];
        });
        if (win) renderNoShows();
      });
    }
    page(from, true);
  }

  function applies(cmd) {
    var tk = win && win.ticket, st = tk ? tk.state : null;
    if (!win) return false;
    switch (cmd) {
    case 'call-next': return win.state === 'open' && !tk;
    case 'recall': case 'start': case 'no-show': return st === 'called';
    case 'finish': case 'hold': case 'transfer': return st === 'called' || st === 'serving';
    case 'pause': return win.state !== 'closed';
    }
    return true;
  }

  function renderKeys() {
    $('pause-label').textContent = t(win.state === 'paused' ? 'k.resume' : 'k.pause');
    var keys = document.querySelectorAll('.key[data-cmd]');
    for (var i = 0; i < keys.length; i++) {
      var c = keys[i].getAttribute('data-cmd');
      keys[i].classList.toggle('dim', !applies(c));
      keys[i].disabled = busy;
    }
  }

  function say(kind, text) {
    msg = { kind: kind, text: text };
    renderMsg();
  }

  function renderMsg() {
    var m = $('msg');
    if (!msg) { m.hidden = true; return; }
    m.className = 'msgbar msg msg-' + msg.kind;
    m.textContent = msg.text;
    m.hidden = false;
  }

  /* ------------------------------------------------------------ state */

  /* The window as S now has it; the tickets it holds are read once. */
  function sync() {
    win = S.windows[n] || null;
    if (win) loadHeld();
  }

  function setWindow(w) {
    S = H.setWindow(S, w);
    sync();
  }

  function onSnapshot(s) {
    HallqText.setHall(s);	/* the hall's zone and clock */
    S = H.fromHall(s, Date.now());
    matters = {};
    matterOrder = [];
    S.matters.forEach(function (m) { matters[m.code] = m; matterOrder.push(m.code); });
    win = null;
    if (typeof s.no_show_grace_s === 'number' && s.no_show_grace_s > 0) graceS = s.no_show_grace_s;
    noShows = {};
    noShowsTouched = {};
    if (typeof s.seq === 'number') loadNoShows(s.seq);
    if (!S.windows[n]) { setFatal('fatal.unknown'); return; }
    fatal = null;
    sync();
    render();
  }

  function onEvent(ev) {
    var r = H.applyEvent(S, ev);
    S = r.state;
    if (r.seen) return;
    if (noteNoShow(ev, noShows) && ev.ticket && ev.ticket.id) noShowsTouched[ev.ticket.id] = true;
    sync();
    if (r.kind === 'window') {
      render();
    } else if (r.kind === 'ticket') {
      render();
      refreshSoon();		/* the waiting counts move with every ticket */
    } else if (r.kind === 'rollover') {
      render();
      refreshSoon();
    }
  }

  /* GET /api/windows/N: one in flight, and once more if events came meanwhile. */
  function refreshSoon() {
    refresh.wanted = true;
    if (refresh.inflight || refresh.timer) return;
    refresh.timer = setTimeout(fetchWindow, 150);
  }

  function fetchWindow() {
    refresh.timer = null;
    if (!refresh.wanted) return;
    refresh.wanted = false;
    refresh.inflight = true;
    Hallq.api('GET', '/api/windows/' + n).then(function (r) {
      refresh.inflight = false;
      if (r.status === 200 && r.json && r.json.window) {
        setWindow(r.json.window);
        render();
      }
      if (refresh.wanted) refreshSoon();
    });
  }

  function loadHeld() {
    (win.held || []).forEach(function (id) {
      if (S.tickets[id] || heldLoading[id]) return;
      heldLoading[id] = true;
      Hallq.api('GET', '/api/tickets/' + id).then(function (r) {
        delete heldLoading[id];
        if (r.status === 200 && r.json && r.json.ticket) {
          S = H.noteTicket(S, r.json.ticket);
          if (win) renderHeld();
        }
      });
    });
  }

  /* ------------------------------------------------------------ commands */

  function errorText(cmd, r) {
    var e = r.json && r.json.error ? r.json.error : {};
    var code = e.code || '', why;
    if (r.status === 0) why = t('e.network');
    else if (r.status === 503) why = t('e.busy');
    else if (t.has('e.' + code))
      why = t('e.' + code, {
        cur: win && win.ticket ? win.ticket.number : '',
        state: win && win.ticket ? F.state(win.ticket.state, Hallq.lang) : '–',
        n: n
      });
    else why = t('e.other', { message: e.message || ('HTTP ' + r.status) });
    return t('failed', { action: t('k.' + cmd), why: why }) + (code ? ' (' + code + ')' : '');
  }

  function run(cmd, body, label) {
    if (!win || busy) return;
    busy = true;
    renderKeys();
    var before = win.ticket;
    Hallq.api('POST', '/api/windows/' + n + '/' + cmd, body).then(function (r) {
      busy = false;
      if (r.status === 204) {
        say('info', t('nothing'));
      } else if (r.status === 200 && r.json) {
        var tk = r.json.ticket, to = '';
        /* What the reply says, at once: its event follows. */
        var ev = H.replyEvent(cmd, n, r.json);
        if (ev) {
          S = H.applyEvent(S, ev).state;
          sync();
        }
        if (cmd === 'transfer')
          to = body.matter ? matterName(body.matter) : F.windowName(body.window, Hallq.lang);
        say('ok', t('ok.' + cmd, { number: tk ? tk.number : before ? before.number : label || '', to: to }));
        refreshSoon();
      } else {
        say('error', errorText(cmd, r));
        if (r.status === 409) refreshSoon();	/* our view may be behind */
        if (cmd === 'call' && body && r.json && r.json.error &&
            /^(grace_expired|illegal_transition|unknown_ticket)$/.test(r.json.error.code))
          delete noShows[body.ticket];	/* no longer one to call back */
      }
      render();
    });
  }

  function command(cmd) {
    if (!win) return;
    if (cmd === 'transfer') return openTransfer();
    if (cmd === 'pause') return run(win.state === 'paused' ? 'resume' : 'pause');
    run(cmd);
  }

  Array.prototype.forEach.call(document.querySelectorAll('.key[data-cmd]'), function (b) {
    b.addEventListener('click', function () { command(b.getAttribute('data-cmd')); });
  });
  $('openclose').addEventListener('click', function () {
    if (win) run(win.state === 'closed' ? 'open' : 'close');
  });

  /* ------------------------------------------------------------ transfer */

  function openTransfer() {
    var tk = win.ticket;
    if (!tk || (tk.state !== 'called' && tk.state !== 'serving')) {
      say('error', t('failed', { action: t('k.transfer'), why: t('e.no_current_ticket') }));
      return;
    }
    $('transfer-title').textContent = t('tr.title', { number: tk.number });
    var mf = document.createDocumentFragment();
    matterOrder.forEach(function (code) {
      if (code === tk.matter) return;
      var b = Hallq.el('button', { type: 'button', 'class': 'opt', 'data-matter': code }, HallqText.name(matters[code]));
      b.appendChild(Hallq.el('span', { 'class': 'muted' }, code));
      b.onclick = function () { closeTransfer(); run('transfer', { matter: code }, tk.number); };
      mf.appendChild(b);
    });
    $('tr-matters').replaceChildren(mf);
    var wf = document.createDocumentFragment();
    H.windowList(S.windows).forEach(function (w) {
      var num = w.number;
      if (num === n) return;
      var b = Hallq.el('button', { type: 'button', 'class': 'opt', 'data-window': num }, HallqText.name(w) || num);
      b.appendChild(Hallq.el('span', { 'class': 'muted' }, t('w.' + w.state)));
      b.onclick = function () { closeTransfer(); run('transfer', { window: num }, tk.number); };
      wf.appendChild(b);
    });
    $('tr-windows').replaceChildren(wf);
    $('transfer').hidden = false;
    var first = $('transfer').querySelector('button.opt');
    if (first) first.focus();
  }

  function closeTransfer() { $('transfer').hidden = true; }
  $('tr-cancel').addEventListener('click', closeTransfer);
  $('transfer').addEventListener('click', function (e) { if (e.target === $('transfer')) closeTransfer(); });

  /* ------------------------------------------------------------ keys */

  var KEYS = { n: 'call-next', r: 'recall', s: 'start', f: 'finish', x: 'no-show', h: 'hold', t: 'transfer', p: 'pause' };

  document.addEventListener('keydown', function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    var tag = e.target && e.target.tagName;
    if (tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT') return;
    if (!$('transfer').hidden) {
      if (e.key === 'Escape') { e.preventDefault(); closeTransfer(); }
      return;
    }
    var cmd = KEYS[(e.key || '').toLowerCase()];
    if (!cmd || fatal) return;
    e.preventDefault();
    command(cmd);
  });

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    applyLang();
  });

  setInterval(function () {
    tickTimer();
    if (win && !fatal) tickNoShows();	/* the time left, and out of grace */
  }, 1000);

  applyLang();
  if (!Hallq.token) setFatal('fatal.notoken');
  else if (!(n > 0)) setFatal('fatal.nowindow');
  else
    live = Hallq.live({
      onSnapshot: onSnapshot,
      onEvent: onEvent,
      onState: function (s) {
        conn = s;
        if (s === 'unauthorized') setFatal('fatal.token');
        else render();
      }
    });
})();
