import { runWhatIf } from '../../core/audit/run-what-if.js';
import type { WhatIfResult } from '../../core/audit/what-if.js';
import type { Policy } from '../../core/policy.js';
import type { Config } from '../config.js';
import { FlagError, type ParsedArgs, lockoutOf, rangeOf } from './audit-args.js';
import { auditProgress, openAuditSession, reportRate } from './audit-session.js';
import { isoTime, table } from './audit-table.js';

const duration = (ms: number): string =>
  ms % 86_400_000 === 0 ? `${ms / 86_400_000}d` : ms % 3_600_000 === 0 ? `${ms / 3_600_000}h` : ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;

const describe = (l: Policy['lockout']): string =>
  `${l.threshold} failures within ${duration(l.windowMs)} lock for ${duration(l.baseLockMs)}, doubling up to ${duration(l.maxLockMs)}; hard lock after ${l.hardLockAfter}`;

/** What the human reads: the two policies, the summary, the accounts that differ, and what a re-run cannot know. */
export const whatIfText = (r: WhatIfResult): string => {
  const lines = [
    `policy: ${describe(r.policy)}`,
    `actual: ${describe(r.actual)}`,
    `accounts locked: ${r.summary.accountsLocked} (actual: ${r.summary.accountsLockedActual}); successful logins refused: ${r.summary.successesRefused}; failures prevented: ${r.summary.failuresPrevented}`,
  ];
  const rows = r.accounts.map((a) => [a.username, String(a.lockedAt.length), a.lockedAt.length === 0 ? '' : isoTime(a.lockedAt[0]!), String(a.successesRefused.length), String(a.failuresPrevented)]);
  const body = rows.length === 0 ? 'no account would have fared differently\n' : table(['account', 'locks', 'first lock', 'successes refused', 'failures prevented'], rows);
  const limit =
    'limit: after an account\'s first difference, its history is what its clients did under the real policy: a client refused sooner might have retried, waited or given up, and the log cannot say which.\n';
  return `${lines.join('\n')}\n${body}${limit}`;
};

/** `latchkey audit what-if [--lockout-… ] [--since] [--until] [--json]`: the log re-run under another lockout. */
export const whatIfCommand = async (config: Config, args: ParsedArgs): Promise<number> => {
  if (args.positionals.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const range = rangeOf(args, Date.now());
  const alternative: Policy = { ...config.policy, lockout: lockoutOf(args, config.policy.lockout) };
  const json = args.switches.has('--json');
  const progress = !json || args.switches.has('--progress');
  const s = await openAuditSession(config, { label: 'audit what-if', json, progress, requireVerified: args.switches.has('--require-verified'), chainTo: 'stdout' });
  if (s === null) return 1;
  try {
    const total = s.lastSeq;
    const report = progress ? auditProgress('audit what-if') : undefined;
    const started = performance.now();
    const { result, events } = await runWhatIf(s.log, { actual: config.policy, alternative, ...range }, report && ((n) => report(n, total)));
    if (args.switches.has('--progress')) reportRate('audit what-if', events, started);
    process.stdout.write(json ? `${JSON.stringify(result)}\n` : whatIfText(result));
    return 0;
  } finally {
    await s.close();
  }
};
