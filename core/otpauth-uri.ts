import type { TotpParams } from './account/events.js';

/** The Key Uri Format read by authenticator apps: otpauth://totp/Issuer:label?secret=…&issuer=… */
export const otpauthUri = (issuer: string, username: string, secret: string, params: TotpParams): string => {
  const label = `${encodeURIComponent(issuer)}:${encodeURIComponent(username)}`;
  const query = `secret=${secret}&issuer=${encodeURIComponent(issuer)}&algorithm=${params.algorithm}&digits=${params.digits}&period=${params.period}`;
  return `otpauth://totp/${label}?${query}`;
};
