/**
 * An address as a mail server takes it (RFC 5321 §4.5.3.1: 64-octet local part, 254 in all), one `@`, no spaces,
 * controls or angle brackets that would let it break out of a header. Kept exactly as given: only its owner's server
 * decides what its local part means.
 */
export const isEmailAddress = (value: unknown): value is string => {
  if (typeof value !== 'string' || value.length > 254) return false;
  const at = value.lastIndexOf('@');
  if (at < 1 || at > 64 || at === value.length - 1) return false;
  return /^[^\s<>()[\]\\,;:"@\p{Cc}]+$/u.test(value.slice(0, at)) && /^[A-Za-z0-9.-]+\.[A-Za-z0-9-]+$/.test(value.slice(at + 1)) && !/\.\./.test(value);
};
