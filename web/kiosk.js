/* web/kiosk.js — the ticket kiosk (/kiosk?token=KIOSK_TOKEN): domain →
 * matter → ticket, 绿色通道 (class "green"), 预约签到 (appointment check-in by
 * booking code or ID number, on a keypad of the code's alphabet: too early
 * says when to come back, late says it became an ordinary number), the
 * hall's hours (hall_closed and matter_closed_for_today say the next
 * opening; closing_soon shows the estimated wait and asks 仍要取号? before
 * sending accept_wait; matters that take no ticket now are greyed),
 * 长辈模式 (large type, high contrast, 4 choices a screen instead of 8), the
 * issued ticket with its QR code (its status page), 短信提醒 for it where
 * the hall sends SMS (a mobile number on a keypad and the citizen's consent,
 * the number forgotten by the page once sent or left), and back to the start
 * after ?timeout=SECONDS (default 30) without a touch.  Speaks only the API:
 * GET /api/hall for the matters and their queues (kept by
 * web/lib/hall-state.js), GET /api/status (notify: whether the hall sends
 * SMS), POST /api/tickets, POST /api/tickets/ID/notify.  Strings are
 * web/lib/text.js's; a language chosen here lasts one citizen's visit. */
'use strict';

(function () {
  var F = window.HallqFormat;
  var H = window.HallqState;
  var B = window.HallqBook;
  var t = HallqText.page('kiosk');
  var params = Hallq.params;
  var initialLang = Hallq.lang;
  var timeoutS = Number(params.get('timeout'));
  if (!(timeoutS > 0)) timeoutS = 30;

  var S = H.empty(), loaded = false;	/* the hall: web/lib/hall-state.js */
  var ui = {
    screen: 'home', domain: null, page: 0, green: false, elder: false,
    busy: false, idleUntil: 0, ticket: null,
    confirm: null,		/* closing_soon: {body, matter, eta_s, closes_at} */
    /* 短信提醒: the digits typed (never kept past the screen), the
     * fields' problems (keys of text.js), the daemon's answer said
     * ({kind: 'sending'|'error', key, vars}), a request under way. */
    smsPhone: '', smsErrs: {}, smsMsg: null, smsBusy: false
  };
  var notifyOn = false;	/* GET /api/status's notify: the hall sends SMS */
  var hours = { open: true, next_open: null, enforced: false };	/* GET /api/hall */

  function $(id) { return document.getElementById(id); }
  function perPage() { return ui.elder ? 4 : 8; }

  /* ------------------------------------------------------------ language */

  function applyLang() {
    HallqText.translate(document, t);
    $('hall-name').textContent = HallqText.hallName(S.name) || t('title');
    document.title = (S.name ? HallqText.hallName(S.name) + ' · ' : '') + t('title');
    buildKeypad();
    buildSmsKeypad();
    render();
  }

  $('lang').addEventListener('click', function () {
    HallqText.toggle();
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
    var j = r.json || {};
    var code = j.error ? j.error.code : '';
    if (r.status === 0) return t('err.network');
    if (r.status === 401 || r.status === 403) return t('err.token');
    if (r.status === 503) return t('err.busy');
    if (code === 'hall_closed')
      return j.next_open ? t('err.hall_closed', { when: B.when(j.next_open, Hallq.lang) }) : t('err.hall_closed.none');
    if (code === 'matter_closed_for_today')
      return t('err.matter_closed', { closes: j.closes_at ? HallqText.time(j.closes_at) : '–' }) + (Hallq.lang === 'en' ? ' ' : '') +
        (j.next_open ? t('err.next_open', { when: B.when(j.next_open, Hallq.lang) }) : '');
    if (appt) {
      if (code === 'appointments_unavailable' || r.status === 501) return t('appt.unavailable');
      if (code === 'too_early')
        return t('appt.too_early', { when: j.come_back_at ? B.when(j.come_back_at, Hallq.lang) : '–' });
      if (code === 'appointment_closed') return t('appt.closed');
      if (code === 'wrong_day')
        return t('appt.wrong_day', { when: j.start ? B.when(j.start, Hallq.lang) : '–' });
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
        HallqText.setHall(r.json);	/* the hall's zone and clock, hall_en */
        hours = { open: r.json.open !== false, next_open: r.json.next_open || null,
          enforced: !!r.json.hours_enforced };
        tick();
        S = H.readHall(S, r.json, Date.now()).state;
        loaded = true;
        $('hall-name').textContent = HallqText.hallName(S.name) || t('title');
        document.title = (S.name ? HallqText.hallName(S.name) + ' · ' : '') + t('title');
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

  /* The QR code of /q (GET /api/public/queue's q_url: the live waiting on
   * a phone) beside the home screen's buttons.  Asked at start and after
   * each citizen's visit (a daemon restarted with another
   * hall.public_url), again after a failure. */
  var qRetry = null;
  function showQ() {
    Hallq.api('GET', '/api/public/queue', null, '').then(function (r) {
      var url = r.status === 200 && r.json && typeof r.json.q_url === 'string' ? r.json.q_url : '';
      if (!url) {
        if (r.status === 0 || r.status >= 500) { clearTimeout(qRetry); qRetry = setTimeout(showQ, 30000); }
        return;
      }
      var box = $('q-qr');
      if (box.getAttribute('data-url') !== url) {
        box.setAttribute('data-url', url);
        box.setAttribute('aria-label', url);
        box.innerHTML = HallqQR.svg(url, { ecl: 'M', border: 2 });
      }
      $('q-box').hidden = false;
    });
  }

  function domains() {
    return H.byDomain(S.matters).map(function (g) {
      var m0 = g.matters[0] || {};
      return { code: g.domain, name: HallqText.name(m0, 'domain_name') || g.domain_name || '—',
        matters: g.matters, waiting: g.waiting };
    });
  }

  /* ------------------------------------------------------------ screens */

  function show(screen) {
    ui.screen = screen;
    ['home', 'matters', 'appt', 'ticket', 'confirm', 'sms'].forEach(function (s) {
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
    ui.confirm = null;
    smsForget();
    if (reset) {
      ui.green = false;
      setElder(false);
      if (Hallq.lang !== initialLang) { HallqText.setLang(initialLang); applyLang(); }
      showMsg('home-msg', 'info', '');
      $('appt-code').value = '';
      showMsg('appt-msg', 'info', '');
      showQ();
      askNotify();
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
    if (m.accepting === false) return t('m.closed');
    if (m.near_close && m.closes_at) return t('waiting', { n: m.waiting || 0 }) + ' · ' +
      t('m.near', { time: HallqText.time(m.closes_at) });
    if (!m.open_windows) return t('waiting', { n: m.waiting || 0 }) + ' · ' + t('no.windows');
    return t('waiting', { n: m.waiting || 0 }) + ' · ' + F.wait(m.eta_s, Hallq.lang);
  }

  function renderHome() {
    var cb = $('closed-banner');
    cb.hidden = !(loaded && hours.enforced && !hours.open);
    cb.textContent = cb.hidden ? '' : hours.next_open ?
      t('err.hall_closed', { when: B.when(hours.next_open, Hallq.lang) }) : t('err.hall_closed.none');
    $('green-banner').hidden = !ui.green;
    $('green').classList.toggle('on', ui.green);
    var ds = domains();
    if (!loaded) {
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
      var b = choice(HallqText.name(m), matterSub(m), { 'data-matter': m.code });
      if (m.accepting === false) b.classList.add('not-accepting');
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
    else if (ui.screen === 'confirm') renderConfirm();
    else if (ui.screen === 'sms') renderSms();
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
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (code === 'closing_soon' && !appt && !body.accept_wait) {
        ui.confirm = { body: body, matter: body.matter, eta_s: r.json.eta_s, closes_at: r.json.closes_at };
        show('confirm');
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
    var m = S.matters.filter(function (x) { return x.code === tk.matter; })[0];
    $('t-number').textContent = tk.number;
    $('t-number').classList.toggle('t-green', tk['class'] === 'green');
    $('t-matter').textContent = m ? HallqText.name(m) : (HallqText.name(tk, 'matter_name') || tk.matter);
    $('t-class').hidden = tk['class'] !== 'green';
    var ap = rep.appointment, ta = $('t-appt');
    ta.hidden = !ap;
    if (ap) {
      ta.textContent = ap.late ? t('appt.late', { span: B.span(ap.start, ap.end) }) :
        t('appt.ok', { span: B.span(ap.start, ap.end) });
      ta.className = 't-appt' + (ap.late ? ' t-appt-late' : '');
    }
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
    /* 短信提醒: offered while the ticket waits, where the hall sends SMS;
     * once on, the masked number the daemon answered. */
    $('sms-open').hidden = !(notifyOn && tk.state === 'waiting' && !tk.notify);
    var ts = $('t-sms');
    ts.hidden = !tk.notify;
    ts.textContent = !tk.notify ? '' : tk.phone ? t('sms.on', { phone: tk.phone }) : t('sms.on.nophone');
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

  /* The code's alphabet (no 0/O, 1/I/L) and the digits an ID number needs
   * beside it (0, 1; X is in the alphabet). */
  function buildKeypad() {
    var keys = '1234567890'.split('').concat(B.ALPHABET.replace(/[2-9]/g, '').split(''), ['clear', 'back']);
    var frag = document.createDocumentFragment();
    keys.forEach(function (k) {
      var b = Hallq.el('button', { type: 'button', 'data-key': k },
        k === 'clear' ? t('key.clear') : k === 'back' ? t('key.back') : k);
      b.onclick = function () {
        var inp = $('appt-code');
        if (k === 'clear') inp.value = '';
        else if (k === 'back') inp.value = inp.value.slice(0, -1);
        else if (inp.value.length < 18) inp.value += k;
        showMsg('appt-msg', 'info', '');
      };
      frag.appendChild(b);
    });
    $('keypad').replaceChildren(frag);
  }

  /* A booking code (8 of the alphabet) or an 18-character ID number. */
  function checkIn() {
    var e = B.checkinEntry($('appt-code').value);
    if (e.kind === 'bad') {
      showMsg('appt-msg', 'error', t(e.why === 'empty' ? 'appt.empty' : e.why === 'check' ? 'appt.bad_check' :
        e.why === 'id' ? 'appt.bad_id' : 'appt.bad'));
      return;
    }
    $('appt-code').value = e.value;
    showMsg('appt-msg', 'info', '');
    issue({ appointment: e.value }, true);
  }

  /* ------------------------------------------------------------ 短信提醒 */

  /* Whether the hall sends SMS at all (no token needed); asked at start
   * and after each visit, like the QR code of /q. */
  function askNotify() {
    Hallq.api('GET', '/api/status', null, '').then(function (r) {
      if (r.status === 200 && r.json && typeof r.json.notify === 'boolean') {
        notifyOn = r.json.notify;
        if (ui.screen === 'ticket') render();
      }
    });
  }

  /* The number typed leaves the page with the citizen. */
  function smsForget() {
    ui.smsPhone = '';
    ui.smsErrs = {};
    ui.smsMsg = null;
    $('sms-phone').value = '';
    $('sms-consent').checked = false;
  }

  /* 138 1234 5678: as people read a mobile number. */
  function groupPhone(d) {
    return d.length <= 3 ? d : d.length <= 7 ? d.slice(0, 3) + ' ' + d.slice(3) :
      d.slice(0, 3) + ' ' + d.slice(3, 7) + ' ' + d.slice(7);
  }

  function setSmsPhone(d) {
    ui.smsPhone = d.replace(/\D/g, '').slice(0, 11);
    $('sms-phone').value = groupPhone(ui.smsPhone);
    delete ui.smsErrs.phone;
    if (ui.smsMsg && ui.smsMsg.kind === 'error') ui.smsMsg = null;
    renderSms();
  }

  function buildSmsKeypad() {
    var keys = '123456789'.split('').concat(['clear', '0', 'back']);
    var frag = document.createDocumentFragment();
    keys.forEach(function (k) {
      var b = Hallq.el('button', { type: 'button', 'data-key': k },
        k === 'clear' ? t('key.clear') : k === 'back' ? t('key.back') : k);
      if (k === 'back') b.setAttribute('aria-label', Hallq.lang === 'en' ? 'Delete' : '删除');
      b.onclick = function () {
        if (ui.smsBusy) return;
        setSmsPhone(k === 'clear' ? '' : k === 'back' ? ui.smsPhone.slice(0, -1) : ui.smsPhone + k);
      };
      frag.appendChild(b);
    });
    $('sms-keypad').replaceChildren(frag);
  }

  function renderSms() {
    var tk = ui.ticket && ui.ticket.ticket;
    $('sms-for').textContent = tk ? t('sms.for', { number: tk.number }) : '';
    ['phone', 'consent'].forEach(function (f) {
      var e = $('sms-e-' + f);
      e.hidden = !ui.smsErrs[f];
      e.textContent = ui.smsErrs[f] ? t(ui.smsErrs[f]) : '';
    });
    $('sms-phone').setAttribute('aria-invalid', ui.smsErrs.phone ? 'true' : 'false');
    var m = ui.smsMsg;
    showMsg('sms-msg', m && m.kind === 'sending' ? 'info' : 'error', m ? t(m.key, m.vars) : '');
    $('sms-go').disabled = ui.smsBusy;
  }

  function openSms() {
    if (!ui.ticket) return;
    smsForget();
    show('sms');
  }

  /* Checked here first (nothing leaves the kiosk until both are right),
   * then the daemon's word. */
  function sendSms() {
    if (ui.smsBusy || !ui.ticket) return;
    var d = ui.smsPhone;
    ui.smsErrs = {};
    ui.smsMsg = null;
    if (!d) ui.smsErrs.phone = 'sms.e.phone_empty';
    else if (!B.isPhone(d)) ui.smsErrs.phone = 'sms.e.phone';
    if (!$('sms-consent').checked) ui.smsErrs.consent = 'sms.e.consent';
    if (ui.smsErrs.phone || ui.smsErrs.consent) { renderSms(); return; }
    var rep = ui.ticket;
    ui.smsBusy = true;
    ui.smsMsg = { kind: 'sending', key: 'sms.sending' };
    renderSms();
    Hallq.api('POST', '/api/tickets/' + rep.ticket.id + '/notify', { phone: d, notify: true }).then(function (r) {
      ui.smsBusy = false;
      if (ui.ticket !== rep || ui.screen !== 'sms') { renderSms(); return; }	/* gone home meanwhile */
      touch();
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (r.status === 200 && r.json && r.json.ticket) {
        rep.ticket = r.json.ticket;
        smsForget();
        show('ticket');
        return;
      }
      if (r.status === 400 && code === 'bad_phone') ui.smsErrs = { phone: 'sms.e.phone' };
      else if (r.status === 409 && code === 'notify_unavailable') { notifyOn = false; ui.smsMsg = { kind: 'error', key: 'sms.e.unavailable' }; }
      else if (r.status === 409) ui.smsMsg = { kind: 'error', key: 'sms.e.closed' };
      else if (r.status === 0) ui.smsMsg = { kind: 'error', key: 'sms.e.network' };
      else if (r.status === 401 || r.status === 403) ui.smsMsg = { kind: 'error', key: 'err.token' };
      else if (r.status === 503) ui.smsMsg = { kind: 'error', key: 'err.busy' };
      else ui.smsMsg = { kind: 'error', key: 'sms.e.other', vars: { code: code || r.status } };
      renderSms();
    });
  }

  $('sms-open').addEventListener('click', openSms);
  $('sms-back').addEventListener('click', function () {
    if (ui.smsBusy) return;
    smsForget();
    show(ui.ticket ? 'ticket' : 'home');
  });
  $('sms-go').addEventListener('click', sendSms);
  /* A keyboard, where the kiosk has one: digits only. */
  $('sms-phone').addEventListener('input', function () { setSmsPhone($('sms-phone').value); });
  $('sms-phone').addEventListener('keydown', function (e) { if (e.key === 'Enter') sendSms(); });
  $('sms-consent').addEventListener('change', function () {
    if ($('sms-consent').checked) delete ui.smsErrs.consent;
    renderSms();
  });

  /* ------------------------------------------------------------ closing soon */

  function renderConfirm() {
    var c = ui.confirm;
    if (!c) return;
    var m = S.matters.filter(function (x) { return x.code === c.matter; })[0];
    $('confirm-matter').textContent = m ? HallqText.name(m) : c.matter;
    var closes = c.closes_at ? HallqText.time(c.closes_at) : '–';
    $('confirm-text').textContent = c.eta_s > 0 ? t('confirm.text', { wait: F.wait(c.eta_s, Hallq.lang), closes: closes }) :
      t('confirm.text0', { closes: closes });
  }

  $('confirm-yes').addEventListener('click', function () {
    var c = ui.confirm;
    if (!c) return;
    var body = Object.assign({}, c.body, { accept_wait: true });
    issue(body);
  });
  $('confirm-no').addEventListener('click', function () { goHome(false); });

  $('appt-go').addEventListener('click', checkIn);
  $('appt-code').addEventListener('keydown', function (e) { if (e.key === 'Enter') checkIn(); });
  $('appt-code').addEventListener('input', function () {
    var inp = $('appt-code'), v = inp.value.toUpperCase();
    if (v !== inp.value) inp.value = v;
    showMsg('appt-msg', 'info', '');
  });

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
    $('clock').textContent = HallqText.time();	/* the hall's time */
    var left = Math.max(0, Math.ceil((ui.idleUntil - Date.now()) / 1000));
    $('countdown').textContent = ui.screen === 'ticket' ? t('countdown', { s: left }) : '';
    $('sms-countdown').textContent = ui.screen === 'sms' ? t('countdown', { s: left }) : '';
  }

  setInterval(function () {
    if (idleWorth() && Date.now() >= ui.idleUntil) goHome(true);
    tick();
  }, 250);
  setInterval(function () { if (ui.screen === 'home' || ui.screen === 'matters') fetchHall(); }, 30000);

  touch();
  applyLang();
  fetchHall();
  showQ();
  askNotify();
})();
