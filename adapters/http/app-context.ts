import type { Logger } from 'pino';
import type { Latchkey } from '../../core/app/latchkey.js';
import type { AuditService } from '../open-audit-service.js';
import type { EarlyRefusals } from './early-refusals.js';
import type { Metrics } from './metrics.js';

/** What every HTTP dialect gets: the one engine, and the few settings that live outside it. */
export interface AppContext {
  readonly latchkey: Latchkey;
  readonly adminKey: string;
  /** Peers whose X-Forwarded-For / clientIp headers are believed (docs/security.md §22). */
  readonly trustedProxies: ReadonlySet<string>;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Where the throttle's 429s are noted, to be answered before koa while they hold (docs/security.md §37). */
  readonly earlyRefusals?: EarlyRefusals;
  /** The log as `/v1/admin/audit/*` reads it; absent, those routes are not served. */
  readonly audit?: AuditService;
}
