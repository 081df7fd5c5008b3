/* hallq — the hall board (叫号屏): /board?token=DISPLAY_TOKEN on a 1920×1080
 * TV that runs for months.
 *
 * Shows the newest calls in large type (newest first, at most CALLS) and the
 * current ticket of every open or paused window, flashing each new call and
 * each recall; plays every call.announce event's clips with Web Audio, one
 * announcement after the other (web/lib/announce.js: order, no overlap, a
 * bounded queue, never a seq twice, stale backlogs skipped).
 *
 * State comes from Hallq.live (web/lib/common.js): a hall.snapshot, then the
 * events in seq order, resumed with `since` after every cut (a daemon
 * restart included), so nothing is missed and nothing is seen twice.
 *
 * Bounded for months: the calls list, the test hooks and the clip cache are
 * capped, the DOM is rebuilt (replaceChildren) rather than appended to, and
 * the only timers are the clock (one interval), the reconnect (one at a time,
 * in common.js) and one guard per announcement being played.
 *
 * For tests: window.hallqBoard = {played: [...], queued: [...], flashes,
 * stats()}: the announcements ({seq, clips, number, window, recall}) handed
 * to the player and taken into the queue, in order (the last HOOK_CAP). */
'use strict';

(function () {
  var CALLS = 6;		/* newest calls shown */
  var HOOK_CAP = 50;		/* entries kept in hallqBoard.played / queued */
  var CLIP_CACHE = 400;		/* decoded clips kept (the clip set is finite) */
  var FLASH_MS = 3200;		/* as long as the CSS animation */
  var MAX_AGE_MS = 60000;	/* an announcement older than this is not read out */
  var QUEUE_MAX = 8;		/* announcements waiting at most */

  var H = window.HallqState;
  var t = HallqText.page('board');
  function $(id) { return document.getElementById(id); }
  var el = Hallq.el;
  var mono = function () { return performance.now(); };

  /* ------------------------------------------------------------ state */

  var S = H.empty();		/* the hall: web/lib/hall-state.js */
  var calls = [];		/* newest first: {id, number, window, state, at, flashAt, recall} */
  var winFlash = {};		/* window number -> performance.now() of its flash */
  var connState = 'connecting', shownConn = null;
  var hb = { waiting: false, sentAt: 0, ticks: 0 };	/* the socket's heartbeat */
  var haveSnapshot = false;
  var board = window.hallqBoard = {
    played: [], queued: [], flashes: 0,
    stats: function () { return queue.stats(); },
    conn: function () { return connState; }
  };

  function keep(list, item) {
    list.push(item);
    if (list.length > HOOK_CAP)
      list.splice(0, list.length - HOOK_CAP);
  }

  /* ------------------------------------------------------------ audio */

  var AC = window.AudioContext || window.webkitAudioContext;
  var actx = null;
  var clips = new Map();	/* clip name -> Promise<AudioBuffer|null> */

  function audio() {
    if (!actx && AC) {
      try {
        actx = new AC();
        actx.onstatechange = showSound;
      } catch (e) {
        actx = null;
      }
    }
    return actx;
  }

  /* The sound notice (#sound): shown once the browser is known to refuse
   * sound — the context still not running after a resume was asked for
   * (at start, or for an announcement), or a play that failed — and taken
   * away as soon as the context runs (a tap: unlock()). */
  var soundBlocked = false;

  function showSound() {
    if (actx && actx.state === 'running')
      soundBlocked = false;
    $('sound').hidden = !soundBlocked;
  }

  function blocked(why) {
    if (actx && actx.state === 'running')
      return;
    if (!soundBlocked)
      console.info('hallq board: sound is blocked (' + why + '): asking for a tap');
    soundBlocked = true;
    showSound();
  }

  /* A real TV may refuse sound until someone touches it: any key or tap. */
  function unlock() {
    var c = audio();
    if (c && c.state !== 'running')
      c.resume().then(showSound, showSound);
  }
  window.addEventListener('keydown', unlock);
  window.addEventListener('pointerdown', unlock);
  window.addEventListener('click', unlock);
  board.sound = function () {
    return { state: actx ? actx.state : null, notice: !$('sound').hidden };
  };

  function load(name) {
    if (clips.has(name))
      return clips.get(name);
    if (!/^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*$/.test(name))
      return Promise.resolve(null);
    if (clips.size >= CLIP_CACHE)
      clips.clear();
    var c = audio();
    var p = fetch('/voice/' + name + '.wav').then(function (r) {
      if (!r.ok)
        throw new Error('HTTP ' + r.status);
      return r.arrayBuffer();
    }).then(function (buf) {
      if (!c)
        return null;
      return c.decodeAudioData(buf);
    }).catch(function (e) {
      if (clips.get(name) === p)
        clips.delete(name);	/* try again next time */
      console.warn('hallq board: clip ' + name + ': ' + (e && e.message));
      return null;
    });
    clips.set(name, p);
    return p;
  }

  /* The context running, or given up after a second (a TV that refuses
   * sound until touched must not hold the queue: the announcement's time
   * passes silently and the notice asks for a tap). */
  function running(c) {
    if (c.state === 'running')
      return Promise.resolve();
    return new Promise(function (resolve) {
      var done = false, timer = setTimeout(fin, 1000);
      function fin() {
        if (done)
          return;
        done = true;
        clearTimeout(timer);
        if (c.state !== 'running')
          blocked('the audio context is ' + c.state);
        resolve();
      }
      c.resume().then(fin, fin);
    });
  }

  /* One announcement: its clips back to back; resolves when the last ends. */
  function play(names) {
    return playClips(names).catch(function (e) {
      blocked('play failed: ' + (e && e.message));
      throw e;
    });
  }

  function playClips(names) {
    return Promise.all(names.map(load)).then(function (buffers) {
      var c = audio();
      if (!c)
        return null;
      return running(c).then(function () {
        return new Promise(function (resolve) {
          var start = c.currentTime + 0.05, at = start, last = null;
          buffers.forEach(function (b) {
            if (!b)
              return;
            var s = c.createBufferSource();
            s.buffer = b;
            s.connect(c.destination);
            s.start(at);
            at += b.duration;
            last = s;
          });
          if (!last)
            return resolve();
          /* onended, or the clock if the context never plays (suspended). */
          var timer = setTimeout(fin, (at - start) * 1000 + 1500);
          last.onended = fin;
          function fin() {
            clearTimeout(timer);
            last.onended = null;
            resolve();
          }
        });
      });
    });
  }

  function prefetch(names) { names.forEach(load); }

  /* ------------------------------------------------------------ queue */

  var clock = HallqAnnounce.createClock({ monotonic: mono });
  var queue = HallqAnnounce.createQueue({
    play: play,
    now: clock.now,
    maxLength: QUEUE_MAX,
    maxAgeMs: MAX_AGE_MS,
    timeoutMs: 60000,
    onQueue: function (item) { keep(board.queued, hook(item)); },
    onPlay: function (item) { keep(board.played, hook(item)); },
    onSkip: function (item, why) {
      console.info('hallq board: announcement ' + item.seq + ' (' + item.number + ') not read out: ' + why);
    },
    onDrop: function (item) {
      console.info('hallq board: announcement ' + item.seq + ' (' + item.number + ') dropped: queue full');
    }
  });

  function hook(item) {
    return { seq: item.seq, clips: item.clips.slice(), number: item.number,
      window: item.window, recall: item.recall };
  }

  function announce(ev) {
    if (!Array.isArray(ev.clips) || !ev.clips.length)
      return;
    var item = { seq: ev.seq, at: ev.at, clips: ev.clips.filter(function (c) {
      return typeof c === 'string';
    }), number: ev.number, window: ev.window, recall: !!ev.recall, ticket: ev.ticket };
    if (queue.push(item) === 'queued')
      prefetch(item.clips);
  }

  /* ------------------------------------------------------------ model */

  function flashCall(c) {
    c.flashAt = mono();
    board.flashes++;
  }

  function flashWindow(n) {
    winFlash[n] = mono();
  }

  function noteCall(tk, wn, recall) {
    var i;
    for (i = 0; i < calls.length; i++) {
      if (calls[i].id === tk.id) {
        calls.splice(i, 1);
        break;
      }
    }
    var c = { id: tk.id, number: tk.number, window: wn, state: tk.state,
      at: tk.called_at, recall: !!recall, flashAt: null };
    flashCall(c);
    calls.unshift(c);
    if (calls.length > CALLS)
      calls.length = CALLS;
    flashWindow(wn);
  }

  function noteState(tk) {
    for (var i = 0; i < calls.length; i++)
      if (calls[i].id === tk.id)
        calls[i].state = tk.state;
  }

  function applySnapshot(s) {
    var last = queue.lastSeq();
    if (haveSnapshot && last !== null && s.seq < last) {
      /* A daemon with another database (since_ahead): its seqs start again
       * and its clock is another story. */
      queue.reset();
      clock.reset();
    }
    haveSnapshot = true;
    HallqText.setHall(s);	/* the hall's zone and clock, hall_en */
    tickClock();
    S = H.fromHall(s, Date.now());
    var current = [];
    H.windowList(S.windows).forEach(function (w) {
      clock.hint(w.since);
      var tk = w.ticket;
      if (tk && H.atWindow(tk.state)) {
        clock.hint(tk.called_at);
        current.push({ id: tk.id, number: tk.number, window: w.number, state: tk.state,
          at: tk.called_at || 0, recall: false, flashAt: null });
      }
    });
    current.sort(function (a, b) { return b.at - a.at; });
    calls = current.slice(0, CALLS);
  }

  function applyEvent(ev) {
    clock.observe(ev.at);
    if (ev.type === 'call.announce') {
      announce(ev);
      return;			/* the ticket event before it drew the call */
    }
    var r = H.applyEvent(S, ev);
    S = r.state;
    if (r.seen)
      return;
    if (r.kind === 'ticket') {
      if (ev.type === 'ticket.called' || ev.type === 'ticket.recalled')
        noteCall(ev.ticket, ev.window, ev.type === 'ticket.recalled');
      else
        noteState(ev.ticket);
    } else if (r.kind === 'rollover') {
      calls = [];
      reloadWindows();
    } else if (r.kind !== 'window') {
      return;
    }
    scheduleRender();
  }

  /* After a rollover the windows let go of the old day's tickets. */
  var reloading = false;
  function reloadWindows() {
    if (reloading)
      return;
    reloading = true;
    Hallq.api('GET', '/api/hall').then(function (r) {
      reloading = false;
      if (r.status !== 200 || !r.json)
        return;
      /* Older than what we applied: the events keep the windows. */
      S = H.readHall(S, r.json, Date.now()).state;
      scheduleRender();
    });
  }

  /* ------------------------------------------------------------ rendering */

  function winLabel(n) {
    return Hallq.lang === 'en' ? 'Window ' + n : n + '号窗口';
  }

  /* "3号窗口" says no more than the number: only a name or kind that does. */
  function winExtra(w) {
    return HallqText.windowExtra(w);	/* name_en, kind_en in English */
  }

  function flashing(node, since) {
    if (since === null || since === undefined)
      return;
    var age = mono() - since;
    if (age < 0 || age >= FLASH_MS)
      return;
    node.classList.add('flash');
    node.style.animationDelay = (-Math.round(age)) + 'ms';	/* keep its phase across renders */
  }

  /* ------------------------------------------------------------ fitting
   *
   * Nothing on the board is cut: a line too long for its box is drawn
   * smaller (fit), and the windows' grid is sized for the windows shown
   * (layoutWindows). Sizes in px are computed from the viewport, so the
   * same holds on any screen; the target is 1920×1080 seen from 10 m. */

  var FEW = 8;			/* more open windows than this: the grid takes 71% */
  var F_MAX_VH = 10;		/* a tile's ticket number at most (vh) */
  var F_MIN_VH = 4.4;		/* ... and at least: below it the windows are paged */
  var SIDE_MIN_VH = 1.7;	/* a tile's kind and state, or left out */
  var PAGE_MS = 10000;		/* one page of windows shown this long */
  /* A tile's height in units of its number's size (--f), measured. */
  var TILE = { row: 1.4 };

  function vh(x) { return x * window.innerHeight / 100; }

  function over(n) {
    return n.scrollWidth > n.clientWidth || n.scrollHeight > n.clientHeight;
  }

  /* Lower node's font size until what it holds fits its box, down to floor
   * px; true when it fits. */
  function fit(node, floor) {
    node.style.fontSize = '';
    if (!over(node))
      return true;
    var size = parseFloat(getComputedStyle(node).fontSize);
    for (var i = 0; i < 16 && size > floor && over(node); i++) {
      var r = Math.min(node.clientWidth / node.scrollWidth, node.clientHeight / node.scrollHeight);
      if (!(r > 0 && r < 1))
        r = 0.9;
      size = Math.max(floor, Math.floor(size * Math.min(0.96, r)));
      node.style.fontSize = size + 'px';
    }
    return !over(node);
  }

  /* Built afresh each time (as the list and the cards are): a new node
   * starts its flash from the beginning, or from the phase it had reached. */
  function renderNow() {
    var c = calls[0];
    var box = el('div', { class: 'now' + (c ? '' : ' empty') });
    var num = el('span', { class: 'now-number fit' }, c ? c.number : '');
    var where = el('span', { class: 'now-where fit' });
    var extraNode = null;
    box.appendChild(num);
    box.appendChild(where);
    if (!c) {
      where.textContent = t('none');
    } else {
      if (c.recall)
        box.classList.add('recall');
      if (c.state !== 'called' && c.state !== 'serving')
        box.classList.add('ended');
      box.setAttribute('data-ticket', c.id);
      where.appendChild(el('span', { class: 'go' }, t('go')));
      where.appendChild(el('span', { class: 'win' }, winLabel(c.window)));
      if (t('banli'))
        where.appendChild(el('span', { class: 'go' }, t('banli')));
      var extra = winExtra(S.windows[c.window]);
      if (extra) {
        extraNode = el('span', { class: 'now-extra fit kind' }, extra);
        box.appendChild(extraNode);
      }
      if (c.recall)
        box.appendChild(el('span', { class: 'now-recall' }, t('recall')));
      flashing(box, c.flashAt);
    }
    $('now-box').replaceChildren(box);
    fit(num, 10);
    fit(where, 10);
    /* The window's kind or name, on up to two lines, smaller if need be;
     * left out if it cannot be read (the window's number says where to go). */
    if (extraNode && !fit(extraNode, vh(2)))
      extraNode.hidden = true;
    for (var k = 0; extraNode && !extraNode.hidden && k < 8 && over(box); k++) {
      var es = parseFloat(getComputedStyle(extraNode).fontSize);
      if (es * 0.9 < vh(2))
        extraNode.hidden = true;
      else
        extraNode.style.fontSize = Math.floor(es * 0.9) + 'px';
    }
    for (var i = 0; i < 8 && over(box); i++) {	/* lines too many for the box's height */
      var size = parseFloat(getComputedStyle(num).fontSize);
      num.style.fontSize = Math.floor(size * Math.max(0.5, Math.min(0.95,
        1 - (box.scrollHeight - box.clientHeight) / num.offsetHeight))) + 'px';
    }
  }

  function renderRecent() {
    var frag = document.createDocumentFragment(), rows = [];
    for (var i = 1; i < calls.length; i++) {
      var c = calls[i];
      var li = el('li', { class: 'call s-' + c.state });
      li.appendChild(el('span', { class: 'call-number' }, c.number));
      li.appendChild(el('span', { class: 'call-arrow' }, '→'));
      li.appendChild(el('span', { class: 'call-win' }, winLabel(c.window)));
      li.appendChild(el('span', { class: 'call-state' },
        c.state === 'called' ? (c.recall ? t('recall') : '') : t('t.' + c.state)));
      flashing(li, c.flashAt);
      frag.appendChild(li);
      rows.push(li);
    }
    $('recent').replaceChildren(frag);
    rows.forEach(function (li) { fit(li, 8); });
  }

  function shownWindows() {
    return H.windowList(S.windows).filter(function (w) {
      return w.state === 'open' || w.state === 'paused';
    });
  }

  function tile(w) {
    var n = w.number, tk = w.ticket;
    var card = el('div', { class: 'card w-' + w.state + (tk ? ' t-' + tk.state : ' t-none'),
      'data-window': n });
    var win = el('span', { class: 'card-win' });
    if (Hallq.lang === 'en') {
      win.appendChild(el('span', { class: 'wx' }, 'Window'));
      win.appendChild(el('span', { class: 'wn' }, String(n)));
    } else {
      win.appendChild(el('span', { class: 'wn' }, String(n)));
      win.appendChild(el('span', { class: 'wx' }, '号窗口'));
    }
    card.appendChild(win);
    var busy = tk && H.atWindow(tk.state);
    if (busy) {
      card.appendChild(el('span', { class: 'card-number' }, tk.number));
    } else {
      card.appendChild(el('span', { class: 'card-idle' },
        w.state === 'paused' ? t('w.paused') : t('idle')));
    }
    var side = el('span', { class: 'card-side' });
    if (busy)
      side.appendChild(el('span', { class: 'card-state' }, t('t.' + tk.state)));
    var extra = winExtra(w);
    if (extra)
      side.appendChild(el('span', { class: 'card-kind' }, extra));
    card.appendChild(side);
    flashing(card, winFlash[n]);
    return card;
  }

  /* The grid's columns and --f for n tiles each unitW×TILE.row (in f) in a
   * box w×h with gaps gx, gy: the largest number, at most fmax. */
  function solve(n, w, h, gx, gy, unitW, fmax) {
    var best = null;
    for (var cols = 1; cols <= Math.max(1, n); cols++) {
      var rows = Math.ceil(n / cols) || 1;
      var f = Math.min((w - (cols - 1) * gx) / cols / unitW,
        (h - (rows - 1) * gy) / rows / TILE.row, fmax);
      if (!best || f > best.f * 1.001)
        best = { cols: cols, rows: rows, f: f };
    }
    return best;
  }

  var pageShown = { page: 0, pages: 1 };

  function renderWindows(shown) {
    var box = $('windows');
    var cards = shown.map(tile);
    /* Measured at --f 100px, each tile as wide and tall as its window and
     * number need (board.css, #windows.measuring): the widest window label
     * and number, the rest of a tile's width (padding, bar, gap), its height. */
    box.classList.add('measuring');
    box.style.setProperty('--f', '100px');
    box.style.setProperty('--cols', '1');
    box.style.removeProperty('--rowh');
    box.style.removeProperty('--winw');
    box.replaceChildren.apply(box, cards);
    var winW = 0, numW = 0, rest = 0, rowU = 0;
    cards.forEach(function (c) {
      var a = c.children[0].offsetWidth, b = c.children[1].offsetWidth;
      winW = Math.max(winW, a / 100);
      numW = Math.max(numW, b / 100);
      rest = Math.max(rest, (c.offsetWidth - a - b) / 100);
      rowU = Math.max(rowU, c.offsetHeight / 100);
    });
    box.classList.remove('measuring');
    numW = Math.max(numW, 2.42);	/* "A001" in the mono face: a call does not reshape the grid */
    var cs = getComputedStyle(box);
    var w = box.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight) - 1;
    var h = box.clientHeight - parseFloat(cs.paddingTop) - parseFloat(cs.paddingBottom) - 1;
    var gx = parseFloat(cs.columnGap) || 0, gy = parseFloat(cs.rowGap) || 0;
    /* The side (kind, state) takes what is left, if anything. */
    var unitW = rest + winW + numW;
    TILE.row = Math.max(rowU, 1.2);
    var n = cards.length, per = n;
    var L = solve(n, w, h, gx, gy, unitW, vh(F_MAX_VH));
    if (L.f < vh(F_MIN_VH) && n > 1) {
      /* Too many to read from afar: pages of as many as stay legible. */
      while (per > 1 && solve(per, w, h, gx, gy, unitW, vh(F_MAX_VH)).f < vh(F_MIN_VH))
        per--;
      L = solve(per, w, h, gx, gy, unitW, vh(F_MAX_VH));
    }
    var pages = Math.ceil(n / per) || 1;
    var page = Math.floor(Date.now() / PAGE_MS) % pages;
    pageShown = { page: page, pages: pages };
    board.layout = { f: L.f, cols: L.cols, rows: L.rows, page: page, pages: pages,
      row: TILE.row, unitW: unitW, w: w, h: h };
    if (pages > 1)
      box.replaceChildren.apply(box, cards.slice(page * per, page * per + per));
    $('page').hidden = pages < 2;
    $('page').textContent = pages < 2 ? '' : (page + 1) + ' / ' + pages;
    var rowH = Math.min((h - (L.rows - 1) * gy) / L.rows, L.f * TILE.row * 1.25);
    box.style.setProperty('--f', Math.floor(L.f) + 'px');
    box.style.setProperty('--rowh', Math.floor(Math.max(rowH, L.f * TILE.row)) + 'px');
    box.style.setProperty('--cols', String(L.cols));
    box.style.setProperty('--winw', winW.toFixed(3) + 'em');
    var shownCards = Array.prototype.slice.call(box.children);
    /* The kind and the state badge where they can be read, else nothing. */
    var sides = shownCards.map(function (c) { return c.querySelector('.card-side'); });
    var floor = vh(SIDE_MIN_VH);
    sides.forEach(function (sd) {	/* too narrow for a word: a column of single characters */
      if (sd.firstChild && sd.clientWidth < 5 * floor)
        sd.classList.add('off');
    });
    for (var round = 0; round < 6; round++) {
      var tight = sides.filter(function (sd) {
        return !sd.classList.contains('off') && sd.firstChild && over(sd);
      });
      if (!tight.length)
        break;
      var sizes = tight.map(function (sd) {
        var now = parseFloat(getComputedStyle(sd).fontSize);
        var r = Math.min(sd.clientWidth / sd.scrollWidth, sd.clientHeight / sd.scrollHeight);
        return now <= floor || !(r > 0) ? -1 : Math.max(floor, Math.floor(now * Math.min(0.9, r)));
      });
      tight.forEach(function (sd, i) {
        if (sizes[i] < 0)
          sd.classList.add('off');
        else
          sd.style.fontSize = sizes[i] + 'px';
      });
    }
    sides.forEach(function (sd) {
      if (!sd.firstChild || over(sd))
        sd.classList.add('off');
    });
    /* Whatever the estimate missed: a tile too small is drawn smaller. */
    shownCards.filter(over).forEach(function (c) { fit(c, 8); });
    /* Flashes over are forgotten: the map holds at most the windows. */
    var now = mono();
    Object.keys(winFlash).forEach(function (k) {
      if (now - winFlash[k] >= FLASH_MS) delete winFlash[k];
    });
  }

  function renderHead() {
    var hallName = HallqText.hallName(S.name);
    $('hall-name').textContent = hallName || 'hallq';
    document.title = t('title') + (hallName ? ' · ' + hallName : '');
    $('day').textContent = S.day || '';
    fit($('hall-name'), 8);
  }

  function render() {
    var shown = shownWindows();
    document.body.classList.toggle('dense', shown.length > FEW);
    renderHead();
    renderNow();
    renderRecent();
    renderWindows(shown);
  }

  var renderPending = false;
  function scheduleRender() {
    if (renderPending) return;
    renderPending = true;
    requestAnimationFrame(function () { renderPending = false; render(); });
  }

  function setConn(s) {
    if (s === shownConn)
      return;			/* Hallq.live says 'live' with every event */
    hb.waiting = false;
    connState = shownConn = s;
    var c = $('conn');
    c.className = 'conn conn-' + s;
    c.textContent = t('conn.' + s);
    c.title = t('conn.' + s);
  }

  function applyLang() {
    HallqText.translate(document, t);
    document.body.classList.toggle('lang-en', Hallq.lang === 'en');
  }

  /* The clock: one interval for the page's life, text changed once a minute;
   * the hall's time (its zone and the daemon's clock), not the TV's. */
  var shownClock = '';
  function tickClock() {
    var s = HallqText.time();
    if (s !== shownClock) {
      shownClock = s;
      $('clock').textContent = s;
    }
    if (pageShown.pages > 1 && Math.floor(Date.now() / PAGE_MS) % pageShown.pages !== pageShown.page)
      scheduleRender();
  }

  /* ------------------------------------------------------------ the QR of /q
   *
   * GET /api/public/queue's q_url (the hall's public address of /q), drawn
   * small in the header's right corner (board.css: no taller than the
   * hall's name): a phone scans it for the live waiting per matter.  Asked
   * at start and with every snapshot (a daemon restarted with another
   * hall.public_url), again after a failure. */
  var qRetry = null;
  function showQ() {
    Hallq.api('GET', '/api/public/queue', null, '').then(function (r) {
      var url = r.status === 200 && r.json && typeof r.json.q_url === 'string' ? r.json.q_url : '';
      if (!url) {
        if (r.status === 0 || r.status >= 500) {
          clearTimeout(qRetry);
          qRetry = setTimeout(showQ, 30000);
        }
        return;
      }
      var box = $('q-qr');
      if (box.getAttribute('data-url') !== url) {
        box.setAttribute('data-url', url);
        box.setAttribute('aria-label', url);
        box.innerHTML = HallqQR.svg(url, { ecl: 'M', border: 2 });
      }
      $('q-box').hidden = false;
      scheduleRender();
    });
  }

  /* ------------------------------------------------------------ start */

  applyLang();
  showQ();
  tickClock();
  setInterval(tickClock, 1000);
  audio();
  showSound();
  if (actx)
    running(actx);		/* a TV that refuses sound says so at once */
  render();
  window.addEventListener('resize', scheduleRender);
  if (document.fonts) {
    /* A font that arrives late changes every width: lay out again. */
    document.fonts.addEventListener('loadingdone', scheduleRender);
    document.fonts.ready.then(scheduleRender);
  }

  /* The connection.  Hallq.live resumes with since after every cut.  On
   * top of it a heartbeat (an `events` command over the socket, asking for
   * at most one event after the last one seen: its reply has no `seq`, which
   * Hallq.live would take for an event's; a `status` reply has one): its reply
   * shows the board live again after a resume that brought no events, and a
   * connection that stays silent to it (half-open: a TV's Wi-Fi came back,
   * the daemon's end is gone) is dropped and opened afresh from a snapshot. */
  var live = null, gen = 0;
  var HB_TICK_MS = 5000, HB_LIVE_EVERY = 4, HB_DEAD_MS = 15000;

  function connect() {
    var mine = ++gen;
    function ours(f) {
      return function (x) { if (mine === gen) f(x); };
    }
    live = Hallq.live({
      onSnapshot: ours(function (s) { hb.waiting = false; applySnapshot(s); scheduleRender(); showQ(); }),
      onEvent: ours(function (ev) { hb.waiting = false; applyEvent(ev); }),
      onState: ours(setConn),
      onReply: ours(function (m) {
        if (m.req !== 'hb')
          return;
        hb.waiting = false;
        if (connState !== 'live')
          setConn('live');
      })
    });
  }

  function ping() {
    var seq = live.seq();
    live.send({ op: 'events', since: seq === null ? 0 : seq, limit: 1, req: 'hb' });
  }

  function heartbeat() {
    if (!live || connState === 'unauthorized' || connState === 'notoken')
      return;
    hb.ticks++;
    var now = mono();
    if (connState === 'live') {
      if (hb.waiting) {
        if (now - hb.sentAt > HB_DEAD_MS) {
          console.info('hallq board: no answer on the socket for ' + HB_DEAD_MS / 1000 + ' s: reconnecting');
          hb.waiting = false;
          live.stop();
          setConn('retry');
          connect();
        }
        return;
      }
      if (hb.ticks % HB_LIVE_EVERY === 0) {
        hb.waiting = true;
        hb.sentAt = now;
        ping();
      }
    } else {
      ping();			/* sent only if the socket is open */
    }
  }

  if (!Hallq.token) {
    setConn('notoken');
  } else {
    /* The token stays in the address: a TV's browser reloads the page from it. */
    setConn('connecting');
    connect();
    setInterval(heartbeat, HB_TICK_MS);
  }
})();
