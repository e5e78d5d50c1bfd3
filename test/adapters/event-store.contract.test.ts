import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore } from '../../adapters/memory/in-memory-event-store.js';
import { openSqliteEventStore } from '../../adapters/sqlite/sqlite-event-store.js';
import { eventStoreContract } from './event-store-contract.js';

eventStoreContract('in-memory', () => new InMemoryEventStore());

eventStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
  const store = openSqliteEventStore(join(dir, 'events.db'));
  return {
    load: (kind, id) => store.load(kind, id),
    accountIdByUsername: (username) => store.accountIdByUsername(username),
    append: (request) => store.append(request),
    read: (query) => store.read(query),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// What the server runs: the appends of one turn of the event loop share one transaction and one commit.
eventStoreContract('sqlite with group commit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
  const store = openSqliteEventStore(join(dir, 'events.db'), { groupCommit: true });
  return {
    load: (kind, id) => store.load(kind, id),
    accountIdByUsername: (username) => store.accountIdByUsername(username),
    append: (request) => store.append(request),
    read: (query) => store.read(query),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
