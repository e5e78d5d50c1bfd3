import { SqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import type { TestServer } from '../../helpers/test-server.js';

/** The server's own SQLite connection (tests of storage faults drive it directly). */
export const storeOf = (s: TestServer): SqliteEventStore => sqliteStoreOf(s.running.engine.store);

/** The engine's store as the SQLite one it is in these tests (no LATCHKEY_DATABASE_URL). */
export const sqliteStoreOf = (store: unknown): SqliteEventStore => {
  if (!(store instanceof SqliteEventStore)) throw new Error('expected the SQLite store');
  return store;
};

/**
 * Counts the argon2 verifications the server starts, by wrapping its password hasher (the real one still runs:
 * nothing is mocked). "No argon2 work" (docs/security.md §21, §25) is then an exact count, not a timing guess.
 */
export const countArgon2 = (s: TestServer): { verifies: () => number; hashes: () => number } => {
  const hasher = s.running.engine.hasher;
  const verify = hasher.verify.bind(hasher);
  const hash = hasher.hash.bind(hasher);
  let verifies = 0;
  let hashes = 0;
  hasher.verify = (phc, password) => {
    verifies++;
    return verify(phc, password);
  };
  hasher.hash = (password) => {
    hashes++;
    return hash(password);
  };
  return { verifies: () => verifies, hashes: () => hashes };
};
