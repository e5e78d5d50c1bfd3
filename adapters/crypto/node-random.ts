import { randomBytes, randomUUID } from 'node:crypto';
import type { Random } from '../../core/ports/random.js';

export const nodeRandom: Random = {
  id: () => randomUUID(),
  bytes: (n) => new Uint8Array(randomBytes(n)),
};
