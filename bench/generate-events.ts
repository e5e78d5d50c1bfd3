import { randomBytes, randomUUID } from 'node:crypto';
import type { EventMeta } from '../core/event.js';
import type { StreamWrite } from '../core/ports/event-store.js';
import { openSqliteEventStore } from '../adapters/sqlite/sqlite-event-store.js';

const b64 = (n: number) => randomBytes(n).toString('base64url');

/**
 * A realistic log of about `target` events: accounts registered with a sealed TOTP seed, then two-step logins
 * (PasswordAccepted + ChallengeIssued, then OtpAccepted + LoginSucceeded + SessionIssued + ChallengeCompleted),
 * with wrong passwords, locks and logouts mixed in — appended through the real store (hash chain, projections).
 */
export const generateEvents = (path: string, target: number, onProgress?: (n: number) => void): number => {
  const store = openSqliteEventStore(path);
  const accounts = Math.max(1, Math.round(target / 100));
  const ids = Array.from({ length: accounts }, () => randomUUID());
  const steps = new Array<number>(accounts).fill(58_000_000);
  const failures = new Array<number>(accounts).fill(0);
  let events = 0;
  let at = Date.UTC(2026, 0, 1);
  const meta = (): EventMeta => ({ requestId: randomUUID(), ip: `10.0.${events & 255}.${(events >> 8) & 255}`, dialect: 'native', userAgent: 'Mozilla/5.0 (X11; Linux x86_64) bench' });
  const append = (writes: StreamWrite[]) => {
    at += 37;
    void store.append({ commandId: randomUUID(), writes, meta: meta(), at });
    events += writes.reduce((n, w) => n + w.events.length, 0);
  };
  const batch = store.db.transaction((fn: () => void) => fn());
  batch(() => {
    ids.forEach((id, i) => {
      const passwordHash = `$argon2id$v=19$m=19456,t=2,p=1$${b64(16)}$${b64(32)}`;
      append([
        {
          kind: 'account',
          id,
          expectedVersion: 'any',
          events: [
            { type: 'AccountRegistered', data: { accountId: id, username: `user${i}@example.com`, passwordHash, roles: ['operator'], mfa: 'required' } },
            { type: 'TotpEnrolmentStarted', data: { sealedSecret: `v1.${b64(12)}.${b64(48)}`, algorithm: 'SHA1', digits: 6, period: 30 } },
            { type: 'TotpConfirmed', data: { step: steps[i]! } },
          ],
        },
      ]);
    });
  });
  while (events < target) {
    batch(() => {
      for (let k = 0; k < 2000 && events < target; k++) {
        const i = Math.floor(Math.random() * accounts);
        const id = ids[i]!;
        const roll = Math.random();
        if (roll < 0.1) {
          failures[i]! += 1;
          const failed = [{ type: 'PasswordRejected' as const, data: { failures: failures[i]! } }];
          append([{ kind: 'account', id, expectedVersion: 'any', events: failures[i]! === 5 ? [...failed, { type: 'AccountLocked', data: { until: at + 60_000, failures: 5 } }] : failed }]);
          continue;
        }
        failures[i] = 0;
        const challengeId = randomUUID();
        const sessionId = randomUUID();
        append([
          { kind: 'account', id, expectedVersion: 'any', events: [{ type: 'PasswordAccepted', data: {} }] },
          {
            kind: 'challenge',
            id: challengeId,
            expectedVersion: 'any',
            events: [{ type: 'ChallengeIssued', data: { challengeId, accountId: id, tokenHash: b64(32), expiresAt: at + 300_000, epoch: 1, methods: ['totp'], dialect: 'native' } }],
          },
        ]);
        steps[i]! += 1;
        append([
          { kind: 'account', id, expectedVersion: 'any', events: [{ type: 'OtpAccepted', data: { step: steps[i]! } }, { type: 'LoginSucceeded', data: { aal: 'aal2', method: 'password+totp' } }] },
          {
            kind: 'session',
            id: sessionId,
            expectedVersion: 'any',
            events: [{ type: 'SessionIssued', data: { sessionId, accountId: id, jti: randomUUID(), aal: 'aal2', method: 'password+totp', expiresAt: at + 900_000, dialect: 'native' } }],
          },
          { kind: 'challenge', id: challengeId, expectedVersion: 'any', events: [{ type: 'ChallengeCompleted', data: { sessionId } }] },
        ]);
        if (roll > 0.9) append([{ kind: 'session', id: sessionId, expectedVersion: 'any', events: [{ type: 'SessionRevoked', data: { reason: 'logout' } }] }]);
      }
    });
    onProgress?.(events);
  }
  store.close();
  return events;
};
