import type { Deps } from '../kernel/deps.js';

const kind = 'challenge-totp-enrolment';
const seedShape = /^[A-Z2-7]{32}$/;

/**
 * The `state` of a TOTP enrolment started on a second-step token: the fresh seed sealed with the
 * at-rest box (AES-256-GCM) together with the challenge it belongs to. Nothing is written until the
 * enrolment is proven, so a password holder cannot disturb the account (no epoch bump, no dead devices);
 * the client already holds the seed in clear, so the sealed copy tells it nothing new.
 */
export const enrolmentState = {
  seal: (deps: Deps, challengeId: string, secret: string): string => deps.box.seal(JSON.stringify({ kind, challengeId, secret })),

  /** The seed, or null when the state is not one of ours, was changed, or belongs to another challenge. */
  open: (deps: Deps, state: unknown, challengeId: string): string | null => {
    if (typeof state !== 'string' || state.length === 0 || state.length > 1024) return null;
    let value: unknown;
    try {
      value = JSON.parse(deps.box.open(state));
    } catch {
      return null;
    }
    if (value === null || typeof value !== 'object') return null;
    const v = value as { kind?: unknown; challengeId?: unknown; secret?: unknown };
    return v.kind === kind && v.challengeId === challengeId && typeof v.secret === 'string' && seedShape.test(v.secret) ? v.secret : null;
  },
};
