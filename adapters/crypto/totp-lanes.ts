import { MessageChannel, type MessagePort } from 'node:worker_threads';
import type { TotpVerification } from '../../workers/verify-totp.js';
import type { ServeTotpTask, TotpReply, TotpRequest } from '../../workers/crypto-tasks.js';

interface Waiting {
  readonly check: TotpVerification;
  resolve(step: number | null): void;
  reject(err: Error): void;
}

interface Lane {
  readonly port: MessagePort;
  readonly thread: number | null;
  readonly waiting: Map<number, Waiting>;
}

/** What TotpLanes needs of the argon2 pool: one task run on one of its workers. */
export type RunTask = (task: ServeTotpTask, transferList: MessagePort[]) => Promise<number | null>;

/**
 * TOTP checks on the argon2 workers' JS threads, past the hash queue (docs/design.md "Crypto off the event loop").
 * Each lane is a MessagePort handed once to a worker by a piscina task (workers/crypto-tasks.ts `serveTotp`); a check
 * is then one message each way on it, so it never waits behind the hashes queued in piscina — only behind the few
 * microseconds a worker spends handing a hash to libuv. A lane whose worker ended is replaced, and its checks are
 * sent again on another.
 */
export class TotpLanes {
  private readonly lanes: Lane[] = [];
  private opening: Promise<void> | null = null;
  private nextId = 0;
  private turn = 0;
  private closed = false;
  private readonly run: RunTask;
  private readonly count: number;

  constructor(run: RunTask, count: number) {
    this.run = run;
    this.count = count;
    void this.reopen();
  }

  async verify(check: TotpVerification): Promise<number | null> {
    const lane = this.lanes[this.turn++ % Math.max(1, this.lanes.length)] ?? (await this.someLane());
    return new Promise((resolve, reject) => {
      const id = this.nextId++;
      lane.waiting.set(id, { check, resolve, reject });
      lane.port.postMessage({ id, check } satisfies TotpRequest);
    });
  }

  /** The OS ids of the threads that answer checks: they keep their priority when hashing is lowered. */
  async threads(): Promise<number[]> {
    await this.opening;
    return this.lanes.flatMap((l) => (l.thread === null ? [] : [l.thread]));
  }

  /** Lanes open now. */
  size(): number {
    return this.lanes.length;
  }

  close(): void {
    this.closed = true;
    for (const lane of this.lanes.splice(0)) {
      lane.port.close();
      for (const w of lane.waiting.values()) w.reject(new Error('the TOTP lanes are closed'));
    }
  }

  private async someLane(): Promise<Lane> {
    while (this.lanes.length === 0) {
      if (this.closed) throw new Error('the TOTP lanes are closed');
      await this.reopen();
    }
    return this.lanes[this.turn++ % this.lanes.length]!;
  }

  /** Opens the missing lanes, once at a time; a failure (the pool destroyed) reaches whoever waits, not the process. */
  private reopen(): Promise<void> {
    if (this.opening === null) {
      this.opening = this.open();
      this.opening.catch(() => {});
    }
    return this.opening;
  }

  private async open(): Promise<void> {
    try {
      await Promise.all(Array.from({ length: this.count - this.lanes.length }, () => this.openLane()));
    } finally {
      this.opening = null;
    }
  }

  private async openLane(): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    const thread = await this.run({ port: port2 }, [port2]);
    if (this.closed) return void port1.close();
    const lane: Lane = { port: port1, thread, waiting: new Map() };
    port1.on('message', (reply: TotpReply) => {
      const w = lane.waiting.get(reply.id);
      if (w === undefined) return;
      lane.waiting.delete(reply.id);
      if ('failed' in reply) w.reject(new Error('TOTP check failed in the worker'));
      else w.resolve(reply.step);
    });
    // The worker ended (piscina replaces it): its checks go to another lane, and a new lane is opened.
    port1.once('close', () => {
      const i = this.lanes.indexOf(lane);
      if (i < 0 || this.closed) return;
      this.lanes.splice(i, 1);
      void this.reopen();
      for (const w of lane.waiting.values()) this.verify(w.check).then(w.resolve, w.reject);
    });
    this.lanes.push(lane);
  }
}
