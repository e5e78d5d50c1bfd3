import { type KeyObject, sign, verify } from 'node:crypto';

/** A (seq, hash) pair of the log: the row with that seq has that stored hash. */
export interface LogPoint {
  readonly seq: number;
  /** The row's hash, 64 lower-case hex digits. */
  readonly hash: string;
}

/**
 * The signed head of the log, kept outside the database (docs/security.md §34): `seq` and `hash` of the last committed
 * row when it was written, `at` (ms), and earlier heads (`anchors`, thinned to one per power-of-two distance) so that
 * `verify` can name the last row it can still vouch for after a fork. `kid` is the JWK thumbprint of the signing key.
 */
export interface Checkpoint extends LogPoint {
  readonly version: 1;
  readonly at: number;
  readonly anchors: readonly LogPoint[];
  readonly kid: string;
  /** Ed25519 over `signedBytes`, base64url. */
  readonly signature: string;
}

/**
 * What is signed: lines under a fixed first line. A JWS signing input is base64url and '.' only, never a newline, so a
 * checkpoint signature never doubles as an access token's though the key is the same (and the reverse).
 */
const signedBytes = (c: Omit<Checkpoint, 'signature'>): Buffer =>
  Buffer.from(`latchkey-checkpoint-v1\n${c.kid}\n${c.seq}\n${c.hash}\n${c.at}\n${c.anchors.map((a) => `${a.seq} ${a.hash}`).join('\n')}`, 'utf8');

export const signCheckpoint = (key: KeyObject, kid: string, head: LogPoint, at: number, anchors: readonly LogPoint[]): Checkpoint => {
  const unsigned = { version: 1 as const, seq: head.seq, hash: head.hash, at, anchors, kid };
  return { ...unsigned, signature: sign(null, signedBytes(unsigned), key).toString('base64url') };
};

export const checkpointSignatureOk = (c: Checkpoint, publicKey: KeyObject): boolean => {
  const signature = Buffer.from(c.signature, 'base64url');
  return signature.length === 64 && signature.toString('base64url') === c.signature && verify(null, signedBytes(c), publicKey, signature);
};

const isPoint = (v: unknown): v is LogPoint =>
  typeof v === 'object' && v !== null && Number.isSafeInteger((v as LogPoint).seq) && (v as LogPoint).seq >= 0 && typeof (v as LogPoint).hash === 'string' && /^[0-9a-f]{64}$/.test((v as LogPoint).hash);

/** The checkpoint in a JSON text, or an Error saying what is wrong with it (its signature is checked apart). */
export const parseCheckpoint = (text: string): Checkpoint | Error => {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return new Error('the checkpoint is not JSON');
  }
  const c = value as Checkpoint;
  if (typeof value !== 'object' || value === null || c.version !== 1 || !isPoint(c) || !Number.isSafeInteger(c.at)) return new Error('the checkpoint is not a version 1 checkpoint');
  if (!Array.isArray(c.anchors) || c.anchors.length > 64 || !c.anchors.every(isPoint) || typeof c.kid !== 'string' || typeof c.signature !== 'string') {
    return new Error('the checkpoint is not a version 1 checkpoint');
  }
  return { version: 1, seq: c.seq, hash: c.hash, at: c.at, anchors: c.anchors.map((a) => ({ seq: a.seq, hash: a.hash })), kid: c.kid, signature: c.signature };
};

/** One checkpoint a line, as `latchkey checkpoint --print` and the export's trailer write it. */
export const checkpointLine = (c: Checkpoint): string => `${JSON.stringify(c)}\n`;

/**
 * The anchors to keep when a new head at `headSeq` replaces `previous`: of the previous head and its anchors, the oldest
 * at each power-of-two distance from the new head (floor(log2(headSeq - seq))). About log2(seq) of them, dense near the
 * head, and the oldest stays (an anchor leaves only for an older one at its distance).
 */
export const thinAnchors = (previous: Checkpoint | null, headSeq: number): LogPoint[] => {
  if (previous === null) return [];
  const byDistance = new Map<number, LogPoint>();
  for (const a of [{ seq: previous.seq, hash: previous.hash }, ...previous.anchors]) {
    if (a.seq >= headSeq) continue;
    const bucket = Math.floor(Math.log2(headSeq - a.seq));
    const kept = byDistance.get(bucket);
    if (kept === undefined || a.seq < kept.seq) byDistance.set(bucket, a);
  }
  return [...byDistance.values()].sort((x, y) => y.seq - x.seq);
};
