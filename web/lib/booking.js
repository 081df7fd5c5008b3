/* web/lib/booking.js — what the booking page (/book), the kiosk's 预约签到
 * and the dashboard's appointments panel agree on, as pure functions: the
 * booking code's alphabet, the ID number's GB 11643 check digit, the mobile
 * number's shape, what a check-in entry is (a code or an ID number), slots
 * grouped by the hall's day, bookable matters grouped by domain, and how a
 * day or a moment is said ("今天 13:30", "12月2日 周三").  No I/O; the hall's
 * zone is HallqText's (web/lib/text.js, loaded first).  A classic script
 * that sets globalThis.HallqBook, in a page and in node's tests alike. */
'use strict';

(function (global) {
  /* Booking codes: 8 of these (no 0/O, 1/I/L). */
  var ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
  var CODE_LEN = 8;
  var ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  var ID_CHECK = '10X98765432';

  function T() { return global.HallqText; }

  /* What a person typed, as the daemon reads it: no blanks, upper case. */
  function clean(s) {
    return String(s === null || s === undefined ? '' : s).replace(/[\s\u3000-]+/g, '').toUpperCase();
  }

  function isCode(s) {
    s = clean(s);
    if (s.length !== CODE_LEN) return false;
    for (var i = 0; i < s.length; i++)
      if (ALPHABET.indexOf(s.charAt(i)) < 0) return false;
    return true;
  }

  /* The check character of the first 17 digits (GB 11643-1999). */
  function idCheckChar(first17) {
    var sum = 0;
    for (var i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * ID_WEIGHTS[i];
    return ID_CHECK.charAt(sum % 11);
  }

  /* 'ok', or why not: 'length' (not 18 characters), 'chars' (not 17 digits
   * and a digit or X), 'check' (the check digit does not match). */
  function idProblem(s) {
    s = clean(s);
    if (s.length !== 18) return 'length';
    if (!/^\d{17}[\dX]$/.test(s)) return 'chars';
    if (idCheckChar(s.slice(0, 17)) !== s.charAt(17)) return 'check';
    return 'ok';
  }

  function isIdNumber(s) { return idProblem(s) === 'ok'; }

  /* A mainland mobile number: 11 digits, 1[3-9]…. */
  function isPhone(s) { return /^1[3-9]\d{9}$/.test(clean(s)); }

  /* The kiosk's check-in entry: {kind: 'code'|'id', value} or {kind: 'bad',
   * why: 'empty'|'code'|'id'|'check'}.  Eight characters are a code (the
   * alphabet has no 0/1, an ID number no letter but X), 18 an ID number,
   * and an address with "code=" the booking's QR code. */
  function checkinEntry(s) {
    /* The booking's QR code read by the kiosk's scanner, which types what
     * it reads: the /book address with its code. */
    var q = /[?&]code=([0-9A-Za-z]{8})(?:&|#|$)/i.exec(String(s === null || s === undefined ? '' : s).trim());
    if (q && isCode(q[1])) return { kind: 'code', value: clean(q[1]) };
    var v = clean(s);
    if (!v) return { kind: 'bad', why: 'empty' };
    if (v.length === 18) {
      var p = idProblem(v);
      return p === 'ok' ? { kind: 'id', value: v } : { kind: 'bad', why: p === 'check' ? 'check' : 'id' };
    }
    if (isCode(v)) return { kind: 'code', value: v };
    return { kind: 'bad', why: /^\d+X?$/.test(v) && v.length > CODE_LEN ? 'id' : 'code' };
  }

  /* ------------------------------------------------------------ grouping */

  /* GET /api/public/hall's matters → [{domain, name (the matter object whose
   * domain_name to show), matters: [bookable…]}] in the order given, domains
   * with no bookable matter left out. */
  function bookableDomains(matters) {
    var out = [], at = {};
    (matters || []).forEach(function (m) {
      if (!m || !m.bookable) return;
      var d = m.domain || '';
      if (!Object.prototype.hasOwnProperty.call(at, d)) {
        at[d] = out.length;
        out.push({ domain: d, first: m, matters: [] });
      }
      out[at[d]].matters.push(m);
    });
    return out;
  }

  /* Slots → [{day: 'YYYY-MM-DD', slots: [...], free: n, open: n}] by the
   * hall's date of their start, in time order; free counts the places of
   * slots that are not blocked, open the slots one may still book. */
  function slotDays(slots, dateOf) {
    dateOf = dateOf || function (ms) { return T().date(ms); };
    var out = [], at = {};
    (slots || []).slice().sort(function (a, b) { return a.start - b.start; }).forEach(function (s) {
      var d = dateOf(s.start);
      if (!Object.prototype.hasOwnProperty.call(at, d)) {
        at[d] = out.length;
        out.push({ day: d, slots: [], free: 0, open: 0 });
      }
      var g = out[at[d]];
      g.slots.push(s);
      if (bookable(s)) { g.free += s.free; g.open++; }
    });
    return out;
  }

  /* A slot one may book now. */
  function bookable(s) { return !!s && !s.blocked && s.free > 0; }

  /* ------------------------------------------------------------ saying days */

  var WEEK_ZH = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'];
  var WEEK_EN = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  var MONTH_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

  function ymd(day) {
    var m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day || '');
    return m ? { y: +m[1], m: +m[2], d: +m[3] } : null;
  }

  /* Days from a to b (dates YYYY-MM-DD): b − a. */
  function dayDiff(a, b) {
    var x = ymd(a), y = ymd(b);
    if (!x || !y) return NaN;
    return Math.round((Date.UTC(y.y, y.m - 1, y.d) - Date.UTC(x.y, x.m - 1, x.d)) / 86400000);
  }

  function weekday(day) {
    var p = ymd(day);
    return p ? new Date(Date.UTC(p.y, p.m - 1, p.d)).getUTCDay() : 0;
  }

  /* "12月2日 周三" / "Wed 2 Dec"; with today (a date) "今天"/"明天" lead. */
  function dayLabel(day, lang, today) {
    var p = ymd(day);
    if (!p) return day || '';
    var en = lang === 'en', w = weekday(day);
    var s = en ? WEEK_EN[w] + ' ' + p.d + ' ' + MONTH_EN[p.m - 1] : p.m + '月' + p.d + '日 ' + WEEK_ZH[w];
    if (today) {
      var n = dayDiff(today, day);
      if (n === 0) return (en ? 'Today, ' : '今天 ') + s;
      if (n === 1) return (en ? 'Tomorrow, ' : '明天 ') + s;
    }
    return s;
  }

  /* A moment (ms) in the hall's zone, relative to now: "13:30" today,
   * "明天 08:30", "12月3日 周四 08:30". */
  function when(ms, lang, nowMs) {
    if (ms === null || ms === undefined) return '';
    var t = T();
    var day = t.date(ms), today = t.date(nowMs === undefined ? t.now() : nowMs);
    var hm = t.time(ms);
    if (day === today) return hm;
    return dayLabel(day, lang, today) + ' ' + hm;
  }

  /* "09:00–09:30" */
  function span(start, end) {
    var t = T();
    return t.time(start) + '–' + t.time(end);
  }

  global.HallqBook = {
    ALPHABET: ALPHABET, CODE_LEN: CODE_LEN,
    clean: clean, isCode: isCode, idCheckChar: idCheckChar, idProblem: idProblem,
    isIdNumber: isIdNumber, isPhone: isPhone, checkinEntry: checkinEntry,
    bookableDomains: bookableDomains, slotDays: slotDays, bookable: bookable,
    dayDiff: dayDiff, weekday: weekday, dayLabel: dayLabel, when: when, span: span
  };
})(typeof window !== 'undefined' ? window : globalThis);
