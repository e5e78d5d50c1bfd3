/** mulberry32: a small seeded PRNG, so a failing random run can be repeated from its printed seed. */
export const prng = (seed: number) => {
  let a = seed >>> 0;
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number): number => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  const chance = (p: number): boolean => next() < p;
  return { next, int, pick, chance };
};
export type Prng = ReturnType<typeof prng>;

/** The seed of a random test: from the environment to repeat a run, else fresh; printed either way (never a secret). */
export const seedFrom = (name: string): number => {
  const fromEnv = process.env[name];
  const seed = fromEnv ? Number(fromEnv) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}=${seed}`);
  return seed;
};
