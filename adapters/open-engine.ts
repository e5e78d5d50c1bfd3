import { mkdirSync } from 'node:fs';
import { type Latchkey, createLatchkey } from '../core/app/latchkey.js';
import type { Clock } from '../core/ports/clock.js';
import type { PasswordHasher } from '../core/ports/password-hasher.js';
import type { Config } from './config.js';
import { AesGcmSecretBox } from './crypto/aes-gcm-secret-box.js';
import { type CryptoPool, type CryptoPoolOptions, createCryptoPool } from './crypto/crypto-pool.js';
import { EddsaTokenSigner } from './crypto/eddsa-token-signer.js';
import { loadOrCreateKeys } from './crypto/keys.js';
import { NodeDigest } from './crypto/node-digest.js';
import { nodeRandom } from './crypto/node-random.js';
import { PoolPasswordHasher } from './crypto/pool-password-hasher.js';
import { PoolTotpVerifier } from './crypto/pool-totp-verifier.js';
import { systemClock } from './crypto/system-clock.js';
import type { EventStore } from '../core/ports/event-store.js';
import { openLogStore } from './open-log-store.js';
import { SmtpOutbox } from './mail/smtp-outbox.js';
import { uts39UsernameLooks } from './unicode/uts39-username-looks.js';
import { RefusalTally } from '../core/throttle/refusal-tally.js';

export interface Engine {
  readonly latchkey: Latchkey;
  readonly pool: CryptoPool;
  readonly store: EventStore;
  /** The e-mail outbox; null when no SMTP server is configured. */
  readonly outbox: SmtpOutbox | null;
  /** The last seq appended (a gauge). */
  lastSeq(): number;
  /** The argon2 hasher the engine verifies with (tests count its calls). */
  readonly hasher: PasswordHasher;
  readonly adminKey: string;
  readonly adminKeyCreated: boolean;
  /**
   * Once the pool is warm: hashing threads drop to the lowest priority; the event loop, the pool's worker threads
   * (which check TOTP codes) and the log's writer thread keep theirs (a login's answer waits for its commit and its
   * code check, which must not queue behind argon2).
   */
  lowerHashingPriority(): Promise<number>;
  close(): Promise<void>;
}

/** What the server times inside the engine (its /metrics histograms), in seconds. */
export interface EngineTimings {
  readonly argon2?: CryptoPoolOptions['observeArgon2'];
  readonly totp?: CryptoPoolOptions['observeTotp'];
  readonly commit?: (seconds: number) => void;
}

/** The engine over the data dir: keys, the log (open-log-store.ts), the worker pools. Shared by the server and the CLI. */
export const openEngine = async (config: Config, clock: Clock = systemClock, timings: EngineTimings = {}): Promise<Engine> => {
  mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  const keys = await loadOrCreateKeys(config.dataDir, { LATCHKEY_SECRET_KEY: config.secretKey, LATCHKEY_ADMIN_KEY: config.adminKey });
  const log = await openLogStore(config, keys.signingKey, timings.commit);
  const { store } = log;
  const pool = createCryptoPool({ ...(config.argon2MaxQueue > 0 ? { maxQueue: config.argon2MaxQueue } : {}), observeArgon2: timings.argon2, observeTotp: timings.totp });
  try {
    await log.anchorHead();
    const hasher = await PoolPasswordHasher.create(pool, config.policy.argon2);
    const outbox = config.mail === undefined ? null : new SmtpOutbox({ config: config.mail, issuer: config.issuer, node: config.nodeName, now: () => clock.now() });
    const latchkey = createLatchkey({
      policy: config.policy,
      store,
      clock,
      random: nodeRandom,
      hasher,
      totp: new PoolTotpVerifier(pool),
      box: new AesGcmSecretBox(keys.sealKey),
      digest: new NodeDigest(keys.hmacKey),
      signer: await EddsaTokenSigner.create(keys.signingKey, 'latchkey'),
      issuer: config.issuer,
      // As many attempts of one address may wait for a token as the argon2 queue holds (docs/security.md §21).
      throttle: log.throttle(config.policy.throttle, { maxWaiters: pool.stats().argon2MaxQueue }),
      looks: uts39UsernameLooks,
      refusals: new RefusalTally(),
      mail: outbox,
    });
    outbox?.attach((stream, codeId, outcome) => latchkey.recordMailDelivery(stream, codeId, outcome));
    return {
      latchkey,
      pool,
      store,
      outbox,
      lastSeq: () => log.lastSeq(),
      hasher,
      adminKey: keys.adminKey,
      adminKeyCreated: keys.adminKeyCreated,
      lowerHashingPriority: async () => {
        return pool.lowerHashingPriority(await log.keepPriority());
      },
      close: async () => {
        // Deliveries under way record their outcome before the log closes.
        await outbox?.close();
        await Promise.all([pool.close(), log.close()]);
      },
    };
  } catch (err) {
    await Promise.all([pool.close(), log.close()]);
    throw err;
  }
};
