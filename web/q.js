/* web/q.js — the hall's live waiting for phones, /q (no token): what the QR
 * code on the board and the kiosk opens.  GET /api/public/queue every
 * EVERY_S seconds while the page is seen, with If-None-Match: a 304 keeps
 * the figures and says they are still current, a 200 replaces them (and
 * hands the hall's zone and clock to HallqText.setHall).  Per domain, each
 * matter's waiting count, estimated wait, windows serving it, whether it
 * still takes numbers today, and a link to book it; the hall open or closed
 * with its next opening; a link to /book when anything is bookable.
 * Strings are web/lib/text.js's, waits web/lib/format.js's, moments
 * web/lib/booking.js's.  Reads nothing else and sends nothing. */
'use strict';

(function () {
  var EVERY_S = 12;		/* between two polls (the daemon's copy moves at most once a second) */
  var F = window.HallqFormat;
  var B = window.HallqBook;
  var t = HallqText.page('q');
  var el = Hallq.el;

  var fig = null;		/* the last 200's body */
  var etag = null;		/* its ETag */
  var okAt = null;		/* the daemon's clock at the last answer (200 or 304) */
  var failed = null;		/* {code} of the last poll when it failed */
  var drawn = null;		/* what #domains shows: [fig, lang] */
  var timer = null, inflight = null;

  /* For tests: the polls made and how they were answered. */
  var hook = window.hallqQ = {
    polls: 0, fresh: 0, notModified: 0, failed: 0,
    every: EVERY_S,
    poll: function () { return poll(); },
    figures: function () { return fig; }
  };

  function $(id) { return document.getElementById(id); }
  function lang() { return Hallq.lang; }

  /* ------------------------------------------------------------ polling */

  function poll() {
    if (inflight) return inflight;
    clearTimeout(timer);
    timer = null;
    var headers = {};
    if (etag) headers['If-None-Match'] = etag;
    /* no-store: the page revalidates itself (If-None-Match), so it sees
     * the 304 and knows the figures it shows are still the current ones. */
    inflight = fetch('/api/public/queue', { cache: 'no-store', headers: headers }).then(function (r) {
      if (r.status === 304) {
        hook.notModified++;
        clock(r);
        okAt = HallqText.now();
        failed = null;
        return null;
      }
      return r.text().then(function (text) {
        var j = null;
        try { j = JSON.parse(text); } catch (e) { j = null; }
        if (r.status === 200 && j && Array.isArray(j.matters)) {
          hook.fresh++;
          fig = j;
          etag = r.headers.get('ETag');
          /* The hall's zone and hall_en.  Not its "now": that is when the
           * daemon made this copy of the figures, which stands (with its
           * ETag) as long as they do, minutes or hours old. */
          var z = { timezone: j.timezone, utc_offset_s: j.utc_offset_s };
          if (Object.prototype.hasOwnProperty.call(j, 'hall_en')) z.hall_en = j.hall_en;
          HallqText.setHall(z);
          clock(r);
          okAt = HallqText.now();
          failed = null;
        } else {
          hook.failed++;
          failed = { code: j && j.error && j.error.code ? j.error.code : r.status };
        }
      });
    }, function () {
      hook.failed++;
      failed = { code: 0 };
    }).then(function () {
      hook.polls++;
      inflight = null;
      render();
      schedule();
    });
    return inflight;
  }

  /* The daemon's clock from an answer's Date header, when it sends one
   * (a second's precision); else the phone's own clock stands. */
  function clock(r) {
    var d = Date.parse(r.headers.get('Date') || '');
    if (d > 0) HallqText.setHall({ now: d + 500 });
  }

  function schedule() {
    clearTimeout(timer);
    timer = document.hidden ? null : setTimeout(poll, EVERY_S * 1000);
  }

  /* A phone's page in the background asks nothing; back in sight, at once. */
  document.addEventListener('visibilitychange', function () {
    if (document.hidden) { clearTimeout(timer); timer = null; }
    else if (!inflight) poll();
  });

  /* ------------------------------------------------------------ drawing */

  /* Open unless the hours say closed and are enforced (hallqd -a shows the
   * hours but takes numbers at any hour: the hall is open). */
  function hallOpen() {
    return !fig || fig.open !== false || fig.hours_enforced === false;
  }

  function render() {
    $('loading').hidden = !!(fig || failed);
    var msg = $('msg');
    msg.hidden = !failed;
    if (failed)
      msg.textContent = fig && okAt !== null ? t('stale', { time: HallqText.time(okAt, true) }) :
        failed.code === 0 ? t('e.network') : t('e.other', { code: failed.code });
    var hallName = fig ? HallqText.hallName(fig.hall) : '';
    document.title = t('title') + (hallName ? ' · ' + hallName : '');
    $('hall').hidden = $('note').hidden = !fig;
    if (!fig) return;

    $('hall-name').textContent = hallName;
    var open = hallOpen();
    var st = $('hall-state');
    st.textContent = open ? t('hall.open') : t('hall.closed');
    st.className = 'hall-state ' + (open ? 'is-open' : 'is-closed');
    var next = $('hall-next');
    next.hidden = open;
    next.textContent = open ? '' : fig.next_open ?
      t('hall.next', { when: B.when(fig.next_open, lang()) }) : t('hall.next.none');
    var total = 0;
    fig.matters.forEach(function (m) { total += Number(m.waiting) || 0; });
    $('total').textContent = t('total', { n: total });
    $('updated').textContent = t('updated', { time: HallqText.time(okAt, true), s: EVERY_S });

    var book = $('book');
    book.hidden = !fig.book_url;
    if (fig.book_url) book.setAttribute('href', bookUrl(fig.book_url, null));
    else book.removeAttribute('href');

    if (!drawn || drawn[0] !== fig || drawn[1] !== lang()) {
      drawn = [fig, lang()];
      renderMatters(open);
    }
  }

  /* /book in this page's language, for a matter when given. */
  function bookUrl(base, matter) {
    var q = [];
    if (matter) q.push('matter=' + encodeURIComponent(matter));
    if (lang() === 'en') q.push('lang=en');
    return base + (q.length ? (base.indexOf('?') < 0 ? '?' : '&') + q.join('&') : '');
  }

  /* The domains in the order their first matter comes. */
  function domains(ms) {
    var out = [], at = {};
    ms.forEach(function (m) {
      var d = m.domain || '';
      if (!Object.prototype.hasOwnProperty.call(at, d)) {
        at[d] = out.length;
        out.push({ code: d, first: m, matters: [], waiting: 0 });
      }
      var g = out[at[d]];
      g.matters.push(m);
      g.waiting += Number(m.waiting) || 0;
    });
    return out;
  }

  function renderMatters(open) {
    var f = document.createDocumentFragment();
    var ds = domains(fig.matters);
    if (!ds.length) f.appendChild(el('p', { 'class': 'empty' }, t('empty')));
    ds.forEach(function (d) {
      var sec = el('section', { 'class': 'domain', 'data-domain': d.code });
      var h = el('h3');
      h.appendChild(el('span', { 'class': 'd-name' }, HallqText.name(d.first, 'domain_name') || d.code));
      h.appendChild(el('span', { 'class': 'd-count' }, d.waiting + (lang() === 'en' ? ' ' : '') + t('m.unit')));
      sec.appendChild(h);
      d.matters.forEach(function (m) { sec.appendChild(matter(m, open)); });
      f.appendChild(sec);
    });
    $('domains').replaceChildren(f);
  }

  function matter(m, open) {
    var waiting = Number(m.waiting) || 0;
    var eta = m.eta_s === undefined ? null : m.eta_s;
    var taking = open && m.accepting !== false;
    var box = el('div', {
      'class': 'matter' + (taking ? '' : ' not-taking'),
      'data-matter': m.code, 'data-waiting': String(waiting), 'data-eta': String(eta),
      'data-open-windows': String(m.open_windows), 'data-accepting': String(m.accepting),
      'data-bookable': String(!!m.bookable)
    });
    var head = el('div', { 'class': 'm-head' });
    head.appendChild(el('span', { 'class': 'm-name' }, HallqText.name(m) || m.code));
    var count = el('span', { 'class': 'm-count' });
    count.appendChild(el('b', { 'class': 'm-waiting num' }, String(waiting)));
    count.appendChild(el('span', { 'class': 'm-unit' }, t('m.unit')));
    head.appendChild(count);
    box.appendChild(head);

    /* The estimate, the windows, whether it takes numbers; the booking
     * link at the end of the line (wrapping below on a narrow phone). */
    var info = el('div', { 'class': 'm-info' });
    var line = el('span', { 'class': 'm-eta' });
    line.appendChild(el('span', { 'class': 'm-label' }, t('m.eta')));
    line.appendChild(el('span', { 'class': 'm-eta-v' + (eta === null ? ' none' : '') }, F.wait(eta, lang())));
    info.appendChild(line);
    var n = Number(m.open_windows) || 0;	/* none: the estimate says so (暂无窗口办理) */
    if (n)
      info.appendChild(el('span', { 'class': 'm-windows' }, n === 1 ? t('m.windows1') : t('m.windows', { n: n })));
    if (!open)
      info.appendChild(el('span', { 'class': 'tag bad m-closed' }, t('m.hall_closed')));
    else if (m.accepting === false)
      info.appendChild(el('span', { 'class': 'tag bad m-closed' }, t('m.not_accepting')));
    if (m.bookable && fig.book_url)
      info.appendChild(el('a', { 'class': 'tag book m-book', href: bookUrl(fig.book_url, m.code) }, t('m.book') + ' ›'));
    box.appendChild(info);
    return box;
  }

  /* ------------------------------------------------------------ start */

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    HallqText.translate(document, t);
    render();
  });

  HallqText.translate(document, t);
  render();
  poll();
})();
