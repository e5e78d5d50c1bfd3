import { generateKeyPairSync, randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import { InMemoryEventStore } from '../../../adapters/memory/in-memory-event-store.js';
import { uts39UsernameLooks } from '../../../adapters/unicode/uts39-username-looks.js';
import { AesGcmSecretBox } from '../../../adapters/crypto/aes-gcm-secret-box.js';
import { EddsaTokenSigner } from '../../../adapters/crypto/eddsa-token-signer.js';
import { NodeDigest } from '../../../adapters/crypto/node-digest.js';
import { nodeRandom } from '../../../adapters/crypto/node-random.js';
import { OtplibTotpVerifier } from '../../../adapters/crypto/otplib-totp-verifier.js';
import { InMemoryThrottle } from '../../../adapters/throttle/in-memory-throttle.js';
import type { Deps } from '../../../core/app/kernel/deps.js';
import { createLatchkey } from '../../../core/app/latchkey.js';
import type { EventMeta } from '../../../core/event.js';
import { type Policy, defaultPolicy } from '../../../core/policy.js';
import type { MailOutbox } from '../../../core/ports/mail-outbox.js';
import type { PasswordHasher } from '../../../core/ports/password-hasher.js';
import { RefusalTally } from '../../../core/throttle/refusal-tally.js';
import { TestClock } from '../../helpers/test-clock.js';

/** A small argon2id cost: the real algorithm, in this thread, cheap enough for unit tests of the rules. */
const testArgon2 = { memoryKiB: 1024, iterations: 1, parallelism: 1 } as const;

const directArgon2 = async (): Promise<PasswordHasher> => {
  const hash = (password: string) => argon2.hash(password, { type: argon2.argon2id, memoryCost: testArgon2.memoryKiB, timeCost: testArgon2.iterations, parallelism: testArgon2.parallelism });
  const dummy = await hash('dummy-password');
  return {
    hash,
    verify: async (phc, password) => (await argon2.verify(phc ?? dummy, password)) && phc !== null,
    saturated: () => false,
  };
};

export const meta: EventMeta = { requestId: 'req-unit', ip: '192.0.2.10', dialect: 'native', userAgent: null };

/**
 * The application service over the in-memory store and a test clock, with the real crypto adapters (AES-GCM,
 * HMAC, Ed25519, otplib, argon2id at a small cost): a rule change is tested here without a server.
 */
export const engineInMemory = async (policy: Partial<Policy> = {}, mail: MailOutbox | null = null) => {
  const clock = new TestClock(Date.UTC(2026, 11, 1, 8, 0, 0));
  const store = new InMemoryEventStore(uts39UsernameLooks);
  const deps: Deps = {
    policy: { ...defaultPolicy, argon2: testArgon2, ...policy },
    store,
    clock,
    random: nodeRandom,
    hasher: await directArgon2(),
    totp: new OtplibTotpVerifier(),
    box: new AesGcmSecretBox(randomBytes(32)),
    digest: new NodeDigest(randomBytes(32)),
    signer: await EddsaTokenSigner.create(generateKeyPairSync('ed25519').privateKey, 'latchkey-test'),
    throttle: new InMemoryThrottle(policy.throttle ?? defaultPolicy.throttle),
    refusals: new RefusalTally(),
    looks: uts39UsernameLooks,
    issuer: 'Latchkey',
    mail,
  };
  const types = async () => (await store.read({ after: 0, limit: 10_000 })).map((e) => e.type);
  return { latchkey: createLatchkey(deps), store, clock, deps, types };
};
