import type { Config } from '../config.js';
import { replayConfiguredLog } from '../open-log-store.js';
import { progressReporter } from './progress.js';
import { threadsOption } from './threads-option.js';

/** `latchkey replay [--apply] [--threads N]`: exit 0 when the rebuilt projections equal the live ones. */
export const replayCommand = async (config: Config, args: readonly string[]): Promise<number> => {
  const threads = threadsOption(args);
  if (threads instanceof Error) {
    process.stderr.write(`latchkey replay: ${threads.message}\n`);
    return 2;
  }
  const started = performance.now();
  const result = await replayConfiguredLog(config, { apply: args.includes('--apply'), threads, onProgress: progressReporter('replay') });
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(
    `replayed ${result.events} events into ${result.streams} streams in ${seconds.toFixed(2)} s (${Math.round(result.events / Math.max(seconds, 1e-9))} events/s)\n`,
  );
  if (result.equal) {
    process.stdout.write('projections: equal to the live tables\n');
    return 0;
  }
  process.stdout.write(`projections: DIFFERENT from the live tables\n${result.differences.map((d: string) => `  ${d}`).join('\n')}\n`);
  return 1;
};
