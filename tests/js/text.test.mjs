// tests/js/text.test.mjs — web/lib/text.js, the one catalogue of the pages'
// strings and the choice of language: every string in both languages with
// the same placeholders, a page's string before a shared one, every key a
// page's HTML or script names is there, and the strings the browser tests
// look for say what they did.
import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

await import('../../web/lib/text.js');
const T = globalThis.HallqText;
const WEB = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web');

// page name → its HTML and script
const PAGES = {
  index: ['index.html', 'app.js'], board: ['board.html', 'board.js'], pad: ['pad.html', 'pad.js'],
  kiosk: ['kiosk.html', 'kiosk.js'], status: ['t.html', 't.js'], dashboard: ['dashboard.html', 'dashboard.js'],
  book: ['book.html', 'book.js'], q: ['q.html', 'q.js'],
  cases: ['cases.html', 'cases.js'], reports: ['reports.html', 'reports.js'],
  admin: ['admin.html', 'admin.js'],
};

const placeholders = s => (s.match(/\{\w+\}/g) || []).sort();

test('every string in Chinese and English, with the same placeholders', () => {
  assert.deepEqual(Object.keys(T.PAGES).sort(), Object.keys(PAGES).sort());
  const own = (o, k) => Object.prototype.hasOwnProperty.call(o, k);
  assert.deepEqual(Object.keys(T.COMMON.en).sort(), Object.keys(T.COMMON.zh).sort(), 'common');
  for (const [page, table] of Object.entries(T.PAGES)) {
    // A page may say one language its own way and share the other.
    for (const L of ['zh', 'en'])
      for (const k of Object.keys(table[L])) {
        const other = L === 'zh' ? 'en' : 'zh';
        assert.ok(own(table[other], k) || own(T.COMMON[other], k), `${page} ${k}: no ${other}`);
        assert.equal(typeof table[L][k], 'string', `${page} ${k}`);
        assert.deepEqual(placeholders(T.say(page, 'en', k)), placeholders(T.say(page, 'zh', k)), `${page} ${k}`);
      }
  }
});

test('a string shared by the pages is written once', () => {
  for (const [page, table] of Object.entries(T.PAGES))
    for (const k of Object.keys(table.zh))
      if (Object.prototype.hasOwnProperty.call(T.COMMON.zh, k))
        assert.ok(table.zh[k] !== T.COMMON.zh[k] || table.en[k] !== T.COMMON.en[k],
          `${page} ${k} says what the shared string says`);
});

test("look-up: the page's string, the shared one, the Chinese, the key itself", () => {
  assert.equal(T.say('board', 'zh', 'conn.live'), '在线');             // the page's own
  assert.equal(T.say('board', 'en', 'conn.live'), 'live');             // shared English
  assert.equal(T.say('board', 'zh', 'w.paused'), '暂停服务');
  assert.equal(T.say('board', 'en', 'w.paused'), 'paused', 'shared English before the page\'s Chinese');
  assert.equal(T.say('board', 'en', 'banli'), '', 'an empty string is a string');
  assert.equal(T.say('pad', 'en', 'held'), 'Held tickets');
  assert.equal(T.say('index', 'en', 'held'), 'held');
  assert.equal(T.say('index', 'fr', 'held'), '挂起', 'an unknown language is Chinese');
  assert.equal(T.say('index', 'en', 'no.such.key'), 'no.such.key');
  assert.equal(T.say('nowhere', 'en', 'conn.live'), 'live');
  assert.equal(T.say('index', 'en', 'toString'), 'toString');
  assert.equal(T.known('dashboard', 'err.window_busy'), true);
  assert.equal(T.known('dashboard', 'lang.other'), true);
  assert.equal(T.known('dashboard', 'err.nope'), false);
  assert.equal(T.known('pad', 'toString'), false);
});

test('placeholders take their values; a missing one is empty', () => {
  assert.equal(T.say('pad', 'zh', 'ok.transfer', { number: 'A001', to: '1号窗口' }), 'A001 已转到 1号窗口');
  assert.equal(T.say('pad', 'en', 'ok.transfer', { number: 'A001', to: 'window 1' }), 'A001 transferred to window 1');
  assert.equal(T.say('pad', 'zh', 'recalls', { n: 0 }), '重呼 0 次');
  assert.equal(T.say('pad', 'zh', 'ok.transfer', { number: 'A001' }), 'A001 已转到 ');
  assert.equal(T.say('pad', 'zh', 'ok.transfer', { number: 'A001', to: null }), 'A001 已转到 ');
  assert.equal(T.say('pad', 'zh', 'ok.transfer'), '{number} 已转到 {to}', 'no values: the string as it is');
});

test('the language: ?lang= first, then the one kept, Chinese by default; kept when asked', () => {
  assert.equal(T.pick('en', null), 'en');
  assert.equal(T.pick('zh', 'en'), 'zh');
  assert.equal(T.pick('fr', 'en'), 'en');
  assert.equal(T.pick(null, 'fr'), 'zh');
  assert.equal(T.pick(null, null), 'zh');
  assert.equal(T.lang(), 'zh', 'no location, nothing kept: Chinese');

  const kept = new Map();
  globalThis.localStorage = { getItem: k => kept.get(k) ?? null, setItem: (k, v) => kept.set(k, String(v)) };
  try {
    const t = T.page('kiosk');
    assert.equal(T.setLang('en'), 'en');
    assert.equal(t('ticket.label'), 'Your number', 'a page function follows the language');
    assert.equal(kept.size, 0, 'this page only');
    assert.equal(T.toggle(), 'zh');
    assert.equal(t('ticket.label'), '您的号码');
    assert.equal(T.toggle(true), 'en');
    assert.equal(kept.get('hallq.lang'), 'en');
    assert.equal(T.setLang('klingon', true), 'zh');
    assert.equal(kept.get('hallq.lang'), 'zh');
    assert.equal(t.has('ticket.label'), true);
    assert.equal(t.has('conn.live'), true);
    assert.equal(t.has('e.window_busy'), false, "the pad's, not the kiosk's");
  } finally {
    delete globalThis.localStorage;
    T.setLang('zh');
  }
  // Without storage at all (a browser's private mode throws): no harm.
  globalThis.localStorage = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('denied'); } };
  try {
    assert.equal(T.setLang('en', true), 'en');
  } finally {
    delete globalThis.localStorage;
    T.setLang('zh');
  }
});

test('translate: the document language and every [data-i18n] element', () => {
  const nodes = ['matters.title', 'lang.other', 'nope'].map(k => ({ key: k, textContent: '',
    getAttribute(a) { return a === 'data-i18n' ? this.key : null; } }));
  const doc = { documentElement: { lang: '' }, querySelectorAll: sel => (sel === '[data-i18n]' ? nodes : []) };
  T.setLang('en');
  try {
    T.translate(doc, T.page('index'));
    assert.equal(doc.documentElement.lang, 'en');
    assert.deepEqual(nodes.map(n => n.textContent), ['Matters', '中文', 'nope']);
  } finally {
    T.setLang('zh');
  }
  T.translate(doc, T.page('index'));
  assert.equal(doc.documentElement.lang, 'zh-CN');
  assert.deepEqual(nodes.map(n => n.textContent), ['事项排队', 'EN', 'nope']);
});

test("every key a page's HTML or script names is in the catalogue", () => {
  for (const [page, [html, js]] of Object.entries(PAGES)) {
    const h = fs.readFileSync(path.join(WEB, html), 'utf8');
    const s = fs.readFileSync(path.join(WEB, js), 'utf8');
    assert.match(h, /<script src="\/?lib\/text\.js"><\/script>\s*<script src="\/?lib\/common\.js">/, `${html} loads text.js first`);
    // The public pages hold no hall state; nor do the manager's cases and
    // reports, nor the configuration page.
    if (!['book', 'q', 'cases', 'reports', 'admin'].includes(page))
      assert.match(h, /<script src="\/?lib\/hall-state\.js">/, `${html} loads hall-state.js`);
    assert.match(s, new RegExp(`HallqText\\.page\\('${page}'\\)`), `${js} speaks as ${page}`);
    assert.doesNotMatch(s, /var TEXT = \{/, `${js} has no table of its own`);
    const keys = [...h.matchAll(/data-i18n="([^"]+)"/g)].map(m => m[1])
      .concat([...s.matchAll(/\bt\('([^']+)'\s*[,)]/g)].map(m => m[1]));
    assert.ok(keys.length > 3, `${page}: keys found`);
    for (const k of keys)
      assert.ok(T.known(page, k), `${page}: ${k}`);
  }
});

// What tests/browser/*.test.mjs look for on the pages, string by string.
test('the strings the browser tests look for', () => {
  const zh = (p, k, v) => T.say(p, 'zh', k, v), en = (p, k, v) => T.say(p, 'en', k, v);
  assert.equal(zh('board', 'none'), '暂无叫号');
  assert.equal(zh('board', 'conn.unauthorized'), '令牌无效');
  assert.match(zh('board', 'conn.notoken'), /\/board\?token=/);
  assert.match(en('board', 'conn.notoken'), /\/board\?token=/);
  assert.equal(en('board', 'now'), 'Now calling');
  assert.equal(en('board', 'w.paused'), 'paused');

  assert.equal(zh('dashboard', 'title'), '管理看板');
  assert.equal(zh('dashboard', 't.called'), '叫号中');
  assert.equal(zh('dashboard', 't.serving'), '办理中');
  assert.equal(zh('dashboard', 'w.paused'), '暂停');
  assert.equal(zh('dashboard', 'w.open'), '开放');
  assert.equal(zh('dashboard', 'kpi.issued'), '今日取号');
  assert.equal(en('dashboard', 'kpi.issued'), 'Issued today');
  assert.equal(en('dashboard', 'windows.title'), 'Windows');
  assert.equal(en('dashboard', 'act.pause'), 'Pause');
  assert.equal(en('dashboard', 'load.matter'), 'Domain / matter');
  assert.equal(zh('dashboard', 'tier', { n: 1 }) + ': SB01', '第1层: SB01');
  assert.equal(zh('dashboard', 'alert.window_paused', { name: '2号窗口', paused: '16:05' }), '2号窗口 已暂停 16:05');
  assert.match(zh('dashboard', 'alert.matter_late', { code: 'SB01', name: 'x', oldest: '21:00', target: 10, waiting: 2 }), /超过目标 10 分钟/);

  assert.equal(zh('pad', 'ok.call-next', { number: 'A001' }), '已呼叫 A001');
  assert.equal(zh('pad', 'ok.recall', { number: 'A001' }), '已重呼 A001');
  assert.equal(zh('pad', 'ok.finish', { number: 'A002' }), 'A002 已办结');
  assert.equal(zh('pad', 'recalls', { n: 1 }), '重呼 1 次');
  assert.equal(zh('pad', 'nothing'), '当前没有等候本窗口的号');
  assert.equal(zh('pad', 'failed', { action: zh('pad', 'k.start'), why: zh('pad', 'e.no_current_ticket') }), '开始办理失败：当前没有号');
  assert.match(zh('pad', 'e.window_busy', { cur: 'A001' }), /^窗口还有当前号 A001/);
  assert.match(zh('pad', 'e.window_paused'), /窗口已暂停/);
  assert.equal(zh('pad', 'e.forbidden', { n: 5 }), '此令牌无权操作5号窗口');
  assert.equal(zh('pad', 'k.resume'), '恢复');
  assert.equal(zh('pad', 'k.call-next'), '叫下一位');
  assert.equal(zh('pad', 'w.paused'), '暂停');
  assert.equal(zh('pad', 'w.open'), '开放');
  assert.match(zh('pad', 'fatal.nowindow'), /window=3/);
  assert.equal(zh('pad', 'fatal.unknown', { n: 9 }), '没有9号窗口');
  assert.match(zh('pad', 'fatal.token'), /令牌无效/);
  assert.equal(en('pad', 'k.call-next'), 'Call next');
  assert.match(en('pad', 'ok.call-next', { number: 'A001' }), /^Called/);

  assert.match(zh('status', 'err.token'), /这个链接无效/);
  assert.match(zh('status', 'err.notoken'), /缺少凭证/);
  assert.equal(en('status', 'ahead'), 'Ahead of you');
  assert.equal(en('status', 'serving.at', { w: 3 }), 'being served at window 3');

  assert.equal(en('kiosk', 'home.title'), 'Choose a service area');
  assert.equal(en('kiosk', 'green'), 'Priority lane');
  assert.equal(en('kiosk', 'ticket.label'), 'Your number');
  assert.match(en('kiosk', 'countdown', { s: 30 }), /^Back to the start in/);
  assert.equal(zh('kiosk', 'ticket.label'), '您的号码');
  assert.equal(zh('kiosk', 'appt.empty'), '请先输入预约码或身份证号码');
  assert.match(zh('kiosk', 'appt.unavailable'), /预约签到暂未开通/);

  assert.equal(zh('dashboard', 'nav.reports'), '今日报表');
  assert.equal(zh('dashboard', 'nav.cases'), '差评工单');
  assert.match(zh('dashboard', 'alert.cases_overdue', { n: 1 }), /^1 件差评工单已超过整改期限/);
  assert.equal(zh('cases', 'state.closed'), '已办结');
  assert.equal(zh('cases', 'act.verify'), '核实');
  assert.equal(en('cases', 'state.revisited'), 'revisited');
  assert.equal(zh('reports', 'total'), '合计');
  assert.equal(zh('admin', 'title'), '配置管理');
  assert.equal(en('admin', 'title'), 'Configuration');
  assert.equal(zh('admin', 'saved.previous', { path: '/x/hallq.json.prev' }), '上一版本已保存为 /x/hallq.json.prev');
  assert.equal(zh('admin', 'refused', { where: zh('admin', 'refused.where', { field: 'hours.mon[0][0]' }), message: 'm' }),
    '保存被拒绝：hours.mon[0][0]：m');
  assert.equal(en('admin', 'refused', { where: en('admin', 'refused.where', { field: 'w' }), message: 'm' }), 'Not saved: w: m');
  assert.equal(zh('dashboard', 'audit.title'), '操作记录');
  assert.equal(zh('dashboard', 'audit.older'), '更早');
  assert.equal(zh('reports', 'title.month', { year: 2026, month: 11 }), '2026年11月 月度报表');
});
