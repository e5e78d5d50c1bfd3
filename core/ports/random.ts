export interface Random {
  /** A unique identifier: a UUID, unguessable, not secret (the adapter makes version 7, ordered by time). */
  id(): string;
  /** `n` bytes from a CSPRNG. */
  bytes(n: number): Uint8Array;
  /** A number in [0, 1), uniform; for jitter, never for a secret (it need not come from a CSPRNG). */
  fraction(): number;
}
