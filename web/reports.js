/* hallq — the figures of any past range (/reports?token=MANAGER_TOKEN,
 * ?from=&to=&group=; default today, by matter).
 *
 * GET /api/reports for the range and group: two tables of the groups and
 * their total (tickets, waits and handling; appointments, ratings and
 * cases), and three uPlot charts (web/vendor): waits by hour (the range
 * again with group=hour: mean and P90), load by matter (group=matter:
 * issued and served) and the ratings' five levels (the total).  CSV: the
 * same report with format=csv, fetched with the bearer token (a plain link
 * cannot carry it) and saved from a blob.  Printed (@media print in
 * reports.css) it is the monthly report on A4: the hall, the range, the
 * tables and the charts sized for the page, no buttons.  The hall's day
 * and clock from GET /api/status; English names of matters and windows
 * from GET /api/hall.  Arithmetic: lib/reports.js; strings: lib/text.js
 * ('reports'). */
'use strict';

(function () {
  var R = window.HallqReports;
  var t = HallqText.page('reports');
  var el = Hallq.el;

  var hallName = '';
  var names = { matters: {}, windows: {} };	/* GET /api/hall: code/number → object */
  var p = null;                /* {from, to, group} shown */
  var rep = null, hourRep = null, matterRep = null;
  var loadSeq = 0;
  var refused = false;

  function $(id) { return document.getElementById(id); }

  function stamp(ms) {
    return typeof ms === 'number' ? HallqText.date(ms) + ' ' + HallqText.time(ms) : '';
  }

  function toast(text, level) {
    var n = el('div', { 'class': 'toast toast-' + (level || 'info'), role: 'status' }, text);
    $('toasts').appendChild(n);
    setTimeout(function () { n.remove(); }, level === 'bad' ? 8000 : 4000);
  }

  function errorText(r) {
    if (!r || r.status === 0) return t('err.network');
    var e = r.json && r.json.error, code = e && e.code;
    return code && t.has('err.' + code) ? t('err.' + code) :
      t('err.generic') + ' (' + r.status + (code ? ' ' + code : '') + ')' + (e && e.message ? ': ' + e.message : '');
  }

  function roleProblem(r) {
    if (!Hallq.refusal(r, t('token.bad')))
      return false;
    refused = true;
    return true;
  }

  /* ---------------------------------------------------------- the range */

  function fillControls() {
    $('from').value = p.from;
    $('to').value = p.to;
    $('group').value = p.group;
  }

  function go(next) {
    p = R.params(new URLSearchParams(next), HallqText.date());	/* the hall's today */
    history.replaceState(null, '', R.pagePath(p));
    fillControls();
    load();
  }

  $('controls').addEventListener('submit', function (e) {
    e.preventDefault();
    go({ from: $('from').value, to: $('to').value, group: $('group').value });
  });
  $('group').addEventListener('change', function () {
    go({ from: $('from').value, to: $('to').value, group: $('group').value });
  });
  document.querySelector('.presets').addEventListener('click', function (e) {
    var b = e.target.closest('[data-preset]');
    if (!b) return;
    var r = R.presets(HallqText.date())[b.getAttribute('data-preset')];
    go({ from: r.from, to: r.to, group: $('group').value });
  });
  $('print').addEventListener('click', function () { window.print(); });

  /* ---------------------------------------------------------- reading */

  function load() {
    if (!Hallq.token || refused) return;
    var mine = ++loadSeq;
    var msg = $('msg');
    msg.hidden = true;
    var main = R.apiPath(p);
    var asks = [main,
      p.group === 'hour' ? main : R.apiPath({ from: p.from, to: p.to, group: 'hour' }),
      p.group === 'matter' ? main : R.apiPath({ from: p.from, to: p.to, group: 'matter' })];
    var seen = {};
    var reads = asks.map(function (path) {
      if (!seen[path]) seen[path] = Hallq.api('GET', path);
      return seen[path];
    });
    rep = null;
    renderTitle();
    renderTables();
    Promise.all(reads).then(function (rs) {
      if (mine !== loadSeq) return;		/* another range was asked meanwhile */
      var r = rs[0];
      if (r.status === 200 && r.json) {
        rep = r.json;
      } else {
        rep = null;
        if (!roleProblem(r)) {
          msg.textContent = errorText(r);
          msg.hidden = false;
        }
      }
      hourRep = rs[1].status === 200 ? rs[1].json : null;
      matterRep = rs[2].status === 200 ? rs[2].json : null;
      renderTitle();
      renderTables();
      return fontsReady.then(function () {
        if (mine !== loadSeq) return;
        renderCharts();
        document.body.setAttribute('data-loaded', rep ? 'yes' : 'failed');
      });
    });
  }

  /* ---------------------------------------------------------- tables */

  function renderTitle() {
    var hall = HallqText.hallName(rep && rep.hall ? rep.hall : hallName);
    $('r-hall').textContent = hall;
    $('hall-name').textContent = hall || 'hallq';
    var k = R.rangeKind(p.from, p.to);
    var title = t('title.' + k.kind, { day: k.day, year: k.year, month: k.month, from: k.from, to: k.to, days: k.days });
    $('r-title').textContent = title;
    document.title = title + (hall ? ' · ' + hall : '') + ' · hallq';
    var meta = [];
    if (k.kind === 'month') meta.push(t('range.span', { from: p.from, to: p.to }));
    meta.push(t('group.' + p.group));
    if (rep && rep.target_wait_min) meta.push(t('target', { min: rep.target_wait_min }));
    if (rep && rep.generated_at) meta.push(t('generated', { at: stamp(rep.generated_at) }));
    $('r-meta').textContent = meta.join(' · ');
  }

  /* A group's name in the language: matters and windows by the hall's
   * English names, channels by the page's own. */
  function groupName(g) {
    var en = Hallq.lang === 'en', key = String(g.key);
    switch (p.group) {
    case 'matter':
      var m = names.matters[key];
      return key + ' ' + (en && m ? HallqText.name(m) : (g.name || (m ? m.name : '')));
    case 'window':
      var w = names.windows[key];
      return en ? (w && w.name_en ? w.name_en : 'Window ' + key) : (g.name || key + '号窗口');
    case 'channel':
      return en || !g.name ? (t.has('channel.' + key) ? t('channel.' + key) : key) : g.name;
    case 'hour':
      return g.name || (key + ':00');
    default:
      return g.name || key;
    }
  }

  function renderTable(id, cols) {
    var table = $(id);
    var hr = el('tr');
    hr.appendChild(el('th', { 'class': 'k' }, t('key.' + p.group)));
    cols.forEach(function (c) {
      hr.appendChild(el('th', { 'class': 'num', 'data-f': c[0] }, t('col.' + c[0])));
    });
    table.tHead.replaceChildren(hr);
    var f = document.createDocumentFragment();
    function row(g, cls, key, label) {
      var tr = el('tr', { 'class': cls, 'data-key': key });
      tr.appendChild(el('td', { 'class': 'k', title: label }, label));
      cols.forEach(function (c) {
        var v = R.field(g, c[0]);
        tr.appendChild(el('td', { 'class': 'num' + (c[0] === 'cases_overdue' && v > 0 ? ' bad' : ''), 'data-f': c[0] },
          R.cell(v, c[1])));
      });
      f.appendChild(tr);
    }
    if (!rep) {
      var e = el('tr', { 'class': 'none' });
      e.appendChild(el('td', { colspan: cols.length + 1 }, $('msg').hidden ? t('loading') : ''));
      f.appendChild(e);
    } else {
      (rep.groups || []).forEach(function (g) { row(g, 'g', String(g.key), groupName(g)); });
      if (!(rep.groups || []).length) {
        var n = el('tr', { 'class': 'none' });
        n.appendChild(el('td', { colspan: cols.length + 1 }, t('empty')));
        f.appendChild(n);
      }
      if (rep.total) row(rep.total, 'total', 'total', t('total'));
    }
    table.tBodies[0].replaceChildren(f);
  }

  function renderTables() {
    renderTable('t-queue', R.TABLES.queue);
    renderTable('t-service', R.TABLES.service);
  }

  /* ---------------------------------------------------------- charts */

  var charts = {};             /* id → uPlot */
  var MEAN = '#0b5cad', P90 = '#d9480f', ISSUED = '#9cc3ea', SERVED = '#0b5cad';
  var LEVELS = ['#b42318', '#e8590c', '#868e96', '#5c940d', '#1a7f37'];
  /* The axes are drawn on the canvas: in the served font (the ratings'
   * levels are Chinese), once it is loaded (fontsReady). */
  var FONT = '12px "Hallq SC", system-ui, sans-serif';
  var AXIS = { stroke: '#4b5563', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#e2e5ea' }, font: FONT, labelFont: FONT };
  var fontsReady = document.fonts && document.fonts.load ?
    document.fonts.load(FONT, '非常满意').then(null, function () { return null; }) : Promise.resolve();

  function printing() {
    return window.matchMedia && window.matchMedia('print').matches;
  }

  function size(box) {
    return { width: Math.max(200, Math.floor(box.clientWidth)), height: printing() ? 190 : 240 };
  }

  function axis(o) { return Object.assign({}, AXIS, o); }

  function hoursOpts(box) {
    var s = size(box);
    return {
      width: s.width, height: s.height,
      scales: { x: { time: false, range: function (u, lo, hi) { return [lo - 0.5, hi + 0.5]; } },
        y: { range: function (u, lo, hi) { return [0, Math.max(5, (hi || 0) * 1.15)]; } } },
      axes: [
        axis({ splits: function (u) { return u.data[0]; },
          values: function (u, splits) { return splits.map(function (h) { return (h < 10 ? '0' : '') + h + ':00'; }); } }),
        axis({ size: 40 })
      ],
      series: [
        { label: t('chart.hour'), value: function (u, v) { return v === null ? '' : (v < 10 ? '0' : '') + v + ':00'; } },
        { label: t('chart.mean'), stroke: MEAN, width: 2, points: { size: 6, fill: MEAN }, spanGaps: false },
        { label: t('chart.p90'), stroke: P90, width: 2, dash: [6, 4], points: { size: 6, fill: P90 }, spanGaps: false }
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } }
    };
  }

  function barsOf(size0, max) {
    return window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [size0, max] }) : undefined;
  }

  function loadOpts(box, cd) {
    var s = size(box);
    return {
      width: s.width, height: s.height,
      scales: { x: { time: false, range: function (u, lo, hi) { return [lo - 0.6, hi + 0.6]; } },
        y: { range: function (u, lo, hi) { return [0, Math.max(5, (hi || 0) * 1.15)]; } } },
      axes: [
        axis({ splits: function (u) { return u.data[0]; },
          values: function (u, splits) { return splits.map(function (i) { return cd.codes[i] || ''; }); } }),
        axis({ size: 40 })
      ],
      series: [
        { label: t('chart.matter'), value: function (u, v) { return v === null ? '' : (cd.codes[v] || '') + ' ' + (cd.names[v] || ''); } },
        { label: t('chart.issued'), stroke: ISSUED, fill: ISSUED, width: 1, paths: barsOf(0.75, 64), points: { show: false } },
        { label: t('chart.served'), stroke: SERVED, fill: SERVED, width: 1, paths: barsOf(0.4, 34), points: { show: false } }
      ],
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } }
    };
  }

  function ratingsOpts(box) {
    var s = size(box);
    var bars = window.uPlot.paths && window.uPlot.paths.bars ? window.uPlot.paths.bars({ size: [0.6, 56],
      /* one colour per level, indexed as the data (uPlot reads colours[i]) */
      disp: { fill: { unit: 3, values: function (u) {
        return u.data[0].map(function (x, i) { return LEVELS[i] || LEVELS[2]; });
      } } } }) : undefined;
    return {
      width: s.width, height: s.height,
      scales: { x: { time: false, range: [0.4, 5.6] },
        y: { range: function (u, lo, hi) { return [0, Math.max(5, (hi || 0) * 1.15)]; } } },
      axes: [
        axis({ splits: function () { return [1, 2, 3, 4, 5]; },
          values: function (u, splits) { return splits.map(function (v) { return t('rate.' + v); }); } }),
        axis({ size: 40 })
      ],
      series: [
        { label: t('chart.level'), value: function (u, v) { return v === null ? '' : t('rate.' + v); } },
        { label: t('chart.count'), stroke: LEVELS[4], fill: LEVELS[4], width: 0, paths: bars, points: { show: false } }
      ],
      legend: { show: false },
      cursor: { drag: { x: false, y: false } }
    };
  }

  function draw(id, opts, data) {
    var box = $(id);
    if (charts[id]) charts[id].destroy();
    box.replaceChildren();
    charts[id] = new window.uPlot(opts, data, box);
  }

  function renderCharts() {
    var msg = $('chart-msg');
    if (typeof window.uPlot !== 'function') {
      msg.hidden = false;
      msg.textContent = t('chart.missing');
      return;
    }
    msg.hidden = true;
    draw('c-hours', hoursOpts($('c-hours')), R.hourChart(hourRep));
    var cd = R.matterChart(matterRep, 12);
    $('c-load-note').textContent = cd.dropped ? t('chart.dropped', { max: 12, n: cd.dropped }) : '';
    draw('c-load', loadOpts($('c-load'), cd), cd.data);
    draw('c-ratings', ratingsOpts($('c-ratings')), R.ratingsChart(rep && rep.total));
  }

  /* For tests: each chart's size and its axes' fonts (the served one). */
  window.hallqReports = {
    charts: function () {
      return Object.keys(charts).map(function (id) {
        var u = charts[id];
        return { id: id, width: u.width, height: u.height,
          fonts: u.axes.map(function (a) { return String(a.font && a.font[0] !== undefined ? a.font[0] : a.font); }) };
      });
    }
  };

  /* Each chart as wide as its box: on resize, and for print (the page's
   * width is the paper's). */
  function fit() {
    Object.keys(charts).forEach(function (id) {
      var s = size($(id));
      var u = charts[id];
      if (Math.abs(u.width - s.width) > 1 || Math.abs(u.height - s.height) > 1)
        u.setSize(s);
    });
  }
  var fitTimer = null;
  function fitSoon() {
    clearTimeout(fitTimer);
    fitTimer = setTimeout(fit, 100);
  }
  window.addEventListener('resize', fitSoon);
  window.addEventListener('beforeprint', fit);
  window.addEventListener('afterprint', fitSoon);
  if (window.matchMedia) {
    var mq = window.matchMedia('print');
    if (mq.addEventListener) mq.addEventListener('change', fit);
    else if (mq.addListener) mq.addListener(fit);
  }
  if (typeof ResizeObserver === 'function')
    new ResizeObserver(fitSoon).observe($('report'));

  /* ---------------------------------------------------------- CSV */

  /* The same report as CSV, with the bearer token, saved under the name
   * the daemon gives (Content-Disposition), else the page's. */
  $('csv').addEventListener('click', function () {
    var btn = $('csv');
    btn.disabled = true;
    var q = { from: p.from, to: p.to, group: p.group };
    fetch(R.apiPath(q, 'csv'), { headers: { Authorization: 'Bearer ' + Hallq.token } }).then(function (r) {
      if (!r.ok) throw new Error(String(r.status));
      var cd = r.headers.get('Content-Disposition') || '';
      var m = /filename="?([^";]+)"?/.exec(cd);
      return r.blob().then(function (b) { return { blob: b, name: m ? m[1] : R.csvName(q) }; });
    }).then(function (x) {
      var url = URL.createObjectURL(x.blob);
      var a = el('a', { href: url, download: x.name, hidden: '' });
      document.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 30000);
    }).catch(function (e) {
      toast(t('csv.failed') + ' (' + (e && e.message ? e.message : e) + ')', 'bad');
    }).then(function () { btn.disabled = false; });
  });

  /* ---------------------------------------------------------- language, start */

  function applyLang() {
    HallqText.translate(document, t);
    renderTitle();
    renderTables();
    if (rep || hourRep || matterRep) renderCharts();
  }

  $('lang').addEventListener('click', function () {
    HallqText.toggle(true);
    applyLang();
  });

  $('token-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var v = $('token-input').value.trim();
    if (v) location.search = '?token=' + encodeURIComponent(v);
  });

  function start(today) {
    p = R.params(Hallq.params, today);
    history.replaceState(null, '', R.pagePath(p));	/* the token out of sight */
    fillControls();
    applyLang();
    if (!Hallq.token) {
      $('token-form').hidden = false;
      return;
    }
    load();
    Hallq.api('GET', '/api/hall').then(function (r) {
      if (r.status !== 200 || !r.json) return;
      HallqText.setHall(r.json);
      (r.json.matters || []).forEach(function (m) { names.matters[m.code] = m; });
      (r.json.windows || []).forEach(function (w) { names.windows[String(w.number)] = w; });
      if (!hallName) hallName = r.json.hall || '';
      if (rep) { renderTitle(); renderTables(); }
    });
  }

  /* The hall's clock and day first: "today" is the hall's. */
  Hallq.api('GET', '/api/status', null, '').then(function (r) {
    if (r.status === 200 && r.json) {
      HallqText.setHall(r.json);
      hallName = r.json.hall || '';
      start(r.json.business_day || HallqText.date());
    } else {
      start(HallqText.date());
    }
  });
})();
