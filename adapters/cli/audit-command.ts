import { failures } from '../../core/audit/failures.js';
import { history } from '../../core/audit/history.js';
import { locks } from '../../core/audit/locks.js';
import type { Config } from '../config.js';
import { FlagError, type ParsedArgs, countOf, parseArgs, rangeOf, whatIfValueFlags } from './audit-args.js';
import { exportCommand } from './audit-export-command.js';
import { type AuditSession, auditProgress, openAuditSession, reportRate } from './audit-session.js';
import { isoTime, shortStream, table } from './audit-table.js';
import { whatIfCommand } from './audit-what-if-command.js';

export const auditUsage = `usage:
  latchkey audit history USERNAME [--since T] [--until T] [--json]
  latchkey audit failures --by ip|account [--since T] [--until T] [--limit N] [--json]
  latchkey audit locks [--since T] [--until T] [--json]
  latchkey audit export [--since T] [--until T] [--format ndjson|csv]
  latchkey audit what-if [--lockout-threshold N] [--lockout-window D] [--lockout-base D] [--lockout-max D]
                         [--hard-lock N] [--since T] [--until T] [--json]
  every subcommand: [--progress] [--require-verified]
  T: ISO 8601 (2026-12-01T08:00:00Z, 2026-12-01) or relative (-24h, -7d); D: 90s, 15m, 2h, 1d
`;

const common = ['--since', '--until'];
const commonSwitches = ['--json', '--progress', '--require-verified'];

/** The answer, its chain line first; `json` NDJSON, otherwise a table; progress on stderr unless --json without --progress. */
const session = (config: Config, label: string, args: ParsedArgs) =>
  openAuditSession(config, {
    label,
    json: args.switches.has('--json'),
    progress: !args.switches.has('--json') || args.switches.has('--progress'),
    requireVerified: args.switches.has('--require-verified'),
    chainTo: 'stdout',
  });

const ndjson = (rows: readonly object[]): string => rows.map((r) => `${JSON.stringify(r)}\n`).join('');

const run = async (open: Promise<AuditSession | null>, body: (s: AuditSession) => Promise<void>): Promise<number> => {
  const s = await open;
  if (s === null) return 1;
  try {
    await body(s);
    return 0;
  } finally {
    await s.close();
  }
};

const historyCommand = async (config: Config, argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, common, commonSwitches);
  if (args.positionals.length !== 1) throw new FlagError('history takes one USERNAME');
  const username = args.positionals[0]!;
  const range = rangeOf(args, Date.now());
  return run(session(config, 'audit history', args), async (s) => {
    const digest = s.digest();
    if (digest === null) process.stderr.write(`audit history: no secret key in ${config.dataDir} and no LATCHKEY_SECRET_KEY: cannot include unknown-user attempts for this name\n`);
    const json = args.switches.has('--json');
    const rows: string[][] = [];
    for (let after = 0; ; ) {
      const page = await history(s.log, digest, { username, range, after, limit: 1000 });
      if (json) process.stdout.write(ndjson(page.events));
      else for (const e of page.events) rows.push([isoTime(e.at), String(e.seq), e.dialect, e.ip ?? '-', e.type, e.reason ?? '', shortStream(e.stream)]);
      if (page.next === undefined) break;
      after = page.next;
    }
    if (!json) process.stdout.write(rows.length === 0 ? 'no events\n' : table(['time', 'seq', 'dialect', 'ip', 'event', 'reason', 'stream'], rows));
  });
};

const failuresCommand = async (config: Config, argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, [...common, '--by', '--limit'], commonSwitches);
  if (args.positionals.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const by = args.values.get('--by');
  if (by !== 'ip' && by !== 'account') throw new FlagError(`--by takes ip or account${by === undefined ? '' : `, not ${JSON.stringify(by)}`}`);
  const limit = countOf(args, '--limit', 20, 1_000_000);
  const range = rangeOf(args, Date.now());
  const json = args.switches.has('--json');
  const progress = !json || args.switches.has('--progress');
  return run(session(config, 'audit failures', args), async (s) => {
    const started = performance.now();
    const report = progress ? auditProgress('audit failures') : undefined;
    const answer = await failures(s.log, { by, range, after: 0, limit }, report);
    if (args.switches.has('--progress')) reportRate('audit failures', s.lastSeq, started);
    if (json) process.stdout.write(ndjson(answer.rows));
    else if (answer.rows.length === 0) process.stdout.write('no failures\n');
    else
      process.stdout.write(
        table(
          [by === 'ip' ? 'address' : 'account', 'failures', 'first', 'last', 'dialects'],
          answer.rows.map((r) => [r.key, String(r.failures), isoTime(r.first), isoTime(r.last), r.dialects.join(',')]),
        ) + (answer.next === undefined ? '' : `… more rows: --limit ${Math.min(1_000_000, limit * 10)}\n`),
      );
  });
};

const locksCommand = async (config: Config, argv: readonly string[]): Promise<number> => {
  const args = parseArgs(argv, common, commonSwitches);
  if (args.positionals.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const range = rangeOf(args, Date.now());
  const json = args.switches.has('--json');
  return run(session(config, 'audit locks', args), async (s) => {
    const rows: string[][] = [];
    for (let after = 0; ; ) {
      const page = await locks(s.log, { range, after, limit: 4096 });
      if (json) process.stdout.write(ndjson(page.rows));
      else
        for (const r of page.rows)
          rows.push([isoTime(r.at), r.username, r.type, r.until === undefined ? '' : isoTime(r.until), String(r.failures), r.by.dialect, r.by.ip ?? '-', r.by.requestId]);
      if (page.next === undefined) break;
      after = page.next;
    }
    if (!json) process.stdout.write(rows.length === 0 ? 'no locks\n' : table(['time', 'account', 'what', 'until', 'failures', 'by', 'ip', 'request'], rows));
  });
};

/** `latchkey audit …` (docs/api.md "Audit"): read-only questions to the log. Exit 2 on a bad flag, with one line naming it. */
export const auditCommand = async (config: Config, argv: readonly string[]): Promise<number> => {
  const [sub, ...rest] = argv;
  try {
    switch (sub) {
      case 'history':
        return await historyCommand(config, rest);
      case 'failures':
        return await failuresCommand(config, rest);
      case 'locks':
        return await locksCommand(config, rest);
      case 'export':
        return await exportCommand(config, parseArgs(rest, [...common, '--format'], ['--progress', '--require-verified']));
      case 'what-if':
        return await whatIfCommand(config, parseArgs(rest, [...common, ...whatIfValueFlags], commonSwitches));
      case 'help':
      case '--help':
        process.stdout.write(auditUsage);
        return 0;
      default:
        process.stderr.write(`${sub === undefined ? '' : `unknown audit command: ${sub}\n`}${auditUsage}`);
        return 2;
    }
  } catch (err) {
    if (!(err instanceof FlagError)) throw err;
    process.stderr.write(`latchkey audit ${sub}: ${err.message}\n`);
    return 2;
  }
};
