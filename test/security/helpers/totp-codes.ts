import { oathtool } from '../../helpers/oathtool.js';
import type { TestServer, TestUser } from '../../helpers/test-server.js';

/** The oathtool code of `a` for the instant `ms` (an independent implementation, never the engine's). */
export const codeAt = (a: TestUser, ms: number): string => oathtool(a.secret!, ms);

/** A 6-digit code that matches none of the steps T−2 … T+2 around `ms`: wrong whatever the window. */
export const wrongCodeAt = (a: TestUser, ms: number): string => {
  const near = new Set([-2, -1, 0, 1, 2].map((k) => codeAt(a, ms + k * 30_000)));
  for (let d = 0; ; d++) {
    const candidate = String((d * 142_857) % 1_000_000).padStart(6, '0');
    if (!near.has(candidate)) return candidate;
  }
};

export const wrongCodeNow = (s: TestServer, a: TestUser): string => wrongCodeAt(a, s.clock.now());
