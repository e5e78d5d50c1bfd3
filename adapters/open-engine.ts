import { createPublicKey } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { type Latchkey, createLatchkey } from '../core/app/latchkey.js';
import type { Clock } from '../core/ports/clock.js';
import type { PasswordHasher } from '../core/ports/password-hasher.js';
import type { Config } from './config.js';
import { AesGcmSecretBox } from './crypto/aes-gcm-secret-box.js';
import { type CryptoPool, createCryptoPool } from './crypto/crypto-pool.js';
import { EddsaTokenSigner } from './crypto/eddsa-token-signer.js';
import { keyId } from './crypto/key-id.js';
import { loadOrCreateKeys } from './crypto/keys.js';
import { NodeDigest } from './crypto/node-digest.js';
import { nodeRandom } from './crypto/node-random.js';
import { OtplibTotpVerifier } from './crypto/otplib-totp-verifier.js';
import { PoolPasswordHasher } from './crypto/pool-password-hasher.js';
import { systemClock } from './crypto/system-clock.js';
import { assertLogReachesCheckpoint } from './sqlite/assert-log-reaches-checkpoint.js';
import { checkpointPath } from './sqlite/checkpoint-file.js';
import { createEventWriterPool } from './sqlite/event-writer-pool.js';
import { type SqliteEventStore, openSqliteEventStore } from './sqlite/sqlite-event-store.js';
import { InMemoryThrottle } from './throttle/in-memory-throttle.js';
import { uts39UsernameLooks } from './unicode/uts39-username-looks.js';
import { RefusalTally } from '../core/throttle/refusal-tally.js';

export interface Engine {
  readonly latchkey: Latchkey;
  readonly pool: CryptoPool;
  readonly store: SqliteEventStore;
  /** The argon2 hasher the engine verifies with (tests count its calls). */
  readonly hasher: PasswordHasher;
  readonly adminKey: string;
  readonly adminKeyCreated: boolean;
  /**
   * Once the pool is warm: hashing threads drop to the lowest priority; the event loop (which checks TOTP codes) and
   * the log's writer thread keep theirs (a login's answer waits for its commit, which must not queue behind argon2).
   */
  lowerHashingPriority(): Promise<number>;
  close(): Promise<void>;
}

export const databasePath = (config: Config): string => join(config.dataDir, 'latchkey.db');

/** The engine over the data dir: keys, the SQLite log, the worker pools. Shared by the server and the CLI. */
export const openEngine = async (config: Config, clock: Clock = systemClock): Promise<Engine> => {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const keys = await loadOrCreateKeys(config.dataDir, { LATCHKEY_SECRET_KEY: config.secretKey, LATCHKEY_ADMIN_KEY: config.adminKey });
  const path = databasePath(config);
  const publicKey = createPublicKey(keys.signingKey);
  const checkpoint = { path: checkpointPath(path), keyPem: keys.signingKey.export({ format: 'pem', type: 'pkcs8' }).toString(), kid: await keyId(publicKey), intervalMs: config.checkpointIntervalMs };
  // This connection migrates and serves reads; the writer thread's own connection makes every append (sqlite/event-writer-thread.ts).
  const writer = createEventWriterPool({ path, busyTimeoutMs: config.busyTimeoutMs, maxPages: config.maxDatabasePages, checkpoint });
  const store = openSqliteEventStore(path, { busyTimeoutMs: config.busyTimeoutMs, appender: writer.append });
  const pool = createCryptoPool(config.argon2MaxQueue > 0 ? { maxQueue: config.argon2MaxQueue } : {});
  try {
    assertLogReachesCheckpoint(store.db, checkpoint.path, publicKey);
    await writer.checkpoint();
    const hasher = await PoolPasswordHasher.create(pool, config.policy.argon2);
    const latchkey = createLatchkey({
      policy: config.policy,
      store,
      clock,
      random: nodeRandom,
      hasher,
      totp: new OtplibTotpVerifier(),
      box: new AesGcmSecretBox(keys.sealKey),
      digest: new NodeDigest(keys.hmacKey),
      signer: await EddsaTokenSigner.create(keys.signingKey, 'latchkey'),
      issuer: config.issuer,
      // As many attempts of one address may wait for a token as the argon2 queue holds (docs/security.md §21).
      throttle: new InMemoryThrottle(config.policy.throttle, { maxWaiters: pool.stats().argon2MaxQueue }),
      looks: uts39UsernameLooks,
      refusals: new RefusalTally(),
    });
    return {
      latchkey,
      pool,
      store,
      hasher,
      adminKey: keys.adminKey,
      adminKeyCreated: keys.adminKeyCreated,
      lowerHashingPriority: async () => {
        const writerThread = await writer.threadId();
        return pool.lowerHashingPriority(writerThread === null ? [] : [writerThread]);
      },
      close: async () => {
        await Promise.all([pool.close(), writer.close()]);
        store.close();
      },
    };
  } catch (err) {
    await Promise.all([pool.close(), writer.close()]);
    store.close();
    throw err;
  }
};
