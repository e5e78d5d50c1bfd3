import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import type { Latchkey } from '../core/app/latchkey.js';
import type { Clock } from '../core/ports/clock.js';
import type { Config } from './config.js';
import { createHttpApp } from './http/create-http-app.js';
import { dialectRouters } from './http/dialects.js';
import { EarlyRefusals } from './http/early-refusals.js';
import { Metrics } from './http/metrics.js';
import { timedLatchkey } from './http/timed-latchkey.js';
import { attachSocketDialects } from './http/socket-dialects.js';
import { openAuditService } from './open-audit-service.js';
import { type Engine, openEngine } from './open-engine.js';
import { undeliveredStreams } from './mail/undelivered-streams.js';

export interface Running {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  readonly latchkey: Latchkey;
  /** The engine under the server: its store and hasher, for tests that drive or count them. */
  readonly engine: Engine;
  readonly adminKey: string;
  readonly adminKeyCreated: boolean;
  /** Workers of the argon2 pool, one per core: hashes running at once on a libuv pool of that size (bin/latchkey.cjs). */
  readonly argon2Threads: number;
  close(): Promise<void>;
}

export interface Overrides {
  readonly clock?: Clock;
  /** Where logs go (tests capture them to scan for secrets); default stdout. */
  readonly logDestination?: NodeJS.WritableStream;
}

/** Opens the data dir, keys, event store and worker pools, and serves every dialect on one port. */
export const startServer = async (config: Config, overrides: Overrides = {}): Promise<Running> => {
  const logger = pino({ level: config.logLevel, base: null }, overrides.logDestination ?? process.stdout);
  const metrics = new Metrics();
  const engine = await openEngine(config, overrides.clock, {
    argon2: (task, wait, run) => metrics.observeArgon2(task, wait, run),
    totp: (seconds) => metrics.observeTotpCheck(seconds),
    commit: (seconds) => metrics.observeCommit(seconds),
  });
  const { pool } = engine;
  const latchkey = timedLatchkey(engine.latchkey, metrics);
  // The pool is warm (the dummy hash ran), so libuv's threads exist: let the event loop preempt hashing.
  await engine.lowerHashingPriority();
  const audit = openAuditService(config);
  // Before the first request: codes the previous process held in memory are gone; each is abandoned with its event
  // (docs/security.md §38). After listening, this node's fresh codes would be among the candidates.
  const abandoned = await latchkey.abandonUndelivered(config.nodeName, await undeliveredStreams(audit.log, config.nodeName));
  if (abandoned > 0) logger.warn({ abandoned }, 'e-mail codes issued before the restart and never delivered were abandoned');
  if (engine.outbox === null) logger.info('e-mail codes unavailable: no SMTP server configured (LATCHKEY_SMTP_URL)');
  engine.outbox?.observe((result) => metrics.inc('latchkey_mail_total', { result }));
  const trustedProxies = new Set(config.trustedProxies);
  const earlyRefusals = new EarlyRefusals({
    now: () => latchkey.now(),
    trustedProxies,
    refused: (ip, dialect) => {
      latchkey.countAddressRefusal(ip, dialect);
      metrics.inc('latchkey_http_responses_total', { status: '429' });
      metrics.inc('latchkey_refusals_total', { dialect, reason: 'throttled', answered_by: 'early' });
    },
  });
  const app = { latchkey, adminKey: engine.adminKey, trustedProxies, logger, metrics, audit, earlyRefusals };
  metrics.gauge('latchkey_argon2_queue', 'argon2 tasks waiting for a worker now.', () => pool.stats().argon2Queued);
  metrics.gauge('latchkey_argon2_max_queue', 'The argon2 queue bound: a password step beyond it is shed (503).', () => pool.stats().argon2MaxQueue);
  metrics.gauge('latchkey_events_last_seq', 'The last seq appended to the event log.', () => engine.lastSeq());
  // Event-loop delay since the previous scrape: what argon2 bursts do to everything else. The histogram records the
  // whole interval between its ticks, resolution included (an idle loop reads ~10 ms at resolution 10): these gauges
  // report the excess, the time the loop was late (prom-client's nodejs_eventloop_lag_* report the interval).
  const resolutionMs = 5;
  const loopDelay = monitorEventLoopDelay({ resolution: resolutionMs });
  loopDelay.enable();
  const lateSeconds = (ns: number) => Math.max(0, ns / 1e9 - resolutionMs / 1000);
  const late = 'the event loop was late, beyond its 5 ms timer, since the previous scrape.';
  metrics.gauge('nodejs_eventloop_delay_p50_seconds', `Median time ${late}`, () => lateSeconds(loopDelay.percentile(50)));
  metrics.gauge('nodejs_eventloop_delay_p99_seconds', `99th percentile of the time ${late}`, () => lateSeconds(loopDelay.percentile(99)));
  metrics.gauge('nodejs_eventloop_delay_max_seconds', `Longest time ${late}`, () => lateSeconds(loopDelay.max));
  metrics.onRendered(() => loopDelay.reset());
  const koa = createHttpApp(app, dialectRouters);
  // A throttled address's repeated requests are refused before koa (docs/security.md §37). Koa's callback returns its
  // request's promise, which never rejects (Koa answers its own errors): the handler ignores it, as node would.
  const server = createServer({ requestTimeout: 30_000, headersTimeout: 10_000, keepAliveTimeout: 5_000 }, earlyRefusals.handler(koa.callback()));
  server.maxHeadersCount = 100;
  const closeSockets = attachSocketDialects(server, app);
  // Throttle refusals are counted in memory and written aggregated, once a minute (docs/security.md §21).
  const recordRefusals = () =>
    latchkey.recordThrottleRefusals().catch((err: unknown) => logger.warn({ err: { message: (err as Error)?.message } }, 'throttle refusals could not be recorded'));
  const refusalTimer = setInterval(() => void recordRefusals(), 60_000);
  refusalTimer.unref();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let closed: Promise<void> | null = null;
  return {
    url: `http://${host}:${port}`,
    port,
    server,
    latchkey,
    engine,
    adminKey: engine.adminKey,
    adminKeyCreated: engine.adminKeyCreated,
    argon2Threads: pool.stats().argon2Threads,
    close: () =>
      (closed ??= (async () => {
        clearInterval(refusalTimer);
        closeSockets();
        loopDelay.disable();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await recordRefusals();
        await audit.close();
        await engine.close();
        logger.flush();
      })()),
  };
};
