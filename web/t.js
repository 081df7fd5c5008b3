/* web/t.js — a ticket's own status page, /t/ID?token=TOKEN, opened from the
 * QR code on the ticket.  No login: the ticket's own token reads that one
 * ticket (GET /api/tickets/ID) and nothing else.  Polled every 3 s (every
 * second just after opening); says the window when the ticket is called. */
'use strict';

(function () {
  var TEXT = {
    zh: {
      'title': '排队进度', 'lang.other': 'EN', 'number': '您的号码',
      'ahead': '前面等候', 'eta': '预计等候', 'loading': '正在查询…',
      'err.network': '网络连接中断，正在重试…',
      'err.token': '这个链接无效：号票的凭证不对或已失效。请重新扫描号票上的二维码。',
      'err.notoken': '链接不完整（缺少凭证）。请重新扫描号票上的二维码。',
      'err.ticket': '没有找到这张号。请重新扫描号票上的二维码。',
      'err.other': '暂时无法查询（{code}），请稍后再试。',
      'hint.waiting': '请留意大厅叫号，本页会自动刷新。',
      'hint.called': '请尽快前往窗口办理。',
      'hint.serving': '正在为您办理。',
      'hint.held': '您的号已挂起，请留意窗口再次叫号。',
      'hint.done': '办理完成，感谢您的耐心等候。',
      'hint.no_show': '您已过号。请尽快到窗口或咨询台说明。',
      'hint.cancelled': '这张号已取消。',
      'hint.expired': '这张号已过期（非当天的号）。',
      'serving.at': '正在{w}号窗口办理', 'held.at': '{w}号窗口已挂起您的号',
      'updated': '更新于 {time}'
    },
    en: {
      'title': 'Your place in the queue', 'lang.other': '中文', 'number': 'Your number',
      'ahead': 'Ahead of you', 'eta': 'Estimated wait', 'loading': 'Loading…',
      'err.network': 'Network connection lost, retrying…',
      'err.token': 'This link is not valid: the ticket\'s code is wrong or has expired. Please scan the QR code on your ticket again.',
      'err.notoken': 'This link is incomplete (no code). Please scan the QR code on your ticket again.',
      'err.ticket': 'No such ticket. Please scan the QR code on your ticket again.',
      'err.other': 'Cannot look this up right now ({code}). Please try again later.',
      'hint.waiting': 'Watch the hall\'s boards; this page updates by itself.',
      'hint.called': 'Please go to the window now.',
      'hint.serving': 'You are being served.',
      'hint.held': 'Your ticket is on hold; watch for the window to call it again.',
      'hint.done': 'Done. Thank you for your patience.',
      'hint.no_show': 'Your number was missed. Please go to the window or the information desk.',
      'hint.cancelled': 'This ticket was cancelled.',
      'hint.expired': 'This ticket has expired (it was for another day).',
      'serving.at': 'being served at window {w}', 'held.at': 'on hold at window {w}',
      'updated': 'updated {time}'
    }
  };

  var F = window.HallqFormat;
  var m = /^\/t\/(\d+)\/?$/.exec(location.pathname);
  var id = m ? m[1] : Hallq.params.get('id');
  /* Only the ticket's own token, from its link: never another page's. */
  var token = Hallq.params.get('token') || '';
  var ticket = null, updated = null, fatal = null, polls = 0, timer = null, hallName = '';
  var FINAL = { done: 1, cancelled: 1, expired: 1 };

  function $(x) { return document.getElementById(x); }
  function t(key, vars) {
    var s = Hallq.t(TEXT, key);
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(vars[k]); });
    return s;
  }
  function hhmmss(d) {
    return [d.getHours(), d.getMinutes(), d.getSeconds()].map(function (n) {
      return (n < 10 ? '0' : '') + n;
    }).join(':');
  }

  function render() {
    document.documentElement.lang = Hallq.lang === 'en' ? 'en' : 'zh-CN';
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++)
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    $('lang').textContent = t('lang.other');
    if (hallName) $('hall-name').textContent = hallName;
    if (fatal) {
      $('fatal').textContent = fatal.text();
      $('fatal').hidden = false;
      $('view').hidden = true;
      $('loading').hidden = true;
      document.title = t('title');
      return;
    }
    $('fatal').hidden = true;
    if (!ticket) return;
    $('loading').hidden = true;
    $('view').hidden = false;
    var tk = ticket, st = tk.state;
    $('number').textContent = tk.number;
    $('state').textContent = F.state(st, Hallq.lang);
    $('card').className = 'card' + (FINAL[st] || st === 'no_show' ? ' state-final' : '');
    var waiting = st === 'waiting' || st === 'transferred';
    $('facts').hidden = !waiting;
    $('ahead').textContent = F.people(tk.ahead, Hallq.lang);
    $('eta').textContent = F.wait(tk.eta_s, Hallq.lang);
    var go = $('go');
    if (st === 'called' && tk.window !== null) {
      go.textContent = F.goTo(tk.window, Hallq.lang);
      go.hidden = false;
    } else if (st === 'serving' && tk.window !== null) {
      go.textContent = t('serving.at', { w: tk.window });
      go.hidden = false;
    } else if (st === 'held' && tk.window !== null) {
      go.textContent = t('held.at', { w: tk.window });
      go.hidden = false;
    } else {
      go.hidden = true;
    }
    $('hint').textContent = t('hint.' + (waiting ? 'waiting' : st));
    $('updated').textContent = updated ? t('updated', { time: hhmmss(updated) }) : '';
    document.title = tk.number + ' · ' + (st === 'called' ? F.goTo(tk.window, Hallq.lang) :
      F.state(st, Hallq.lang));
  }

  function setFatal(key, code) {
    fatal = { text: function () { return t(key, { code: code }); } };
    render();
  }

  function schedule() {
    clearTimeout(timer);
    if (fatal || (ticket && FINAL[ticket.state])) return;
    timer = setTimeout(poll, polls < 5 ? 1000 : 3000);
  }

  function poll() {
    polls++;
    Hallq.api('GET', '/api/tickets/' + id, null, token).then(function (r) {
      $('net').hidden = r.status !== 0;
      if (r.status === 200 && r.json && r.json.ticket) {
        var before = ticket ? ticket.state : null;
        ticket = r.json.ticket;
        updated = new Date();
        if (ticket.state === 'called' && before !== 'called' && before !== null &&
            navigator.vibrate && navigator.userActivation && navigator.userActivation.hasBeenActive)
          navigator.vibrate([300, 150, 300]);
        render();
      } else if (r.status === 401 || r.status === 403) {
        setFatal('err.token');
      } else if (r.status === 404) {
        setFatal('err.ticket');
      } else if (r.status !== 0) {
        var code = r.json && r.json.error ? r.json.error.code : r.status;
        if (!ticket) $('loading').textContent = t('err.other', { code: code });
      }
      schedule();
    });
  }

  $('lang').addEventListener('click', function () {
    Hallq.lang = Hallq.lang === 'en' ? 'zh' : 'en';
    try { localStorage.setItem('hallq.lang', Hallq.lang); } catch (e) { /* private mode */ }
    render();
  });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && !fatal && !(ticket && FINAL[ticket.state])) { clearTimeout(timer); poll(); }
  });

  /* The hall's name: GET /api/status needs no token and says nothing else. */
  Hallq.api('GET', '/api/status', null, '').then(function (r) {
    if (r.status === 200 && r.json && r.json.hall) { hallName = r.json.hall; render(); }
  });

  render();
  if (!id) setFatal('err.ticket');
  else if (!token) setFatal('err.notoken');
  else poll();
})();
