/** RFC 4648 §5 base64url without padding: bearer tokens' secrets (core/app/kernel/bearer-secret.ts). */
export const base64url = (bytes: Uint8Array): string => {
  const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += chars[(n >>> 18) & 63]! + chars[(n >>> 12) & 63]!;
    if (i + 1 < bytes.length) out += chars[(n >>> 6) & 63]!;
    if (i + 2 < bytes.length) out += chars[n & 63]!;
  }
  return out;
};
