/* web/rate.js — the window's evaluator (/rate?token=EVALUATOR&window=N), a
 * tablet facing the citizen at the window.  Idle, it shows the window, its
 * clerk and the ticket being served.  When the window finishes a ticket
 * (ticket.done of this window on the event stream, Hallq.live) it asks for
 * the rating in five large buttons; a tap records it (POST /api/ratings
 * with the evaluator token: an `evaluator` token bound to the window, see
 * web/README.md), thanks the citizen and goes back to idle.  The question
 * goes away after ?timeout= seconds (default 20) unanswered, at once when
 * the window calls its next ticket, and when the ticket is rated elsewhere
 * (rating.recorded: the citizen's phone, the clerk's pad, or the daemon's
 * own time-out); the thanks stay THANKS_S seconds.  Its strings are the
 * shared rate.* of web/lib/text.js. */
'use strict';

(function () {
  var H = window.HallqState;
  var t = HallqText.page('rate');
  var n = parseInt(Hallq.params.get('window') || '', 10);
  var timeoutS = parseInt(Hallq.params.get('timeout') || '', 10);
  if (!(timeoutS > 0)) timeoutS = 20;
  timeoutS = Math.min(timeoutS, 3600);	/* a URL's figure, bounded: an hour */
  var THANKS_S = Math.min(6, timeoutS);
  var S = H.empty(), win = null, conn = 'connecting', fatal = null;
  /* The screen: {kind: 'idle'} | {kind: 'ask', ticket, until, msg} |
   * {kind: 'thanks', ticket, score, until}. */
  var screen = { kind: 'idle' };
  var sending = false, refreshing = false, minLag = null;

  function $(x) { return document.getElementById(x); }
  function winName() {
    if (win && Hallq.lang === 'en' && win.name_en) return win.name_en;
    return win && win.name ? win.name : (Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口');
  }

  function render() {
    HallqText.translate(document, t);
    $('conn').className = 'conn conn-' + conn;
    $('conn').textContent = t('conn.' + conn);
    ['idle', 'ask', 'thanks'].forEach(function (k) { $(k).hidden = true; });
    if (fatal) {
      $('fatal').textContent = t(fatal, { n: n });
      $('fatal').hidden = false;
      return;
    }
    $('fatal').hidden = true;
    if (!win) return;
    var name = winName(), now = Date.now();
    document.title = name + ' · ' + t('rate.title');
    $('hall-name').textContent = (S.name ? S.name + ' · ' : '') + name;
    var clerk = win.clerk ? t('rate.clerk', { name: win.clerk }) : '';
    if (screen.kind === 'ask') {
      $('ask').hidden = false;
      $('ask-title').textContent = t('rate.for', { number: screen.ticket.number });
      $('ask-clerk').textContent = clerk;
      var m = $('ask-msg');
      m.hidden = !screen.msg;
      m.textContent = screen.msg ? t(screen.msg, { code: screen.code }) : '';
      Array.prototype.forEach.call(document.querySelectorAll('.ev-level'), function (b) {
        b.disabled = sending;
      });
      $('ask-back').textContent = t('rate.back', { s: Math.max(0, Math.ceil((screen.until - now) / 1000)) });
    } else if (screen.kind === 'thanks') {
      $('thanks').hidden = false;
      $('thanks-text').textContent = screen.msg ? t(screen.msg) : t('rate.thanks');
      $('thanks-score').textContent = screen.score ? t('rate.' + screen.score) : '';
      $('thanks-score').className = 'ev-score' + (screen.score ? ' r-' + screen.score : '');
      $('thanks-back').textContent = t('rate.back', { s: Math.max(0, Math.ceil((screen.until - now) / 1000)) });
    } else {
      $('idle').hidden = false;
      $('win-name').textContent = name;
      $('win-kind').textContent = (Hallq.lang === 'en' && win.kind_en) || win.kind || '';
      $('clerk').textContent = clerk;
      var tk = win.ticket;
      $('serving').textContent = tk && H.atWindow(tk.state) ? t('rate.serving', { number: tk.number }) : '';
    }
  }

  function idle() { screen = { kind: 'idle' }; sending = false; render(); }

  function ask(tk) {
    screen = { kind: 'ask', ticket: tk, until: Date.now() + timeoutS * 1000 };
    sending = false;
    render();
  }

  function thanks(tk, score, msg) {
    screen = { kind: 'thanks', ticket: tk, score: score, msg: msg, until: Date.now() + THANKS_S * 1000 };
    sending = false;
    render();
  }

  function rate(score) {
    if (screen.kind !== 'ask' || sending) return;
    var tk = screen.ticket;
    sending = true;
    render();
    Hallq.api('POST', '/api/ratings', { ticket: tk.id, score: score }).then(function (r) {
      sending = false;
      if (screen.kind !== 'ask' || screen.ticket.id !== tk.id) return;
      var code = r.json && r.json.error ? r.json.error.code : '';
      if (r.status === 201) thanks(tk, score);
      else if (code === 'already_rated') thanks(tk, null, 'rate.already');
      else if (code === 'rating_closed') thanks(tk, null, 'rate.closed');
      else if (r.status === 401) setFatal('rate.fatal.token');
      else if (r.status === 403) setFatal('rate.fatal.forbidden');
      else {
        screen.msg = r.status === 0 ? 'rate.network' : 'rate.failed';
        screen.code = code || r.status;
        render();
      }
    });
  }

  function setFatal(key) { fatal = key; render(); }

  /* The window's clerk moves with commands and comes with no event of its
   * own: read the window again after this window's events. */
  function refreshWindow() {
    if (refreshing) return;
    refreshing = true;
    Hallq.api('GET', '/api/windows/' + n).then(function (r) {
      refreshing = false;
      if (r.status === 200 && r.json && r.json.window) {
        S = H.setWindow(S, r.json.window);
        win = S.windows[n] || win;
        render();
      }
    });
  }

  function onSnapshot(s) {
    S = H.fromHall(s, Date.now());
    win = S.windows[n] || null;
    if (!win) return setFatal('rate.fatal.unknown');
    fatal = null;
    render();
  }

  function onEvent(ev) {
    var r = H.applyEvent(S, ev);
    S = r.state;
    if (r.seen) return;
    win = S.windows[n] || win;
    var mine = ev.window === n || (ev.window && ev.window.number === n);
    /* A finish replayed after a reconnection is not asked about: how late
     * an event comes, against the least seen (the two clocks' offset). */
    var lag = typeof ev.at === 'number' ? Date.now() - ev.at : 0;
    minLag = minLag === null ? lag : Math.min(minLag, lag);
    var fresh = lag - minLag < timeoutS * 1000;
    if (ev.type === 'ticket.done' && ev.window === n && ev.ticket && fresh)
      ask(ev.ticket);
    else if (ev.type === 'ticket.called' && ev.window === n && screen.kind !== 'idle')
      idle();				/* the next citizen is coming */
    else if (ev.type === 'rating.recorded' && screen.kind === 'ask' &&
        ev.ticket === screen.ticket.id && !sending)
      thanks(screen.ticket, ev.score, ev.score ? null : 'rate.closed');
    else
      render();
    if (mine && r.kind === 'ticket') refreshWindow();
  }

  Array.prototype.forEach.call(document.querySelectorAll('.ev-level'), function (b) {
    b.addEventListener('click', function () { rate(+b.getAttribute('data-score')); });
  });
  $('lang').addEventListener('click', function () { HallqText.toggle(true); render(); });

  setInterval(function () {
    if ((screen.kind === 'ask' || screen.kind === 'thanks') && !sending) {
      if (Date.now() >= screen.until) idle();
      else render();
    }
  }, 500);

  render();
  if (!Hallq.token) setFatal('rate.fatal.notoken');
  else if (!(n > 0)) setFatal('rate.fatal.nowindow');
  else
    Hallq.live({
      onSnapshot: onSnapshot,
      onEvent: onEvent,
      onState: function (s) {
        conn = s;
        if (s === 'unauthorized') setFatal('rate.fatal.token');
        else render();
      }
    });
})();
