import * as assert from 'uvu/assert';
import type { Reply } from '../../helpers/http.js';
import type { TestServer } from '../../helpers/test-server.js';
import { streamEvents } from './audit-events.js';
import { logThrough } from './server-log.js';

/*
 * The leak checks (ASVS v5 16.2.5: no password, code, token or seed in answers, events or logs), and `redact`, so
 * that the test output holds none of them either.
 */

const contains = (text: string, secret: string): boolean =>
  // A code is all digits: only a standalone occurrence counts, so a timestamp that happens to contain it is not a hit.
  /^\d+$/.test(secret) ? new RegExp(`(?<![0-9])${secret}(?![0-9])`).test(text) : text.includes(secret);

/** Fails naming only where and what kind of secret, never the secret itself (test output must not hold it either). */
export const assertAbsent = (where: string, text: string, secrets: readonly string[]): void => {
  secrets.forEach((secret, i) => {
    if (secret.length === 0) return;
    assert.ok(!contains(text, secret), `${where} holds secret #${i} (${/^\d+$/.test(secret) ? 'a code' : `${secret.length} chars`})`);
  });
};

/**
 * ASVS v4 7.1.1 / v5 16.2.5: none of `secrets` is in the answers where they have no business (`replies`), in the
 * events of `streams`, or in the server log (read through a fresh request).
 */
export const assertNoLeak = async (
  s: TestServer,
  opts: { secrets: readonly string[]; replies?: readonly Reply[]; streams?: readonly string[] },
): Promise<void> => {
  const replies = opts.replies ?? [];
  replies.forEach((r, i) => assertAbsent(`answer #${i}`, r.text, opts.secrets));
  for (const stream of opts.streams ?? []) assertAbsent(`events of ${stream}`, JSON.stringify(await streamEvents(s, stream)), opts.secrets);
  const last = await s.call('GET', '/healthz');
  assertAbsent('server log', await logThrough(s, last), opts.secrets);
};

/**
 * A response text fit for a failure message: JWTs, `<id>.<secret>` bearer tokens, base32 seeds, otpauth URIs and
 * 6–8 digit codes are masked (test output never shows a token, a seed or a code).
 */
export const redact = (text: unknown): string =>
  String(typeof text === 'string' ? text : JSON.stringify(text))
    .replace(/eyJ[\w-]*\.[\w-]*\.[\w-]*/g, '<jwt>')
    .replace(/[0-9a-f-]{36}\.[\w-]{20,}/g, '<token>')
    .replace(/otpauth:\/\/[^"\s]*/g, '<otpauth>')
    .replace(/\b[A-Z2-7]{16,}\b/g, '<seed>')
    .replace(/\b\d{6,8}\b/g, '<code>')
    .slice(0, 300);
