import { DomainError } from '../../errors.js';
import type { Policy } from '../../policy.js';
import { utf8Length } from '../../utf8-length.js';

/** NIST SP 800-63B §5.1.1.2: a minimum length, and the byte cap that keeps argon2 from being a DoS lever. */
export const checkNewPassword = (policy: Policy, password: string): void => {
  if (password.length < policy.password.minLength) throw new DomainError('weak_password', `password must have at least ${policy.password.minLength} characters`);
  if (utf8Length(password) > policy.password.maxBytes) throw new DomainError('weak_password', `password must be at most ${policy.password.maxBytes} bytes`);
};
