/* web/t.js — a ticket's own status page, /t/ID?token=TOKEN, opened from the
 * QR code on the ticket.  No login: the ticket's own token reads that one
 * ticket (GET /api/tickets/ID) and nothing else.  Polled every 3 s (every
 * second just after opening); says the window when the ticket is called.
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
    if (r.status === 200 && r.json && r.json.hall) { hallName = r.json.hall; render(); }
  });

  render();
  if (!id) setFatal('err.ticket');
  else if (!token) setFatal('err.notoken');
  else poll();
})();
