import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { keyId } from '../adapters/crypto/key-id.js';
import { PostgresCheckpoints } from '../adapters/postgres/postgres-checkpoints.js';
import { openPostgresEventStore } from '../adapters/postgres/postgres-event-store.js';
import type { AppendRequest } from '../core/ports/event-store.js';
import { startThrowawayPostgres } from '../test/helpers/throwaway-postgres.js';
import { median, round } from './stats.js';

/*
 * What a PostgreSQL node's signed checkpoints (docs/security.md §34) cost its writer: appends through the store alone
 * (no HTTP, no argon2) from 8 concurrent callers, without checkpoints, at 250 ms and after every batch (interval 0),
 * in alternating rounds on one throwaway cluster. `node dist/bench/postgres-checkpoint-cost.js [appends] [rounds]`.
 */
const appends = Number(process.argv[2] ?? 3000);
const rounds = Number(process.argv[3] ?? 3);
const callers = 8;
const meta = { requestId: 'bench', ip: '192.0.2.1', dialect: 'native' as const, userAgent: 'bench' };
const request = (run: string, i: number): AppendRequest => ({
  commandId: `${run}-${i}`,
  at: 1_700_000_000_000 + i,
  meta,
  writes: [{ kind: 'probe', id: `${run}-${i}`, expectedVersion: 0, events: [{ type: 'UnknownUserAttempted', data: { attempts: 1 } }] }],
});

const postgres = await startThrowawayPostgres();
const dir = mkdtempSync(join(tmpdir(), 'latchkey-pg-checkpoint-cost-'));
const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const kid = await keyId(publicKey);
const results = new Map<string, { perSecond: number[]; p50: number[]; p99: number[]; hookUs: number[] }>();
let databases = 0;
try {
  for (let pass = 0; pass < rounds; pass++) {
    for (const interval of [null, 250, 0] as const) {
      const label = interval === null ? 'none' : `${interval} ms`;
      const url = await postgres.database(`cost${++databases}`);
      let checkpoints: PostgresCheckpoints | null = null;
      let hookMs = 0;
      let batches = 0;
      const store = await openPostgresEventStore(url, {
        onCommitted: (seq, hash) => {
          const t = performance.now();
          checkpoints?.committed(seq, hash);
          hookMs += performance.now() - t;
          batches++;
        },
      });
      if (interval !== null) {
        checkpoints = new PostgresCheckpoints(store.pool, { path: join(dir, `${databases}.checkpoint.json`), key: privateKey, kid, intervalMs: interval });
        await checkpoints.anchor();
      }
      const latencies: number[] = [];
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: callers }, async () => {
          while (next < appends) {
            const i = next++;
            const started = performance.now();
            await store.append(request(label, i));
            latencies.push(performance.now() - started);
          }
        }),
      );
      const seconds = (performance.now() - t0) / 1000;
      await checkpoints?.close();
      await store.close();
      latencies.sort((a, b) => a - b);
      const r = results.get(label) ?? { perSecond: [], p50: [], p99: [], hookUs: [] };
      r.perSecond.push(Math.round(appends / seconds));
      r.p50.push(round(latencies[Math.floor(latencies.length / 2)]!, 2));
      r.p99.push(round(latencies[Math.floor(latencies.length * 0.99)]!, 2));
      r.hookUs.push(round((hookMs * 1000) / Math.max(1, batches), 2));
      results.set(label, r);
    }
  }
  for (const [label, r] of results) {
    process.stdout.write(`checkpoints ${label}: ${r.perSecond.join(', ')} appends/s (median ${median(r.perSecond)}); p50 ${r.p50.join(', ')} ms; p99 ${r.p99.join(', ')} ms; hook ${r.hookUs.join(', ')} µs a batch\n`);
  }
} finally {
  postgres.destroy();
  rmSync(dir, { recursive: true, force: true });
}
