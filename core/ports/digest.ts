/** Keyed and unkeyed one-way functions: what stands in the log for a token, a code or an unknown name. */
export interface Digest {
  /** SHA-256 of a high-entropy bearer secret, base64url. */
  sha256(value: string): string;
  /** HMAC-SHA-256 under the server key, base64url: unknown usernames, recovery codes. */
  keyed(value: string): string;
  /** Constant-time equality of two digests. */
  same(a: string, b: string): boolean;
}
