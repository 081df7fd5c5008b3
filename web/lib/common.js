/* web/lib/common.js — what every page shares: the token from the URL
 * (?token=…, kept for the browser session in sessionStorage), REST calls,
 * and a WebSocket that reconnects by itself and resumes from the last event
 * seen (`since`), so a page left running for months misses nothing and sees
 * nothing twice.  The language and every string are web/lib/text.js's
 * (loaded before this file), the hall's state web/lib/hall-state.js's.
 * Plain ES5-style browser JS, no build step, nothing loaded from outside the
 * appliance.  Exposes window.Hallq. */
'use strict';

(function (global) {
  var params = new URLSearchParams(global.location ? global.location.search : '');

  function token() {
    var tok = params.get('token');
    if (tok)
      return setToken(tok);
    try { return sessionStorage.getItem('hallq.token') || ''; } catch (e) { return ''; }
  }

  /* A token typed into a page's form: kept for the session like ?token=. */
  function setToken(tok) {
    try { sessionStorage.setItem('hallq.token', tok); } catch (e) { /* */ }
    if (global.Hallq)
      global.Hallq.token = tok;
    return tok;
  }

  /* REST: resolves {status, json}; never rejects on an HTTP error status. */
  function api(method, path, body, tok) {
    var headers = {};
    if (tok === undefined)
      tok = Hallq.token;
    if (tok)
      headers.Authorization = 'Bearer ' + tok;
    if (body !== undefined && body !== null)
      headers['Content-Type'] = 'application/json';
    return fetch(path, {
      method: method, headers: headers,
      body: body === undefined || body === null ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var json = null;
        try { json = text ? JSON.parse(text) : null; } catch (e) { json = null; }
        return { status: r.status, json: json };
      });
    }, function () { return { status: 0, json: null }; });
  }

  /*
   * live({onSnapshot, onEvent, onState}) — the hall's events, for ever.
   * The first connection asks for a snapshot; every later one resumes with
   * the last seq seen, so events come exactly once, in order.  A daemon
   * restarted on the same database keeps its seq; one with another database
   * answers since_ahead and the page starts again from a snapshot.
   * onState(s): 'connecting' | 'live' | 'retry' | 'unauthorized'.
   */
  function live(h) {
    var seq = null, ws = null, delay = 500, stopped = false;

    function state(s) { if (h.onState) h.onState(s); }

    function connect() {
      if (stopped)
        return;
      state(seq === null ? 'connecting' : 'retry');
      var proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
      try {
        ws = new WebSocket(proto + '//' + location.host + '/ws?token=' +
          encodeURIComponent(Hallq.token), 'hallq.v1');
      } catch (e) {
        return later();
      }
      ws.onopen = function () {
        delay = 500;
        ws.send(JSON.stringify(seq === null ? { op: 'subscribe' } :
          { op: 'subscribe', since: seq }));
        /* Resumed with nothing missed, the server says nothing: its answer
         * to this says the connection is live. */
        if (seq !== null)
          ws.send(JSON.stringify({ op: 'status', req: 'hallq.live' }));
      };
      ws.onmessage = function (m) {
        var msg;
        try { msg = JSON.parse(m.data); } catch (e) { return; }
        if (msg.type === 'reply') {
          /* A reply (it may carry a seq of its own: not an event). */
          if (msg.req === 'hallq.live')
            state('live');
          else if (h.onReply)
            h.onReply(msg);
          return;
        }
        if (msg.type === 'hall.snapshot') {
          seq = msg.seq;
          state('live');
          if (h.onSnapshot) h.onSnapshot(msg);
        } else if (typeof msg.seq === 'number' && msg.type) {
          if (seq !== null && msg.seq <= seq)
            return;			/* seen: never twice */
          seq = msg.seq;
          state('live');
          if (h.onEvent) h.onEvent(msg);
        } else if (msg.type === 'error' && msg.error &&
            msg.error.code === 'since_ahead') {
          seq = null;		/* another database: its snapshot follows */
        }
      };
      ws.onclose = function (ev) {
        if (ev && ev.code === 1008 && /^unauthorized/.test(ev.reason || '')) {
          stopped = true;
          state('unauthorized');
          return;
        }
        later();
      };
      ws.onerror = function () { /* onclose follows */ };
    }

    function later() {
      if (stopped)
        return;
      state('retry');
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 10000);
    }

    connect();
    return {
      seq: function () { return seq; },
      send: function (o) { if (ws && ws.readyState === 1) ws.send(JSON.stringify(o)); },
      stop: function () { stopped = true; if (ws) ws.close(); }
    };
  }

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    if (attrs)
      Object.keys(attrs).forEach(function (k) {
        if (k === 'class') e.className = attrs[k];
        else e.setAttribute(k, attrs[k]);
      });
    if (text !== undefined && text !== null)
      e.textContent = String(text);
    return e;
  }

  /* An answer a page's token was refused for: 401 shows the page's token
   * form (#token-form, with msg in #token-msg), 403 its role notice
   * (#role-msg).  True when it was one of those. */
  function refusal(r, msg) {
    var d = global.document;
    if (r.status === 401) {
      d.getElementById('token-form').hidden = false;
      d.getElementById('token-msg').textContent = msg;
      return true;
    }
    if (r.status === 403) {
      d.getElementById('role-msg').hidden = false;
      return true;
    }
    return false;
  }

  var Hallq = {
    params: params,
    refusal: refusal,
    token: token(),
    setToken: setToken,
    api: api,
    live: live,
    el: el
  };
  /* The language of the moment is HallqText's (setting it here is for this
   * page only; HallqText.setLang(l, true) keeps it). */
  Object.defineProperty(Hallq, 'lang', {
    enumerable: true,
    get: function () { return global.HallqText.lang(); },
    set: function (l) { global.HallqText.setLang(l); }
  });
  global.Hallq = Hallq;
})(typeof window !== 'undefined' ? window : globalThis);
