import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { derive, parseSecretKey } from './keys.js';

/**
 * The HMAC key of a data dir (what keys unknown-user streams), read and never made: `latchkey audit` must not
 * create a secret next to a log it only reads. Null when there is none (no LATCHKEY_SECRET_KEY, no secret.key).
 * Derived as loadOrCreateKeys derives it (test/adapters/cli/audit-command.test.ts checks the two agree).
 */
export const readHmacKey = (dataDir: string, secretKey: string | undefined): Buffer | null => {
  if (secretKey) return derive(parseSecretKey(secretKey), 'latchkey hmac v1');
  const path = join(dataDir, 'secret.key');
  return existsSync(path) ? derive(parseSecretKey(readFileSync(path, 'utf8')), 'latchkey hmac v1') : null;
};
