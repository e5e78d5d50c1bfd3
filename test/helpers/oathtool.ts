import { execFileSync } from 'node:child_process';

/** A TOTP code from the real `oathtool` (Debian package), an independent client: never our own code path. */
export const oathtool = (secretBase32: string, atMs: number, opts: { digits?: number; algorithm?: 'SHA1' | 'SHA256' | 'SHA512' } = {}): string =>
  execFileSync(
    'oathtool',
    ['--totp' + (opts.algorithm && opts.algorithm !== 'SHA1' ? `=${opts.algorithm}` : ''), '-b', '-d', String(opts.digits ?? 6), '-N', `@${Math.floor(atMs / 1000)}`, secretBase32],
    { encoding: 'utf8' },
  ).trim();
