/* hallq — the manager dashboard (/dashboard?token=MANAGER_TOKEN).
 *
 * Live from Hallq.live (a snapshot, then events in seq order); the matter
 * loads and the windows' waiting counts are read again from GET /api/hall at
 * most once a second after events; today's figures and the chart from
 * GET /api/stats every 30 s and on demand; devices from GET /api/devices every
 * 10 s and on device events.  Windows are opened, paused, resumed, closed and
 * given new tiers with the manager token.  Today's schedule from
 * GET /api/hours (every minute and at the rollover: the hall's and each
 * window's periods, working day, holiday or 调休 day, open now) and today's
 * appointments per matter and slot from GET /api/appointments?day (again on
 * every appointment.* and slots.* event), with blocks of a slot or the day
 * (POST /api/slots/block|unblock).  Overdue 差评 cases (GET /api/cases?
 * state=overdue, again on case.* events) as an alert linking to /cases;
 * links to today's report (/reports) and the cases (/cases).  The uplink to
 * the city platform (上报) from GET /api/uplink at start and every 10 s (it
 * is not an event): connected or away since when, the acknowledged seq, the
 * backlog, errors and the last one, and its alert (backlog, away) in the
 * alerts list.  窗口配置建议: today's GET /api/staffing (at start and every
 * 5 minutes): per hour the windows recommended (the plan checked by
 * simulation when the daemon gives it) against those open by hours, a uPlot
 * chart and a table, the hall's hour marked, the hours short of windows
 * highlighted.  窗口动态调整: GET /api/advice every 30 s and, debounced,
 * after queue and window events: the late matters, the suggestions in words
 * with their predicted effect and a 采纳 button (the suggestion's request as
 * it is), and the automatic mode (高峰应急, POST /api/advice/auto) with the
 * changes it has in force.  操作记录: the audit trail, GET /api/audit
 * newest first (更早: the older pages), then live from the `audit` events:
 * when, who (the token's name), what in words.  The hall's state is
 * lib/hall-state.js's, held through lib/dashboard-logic.js (HallqDash, the
 * arithmetic); the strings are lib/text.js's; the chart is uPlot
 * (web/vendor). */
'use strict';

(function () {
  var D = window.HallqDash;
  var H = window.HallqState;
  var t = HallqText.page('dashboard');
  var el = Hallq.el;

  var PALETTE = ['#0b5cad', '#d9480f', '#2b8a3e', '#862e9c', '#c92a2a', '#1098ad',
    '#e67700', '#5c940d', '#364fc7', '#a61e4d'];
  var CHART_MAX = 8;
  var PAUSE_LIMIT_S = 900;

  var S = D.newState();
  var stats = null, statsAt = 0, statsErr = false;
  var devicesErr = false;
  var conn = 'connecting';
  var busy = {};                 /* window number → command in flight */
  var feed = null;

  function $(id) { return document.getElementById(id); }
  function now() { return Date.now(); }

  function winName(w) {
    if (!w) return '';
    return HallqText.name(w) || (Hallq.lang === 'en' ? 'Window ' + w.number : w.number + '号窗口');
  }

  /* WINDOW.clerk: the clerk's name, or the role of a token without one. */
  function clerkName(c) {
    if (!c) return t('clerk.none');
    return t.has('role.' + c) ? t('role.' + c) : c;
  }

  function matterName(code) {
    for (var i = 0; i < S.matters.length; i++)
      if (S.matters[i].code === code) return HallqText.name(S.matters[i]);
    return '';
  }

  /* An estimate; null: no open window serves the matter (not "no wait"). */
  function eta(s) {
    if (s === null) return t('no.window');
    var m = D.minutes(s);
    return m ? '≈ ' + m + ' ' + t('min') : t('none');
  }

  /* A time stamp of the daemon's (ms) in the hall's zone. */
  function hhmm(ms, secs) {
    return HallqText.time(ms, secs);
  }

  /* ---------------------------------------------------------- messages */

  function toast(text, level) {
    var box = $('toasts');
    var n = el('div', { 'class': 'toast toast-' + (level || 'info'), role: 'status' }, text);
    box.appendChild(n);
    setTimeout(function () { n.remove(); }, level === 'bad' ? 8000 : 4000);
  }

  function errorText(r) {
    if (!r || r.status === 0) return t('err.network');
    var e = r.json && r.json.error;
    var code = e && e.code;
    if (code && t.has('err.' + code))
      return t('err.' + code);
    return t('err.generic') + ' (' + r.status + (code ? ' ' + code : '') + ')' +
      (e && e.message ? ': ' + e.message : '');
  }

  /* 401: the token is unknown; 403: not a manager's.  Either way the
   * timers stop asking (the refresh button still may). */
  var refused = false;
  function roleProblem(r) {
    if (!Hallq.refusal(r, t('token.bad')))
      return false;
    refused = true;
    return true;
  }

  /* ---------------------------------------------------------- language */

  function applyLang() {
    HallqText.translate(document, t);
    setConn(conn);
    renderAll();
    chartKey = '';             /* legends and axes speak the language */
    renderCharts();
    renderStaffing();
    renderAdvice(true);
  }

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    applyLang();
  });

  function setConn(s) {
    conn = s;
    var c = $('conn');
    c.className = 'conn conn-' + s;
    c.setAttribute('data-i18n', 'conn.' + s);
    c.textContent = t('conn.' + s);
  }

  /* ---------------------------------------------------------- figures */

  function kpi(name, value, sub) {
    var box = document.querySelector('[data-kpi="' + name + '"]');
    box.querySelector('.kpi-v').textContent = value;
    var s = box.querySelector('.kpi-s');
    if (sub) {
      if (!s) { s = el('span', { 'class': 'kpi-s' }); box.appendChild(s); }
      s.textContent = sub;
      s.title = sub;
    } else if (s) {
      s.remove();
    }
  }

  function renderStats() {
    var waiting = S.matters.reduce(function (a, m) { return a + (m.waiting || 0); }, 0);
    kpi('waiting', S.matters.length ? waiting : (stats ? stats.waiting : t('none')));
    var none = t('none');
    if (!stats) {
      ['issued', 'served', 'no_shows', 'mean_wait', 'p90_wait', 'ratings', 'rating_mean']
        .forEach(function (k) { kpi(k, none); });
    } else {
      kpi('issued', stats.issued, stats.cancelled ? t('kpi.cancelled') + ' ' + stats.cancelled : '');
      kpi('served', stats.served, stats.issued ?
        t('kpi.of_served') + ' ' + Math.round(100 * stats.served / stats.issued) + '%' : '');
      kpi('no_shows', stats.no_shows);
      kpi('mean_wait', stats.mean_wait_s === null || stats.mean_wait_s === undefined ? none :
        D.fmtDuration(stats.mean_wait_s));
      kpi('p90_wait', stats.p90_wait_s === null || stats.p90_wait_s === undefined ? none :
        D.fmtDuration(stats.p90_wait_s));
      var r = stats.ratings || {};
      kpi('ratings', r.count || 0, r.not_rated ? t('kpi.not_rated') + ' ' + r.not_rated : '');
      kpi('rating_mean', r.count && r.mean !== null && r.mean !== undefined ?
        Number(r.mean).toFixed(2) + ' / 5' : none, r.count ? scoreBar(r.by_score) : '');
    }
    $('stats-at').textContent = statsErr ? t('stats.failed') :
      statsAt ? t('stats.at') + ' ' + hhmm(HallqText.now(statsAt), true) : '';
  }

  function scoreBar(by) {
    if (!by || !by.length) return '';
    return by.map(function (n, i) { return (i + 1) + '★' + n; }).join(' ');
  }

  /* ---------------------------------------------------------- windows */

  var ACTIONS = {
    open: ['pause', 'close'],
    paused: ['resume', 'close'],
    closed: ['open']
  };

  function windowCard(w) {
    var card = el('div', { 'class': 'wcard w-' + w.state + (w.ticket ? ' w-busy' : ''), 'data-window': w.number });
    var head = el('div', { 'class': 'wc-head' });
    head.appendChild(el('span', { 'class': 'wc-no' }, w.number));
    var kind = HallqText.name(w, 'kind');
    var name = winName(w) + (kind && kind !== winName(w) ? ' · ' + kind : '');
    head.appendChild(el('span', { 'class': 'wc-name', title: name }, name));
    head.appendChild(el('span', { 'class': 'wc-state st-' + w.state }, t('w.' + w.state)));
    card.appendChild(head);

    var clerk = el('div', { 'class': 'wc-clerk' });
    clerk.appendChild(el('span', { 'class': 'muted' }, t('clerk') + ' '));
    clerk.appendChild(el('span', { 'class': 'clerk' }, clerkName(w.clerk)));
    card.appendChild(clerk);

    var body = el('div', { 'class': 'wc-ticket' });
    if (w.ticket) {
      var tk = w.ticket;
      body.appendChild(el('span', { 'class': 'tk-no' }, tk.number));
      body.appendChild(el('span', { 'class': 'tk-state t-' + tk.state }, t('t.' + tk.state)));
      var from = D.servedFrom(tk);
      var svc = serviceOf(tk.matter);
      var tick = el('span', { 'class': 'tick tk-time', 'data-from': from || '', 'data-long': svc ? 2 * svc : '' });
      body.appendChild(tick);
      var mt = el('div', { 'class': 'tk-matter', title: tk.matter + ' ' + matterName(tk.matter) },
        tk.matter + ' ' + matterName(tk.matter));
      card.appendChild(body);
      card.appendChild(mt);
    } else {
      var idle = w.state === 'open' ? 't.idle' : 't.' + w.state;
      body.appendChild(el('span', { 'class': 'tk-none' }, t(idle)));
      if (w.state !== 'closed' && w.since)
        body.appendChild(el('span', { 'class': 'tick tk-time muted', 'data-from': w.since,
          'data-long': w.state === 'paused' ? PAUSE_LIMIT_S : '' }));
      card.appendChild(body);
      card.appendChild(el('div', { 'class': 'tk-matter' }, '\u00a0'));
    }

    var tiers = el('div', { 'class': 'wc-tiers' });
    tiers.appendChild(el('span', { 'class': 'muted' }, t('waiting.for')));
    (w.tiers || []).forEach(function (codes, i) {
      var n = w.waiting && w.waiting[i] !== undefined ? w.waiting[i] : null;
      var chip = el('span', { 'class': 'tier' + (n ? ' tier-busy' : ''), 'data-tier': i,
        title: t('tier', { n: i + 1 }) + ': ' + codes.join(' ') });
      chip.appendChild(document.createTextNode(t('tier.short', { n: i + 1 }) + ' '));
      chip.appendChild(el('b', null, n === null ? t('none') : n));
      tiers.appendChild(chip);
    });
    if (w.held && w.held.length)
      tiers.appendChild(el('span', { 'class': 'held' }, t('held') + ' ' + w.held.length));
    card.appendChild(tiers);

    var acts = el('div', { 'class': 'wc-actions' });
    (ACTIONS[w.state] || []).forEach(function (a) {
      var b = el('button', { type: 'button', 'class': 'btn btn-' + a, 'data-act': a }, t('act.' + a));
      if (busy[w.number]) b.disabled = true;
      acts.appendChild(b);
    });
    var tb = el('button', { type: 'button', 'class': 'btn btn-tiers', 'data-act': 'tiers' }, t('act.tiers'));
    acts.appendChild(tb);
    card.appendChild(acts);
    return card;
  }

  function serviceOf(code) {
    for (var i = 0; i < S.matters.length; i++)
      if (S.matters[i].code === code) return S.matters[i].service_s || 0;
    return 0;
  }

  /* Cards are rebuilt only when what they show changed, so a button is not
   * swapped under the pointer by every reading of the hall. */
  var cards = {};               /* window number → {sig, node} */

  function renderWindows() {
    var list = D.windowList(S.windows);
    var sum = { open: 0, paused: 0, closed: 0, busy: 0 };
    var nodes = [], seen = {};
    list.forEach(function (w) {
      sum[w.state] = (sum[w.state] || 0) + 1;
      if (w.ticket) sum.busy++;
      var sig = JSON.stringify([w, !!busy[w.number], Hallq.lang,
        w.ticket ? [serviceOf(w.ticket.matter), matterName(w.ticket.matter)] : 0]);
      var c = cards[w.number];
      if (!c || c.sig !== sig) {
        var node = windowCard(w);
        if (c && c.node.parentNode) c.node.replaceWith(node);
        c = cards[w.number] = { sig: sig, node: node };
      }
      nodes.push(c.node);
      seen[w.number] = true;
    });
    Object.keys(cards).forEach(function (n) { if (!seen[n]) delete cards[n]; });
    var box = $('windows');
    var same = box.children.length === nodes.length &&
      nodes.every(function (n, i) { return box.children[i] === n; });
    if (!same) box.replaceChildren.apply(box, nodes);
    $('windows-sum').textContent = list.length ? t('windows.sum', sum) : '';
    tickWindows();
  }

  function tickWindows() {
    var ts = now();
    var nodes = $('windows').querySelectorAll('.tick');
    for (var i = 0; i < nodes.length; i++) {
      var from = Number(nodes[i].getAttribute('data-from'));
      var long = Number(nodes[i].getAttribute('data-long'));
      if (!from) { nodes[i].textContent = ''; continue; }
      var s = Math.max(0, (ts - from) / 1000);
      nodes[i].textContent = D.fmtDuration(s);
      nodes[i].classList.toggle('long', !!long && s > long);
    }
  }

  $('windows').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-act]');
    if (!b) return;
    var card = b.closest('[data-window]');
    var n = Number(card.getAttribute('data-window'));
    var act = b.getAttribute('data-act');
    if (act === 'tiers')
      openTiers(n);
    else
      windowCommand(n, act);
  });

  function windowCommand(n, act) {
    if (busy[n]) return;
    busy[n] = true;
    renderWindows();
    Hallq.api('POST', '/api/windows/' + n + '/' + act).then(function (r) {
      busy[n] = false;
      if (r.status === 200 && r.json && r.json.window) {
        D.applyEvent(S, H.replyEvent(act, n, r.json));
        wantHall();
      } else {
        toast(winName(S.windows[n]) + ' — ' + errorText(r), 'bad');
      }
      renderWindows();
      renderAlerts();
    });
  }

  /* ---------------------------------------------------------- hall load */

  function renderLoad() {
    var ts = now();
    var doms = D.domainLoads(S.matters, S.windows, S.mattersAt, ts);
    var frag = document.createDocumentFragment();
    doms.forEach(function (d) {
      var tr = el('tr', { 'class': 'dom' + (d.waiting ? '' : ' idle'), 'data-domain': d.domain });
      var dn = d.matters.length ? HallqText.name(d.matters[0], 'domain_name') || d.domain_name : d.domain_name;
      tr.appendChild(el('td', { 'class': 'dname' }, dn + (d.domain && d.domain !== dn ? ' (' + d.domain + ')' : '')));
      tr.appendChild(el('td', { 'class': 'num waiting' }, d.waiting));
      tr.appendChild(el('td', { 'class': 'num' + (d.late ? ' late' : '') }, d.waiting ? D.fmtDuration(d.oldest_wait_s) : t('none')));
      tr.appendChild(el('td', { 'class': 'num c-target' }, ''));
      tr.appendChild(el('td', { 'class': 'num' }, d.waiting ? eta(d.eta_s) : t('none')));
      tr.appendChild(el('td', { 'class': 'num' }, d.open_windows));
      frag.appendChild(tr);
      d.matters.forEach(function (m) {
        var r = el('tr', { 'class': 'mat' + (m.waiting ? '' : ' idle') + (m.late ? ' is-late' : ''), 'data-matter': m.code });
        var name = el('td', { 'class': 'mname' });
        name.appendChild(el('span', { 'class': 'code' }, m.code));
        name.appendChild(document.createTextNode(' ' + HallqText.name(m)));
        r.appendChild(name);
        r.appendChild(el('td', { 'class': 'num waiting' }, m.waiting));
        var target = m.target_wait_s ? D.minutes(m.target_wait_s) + ' ' + t('min') : t('none');
        r.appendChild(el('td', { 'class': 'num oldest' + (m.late ? ' late' : ''), title: t('load.target') + ' ' + target },
          m.waiting ? D.fmtDuration(m.oldest) : t('none')));
        r.appendChild(el('td', { 'class': 'num muted c-target' }, target));
        r.appendChild(el('td', { 'class': 'num' }, m.waiting ? eta(m.eta_s) : t('none')));
        r.appendChild(el('td', { 'class': 'num' + (m.waiting && !m.open_windows ? ' late' : '') }, m.open_windows));
        frag.appendChild(r);
      });
    });
    if (!doms.length) {
      var e = el('tr');
      e.appendChild(el('td', { colspan: 6, 'class': 'muted' }, t('load.empty')));
      frag.appendChild(e);
    }
    $('load').tBodies[0].replaceChildren(frag);
  }

  /* The waiting clocks run between readings: only they change each second. */
  function tickLoad() {
    var body = $('load').tBodies[0];
    D.domainLoads(S.matters, S.windows, S.mattersAt, now()).forEach(function (d) {
      var dr = body.querySelector('tr[data-domain="' + CSS.escape(d.domain) + '"]');
      if (dr) {
        var c = dr.cells[2];
        c.textContent = d.waiting ? D.fmtDuration(d.oldest_wait_s) : t('none');
        c.classList.toggle('late', d.late > 0);
      }
      d.matters.forEach(function (m) {
        var r = body.querySelector('tr[data-matter="' + CSS.escape(m.code) + '"]');
        if (!r) return;
        var o = r.querySelector('.oldest');
        o.textContent = m.waiting ? D.fmtDuration(m.oldest) : t('none');
        o.classList.toggle('late', m.late);
        r.classList.toggle('is-late', m.late);
      });
    });
  }

  /* ---------------------------------------------------------- alerts */

  function alertText(a) {
    switch (a.kind) {
    case 'matter_late':
      return t('alert.matter_late', { code: a.matter, name: matterName(a.matter) || a.name, oldest: D.fmtDuration(a.oldest_s),
        target: D.minutes(a.target_s), waiting: a.waiting });
    case 'window_paused':
      return t('alert.window_paused', { name: winName(S.windows[a.window]), paused: D.fmtDuration(a.paused_s) });
    case 'cases_overdue':
      return t('alert.cases_overdue', { n: a.count });
    case 'uplink_away':
      return a.since ? t('alert.uplink_away', { since: sinceText(a.since) }) : t('alert.uplink_away.now');
    case 'uplink_backlog':
      return t('alert.uplink_backlog', { n: a.count === null ? t('none') : a.count });
    case 'device_down':
      return t('alert.device_down', { device: a.device,
        reason: a.reason ? (Hallq.lang === 'en' ? ': ' : '：') + a.reason : '' });
    }
    return a.key;
  }

  function renderAlerts() {
    var list = D.alerts({ matters: S.matters, mattersAt: S.mattersAt, windows: S.windows,
      devices: S.devices, now: now(), pauseLimitS: PAUSE_LIMIT_S, casesOverdue: casesOverdue,
      uplink: uplink });
    var frag = document.createDocumentFragment();
    list.forEach(function (a) {
      var li = el('li', { 'class': 'alert alert-' + a.level + ' ak-' + a.kind, 'data-key': a.key });
      if (a.kind === 'cases_overdue')	/* to the overdue cases themselves */
        li.appendChild(el('a', { href: '/cases?state=overdue' }, alertText(a)));
      else
        li.textContent = alertText(a);
      frag.appendChild(li);
    });
    if (!list.length)
      frag.appendChild(el('li', { 'class': 'alert-none muted' }, t('alerts.none')));
    $('alerts').replaceChildren(frag);
    var c = $('alerts-count');
    c.hidden = !list.length;
    c.textContent = list.length;
    c.className = 'badge' + (list.some(function (a) { return a.level === 'bad'; }) ? ' badge-bad' : '');

    var line = $('devices-line');
    if (devicesErr && !S.devices)
      line.textContent = t('devices.failed');
    else if (!S.devices)
      line.textContent = '';
    else if (!S.devices.length)
      line.textContent = t('devices.none');
    else
      line.textContent = t('devices.sum', { up: S.devices.filter(function (d) { return d.up; }).length, all: S.devices.length });
  }

  /* ---------------------------------------------------------- uplink */

  /* A time stamp of the hall's: "16:26", or "11-29 16:26" on another day. */
  function sinceText(ms) {
    var d = HallqText.date(ms);
    return d === HallqText.date() ? hhmm(ms) : d.slice(5) + ' ' + hhmm(ms);
  }

  /* The 上报 line under the alerts: what lib/dashboard-logic.js says of the
   * last reading; hidden until one (and for a daemon without the endpoint). */
  function renderUplink() {
    var box = $('uplink');
    var v = D.uplinkView(uplink, uplinkFailed, 48);
    var parts = D.uplinkParts(v, t, sinceText);
    if (!parts.length && v.failed)
      parts = [{ part: 'stale', level: 'warn', text: t('uplink.failed') }];
    box.hidden = !parts.length;
    box.className = 'uplink small up-' + (v.state || 'none');
    box.title = t('uplink.hint') + (v.broker ? ' · ' + v.broker : '');
    var f = document.createDocumentFragment();
    parts.forEach(function (p) {
      var a = { 'class': 'up-part up-' + p.part + (p.level ? ' lv-' + p.level : '') };
      if (p.title) a.title = p.title;
      f.appendChild(el('span', a, p.text));
    });
    $('uplink-body').replaceChildren(f);
  }

  /* ---------------------------------------------------------- chart */

  var charts = [];              /* [{u, box}] */
  var chartKey = '';

  function axisTimes(u, splits) {
    return splits.map(function (s) { return s === null ? '' : hhmm(s * 1000); });
  }

  function chartOpts(kind, cd, width) {
    var series = [{ label: t('chart.time'), value: function (u, v) { return v === null ? t('none') : hhmm(v * 1000); } }];
    cd.codes.forEach(function (c, i) {
      series.push({
        label: c + ' ' + cd.names[i],
        stroke: PALETTE[i % PALETTE.length],
        width: 2,
        spanGaps: false,
        points: { size: 5 },
        value: function (u, v) { return v === null || v === undefined ? t('none') : v; }
      });
    });
    return {
      width: width,
      height: chartHeight(),
      scales: {
        x: { time: true },
        y: { range: function (u, min, max) { return [0, Math.max(kind === 'waiting' ? 5 : 10, (max || 0) * 1.1)]; } }
      },
      axes: [
        { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e2e5ea' }, values: axisTimes },
        { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e2e5ea' }, size: 40 }
      ],
      series: series,
      legend: { show: true, live: true },
      cursor: { drag: { x: false, y: false } }
    };
  }

  function renderCharts() {
    var msg = $('chart-msg');
    if (typeof window.uPlot !== 'function') {
      msg.hidden = false;
      msg.textContent = t('chart.missing');
      return;
    }
    msg.hidden = true;
    var series = stats && stats.series;
    if (!series) {
      series = { start: HallqText.midnight(), bucket_s: 600, matters: {} };	/* the hall's */
    }
    var cd = D.chartData(series, S.matters, CHART_MAX);
    if (cd.waiting[0].length < 2) {
      /* One bucket or none: an axis of at least two, the rest gaps. */
      var x0 = series.start / 1000, bucket = series.bucket_s || 600;
      var pad = function (a) { return [a.length ? a[0] : null, null]; };
      cd.waiting = [[x0, x0 + bucket]].concat(cd.waiting.slice(1).map(pad));
      cd.mean = [[x0, x0 + bucket]].concat(cd.mean.slice(1).map(pad));
    }
    $('chart-note').textContent = cd.dropped ? t('chart.dropped', { max: CHART_MAX, n: cd.dropped }) : '';
    var key = cd.codes.join(',') + '|' + cd.names.join(',') + '|' + Hallq.lang;
    var boxes = [['waiting', $('chart-waiting')], ['mean', $('chart-mean')]];
    if (key !== chartKey || charts.length !== 2) {
      charts.forEach(function (c) { c.u.destroy(); });
      charts = boxes.map(function (b) {
        var u = new window.uPlot(chartOpts(b[0], cd, Math.max(200, b[1].clientWidth)), cd[b[0]], b[1]);
        return { u: u, box: b[1], kind: b[0] };
      });
      chartKey = key;
    } else {
      charts.forEach(function (c) { c.u.setData(cd[c.kind]); });
    }
  }

  /* The charts take what the screen has left below them, within limits. */
  function chartHeight() {
    var top = $('chart-waiting').getBoundingClientRect().top + window.scrollY;
    return Math.round(Math.min(340, Math.max(180, window.innerHeight - top - 80)));
  }

  var resizeTimer = null;
  function resizeCharts() {
    if (staffChart) {
      var sw = Math.max(200, $('chart-staffing').clientWidth);
      if (Math.abs(sw - staffChart.width) > 1) staffChart.setSize({ width: sw, height: staffChart.height });
    }
    var h = chartHeight();
    charts.forEach(function (c) {
      var w = Math.max(200, c.box.clientWidth);
      if (Math.abs(w - c.u.width) > 1 || Math.abs(h - c.u.height) > 1)
        c.u.setSize({ width: w, height: h });
    });
  }
  window.addEventListener('resize', function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(resizeCharts, 100);
  });
  if (typeof ResizeObserver === 'function')
    new ResizeObserver(function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resizeCharts, 100);
    }).observe($('charts-box'));
  if (typeof ResizeObserver === 'function')
    new ResizeObserver(function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(resizeCharts, 100);
    }).observe($('staffing-box'));

  /* ---------------------------------------------------------- tier editor */

  var edit = null;             /* {n, choice, ntiers, orig, codes} */
  var dlg = $('tier-dialog');

  function editorMatters() {
    var list = S.matters.map(function (m) {
      return { code: m.code, name: HallqText.name(m), domain_name: HallqText.name(m, 'domain_name') || m.domain || '' };
    });
    var known = {};
    list.forEach(function (m) { known[m.code] = true; });
    (edit.orig || []).forEach(function (tier) {
      tier.forEach(function (c) {
        if (!known[c]) { known[c] = true; list.push({ code: c, name: '', domain_name: '' }); }
      });
    });
    return list;
  }

  function openTiers(n) {
    var w = S.windows[n];
    if (!w) return;
    var c = D.choiceFromTiers(w.tiers);
    edit = { n: n, choice: c.choice, ntiers: c.ntiers, orig: w.tiers };
    edit.matters = editorMatters();
    $('tier-title').textContent = t('tiers.title', { name: winName(w) });
    $('tier-error').hidden = true;
    renderTierTable();
    if (!dlg.open) dlg.showModal();
  }

  function renderTierTable() {
    var table = $('tier-table');
    var hr = el('tr');
    hr.appendChild(el('th', null, t('tiers.matter')));
    hr.appendChild(el('th', { 'class': 'c' }, t('tiers.none')));
    for (var i = 0; i < edit.ntiers; i++)
      hr.appendChild(el('th', { 'class': 'c' }, t('tier', { n: i + 1 })));
    table.tHead.replaceChildren(hr);
    var frag = document.createDocumentFragment(), dom = null;
    edit.matters.forEach(function (m) {
      if (m.domain_name !== dom) {
        dom = m.domain_name;
        var dr = el('tr', { 'class': 'tdom' });
        dr.appendChild(el('td', { colspan: edit.ntiers + 2 }, dom));
        frag.appendChild(dr);
      }
      var tr = el('tr', { 'data-matter': m.code });
      var name = el('td');
      name.appendChild(el('span', { 'class': 'code' }, m.code));
      name.appendChild(document.createTextNode(' ' + m.name));
      tr.appendChild(name);
      var cur = m.code in edit.choice ? edit.choice[m.code] : -1;
      for (var v = -1; v < edit.ntiers; v++) {
        var td = el('td', { 'class': 'c' });
        var id = 'tier-' + m.code + '-' + (v + 1);
        var input = el('input', { type: 'radio', name: 'tier-' + m.code, value: v, id: id,
          'aria-label': m.code + ' ' + (v < 0 ? t('tiers.none') : t('tier', { n: v + 1 })) });
        input.checked = v === cur;
        td.appendChild(input);
        tr.appendChild(td);
      }
      frag.appendChild(tr);
    });
    table.tBodies[0].replaceChildren(frag);
    $('tier-remove').disabled = edit.ntiers <= 1;
    $('tier-add').disabled = edit.ntiers >= 8;
    renderTierPreview();
  }

  function editedTiers() {
    return D.tiersFromChoice(edit.choice, edit.matters.map(function (m) { return m.code; }), edit.ntiers);
  }

  function renderTierPreview() {
    var tiers = editedTiers();
    $('tier-preview').textContent = tiers.map(function (tier, i) {
      return t('tier', { n: i + 1 }) + ': ' + tier.join(' ');
    }).join(Hallq.lang === 'en' ? '; ' : '；');
  }

  $('tier-table').addEventListener('change', function (e) {
    var i = e.target;
    if (!edit || i.type !== 'radio') return;
    var code = i.name.slice('tier-'.length);
    var v = Number(i.value);
    if (v < 0) delete edit.choice[code]; else edit.choice[code] = v;
    $('tier-error').hidden = true;
    renderTierPreview();
  });

  $('tier-add').addEventListener('click', function () {
    if (edit && edit.ntiers < 8) { edit.ntiers++; renderTierTable(); }
  });
  $('tier-remove').addEventListener('click', function () {
    if (!edit || edit.ntiers <= 1) return;
    edit.ntiers--;
    Object.keys(edit.choice).forEach(function (c) {
      if (edit.choice[c] >= edit.ntiers) delete edit.choice[c];
    });
    renderTierTable();
  });
  $('tier-cancel').addEventListener('click', function () { dlg.close(); });
  dlg.addEventListener('close', function () { edit = null; });

  $('tier-form').addEventListener('submit', function (e) {
    e.preventDefault();
    if (!edit) return;
    var tiers = editedTiers();
    var err = $('tier-error');
    if (!tiers.length) {
      err.textContent = t('tiers.empty');
      err.hidden = false;
      return;
    }
    if (D.sameTiers(tiers, edit.orig)) {
      dlg.close();
      return;
    }
    var n = edit.n, save = $('tier-save');
    save.disabled = true;
    Hallq.api('POST', '/api/windows/' + n + '/tiers', { tiers: tiers }).then(function (r) {
      save.disabled = false;
      if (r.status === 200 && r.json && r.json.window) {
        D.applyEvent(S, H.replyEvent('tiers', n, r.json));
        toast(t('tiers.saved', { name: winName(r.json.window) }), 'ok');
        if (dlg.open) dlg.close();
        wantHall();
        renderWindows();
        renderLoad();
      } else {
        err.textContent = errorText(r);
        err.hidden = false;
      }
    });
  });

  /* ---------------------------------------------------------- hours */

  var hours = null, hoursErr = false;
  var pub = null;               /* GET /api/public/hall: slot_min, bookable matters */
  var appts = null, apptsErr = null;

  function periodsText(ps) {
    if (!ps || !ps.length) return t('hours.none');
    return ps.map(function (p) { return hhmm(p[0]) + '–' + hhmm(p[1]); }).join(Hallq.lang === 'en' ? ', ' : '，');
  }

  function renderHours() {
    var list = $('hours-list'), note = $('hours-note'), now = $('hours-now'), kind = $('hours-kind');
    if (!hours) {
      kind.textContent = '';
      now.textContent = '';
      now.className = 'hstate';
      note.hidden = !hoursErr;
      note.textContent = hoursErr ? t('hours.failed') : '';
      list.replaceChildren();
      return;
    }
    var h = hours;
    kind.textContent = t(h.holiday ? 'hours.holiday' : h.makeup ? 'hours.makeup' : h.working_day ? 'hours.working' : 'hours.off');
    /* Not enforced (-a): what the hours say, not what the hall does. */
    now.className = 'hstate' + (h.enforced === false ? '' : ' hstate-' + (h.open ? 'open' : 'closed'));
    now.textContent = h.open ? (h.closes_at ? t('hours.open_until', { time: hhmm(h.closes_at) }) : t('hours.open')) :
      (h.next_open ? t('hours.closed_until', { when: HallqBook.when(h.next_open, Hallq.lang) }) : t('hours.closed'));
    note.hidden = h.enforced !== false;
    note.textContent = h.enforced === false ? t('hours.not_enforced') : '';
    var f = document.createDocumentFragment();
    var li = el('li', { 'class': 'h-hall' + (h.hall && h.hall.length ? '' : ' h-none') });
    li.appendChild(el('span', { 'class': 'h-who' }, t('hours.hall')));
    li.appendChild(el('span', { 'class': 'h-when' }, periodsText(h.hall)));
    f.appendChild(li);
    D.hoursGroups(h).forEach(function (g) {
      var r = el('li', { 'class': 'h-win' + (g.periods.length ? '' : ' h-none'), 'data-windows': g.numbers.join(',') });
      r.appendChild(el('span', { 'class': 'h-who' }, t('hours.windows', { list: D.numberRuns(g.numbers, Hallq.lang === 'en' ? ', ' : '、') })));
      r.appendChild(el('span', { 'class': 'h-when' }, periodsText(g.periods) + (g.hall && g.periods.length ? ' ' + t('hours.same') : '')));
      f.appendChild(r);
    });
    list.replaceChildren(f);
  }

  function fetchHours() {
    if (!Hallq.token || refused) return;
    Hallq.api('GET', '/api/hours').then(function (r) {
      if (r.status === 200 && r.json) { hours = r.json; hoursErr = false; }
      else if (!roleProblem(r)) hoursErr = true;
      renderHours();
      renderApptTools();
    });
  }

  /* ---------------------------------------------------------- appointments */

  function today() { return S.day || (hours && hours.day) || HallqText.date(); }

  function renderAppts() {
    var body = $('appts').tBodies[0];
    var f = document.createDocumentFragment();
    var sum = $('appts-sum');
    if (!appts) {
      sum.textContent = '';
      var e = el('tr', { 'class': 'none' });
      e.appendChild(el('td', { colspan: 6 }, apptsErr ? t(apptsErr) : t('loading')));
      f.appendChild(e);
      body.replaceChildren(f);
      return;
    }
    var codes = S.matters.map(function (m) { return m.code; });
    var tb = D.apptTable(appts.slots, codes);
    sum.textContent = t('appts.sum', { all: tb.total.booked + tb.total.checked_in + tb.total.no_show,
      booked: tb.total.booked, in: tb.total.checked_in, ns: tb.total.no_show });
    tb.groups.forEach(function (g) {
      var hr = el('tr', { 'class': 'am', 'data-matter': g.matter });
      var name = g.matter ? g.matter + ' ' + (matterName(g.matter) || '') : t('appts.all');
      hr.appendChild(el('td', null, name));
      hr.appendChild(el('td', { 'class': 'num' }, g.capacity));
      hr.appendChild(el('td', { 'class': 'num' }, g.booked));
      hr.appendChild(el('td', { 'class': 'num' }, g.checked_in));
      hr.appendChild(el('td', { 'class': 'num' + (g.no_show ? ' ns' : '') }, g.no_show));
      /* A matter blocked all day (a day's block lists every slot): one row,
       * and only its slots that hold bookings. */
      var allBlocked = g.slots.length > 1 && g.blocked === g.slots.length;
      var ha = el('td', { 'class': 'act' });
      if (allBlocked) {
        hr.classList.add('blocked-day');
        hr.cells[0].setAttribute('data-blocked', t('appts.blocked_day'));
        ha.appendChild(el('button', { type: 'button', 'class': 'btn btn-open', 'data-act': 'unblock-day' }, t('appts.unblock')));
      }
      hr.appendChild(ha);
      f.appendChild(hr);
      g.slots.filter(function (s) {
        return !allBlocked || s.booked + s.checked_in + s.no_show + s.cancelled > 0;
      }).forEach(function (s) {
        var r = el('tr', { 'class': 'as' + (s.blocked ? ' blocked' : ''), 'data-matter': g.matter, 'data-start': s.start });
        var c = el('td', { 'class': 'aslot' }, hhmm(s.start) + '–' + hhmm(s.end));
        if (s.blocked) c.setAttribute('data-blocked', t('appts.blocked'));
        r.appendChild(c);
        r.appendChild(el('td', { 'class': 'num' }, s.capacity));
        r.appendChild(el('td', { 'class': 'num' }, s.booked));
        r.appendChild(el('td', { 'class': 'num' }, s.checked_in));
        r.appendChild(el('td', { 'class': 'num' + (s.no_show ? ' ns' : '') }, s.no_show));
        var a = el('td', { 'class': 'act' });
        var b = el('button', { type: 'button', 'class': 'btn ' + (s.blocked ? 'btn-open' : 'btn-pause'),
          'data-act': s.blocked ? 'unblock' : 'block' }, t(s.blocked ? 'appts.unblock' : 'appts.block'));
        a.appendChild(b);
        r.appendChild(a);
        f.appendChild(r);
      });
    });
    if (!tb.groups.length) {
      var n = el('tr', { 'class': 'none' });
      n.appendChild(el('td', { colspan: 6 }, t('appts.none')));
      f.appendChild(n);
    }
    body.replaceChildren(f);
  }

  /* The matter and slot to block by hand: every bookable matter, every
   * slot_min slot of the hall's periods today. */
  function renderApptTools() {
    var ms = $('appts-matter'), ss = $('appts-slot');
    var keepM = ms.value, keepS = ss.value;
    var mf = document.createDocumentFragment();
    mf.appendChild(el('option', { value: '' }, t('appts.all')));
    ((pub && pub.matters) || []).forEach(function (m) {
      if (m.bookable) mf.appendChild(el('option', { value: m.code }, m.code + ' ' + HallqText.name(m)));
    });
    ms.replaceChildren(mf);
    ms.value = keepM;
    if (ms.selectedIndex < 0) ms.value = '';
    var sf = document.createDocumentFragment();
    var slotMin = pub && pub.appointments ? pub.appointments.slot_min : 30;
    var nowMs = HallqText.now();
    /* A matter's own slots of today (GET /api/public/slots), else the
     * slots of the hall's periods. */
    var own = ms.value && matterSlots.matter === ms.value ? matterSlots.slots : null;
    (own ? own.map(function (x) { return x.start; }) : D.slotStarts(hours ? hours.hall : [], slotMin)).filter(function (st) {
      return st + slotMin * 60000 > nowMs;		/* not over yet */
    }).forEach(function (st) {
      sf.appendChild(el('option', { value: st }, hhmm(st) + '–' + hhmm(st + slotMin * 60000)));
    });
    ss.replaceChildren(sf);
    if (keepS) ss.value = keepS;
    var off = !pub || !pub.appointments;	/* nothing is bookable here */
    $('appts-block').disabled = off || !ss.options.length;
    $('appts-block-day').disabled = $('appts-unblock-day').disabled = off;
    ms.disabled = ss.disabled = off;
  }

  var matterSlots = { matter: null, slots: [] };
  $('appts-matter').addEventListener('change', function () {
    var m = $('appts-matter').value;
    if (!m) { renderApptTools(); return; }
    Hallq.api('GET', '/api/public/slots?matter=' + encodeURIComponent(m) + '&days=1', null, '').then(function (r) {
      matterSlots = { matter: m, slots: r.status === 200 && r.json ? r.json.slots || [] : [] };
      renderApptTools();
    });
  });

  var apptsTimer = null, apptsInflight = false;
  function soonAppts() {
    if (apptsTimer) return;
    apptsTimer = setTimeout(function () { apptsTimer = null; fetchAppts(); }, 500);
  }

  function fetchAppts() {
    if (!Hallq.token || refused) return;
    if (apptsInflight) { soonAppts(); return; }
    apptsInflight = true;
    Hallq.api('GET', '/api/appointments?day=' + encodeURIComponent(today())).then(function (r) {
      apptsInflight = false;
      if (r.status === 200 && r.json) { appts = r.json; apptsErr = null; }
      else if (r.status === 501) { appts = null; apptsErr = 'appts.unavailable'; }
      else if (!roleProblem(r)) apptsErr = 'appts.failed';
      renderAppts();
    });
  }

  function fetchPublic() {
    Hallq.api('GET', '/api/public/hall', null, '').then(function (r) {
      if (r.status === 200 && r.json) { pub = r.json; renderApptTools(); }
    });
  }

  /* Block or unblock: {day} the whole day, {start} one slot; matter or all. */
  function slotCommand(act, body, label) {
    Hallq.api('POST', '/api/slots/' + act, body).then(function (r) {
      if (r.status === 200 && r.json) {
        toast(label + ' — ' + (act === 'block' ? t('appts.done.block', { n: r.json.bookings || 0 }) : t('appts.done.unblock')), 'ok');
        fetchAppts();
      } else {
        toast(label + ' — ' + errorText(r), 'bad');
      }
    });
  }

  function slotLabel(matter, start) {
    var slotMin = pub && pub.appointments ? pub.appointments.slot_min : 30;
    return (matter ? matter + ' ' : t('appts.all') + ' ') + hhmm(start) + '–' + hhmm(start + slotMin * 60000);
  }

  $('appts').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-act]');
    if (!b) return;
    if (b.getAttribute('data-act') === 'unblock-day') {
      var m = b.closest('tr[data-matter]').getAttribute('data-matter'), body0 = { day: today() };
      if (m) body0.matter = m;
      slotCommand('unblock', body0, (m || t('appts.all')) + ' ' + today());
      return;
    }
    var row = b.closest('tr[data-start]');
    var matter = row.getAttribute('data-matter'), start = Number(row.getAttribute('data-start'));
    var body = { start: start };
    if (matter) body.matter = matter;
    slotCommand(b.getAttribute('data-act'), body, slotLabel(matter, start));
  });
  $('appts-block').addEventListener('click', function () {
    var start = Number($('appts-slot').value), matter = $('appts-matter').value;
    if (!start) return;
    var body = { start: start };
    if (matter) body.matter = matter;
    slotCommand('block', body, slotLabel(matter, start));
  });
  $('appts-block-day').addEventListener('click', function () {
    var matter = $('appts-matter').value, body = { day: today() };
    if (matter) body.matter = matter;
    slotCommand('block', body, (matter || t('appts.all')) + ' ' + today());
  });
  $('appts-unblock-day').addEventListener('click', function () {
    var matter = $('appts-matter').value, body = { day: today() };
    if (matter) body.matter = matter;
    slotCommand('unblock', body, (matter || t('appts.all')) + ' ' + today());
  });

  /* ---------------------------------------------------------- reading */

  /* GET /api/hall: at most one a second, one in flight. */
  var hallRead = { inflight: false, last: 0, timer: null, wanted: false };

  function wantHall() {
    hallRead.wanted = true;
    if (hallRead.inflight || hallRead.timer) return;
    var wait = Math.max(0, 1000 - (now() - hallRead.last));
    hallRead.timer = setTimeout(fetchHall, wait);
  }

  function fetchHall() {
    hallRead.timer = null;
    if (!hallRead.wanted) return;
    hallRead.wanted = false;
    hallRead.inflight = true;
    hallRead.last = now();
    Hallq.api('GET', '/api/hall').then(function (r) {
      hallRead.inflight = false;
      if (r.status === 200 && r.json) {
        HallqText.setHall(r.json);
        var res = D.applyHall(S, r.json, feed ? feed.seq() : null, now());
        if (res.stale) hallRead.wanted = true;
        scheduleRender();
      } else if (r.status !== 401 && r.status !== 403) {
        hallRead.wanted = true;
      }
      if (hallRead.wanted) wantHall();
    });
  }

  var statsInflight = false;
  function fetchStats(byHand) {
    if (statsInflight || !Hallq.token || (refused && byHand !== true)) return;
    statsInflight = true;
    Hallq.api('GET', '/api/stats').then(function (r) {
      statsInflight = false;
      if (r.status === 200 && r.json) {
        stats = r.json;
        statsAt = now();
        statsErr = false;
      } else {
        roleProblem(r);
        statsErr = true;
      }
      renderStats();
      renderCharts();
    });
  }

  /* 差评 cases past their deadline: the overdue count of GET /api/cases
   * (at start, every minute, and soon after any case.* event).  A daemon
   * without cases (404, 501) leaves it unknown: no alert. */
  var casesOverdue = null, casesInflight = false, casesTimer = null;
  function fetchCases() {
    if (casesInflight || !Hallq.token || refused) return;
    casesInflight = true;
    Hallq.api('GET', '/api/cases?state=overdue').then(function (r) {
      casesInflight = false;
      if (r.status === 200 && r.json && typeof r.json.overdue === 'number')
        casesOverdue = r.json.overdue;
      else if (!roleProblem(r))
        casesOverdue = null;
      renderAlerts();
    });
  }
  function soonCases() {
    if (casesTimer) return;
    casesTimer = setTimeout(function () { casesTimer = null; fetchCases(); }, 1000);
  }

  /* 操作记录, the audit trail: GET /api/audit (newest first) once the
   * first snapshot came (so nothing falls between the page read and the
   * live events), then each `audit` event as it comes; 更早 reads the
   * next older page (its `next` as `before`).  An entry names a ticket by
   * id: its number comes from the ticket events and the snapshot seen, else
   * from GET /api/tickets/{id} (once per id).  Words: HallqDash.auditWords. */
  var AUDIT_PAGE = 50;
  var audit = { list: [], next: null, loaded: false, inflight: false, err: null };
  var ticketNumbers = {};	/* ticket id → number (null while asked or unknown) */

  function noteTicket(tk) {
    if (tk && typeof tk.id === 'number' && typeof tk.number === 'string')
      ticketNumbers[tk.id] = tk.number;
  }

  function fetchAudit(older) {
    if (audit.inflight || !Hallq.token || refused) return;
    if (older && (audit.next === null || audit.next === undefined)) return;
    audit.inflight = true;
    var q = '/api/audit?limit=' + AUDIT_PAGE + (older ? '&before=' + encodeURIComponent(audit.next) : '');
    Hallq.api('GET', q).then(function (r) {
      audit.inflight = false;
      if (r.status === 200 && r.json && Array.isArray(r.json.audit)) {
        audit.list = D.auditMerge(audit.list, r.json.audit);
        /* the first page's next, or the older page's: where to go on */
        if (older || !audit.loaded) audit.next = r.json.next === undefined ? null : r.json.next;
        audit.loaded = true;
        audit.err = null;
        auditNumbers();
      } else if (!roleProblem(r)) {
        audit.err = r.status === 404 || r.status === 501 ? t('audit.unavailable', { status: r.status }) :
          t('audit.failed') + ' — ' + errorText(r);
      }
      renderAudit();
    });
  }

  /* The numbers of the tickets the trail names that no event showed: a few
   * at a time, each id asked once. */
  var numbersAsking = 0;
  function auditNumbers() {
    var ids = D.auditUnknownTickets(audit.list, ticketNumbers);
    ids.slice(0, Math.max(0, 4 - numbersAsking)).forEach(function (id) {
      ticketNumbers[id] = null;
      numbersAsking++;
      Hallq.api('GET', '/api/tickets/' + id).then(function (r) {
        numbersAsking--;
        if (r.status === 200 && r.json && r.json.ticket) noteTicket(r.json.ticket);
        renderAudit();
        if (D.auditUnknownTickets(audit.list, ticketNumbers).length) auditNumbers();
      });
    });
  }

  /* A time stamp of the trail: "09:12:05" today, "11-29 09:12:05" before. */
  function auditWhen(ms) {
    var d = HallqText.date(ms);
    return (d === HallqText.date() ? '' : d.slice(5) + ' ') + hhmm(ms, true);
  }

  function auditLine(a) {
    var li = el('li', { 'class': 'au au-' + String(a.op || '').replace(/[^a-z-]/g, '') + (a.role === 'system' ? ' au-system' : ''),
      'data-seq': a.seq });
    li.appendChild(el('span', { 'class': 'au-at' }, typeof a.at === 'number' ? auditWhen(a.at) : t('none')));
    li.appendChild(el('span', { 'class': 'au-by' }, D.auditWho(a, t)));
    var what = D.auditWords(a, t, {
      window: function (n) { return S.windows[n] ? winName(S.windows[n]) : winLabelN(n); },
      matter: matterName,
      ticket: function (id) { return ticketNumbers[id] || null; },
      when: function (ms) { return HallqText.date(ms).slice(5) + ' ' + hhmm(ms); }
    });
    li.appendChild(el('span', { 'class': 'au-what', title: what }, what));
    return li;
  }

  function winLabelN(n) { return Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口'; }

  function renderAudit() {
    var f = document.createDocumentFragment();
    audit.list.forEach(function (a) { f.appendChild(auditLine(a)); });
    if (!audit.list.length && audit.loaded)
      f.appendChild(el('li', { 'class': 'au-none muted' }, t('audit.none')));
    $('audit').replaceChildren(f);
    $('audit-msg').textContent = audit.err ? audit.err :
      (audit.loaded && audit.list.length && audit.next === null ? t('audit.end') : '');
    $('audit-older').hidden = !audit.loaded || audit.next === null || audit.next === undefined;
    $('audit-older').disabled = audit.inflight;
  }

  $('audit-older').addEventListener('click', function () { fetchAudit(true); });

  /* The uplink to the city platform: GET /api/uplink at start and every
   * 10 s.  A daemon without it (404, 501) shows nothing; a failed read keeps
   * the last figures, said to be old. */
  var uplink = null, uplinkFailed = false, uplinkInflight = false;
  function fetchUplink() {
    if (uplinkInflight || !Hallq.token || refused) return;
    uplinkInflight = true;
    Hallq.api('GET', '/api/uplink').then(function (r) {
      uplinkInflight = false;
      if (r.status === 200 && r.json) {
        uplink = r.json;
        uplinkFailed = false;
      } else if (r.status === 404 || r.status === 501) {
        uplink = null;
        uplinkFailed = false;
      } else if (!roleProblem(r)) {
        uplinkFailed = true;
      }
      renderUplink();
      renderAlerts();
    });
  }

  var devicesInflight = false, devicesTimer = null;
  function fetchDevices(byHand) {
    if (devicesInflight || !Hallq.token || (refused && byHand !== true)) return;
    devicesInflight = true;
    Hallq.api('GET', '/api/devices').then(function (r) {
      devicesInflight = false;
      if (r.status === 200 && r.json) {
        S.devices = r.json.devices || [];
        devicesErr = false;
      } else {
        roleProblem(r);
        devicesErr = true;
      }
      renderAlerts();
    });
  }
  function soonDevices() {
    if (devicesTimer) return;
    devicesTimer = setTimeout(function () { devicesTimer = null; fetchDevices(); }, 1000);
  }

  /* ---------------------------------------------------------- staffing */

  /* 窗口配置建议: today's GET /api/staffing (at start, every 5 minutes and
   * at the rollover), per hour the windows recommended (the plan checked by
   * simulation when the daemon says it) against those open by hours, as a
   * uPlot chart (axes in the served font, once it is loaded) and a compact
   * table; the hall's hour marked, the hours short of windows shaded. */
  var staffing = null, staffingErr = false, staffingInflight = false;
  var staffView = null, staffChart = null, staffHour = -1;
  var AXFONT = '12px "Hallq SC", system-ui, sans-serif';
  var fontsReady = document.fonts && document.fonts.load ?
    document.fonts.load(AXFONT, '窗口').then(null, function () { return null; }) : Promise.resolve();
  var REC = '#d9480f', OPEN_C = '#0b5cad';

  function hallHour() { return parseInt(HallqText.time(HallqText.now()), 10); }
  function hourLabel(h) { return (h < 10 ? '0' : '') + h + ':00'; }

  function fetchStaffing() {
    if (staffingInflight || !Hallq.token || refused) return;
    staffingInflight = true;
    Hallq.api('GET', '/api/staffing').then(function (r) {
      staffingInflight = false;
      if (r.status === 200 && r.json) { staffing = r.json; staffingErr = false; }
      else if (!roleProblem(r)) staffingErr = true;
      renderStaffing();
    });
  }

  function renderStaffing() {
    staffHour = hallHour();
    var v = staffView = D.staffingView(staffing, staffHour);
    var meta = $('staffing-meta'), msg = $('staffing-msg'), sum = $('staffing-sum');
    var table = $('staffing-table');
    if (!v || !v.hours.length) {
      meta.textContent = v ? t('staffing.target', { min: v.target_min, pct: v.level_pct }) : '';
      sum.textContent = '';
      msg.hidden = false;
      msg.textContent = staffingErr ? t('staffing.failed') : v ? t('staffing.empty') : t('loading');
      table.hidden = true;
      drawStaffing(null);
      return;
    }
    var parts = [v.source === 'history' ? t('staffing.source.history', { n: v.history_days }) :
      t('staffing.source.' + v.source), t('staffing.target', { min: v.target_min, pct: v.level_pct })];
    if (!v.working_day) parts.push(t('staffing.offday'));
    meta.textContent = parts.join(' · ');
    sum.textContent = v.short.length ? t('staffing.short', { n: v.short.length }) : t('staffing.ok');
    sum.className = 'st-sum' + (v.short.length ? ' st-short' : '');
    msg.hidden = !staffingErr;
    msg.textContent = staffingErr ? t('staffing.failed') : '';
    table.hidden = false;
    var hr = el('tr');
    hr.appendChild(el('th', { 'class': 'st-l' }, t('staffing.hour')));
    v.hours.forEach(function (h) {
      var a = { 'class': 'num' + (h.now ? ' now' : '') + (h.short ? ' short' : ''), 'data-hour': h.hour };
      if (h.now) a.title = t('staffing.now');
      hr.appendChild(el('th', a, h.label));
    });
    table.tHead.replaceChildren(hr);
    var f = document.createDocumentFragment();
    [['rec', v.checked ? t('staffing.rec.checked') : t('staffing.rec'), 'recommended'],
      ['open', t('staffing.open'), 'open'], ['gap', t('staffing.gap'), 'gap']].forEach(function (row) {
      var tr = el('tr', { 'class': 'sr-' + row[0], 'data-row': row[0] });
      tr.appendChild(el('th', { 'class': 'st-l', title: row[1] }, row[1]));
      v.hours.forEach(function (h) {
        var val = h[row[2]];
        tr.appendChild(el('td', { 'class': 'num' + (h.now ? ' now' : '') + (h.short ? ' short' : ''),
          'data-hour': h.hour }, row[0] === 'gap' && !val ? '' : String(val)));
      });
      f.appendChild(tr);
    });
    table.tBodies[0].replaceChildren(f);
    drawStaffing(v);
  }

  /* Behind the series: the hours short of windows shaded, the hall's hour
   * framed (canvas pixels). */
  function staffBands(u) {
    var v = staffView;
    if (!v) return;
    var ctx = u.ctx, top = u.bbox.top, h = u.bbox.height, px = window.devicePixelRatio || 1;
    ctx.save();
    v.hours.forEach(function (hr) {
      var x0 = u.valToPos(hr.hour - 0.5, 'x', true), x1 = u.valToPos(hr.hour + 0.5, 'x', true);
      if (hr.short) {
        ctx.fillStyle = 'rgba(180, 35, 24, .09)';
        ctx.fillRect(x0, top, x1 - x0, h);
      }
      if (hr.now) {
        ctx.strokeStyle = OPEN_C;
        ctx.lineWidth = 2 * px;
        ctx.strokeRect(x0 + px, top + px, x1 - x0 - 2 * px, h - 2 * px);
      }
    });
    ctx.restore();
  }

  function staffOpts(v, width) {
    var axis = { stroke: '#6b7280', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e2e5ea' }, font: AXFONT, labelFont: AXFONT };
    var bars = window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.55, 40] }) : undefined;
    return {
      width: width, height: 170,
      scales: { x: { time: false, range: function (u, lo, hi) { return [lo - 0.5, hi + 0.5]; } },
        y: { range: function (u, lo, hi) { return [0, Math.max(5, (hi || 0) * 1.1)]; } } },
      axes: [
        Object.assign({}, axis, { splits: function (u) { return u.data[0]; },
          values: function (u, splits) { return splits.map(function (h) { return (h < 10 ? '0' : '') + h; }); } }),
        Object.assign({}, axis, { size: 40 })
      ],
      series: [
        { label: t('staffing.hour'), value: function (u, x) { return x === null ? '' : hourLabel(x); } },
        { label: v.checked ? t('staffing.rec.checked') : t('staffing.rec'), stroke: REC, fill: 'rgba(217, 72, 15, .35)',
          width: 1, paths: bars, points: { show: false } },
        { label: t('staffing.open'), stroke: OPEN_C, width: 2, points: { size: 6, fill: OPEN_C } }
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      hooks: { drawClear: [staffBands] }
    };
  }

  var staffDraw = 0;
  function drawStaffing(v) {
    var box = $('chart-staffing');
    var mine = ++staffDraw;
    if (!v || typeof window.uPlot !== 'function') {
      if (staffChart) { staffChart.destroy(); staffChart = null; }
      box.hidden = true;
      return;
    }
    box.hidden = false;
    fontsReady.then(function () {
      if (mine !== staffDraw) return;
      if (staffChart) staffChart.destroy();
      box.replaceChildren();
      staffChart = new window.uPlot(staffOpts(v, Math.max(200, box.clientWidth)), D.staffingChart(v), box);
    });
  }

  /* ---------------------------------------------------------- advice */

  /* 窗口动态调整: GET /api/advice every 30 s and, debounced, after the events
   * that move a queue or a window; the late matters, the suggestions in
   * words with their effect and a 采纳 button (the suggestion's request as
   * it is, with the manager's token), and the automatic mode (高峰应急:
   * POST /api/advice/auto) with the changes it has in force. */
  var advice = null, adviceErr = false, adviceInflight = false, adviceAgain = false;
  var adviceTimer = null, adviceFirst = 0, adviceMsg = '', adviceSig = '';
  var adopting = {};
  var autoDirty = false, autoBusy = false, autoNote = '';

  function fetchAdvice() {
    if (!Hallq.token || refused) return;
    if (adviceInflight) { adviceAgain = true; return; }
    adviceInflight = true;
    Hallq.api('GET', '/api/advice').then(function (r) {
      adviceInflight = false;
      if (r.status === 200 && r.json) { advice = r.json; adviceErr = false; }
      else if (!roleProblem(r)) adviceErr = true;
      renderAdvice();
      if (adviceAgain) { adviceAgain = false; soonAdvice(); }
    });
  }

  function soonAdvice() {
    var ts = now();
    if (!adviceFirst) adviceFirst = ts;
    clearTimeout(adviceTimer);
    adviceTimer = setTimeout(function () {
      adviceTimer = null;
      adviceFirst = 0;
      fetchAdvice();
    }, D.adviceDelay(adviceFirst, ts));
  }

  function winLabel(n) {
    return S.windows[n] ? winName(S.windows[n]) : (Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口');
  }

  function adviceWords(s) {
    return D.suggestionText(s, t, matterName, winLabel);
  }

  function renderAdvice(force) {
    var a = advice;
    var late = (a && a.late) || [], sugg = (a && a.suggestions) || [];
    var sum = $('advice-sum');
    sum.textContent = !a ? (adviceErr ? t('advice.failed') : t('loading')) :
      late.length ? t('advice.late.n', { n: late.length }) : t('advice.none');
    sum.className = late.length ? 'adv-late' : 'muted';
    $('advice-at').textContent = a && a.at ? t('advice.at', { time: hhmm(a.at) }) : '';
    var msg = $('advice-msg');
    var m = adviceMsg || (adviceErr && a ? t('advice.failed') : '');
    msg.hidden = !m;
    msg.textContent = m;
    msg.className = 'small' + (m ? ' error' : '');

    var sig = JSON.stringify([late, sugg, adopting, Hallq.lang, S.matters.length, a && a.at ? hhmm(a.at) : 0,
      Object.keys(S.windows).length]);
    if (force || sig !== adviceSig) {
      adviceSig = sig;
      var lt = $('advice-late');
      lt.hidden = !late.length;
      var lf = document.createDocumentFragment();
      late.forEach(function (l) {
        var tr = el('tr', { 'data-matter': l.matter });
        var name = el('td', { 'class': 'mname' });
        name.appendChild(el('span', { 'class': 'code' }, l.matter));
        name.appendChild(document.createTextNode(' ' + (matterName(l.matter) || l.name || '')));
        tr.appendChild(name);
        tr.appendChild(el('td', { 'class': 'num' }, l.waiting));
        tr.appendChild(el('td', { 'class': 'num' + (l.oldest_wait_s > l.target_s ? ' late' : '') }, D.fmtDuration(l.oldest_wait_s)));
        tr.appendChild(el('td', { 'class': 'num' + (l.projected_wait_s > l.target_s ? ' late' : '') },
          t('advice.proj', { proj: D.waitMin(l.projected_wait_s), target: D.waitMin(l.target_s) })));
        lf.appendChild(tr);
      });
      lt.tBodies[0].replaceChildren(lf);

      var f = document.createDocumentFragment();
      sugg.forEach(function (s) {
        var key = D.suggestionKey(s), w = adviceWords(s);
        var li = el('li', { 'class': 'sg sg-' + s.action, 'data-key': key, 'data-action': s.action,
          'data-window': s.window, 'data-matter': s.matter });
        var txt = el('div', { 'class': 'sg-text' });
        txt.appendChild(el('div', { 'class': 'sg-what' }, w.what));
        txt.appendChild(el('div', { 'class': 'sg-effect' }, w.effect));
        if (w.others.length)
          txt.appendChild(el('div', { 'class': 'sg-others muted' }, t('advice.others') +
            w.others.join(Hallq.lang === 'en' ? '; ' : '；') +
            (w.othersMore ? (Hallq.lang === 'en' ? '; ' : '；') + t('advice.others.more', { n: w.othersMore }) : '')));
        li.appendChild(txt);
        var b = el('button', { type: 'button', 'class': 'btn btn-primary sg-adopt', 'data-adopt': key }, t('advice.adopt'));
        if (adopting[key] || !s.request) b.disabled = true;
        li.appendChild(b);
        f.appendChild(li);
      });
      if (a && late.length && !sugg.length)
        f.appendChild(el('li', { 'class': 'sg-none muted' }, t('advice.no_moves')));
      $('advice-list').replaceChildren(f);
    }
    renderAuto();
  }

  function renderAuto() {
    var au = advice && advice.auto;
    var on = $('auto-on');
    if (!autoBusy) on.checked = !!(au && au.enabled);
    on.disabled = autoBusy || !au;
    $('auto-save').disabled = autoBusy || !au;
    if (au && !autoDirty) {
      $('auto-max').value = au.max_windows;
      $('auto-gain').value = au.min_gain_min;
      $('auto-hold').value = au.hold_min;
    }
    var st = $('auto-state');
    st.textContent = au ? (autoNote || t(au.enabled ? 'auto.on.state' : 'auto.off.state')) : '';
    st.className = 'auto-state small ' + (autoNote ? 'auto-note' : 'muted');
    var f = document.createDocumentFragment();
    ((au && au.active) || []).forEach(function (x) {
      f.appendChild(el('li', { 'data-window': x.window, 'data-matter': x.matter },
        t('auto.active', { window: winLabel(x.window), matter: x.matter + ' ' + (matterName(x.matter) || ''),
          until: hhmm(x.until) })));
    });
    if (au && au.enabled && !(au.active || []).length)
      f.appendChild(el('li', { 'class': 'muted auto-none' }, t('auto.none')));
    $('auto-active').replaceChildren(f);
  }

  $('advice-list').addEventListener('click', function (e) {
    var b = e.target.closest('button[data-adopt]');
    if (!b) return;
    var key = b.getAttribute('data-adopt');
    var s = ((advice && advice.suggestions) || []).filter(function (x) { return D.suggestionKey(x) === key; })[0];
    if (!s || !s.request || !s.request.path || adopting[key]) return;
    var what = adviceWords(s).what;
    adopting[key] = true;
    adviceMsg = '';
    renderAdvice();
    var q = s.request;
    Hallq.api(q.method || 'POST', q.path, q.body === undefined ? null : q.body).then(function (r) {
      delete adopting[key];
      if (r.status >= 200 && r.status < 300) {
        toast(t('advice.adopted', { what: what }), 'ok');
        var ev = r.json ? H.replyEvent(s.action, s.window, r.json) : null;
        if (ev) D.applyEvent(S, ev);
        wantHall();
        scheduleRender();
      } else {
        adviceMsg = t('advice.adopt_failed', { what: what, why: errorText(r) });
        toast(adviceMsg, 'bad');
      }
      renderAdvice();
      fetchAdvice();
    });
  });

  var AUTO_FIELDS = [['max_windows', 'auto-max', 'auto.max'], ['min_gain_min', 'auto-gain', 'auto.gain'],
    ['hold_min', 'auto-hold', 'auto.hold']];

  function sendAuto(enabled) {
    var v = {};
    AUTO_FIELDS.forEach(function (f) { v[f[0]] = $(f[1]).value.trim(); });
    var res = D.autoBody(enabled, v);
    if (res.error) {
      var f0 = AUTO_FIELDS.filter(function (f) { return f[0] === res.error; })[0];
      adviceMsg = t('auto.bad', { field: t(f0[2]), min: res.min, max: res.max });
      renderAdvice();
      $(f0[1]).focus();
      return;
    }
    var au = advice && advice.auto;
    var wasOn = !!(au && au.enabled), had = au && au.active ? au.active.length : 0;
    autoBusy = true;
    adviceMsg = '';
    renderAuto();
    Hallq.api('POST', '/api/advice/auto', res.body).then(function (r) {
      autoBusy = false;
      if (r.status === 200 && r.json && r.json.auto) {
        advice = Object.assign({ late: [], suggestions: [] }, advice || {}, { auto: r.json.auto });
        autoDirty = false;
        if (wasOn && !enabled) {
          autoNote = had ? t('auto.turned_off', { n: had }) : t('auto.turned_off0');
          toast(autoNote, 'ok');
        } else {
          autoNote = '';
          toast(t(enabled && !wasOn ? 'auto.turned_on' : 'auto.saved'), 'ok');
        }
      } else {
        adviceMsg = errorText(r);
        toast(adviceMsg, 'bad');
      }
      renderAdvice();
      soonAdvice();
    });
  }

  $('auto-on').addEventListener('change', function () { sendAuto($('auto-on').checked); });
  $('auto-save').addEventListener('click', function () {
    sendAuto(advice && advice.auto ? !!advice.auto.enabled : $('auto-on').checked);
  });
  AUTO_FIELDS.forEach(function (f) {
    $(f[1]).addEventListener('input', function () { autoDirty = true; });
  });

  /* ---------------------------------------------------------- rendering */

  var pending = false;
  function scheduleRender() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () { pending = false; renderAll(); });
  }

  function renderAll() {
    var hallName = HallqText.hallName(S.name);
    $('hall-name').textContent = hallName || 'hallq';
    document.title = t('title') + (hallName ? ' · ' + hallName : '') + ' · hallq';
    $('day').textContent = S.day || '';
    renderStats();
    renderWindows();
    renderLoad();
    renderAlerts();
    renderUplink();
    renderHours();
    renderAppts();
    renderApptTools();
    renderAdvice();
    renderAudit();
  }

  function tick() {
    $('clock').textContent = HallqText.time(HallqText.now(), true);	/* the hall's clock */
    if (hallHour() !== staffHour) renderStaffing();	/* the hour marked moves on */
    tickWindows();
    tickLoad();
    renderAlerts();
  }

  /* ---------------------------------------------------------- start */

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (v) location.search = '?token=' + encodeURIComponent(v);
  });

  $('stats-refresh').addEventListener('click', function () { fetchStats(true); fetchDevices(true); fetchUplink(); });

  if (Hallq.params.has('token') || Hallq.params.has('lang'))
    history.replaceState(null, '', location.pathname);   /* the token out of sight */

  applyLang();
  tick();
  setInterval(tick, 1000);

  if (!Hallq.token) {
    setConn('notoken');
    $('token-form').hidden = false;
    return;
  }

  feed = Hallq.live({
    onState: function (s) {
      setConn(s);
      if (s === 'unauthorized') {
        $('token-form').hidden = false;
        $('token-msg').textContent = t('token.bad');
      }
    },
    onSnapshot: function (s) {
      HallqText.setHall(s);	/* the hall's zone and clock, hall_en */
      $('clock').textContent = HallqText.time(HallqText.now(), true);
      D.applyHall(S, s, null, now());
      (s.windows || []).forEach(function (w) { noteTicket(w.ticket); });
      if (!audit.loaded) fetchAudit();	/* the trail up to here; the live events follow */
      if (!appts) fetchAppts();	/* the hall's business day is known now */
      scheduleRender();
    },
    onEvent: function (ev) {
      if (ev.ticket && typeof ev.ticket === 'object') noteTicket(ev.ticket);
      if (ev.type === 'audit') {
        audit.list = D.auditMerge([D.auditEntry(ev)], audit.list);
        auditNumbers();
        renderAudit();
        /* a configuration saved (/admin) or reloaded: matters, windows and hours anew */
        if (ev.op === 'config' || ev.op === 'reload') { wantHall(); fetchHours(); }
      }
      var r = D.applyEvent(S, ev);
      if (r.hall) wantHall();
      if (r.devicesFetch) soonDevices();
      if (r.stats) fetchStats();
      if (r.appointments) soonAppts();
      if (r.hours) fetchHours();
      if (r.cases) soonCases();
      if (D.adviceOnEvent(ev)) soonAdvice();
      if (ev.type === 'day.rollover') fetchStaffing();
      if (r.windows || r.devices || r.hallWindows) scheduleRender();
    }
  });

  fetchStats();
  fetchDevices();
  fetchHours();
  fetchPublic();
  fetchCases();
  fetchUplink();
  fetchStaffing();
  fetchAdvice();
  setInterval(fetchStaffing, 5 * 60000);
  setInterval(fetchAdvice, 30000);
  setInterval(fetchStats, 30000);
  setInterval(fetchUplink, 10000);
  setInterval(fetchCases, 60000);
  setInterval(fetchDevices, 10000);
  setInterval(fetchHours, 60000);
  setInterval(fetchAppts, 60000);
})();
