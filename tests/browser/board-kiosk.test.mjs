// tests/browser/board-kiosk.test.mjs — tools/board-kiosk, the TV's launcher:
// the chromium command it would run (--print), from an argument or an env
// file, with the flags the board needs to speak without a tap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './lib.mjs';

const KIOSK = path.join(ROOT, 'tools', 'board-kiosk');

function run(args, env = {}) {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-kiosk-'));
  try {
    const r = spawnSync('sh', [KIOSK, ...args], {
      encoding: 'utf8', env: { PATH: process.env.PATH, HOME: home, ...env },
    });
    return { ...r, home };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}

test('board-kiosk: chromium in kiosk mode, sound allowed, the board with its token', () => {
  const r = run(['--print', 'http://10.0.0.2:8080/board?token=d1']);
  assert.equal(r.status, 0, r.stderr);
  const argv = r.stdout.trim().split(' ');
  assert.equal(argv[0], '/usr/bin/chromium');
  for (const f of ['--kiosk', '--autoplay-policy=no-user-gesture-required', '--noerrdialogs',
    '--disable-translate', '--no-first-run', '--disable-background-networking'])
    assert.ok(argv.includes(f), f);
  assert.ok(argv.includes(`--user-data-dir=${r.home}/.local/state/hallq-board`), r.stdout);
  assert.equal(argv[argv.length - 1], 'http://10.0.0.2:8080/board?token=d1');
});

test('board-kiosk: the URL and token from an env file; no URL is an error', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hallq-kiosk-env-'));
  try {
    const env = path.join(dir, 'board.env');
    fs.writeFileSync(env, 'HALLQ_BOARD_URL=http://10.0.0.2:8080/board\nHALLQ_BOARD_TOKEN=d1\n' +
      'HALLQ_BOARD_LANG=en\nHALLQ_BOARD_PROFILE=/var/lib/hallq-board\n');
    const r = run(['--print'], { HALLQ_BOARD_ENV: env });
    assert.equal(r.status, 0, r.stderr);
    const argv = r.stdout.trim().split(' ');
    assert.equal(argv[argv.length - 1], 'http://10.0.0.2:8080/board?token=d1&lang=en');
    assert.ok(argv.includes('--user-data-dir=/var/lib/hallq-board'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const none = run(['--print']);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /no board URL/);
});
