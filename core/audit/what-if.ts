import type { StoredEvent } from '../event.js';
import type { Policy } from '../policy.js';

/*
 * PLACEHOLDER on the audit branch only: the real fold is written in the what-if worktree and replaces this file at
 * merge. Same exports and signatures; every call throws until then.
 */
export interface WhatIfOptions {
  readonly actual: Policy;
  readonly alternative: Policy;
  readonly since?: number;
  readonly until?: number;
}

export interface WhatIfResult {
  policy: Policy['lockout'];
  actual: Policy['lockout'];
  summary: { accountsLocked: number; accountsLockedActual: number; successesRefused: number; failuresPrevented: number };
  accounts: { username: string; lockedAt: number[]; successesRefused: { seq: number; at: number }[]; failuresPrevented: number }[];
}

export class WhatIf {
  constructor(options: WhatIfOptions) {
    void options;
    throw new Error('what-if not merged yet');
  }

  push(event: StoredEvent): void {
    void event;
    throw new Error('what-if not merged yet');
  }

  result(): WhatIfResult {
    throw new Error('what-if not merged yet');
  }
}
