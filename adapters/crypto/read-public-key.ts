import { type KeyObject, createPublicKey } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The public half of a data dir's signing key, or null when it has none (a tool never makes one). */
export const readPublicKey = (dataDir: string): KeyObject | null => {
  const path = join(dataDir, 'signing-key.pem');
  return existsSync(path) ? createPublicKey(readFileSync(path, 'utf8')) : null;
};
