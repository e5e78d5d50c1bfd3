import type Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { alternativeLockout, type LockoutOverrides } from '../../../core/audit/alternative-lockout.js';
import { failures } from '../../../core/audit/failures.js';
import { history } from '../../../core/audit/history.js';
import { locks } from '../../../core/audit/locks.js';
import { runWhatIf } from '../../../core/audit/run-what-if.js';
import { parseInstant } from '../../../core/audit/time-range.js';
import { DomainError } from '../../../core/errors.js';
import type { TimeRange } from '../../../core/ports/audit-log.js';
import type { AuditService } from '../../open-audit-service.js';
import type { AppContext } from '../app-context.js';
import { FieldError } from '../failure.js';
import { rawField } from '../fields.js';
import { bodyOf } from '../parse-body.js';

/** The hard cap on a page: a caller pages on with `after` = the answer's `next`. */
export const maxAuditPage = 1000;

const queryString = (ctx: Context, name: string): string | undefined => {
  const v = ctx.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new FieldError(name, `${name} must be given once`);
  return v;
};

const intQuery = (ctx: Context, name: string, fallback: number, min: number, max: number): number => {
  const raw = queryString(ctx, name);
  if (raw === undefined) return fallback;
  if (!/^\d{1,16}$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new FieldError(name, `${name} must be an integer from ${min} to ${max}`);
  return Number(raw);
};

const instant = (name: string, raw: unknown, now: number): number | undefined => {
  if (raw === undefined) return undefined;
  if (typeof raw === 'number' && Number.isSafeInteger(raw)) return raw;
  const t = typeof raw === 'string' ? parseInstant(raw, now) : null;
  if (t === null) throw new FieldError(name, `${name} must be an ISO 8601 time (2026-12-01T08:00:00Z) or a relative one (-24h, -7d)`);
  return t;
};

const rangeOf = (since: unknown, until: unknown, now: number): TimeRange => {
  const s = instant('since', since, now);
  const u = instant('until', until, now);
  if (s !== undefined && u !== undefined && u < s) throw new FieldError('until', 'until is before since');
  return { ...(s === undefined ? {} : { since: s }), ...(u === undefined ? {} : { until: u }) };
};

const queryRange = (ctx: Context, app: AppContext): TimeRange => rangeOf(queryString(ctx, 'since'), queryString(ctx, 'until'), app.latchkey.now());

/**
 * One whole-log pass at a time (failures, what-if): each yields to logins between its pages, and a second one would
 * only halve both. The next caller is told to come back (503 + Retry-After), not queued without bound.
 */
const oneScanAtATime = (): Middleware => {
  let busy = false;
  return async (_ctx, next) => {
    if (busy) throw new DomainError('overloaded', 'an audit scan is running');
    busy = true;
    try {
      await next();
    } finally {
      busy = false;
    }
  };
};

const lockoutOverrides = (body: Record<string, unknown>): LockoutOverrides => {
  const raw = rawField(body, 'lockout');
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FieldError('lockout', 'lockout must be an object');
  const o: Record<string, number> = {};
  for (const name of ['threshold', 'windowMs', 'baseMs', 'maxMs', 'hardLockAfter'] as const) {
    const v = rawField(raw as Record<string, unknown>, name);
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new FieldError(`lockout.${name}`, `lockout.${name} must be an integer`);
    o[name] = v;
  }
  return o;
};

/** `/v1/admin/audit/*` (docs/api.md "Audit"): the CLI's queries over the same core, under the admin key. */
export const addAuditRoutes = (router: Router, app: AppContext, audit: AuditService, guard: readonly Middleware[], json: Middleware): void => {
  const scanSlot = oneScanAtATime();
  const chain = () => audit.log.chainStatus();

  router.get('/v1/admin/audit/history/:username', ...guard, async (ctx) => {
    const username = String(ctx.params.username ?? '');
    if (username.length > 1024) throw new FieldError('username', 'username is too long');
    const range = queryRange(ctx, app);
    const after = intQuery(ctx, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intQuery(ctx, 'limit', 100, 1, maxAuditPage);
    const page = await history(audit.log, audit.digest, { username, range, after, limit });
    ctx.body = { ...page, chain: await chain() };
  });

  router.get('/v1/admin/audit/failures', ...guard, scanSlot, async (ctx) => {
    const by = queryString(ctx, 'by');
    if (by !== 'ip' && by !== 'account') throw new FieldError('by', 'by must be "ip" or "account"');
    const range = queryRange(ctx, app);
    const after = intQuery(ctx, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intQuery(ctx, 'limit', 100, 1, maxAuditPage);
    const answer = await failures(audit.log, { by, range, after, limit });
    ctx.body = { ...answer, chain: await chain() };
  });

  router.get('/v1/admin/audit/locks', ...guard, async (ctx) => {
    const range = queryRange(ctx, app);
    const after = intQuery(ctx, 'after', 0, 0, Number.MAX_SAFE_INTEGER);
    const limit = intQuery(ctx, 'limit', 100, 1, maxAuditPage);
    const answer = await locks(audit.log, { range, after, limit });
    ctx.body = { ...answer, chain: await chain() };
  });

  router.post('/v1/admin/audit/what-if', ...guard, json, scanSlot, async (ctx) => {
    const body = bodyOf(ctx);
    const chosen = alternativeLockout(audit.policy.lockout, lockoutOverrides(body));
    if (!chosen.ok) throw new FieldError(`lockout.${chosen.field}`, `lockout.${chosen.message}`);
    const range = rangeOf(rawField(body, 'since'), rawField(body, 'until'), app.latchkey.now());
    const { result } = await runWhatIf(audit.log, { actual: audit.policy, alternative: { ...audit.policy, lockout: chosen.lockout }, ...range });
    ctx.body = { ...result, chain: await chain() };
  });
};
