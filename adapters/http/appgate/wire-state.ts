/** The engine's sealed states are `v1.<base64url>`: nothing else is one. */
const sealedShape = /^[A-Za-z0-9._-]*$/;

/**
 * The spec types `state` (OtpInitialize's answer, the `otp` call's body) as `format: byte`: standard base64.
 * The engine's sealed state is `v1.<base64url>`, so on the wire it travels as the base64 of that text.
 * Only the canonical base64 of such a text comes back as a state: node's base64 decoders skip stray
 * characters, so a changed tail (`…==` → `…AA`, which appends NULs) would otherwise open as the original.
 * Anything else becomes the empty state, which the engine refuses and counts like a wrong code.
 */
export const wireState = {
  encode: (state: string): string => Buffer.from(state, 'utf8').toString('base64'),
  decode: (state: string): string => {
    const bytes = Buffer.from(state, 'base64');
    const text = bytes.toString('utf8');
    return bytes.toString('base64') === state && sealedShape.test(text) ? text : '';
  },
};
