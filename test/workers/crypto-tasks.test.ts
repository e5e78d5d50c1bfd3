import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as argon2 from 'argon2';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePhc } from '../../core/phc.js';
import { hash, verify } from '../../workers/crypto-tasks.js';
import { readVectorFile } from '../vectors/read-vector-file.js';

interface Rfc9106 {
  readonly vectors: readonly {
    readonly title: string;
    readonly type: 'argon2id' | 'argon2i' | 'argon2d';
    readonly version: number;
    readonly memoryKiB: number;
    readonly iterations: number;
    readonly parallelism: number;
    readonly tagLength: number;
    readonly password: string;
    readonly salt: string;
    readonly secret: string;
    readonly associatedData: string;
    readonly tag: string;
  }[];
}

const t = suite('worker crypto tasks (argon2)');
const rfc9106 = readVectorFile<Rfc9106>('rfc9106.json');

// This checks the argon2 binding itself, with the inputs only the raw API takes (secret, associated data).
for (const v of rfc9106.vectors) {
  t(`${v.title}: the argon2 binding reproduces the tag`, async () => {
    const tag = await argon2.hash(Buffer.from(v.password, 'hex'), {
      raw: true,
      type: argon2[v.type],
      version: v.version,
      salt: Buffer.from(v.salt, 'hex'),
      secret: Buffer.from(v.secret, 'hex'),
      associatedData: Buffer.from(v.associatedData, 'hex'),
      memoryCost: v.memoryKiB,
      timeCost: v.iterations,
      parallelism: v.parallelism,
      hashLength: v.tagLength,
    });
    assert.is(tag.toString('hex'), v.tag);
  });
}

t('the RFC 9106 file has the §5.3 argon2id vector', () => {
  assert.ok(rfc9106.vectors.some((v) => v.type === 'argon2id' && v.title.includes('§5.3')));
});

// Interoperability (docs/security.md "Test vectors"): PHC strings from the reference argon2 CLI verify here.
const cliPassword = randomBytes(18).toString('base64url');
const argon2Cli = (args: readonly string[], password: string): string =>
  execFileSync('argon2', ['somesalt16bytes!', ...args, '-e'], { input: password, encoding: 'utf8' }).trim();

t('an argon2id PHC from the argon2 CLI (m=2^15 KiB, t=2, p=1) verifies; a wrong password does not', async () => {
  const phc = argon2Cli(['-id', '-m', '15', '-t', '2', '-p', '1'], cliPassword);
  assert.equal(parsePhc(phc), { algorithm: 'argon2id', memoryKiB: 32768, iterations: 2, parallelism: 1 });
  assert.is(await verify({ phc, password: cliPassword }), true);
  assert.is(await verify({ phc, password: `${cliPassword}x` }), false);
  assert.is(await verify({ phc, password: cliPassword.toUpperCase() }), false);
});

t('an argon2i PHC from the argon2 CLI verifies; a wrong password does not', async () => {
  const phc = argon2Cli(['-i', '-m', '12', '-t', '3', '-p', '1'], cliPassword);
  assert.equal(parsePhc(phc), { algorithm: 'argon2i', memoryKiB: 4096, iterations: 3, parallelism: 1 });
  assert.is(await verify({ phc, password: cliPassword }), true);
  assert.is(await verify({ phc, password: 'not-the-password' }), false);
});

t('hash makes an argon2id PHC of the asked cost that verifies only its password', async () => {
  const phc = await hash({ password: cliPassword, memoryKiB: 4096, iterations: 2, parallelism: 1 });
  assert.equal(parsePhc(phc), { algorithm: 'argon2id', memoryKiB: 4096, iterations: 2, parallelism: 1 });
  assert.is(await verify({ phc, password: cliPassword }), true);
  assert.is(await verify({ phc, password: `${cliPassword} ` }), false);
  assert.is.not(await hash({ password: cliPassword, memoryKiB: 4096, iterations: 2, parallelism: 1 }), phc, 'a fresh salt per hash');
});

t('verify of something that is not a PHC string is false, not a throw', async () => {
  assert.is(await verify({ phc: 'not-a-phc', password: 'x' }), false);
  assert.is(await verify({ phc: '', password: 'x' }), false);
});

t.run();
