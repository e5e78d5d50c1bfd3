export interface Random {
  /** A unique identifier (UUID v4). */
  id(): string;
  /** `n` bytes from a CSPRNG. */
  bytes(n: number): Uint8Array;
}
