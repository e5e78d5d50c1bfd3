import QRCode from 'qrcode';
import type { EventMeta } from '../../core/event.js';
import type { Config } from '../config.js';
import { openEngine } from '../open-engine.js';
import { prompt, promptHidden, stdinLines } from './read-secret.js';

const meta: EventMeta = { requestId: 'cli', ip: null, dialect: 'cli', userAgent: 'latchkey-cli' };

/**
 * `latchkey user add NAME [--password-stdin] [--totp] [--exempt] [--role R]...`
 * With --password-stdin the first stdin line is the password and an optional second line confirms the
 * TOTP factor; otherwise both are asked for on the terminal without echo.
 */
export const userAddCommand = async (config: Config, args: readonly string[]): Promise<number> => {
  const name = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--role');
  if (!name) {
    process.stderr.write('usage: latchkey user add NAME [--password-stdin] [--totp] [--exempt] [--role ROLE]...\n');
    return 2;
  }
  const roles = args.flatMap((a, i) => (args[i - 1] === '--role' ? [a] : []));
  const fromStdin = args.includes('--password-stdin');
  const lines = fromStdin ? await stdinLines() : [];
  const password = fromStdin ? (lines[0] ?? '') : await promptHidden('Password: ');
  const engine = await openEngine(config);
  try {
    const user = await engine.latchkey.registerUser({ username: name, password, roles, mfa: args.includes('--exempt') ? 'exempt' : 'required' }, meta);
    process.stdout.write(`created user ${user.username} (${user.id})\n`);
    if (!args.includes('--totp')) return 0;
    const { otpauthUri } = await engine.latchkey.enrolTotp(user.username, meta);
    process.stdout.write(`\nScan this with an authenticator app, or enter the URI by hand:\n${otpauthUri}\n\n`);
    process.stdout.write(await QRCode.toString(otpauthUri, { type: 'terminal', small: true }));
    const code = fromStdin ? (lines[1] ?? '').trim() : await prompt('Code from the app to confirm (empty to confirm later): ');
    if (code === '') {
      process.stdout.write(`TOTP factor pending: confirm it with POST /v1/admin/users/${encodeURIComponent(user.username)}/totp/confirm\n`);
      return 0;
    }
    if (await engine.latchkey.confirmTotp(user.username, code, meta)) {
      process.stdout.write('TOTP factor confirmed and active\n');
      return 0;
    }
    process.stderr.write('that code does not match; the factor stays pending\n');
    return 1;
  } catch (err) {
    process.stderr.write(`latchkey: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  } finally {
    await engine.close();
  }
};
