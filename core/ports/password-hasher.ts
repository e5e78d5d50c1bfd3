/** argon2id behind the worker pool. A full queue rejects at once with DomainError('overloaded'). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** With `phc: null`, verifies against a dummy hash of the policy's cost so unknown users take the same time. */
  verify(phc: string | null, password: string): Promise<boolean>;
  /** True when a verify now would be shed (the queue is full), so a login can be refused before any other work. */
  saturated(): boolean;
}
