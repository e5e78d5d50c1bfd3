import type { OtpOutcome } from '../../account/commands.js';
import type { Account } from '../../account/state.js';
import { codeShape } from '../../otp-format.js';
import type { Deps } from './deps.js';

export const recoveryCodeDigest = (deps: Deps, code: string): string => deps.digest.keyed(`recovery:${code}`);

/** The crypto half of a second-factor check, run before `decide`: which step or recovery code matched. */
export const otpOutcome = async (deps: Deps, account: Account, input: unknown, now: number): Promise<OtpOutcome> => {
  const digits = account.totp.status === 'none' ? deps.policy.totp.digits : account.totp.digits;
  const shape = codeShape(input, digits);
  switch (shape.kind) {
    case 'absent':
    case 'malformed':
      return { kind: shape.kind };
    case 'recovery': {
      const digest = recoveryCodeDigest(deps, shape.code);
      const index = account.recovery.findIndex((h) => h !== null && deps.digest.same(h, digest));
      return index >= 0 ? { kind: 'recovery', index, hash: account.recovery[index]! } : { kind: 'mismatch' };
    }
    case 'totp': {
      if (account.totp.status === 'none') return { kind: 'mismatch' };
      const { sealedSecret, algorithm, digits: d, period } = account.totp;
      const step = await deps.totp.verify({
        secret: deps.box.open(sealedSecret),
        params: { algorithm, digits: d, period },
        code: shape.code,
        now,
        window: deps.policy.totp.window,
        after: account.lastTotpStep,
      });
      return step === null ? { kind: 'mismatch' } : { kind: 'match', step };
    }
    default: {
      const _exhaustive: never = shape;
      return _exhaustive;
    }
  }
};
