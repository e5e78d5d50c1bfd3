import type { PasswordHasher } from '../core/ports/password-hasher.js';

/** argon2id verifies per second through a bare pool (no HTTP, no engine): the ceiling a login can approach. */
export const rawArgon2Limit = async (hasher: PasswordHasher, phc: string, password: string, concurrency: number, seconds: number): Promise<number> => {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (!(await hasher.verify(phc, password))) throw new Error('raw verify failed');
      done++;
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return done / ((performance.now() - started) / 1000);
};
