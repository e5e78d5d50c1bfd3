import type { Policy } from '../../policy.js';
import type { Clock } from '../../ports/clock.js';
import type { Digest } from '../../ports/digest.js';
import type { EventStore } from '../../ports/event-store.js';
import type { PasswordHasher } from '../../ports/password-hasher.js';
import type { Random } from '../../ports/random.js';
import type { SecretBox } from '../../ports/secret-box.js';
import type { Throttle } from '../../ports/throttle.js';
import type { TokenSigner } from '../../ports/token-signer.js';
import type { MailOutbox } from '../../ports/mail-outbox.js';
import type { TotpVerifier } from '../../ports/totp-verifier.js';
import type { UsernameLooks } from '../../ports/username-looks.js';
import type { RefusalTally } from '../../throttle/refusal-tally.js';

/** Everything the application service touches, as ports: core/ stays free of I/O. */
export interface Deps {
  readonly policy: Policy;
  readonly store: EventStore;
  readonly clock: Clock;
  readonly random: Random;
  readonly hasher: PasswordHasher;
  readonly totp: TotpVerifier;
  readonly box: SecretBox;
  readonly digest: Digest;
  readonly signer: TokenSigner;
  readonly throttle: Throttle;
  /** UTS #39 checks of new usernames (docs/security.md §36). */
  readonly looks: UsernameLooks;
  /** The throttle's refusals, counted until recordThrottleRefusals writes them (pure, in memory). */
  readonly refusals: RefusalTally;
  /** Shown in authenticator apps (otpauth issuer) and named in mailed codes. */
  readonly issuer: string;
  /** Where codes to mail go; null when no SMTP server is configured: the e-mail factor is then unavailable. */
  readonly mail: MailOutbox | null;
}
