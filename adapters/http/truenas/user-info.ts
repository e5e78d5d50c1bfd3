import type { UserView } from '../../../core/app/kernel/user-view.js';

/**
 * The `user_info` of auth.login_ex and the result of auth.me, cut down to the product's fields that mean
 * something here: `pw_name`, the account's id (a UUID, so not `pw_uid`, which the product's clients read as a
 * Unix uid), `local`, `privilege.roles`, the always-empty `attributes`, and whether a TOTP secret is configured.
 * Never a hash, a seed or a code.
 */
export const userInfo = (user: UserView) => ({
  pw_name: user.username,
  account_id: user.id,
  local: true,
  attributes: {},
  privilege: { roles: [...user.roles] },
  two_factor_config: { secret_configured: user.methods.includes('totp') },
});
