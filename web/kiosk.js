/* web/kiosk.js — the ticket kiosk (/kiosk?token=KIOSK_TOKEN): domain →
 * matter → ticket, 绿色通道 (class "green"), appointment check-in by code,
 * 长辈模式 (large type, high contrast, 4 choices a screen instead of 8), the
 * issued ticket with its QR code (its status page), and back to the start
 * after ?timeout=SECONDS (default 30) without a touch.  Speaks only the API:
 * GET /api/hall for the matters and their queues, POST /api/tickets. */
'use strict';

(function () {
  var TEXT = {
    zh: {
      'title': '取号', 'elder': '长辈模式', 'lang.other': 'EN',
      'home.title': '请选择办理领域', 'home.lead': '点击下方按钮取号',
      'matters.lead': '请选择要办理的事项', 'back': '返回',
      'green': '绿色通道', 'green.banner': '绿色通道：老年人、残疾人、孕妇、军人等优先办理',
      'appt': '预约签到', 'appt.title': '预约签到', 'appt.lead': '请输入预约码',
      'appt.go': '签到取号', 'appt.empty': '请先输入预约码',
      'appt.unavailable': '预约签到暂未开通。请返回首页直接选择事项取号，或到咨询台咨询。',
      'appt.unknown': '没有找到这个预约，请核对预约码，或到咨询台咨询。',
      'appt.bad': '预约码有误，请核对后重新输入。',
      'key.clear': '清除', 'key.back': '⌫',
      'ticket.label': '您的号码', 'ticket.ahead': '前面等候', 'ticket.eta': '预计等候',
      'ticket.qr': '扫码查看排队进度', 'ticket.done': '完成',
      'printed.ok': '已打印，请取走号票', 'printed.bad': '打印机故障，请拍照或记下号码',
      'countdown': '{s} 秒后返回首页',
      'prev': '上一页', 'next': '下一页',
      'domain.sub': '{n} 项事项', 'waiting': '等候 {n} 人', 'no.windows': '暂无窗口办理',
      'busy': '正在取号…',
      'err.network': '网络连接中断，请稍后再试，或到咨询台取号。',
      'err.busy': '系统繁忙，请稍后再试。',
      'err.token': '取号机未授权（令牌无效），请联系工作人员。',
      'err.notoken': '取号机未配置令牌（地址中缺少 ?token=），请联系工作人员。',
      'err.matter': '该事项暂不可办理，请到咨询台咨询。',
      'err.other': '取号失败（{code}），请到咨询台咨询。',
      'loading': '正在加载…', 'empty': '暂无可办理事项'
    },
    en: {
      'title': 'Take a number', 'elder': 'Large text', 'lang.other': '中文',
      'home.title': 'Choose a service area', 'home.lead': 'Tap to take a number',
      'matters.lead': 'Choose your matter', 'back': 'Back',
      'green': 'Priority lane', 'green.banner': 'Priority lane: seniors, people with disabilities, pregnant women, service members',
      'appt': 'Appointment check-in', 'appt.title': 'Appointment check-in', 'appt.lead': 'Enter your appointment code',
      'appt.go': 'Check in', 'appt.empty': 'Please enter your appointment code first',
      'appt.unavailable': 'Appointment check-in is not available yet. Please take a number for your matter, or ask at the information desk.',
      'appt.unknown': 'No appointment with this code. Please check it, or ask at the information desk.',
      'appt.bad': 'This code is not valid. Please check it and try again.',
      'key.clear': 'Clear', 'key.back': '⌫',
      'ticket.label': 'Your number', 'ticket.ahead': 'Ahead of you', 'ticket.eta': 'Estimated wait',
      'ticket.qr': 'Scan to follow your place in the queue', 'ticket.done': 'Done',
      'printed.ok': 'Printed — please take your ticket', 'printed.bad': 'Printer fault — please take a photo or write down your number',
      'countdown': 'Back to the start in {s} s',
      'prev': 'Previous', 'next': 'Next',
      'domain.sub': '{n} matters', 'waiting': '{n} waiting', 'no.windows': 'no window open',
      'busy': 'Taking a number…',
      'err.network': 'Network failure. Please try again shortly, or ask at the information desk.',
      'err.busy': 'The system is busy. Please try again.',
      'err.token': 'This kiosk is not authorised (bad token). Please call staff.',
      'err.notoken': 'This kiosk has no token (?token= missing). Please call staff.',
      'err.matter': 'This matter cannot be taken now. Please ask at the information desk.',
      'err.other': 'Could not take a number ({code}). Please ask at the information desk.',
      'loading': 'Loading…', 'empty': 'No matters available'
    }
  };

  var F = window.HallqFormat;
  var params = Hallq.params;
  var initialLang = Hallq.lang;
  var timeoutS = Number(params.get('timeout'));
  if (!(timeoutS > 0)) timeoutS = 30;

  var hall = { name: '', matters: [], loaded: false };
  var ui = {
    screen: 'home', domain: null, page: 0, green: false, elder: false,
    busy: false, idleUntil: 0, ticket: null
  };

  function $(id) { return document.getElementById(id); }
  function t(key, vars) {
    var s = Hallq.t(TEXT, key);
    if (vars) Object.keys(vars).forEach(function (k) { s = s.split('{' + k + '}').join(vars[k]); });
    return s;
  }
  function perPage() { return ui.elder ? 4 : 8; }

  /* ------------------------------------------------------------ language */

  function applyLang() {
    document.documentElement.lang = Hallq.lang === 'en' ? 'en' : 'zh-CN';
    var nodes = document.querySelectorAll('[data-i18n]');
    for (var i = 0; i < nodes.length; i++)
      nodes[i].textContent = t(nodes[i].getAttribute('data-i18n'));
    $('lang').textContent = t('lang.other');
    document.title = (hall.name ? hall.name + ' · ' : '') + t('title');
    buildKeypad();
    render();
  }

  $('lang').addEventListener('click', function () {
    Hallq.lang = Hallq.lang === 'en' ? 'zh' : 'en';
    applyLang();
  });

  /* ------------------------------------------------------------ messages */

  function showMsg(id, kind, text) {
    var m = $(id);
    if (!text) { m.hidden = true; return; }
    m.className = 'msg msg-' + kind;
    m.textContent = text;
    m.hidden = false;
  }

  function errorText(r, appt) {
    var code = r.json && r.json.error ? r.json.error.code : '';
    if (r.status === 0) return t('err.network');
    if (r.status === 401 || r.status === 403) return t('err.token');
    if (r.status === 503) return t('err.busy');
    if (appt) {
      if (code === 'appointments_unavailable' || r.status === 501) return t('appt.unavailable');
      if (r.status === 404) return t('appt.unknown');
      if (r.status === 400) return t('appt.bad');
    }
    if (code === 'unknown_matter') return t('err.matter');
    return t('err.other', { code: code || r.status });
  }

  /* ------------------------------------------------------------ the hall */

  var hallRetry = null;
  function fetchHall() {
    if (!Hallq.token) { showMsg('fatal', 'error', t('err.notoken')); return; }
    clearTimeout(hallRetry);
    Hallq.api('GET', '/api/hall').then(function (r) {
      if (r.status === 200 && r.json) {
        hall.name = r.json.hall || '';
        hall.matters = r.json.matters || [];
        hall.loaded = true;
        $('hall-name').textContent = hall.name || t('title');
        document.title = (hall.name ? hall.name + ' · ' : '') + t('title');
        showMsg('fatal', 'error', '');
        render();
      } else if (r.status === 401 || r.status === 403) {
        showMsg('fatal', 'error', t('err.token'));
      } else {
        showMsg('fatal', 'error', t('err.network'));
        clearTimeout(hallRetry);
        hallRetry = setTimeout(fetchHall, 5000);
      }
    });
  }

  function domains() {
    var out = [], seen = {};
    hall.matters.forEach(function (m) {
      var d = m.domain || '';
      if (!seen[d]) {
        seen[d] = { code: d, name: m.domain_name || d || '—', matters: [], waiting: 0 };
        out.push(seen[d]);
      }
      seen[d].matters.push(m);
      seen[d].waiting += m.waiting || 0;
    });
    return out;
  }

  /* ------------------------------------------------------------ screens */

  function show(screen) {
    ui.screen = screen;
    ['home', 'matters', 'appt', 'ticket'].forEach(function (s) {
      $('s-' + s).hidden = s !== screen;
    });
    if (screen !== 'home') showMsg('home-msg', 'info', '');
    touch();
    render();
  }

  function goHome(reset) {
    ui.domain = null;
    ui.page = 0;
    ui.ticket = null;
    if (reset) {
      ui.green = false;
      setElder(false);
      if (Hallq.lang !== initialLang) { Hallq.lang = initialLang; applyLang(); }
      showMsg('home-msg', 'info', '');
      $('appt-code').value = '';
      showMsg('appt-msg', 'info', '');
    }
    show('home');
    fetchHall();
  }

  /* A paged grid of big buttons. */
  function paged(box, pager, items, make) {
    var n = perPage(), pages = Math.max(1, Math.ceil(items.length / n));
    if (ui.page >= pages) ui.page = pages - 1;
    var frag = document.createDocumentFragment();
    items.slice(ui.page * n, ui.page * n + n).forEach(function (it) { frag.appendChild(make(it)); });
    for (var i = items.length - ui.page * n; i < n; i++)
      frag.appendChild(Hallq.el('div', { 'class': 'choice placeholder', 'aria-hidden': 'true' }));
    box.replaceChildren(frag);
    var p = document.createDocumentFragment();
    if (pages > 1) {
      var prev = Hallq.el('button', { type: 'button', 'class': 'kbtn', 'data-page': 'prev' }, t('prev'));
      var next = Hallq.el('button', { type: 'button', 'class': 'kbtn', 'data-page': 'next' }, t('next'));
      prev.disabled = ui.page === 0;
      next.disabled = ui.page >= pages - 1;
      prev.onclick = function () { ui.page--; render(); };
      next.onclick = function () { ui.page++; render(); };
      p.appendChild(prev);
      p.appendChild(Hallq.el('span', { 'class': 'num' }, (ui.page + 1) + ' / ' + pages));
      p.appendChild(next);
    }
    pager.replaceChildren(p);
  }

  function choice(title, sub, attrs) {
    var b = Hallq.el('button', attrs);
    b.type = 'button';
    b.classList.add('choice');
    b.appendChild(Hallq.el('span', { 'class': 'choice-title' }, title));
    if (sub) b.appendChild(Hallq.el('span', { 'class': 'choice-sub' }, sub));
    return b;
  }

  function matterSub(m) {
    if (!m.open_windows) return t('waiting', { n: m.waiting || 0 }) + ' · ' + t('no.windows');
    return t('waiting', { n: m.waiting || 0 }) + ' · ' + F.wait(m.eta_s, Hallq.lang);
  }

  function renderHome() {
    $('green-banner').hidden = !ui.green;
    $('green').classList.toggle('on', ui.green);
    var ds = domains();
    if (!hall.loaded) {
      $('domains').replaceChildren(Hallq.el('p', { 'class': 'lead' }, t('loading')));
      $('domains-pager').replaceChildren();
      return;
    }
    if (!ds.length) {
      $('domains').replaceChildren(Hallq.el('p', { 'class': 'lead' }, t('empty')));
      $('domains-pager').replaceChildren();
      return;
    }
    paged($('domains'), $('domains-pager'), ds, function (d) {
      var b = choice(d.name, t('domain.sub', { n: d.matters.length }) + ' · ' +
        t('waiting', { n: d.waiting }), { 'data-domain': d.code });
      b.onclick = function () { openDomain(d.code); };
      return b;
    });
  }

  function openDomain(code) {
    ui.domain = code;
    ui.page = 0;
    show('matters');
  }

  function renderMatters() {
    var d = domains().filter(function (x) { return x.code === ui.domain; })[0];
    $('green-banner2').hidden = !ui.green;
    $('domain-title').textContent = d ? d.name : '';
    if (!d) { $('matters').replaceChildren(); $('matters-pager').replaceChildren(); return; }
    paged($('matters'), $('matters-pager'), d.matters, function (m) {
      var b = choice(m.name, matterSub(m), { 'data-matter': m.code });
      b.onclick = function () { issue({ matter: m.code }); };
      return b;
    });
  }

  function render() {
    document.body.classList.toggle('elder', ui.elder);
    $('elder').classList.toggle('on', ui.elder);
    $('elder').setAttribute('aria-pressed', ui.elder ? 'true' : 'false');
    if (ui.screen === 'home') renderHome();
    else if (ui.screen === 'matters') renderMatters();
    else if (ui.screen === 'ticket') renderTicket();
    tick();
  }

  /* ------------------------------------------------------------ issuing */

  function issue(body, appt) {
    if (ui.busy) return;
    ui.busy = true;
    $('veil').hidden = false;
    if (ui.green && !appt) body['class'] = 'green';
    Hallq.api('POST', '/api/tickets', body).then(function (r) {
      ui.busy = false;
      $('veil').hidden = true;
      if (r.status === 201 && r.json && r.json.ticket) {
        ui.ticket = r.json;
        ui.green = false;
        show('ticket');
        fetchHall();
        return;
      }
      var text = errorText(r, appt);
      if (appt) {
        showMsg('appt-msg', 'error', text);
      } else {
        show('home');
        showMsg('home-msg', 'error', text);
      }
      touch();
    });
  }

  function renderTicket() {
    var rep = ui.ticket;
    if (!rep) return;
    var tk = rep.ticket;
    var m = hall.matters.filter(function (x) { return x.code === tk.matter; })[0];
    $('t-number').textContent = tk.number;
    $('t-number').classList.toggle('t-green', tk['class'] === 'green');
    $('t-matter').textContent = m ? m.name : tk.matter;
    $('t-class').hidden = tk['class'] !== 'green';
    $('t-ahead').textContent = F.people(tk.ahead, Hallq.lang);
    $('t-eta').textContent = F.wait(tk.eta_s, Hallq.lang);
    var pr = $('printed');
    if (rep.printed === true) {
      pr.className = 'printed printed-ok'; pr.textContent = t('printed.ok'); pr.hidden = false;
    } else if (rep.printed === false) {
      pr.className = 'printed printed-bad'; pr.textContent = t('printed.bad'); pr.hidden = false;
    } else {
      pr.hidden = true;
    }
    var qr = $('qr');
    var url = location.origin + '/t/' + tk.id + '?token=' + encodeURIComponent(rep.token || '');
    if (qr.getAttribute('data-url') !== url) {
      qr.setAttribute('data-url', url);
      qr.setAttribute('aria-label', url);
      qr.replaceChildren(qrSvg(url));
    }
  }

  function qrSvg(text) {
    var NS = 'http://www.w3.org/2000/svg', border = 4;
    var code = HallqQR.encode(text, 'M'), n = code.size + 2 * border;
    var svg = document.createElementNS(NS, 'svg');
    svg.setAttribute('viewBox', '0 0 ' + n + ' ' + n);
    svg.setAttribute('shape-rendering', 'crispEdges');
    var bg = document.createElementNS(NS, 'rect');
    bg.setAttribute('width', n);
    bg.setAttribute('height', n);
    bg.setAttribute('fill', '#fff');
    var p = document.createElementNS(NS, 'path');
    p.setAttribute('d', HallqQR.svgPath(code, border));
    p.setAttribute('fill', '#000');
    svg.appendChild(bg);
    svg.appendChild(p);
    return svg;
  }

  /* ------------------------------------------------------------ appointment */

  function buildKeypad() {
    var keys = ['1', '2', '3', '4', '5', '6', '7', '8', '9', 'clear', '0', 'back'];
    var frag = document.createDocumentFragment();
    keys.forEach(function (k) {
      var b = Hallq.el('button', { type: 'button', 'data-key': k },
        k === 'clear' ? t('key.clear') : k === 'back' ? t('key.back') : k);
      b.onclick = function () {
        var inp = $('appt-code');
        if (k === 'clear') inp.value = '';
        else if (k === 'back') inp.value = inp.value.slice(0, -1);
        else if (inp.value.length < 32) inp.value += k;
        showMsg('appt-msg', 'info', '');
      };
      frag.appendChild(b);
    });
    $('keypad').replaceChildren(frag);
  }

  function checkIn() {
    var code = $('appt-code').value.trim();
    if (!code) { showMsg('appt-msg', 'error', t('appt.empty')); return; }
    showMsg('appt-msg', 'info', '');
    issue({ appointment: code }, true);
  }

  $('appt-go').addEventListener('click', checkIn);
  $('appt-code').addEventListener('keydown', function (e) { if (e.key === 'Enter') checkIn(); });

  /* ------------------------------------------------------------ buttons */

  $('green').addEventListener('click', function () {
    ui.green = !ui.green;
    showMsg('home-msg', 'info', '');
    render();
  });
  $('appt').addEventListener('click', function () {
    $('appt-code').value = '';
    showMsg('appt-msg', 'info', '');
    show('appt');
  });
  Array.prototype.forEach.call(document.querySelectorAll('.back'), function (b) {
    b.addEventListener('click', function () { goHome(false); });
  });
  $('done').addEventListener('click', function () { goHome(true); });

  function setElder(on) {
    ui.elder = on;
    ui.page = 0;
  }
  $('elder').addEventListener('click', function () { setElder(!ui.elder); render(); });

  /* ------------------------------------------------------------ idle */

  function touch() { ui.idleUntil = Date.now() + timeoutS * 1000; }
  ['pointerdown', 'keydown', 'touchstart'].forEach(function (ev) {
    document.addEventListener(ev, touch, { passive: true, capture: true });
  });

  function idleWorth() {
    return ui.screen !== 'home' || ui.green || ui.elder || Hallq.lang !== initialLang ||
      !$('home-msg').hidden;
  }

  function tick() {
    var now = new Date();
    $('clock').textContent = (now.getHours() < 10 ? '0' : '') + now.getHours() + ':' +
      (now.getMinutes() < 10 ? '0' : '') + now.getMinutes();
    var left = Math.max(0, Math.ceil((ui.idleUntil - Date.now()) / 1000));
    $('countdown').textContent = ui.screen === 'ticket' ? t('countdown', { s: left }) : '';
  }

  setInterval(function () {
    if (idleWorth() && Date.now() >= ui.idleUntil) goHome(true);
    tick();
  }, 250);
  setInterval(function () { if (ui.screen === 'home' || ui.screen === 'matters') fetchHall(); }, 30000);

  touch();
  applyLang();
  fetchHall();
})();
