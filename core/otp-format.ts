/**
 * The shape of a submitted code, before any crypto. Only ASCII digits of the factor's length are a TOTP
 * code (Arabic-Indic digits, signs, spaces and numbers-as-JSON are malformed); recovery codes are
 * ten base32 characters, optionally split by one hyphen.
 */
export type CodeShape = { kind: 'totp'; code: string } | { kind: 'recovery'; code: string } | { kind: 'absent' } | { kind: 'malformed' };

const recoveryShape = /^[a-z2-7]{5}-?[a-z2-7]{5}$/;

export const codeShape = (input: unknown, digits: number): CodeShape => {
  if (input === undefined || input === null) return { kind: 'absent' };
  if (typeof input !== 'string' || input.length === 0 || input.length > 32) return { kind: 'malformed' };
  if (input.length === digits && /^[0-9]+$/.test(input)) return { kind: 'totp', code: input };
  const lowered = input.toLowerCase();
  if (recoveryShape.test(lowered)) return { kind: 'recovery', code: lowered.replace('-', '') };
  return { kind: 'malformed' };
};
