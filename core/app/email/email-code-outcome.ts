import type { OtpOutcome } from '../../account/commands.js';
import type { ChallengeState } from '../../challenge/state.js';
import { isLive } from '../../mail/mailed-code.js';
import { streamId } from '../../streams.js';
import type { Deps } from '../kernel/deps.js';
import { emailCodeMac } from './email-code.js';

/**
 * A typed e-mail code judged against the code its challenge issued, as the transaction sees the challenge (an HMAC and
 * a constant-time comparison: no slow crypto). Expired, never delivered or of another challenge: a mismatch, which the
 * account counts like a wrong TOTP code (docs/security.md §38).
 */
export const emailCodeOutcome = (deps: Deps, challengeId: string, challenge: ChallengeState, input: unknown, now: number): OtpOutcome => {
  if (input === undefined || input === null) return { kind: 'absent' };
  if (typeof input !== 'string' || input.length !== deps.policy.email.digits || !/^[0-9]+$/.test(input)) return { kind: 'malformed' };
  if (challenge.status !== 'pending' || challenge.email === null || !isLive(challenge.email, now)) return { kind: 'mismatch' };
  return deps.digest.same(emailCodeMac(deps, streamId('challenge', challengeId), input), challenge.email.codeMac) ? { kind: 'email' } : { kind: 'mismatch' };
};
