import type { Config } from '../config.js';
import { databasePath } from '../open-engine.js';
import { verifyLog } from '../sqlite/verify-log.js';
import { progressReporter } from './progress.js';
import { threadsOption } from './threads-option.js';

/** `latchkey verify [--threads N]`: exit 0 when every row's hash chains to the previous one. */
export const verifyCommand = async (config: Config, args: readonly string[]): Promise<number> => {
  const threads = threadsOption(args);
  if (threads instanceof Error) {
    process.stderr.write(`latchkey verify: ${threads.message}\n`);
    return 2;
  }
  const started = performance.now();
  const result = await verifyLog(databasePath(config), { threads, onProgress: progressReporter('verify') });
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(result.events / Math.max(seconds, 1e-9));
  if (result.ok) {
    process.stdout.write(`hash chain ok: ${result.events} events in ${seconds.toFixed(2)} s (${rate} events/s)\n`);
    return 0;
  }
  process.stdout.write(`hash chain BROKEN at seq ${result.firstBadSeq}\n`);
  return 1;
};
