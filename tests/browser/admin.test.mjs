// tests/browser/admin.test.mjs — 配置管理 (/admin?token=a1) in Debian's
// chromium against a real hallqd running a copy of the demo hall's
// configuration (etc/hallq.json: 28 windows, Chinese names) in a temp dir,
// since PUT /api/config writes the file back.  A window's tiers and hours
// edited in the page and saved: the reply, the hall's new tiers (GET
// /api/windows/3), the file on disk (valid JSON, the edit in it, the
// sections the page does not edit and the tokens as they were, the old
// file kept as .prev); bad values (a tier matter that does not exist, hours
// "25:00") refused at their field with the daemon's words, the file
// unchanged; someone else's save in between → 409, read again; the tokens by
// their names only; English; screenshots at 1280×800 and 1920×1080.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { DemoHall, ROOT, browser, openPage, shot } from './lib.mjs';

const WAIT = 10000;

// Chromium logs every 4xx answer as a console error: those provoked here pass.
function unexpected(errors, statuses) {
  return errors.filter(e => !statuses.some(s =>
    e.includes(`Failed to load resource: the server responded with a status of ${s} `)));
}

async function text(page, sel) {
  return (await page.locator(sel).first().textContent()).trim();
}

const field = f => `[data-field="${f}"]`;

// The element is inside the viewport (scrolled to).
async function inView(page, sel) {
  return page.locator(sel).first().evaluate(e => {
    const r = e.getBoundingClientRect();
    return r.top >= 0 && r.bottom <= innerHeight && r.left >= 0 && r.right <= innerWidth && r.height > 0;
  });
}

// Types into an input as a person would (replacing what it holds).
async function type(page, sel, value) {
  await page.locator(sel).first().fill(value);
}

// Clicks 保存 and returns the PUT's answer {status, json}.
async function save(page) {
  const [resp] = await Promise.all([
    page.waitForResponse(r => r.url().endsWith('/api/config') && r.request().method() === 'PUT', { timeout: WAIT }),
    page.click('#save'),
  ]);
  return { status: resp.status(), json: await resp.json() };
}

test('admin: tiers and hours edited and saved; bad values refused at their field; 409; English', async () => {
  const hall = new DemoHall();
  let b;
  try {
    await hall.start();
    const conf = path.join(hall.dir, 'hallq.json');
    const original = fs.readFileSync(conf, 'utf8');
    const before = JSON.parse(original);
    const w3 = before.windows[2];
    assert.equal(w3.number, 3);
    assert.equal(before.tokens.manager.m1, '王主任', 'the demo hall names its manager token');

    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/admin?token=a1`, { width: 1280, height: 800, errors });

    // The matters as the file has them; the file, its version, no previous one yet.
    await page.waitForFunction(n => document.querySelectorAll('#matters tbody tr').length === n,
      before.matters.length, { timeout: WAIT });
    assert.equal(await text(page, 'header h1 .sub'), '配置管理');
    assert.equal(await page.locator(field('matters[0].name')).inputValue(), before.matters[0].name);
    assert.match(await text(page, '#file'), new RegExp(`配置文件 ${conf.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(await text(page, '#file'), /尚无上一版本/);
    assert.equal(await page.locator('#save').isDisabled(), true, 'nothing to save yet');
    await shot(page, 'admin-1280-matters');

    // Window 3: ZX01 out of tier 1; a second tier (ZX01, BDC01) with an
    // overflow of 600 s; closed on Mondays, Saturdays 08:30–12:00.
    await page.click('#tabs [data-tab="windows"]');
    await page.click('#wlist li[data-i="2"]');
    await page.waitForSelector(field('windows[2]'), { timeout: WAIT });
    assert.match(await text(page, '#wedit h2'), /3号窗口/);
    const last = w3.tiers[0].length - 1;
    assert.equal(w3.tiers[0][last], 'ZX01');
    await page.click(`${field('windows[2].tiers[0]')} button[data-act="code-remove"][data-k="${last}"]`);
    await page.click('#wedit button[data-act="tier-add"]');
    await page.click(`${field('windows[2].tiers[1]')} button[data-act="code-add"]`);
    await type(page, field('windows[2].tiers[1][0]'), 'ZX01');
    await page.click(`${field('windows[2].tiers[1]')} button[data-act="code-add"]`);
    await type(page, field('windows[2].tiers[1][1]'), 'BDC01');
    await type(page, field('windows[2].overflow_s[1]'), '600');
    await page.selectOption(`${field('windows[2].hours.mon')} select`, 'closed');
    await page.selectOption(`${field('windows[2].hours.sat')} select`, 'periods');
    await type(page, field('windows[2].hours.sat[0][0]'), '08:30');
    await type(page, field('windows[2].hours.sat[0][1]'), '12:00');
    await page.waitForSelector('#dirty:not([hidden])', { timeout: WAIT });
    assert.equal(await page.locator('#wlist li[data-i="2"].changed').count(), 1);
    await shot(page, 'admin-1280-window');

    const tiers = [w3.tiers[0].slice(0, last), ['ZX01', 'BDC01']];
    const r1 = await save(page);
    assert.equal(r1.status, 200, JSON.stringify(r1.json));
    assert.deepEqual(r1.json.changed, ['windows']);
    assert.equal(r1.json.previous, `${conf}.prev`);
    assert.match(r1.json.version, /^[0-9a-f]{64}$/);
    await page.waitForSelector('#msg.msg-ok', { timeout: WAIT });
    assert.match(await text(page, '#msg'), /已保存/);
    assert.ok((await text(page, '#msg')).includes(`上一版本已保存为 ${conf}.prev`), await text(page, '#msg'));
    await page.waitForFunction(() => /上一版本 \S+\.prev/.test(document.getElementById('file').textContent), null, { timeout: WAIT });
    assert.equal(await page.locator('#dirty').isHidden(), true);

    // The hall has the new tiers; the file has them, and the rest as it was.
    const w = await hall.api('GET', '/api/windows/3', undefined, 'm1');
    assert.equal(w.status, 200);
    assert.deepEqual(w.json.window.tiers, tiers);
    const savedText = fs.readFileSync(conf, 'utf8');
    const saved = JSON.parse(savedText);
    assert.deepEqual(saved.windows[2].tiers, tiers);
    assert.deepEqual(saved.windows[2].overflow_s, [0, 600]);
    assert.deepEqual(saved.windows[2].hours, { mon: [], sat: [['08:30', '12:00']] });
    assert.deepEqual(saved.windows[3], before.windows[3]);
    for (const k of Object.keys(before).filter(k => k !== 'windows'))
      assert.deepEqual(saved[k], before[k], `${k} as it was`);
    assert.deepEqual(Object.keys(saved), Object.keys(before), 'the file\'s order');
    assert.deepEqual(Object.keys(saved.staffing.forecast.profile), Object.keys(before.staffing.forecast.profile),
      'an untouched section goes back as it came (keys "08" … "17" in their order)');
    assert.equal(fs.readFileSync(`${conf}.prev`, 'utf8'), original, 'the old file kept as .prev');
    assert.ok(savedText.includes('示范县政务服务中心'), 'Chinese as is, not \\u escapes');

    // A tier matter that does not exist: refused at its input, the daemon's
    // words next to it, the file unchanged.
    await type(page, field('windows[2].tiers[1][1]'), 'XX99');
    const r2 = await save(page);
    assert.equal(r2.status, 400);
    assert.equal(r2.json.error.code, 'bad_config');
    assert.equal(r2.json.error.field, 'windows[2].tiers[1][1]');
    const bad = field('windows[2].tiers[1][1]');
    await page.waitForSelector(`${bad}.field-bad`, { timeout: WAIT });
    assert.equal(await text(page, '.field-msg'), r2.json.error.message);
    assert.ok(await inView(page, bad), 'the refused input is scrolled into view');
    assert.ok(await inView(page, '.field-msg'), 'and its message');
    assert.equal(await page.evaluate(() => document.activeElement && document.activeElement.getAttribute('data-field')),
      'windows[2].tiers[1][1]');
    assert.match(await text(page, '#msg'), /保存被拒绝：windows\[2\]\.tiers\[1\]\[1\]：/);
    assert.equal(fs.readFileSync(conf, 'utf8'), savedText, 'the file is unchanged');
    await shot(page, 'admin-1280-refused-tier');

    // Hours "25:00" for the hall on Monday, found from another tab: the
    // page turns to the hall's hours and marks the time.
    await type(page, bad, 'BDC01');
    await page.click('#tabs [data-tab="matters"]');
    await page.click('#tabs [data-tab="hours"]');
    await type(page, field('hours.mon[0][0]'), '25:00');
    await page.click('#tabs [data-tab="matters"]');
    const r3 = await save(page);
    assert.equal(r3.status, 400);
    assert.equal(r3.json.error.code, 'bad_config');
    assert.ok(r3.json.error.field.startsWith('hours.mon'), r3.json.error.field);
    await page.waitForSelector('.field-bad', { timeout: WAIT });
    assert.equal(await page.locator('#sec-hours').isVisible(), true, 'the hours shown');
    const marked = await page.locator('.field-bad').first().getAttribute('data-field');
    assert.ok(r3.json.error.field === marked || r3.json.error.field.startsWith(marked),
      `marked ${marked} for ${r3.json.error.field}`);
    assert.equal(await text(page, '.field-msg'), r3.json.error.message);
    assert.ok(await inView(page, '.field-bad'));
    assert.equal(fs.readFileSync(conf, 'utf8'), savedText, 'the file is unchanged');
    await shot(page, 'admin-1280-refused-hours');
    await type(page, field('hours.mon[0][0]'), before.hours.mon[0][0]);

    // Someone else saves meanwhile (a matter's target): the page's save is
    // 409 config_changed and asks to read the file again; read, it shows theirs.
    const cur = await hall.api('GET', '/api/config', undefined, 'a1');
    assert.equal(cur.status, 200);
    const theirs = cur.json.config;
    theirs.matters[0].target_wait_s = 1500;
    const put = await hall.api('PUT', '/api/config', { config: theirs, version: cur.json.version }, 'a1');
    assert.equal(put.status, 200, JSON.stringify(put.json));
    await page.click('#tabs [data-tab="matters"]');
    await type(page, field('matters[1].service_s'), '700');
    const r4 = await save(page);
    assert.equal(r4.status, 409);
    assert.equal(r4.json.error.code, 'config_changed');
    await page.waitForSelector('#conflict:not([hidden])', { timeout: WAIT });
    await shot(page, 'admin-1280-conflict');
    await page.click('#conflict-reload');
    await page.waitForSelector('#conflict[hidden]', { state: 'attached', timeout: WAIT });
    await page.waitForFunction(f => document.querySelector(f) && document.querySelector(f).value === '1500',
      field('matters[0].target_wait_s'), { timeout: WAIT });
    assert.equal(await page.locator(field('matters[1].service_s')).inputValue(), String(before.matters[1].service_s));

    // A matter added: saved, in the hall's loads.
    await page.click('#matter-add');
    const n = before.matters.length;
    await type(page, field(`matters[${n}].code`), 'ZX02');
    await type(page, field(`matters[${n}].name`), '政策咨询');
    await type(page, field(`matters[${n}].prefix`), 'Y');
    await page.selectOption(field(`matters[${n}].domain`), 'ZX');
    await type(page, field(`matters[${n}].service_s`), '300');
    const r5 = await save(page);
    assert.equal(r5.status, 200, JSON.stringify(r5.json));
    assert.deepEqual(r5.json.changed, ['matters']);
    const hallNow = await hall.api('GET', '/api/hall', undefined, 'm1');
    assert.ok(hallNow.json.matters.some(m => m.code === 'ZX02' && m.name === '政策咨询'), 'the new matter is in force');
    const after5 = JSON.parse(fs.readFileSync(conf, 'utf8'));
    assert.deepEqual(after5.matters[n], { code: 'ZX02', name: '政策咨询', domain: 'ZX', prefix: 'Y', service_s: 300 });

    // A matter the windows still name, removed: refused at the first window
    // that names it — the page opens that window; read again, nothing lost.
    const zx = before.matters.findIndex(m => m.code === 'ZX01');
    await page.click(`${field(`matters[${zx}]`)} button[data-act="matter-remove"]`);
    const r7 = await save(page);
    assert.equal(r7.status, 400);
    assert.match(r7.json.error.field, /^windows\[(\d+)\]\.tiers\[\d+\]\[\d+\]$/);
    const wi = Number(/^windows\[(\d+)\]/.exec(r7.json.error.field)[1]);
    assert.notEqual(wi, 2, 'another window than the one open');
    await page.waitForSelector(`${field(r7.json.error.field)}.field-bad`, { timeout: WAIT });
    assert.equal(await page.locator('#sec-windows').isVisible(), true);
    assert.equal(await page.locator(`#wlist li[data-i="${wi}"].sel`).count(), 1, 'its window chosen');
    assert.equal(await page.locator(field(r7.json.error.field)).inputValue(), 'ZX01');
    assert.equal(await text(page, '.field-msg'), r7.json.error.message);
    assert.ok(await inView(page, field(r7.json.error.field)));
    await shot(page, 'admin-1280-refused-matter');
    page.once('dialog', d => d.accept());	// 放弃未保存的修改？
    await page.click('#reload');
    await page.waitForFunction(n => document.querySelectorAll('#matters tbody tr').length === n,
      before.matters.length + 1, { timeout: WAIT });
    await page.waitForSelector('#dirty[hidden]', { state: 'attached', timeout: WAIT });

    // The tokens: names and counts, never a token; sent back as they were.
    await page.click('#tabs [data-tab="tokens"]');
    const tok = await text(page, '#tokens');
    assert.match(tok, /王主任/);
    assert.match(tok, /信息科李工/);
    assert.doesNotMatch(tok, /\b(m1|a1|k1|k2|d1|c-all|portal1|hotline1|e1|c1)\b/, 'no token shown');
    assert.doesNotMatch(await page.evaluate(() => document.body.innerText), /\b(m1|a1|d1|portal1)\b/);
    assert.deepEqual(after5.tokens, before.tokens, 'the tokens as they were');
    await shot(page, 'admin-1280-tokens');

    // Every tab fits 1280 px: nothing sideways.
    for (const tab of ['matters', 'windows', 'hours', 'classes', 'tokens']) {
      await page.click(`#tabs [data-tab="${tab}"]`);
      if (tab === 'classes') await shot(page, 'admin-1280-classes');
      const wide = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
      assert.ok(wide <= 0, `${tab}: the page scrolls sideways by ${wide} px at 1280`);
    }

    // The big screen, Chinese: the windows.
    const big = await openPage(b, `${hall.base}/admin?token=a1&lang=zh`, { width: 1920, height: 1080, errors });
    await big.waitForSelector('#matters tbody tr', { timeout: WAIT });
    await big.click('#tabs [data-tab="windows"]');
    await big.click('#wlist li[data-i="24"]');	// window 25: two tiers of 23, classes
    await big.waitForSelector(field('windows[24].tiers[1]'), { timeout: WAIT });
    await shot(big, 'admin-1920-window');
    await big.click('#tabs [data-tab="hours"]');
    await shot(big, 'admin-1920-hours');

    // English.
    const en = await openPage(b, `${hall.base}/admin?token=a1&lang=en`, { width: 1920, height: 1080, errors });
    await en.waitForSelector('#matters tbody tr', { timeout: WAIT });
    assert.equal(await text(en, 'header h1 .sub'), 'Configuration');
    assert.equal(await text(en, '#tabs [data-tab="windows"]'), 'Windows');
    assert.equal(await text(en, '#save'), 'Save');
    assert.match(await text(en, '#hall-name'), /Demo County Government Service Centre/);
    await en.click('#tabs [data-tab="windows"]');
    await en.click('#wlist li[data-i="2"]');
    assert.match(await text(en, '#wedit h2'), /Window 3/);
    assert.equal(await text(en, `${field('windows[2].tiers[0]')} .tier-head b`), 'Tier 1');
    await type(en, field('windows[2].tiers[0][0]'), 'NOPE');
    const r6 = await save(en);
    assert.equal(r6.status, 400);
    await en.waitForSelector(`${field('windows[2].tiers[0][0]')}.field-bad`, { timeout: WAIT });
    assert.equal(await text(en, '.field-msg'), r6.json.error.message);
    assert.match(await text(en, '#msg'), /^Not saved: windows\[2\]\.tiers\[0\]\[0\]: /);
    await shot(en, 'admin-1920-en');
    await en.click('#lang');
    assert.equal(await text(en, 'header h1 .sub'), '配置管理');
    assert.equal(await en.locator(field('windows[2].tiers[0][0]')).inputValue(), 'NOPE', 'the edit kept across languages');
    assert.equal(await en.locator(`${field('windows[2].tiers[0][0]')}.field-bad`).count(), 1, 'and the refusal at its field');

    assert.deepEqual(unexpected(errors, [400, 409]), []);
    await b.close();
    b = null;
    await hall.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
  }
});

test('admin: a manager token is refused; no token asks for one', async () => {
  const hall = new DemoHall();
  let b;
  try {
    await hall.start();
    b = await browser();
    const errors = [];
    const page = await openPage(b, `${hall.base}/admin?token=m1`, { width: 1280, height: 800, errors });
    await page.waitForSelector('#role-msg:not([hidden])', { timeout: WAIT });
    assert.match(await text(page, '#role-msg'), /admin/);
    const none = await openPage(b, `${hall.base}/admin`, { width: 1280, height: 800, errors });
    await none.waitForSelector('#token-form:not([hidden])', { timeout: WAIT });
    assert.deepEqual(unexpected(errors, [403]), []);
    await b.close();
    b = null;
    await hall.stop();
  } finally {
    if (b) await b.close();
    hall.cleanup();
  }
});

test('every character of /admin is in the served font', () => {
  const charsFile = path.join(ROOT, 'web', 'fonts', 'hallq-sc.woff2.chars');
  assert.ok(fs.existsSync(charsFile), `${charsFile} is missing: run make`);
  const have = new Set(fs.readFileSync(charsFile, 'utf8').split('\n')
    .filter(l => /^[0-9A-F]+$/i.test(l.trim())).map(l => parseInt(l, 16)));
  const missing = new Set();
  for (const f of ['admin.html', 'admin.js', 'admin.css', 'lib/config-edit.js', 'lib/text.js', 'lib/dashboard-logic.js'])
    for (const ch of fs.readFileSync(path.join(ROOT, 'web', f), 'utf8'))
      if (ch.codePointAt(0) >= 0x80 && !have.has(ch.codePointAt(0)))
        missing.add(`${f}: ${ch} U+${ch.codePointAt(0).toString(16).toUpperCase()}`);
  assert.deepEqual([...missing], []);
});
