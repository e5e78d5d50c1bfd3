import type { EventMeta } from '../../event.js';
import { canonicalUsername } from '../../username.js';
import type { Deps } from '../kernel/deps.js';
import { admit, admitted } from './admit.js';
import { checkCredentials } from './check-credentials.js';
import type { LoginResult } from './login-result.js';
import { isLiveDevice } from './present-device.js';

export interface LoginInput {
  readonly username: string;
  readonly password: string;
  /** A TOTP or recovery code, as received: its shape is judged in core, never by the adapter. */
  readonly otp?: unknown;
  /** A remembered-device token (native `device_token`, myKaarma `userMFARememberMeToken`). */
  readonly deviceToken?: unknown;
  /** 'now' for one-step dialects: a missing code is then a counted failure (docs/security.md §13). */
  readonly secondFactor: 'now' | 'later';
  readonly tokenTtlMs?: number;
}

/** The first (or only) step: password, and a code or a remembered device when given. */
export const login = async (deps: Deps, input: LoginInput, meta: EventMeta): Promise<LoginResult> => {
  const username = canonicalUsername(input.username);
  // Only a live device of this account skips the account budget: a forged or rotated-out token must not (docs/security.md §20).
  const admission = await admit(deps, username, !(await isLiveDevice(deps, username, input.deviceToken)), meta);
  if (admission.kind === 'refused') return { kind: 'rejected' };
  return admitted(admission, () => checkCredentials(deps, username, input, meta), (r) => (r.kind === 'rejected' ? 'failure' : 'success'));
};
