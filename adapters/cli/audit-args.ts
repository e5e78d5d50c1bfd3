import { type LockoutOverrides, alternativeLockout } from '../../core/audit/alternative-lockout.js';
import { parseDuration, parseInstant } from '../../core/audit/time-range.js';
import type { TimeRange } from '../../core/ports/audit-log.js';
import type { Policy } from '../../core/policy.js';

/** A bad flag: the message names it (`latchkey audit` exits 2 with this one line). */
export class FlagError extends Error {}

export interface ParsedArgs {
  readonly values: ReadonlyMap<string, string>;
  readonly switches: ReadonlySet<string>;
  readonly positionals: readonly string[];
}

/**
 * `--name value`, `--name=value` and `--switch`; a flag this subcommand does not take is an error, and a value flag
 * takes the next argument whatever it looks like (`--since -24h`).
 */
export const parseArgs = (args: readonly string[], valueFlags: readonly string[], switchFlags: readonly string[]): ParsedArgs => {
  const values = new Map<string, string>();
  const switches = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (valueFlags.includes(name)) {
      const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
      if (value === undefined) throw new FlagError(`${name} needs a value`);
      values.set(name, value);
    } else if (switchFlags.includes(name) && eq === -1) switches.add(name);
    else throw new FlagError(`unknown flag ${name}`);
  }
  return { values, switches, positionals };
};

const instant = (args: ParsedArgs, flag: string, now: number): number | undefined => {
  const raw = args.values.get(flag);
  if (raw === undefined) return undefined;
  const t = parseInstant(raw, now);
  if (t === null) throw new FlagError(`${flag} takes an ISO 8601 time (2026-12-01T08:00:00Z) or a relative one (-24h, -7d), not ${JSON.stringify(raw)}`);
  return t;
};

/** `--since` and `--until`: since ≤ at < until. */
export const rangeOf = (args: ParsedArgs, now: number): TimeRange => {
  const since = instant(args, '--since', now);
  const until = instant(args, '--until', now);
  if (since !== undefined && until !== undefined && until < since) throw new FlagError('--until is before --since');
  return { ...(since === undefined ? {} : { since }), ...(until === undefined ? {} : { until }) };
};

export const countOf = (args: ParsedArgs, flag: string, fallback: number, max: number): number => {
  const raw = args.values.get(flag);
  if (raw === undefined) return fallback;
  if (!/^[1-9][0-9]{0,9}$/.test(raw) || Number(raw) > max) throw new FlagError(`${flag} takes a count from 1 to ${max}, not ${JSON.stringify(raw)}`);
  return Number(raw);
};

const durationOf = (args: ParsedArgs, flag: string): number | undefined => {
  const raw = args.values.get(flag);
  if (raw === undefined) return undefined;
  const d = parseDuration(raw);
  if (d === null || d === 0) throw new FlagError(`${flag} takes a duration (90s, 15m, 2h, 1d), not ${JSON.stringify(raw)}`);
  return d;
};

const lockoutFlags: Readonly<Record<keyof LockoutOverrides, string>> = {
  threshold: '--lockout-threshold',
  windowMs: '--lockout-window',
  baseMs: '--lockout-base',
  maxMs: '--lockout-max',
  hardLockAfter: '--hard-lock',
};

export const whatIfValueFlags = Object.values(lockoutFlags);

/** The what-if lockout from its flags over the actual one; a flag that makes no policy is named. */
export const lockoutOf = (args: ParsedArgs, actual: Policy['lockout']): Policy['lockout'] => {
  const o: LockoutOverrides = {
    ...(args.values.has(lockoutFlags.threshold) ? { threshold: countOf(args, lockoutFlags.threshold, 0, 32) } : {}),
    ...(args.values.has(lockoutFlags.windowMs) ? { windowMs: durationOf(args, lockoutFlags.windowMs)! } : {}),
    ...(args.values.has(lockoutFlags.baseMs) ? { baseMs: durationOf(args, lockoutFlags.baseMs)! } : {}),
    ...(args.values.has(lockoutFlags.maxMs) ? { maxMs: durationOf(args, lockoutFlags.maxMs)! } : {}),
    ...(args.values.has(lockoutFlags.hardLockAfter) ? { hardLockAfter: countOf(args, lockoutFlags.hardLockAfter, 0, 1_000_000) } : {}),
  };
  const chosen = alternativeLockout(actual, o);
  if (!chosen.ok) throw new FlagError(`${lockoutFlags[chosen.field]}: ${chosen.message.replace(/^\w+ /, '')}`);
  return chosen.lockout;
};
