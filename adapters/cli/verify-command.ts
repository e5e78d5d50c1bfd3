import type { Config } from '../config.js';
import { readPublicKey } from '../crypto/read-public-key.js';
import { checkpointPath } from '../event-log/checkpoint-file.js';
import { headCheckLine } from '../event-log/head-check.js';
import { databasePath, openHeadChecker, verifyConfiguredLog } from '../open-log-store.js';
import { progressReporter } from './progress.js';
import { readHeadCheckpoint } from './read-head-checkpoint.js';
import { threadsOption } from './threads-option.js';

/**
 * The head against the signed checkpoints (docs/security.md §34): the data dir's own and, with `--checkpoint FILE`, one
 * kept off the machine. 0 when the log holds each; 1 when the log was truncated, rolled back or forked below one, when
 * one is bad, or when a data dir whose server signs checkpoints has none. A data dir without a signing key (a log
 * copied alone, a generated one) has nothing to check against. On PostgreSQL the data dir is a node's: its
 * checkpoints anchor the cluster's merged chain, and every node's data dir can be checked against it in turn.
 */
const checkCheckpoints = async (config: Config, file: string | undefined): Promise<number> => {
  const path = checkpointPath(databasePath(config));
  const publicKey = readPublicKey(config.dataDir);
  const own = readHeadCheckpoint(undefined, path);
  const shipped = file === undefined ? null : readHeadCheckpoint(file, path);
  if (publicKey === null) {
    process.stdout.write('checkpoint not checked: this data dir has no signing key (signing-key.pem)\n');
    return own === null && shipped === null ? 0 : 1;
  }
  const log = openHeadChecker(config);
  try {
    let status = 0;
    for (const [label, checkpoint] of [['', own], [`${file} `, shipped]] as const) {
      if (checkpoint === null) {
        if (label !== '') continue;
        process.stdout.write(`checkpoint MISSING: ${path} is gone; where the log ended is not proven\n`);
        status = 1;
      } else if (checkpoint instanceof Error) {
        process.stdout.write(`${label}checkpoint INVALID: ${checkpoint.message}\n`);
        status = 1;
      } else {
        const check = await log.check(checkpoint, publicKey);
        process.stdout.write(`${label}${headCheckLine(check)}`);
        if (!check.ok) status = 1;
      }
    }
    return status;
  } finally {
    await log.close();
  }
};

/** `latchkey verify [--threads N] [--checkpoint FILE]`: the hash chain, then the head against the signed checkpoint. */
export const verifyCommand = async (config: Config, args: readonly string[]): Promise<number> => {
  const threads = threadsOption(args);
  if (threads instanceof Error) {
    process.stderr.write(`latchkey verify: ${threads.message}\n`);
    return 2;
  }
  const at = args.indexOf('--checkpoint');
  const file = at === -1 ? undefined : args[at + 1];
  if (at !== -1 && (file === undefined || file.startsWith('--'))) {
    process.stderr.write('latchkey verify: --checkpoint takes a file\n');
    return 2;
  }
  const started = performance.now();
  const result = await verifyConfiguredLog(config, { threads, onProgress: progressReporter('verify') });
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(result.events / Math.max(seconds, 1e-9));
  if (!result.ok) {
    process.stdout.write(`hash chain BROKEN at seq ${result.firstBadSeq}\n`);
    return 1;
  }
  process.stdout.write(`hash chain ok: ${result.events} events in ${seconds.toFixed(2)} s (${rate} events/s)\n`);
  return checkCheckpoints(config, file);
};
