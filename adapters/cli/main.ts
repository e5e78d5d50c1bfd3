import { configFromEnv } from '../config.js';
import { auditCommand } from './audit-command.js';
import { checkpointCommand } from './checkpoint-command.js';
import { mailTestCommand } from './mail-test-command.js';
import { replayCommand } from './replay-command.js';
import { serveCommand } from './serve-command.js';
import { userAddCommand } from './user-add-command.js';
import { verifyCommand } from './verify-command.js';
import { importIntoConfiguredLog, migrateConfiguredLog } from '../open-log-store.js';

const usage = `latchkey — self-hosted multi-factor login engine

usage:
  latchkey serve                                  start the HTTP server (PORT, HOST, LATCHKEY_DATA_DIR, ...)
  latchkey user add NAME [--password-stdin] [--totp] [--exempt] [--role ROLE]...
                                                  create a user; with --totp print the otpauth URI and a QR code
  latchkey replay [--apply] [--threads N]         rebuild every projection from the log and compare with the live tables
  latchkey migrate                                bring the log's schema up to date (LATCHKEY_DATABASE_URL or the data dir)
  latchkey import-sqlite FILE                     move a single node's SQLite log into LATCHKEY_DATABASE_URL (chain verified)
  latchkey verify [--threads N] [--checkpoint FILE]
                                                  check the hash chain of the event log, and its end against the
                                                  newest signed checkpoint (the data dir's, or FILE)
                                                  (--threads: worker threads; one per core by default on a big log)
  latchkey checkpoint --print                     print the newest signed checkpoint (for a cron job to ship off the box)
  latchkey mail test ADDRESS                      send a test message through LATCHKEY_SMTP_URL (the e-mail factor's server)
  latchkey audit history|failures|locks|export|what-if ...
                                                  read-only questions to the log (latchkey audit help)
`;

const main = async (argv: readonly string[]): Promise<number> => {
  const config = configFromEnv();
  const [command, sub, ...rest] = argv;
  switch (command) {
    case 'serve':
      return serveCommand(config);
    case 'user':
      if (sub === 'add') return userAddCommand(config, rest);
      break;
    case 'replay':
      return replayCommand(config, [sub, ...rest].filter((a): a is string => a !== undefined));
    case 'audit':
      return auditCommand(config, [sub, ...rest].filter((a): a is string => a !== undefined));
    case 'migrate': {
      const applied = await migrateConfiguredLog(config);
      process.stdout.write(`schema up to date (${applied} migrations applied)\n`);
      return 0;
    }
    case 'import-sqlite': {
      if (sub === undefined) break;
      const { events, projections } = await importIntoConfiguredLog(config, sub);
      process.stdout.write(`imported ${events} events and ${projections} projection rows; hash chain ok\n`);
      return 0;
    }
    case 'verify':
      return verifyCommand(config, [sub, ...rest].filter((a): a is string => a !== undefined));
    case 'mail':
      if (sub === 'test') return mailTestCommand(config, rest);
      break;
    case 'checkpoint':
      return checkpointCommand(config, [sub, ...rest].filter((a): a is string => a !== undefined));
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(usage);
      return command === undefined ? 2 : 0;
  }
  process.stderr.write(`unknown command: ${[command, sub].filter(Boolean).join(' ')}\n\n${usage}`);
  return 2;
};

// A reader that goes away first (`latchkey verify | head -1`) is not a failure of the command: what is left to print
// has nowhere to go, so stop writing quietly, as coreutils do, instead of dying on an unhandled EPIPE.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`latchkey: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
