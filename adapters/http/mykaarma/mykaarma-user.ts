import type { UserView } from '../../../core/app/kernel/user-view.js';

/**
 * The page's `user` object: what Latchkey knows (the name, the account id as `uuid`, and that it is valid);
 * profile fields it does not hold are null rather than invented.
 */
export const mykaarmaUser = (user: UserView) => ({
  firstName: null,
  lastName: null,
  userName: user.username,
  email: null,
  phone: null,
  textNumber: null,
  nickName: null,
  uuid: user.id,
  passwordExpires: null,
  forcePasswordChange: null,
  latestInviteStatus: null,
  latestInviteDate: null,
  latestInviteUUID: null,
  isValid: true,
  lastLoginTimestamp: null,
  phoneCountryCode: null,
  textCountryCode: null,
  userRolloutStage: null,
});
