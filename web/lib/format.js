/* web/lib/format.js — how the pages say waits, durations, places in the
 * queue and states, in Chinese and English.  A classic script that sets
 * globalThis.HallqFormat (loads in a page and, through import(), in node's
 * tests).  Every function takes the language last ('zh' unless 'en'). */
'use strict';

(function (global) {
  function en(lang) { return lang === 'en'; }

  function int(n) {
    n = Number(n);
    return isFinite(n) ? Math.floor(n) : 0;
  }

  function pad2(n) { return (n < 10 ? '0' : '') + n; }

  /* An estimated wait, in whole minutes (rounded), never "0 minutes":
   *   0 → 无需等候 / no wait;  90 → 约2分钟 / about 2 min;
   *   3700 → 约1小时2分钟 / about 1 h 2 min;
   *   null → 暂无窗口办理 / no window serves this now: the API's eta_s when
   *   no open window serves the matter (no_open_window), never "no wait". */
  function wait(s, lang) {
    if (s === null)
      return en(lang) ? 'no window serves this now' : '暂无窗口办理';
    s = Number(s);
    if (!isFinite(s) || s <= 0)
      return en(lang) ? 'no wait' : '无需等候';
    var min = Math.max(1, Math.round(s / 60));
    var h = Math.floor(min / 60), m = min % 60;
    if (en(lang)) {
      if (h === 0) return 'about ' + m + ' min';
      return 'about ' + h + ' h' + (m ? ' ' + m + ' min' : '');
    }
    if (h === 0) return '约' + m + '分钟';
    return '约' + h + '小时' + (m ? m + '分钟' : '');
  }

  /* A running or finished duration as a clock: 75 → 01:15, 3725 → 1:02:05.
   * Negative or unknown → 00:00 (clocks that disagree a little). */
  function duration(s) {
    s = int(s);
    if (s < 0) s = 0;
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), sec = s % 60;
    return h > 0 ? h + ':' + pad2(m) + ':' + pad2(sec) : pad2(m) + ':' + pad2(sec);
  }

  /* Seconds from a time stamp (ms) to now (ms, default Date.now()). */
  function since(ms, now) {
    if (ms === null || ms === undefined) return 0;
    var d = ((now === undefined ? Date.now() : now) - ms) / 1000;
    return d > 0 ? Math.floor(d) : 0;
  }

  /* People ahead: 0 → 下一位就是您 / you are next. */
  function ahead(n, lang) {
    n = int(n);
    if (n <= 0) return en(lang) ? 'you are next' : '下一位就是您';
    if (en(lang)) return n + (n === 1 ? ' person' : ' people') + ' ahead';
    return '前面还有' + n + '人';
  }

  /* The count alone, for a label that says what it is. */
  function people(n, lang) {
    n = int(n);
    return en(lang) ? String(n) : n + '人';
  }

  /* Where a called ticket goes: 请到3号窗口 / called, window 3. */
  function goTo(win, lang) {
    if (en(lang)) return 'called, window ' + win;
    return '请到' + win + '号窗口';
  }

  var STATE = {
    zh: { waiting: '等候中', called: '已叫号', serving: '办理中', held: '已挂起',
      done: '已办结', no_show: '已过号', cancelled: '已取消',
      transferred: '已转移，等候中', expired: '已过期' },
    en: { waiting: 'waiting', called: 'called', serving: 'being served', held: 'on hold',
      done: 'done', no_show: 'missed (no-show)', cancelled: 'cancelled',
      transferred: 'transferred, waiting', expired: 'expired' }
  };

  function state(st, lang) {
    var t = STATE[en(lang) ? 'en' : 'zh'];
    return Object.prototype.hasOwnProperty.call(t, st) ? t[st] : String(st);
  }

  /* The window by its number: 3号窗口 / window 3. */
  function windowName(n, lang) {
    return en(lang) ? 'window ' + n : n + '号窗口';
  }

  global.HallqFormat = {
    wait: wait, duration: duration, since: since, ahead: ahead, people: people,
    goTo: goTo, state: state, windowName: windowName
  };
})(typeof window !== 'undefined' ? window : globalThis);
