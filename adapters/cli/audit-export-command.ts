import type { Config } from '../config.js';
import { checkpointLine } from '../event-log/checkpoint.js';
import type { ExportFormat } from '../sqlite/export-log.js';
import { FlagError, type ParsedArgs, rangeOf } from './audit-args.js';
import { auditProgress, openAuditSession, reportRate } from './audit-session.js';

/**
 * Writes to stdout and resolves once it has taken the chunk (at once, or at 'drain'): the export reads its next page
 * only then, so a slow reader holds memory at one page. A reader that goes away ends it.
 */
const stdoutWriter = () => {
  let closed = false;
  process.stdout.once('close', () => {
    closed = true;
  });
  return (chunk: string): void | Promise<void> => {
    if (closed) throw new Error('stdout closed');
    if (process.stdout.write(chunk)) return;
    return new Promise<void>((resolve, reject) => {
      const done = () => {
        process.stdout.off('drain', done);
        process.stdout.off('close', gone);
        resolve();
      };
      const gone = () => {
        process.stdout.off('drain', done);
        reject(new Error('stdout closed'));
      };
      process.stdout.once('drain', done);
      process.stdout.once('close', gone);
    });
  };
};

/**
 * `latchkey audit export [--since] [--until] [--format ndjson|csv]`: the raw events for a SIEM, on stdout. stdout is
 * then pure NDJSON or CSV, so the chain line goes to stderr (after the chain check's progress lines, if any).
 */
export const exportCommand = async (config: Config, args: ParsedArgs): Promise<number> => {
  if (args.positionals.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const format = args.values.get('--format') ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') throw new FlagError(`--format takes ndjson or csv, not ${JSON.stringify(format)}`);
  const range = rangeOf(args, Date.now());
  const s = await openAuditSession(config, { label: 'audit export', json: false, progress: true, requireVerified: args.switches.has('--require-verified'), chainTo: 'stderr' });
  if (s === null) return 1;
  try {
    const total = s.lastSeq;
    const report = auditProgress('audit export');
    const started = performance.now();
    const write = stdoutWriter();
    const rows = await s.exportTo({ range, format: format as ExportFormat, onProgress: (_, seq) => report(seq, total) }, write);
    // The signed head goes with the export (docs/security.md §34): whoever keeps this export can later prove that the
    // log was cut or rolled back below it (`latchkey verify --checkpoint export.ndjson`). CSV has no room for it.
    const checkpoint = s.checkpoint();
    if (checkpoint !== null) {
      if (format === 'ndjson') await write(`{"checkpoint":${checkpointLine(checkpoint).trimEnd()}}\n`);
      else process.stderr.write(`checkpoint: ${checkpointLine(checkpoint)}`);
    }
    if (args.switches.has('--progress')) reportRate('audit export', rows, started);
    return 0;
  } catch (err) {
    if (err instanceof Error && err.message === 'stdout closed') return 0;
    throw err;
  } finally {
    await s.close();
  }
};
