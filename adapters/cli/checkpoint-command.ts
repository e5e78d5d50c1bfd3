import type { Config } from '../config.js';
import { readPublicKey } from '../crypto/read-public-key.js';
import { databasePath } from '../open-log-store.js';
import { checkpointLine, checkpointSignatureOk } from '../event-log/checkpoint.js';
import { checkpointPath } from '../event-log/checkpoint-file.js';
import { readHeadCheckpoint } from './read-head-checkpoint.js';

/**
 * `latchkey checkpoint --print`: the newest signed checkpoint, one JSON line on stdout, for a cron job that ships it off
 * the machine (docs/security.md §34); `latchkey verify --checkpoint FILE` checks a log against it later. Exit 1 when
 * there is none or its signature does not verify.
 */
export const checkpointCommand = (config: Config, args: readonly string[]): number => {
  if (args.length !== 1 || args[0] !== '--print') {
    process.stderr.write('usage: latchkey checkpoint --print\n');
    return 2;
  }
  const checkpoint = readHeadCheckpoint(undefined, checkpointPath(databasePath(config)));
  if (checkpoint === null || checkpoint instanceof Error) {
    process.stderr.write(`latchkey checkpoint: ${checkpoint === null ? 'no checkpoint in this data dir' : checkpoint.message}\n`);
    return 1;
  }
  const publicKey = readPublicKey(config.dataDir);
  if (publicKey === null || !checkpointSignatureOk(checkpoint, publicKey)) {
    process.stderr.write("latchkey checkpoint: its signature does not verify with this data dir's signing key\n");
    return 1;
  }
  process.stdout.write(checkpointLine(checkpoint));
  return 0;
};
