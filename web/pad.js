/* web/pad.js — the soft pad of one window (/pad?token=CLERK_TOKEN&window=N):
 * call next, recall, start, finish, no-show, hold and call back, transfer
 * (to a matter or a window), pause and resume, with keyboard shortcuts.
 * Shows the current ticket and how long it has been called or served, how
 * many wait for each of the window's tiers and the tickets it holds.  The
 * window's state comes live from the event stream (Hallq.live); the waiting
 * counts and the held list are re-read (GET /api/windows/N) after events. */
'use strict';

(function () {
  var TEXT = {
    zh: {
      'title': '窗口呼叫器', 'lang.other': 'EN',
      'current': '当前号', 'waiting': '等候人数', 'held': '挂起的号',
      'k.call-next': '叫下一位', 'k.recall': '重呼', 'k.start': '开始办理', 'k.finish': '办结',
      'k.no-show': '过号', 'k.hold': '挂起', 'k.transfer': '转移', 'k.pause': '暂停', 'k.resume': '恢复',
      'k.open': '开启窗口', 'k.close': '关闭窗口', 'k.call': '叫回',
      'w.open': '开放', 'w.paused': '暂停', 'w.closed': '关闭',
      'conn.connecting': '连接中', 'conn.live': '实时', 'conn.retry': '重连中', 'conn.unauthorized': '令牌无效',
      'clerk': '办理人：{name}',
      'none': '空闲 — 按“叫下一位”(N) 叫号', 'none.paused': '窗口已暂停 — 按“恢复”(P) 继续叫号',
      'none.closed': '窗口已关闭', 'held.none': '没有挂起的号',
      'timer.called': '已叫号', 'timer.serving': '已办理',
      'issued': '取号 {time}，等候 {wait}', 'recalls': '重呼 {n} 次', 'transferred': '转入 {n} 次',
      'tier': '第{n}级', 'green': '绿色通道',
      'tr.title': '转移 {number}', 'tr.matter': '转到事项（排入该事项的队列）',
      'tr.window': '转到窗口（只由该窗口叫号）', 'tr.cancel': '取消', 'tr.current': '当前事项',
      'ok.call-next': '已呼叫 {number}', 'ok.call': '已叫回 {number}', 'ok.recall': '已重呼 {number}',
      'ok.start': '{number} 开始办理', 'ok.finish': '{number} 已办结', 'ok.no-show': '{number} 已过号',
      'ok.hold': '{number} 已挂起', 'ok.transfer': '{number} 已转到 {to}',
      'ok.pause': '窗口已暂停', 'ok.resume': '窗口已恢复', 'ok.open': '窗口已开启', 'ok.close': '窗口已关闭',
      'nothing': '当前没有等候本窗口的号',
      'failed': '{action}失败：{why}',
      'e.window_busy': '窗口还有当前号 {cur}，请先办结、挂起或转移',
      'e.window_paused': '窗口已暂停，请先恢复（P）',
      'e.window_closed': '窗口已关闭，请先开启窗口',
      'e.no_current_ticket': '当前没有号',
      'e.illegal_transition': '当前号的状态（{state}）不允许这样做',
      'e.not_for_this_window': '这个号不由本窗口办理',
      'e.held_by_other_window': '这个号由其他窗口挂起',
      'e.grace_expired': '已超过过号保留时间，不能再叫回',
      'e.unknown_window': '没有这个窗口', 'e.unknown_matter': '没有这个事项',
      'e.unknown_ticket': '没有这个号',
      'e.forbidden': '此令牌无权操作{n}号窗口', 'e.unauthorized': '令牌无效，请重新登录',
      'e.busy': '系统繁忙，操作未执行，请重试',
      'e.storage_failed': '系统无法保存，操作未生效，请重试',
      'e.network': '网络中断，操作可能未送达，请看当前状态后重试',
      'e.other': '{message}',
      'fatal.nowindow': '请在地址中指定窗口，例如 /pad?token=令牌&window=3',
      'fatal.notoken': '缺少令牌：请用 /pad?token=令牌&window=3 打开',
      'fatal.unknown': '没有{n}号窗口', 'fatal.token': '令牌无效：请检查地址中的 token'
    },
    en: {
      'title': 'Window pad', 'lang.other': '中文',
      'current': 'Current ticket', 'waiting': 'Waiting', 'held': 'Held tickets',
      'k.call-next': 'Call next', 'k.recall': 'Recall', 'k.start': 'Start', 'k.finish': 'Finish',
      'k.no-show': 'No-show', 'k.hold': 'Hold', 'k.transfer': 'Transfer', 'k.pause': 'Pause', 'k.resume': 'Resume',
      'k.open': 'Open window', 'k.close': 'Close window', 'k.call': 'Call back',
      'w.open': 'open', 'w.paused': 'paused', 'w.closed': 'closed',
      'conn.connecting': 'connecting', 'conn.live': 'live', 'conn.retry': 'reconnecting', 'conn.unauthorized': 'bad token',
      'clerk': 'Clerk: {name}',
      'none': 'Idle — press Call next (N)', 'none.paused': 'Paused — press Resume (P) to call again',
      'none.closed': 'Window closed', 'held.none': 'No held tickets',
      'timer.called': 'called for', 'timer.serving': 'serving for',
      'issued': 'issued {time}, waited {wait}', 'recalls': 'recalled {n}×', 'transferred': 'transferred {n}×',
      'tier': 'Tier {n}', 'green': 'priority',
      'tr.title': 'Transfer {number}', 'tr.matter': 'To a matter (its queue)',
      'tr.window': 'To a window (called by that window only)', 'tr.cancel': 'Cancel', 'tr.current': 'current matter',
      'ok.call-next': 'Called {number}', 'ok.call': 'Called back {number}', 'ok.recall': 'Recalled {number}',
      'ok.start': 'Serving {number}', 'ok.finish': '{number} finished', 'ok.no-show': '{number} marked no-show',
      'ok.hold': '{number} on hold', 'ok.transfer': '{number} transferred to {to}',
      'ok.pause': 'Window paused', 'ok.resume': 'Window resumed', 'ok.open': 'Window opened', 'ok.close': 'Window closed',
      'nothing': 'Nobody is waiting for this window',
      'failed': '{action} failed: {why}',
      'e.window_busy': 'the window still has {cur}: finish, hold or transfer it first',
      'e.window_paused': 'the window is paused: resume it first (P)',
      'e.window_closed': 'the window is closed: open it first',
      'e.no_current_ticket': 'there is no current ticket',
      'e.illegal_transition': 'not allowed while the ticket is {state}',
      'e.not_for_this_window': 'this ticket is not served at this window',
      'e.held_by_other_window': 'another window holds this ticket',
      'e.grace_expired': 'the no-show grace period is over',
      'e.unknown_window': 'no such window', 'e.unknown_matter': 'no such matter',
      'e.unknown_ticket': 'no such ticket',
      'e.forbidden': 'this token may not act at window {n}', 'e.unauthorized': 'bad token',
      'e.busy': 'the system is busy, nothing was done: try again',
      'e.storage_failed': 'the system could not save it, nothing was done: try again',
      'e.network': 'network failure: check the current state and try again',
      'e.other': '{message}',
      'fatal.nowindow': 'Name the window in the address, e.g. /pad?token=TOKEN&window=3',
      'fatal.notoken': 'No token: open /pad?token=TOKEN&window=3',
      'fatal.unknown': 'There is no window {n}', 'fatal.token': 'Bad token: check the token in the address'
    }
  };

  var F = window.HallqFormat;
  var n = parseInt(Hallq.params.get('window') || '', 10);
  var win = null, windows = {}, matters = {}, matterOrder = [];
  var heldTickets = {}, heldLoading = {};
  var busy = false, conn = 'connecting', fatal = null, msg = null;
  var refresh = { inflight: false, wanted: false, timer: null };
  var live = null;

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var s = Hallq.t(TEXT, key);
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(vars[k]); });
    return s;
  }
  function matterName(code) { return matters[code] ? matters[code].name : code; }
  function hhmm(ms) {
    var d = new Date(ms);
    return (d.getHours() < 10 ? '0' : '') + d.getHours() + ':' + (d.getMinutes() < 10 ? '0' : '') + d.getMinutes();
  }

  /* ------------------------------------------------------------ rendering */

  function applyLang() {
    document.documentElement.lang = Hallq.lang === 'en' ? 'en' : 'zh-CN';
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++)
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    $('lang').textContent = t('lang.other');
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
    var name = win ? win.name || (n + '') : (Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口');
    $('win-name').textContent = name;
    document.title = name + ' · ' + t('title');
    if (!win) return;
    $('win-kind').textContent = win.kind || '';
    $('wstate').className = 'wstate wstate-' + win.state;
    $('wstate').textContent = t('w.' + win.state);
    $('clerk').textContent = win.clerk ? t('clerk', { name: win.clerk }) : '';
    var oc = $('openclose');
    oc.hidden = false;
    oc.textContent = t(win.state === 'closed' ? 'k.open' : 'k.close');
    renderCurrent();
    renderTiers();
    renderHeld();
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
      var tk = heldTickets[id];
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

  function setWindow(w) {
    windows[w.number] = w;
    if (w.number === n) {
      win = w;
      loadHeld();
    }
  }

  function removeHeld(w, id) {
    var i = w && w.held ? w.held.indexOf(id) : -1;
    if (i >= 0) w.held.splice(i, 1);
  }

  function applyTicketEvent(ev) {
    var tk = ev.ticket, w = ev.window !== null && ev.window !== undefined ? windows[ev.window] : null;
    if (heldTickets[tk.id]) heldTickets[tk.id] = tk;
    if (!w) return;
    switch (ev.type) {
    case 'ticket.called':
    case 'ticket.recalled':
    case 'ticket.serving':
      w.ticket = tk;
      removeHeld(w, tk.id);
      break;
    case 'ticket.held':
      if (w.held && w.held.indexOf(tk.id) < 0) w.held.push(tk.id);
      if (w.number === n) heldTickets[tk.id] = tk;
      /* fall through */
    case 'ticket.done':
    case 'ticket.no_show':
    case 'ticket.transferred':
      if (w.ticket && w.ticket.id === tk.id) w.ticket = null;
      break;
    }
  }

  function onSnapshot(s) {
    matters = {};
    matterOrder = [];
    (s.matters || []).forEach(function (m) { matters[m.code] = m; matterOrder.push(m.code); });
    windows = {};
    win = null;
    (s.windows || []).forEach(function (w) { windows[w.number] = w; });
    if (!windows[n]) { setFatal('fatal.unknown'); return; }
    fatal = null;
    setWindow(windows[n]);
    render();
  }

  function onEvent(ev) {
    var type = ev.type || '';
    if (type.indexOf('window.') === 0 && ev.window && typeof ev.window === 'object') {
      setWindow(ev.window);
      render();
    } else if (type.indexOf('ticket.') === 0 && ev.ticket) {
      applyTicketEvent(ev);
      render();
      refreshSoon();		/* the waiting counts move with every ticket */
    } else if (type === 'day.rollover') {
      heldTickets = {};
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
      if (heldTickets[id] || heldLoading[id]) return;
      heldLoading[id] = true;
      Hallq.api('GET', '/api/tickets/' + id).then(function (r) {
        delete heldLoading[id];
        if (r.status === 200 && r.json && r.json.ticket) {
          heldTickets[id] = r.json.ticket;
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
    else if (Object.prototype.hasOwnProperty.call(TEXT.zh, 'e.' + code))
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
        if (r.json.window) setWindow(r.json.window);
        if (tk) {
          if (cmd === 'call-next' || cmd === 'call' || cmd === 'recall' || cmd === 'start') {
            win.ticket = tk;
            removeHeld(win, tk.id);
          } else if (win.ticket && win.ticket.id === tk.id) {
            win.ticket = null;
            if (cmd === 'hold') {
              heldTickets[tk.id] = tk;
              if (win.held.indexOf(tk.id) < 0) win.held.push(tk.id);
            }
          }
        }
        if (cmd === 'transfer')
          to = body.matter ? matterName(body.matter) : F.windowName(body.window, Hallq.lang);
        say('ok', t('ok.' + cmd, { number: tk ? tk.number : before ? before.number : label || '', to: to }));
        refreshSoon();
      } else {
        say('error', errorText(cmd, r));
        if (r.status === 409) refreshSoon();	/* our view may be behind */
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
      var b = Hallq.el('button', { type: 'button', 'class': 'opt', 'data-matter': code }, matters[code].name);
      b.appendChild(Hallq.el('span', { 'class': 'muted' }, code));
      b.onclick = function () { closeTransfer(); run('transfer', { matter: code }, tk.number); };
      mf.appendChild(b);
    });
    $('tr-matters').replaceChildren(mf);
    var wf = document.createDocumentFragment();
    Object.keys(windows).map(Number).sort(function (a, b) { return a - b; }).forEach(function (num) {
      if (num === n) return;
      var w = windows[num];
      var b = Hallq.el('button', { type: 'button', 'class': 'opt', 'data-window': num }, w.name || num);
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
    Hallq.lang = Hallq.lang === 'en' ? 'zh' : 'en';
    try { localStorage.setItem('hallq.lang', Hallq.lang); } catch (e) { /* private mode */ }
    applyLang();
  });

  setInterval(tickTimer, 1000);

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
