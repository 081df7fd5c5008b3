/* web/book.js — the public booking page for phones, /book (no token):
 * matter → day → slot → phone, ID number, optional name, consent, and
 * optionally SMS reminders ("notify": true: the booking confirmed, the day
 * before, an hour before; a consent of its own, never required) →
 * POST /api/appointments → the booking: its 8-character code in very large
 * type, the slot, the masked phone, a QR code of /book?code=CODE&token=TOKEN.
 * That address (or this phone, which remembers its last booking) opens the
 * booking with its own token (GET /api/appointments/CODE), to cancel it
 * (DELETE) or move it to another slot (POST …/reschedule).  Every time is
 * the hall's (GET /api/public/hall → HallqText.setHall); every string is
 * web/lib/text.js's; the codes, ID check digit and grouping are
 * web/lib/booking.js's; the QR code is web/vendor-src/qrcode.js's.  The
 * daemon decides: what this page checks first only saves a round trip. */
'use strict';

(function () {
  var B = window.HallqBook;
  var t = HallqText.page('book');
  var el = Hallq.el;
  var params = Hallq.params;
  var KEPT = 'hallq.booking';		/* localStorage: this phone's last booking */

  var hall = null;			/* GET /api/public/hall */
  var ui = {
    screen: 'loading',
    mode: 'book',			/* 'book' | 'reschedule' */
    matter: null,			/* the matter object */
    slots: null, slotsFor: null,	/* GET /api/public/slots of ui.matter */
    day: null, slot: null,
    booking: null, token: null,		/* APPOINTMENT and its own token */
    banner: null,			/* key of the note above the booking */
    confirmCancel: false,
    msg: null,				/* {kind, text()} */
    errs: {},				/* field → key */
    busy: false
  };

  function $(id) { return document.getElementById(id); }
  function lang() { return Hallq.lang; }

  /* ------------------------------------------------------------ messages */

  function say(kind, text) {
    ui.msg = text ? { kind: kind, text: text } : null;
    renderMsg();
    if (ui.msg && $('msg').scrollIntoView) $('msg').scrollIntoView({ block: 'nearest' });
  }

  function renderMsg() {
    var m = $('msg');
    if (!ui.msg) { m.hidden = true; m.textContent = ''; return; }
    m.className = 'msg msg-' + ui.msg.kind;
    m.textContent = typeof ui.msg.text === 'function' ? ui.msg.text() : ui.msg.text;
    m.hidden = false;
  }

  /* What the daemon said, in words.  r: {status, json}. */
  function errorText(r) {
    var e = r.json && r.json.error ? r.json.error : {};
    var code = e.code || '';
    if (r.status === 0) return t('e.network');
    if (r.status === 503) return t('e.busy');
    if (r.status === 429 || code === 'too_many_requests') return t('e.too_many_requests');
    if (code === 'booking_suspended')
      return t('e.booking_suspended', { until: r.json.until ? B.when(r.json.until, lang()) : '' });
    if (code === 'too_soon')
      return t('e.too_soon', { min: hall && hall.appointments ? hall.appointments.min_lead_min : '' });
    if (code && t.has('e.' + code)) return t('e.' + code);
    return t('e.other', { code: code || r.status });
  }

  function busy(on) {
    ui.busy = on;
    $('veil').hidden = !on;
  }

  /* ------------------------------------------------------------ screens */

  var SCREENS = ['matter', 'day', 'slot', 'form', 'booking'];

  function show(screen) {
    ui.screen = screen;
    render();
    window.scrollTo(0, 0);
  }

  function render() {
    HallqText.translate(document, t);
    var name = hall ? HallqText.hallName(hall.hall) : '';
    $('hall-name').textContent = t('title');
    document.title = t('title') + (name ? ' · ' + name : '');
    $('loading').hidden = ui.screen !== 'loading';
    SCREENS.forEach(function (s) { $('s-' + s).hidden = s !== ui.screen; });
    var steps = $('steps');
    steps.hidden = SCREENS.indexOf(ui.screen) < 0 || ui.screen === 'booking' || ui.mode !== 'book';
    var at = ['matter', 'day', 'slot', 'form'].indexOf(ui.screen);
    Array.prototype.forEach.call(steps.children, function (li, i) {
      li.className = i < at ? 'done' : i === at ? 'now' : '';
    });
    if (ui.screen === 'matter') renderMatters();
    else if (ui.screen === 'day') renderDays();
    else if (ui.screen === 'slot') renderSlots();
    else if (ui.screen === 'form') renderForm();
    else if (ui.screen === 'booking') renderBooking();
    renderMsg();
  }

  function matterName(m) { return m ? HallqText.name(m) || m.code : ''; }

  /* What has been chosen so far, above each step. */
  function picked(box, upto) {
    var f = document.createDocumentFragment();
    if (ui.mode === 'reschedule' && ui.booking)
      f.appendChild(el('div', { 'class': 'p-mode' }, t('resched.title', { code: ui.booking.code })));
    f.appendChild(el('div', { 'class': 'p-matter' }, matterName(ui.matter)));
    if (upto >= 1 && ui.day)
      f.appendChild(el('div', { 'class': 'p-day' }, B.dayLabel(ui.day, lang(), HallqText.date())));
    if (upto >= 2 && ui.slot)
      f.appendChild(el('div', { 'class': 'p-slot' }, B.span(ui.slot.start, ui.slot.end)));
    $(box).replaceChildren(f);
  }

  /* ------------------------------------------------------------ 1. matter */

  function renderMatters() {
    var doms = B.bookableDomains(hall.matters);
    var f = document.createDocumentFragment();
    if (!hall.appointments || !doms.length) {
      f.appendChild(el('p', { 'class': 'empty' }, t('matter.none')));
    }
    if (hall.appointments) doms.forEach(function (d) {
      var g = el('div', { 'class': 'domain', 'data-domain': d.domain });
      g.appendChild(el('h3', null, HallqText.name(d.first, 'domain_name') || d.domain));
      d.matters.forEach(function (m) {
        var b = el('button', { type: 'button', 'class': 'choice-row', 'data-matter': m.code });
        b.appendChild(el('span', { 'class': 'c-title' }, matterName(m)));
        b.appendChild(el('span', { 'class': 'c-go', 'aria-hidden': 'true' }, '›'));
        b.onclick = function () { pickMatter(m); };
        g.appendChild(b);
      });
      f.appendChild(g);
    });
    $('domains').replaceChildren(f);
    var kept = keptBooking(), mine = $('mine');
    mine.hidden = !kept;
    if (kept) {
      var a = el('a', { href: bookingUrl(kept.code, kept.token, true), id: 'mine-link' });
      a.textContent = t('mine', { code: kept.code });
      mine.replaceChildren(a);
    }
  }

  function pickMatter(m) {
    ui.matter = m;
    ui.day = ui.slot = null;
    say();
    loadSlots(function () { show('day'); });
  }

  /* GET /api/public/slots for ui.matter: the whole horizon. */
  function loadSlots(then) {
    var m = ui.matter;
    busy(true);
    Hallq.api('GET', '/api/public/slots?matter=' + encodeURIComponent(m.code), null, '').then(function (r) {
      busy(false);
      if (r.status === 200 && r.json && r.json.slots) {
        ui.slots = r.json.slots;
        ui.slotsFor = m.code;
        if (then) then();
      } else {
        say('error', errorText(r));
      }
    });
  }

  /* ------------------------------------------------------------ 2. day */

  function renderDays() {
    picked('day-picked', 0);
    var days = B.slotDays(ui.slots);
    var today = HallqText.date();
    var f = document.createDocumentFragment();
    if (!days.length) f.appendChild(el('p', { 'class': 'empty' }, t('day.none')));
    days.forEach(function (d) {
      var b = el('button', { type: 'button', 'class': 'choice-row', 'data-day': d.day });
      b.appendChild(el('span', { 'class': 'c-title' }, B.dayLabel(d.day, lang(), today)));
      b.appendChild(el('span', { 'class': 'c-sub' }, d.open ? t('day.free', { n: d.free }) : t('day.full')));
      b.disabled = !d.open;
      b.onclick = function () { ui.day = d.day; ui.slot = null; say(); show('slot'); };
      f.appendChild(b);
    });
    $('days').replaceChildren(f);
  }

  /* ------------------------------------------------------------ 3. slot */

  function renderSlots() {
    picked('slot-picked', 1);
    var day = B.slotDays(ui.slots).filter(function (d) { return d.day === ui.day; })[0];
    var f = document.createDocumentFragment();
    if (!day) f.appendChild(el('p', { 'class': 'empty' }, t('slot.none')));
    (day ? day.slots : []).forEach(function (s) {
      var mine = ui.mode === 'reschedule' && ui.booking && s.start === ui.booking.start;
      var b = el('button', { type: 'button', 'class': 'slot' + (s.blocked ? ' blocked' : s.free > 0 ? '' : ' full'),
        'data-start': s.start });
      b.appendChild(el('span', { 'class': 's-time' }, B.span(s.start, s.end)));
      b.appendChild(el('span', { 'class': 's-free' }, mine ? t('slot.current') : s.blocked ? t('slot.blocked') :
        s.free > 0 ? t('slot.free', { n: s.free }) : t('slot.full')));
      b.disabled = mine || !B.bookable(s);
      b.onclick = function () { pickSlot(s); };
      f.appendChild(b);
    });
    $('slots').replaceChildren(f);
  }

  function pickSlot(s) {
    ui.slot = s;
    say();
    if (ui.mode === 'reschedule') reschedule(s);
    else show('form');
  }

  /* ------------------------------------------------------------ 4. form */

  function renderForm() {
    picked('form-picked', 2);
    ['phone', 'id', 'name', 'consent'].forEach(function (f) {
      var p = $('e-' + f);
      p.hidden = !ui.errs[f];
      p.textContent = ui.errs[f] ? t(ui.errs[f]) : '';
      var input = $('f-' + f);
      if (input && input.type !== 'checkbox') input.setAttribute('aria-invalid', ui.errs[f] ? 'true' : 'false');
    });
  }

  function utf8Len(s) {
    return typeof TextEncoder !== 'undefined' ? new TextEncoder().encode(s).length : unescape(encodeURIComponent(s)).length;
  }

  /* The fields as the daemon wants them, or null with ui.errs set. */
  function formBody() {
    var phone = B.clean($('f-phone').value), id = B.clean($('f-id').value);
    var name = $('f-name').value.trim();
    var errs = {};
    if (!phone) errs.phone = 'form.e.phone_empty';
    else if (!B.isPhone(phone)) errs.phone = 'form.e.phone';
    var p = B.idProblem(id);
    if (!id) errs.id = 'form.e.id_empty';
    else if (p === 'check') errs.id = 'form.e.id_check';
    else if (p !== 'ok') errs.id = 'form.e.id';
    if (name && utf8Len(name) > 32) errs.name = 'form.e.name';
    if (!$('f-consent').checked) errs.consent = 'form.e.consent';
    ui.errs = errs;
    if (Object.keys(errs).length) return null;
    var body = { matter: ui.matter.code, start: ui.slot.start, phone: phone, id_number: id };
    if (name) body.name = name;
    if ($('f-sms').checked) body.notify = true;
    return body;
  }

  $('form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (ui.busy) return;
    var body = formBody();
    say();
    renderForm();
    if (!body) {
      var first = ['phone', 'id', 'name', 'consent'].filter(function (f) { return ui.errs[f]; })[0];
      if (first) $('f-' + first).focus();
      return;
    }
    busy(true);
    Hallq.api('POST', '/api/appointments', body, '').then(function (r) {
      busy(false);
      if (r.status === 201 && r.json && r.json.appointment) {
        keep(r.json.appointment.code, r.json.token);
        openBooking(r.json.appointment, r.json.token, 'b.booked');
        ['f-phone', 'f-id', 'f-name'].forEach(function (x) { $(x).value = ''; });
        $('f-consent').checked = $('f-sms').checked = false;
        return;
      }
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (code === 'bad_phone') { ui.errs = { phone: 'form.e.phone' }; renderForm(); }
      if (code === 'bad_id_number') { ui.errs = { id: 'form.e.id' }; renderForm(); }
      say('error', errorText(r));
      /* A slot that went meanwhile: the fresh list, this day again. */
      if (/^(slot_full|slot_blocked|too_soon|not_a_slot|outside_horizon)$/.test(code))
        loadSlots(function () { ui.slot = null; show('slot'); });
    });
  });

  /* ------------------------------------------------------------ 5. booking */

  function bookingUrl(code, token, withLang) {
    var u = '/book?code=' + encodeURIComponent(code) + '&token=' + encodeURIComponent(token);
    if (withLang && lang() === 'en') u += '&lang=en';
    return u;
  }

  function keep(code, token) {
    try { localStorage.setItem(KEPT, JSON.stringify({ code: code, token: token })); } catch (e) { /* */ }
  }
  function keptBooking() {
    try {
      var k = JSON.parse(localStorage.getItem(KEPT) || 'null');
      return k && typeof k.code === 'string' && typeof k.token === 'string' ? k : null;
    } catch (e) { return null; }
  }
  function forget(code) {
    var k = keptBooking();
    if (k && k.code === code) try { localStorage.removeItem(KEPT); } catch (e) { /* */ }
  }

  function openBooking(a, token, banner) {
    ui.booking = a;
    ui.token = token;
    ui.banner = banner || null;
    ui.mode = 'book';
    ui.confirmCancel = false;
    /* The address is the booking's own: a reload (or a bookmark) opens it again. */
    try { history.replaceState(null, '', bookingUrl(a.code, token, false) + (lang() === 'en' ? '&lang=en' : '')); } catch (e) { /* */ }
    show('booking');
  }

  function renderBooking() {
    var a = ui.booking;
    if (!a) return;
    var banner = $('b-banner');
    banner.hidden = !ui.banner;
    banner.textContent = ui.banner ? t(ui.banner) : '';
    $('b-code').textContent = a.code;
    var st = $('b-state');
    st.textContent = t('st.' + a.state);
    st.className = 'b-state st-' + a.state;
    $('bcard').classList.toggle('closed', a.state !== 'booked');
    $('b-matter').textContent = HallqText.name(a, 'matter_name') || a.matter;
    $('b-time').replaceChildren(el('span', { 'class': 'b-day' }, B.dayLabel(HallqText.date(a.start), lang(), HallqText.date())),
      el('span', { 'class': 'b-span' }, B.span(a.start, a.end)));
    $('b-phone').textContent = a.phone || t('none');
    $('b-id').textContent = a.id_number || t('none');
    $('b-name').textContent = a.name || '';
    $('b-name').hidden = $('b-name-l').hidden = !a.name;
    var ap = hall && hall.appointments;
    var how = '';
    if (a.state === 'booked' && ap)
      how = t('b.how', { from: HallqText.time(a.start - ap.early_min * 60000),
        to: HallqText.time(a.start + ap.late_min * 60000) });
    else if (a.state === 'checked_in')
      how = a.late ? t('b.how.late') : t('b.how.in');
    else if (a.state === 'no_show') how = t('b.how.no_show');
    else if (a.state === 'cancelled') how = t('b.how.cancelled');
    $('b-how').textContent = how;
    var url = location.origin + bookingUrl(a.code, ui.token, false);
    var qr = $('b-qr');
    qr.hidden = $('b-qr-note').hidden = a.state !== 'booked';
    if (qr.getAttribute('data-url') !== url) {
      qr.setAttribute('data-url', url);
      qr.setAttribute('aria-label', url);
      qr.replaceChildren(qrSvg(url));
    }
    $('b-actions').hidden = a.state !== 'booked';
    var c = $('b-cancel');
    c.textContent = ui.confirmCancel ? t('b.cancel.sure') : t('b.cancel');
    c.classList.toggle('armed', ui.confirmCancel);
    $('b-reschedule').hidden = ui.confirmCancel;
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

  /* Read the booking with its own token (opened from its QR code or link). */
  function fetchBooking(code, token, banner) {
    busy(true);
    Hallq.api('GET', '/api/appointments/' + encodeURIComponent(code), null, token).then(function (r) {
      busy(false);
      if (r.status === 200 && r.json && r.json.appointment) {
        keep(r.json.appointment.code, token);
        openBooking(r.json.appointment, token, banner);
      } else if (r.status === 404 || r.status === 401 || r.status === 403) {
        forget(code);
        ui.screen = 'matter';
        render();
        say('error', t('e.unknown_appointment'));
      } else {
        ui.screen = 'matter';
        render();
        say('error', errorText(r));
      }
    });
  }

  $('b-cancel').addEventListener('click', function () {
    if (ui.busy || !ui.booking) return;
    if (!ui.confirmCancel) { ui.confirmCancel = true; renderBooking(); return; }
    ui.confirmCancel = false;
    busy(true);
    Hallq.api('DELETE', '/api/appointments/' + encodeURIComponent(ui.booking.code), null, ui.token).then(function (r) {
      busy(false);
      if (r.status === 200 && r.json && r.json.appointment) {
        forget(r.json.appointment.code);
        say();
        openBooking(r.json.appointment, ui.token, 'b.cancelled');
      } else {
        say('error', errorText(r));
        if (r.status === 409) fetchBooking(ui.booking.code, ui.token);
        else renderBooking();
      }
    });
  });

  /* Tapping elsewhere takes back a cancel not yet confirmed. */
  document.addEventListener('click', function (e) {
    if (ui.confirmCancel && e.target !== $('b-cancel')) { ui.confirmCancel = false; renderBooking(); }
  }, true);

  $('b-reschedule').addEventListener('click', function () {
    if (ui.busy || !ui.booking) return;
    var a = ui.booking;
    var m = (hall.matters || []).filter(function (x) { return x.code === a.matter; })[0] ||
      { code: a.matter, name: a.matter_name, name_en: a.matter_name_en };
    ui.mode = 'reschedule';
    ui.matter = m;
    ui.day = ui.slot = null;
    say();
    loadSlots(function () { show('day'); });
  });

  function reschedule(s) {
    busy(true);
    Hallq.api('POST', '/api/appointments/' + encodeURIComponent(ui.booking.code) + '/reschedule',
      { start: s.start }, ui.token).then(function (r) {
      busy(false);
      if (r.status === 200 && r.json && r.json.appointment) {
        say();
        openBooking(r.json.appointment, ui.token, 'b.rescheduled');
        return;
      }
      say('error', errorText(r));
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (code === 'appointment_closed') { ui.mode = 'book'; fetchBooking(ui.booking.code, ui.token); }
      else loadSlots(function () { ui.slot = null; render(); });
    });
  }

  $('b-new').addEventListener('click', function () {
    ui.mode = 'book';
    ui.matter = ui.day = ui.slot = null;
    ui.banner = null;
    say();
    try { history.replaceState(null, '', '/book' + (lang() === 'en' ? '?lang=en' : '')); } catch (e) { /* */ }
    show('matter');
  });

  /* ------------------------------------------------------------ going back */

  Array.prototype.forEach.call(document.querySelectorAll('.screen > .back'), function (b) {
    if (b.id === 'b-new') return;
    b.addEventListener('click', function () {
      say();
      var s = ui.screen;
      if (s === 'form') show('slot');
      else if (s === 'slot') show('day');
      else if (s === 'day') {
        if (ui.mode === 'reschedule') { ui.mode = 'book'; ui.matter = null; show('booking'); }
        else show('matter');
      }
    });
  });

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    render();
  });

  /* ------------------------------------------------------------ start */

  function start() {
    Hallq.api('GET', '/api/public/hall', null, '').then(function (r) {
      if (r.status === 200 && r.json) {
        hall = r.json;
        HallqText.setHall(hall);	/* the hall's zone, clock and hall_en */
        var code = params.get('code'), token = params.get('token');
        if (code && token) fetchBooking(B.clean(code), token);
        else { ui.screen = 'matter'; render(); }
      } else {
        $('loading').hidden = true;
        var f = $('fatal');
        f.textContent = r.status === 0 ? t('e.network') : errorText(r);
        f.hidden = false;
        setTimeout(function () { f.hidden = true; $('loading').hidden = false; start(); }, 5000);
      }
    });
  }

  render();
  start();
})();
