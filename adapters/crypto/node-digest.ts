import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Digest } from '../../core/ports/digest.js';

export class NodeDigest implements Digest {
  private readonly hmacKey: Buffer;

  constructor(hmacKey: Buffer) {
    this.hmacKey = hmacKey;
  }

  sha256(value: string): string {
    return createHash('sha256').update(value, 'utf8').digest('base64url');
  }

  keyed(value: string): string {
    return createHmac('sha256', this.hmacKey).update(value, 'utf8').digest('base64url');
  }

  same(a: string, b: string): boolean {
    const x = Buffer.from(a);
    const y = Buffer.from(b);
    return x.length === y.length && timingSafeEqual(x, y);
  }
}
