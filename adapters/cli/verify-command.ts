import type { Config } from '../config.js';
import { databasePath } from '../open-engine.js';
import { verifyChain } from '../sqlite/verify-chain.js';
import { progressReporter } from './progress.js';

/** `latchkey verify`: exit 0 when every row's hash chains to the previous one. */
export const verifyCommand = async (config: Config): Promise<number> => {
  const started = performance.now();
  const result = verifyChain(databasePath(config), progressReporter('verify'));
  const seconds = (performance.now() - started) / 1000;
  const rate = Math.round(result.events / Math.max(seconds, 1e-9));
  if (result.ok) {
    process.stdout.write(`hash chain ok: ${result.events} events in ${seconds.toFixed(2)} s (${rate} events/s)\n`);
    return 0;
  }
  process.stdout.write(`hash chain BROKEN at seq ${result.firstBadSeq}\n`);
  return 1;
};
