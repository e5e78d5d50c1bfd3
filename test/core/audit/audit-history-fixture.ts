import { InMemoryAuditLog } from '../../../adapters/memory/in-memory-audit-log.js';
import type { EventMeta } from '../../../core/event.js';
import { oathtool } from '../../helpers/oathtool.js';
import { engineInMemory } from '../app/engine-in-memory.js';

export const t0 = Date.UTC(2026, 11, 1, 8, 0, 0);
export const password = 'correct horse battery staple';
export const adminMeta: EventMeta = { requestId: 'req-admin', ip: '192.0.2.1', dialect: 'admin', userAgent: null };
export const office: EventMeta = { requestId: 'req-office', ip: '192.0.2.10', dialect: 'native', userAgent: null };
export const attacker: EventMeta = { requestId: 'req-attacker', ip: '203.0.113.66', dialect: 'oracle', userAgent: null };
export const attacker2: EventMeta = { requestId: 'req-attacker-2', ip: '203.0.113.66', dialect: 'appgate', userAgent: null };

/**
 * A hand-built history through the real engine (in-memory store, test clock starting at t0), whose answers are known:
 * - t0: alice registered and her TOTP confirmed (admin, 192.0.2.1); bob registered (admin).
 * - t0+1m: alice logs in in two steps from the office (challenge, then session): 192.0.2.10, native.
 * - t0+2m: 5 wrong passwords for alice from 203.0.113.66 (oracle ×3, appgate ×2): the 5th locks her until t0+3m.
 * - t0+2m30s: one more attempt while locked (LoginRefused 'locked', appgate).
 * - t0+4m: an attempt on "Mallory" (no such account) from 203.0.113.66, oracle.
 * - t0+5m: bob: one wrong password from the office.
 * - t0+6m: admin unlocks alice.
 */
export const buildHistory = async () => {
  const engine = await engineInMemory();
  const { latchkey, clock } = engine;
  clock.set(t0);
  await latchkey.registerUser({ username: 'Alice', password }, adminMeta);
  const { secret } = await latchkey.enrolTotp('alice', adminMeta);
  await latchkey.confirmTotp('alice', oathtool(secret, clock.now() - 30_000), adminMeta);
  await latchkey.registerUser({ username: 'bob', password }, adminMeta);
  clock.set(t0 + 60_000);
  const first = await latchkey.login({ username: 'alice', password, secondFactor: 'later' }, office);
  if (first.kind !== 'mfa_required') throw new Error(`fixture: ${first.kind}`);
  const second = await latchkey.continueLogin({ mfaToken: first.mfaToken, otp: oathtool(secret, clock.now()) }, office);
  if (second.kind !== 'authenticated') throw new Error(`fixture: ${second.kind}`);
  clock.set(t0 + 120_000);
  for (let i = 0; i < 5; i++) await latchkey.login({ username: 'alice', password: 'wrong password', secondFactor: 'later' }, i < 3 ? attacker : attacker2);
  clock.set(t0 + 150_000);
  await latchkey.login({ username: 'alice', password: 'wrong password', secondFactor: 'later' }, attacker2);
  clock.set(t0 + 240_000);
  await latchkey.login({ username: 'Mallory', password: 'guess', secondFactor: 'later' }, attacker);
  clock.set(t0 + 300_000);
  await latchkey.login({ username: 'bob', password: 'wrong password', secondFactor: 'later' }, office);
  clock.set(t0 + 360_000);
  await latchkey.unlockUser('alice', adminMeta);
  return { ...engine, log: new InMemoryAuditLog(engine.store), all: await engine.store.read({ after: 0, limit: 10_000 }) };
};
