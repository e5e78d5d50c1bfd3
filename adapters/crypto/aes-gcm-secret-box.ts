import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { SecretBox } from '../../core/ports/secret-box.js';

const version = 'v1';

/** TOTP seeds at rest: AES-256-GCM, `v1.<base64url(iv ‖ ciphertext ‖ tag)>`, a fresh 96-bit IV per seal. */
export class AesGcmSecretBox implements SecretBox {
  private readonly key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error('the seal key must be 32 bytes');
    this.key = key;
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `${version}.${Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url')}`;
  }

  /** Throws when the box was sealed under another key or changed: a tampered seed never verifies a code. */
  open(sealed: string): string {
    const [v, payload] = sealed.split('.');
    if (v !== version || payload === undefined) throw new Error('unknown sealed format');
    const bytes = Buffer.from(payload, 'base64url');
    if (bytes.length < 12 + 16) throw new Error('sealed value too short');
    const decipher = createDecipheriv('aes-256-gcm', this.key, bytes.subarray(0, 12));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(12, bytes.length - 16)), decipher.final()]).toString('utf8');
  }
}
