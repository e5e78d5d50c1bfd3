import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryEventStore } from '../../adapters/memory/in-memory-event-store.js';
import { createEventWriterPool } from '../../adapters/sqlite/event-writer-pool.js';
import { openSqliteEventStore } from '../../adapters/sqlite/sqlite-event-store.js';
import { uts39UsernameLooks } from '../../adapters/unicode/uts39-username-looks.js';
import { openPostgresEventStore } from '../../adapters/postgres/postgres-event-store.js';
import type { EventStore } from '../../core/ports/event-store.js';
import { startThrowawayPostgres } from '../helpers/throwaway-postgres.js';
import { eventStoreContract } from './event-store-contract.js';

eventStoreContract('in-memory', () => new InMemoryEventStore(uts39UsernameLooks));

eventStoreContract('sqlite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
  const store = openSqliteEventStore(join(dir, 'events.db'));
  return {
    load: (kind, id) => store.load(kind, id),
    accountIdByUsername: (username) => store.accountIdByUsername(username),
    accountByUsername: (username) => store.accountByUsername(username),
    challengeAndAccount: (id) => store.challengeAndAccount(id),
    append: (request) => store.append(request),
    read: (query) => store.read(query),
    close: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// What the server runs: every append goes through the writer thread (group commit on its own connection).
eventStoreContract('sqlite through the writer thread', () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-contract-'));
  const path = join(dir, 'events.db');
  const writer = createEventWriterPool({ path, busyTimeoutMs: 5000, maxPages: 0 });
  const store = openSqliteEventStore(path, { appender: writer.append });
  return {
    load: (kind, id) => store.load(kind, id),
    accountIdByUsername: (username) => store.accountIdByUsername(username),
    accountByUsername: (username) => store.accountByUsername(username),
    challengeAndAccount: (id) => store.challengeAndAccount(id),
    append: (request) => store.append(request),
    read: (query) => store.read(query),
    close: async () => {
      await writer.close();
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

// A real PostgreSQL cluster of this file's own (stopped and removed at exit); every store a fresh database on it.
const postgres = await startThrowawayPostgres();
let databases = 0;
eventStoreContract('postgresql', () => {
  const opened = postgres.database(`contract_${++databases}`).then((url) => openPostgresEventStore(url));
  const use = <T>(f: (store: EventStore) => Promise<T>): Promise<T> => opened.then(f);
  return {
    load: (kind, id) => use((store) => store.load(kind, id)),
    accountIdByUsername: (username) => use((store) => store.accountIdByUsername(username)),
    accountByUsername: (username) => use((store) => store.accountByUsername(username)),
    challengeAndAccount: (id) => use((store) => store.challengeAndAccount(id)),
    append: (request) => use((store) => store.append(request)),
    read: (query) => use((store) => store.read(query)),
    close: () => opened.then((store) => store.close()),
  };
});
