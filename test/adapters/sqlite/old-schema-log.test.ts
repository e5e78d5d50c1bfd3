import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { chainHash, genesisHash } from '../../../adapters/event-log/chain-hash.js';
import type { EventTuple } from '../../../adapters/event-log/event-tuple.js';
import { replayProjections } from '../../../adapters/sqlite/replay-projections.js';
import { openSqliteEventStore } from '../../../adapters/sqlite/sqlite-event-store.js';
import { verifyChain } from '../../../adapters/sqlite/verify-chain.js';

/**
 * A log written before DeviceRemembered's schema 2: the event row at schema 1 and the device's projection row in
 * the shape that version stored (`epoch`). The store, replay and verify must all read it as today's.
 */
const test = suite('a log with schema 1 events');

test('a v1 DeviceRemembered row and its v1 projection read as v2 everywhere', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-v1-'));
  const path = join(dir, 'old.db');
  try {
    const store = openSqliteEventStore(path);
    const meta = JSON.stringify({ requestId: 'r-1', ip: '192.0.2.1', dialect: 'native', userAgent: null });
    const data = JSON.stringify({ selector: 'sel-1', accountId: 'acc-1', validatorHash: 'vh-1', expiresAt: 2_000_000_000_000, epoch: 2 });
    const row: EventTuple = [1, 'cmd-1:0', 'device-sel-1', 1, 'DeviceRemembered', 1, data, meta, 1_700_000_000_000];
    store.db.prepare('INSERT INTO events (seq, id, stream, version, type, schema, data, meta, at, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(...row, chainHash(genesisHash, row));
    const v1State = { status: 'active', selector: 'sel-1', accountId: 'acc-1', validatorHash: 'vh-1', expiresAt: 2_000_000_000_000, epoch: 2, rotations: 0 };
    store.db.prepare("INSERT INTO projections (stream, kind, version, state) VALUES ('device-sel-1', 'device', 1, ?)").run(JSON.stringify(v1State));

    const loaded = await store.load('device', 'sel-1');
    assert.is(loaded.state.status === 'active' && loaded.state.credentials, 2);
    const [event] = await store.read({ after: 0, limit: 10 });
    assert.is(event!.schema, 1, 'the row keeps the version it was written at');
    assert.equal(event!.data, { selector: 'sel-1', accountId: 'acc-1', validatorHash: 'vh-1', expiresAt: 2_000_000_000_000, credentials: 2 });

    // A rotation appended today folds onto the old row.
    await store.append({
      commandId: 'cmd-2',
      writes: [{ kind: 'device', id: 'sel-1', expectedVersion: 1, events: [{ type: 'DeviceRotated', data: { validatorHash: 'vh-2' } }] }],
      meta: JSON.parse(meta),
      at: 1_700_000_001_000,
    });
    const rotated = await store.load('device', 'sel-1');
    assert.equal(rotated.state, { status: 'active', selector: 'sel-1', accountId: 'acc-1', validatorHash: 'vh-2', expiresAt: 2_000_000_000_000, rotations: 1, credentials: 2 });
    store.close();

    const replay = replayProjections(path);
    assert.ok(replay.equal, replay.differences.join('\n'));
    assert.is(replay.events, 2);
    assert.ok(verifyChain(path).ok);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
