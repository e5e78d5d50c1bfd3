import type { AuditLog } from '../ports/audit-log.js';
import { scanPages } from './scan-pages.js';
import { WhatIf, type WhatIfOptions, type WhatIfResult } from './what-if.js';

/**
 * `audit what-if` (docs/api.md "Audit"): every event of the log, in seq order, through the what-if fold. The range is
 * the fold's business (it needs the history before `since` to know each account's state there), so nothing is left
 * out of the scan.
 */
export const runWhatIf = async (log: AuditLog, options: WhatIfOptions, onProgress?: (events: number) => void): Promise<{ result: WhatIfResult; events: number }> => {
  const fold = new WhatIf(options);
  let events = 0;
  for await (const page of scanPages(log, { range: {} })) {
    for (let i = 0; i < page.length; i++) fold.push(page[i]!);
    events += page.length;
    onProgress?.(events);
  }
  return { result: fold.result(), events };
};
