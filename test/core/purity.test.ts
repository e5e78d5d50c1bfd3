import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { purityViolations } from './purity-violations.js';

/**
 * docs/style.md §1 and §6, docs/design.md "Shape": core/ is pure. Read from the source tree (this file runs from
 * dist/test/core/, so the repository's core/ is three levels up), never from the compiled output.
 */
const t = suite('core purity');
const coreRoot = fileURLToPath(new URL('../../../core/', import.meta.url));

const tsFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );

t('core/ is where we think it is and has the deciders in it', () => {
  const files = tsFiles(coreRoot);
  for (const f of ['decider.ts', 'account/decide.ts', 'challenge/decide.ts', 'session/decide.ts', 'device/decide.ts', 'app/latchkey.ts']) {
    assert.ok(files.includes(join(coreRoot, f)), `core/${f} missing: is the source tree next to dist/?`);
  }
});

t('no core file imports node:*, a package, adapters/ or workers/, or reads the clock or randomness', () => {
  const violations = tsFiles(coreRoot).flatMap((f) => purityViolations(readFileSync(f, 'utf8'), f, coreRoot));
  assert.equal(violations, []);
});

// The checker must be able to fail: each bad sample is caught, each good one passes.
const at = join(coreRoot, 'account', 'sample.ts');
const bad: readonly (readonly [string, string])[] = [
  ['node builtin', "import { randomBytes } from 'node:crypto';"],
  ['bare node builtin', "import fs from 'fs';"],
  ['koa', "import Koa from 'koa';"],
  ['better-sqlite3 type', "import type { Database } from 'better-sqlite3';"],
  ['piscina', "import { Piscina } from 'piscina';"],
  ['argon2', "import * as argon2 from 'argon2';"],
  ['otplib', "export { verifySync } from 'otplib';"],
  ['jose', "import { jwtVerify } from 'jose';"],
  ['pino', "import pino from 'pino';"],
  ['ws', "import { WebSocket } from 'ws';"],
  ['qrcode', "import 'qrcode';"],
  ['adapters/', "import { systemClock } from '../../adapters/crypto/system-clock.js';"],
  ['workers/', "import type { HashTask } from '../../workers/crypto-tasks.js';"],
  ['dynamic import', "const m = await import('node:fs');"],
  ['import type expression', "type T = import('../../adapters/config.js').Config;"],
  ['require', "const fs = require('fs');"],
  ['Date.now()', 'export const now = () => Date.now();'],
  ['Date.now passed along', 'export const clock = { now: Date.now };'],
  ['new Date()', 'export const d = new Date();'],
  ['new Date(x)', 'export const d = (x: number) => new Date(x).toISOString();'],
  ['Math.random()', 'export const r = Math.random();'],
  ['crypto.randomUUID()', 'export const id = crypto.randomUUID();'],
  ['globalThis.crypto.randomUUID()', 'export const id = globalThis.crypto.randomUUID();'],
  ['process.env', 'export const port = process.env.PORT;'],
];
for (const [name, sample] of bad) {
  t(`the checker catches: ${name}`, () => {
    assert.ok(purityViolations(sample, at, coreRoot).length > 0, sample);
  });
}

t('the checker passes pure code, including comments and strings that mention the forbidden calls', () => {
  const sample = [
    "import type { Policy } from '../policy.js';",
    "import { lockDuration } from './lock-duration.js';",
    "export { fold } from '../decider.js';",
    '// never Date.now() here: time is an input',
    "/** not new Date(), not Math.random(), not import('node:fs') */",
    "export const note = 'Date.now() and crypto.randomUUID() are adapters\\' business';",
    'export const later = (now: number) => now + 1;',
  ].join('\n');
  assert.equal(purityViolations(sample, at, coreRoot), []);
});

t.run();
