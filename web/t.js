/* web/t.js — a ticket's own status page, /t/ID?token=TOKEN, opened from the
 * QR code on the ticket.  No login: the ticket's own token reads that one
 * ticket (GET /api/tickets/ID) and nothing else.  Polled every 3 s (every
 * second just after opening); says the window when the ticket is called.
 * Once the ticket is done, the citizen rates the service once (好差评:
 * five levels, an optional comment of up to COMMENT_MAX characters) with
 * the ticket's own token, POST /api/ratings; a ticket rated already (here,
 * remembered in localStorage, or anywhere: 409 already_rated) or out of
 * time (409 rating_closed) says so instead of the form.
 * While the ticket waits or is called, 到号短信提醒: a mobile number and a
 * consent in plain words → POST /api/tickets/ID/notify {phone, notify:
 * true} with the ticket's own token; once on, the masked number from the
 * reply and a way to stop ({notify: false}).  A hall without a notify
 * section answers 409 notify_unavailable: the offer goes, and stays gone
 * on this phone for NOSMS_MS.  The mobile number's shape is
 * web/lib/booking.js's (HallqBook.isPhone, as /book checks it).
 * What a state means (waiting, final) is web/lib/hall-state.js's, the
 * strings web/lib/text.js's. */
'use strict';

(function () {
  var F = window.HallqFormat;
  var H = window.HallqState;
  var t = HallqText.page('status');
  var m = /^\/t\/(\d+)\/?$/.exec(location.pathname);
  var id = m ? m[1] : Hallq.params.get('id');
  /* Only the ticket's own token, from its link: never another page's. */
  var token = Hallq.params.get('token') || '';
  var ticket = null, updated = null, fatal = null, polls = 0, timer = null, hallName = '';
  /* The daemon takes up to 500 bytes: 150 characters of 3 bytes at most
   * each (a UTF-16 unit is never more than 3 bytes of UTF-8). */
  var COMMENT_MAX = 150;
  /* The rating: null (the form), or {kind: 'recorded'|'already'|'closed'|
   * 'not_served'|'failed'|'network'|'pick'|'sending', score, code}. */
  var rating = null, picked = null;
  var RATED_KEY = 'hallq.rated.' + id;
  /* SMS: sms is null, or {kind: 'sending'|'on'|'off'|'closed'|'network'|
   * 'failed', code}; smsErrs the fields' problems (keys of text.js). */
  var sms = null, smsErrs = {};
  var NOSMS_KEY = 'hallq.nosms', NOSMS_MS = 12 * 3600 * 1000;

  function $(x) { return document.getElementById(x); }
  /* A moment of this phone's clock, said as the hall's time. */
  function hhmmss(d) {
    return HallqText.time(HallqText.now(d.getTime()), true);
  }

  function render() {
    HallqText.translate(document, t);
    if (hallName) $('hall-name').textContent = HallqText.hallName(hallName);
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
    $('card').className = 'card' + (H.isFinal(st) || st === 'no_show' ? ' state-final' : '');
    var waiting = H.isWaiting(st);
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
    renderSms();
    renderRating();
    $('updated').textContent = updated ? t('updated', { time: hhmmss(updated) }) : '';
    document.title = tk.number + ' · ' + (st === 'called' ? F.goTo(tk.window, Hallq.lang) :
      F.state(st, Hallq.lang));
  }

  /* ------------------------------------------------------------ 短信提醒 */

  function noSms() {
    try { return Date.now() - (+localStorage.getItem(NOSMS_KEY) || 0) < NOSMS_MS; } catch (e) { return false; }
  }

  function renderSms() {
    var tk = ticket, box = $('sms');
    var open = tk && (H.isWaiting(tk.state) || tk.state === 'called');
    var none = noSms();
    $('sms-none').hidden = !(none && open);
    /* Offered while the daemon still takes it; once on, said until the
     * ticket is finished (a held or missed ticket still gets its texts). */
    box.hidden = none || !tk || H.isFinal(tk.state) || (!open && !tk.notify);
    if (box.hidden) return;
    var on = !!tk.notify;
    $('sms-offer').hidden = on || !open;
    $('sms-active').hidden = !on;
    $('sms-off').hidden = !open;
    $('sms-state').textContent = tk.phone ? t('sms.on', { phone: tk.phone }) : t('sms.on.booking');
    ['phone', 'consent'].forEach(function (f) {
      var p = $('sms-e-' + f);
      p.hidden = !smsErrs[f];
      p.textContent = smsErrs[f] ? t(smsErrs[f]) : '';
    });
    $('sms-phone').setAttribute('aria-invalid', smsErrs.phone ? 'true' : 'false');
    var sending = !!(sms && sms.kind === 'sending');
    $('sms-on').disabled = $('sms-off').disabled = sending;
    var m = $('sms-msg');
    /* 'on' is said by #sms-state itself. */
    if (!sms || sms.kind === 'on') { m.hidden = true; return; }
    m.textContent = sms.kind === 'sending' ? t('sms.sending') : sms.kind === 'off' ? t('sms.off') :
      sms.kind === 'closed' ? t('sms.e.closed') : sms.kind === 'network' ? t('sms.e.network') :
      t('sms.e.other', { code: sms.code });
    m.className = 'sms-msg sms-msg-' + (sms.kind === 'off' ? 'ok' : sms.kind === 'sending' ? 'info' : 'error');
    m.setAttribute('data-kind', sms.kind);
    m.hidden = false;
  }

  function sendSms(body) {
    sms = { kind: 'sending' };
    renderSms();
    Hallq.api('POST', '/api/tickets/' + id + '/notify', body, token).then(function (r) {
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (r.status === 200 && r.json && r.json.ticket) {
        ticket = r.json.ticket;
        sms = { kind: ticket.notify ? 'on' : 'off' };
        if (ticket.notify) $('sms-phone').value = '';
        $('sms-consent').checked = false;
        render();
        return;
      }
      if (r.status === 409 && code === 'notify_unavailable') {
        try { localStorage.setItem(NOSMS_KEY, String(Date.now())); } catch (e) { /* */ }
        sms = null;
      } else if (r.status === 409 && code === 'illegal_transition') {
        sms = { kind: 'closed' };
        poll();
      } else if (r.status === 400 && code === 'bad_phone') {
        sms = null;
        smsErrs = { phone: 'sms.e.phone' };
      } else if (r.status === 0) {
        sms = { kind: 'network' };
      } else {
        sms = { kind: 'failed', code: code || r.status };
      }
      render();
    });
  }

  $('sms-offer').addEventListener('submit', function (e) {
    e.preventDefault();
    if (sms && sms.kind === 'sending') return;
    var phone = HallqBook.clean($('sms-phone').value);
    smsErrs = {};
    if (!phone) smsErrs.phone = 'sms.e.phone_empty';
    else if (!HallqBook.isPhone(phone)) smsErrs.phone = 'sms.e.phone';
    if (!$('sms-consent').checked) smsErrs.consent = 'sms.e.consent';
    sms = null;
    if (smsErrs.phone || smsErrs.consent) {
      renderSms();
      $(smsErrs.phone ? 'sms-phone' : 'sms-consent').focus();
      return;
    }
    sendSms({ phone: phone, notify: true });
  });
  $('sms-off').addEventListener('click', function () {
    if (sms && sms.kind === 'sending') return;
    smsErrs = {};
    sendSms({ notify: false });
  });

  /* ------------------------------------------------------------ 好差评 */

  function remembered() {
    try { return JSON.parse(localStorage.getItem(RATED_KEY) || 'null'); } catch (e) { return null; }
  }
  function remember(o) {
    try { localStorage.setItem(RATED_KEY, JSON.stringify(o)); } catch (e) { /* */ }
  }

  function renderRating() {
    var box = $('rating');
    box.hidden = !ticket || ticket.state !== 'done';
    if (box.hidden) return;
    if (!rating) {
      var r = remembered();
      if (r) rating = { kind: r.score ? 'recorded' : 'already', score: r.score, old: true };
    }
    var final = rating && /^(recorded|already|closed)$/.test(rating.kind);
    $('r-form').hidden = final;
    var levels = box.querySelectorAll('.r-level');
    for (var i = 0; i < levels.length; i++) {
      var on = +levels[i].getAttribute('data-score') === picked;
      levels[i].classList.toggle('picked', on);
      levels[i].setAttribute('aria-checked', on ? 'true' : 'false');
      levels[i].disabled = !!(rating && rating.kind === 'sending');
    }
    $('r-comment-label').textContent = t('rate.comment', { max: COMMENT_MAX });
    $('r-count').textContent = t('rate.count', { n: $('r-comment').value.length, max: COMMENT_MAX });
    $('r-submit').disabled = !!(rating && rating.kind === 'sending');
    var m = $('r-msg');
    if (!rating) { m.hidden = true; return; }
    var text;
    if (rating.kind === 'recorded')
      text = (rating.old ? t('rate.already') : t('rate.recorded')) + ' ' +
        t('rate.yours', { score: t('rate.' + rating.score) });
    else if (rating.kind === 'pick') text = t('rate.pick');
    else if (rating.kind === 'sending') text = t('rate.sending');
    else text = t('rate.' + rating.kind, { code: rating.code });
    m.textContent = text;
    m.className = 'r-msg r-msg-' + (rating.kind === 'recorded' ? 'ok' :
      /^(already|closed)$/.test(rating.kind) ? 'final' : rating.kind === 'sending' ? 'info' : 'error');
    m.setAttribute('data-kind', rating.kind);
    m.hidden = false;
  }

  function submitRating() {
    if (rating && /^(sending|recorded|already|closed)$/.test(rating.kind)) return;
    if (!picked) { rating = { kind: 'pick' }; renderRating(); return; }
    var body = { ticket: +id, score: picked };
    var comment = $('r-comment').value.trim().slice(0, COMMENT_MAX);
    if (comment) body.comment = comment;
    rating = { kind: 'sending' };
    renderRating();
    Hallq.api('POST', '/api/ratings', body, token).then(function (r) {
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (r.status === 201) {
        rating = { kind: 'recorded', score: body.score };
        remember({ score: body.score });
      } else if (r.status === 409 && code === 'already_rated') {
        rating = { kind: 'already' };
        remember({ score: null });
      } else if (r.status === 409 && code === 'rating_closed') {
        rating = { kind: 'closed' };
      } else if (r.status === 409 && code === 'not_served') {
        rating = { kind: 'not_served' };
        poll();
      } else if (r.status === 0) {
        rating = { kind: 'network' };
      } else {
        rating = { kind: 'failed', code: code || r.status };
      }
      renderRating();
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll('.r-level'), function (b) {
    b.addEventListener('click', function () {
      picked = +b.getAttribute('data-score');
      if (rating && /^(pick|failed|network|not_served)$/.test(rating.kind)) rating = null;
      renderRating();
    });
  });
  $('r-comment').addEventListener('input', function () { renderRating(); });
  $('r-submit').addEventListener('click', submitRating);

  function setFatal(key, code) {
    fatal = { text: function () { return t(key, { code: code }); } };
    render();
  }

  function schedule() {
    clearTimeout(timer);
    if (fatal || (ticket && H.isFinal(ticket.state))) return;
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
    HallqText.toggle(true);
    render();
  });
  document.addEventListener('visibilitychange', function () {
    if (!document.hidden && !fatal && !(ticket && H.isFinal(ticket.state))) { clearTimeout(timer); poll(); }
  });

  /* The hall's name, zone and clock: GET /api/status needs no token and
   * says nothing else. */
  Hallq.api('GET', '/api/status', null, '').then(function (r) {
    if (r.status === 200 && r.json) HallqText.setHall(r.json);
    /* Whether the hall sends SMS at all: the offer only where it does. */
    if (r.status === 200 && r.json && typeof r.json.notify === 'boolean') {
      try {
        if (r.json.notify) localStorage.removeItem(NOSMS_KEY);
        else localStorage.setItem(NOSMS_KEY, String(Date.now()));
      } catch (e) { /* */ }
      render();
    }
    if (r.status === 200 && r.json && r.json.hall) { hallName = r.json.hall; render(); }
  });

  render();
  if (!id) setFatal('err.ticket');
  else if (!token) setFatal('err.notoken');
  else poll();
})();
