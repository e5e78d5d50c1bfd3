import { type KeyObject, createPrivateKey, generateKeyPairSync, hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Keys {
  /** AES-256-GCM key for TOTP seeds. */
  readonly sealKey: Buffer;
  /** HMAC key for unknown usernames and recovery codes. */
  readonly hmacKey: Buffer;
  /** Ed25519 private key of the access-token signer. */
  readonly signingKey: KeyObject;
  readonly adminKey: string;
  /** True when the admin key was generated just now (the CLI prints it once). */
  readonly adminKeyCreated: boolean;
}

export interface KeySources {
  readonly LATCHKEY_SECRET_KEY: string | undefined;
  readonly LATCHKEY_ADMIN_KEY: string | undefined;
}

/** 32 bytes as 64 hex digits or base64/base64url; anything else is a configuration error, said at start. */
export const parseSecretKey = (raw: string): Buffer => {
  const text = raw.trim();
  // Strict shapes: Buffer.from(…, 'base64') skips characters it does not know, so a mangled key would pass.
  if (/^[0-9a-fA-F]{64}$/.test(text)) return Buffer.from(text, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(text) || /^[A-Za-z0-9_-]{43}$/.test(text)) return Buffer.from(text, 'base64');
  throw new Error('LATCHKEY_SECRET_KEY must be 32 bytes, as 64 hex digits or base64');
};

/** Written once, readable by the owner only; an existing file is never overwritten. */
const readOrCreate = (path: string, make: () => string): { value: string; created: boolean } => {
  if (existsSync(path)) return { value: readFileSync(path, 'utf8').trim(), created: false };
  const value = make();
  writeFileSync(path, `${value}\n`, { mode: 0o600, flag: 'wx' });
  return { value, created: true };
};

/** Two independent keys from the one secret (RFC 5869): a leaked HMAC never helps open a seed, or the reverse. */
export const derive = (secret: Buffer, info: string): Buffer => Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), info, 32));

/**
 * The keys of a data dir: the secret from the environment or `secret.key`, the signing key from `signing-key.pem`,
 * the admin key from the environment or `admin.key`; whatever is missing is generated at first start.
 */
export const loadOrCreateKeys = async (dataDir: string, env: KeySources): Promise<Keys> => {
  const secret = env.LATCHKEY_SECRET_KEY
    ? parseSecretKey(env.LATCHKEY_SECRET_KEY)
    : parseSecretKey(readOrCreate(join(dataDir, 'secret.key'), () => randomBytes(32).toString('base64')).value);
  const pem = readOrCreate(join(dataDir, 'signing-key.pem'), () =>
    generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString().trim(),
  ).value;
  const admin = env.LATCHKEY_ADMIN_KEY
    ? { value: env.LATCHKEY_ADMIN_KEY, created: false }
    : readOrCreate(join(dataDir, 'admin.key'), () => randomBytes(32).toString('base64url'));
  return {
    sealKey: derive(secret, 'latchkey seal v1'),
    hmacKey: derive(secret, 'latchkey hmac v1'),
    signingKey: createPrivateKey(pem),
    adminKey: admin.value,
    adminKeyCreated: admin.created,
  };
};
